"""HTML routes (thin: parse, call one service, render) and template set-up."""
