"""The bundled dataset, the derisk CSV format and importers."""
