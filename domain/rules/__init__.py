"""Pure business rules: no database, no I/O, no clock unless passed in."""
