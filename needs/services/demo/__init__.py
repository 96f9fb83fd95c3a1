"""The needs domain's demo data (DESIGN.md's Luzhou cases) and its loader."""
