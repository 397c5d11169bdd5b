"""The clock: deadlines, reminders, expiry and escalation (SPEC, The clock).

:func:`tick` does everything due on one day (Asia/Bangkok) and is idempotent: each step selects only the
rows still to be done (a conditional UPDATE changes a row once) and each reminder carries a ``dedupe_key``
so a second run on the same day — or two runs racing — sends nothing more. ``flask jobs tick`` calls it,
and so can the production scheduler.

Dates: a match's ``due_on`` is stored by every transition (:func:`due_on_for`); a ``proposed`` match
expires the day after it, a waiting pledge is reminded the day after it and escalated the day after
``due_on + CSR_APPROVAL_DAYS`` (past twice the approval days since it entered its status). A need is asked
to confirm on the day it has gone ``CSR_NEED_REVIEW_DAYS`` without a change or a new match, and expires
:data:`NEED_EXPIRY_DAYS` days after that request if nobody confirmed it and no match holds quantity on it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, fields
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Mapping

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload

from csr_hub.domain.policy import HOLDING, WAITING_APPROVAL, MatchStatus, Role, UserStatus
from csr_hub.domain.reference import BANGKOK, today_bangkok
from csr_hub.domain.workflow import Actor, approvers_turn, clock_decide
from csr_hub.models import Match, MatchTransition, Need, Notification, User
from csr_hub.services import audit, notify

log = logging.getLogger(__name__)

#: a need the clock asked to confirm expires this many days after the request
NEED_EXPIRY_DAYS = 30
DEFAULTS = {"CSR_ANSWER_DAYS": 14, "CSR_APPROVAL_DAYS": 7, "CSR_NEED_REVIEW_DAYS": 120}


@dataclass(frozen=True)
class Settings:
    answer_days: int = 14
    approval_days: int = 7
    review_days: int = 120

    @classmethod
    def from_config(cls, config: Mapping[str, Any] | None = None) -> "Settings":
        if config is None:
            try:
                from flask import current_app, has_app_context

                config = current_app.config if has_app_context() else {}
            except ImportError:  # pragma: no cover
                config = {}
        get = lambda k: int(config.get(k) or DEFAULTS[k])  # noqa: E731
        return cls(get("CSR_ANSWER_DAYS"), get("CSR_APPROVAL_DAYS"), get("CSR_NEED_REVIEW_DAYS"))


@dataclass
class TickResult:
    """What one :func:`tick` did (counts of matches or needs, and of notifications added)."""

    today: date
    due_dates_set: int = 0
    matches_expired: int = 0
    approval_reminders: int = 0
    escalated: int = 0
    need_reviews_requested: int = 0
    need_reviews_cleared: int = 0
    needs_expired: int = 0
    notifications: int = 0

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready (a job's result)."""
        out: dict[str, Any] = {f.name: getattr(self, f.name) for f in fields(self)}
        out["today"] = self.today.isoformat()
        return out

    @property
    def changed(self) -> int:
        return sum(getattr(self, f.name) for f in fields(self) if f.name not in ("today", "notifications"))

    def lines(self) -> list[str]:
        words = {
            "due_dates_set": "match due dates filled in",
            "matches_expired": "proposals expired (no answer in time)",
            "approval_reminders": "pledges past their approval date: approvers reminded",
            "escalated": "pledges escalated to the central officers",
            "need_reviews_requested": "stale needs: schools asked to confirm",
            "need_reviews_cleared": "review requests cleared (the need changed or got a match)",
            "needs_expired": "needs expired (not confirmed in time)",
            "notifications": "notifications added",
        }
        out = [f"Clock for {self.today.isoformat()} (Asia/Bangkok):"]
        out += [f"  {getattr(self, k):>6,}  {w}" for k, w in words.items()]
        if not self.changed and not self.notifications:
            out.append("  nothing to do.")
        return out


# -- dates --------------------------------------------------------------------------------------------
def bangkok_date(at: datetime) -> date:
    if at.tzinfo is None:
        at = at.replace(tzinfo=timezone.utc)
    return at.astimezone(BANGKOK).date()


def start_of(day: date) -> datetime:
    """Midnight of ``day`` in Bangkok, as a UTC instant (compare stored timestamps with it)."""
    return datetime.combine(day, time(0), tzinfo=BANGKOK).astimezone(timezone.utc)


def due_on_for(
    status: str, entered_on: date, needed_by: date | None = None, settings: Settings | None = None
) -> date | None:
    """The date by which the step waiting in ``status`` should be taken (None where no deadline applies)."""
    s = settings or Settings.from_config()
    if status == MatchStatus.PROPOSED:
        return entered_on + timedelta(days=s.answer_days)
    if status in WAITING_APPROVAL:
        return entered_on + timedelta(days=s.approval_days)
    if status == MatchStatus.APPROVED:
        return needed_by  # the company delivers by the date the school needs it, where it gave one
    return None


