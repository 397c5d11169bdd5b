"""csr_hub: Thai schools' needs matched with companies' CSR offers, approved by ESA and OBEC officers."""

from __future__ import annotations

from typing import Any, Mapping

from flask import Flask


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    from csr_hub import config as settings

    app = Flask(
        __name__, template_folder="../templates", static_folder="../static", instance_relative_config=True
    )
    app.config.update(settings.load(app.instance_path, config))
    app.json.ensure_ascii = False  # Thai stays readable in JSON
    app.json.sort_keys = False
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    hops = int(app.config.get("PROXY_FIX_HOPS") or 0)
    if hops:  # behind nginx / a load balancer: the client's address and scheme from X-Forwarded-*
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    return app


def register_extensions(app: Flask) -> None:
    from csr_hub import db_events
    from csr_hub.extensions import babel, csrf, db, init_migrations, limiter, login_manager
    from csr_hub.web import i18n, security

    db.init_app(app)
    app.before_request(_fresh_request_state)
    app.teardown_request(_end_request_state)
    with app.app_context():
        db_events.install(db.engine)
    from csr_hub.services import audit

    audit.install_guards(db.session)
    register_production(app)
    if not app.config["CSR_WEB_ONLY"]:
        init_migrations(app, str(app.root_path + "/../migrations"))
    csrf.init_app(app)
    i18n.compile_catalogues(app)
    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=lambda: "Asia/Bangkok")
    limiter.init_app(app)
    login_manager.init_app(app)
    security.init_app(app)
    i18n.init_app(app)
    from csr_hub.web import page_cache

    page_cache.init_app(app)  # last: see its docstring


def redis_client(app: Flask):
    """The app's Redis client (``REDIS_URL``), or None when the app runs without one."""
    return app.extensions.get("csr_redis")


def register_production(app: Flask) -> None:
    """Redis (when ``REDIS_URL`` is set) for the job queue and the shared report cache."""
    from csr_hub.extensions import db
    from csr_hub.services import jobs
    from csr_hub.services.reporting import cache

    client = None
    if app.config.get("REDIS_URL"):
        import redis

        client = redis.Redis.from_url(app.config["REDIS_URL"], socket_timeout=5, socket_connect_timeout=5)
    app.extensions["csr_redis"] = client
    with app.app_context():
        engine = db.engine
        replicas = [e for key, e in db.engines.items() if key is not None]
    figures = cache.FigureCache(
        client,
        ttl=int(app.config["REPORT_CACHE_SECONDS"]),
        prefix=app.config.get("REDIS_PREFIX", "csr:") + "reports:",
        local_bytes=int(app.config["REPORT_CACHE_LOCAL_MB"]) * 2**20,
        stale_seconds=int(app.config["REPORT_STALE_SECONDS"]),
    )
    app.extensions["csr_report_cache"] = cache.install(engine, figures, *replicas)
    from csr_hub.web import freshness

    freshness.init_app(app, figures)
    runner = jobs.Runner(
        engine,
        redis=client,
        mode=app.config["JOBS_IN_PROCESS"],
        retry_intervals=tuple(app.config["JOBS_RETRY_INTERVALS"]),
        app=app,
        queue_name=app.config.get("JOBS_QUEUE", jobs.QUEUE_NAME),
    )
    app.extensions["csr_jobs"] = runner
    jobs.install(runner)
    from csr_hub.web.reports import replica

    app.teardown_appcontext(replica.close)


#: per-request caches kept on ``g`` by Flask-Login, Flask-WTF, Flask-Babel and us
_REQUEST_CACHES = (
    "_login_user",
    "csrf_token",
    "api_token",
    "_flask_babel",
    "csr_wrote_figures",
    "csr_wrote_lately",
)


def _fresh_request_state() -> None:
    """Start every request with empty auth, CSRF and locale caches.

    ``g`` belongs to the app context, and a request reuses an app context that is already pushed (tests and
    CLI tasks push one), so without this a request could see the previous request's user or token.
    """
    from flask import g, request

    from csr_hub.db_events import write_intent

    for name in _REQUEST_CACHES:
        g.pop(name, None)
    write_intent.set(request.method not in ("GET", "HEAD", "OPTIONS"))


def _end_request_state(_exc=None) -> None:
    from csr_hub.db_events import write_intent

    write_intent.set(False)


def register_blueprints(app: Flask) -> None:
    from csr_hub.web import BLUEPRINTS

    for bp in BLUEPRINTS:
        app.register_blueprint(bp)
    from csr_hub.web import ops

    app.register_blueprint(ops.bp)


def register_errorhandlers(app: Flask) -> None:
    from csr_hub.web import errors

    errors.init_app(app)


def register_commands(app: Flask) -> None:
    from csr_hub import cli

    cli.init_app(app)
    from csr_hub import worker

    worker.init_app(app)
