"""Domain logic and all SQL. Routes and commands call these functions; nothing else queries."""
