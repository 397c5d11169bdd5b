"""Start and stop the servers the production tests need (pgbouncer, gunicorn, nginx) on free ports."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, proc: subprocess.Popen | None = None, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"nothing listens on {port}")


def wait_for_http(url: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except Exception as exc:  # not up yet
            last = exc
        time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer: {last}")


def stop(proc: subprocess.Popen | None) -> None:
    """Stop one process we started (its process group), by its id."""
    if proc is None or proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)


def start(args: list[str], log: Path, env: dict | None = None, cwd: Path = ROOT) -> subprocess.Popen:
    out = open(log, "wb")
    return subprocess.Popen(
        args, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=str(cwd), start_new_session=True
    )


def start_pgbouncer(tmp: Path, dbname: str, pg_port: int = 5432) -> tuple[subprocess.Popen, int]:
    """pgbouncer in transaction pooling mode in front of the local PostgreSQL (as ``nobody`` when root)."""
    port = free_port()
    tmp.chmod(0o755)
    ini = tmp / "pgbouncer.ini"
    ini.write_text(
        "[databases]\n"
        f"{dbname} = host=127.0.0.1 port={pg_port} dbname={dbname} user=postgres\n"
        "[pgbouncer]\n"
        f"listen_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n"
        "auth_type = any\npool_mode = transaction\n"
        "default_pool_size = 4\nmax_client_conn = 100\n"
        "ignore_startup_parameters = extra_float_digits,options\n"
        "server_reset_query =\n"
    )
    ini.chmod(0o644)
    args = ["/usr/sbin/pgbouncer"]
    if os.geteuid() == 0:
        args += ["-u", "nobody"]
    proc = start([*args, str(ini)], tmp / "pgbouncer.log")
    wait_for_port(port, proc)
    return proc, port
