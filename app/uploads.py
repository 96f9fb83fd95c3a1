"""A file sent with a form, as the HTTP edge kept it.

`app.web.uploads` reads forms with files as a stream and never holds a file larger than
the form accepts: such a file arrives here without its bytes, only its size, so the
service that checks it can name the bound on the file's own field while everything else
typed in the form comes back with it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Upload:
    filename: str
    """As the browser named it (no path); may be empty."""
    content: bytes
    """The file's bytes; empty when it was larger than the form accepts (not kept)."""
    size: int
    """How many bytes were sent, counted as they streamed past."""

    @property
    def too_large(self) -> bool:
        """Whether the bytes were discarded because the file exceeded the form's bound."""
        return self.size > len(self.content)
