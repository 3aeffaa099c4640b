"""Reports to hand on: the board pack (PDF)."""