def entered_on(match: Match) -> date:
    """The day the match entered its current status (its history's last entry into it)."""
    for t in reversed(match.history):
        if t.to_status == match.status:
            return bangkok_date(t.at)
    return bangkok_date(match.updated_at or match.created_at)


def match_due_on(match: Match, settings: Settings | None = None) -> date | None:
    """The stored due date, or, for a row written before due dates were stored, one from its history."""
    if match.due_on is not None or match.status not in (MatchStatus.PROPOSED, *WAITING_APPROVAL):
        return match.due_on
    return due_on_for(match.status, entered_on(match), match.need.needed_by if match.need else None, settings)


def days_waited(match: Match, today: date | None = None) -> int:
    return max(0, ((today or today_bangkok()) - entered_on(match)).days)


def queue_order(rows: list[Match]) -> list[Match]:
    """An approver's queue: escalated ones first, then by due date (soonest, overdue first), then oldest."""
    far = date.max
    return sorted(rows, key=lambda m: (m.escalated_at is None, match_due_on(m) or far, m.id))


# -- who is told --------------------------------------------------------------------------------------
def _active(q):
    return q.where(User.status == UserStatus.ACTIVE)


def users_for(session: Session, match: Match, actors: set[Actor]) -> set[int]:
    """The active users standing as ``actors`` towards ``match``."""
    ids: set[int] = set()
    for actor in actors:
        if actor == Actor.DIRECTOR:
            q = sa.select(User.id).where(
                User.role == Role.DISTRICT_DIRECTOR, User.district_id == match.district_id
            )
        elif actor == Actor.CENTRAL:
            q = sa.select(User.id).where(User.role == Role.CENTRAL_OFFICER)
        elif actor == Actor.SCHOOL:
            q = sa.select(User.id).where(
                User.role == Role.SCHOOL_STAFF, User.school_id == match.need.school_id
            )
        elif actor == Actor.COMPANY:
            q = sa.select(User.id).where(
                User.role == Role.COMPANY_REP, User.company_id == match.offer.company_id
            )
        else:
            continue
        ids.update(session.scalars(_active(q)))
    return ids


def _label(match: Match) -> tuple[str, str]:
    title = " ".join(match.need.title.split())[:80]  # one line: it may become an e-mail subject
    return f"#{match.id} «{title}»", f"#{match.id} “{title}”"


# -- the tick ---------------------------------------------------------------------------------------
def tick(session: Session, today: date | None = None, settings: Settings | None = None) -> TickResult:
    """Do everything the clock owes ``today`` (default: today in Bangkok); the caller commits (the CLI
    does, once; so does a job runner)."""
    today = today or today_bangkok()
    s = settings or Settings.from_config()
    result = TickResult(today=today)
    now = datetime.now(timezone.utc)
    _fill_due_dates(session, s, result)
    _expire_proposals(session, today, now, result)
    _remind_and_escalate(session, today, now, s, result)
    _review_needs(session, today, now, s, result)
    session.flush()
    return result


def _load(session: Session, q) -> list[Match]:
    opts = (joinedload(Match.need).joinedload(Need.school), joinedload(Match.offer))
    return list(session.scalars(q.options(*opts).order_by(Match.id)).unique())


def _fill_due_dates(session: Session, s: Settings, result: TickResult) -> None:
    """Rows written before due dates were stored (or by a bulk loader) get theirs from their history."""
    waiting = (MatchStatus.PROPOSED, *WAITING_APPROVAL)
    for m in _load(session, sa.select(Match).where(Match.status.in_(waiting), Match.due_on.is_(None))):
        due = due_on_for(m.status, entered_on(m), m.need.needed_by, s)
        session.execute(
            sa.update(Match)
            .where(Match.id == m.id, Match.due_on.is_(None), Match.status == m.status)
            .values(due_on=due, updated_at=Match.updated_at)
            .execution_options(synchronize_session=False)
        )
        m.due_on = due
        result.due_dates_set += 1


