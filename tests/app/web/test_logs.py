"""Log lines leave the request's thread as records and are written by a thread of their
own, in order, with the message and any traceback resolved when they were logged."""

from __future__ import annotations

import logging

import pytest

from app.web.logs import BackgroundHandler


def test_lines_are_written_in_order_with_what_was_true_when_logged(
    capsys: pytest.CaptureFixture[str],
) -> None:
    handler = BackgroundHandler()
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    logger = logging.getLogger("linli.test-logs")
    logger.propagate = False
    logger.addHandler(handler)
    try:
        path = ["/spaces/music-room"]
        logger.warning("GET %s %s", path, 200)
        path[0] = "/changed-after-logging"
        try:
            raise ValueError("the database went away")
        except ValueError:
            logger.exception("request failed")
        handler.flush()
    finally:
        logger.removeHandler(handler)
        handler.close()
    lines = capsys.readouterr().err.splitlines()
    assert lines[0] == "WARNING linli.test-logs: GET ['/spaces/music-room'] 200"
    assert lines[1] == "ERROR linli.test-logs: request failed"
    assert lines[2] == "Traceback (most recent call last):"
    assert lines[-1] == "ValueError: the database went away"


def test_a_closed_handler_has_written_everything_and_stopped_its_thread(
    capsys: pytest.CaptureFixture[str],
) -> None:
    handler = BackgroundHandler()
    handler.setFormatter(logging.Formatter("%(message)s"))
    for number in range(500):
        handler.handle(
            logging.LogRecord("t", logging.INFO, __file__, 1, "line %d", (number,), None)
        )
    handler.close()
    assert capsys.readouterr().err.splitlines() == [f"line {n}" for n in range(500)]
    assert not handler._writer.is_alive()
