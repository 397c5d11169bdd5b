"""Extensions, created here and bound by the factory."""

from __future__ import annotations

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from csr_hub.models.base import Base

db = SQLAlchemy(model_class=Base)
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def init_migrations(app, directory: str) -> None:
    """``flask db …`` (Flask-Migrate, Alembic), imported here so that a web worker, which skips this
    (``CSR_WEB_ONLY``), never loads them."""
    from flask_migrate import Migrate

    Migrate(render_as_batch=True, compare_type=True).init_app(app, db, directory=directory)
