"""The office's rules as plain Python: no Django import here (checked by import-linter)."""
