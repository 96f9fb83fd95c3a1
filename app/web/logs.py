"""Logging that costs a request as little as possible. A record is resolved (its message and
any traceback made text) and put in a buffer; a thread of its own formats and writes what
has gathered every tenth of a second, with one write. The standard queue handler formats in
the caller's thread and wakes the writer for every line, which cost a cheap request a tenth
of its time.

Each record carries the id of the request it was logged in (`request_id`, "-" outside
one); `JsonFormatter` writes one JSON object a line for log collectors
(LINLI_LOG_FORMAT=json)."""

from __future__ import annotations

import atexit
import json
import logging
import sys
import threading
from collections import deque
from contextvars import ContextVar
from datetime import UTC, datetime

FLUSH_EVERY_S = 0.1
"""How long a line may wait before it is written (lines still waiting when the process
exits normally are written then)."""

current_request_id: ContextVar[str] = ContextVar("linli_request_id", default="-")
"""The id of the request being served (set by `app.web.request_ids`)."""

ACCESS_FIELDS = ("method", "path", "route", "status", "duration_ms", "client")
"""What the access line carries besides its message (`extra=`), as JSON members."""


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC, ISO 8601), level, logger, message, request_id,
    the access line's fields where present, and the traceback as `exception`."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
        }
        for name in ACCESS_FIELDS:
            if hasattr(record, name):
                entry[name] = getattr(record, name)
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False, default=str)


class BackgroundHandler(logging.Handler):
    """Writes records to standard error, formatted with this handler's formatter, from a
    thread of its own."""

    def __init__(self) -> None:
        super().__init__()
        self._waiting: deque[logging.LogRecord] = deque()
        self._stopped = threading.Event()
        self._writer = threading.Thread(target=self._write_forever, name="log-writer", daemon=True)
        self._writer.start()
        atexit.register(self.close)

    def emit(self, record: logging.LogRecord) -> None:
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id.get()
        # Arguments and tracebacks may change after this call: resolve them now.
        if record.args:
            record.msg = record.getMessage()
            record.args = None
        if record.exc_info:
            record.exc_text = (self.formatter or logging.Formatter()).formatException(
                record.exc_info
            )
            record.exc_info = None
        self._waiting.append(record)

    def _write_forever(self) -> None:
        while not self._stopped.wait(FLUSH_EVERY_S):
            self._write_waiting()
        self._write_waiting()

    def _write_waiting(self) -> None:
        lines = []
        while True:
            try:  # the writer thread and a flush (logging reconfigured, say) may both drain
                record = self._waiting.popleft()
            except IndexError:
                break
            try:
                lines.append(self.format(record) + "\n")
            except Exception:  # a bad record must not stop the log
                self.handleError(record)
        if lines:
            stream = sys.stderr
            stream.write("".join(lines))
            stream.flush()

    def flush(self) -> None:
        self._write_waiting()

    def close(self) -> None:
        if not self._stopped.is_set():
            self._stopped.set()
            self._writer.join(timeout=2)
        super().close()
