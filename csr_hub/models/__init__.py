"""Typed SQLAlchemy models, one module per aggregate."""

from csr_hub.models.base import Base
from csr_hub.models.channel import ChannelPreference, LineLink
from csr_hub.models.event import AuditEvent, IdempotencyRecord, Notification
from csr_hub.models.job import Job
from csr_hub.models.match import Match, MatchTransition, Suggestion
from csr_hub.models.need_photo import NeedPhoto
from csr_hub.models.partnership import Partnership, PartnershipTransition
from csr_hub.models.post import Need, Offer, offer_provinces
from csr_hub.models.reference import Company, District, Province, School, district_provinces
from csr_hub.models.user import ApiToken, User
from csr_hub.models.upload import Upload
from csr_hub.models.vocabulary import VocabularyTerm

__all__ = [
    "ApiToken",
    "AuditEvent",
    "Base",
    "ChannelPreference",
    "Company",
    "District",
    "IdempotencyRecord",
    "LineLink",
    "Job",
    "Match",
    "MatchTransition",
    "Need",
    "NeedPhoto",
    "Notification",
    "Offer",
    "Partnership",
    "PartnershipTransition",
    "Province",
    "School",
    "Suggestion",
    "Upload",
    "User",
    "VocabularyTerm",
    "district_provinces",
    "offer_provinces",
]
