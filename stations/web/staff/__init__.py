"""The stations staff's pages, one module per task."""
