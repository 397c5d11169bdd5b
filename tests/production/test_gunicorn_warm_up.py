"""gunicorn.conf.py loads the Thai dictionary and the vocabulary before the first request (in the master, so
every forked worker has them), and a failed warm-up never keeps gunicorn from starting."""

from __future__ import annotations

import runpy
from pathlib import Path

from csr_hub.domain import analysis, text, vocabulary

CONF = Path(__file__).resolve().parents[2] / "gunicorn.conf.py"


class _Log:
    def __init__(self) -> None:
        self.warnings: list[str] = []

    def warning(self, msg, *args, **kw) -> None:
        self.warnings.append(msg)


class _Server:
    def __init__(self) -> None:
        self.log = _Log()


def test_the_master_warms_up_what_a_thai_search_reads():
    conf = runpy.run_path(str(CONF))
    vocabulary.invalidate()
    text._tokens.cache_clear()
    server = _Server()
    conf["on_starting"](server)
    assert server.log.warnings == []
    assert vocabulary._vocab.cache_info().currsize == 1  # the vocabulary's matchers are built
    assert text._tokens.cache_info().currsize >= 1  # newmm ran with the dictionary loaded
    conf["post_fork"](server, None)  # the workers' call finds everything loaded
    assert server.log.warnings == []


def test_a_failed_warm_up_is_logged_and_gunicorn_goes_on(monkeypatch):
    conf = runpy.run_path(str(CONF))

    def broken(q):
        raise RuntimeError("no dictionary")

    monkeypatch.setattr(analysis, "query_terms", broken)
    server = _Server()
    conf["on_starting"](server)
    conf["post_fork"](server, None)
    assert server.log.warnings == ["could not preload the Thai dictionary"] * 2
