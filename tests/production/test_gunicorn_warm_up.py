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


def test_a_worker_holds_one_thai_dictionary_not_two():
    """Search and analysis both tokenise with the vocabulary's dictionary: PyThaiNLP's default copy
    (~70 MB per process) is never built — in a fresh interpreter, after the warm-up and a search."""
    import subprocess
    import sys

    code = (
        "import runpy, pythainlp.tokenize as t\n"
        f"conf = runpy.run_path({str(CONF)!r})\n"
        "class L:\n    def warning(self, *a, **k): raise SystemExit('warm-up failed')\n"
        "class S:\n    log = L()\n"
        "conf['on_starting'](S())\n"
        "from csr_hub.domain import analysis\n"
        "assert analysis.query_terms('ห้องสมุดต้องการหนังสือนิทานภาษาอังกฤษ สำหรับเด็กเล็ก')\n"
        "print(t.word_dict_trie.cache_info().currsize)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "0"


def test_a_web_worker_leaves_the_migration_tool_out():
    """gunicorn.conf.py gives its processes ``CSR_WEB_ONLY``: that app serves without Flask-Migrate and
    Alembic loaded; an app made without it (``flask db …``, the tests) has them. Neither loads SciPy,
    which only the batch match uses."""
    import os
    import subprocess
    import sys

    conf = runpy.run_path(str(CONF))
    assert "CSR_WEB_ONLY=1" in conf["raw_env"]
    code = (
        "import sys\n"
        "from csr_hub import create_app\n"
        "app = create_app()\n"
        "print(app.config['CSR_WEB_ONLY'], 'migrate' in app.extensions, 'alembic' in sys.modules,"
        " 'scipy' in sys.modules)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "CSR_WEB_ONLY"}
    web = dict(env, **dict(e.split("=", 1) for e in conf["raw_env"]))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=web)
    assert out.stdout.split() == ["True", "False", "False", "False"], out.stderr[-2000:]  # SciPy: batch only
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env)
    assert out.stdout.split() == ["False", "True", "True", "False"], out.stderr[-2000:]


def test_a_worker_hands_freed_memory_back_every_n_requests(monkeypatch):
    import ctypes

    calls: list[int] = []

    class Libc:
        def malloc_trim(self, pad: int) -> int:
            calls.append(pad)
            return 1

    monkeypatch.setattr(ctypes, "CDLL", lambda *_a, **_k: Libc())
    monkeypatch.setenv("GUNICORN_TRIM_EVERY", "3")
    conf = runpy.run_path(str(CONF))
    for _ in range(7):
        conf["post_request"](None, None, {}, None)
    assert calls == [0, 0]  # after the 3rd and the 6th request
    monkeypatch.setenv("GUNICORN_TRIM_EVERY", "0")  # 0 turns it off
    off = runpy.run_path(str(CONF))
    for _ in range(7):
        off["post_request"](None, None, {}, None)
    assert calls == [0, 0]