def _expire_proposals(session: Session, today: date, now: datetime, result: TickResult) -> None:
    rows = _load(session, sa.select(Match).where(Match.status == MatchStatus.PROPOSED, Match.due_on < today))
    for m in rows:
        decision = clock_decide("expire", m.status)
        res = session.execute(
            sa.update(Match)
            .where(Match.id == m.id, Match.status == MatchStatus.PROPOSED, Match.version == m.version)
            .values(status=decision.to_status, version=m.version + 1, due_on=None, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        if res.rowcount != 1:  # a party answered, or another tick got there first
            continue
        session.add(
            MatchTransition(
                match_id=m.id,
                action="expire",
                from_status=MatchStatus.PROPOSED,
                to_status=decision.to_status,
                actor_id=None,
                at=now,
                note="",
            )
        )
        audit.record(
            session,
            "match.expire",
            actor_id=None,
            object_type="match",
            object_id=m.id,
            from_status="proposed",
            to_status=decision.to_status,
        )
        th, en = _label(m)
        result.notifications += len(
            notify.notify_users(
                session,
                users_for(session, m, {Actor.SCHOOL, Actor.COMPANY}),
                notify.Kind.MATCH_CHANGED,
                message_th=f"ข้อเสนอ {th} หมดอายุ: ไม่มีการตอบรับภายในกำหนด — สถานะ: หมดอายุ",
                message_en=f"The proposal {en} expired: nobody answered in time — status: Expired",
                match_id=m.id,
                need_id=m.need_id,
                offer_id=m.offer_id,
                dedupe_key=f"expire:match:{m.id}",
            )
        )
        result.matches_expired += 1


def _remind_and_escalate(
    session: Session, today: date, now: datetime, s: Settings, result: TickResult
) -> None:
    rows = _load(
        session, sa.select(Match).where(Match.status.in_(tuple(WAITING_APPROVAL)), Match.due_on < today)
    )
    for m in rows:
        th, en = _label(m)
        due = m.due_on
        assert due is not None
        approvers = users_for(session, m, approvers_turn(m.status, m.proposed_by))  # escalation tells central
        sent = notify.notify_users(
            session,
            approvers,
            notify.Kind.REMINDER,
            message_th=f"{th} รอการอนุมัติจากท่านเกินกำหนด (ครบกำหนด {due.isoformat()})",
            message_en=f"{en} waits for your approval past its due date ({due.isoformat()})",
            match_id=m.id,
            need_id=m.need_id,
            offer_id=m.offer_id,
            dedupe_key=f"reminder:match:{m.id}:{m.status}",
        )
        if sent:
            result.approval_reminders += 1
            result.notifications += len(sent)
        if today <= due + timedelta(days=s.approval_days):
            continue
        newly = False
        if m.escalated_at is None:
            res = session.execute(
                sa.update(Match)
                .where(Match.id == m.id, Match.escalated_at.is_(None))
                .values(escalated_at=now, updated_at=Match.updated_at)
                .execution_options(synchronize_session=False)
            )
            newly = res.rowcount == 1
            if newly:
                audit.record(session, "match.escalate", actor_id=None, object_type="match", object_id=m.id)
        sent = notify.notify_users(
            session,
            users_for(session, m, {Actor.CENTRAL}),
            notify.Kind.ESCALATED,
            message_th=(
                f"{th} รอการอนุมัติเกินสองเท่าของกำหนด (ครบกำหนด {due.isoformat()}): เจ้าหน้าที่ส่วนกลางพิจารณาแทนได้"
            ),
            message_en=(
                f"{en} has waited for approval more than twice its deadline (due {due.isoformat()}): "
                "a central officer may decide it"
            ),
            match_id=m.id,
            need_id=m.need_id,
            offer_id=m.offer_id,
            dedupe_key=f"escalated:match:{m.id}:{m.status}",
        )
        result.notifications += len(sent)
        if newly or sent:
            result.escalated += 1


def _last_activity_after(cutoff: datetime):
    """Needs changed, confirmed or given a new match at or after ``cutoff``."""
    new_match = sa.exists().where(Match.need_id == Need.id, Match.created_at >= cutoff)
    return sa.or_(
        Need.updated_at >= cutoff,
        Need.created_at >= cutoff,
        sa.and_(Need.reviewed_at.is_not(None), Need.reviewed_at >= cutoff),
        new_match,
    )


def _review_needs(session: Session, today: date, now: datetime, s: Settings, result: TickResult) -> None:
    live = sa.and_(Need.cancelled.is_(False), Need.expired.is_(False))
    # a need asked to confirm that changed or got a match since is confirmed by that: the count restarts
    # (one query per day a request was made: at most NEED_EXPIRY_DAYS of them are still open)
    days = session.scalars(
        sa.select(Need.review_requested_on).where(live, Need.review_requested_on.is_not(None)).distinct()
    ).all()
    for requested in days:
        res = session.execute(
            sa.update(Need)
            .where(live, Need.review_requested_on == requested, _last_activity_after(start_of(requested)))
            .values(review_requested_on=None, updated_at=Need.updated_at)
            .execution_options(synchronize_session=False)
        )
        result.need_reviews_cleared += res.rowcount or 0
    # stale open needs: ask their school once per review (in batches: a national run asks thousands)
    cutoff = start_of(today - timedelta(days=s.review_days - 1))
    stale = list(
        session.execute(
            sa.select(Need.id, Need.school_id, Need.title)
            .where(
                live,
                Need.review_requested_on.is_(None),
                Need.committed_quantity < Need.quantity,
                sa.not_(_last_activity_after(cutoff)),
            )
            .order_by(Need.id)
        )
    )
    expires = today + timedelta(days=NEED_EXPIRY_DAYS)
    for chunk in _chunks(stale, BATCH):
        ids = [row.id for row in chunk]
        res = session.execute(
            sa.update(Need)
            .where(Need.id.in_(ids), Need.review_requested_on.is_(None))
            .values(review_requested_on=today, updated_at=Need.updated_at)
            .execution_options(synchronize_session=False)
        )
        result.need_reviews_requested += res.rowcount or 0
        staff: dict[int, list[int]] = {}
        for uid, school_id in session.execute(
            _active(
                sa.select(User.id, User.school_id).where(
                    User.role == Role.SCHOOL_STAFF, User.school_id.in_({row.school_id for row in chunk})
                )
            )
        ):
            staff.setdefault(school_id, []).append(uid)
        for row in chunk:
            if not staff.get(row.school_id):
                continue
            title = " ".join(row.title.split())[:80]
            result.notifications += len(
                notify.notify_users(
                    session,
                    staff[row.school_id],
                    notify.Kind.REMINDER,
                    message_th=(
                        f"ความต้องการ «{title}» ไม่มีความเคลื่อนไหว {s.review_days} วัน: "
                        f"โปรดยืนยันว่ายังต้องการอยู่ภายใน {expires.isoformat()} มิฉะนั้นจะหมดอายุ"
                    ),
                    message_en=(
                        f"The need “{title}” has not changed in {s.review_days} days: please confirm it is "
                        f"still wanted by {expires.isoformat()}, or it expires"
                    ),
                    need_id=row.id,
                    dedupe_key=f"review:need:{row.id}:{today.isoformat()}",
                )
            )
    # thirty days after the request, unconfirmed and with no match holding quantity: expired
    last_request_day = today - timedelta(days=NEED_EXPIRY_DAYS)
    holding = sa.exists().where(Match.need_id == Need.id, Match.status.in_(tuple(HOLDING)))
    due = sa.and_(live, Need.review_requested_on.is_not(None), Need.review_requested_on <= last_request_day)
    candidates = list(session.scalars(sa.select(Need.id).where(due, sa.not_(holding)).order_by(Need.id)))
    for ids in _chunks(candidates, BATCH):
        done = list(
            session.scalars(
                sa.update(Need)
                .where(Need.id.in_(ids), due, sa.not_(holding))
                .values(expired=True, expired_at=now, updated_at=Need.updated_at)
                .returning(Need.id)
                .execution_options(synchronize_session=False)
            )
        )
        for need_id in done:
            audit.record(session, "need.expire", actor_id=None, object_type="need", object_id=need_id)
        result.needs_expired += len(done)


#: rows changed per statement in the clock's bulk steps
BATCH = 1000


def _chunks(rows: list, size: int):
    for i in range(0, len(rows), size):
        yield rows[i : i + size]


def confirm_need(session: Session, actor: User, need: Need, ip: str = "") -> Need:
    """Its school says the need still stands: the review count restarts, an expired need reopens."""
    from flask_babel import lazy_gettext as _l

    from csr_hub.services.errors import AccountPending, Conflict, Forbidden

    if actor.role != Role.SCHOOL_STAFF or actor.school_id != need.school_id:
        raise Forbidden()
    if actor.status != UserStatus.ACTIVE:
        raise AccountPending()
    if need.cancelled:
        raise Conflict(_l("This need is cancelled."))
    audit.record(session, "need.confirm", actor_id=actor.id, object_type="need", object_id=need.id, ip=ip)
    now = datetime.now(timezone.utc)
    need.reviewed_at = now
    need.review_requested_on = None
    need.expired = False
    need.expired_at = None
    session.flush()
    return need


def pending_reminders(session: Session, user_id: int) -> int:
    """Unread reminders and escalations of one user (for a badge)."""
    return (
        session.scalar(
            sa.select(sa.func.count(Notification.id)).where(
                Notification.user_id == user_id,
                Notification.read_at.is_(None),
                Notification.kind.in_((notify.Kind.REMINDER, notify.Kind.ESCALATED)),
            )
        )
        or 0
    )
