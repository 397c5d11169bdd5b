"""Job functions for the job tests (importable by name, as every job function must be)."""

from __future__ import annotations

CALLS: list[str] = []


def ok(session, progress, value: int = 1):
    progress(50)
    CALLS.append("ok")
    return {"value": value * 2}


def boom(session, progress):
    CALLS.append("boom")
    raise ValueError("the printer is on fire")


def flaky(session, progress):
    CALLS.append("flaky")
    if CALLS.count("flaky") == 1:
        raise ConnectionError("try again")
    return {"attempt": CALLS.count("flaky")}
