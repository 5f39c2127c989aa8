"""Pure, typed analytics over arrays and tables. No I/O, no printing."""
