"""Optional example data (not part of the bundled dataset)."""
