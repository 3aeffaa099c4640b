"""Bringing portfolios in from spreadsheets and IATI XML, safely, all rows or none."""
