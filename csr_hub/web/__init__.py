"""Blueprints, one package per feature."""

from csr_hub.web.admin.routes import bp as admin_bp
from csr_hub.web.api import bp as api_bp
from csr_hub.web.auth.routes import bp as auth_bp
from csr_hub.web.dashboard.routes import bp as dashboard_bp
from csr_hub.web.line.routes import bp as line_bp
from csr_hub.web.main.routes import bp as main_bp
from csr_hub.web.matches.routes import bp as matches_bp
from csr_hub.web.needs.routes import bp as needs_bp
from csr_hub.web.notifications.routes import bp as notifications_bp
from csr_hub.web.offers.routes import bp as offers_bp
from csr_hub.web.partnerships.routes import bp as partnerships_bp
from csr_hub.web.reports.routes import bp as reports_bp
from csr_hub.web.uploads.routes import bp as uploads_bp
from csr_hub.web.vocabulary.routes import bp as vocabulary_bp

BLUEPRINTS = (
    main_bp,
    auth_bp,
    needs_bp,
    offers_bp,
    matches_bp,
    dashboard_bp,
    reports_bp,
    notifications_bp,
    api_bp,
    uploads_bp,
    admin_bp,
    partnerships_bp,
    line_bp,
    vocabulary_bp,
)
