"""Reads and writes several stations services share: a station's calendar data and parsed
hours, its free seats and amenities, and the version and amenity mask every change keeps
in step."""
