"""What a match's page knows of it: the match (as the reader may see it), the actions the reader may take,
whose turn it is, and whether it needs a central (OBEC) approval and is still waiting for it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from csr_hub.domain import money, workflow
from csr_hub.domain.policy import WAITING_APPROVAL
from csr_hub.models import Match, User
from csr_hub.services import matches


@dataclass(frozen=True)
class MatchPage:
    match: Match
    #: the workflow actions this reader may take now
    actions: list[str]
    #: whose step it is (school, company, director, central), None once it has stopped or completed
    turn: str | None
    #: its value reaches the central threshold: an OBEC officer approves it after the ESA
    above_threshold: bool
    #: … and that approval is still to come
    needs_central: bool


def load(session: Session, user: User, match_id: int, threshold: Any) -> MatchPage:
    """The match page's facts (404 for a match the reader may not see)."""
    match = matches.get_match(session, user, match_id)
    turn = workflow.whose_turn(match.status, match.proposed_by)
    above = money.to_decimal(match.value_thb) >= money.to_decimal(threshold)
    return MatchPage(
        match=match,
        actions=matches.allowed_actions_for(user, match),
        turn=turn.value if turn else None,
        above_threshold=above,
        needs_central=above and match.status in WAITING_APPROVAL,
    )
