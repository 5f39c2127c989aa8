"""Static reports (HTML) built from the same services as the CLI."""
