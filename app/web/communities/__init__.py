"""The district's communities over HTTP: the staff console frame and the public API."""
