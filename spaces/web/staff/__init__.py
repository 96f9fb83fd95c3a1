"""The staff console's pages of spaces, one module per task."""
