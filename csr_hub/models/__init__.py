"""Typed SQLAlchemy models, one module per aggregate."""

from csr_hub.models.base import Base
from csr_hub.models.event import AuditEvent, IdempotencyRecord, Notification
from csr_hub.models.match import Match, MatchTransition, Suggestion
from csr_hub.models.post import Need, Offer, offer_provinces
from csr_hub.models.reference import Company, District, Province, School, district_provinces
from csr_hub.models.user import ApiToken, User
from csr_hub.models.upload import Upload

__all__ = [
    "ApiToken",
    "AuditEvent",
    "Base",
    "Company",
    "District",
    "IdempotencyRecord",
    "Match",
    "MatchTransition",
    "Need",
    "Notification",
    "Offer",
    "Province",
    "School",
    "Suggestion",
    "Upload",
    "User",
    "district_provinces",
    "offer_provinces",
]
