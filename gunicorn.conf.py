"""gunicorn settings for csr_hub, read from the environment (``gunicorn -c gunicorn.conf.py 'csr_hub:create_app()'``).

Threaded workers (``gthread``): a request mostly waits on PostgreSQL or Redis, so a few threads per
process keep the CPU busy and a slow client does not hold a whole process. Workers are recycled after
``GUNICORN_MAX_REQUESTS`` requests (with jitter) so no worker's memory creeps up for ever.
"""

import multiprocessing
import os


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


bind = os.environ.get("GUNICORN_BIND") or f"{os.environ.get('HOST', '127.0.0.1')}:{_int('PORT', 8000)}"
workers = _int("GUNICORN_WORKERS", _int("WEB_CONCURRENCY", min(2 * multiprocessing.cpu_count() + 1, 8)))
threads = _int("GUNICORN_THREADS", 4)
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread" if threads > 1 else "sync")
timeout = _int("GUNICORN_TIMEOUT", 60)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)
max_requests = _int("GUNICORN_MAX_REQUESTS", 5000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 500)
backlog = _int("GUNICORN_BACKLOG", 2048)
accesslog = os.environ.get("GUNICORN_ACCESSLOG") or None
errorlog = os.environ.get("GUNICORN_ERRORLOG", "-")
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")
#: behind nginx or a load balancer: trust its X-Forwarded-* (the app's ProxyFix reads them)
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
proc_name = "csr_hub"
#: set in gunicorn's processes: the app there serves requests only and leaves out the migration tool
#: (``CSR_WEB_ONLY``, csr_hub/config.py)
raw_env = ["CSR_WEB_ONLY=1"]


#: what is read once before the first request: a Thai search and a post's analysis
WARM_UP_TEXT = "โรงเรียนต้องการคอมพิวเตอร์โน้ตบุ๊ก 20 เครื่อง"


def _warm_up(server) -> None:
    """PyThaiNLP's dictionary, the vocabulary's matchers and the Thai tokenizer with the vocabulary's terms:
    ~1 s on an idle machine (10 s on a busy one), which the first Thai search in each worker paid."""
    from csr_hub.domain import analysis

    try:
        analysis.query_terms(WARM_UP_TEXT)
        analysis.analyse_post(WARM_UP_TEXT, "")
    except Exception:  # a warm-up only: never keep a worker from starting
        server.log.warning("could not preload the Thai dictionary", exc_info=True)


def on_starting(server):
    """In the master, once: every worker forked from it (recycled ones too) starts with it all loaded."""
    _warm_up(server)


def post_fork(server, worker):
    """Again in the worker (nothing to do when the master's warm-up worked)."""
    _warm_up(server)


#: every this many requests a worker hands the memory it has freed back to the system (glibc's
#: ``malloc_trim``): the national report's rendering leaves a high-water mark of freed but kept heap
trim_every = _int("GUNICORN_TRIM_EVERY", 200)


def _trimmer():
    import ctypes
    import ctypes.util
    import itertools

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        trim = libc.malloc_trim
    except (OSError, AttributeError):  # not glibc: nothing to hand back this way
        return None
    counter = itertools.count(1)
    return lambda: next(counter) % trim_every == 0 and trim(0)


_trim = None


def post_request(worker, req, environ, resp):
    global _trim
    if trim_every <= 0:
        return
    if _trim is None:
        _trim = _trimmer() or (lambda: None)
    _trim()
