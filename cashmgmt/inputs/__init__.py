"""What comes in: case folders (case file, balance and FX tables, rule checks) and statements."""
