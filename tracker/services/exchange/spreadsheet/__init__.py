"""The tracker's spreadsheet layout (CSV and XLSX): its columns, reading it, writing it."""
