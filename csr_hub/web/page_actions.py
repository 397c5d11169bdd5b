"""A workflow action posted from a page (a match's, a partnership's): one way for every such form.

- Done: 303 to the object's page (post / redirect / get), with a "Done." message.
- Refused with 409 or 422 (the contract's codes, on the page POST too): the object's page again with that
  status, the errors next to their fields and a summary at the top (``_form`` for what belongs to no field),
  which app.js focuses and whose ``data-replace-url`` puts the page's own address in the history, so a
  reload shows the page rather than posting again. What the user typed comes back in its box.
- Sent again once it was done (a reload where the script did not run, back and submit, a double click):
  each action form carries a one-time token (``form_token``), claimed in the transaction that acts. A post
  whose token is already claimed acts on nothing and is answered with a 303 to the page, which says it
  was already done. A refused post leaves its token free: sent again, it is refused again, changing nothing.
  A post without a token (scripts, older pages) is checked by the workflow alone.
- 403, 404 and any other refusal go to the app's error pages.
"""

from __future__ import annotations

from typing import Callable

from flask import flash, redirect, request
from flask_babel import gettext as _
from flask_login import current_user

from csr_hub.extensions import db
from csr_hub.services.errors import ServiceError
from csr_hub.web.forms import ok
from csr_hub.web.once import AlreadyClaimed, already_posted, claim, new_token, remember

#: the hidden field of an action form that carries its one-time token
TOKEN_FIELD = "form_token"
#: the refusals that come back on the page itself; every other status is the error pages'
PAGE_REFUSALS = (409, 422)


def action_token() -> str:
    """A fresh one-time token for one action form (a Jinja global: ``{{ action_token() }}``)."""
    return new_token()


def form_state(errors: dict | None = None, values: dict | None = None) -> dict:
    """What an object's page needs to show a refused action: the errors by field, the action that failed
    (its card shows them) and the values typed, put back in their boxes."""
    return {"errors": errors or {}, "failed": (values or {}).get("action"), "values": values or {}}


def refusal_errors(exc: ServiceError) -> dict[str, list[str]]:
    """A refusal's errors by field; a conflict, or a refusal naming no field, is summed up under ``_form``."""
    errors = {k: [str(m) for m in v] for k, v in exc.fields.items()}
    if exc.status == 409 or not errors:
        errors = {"_form": [str(exc.message)], **errors}
    return errors


def run(
    route: str,
    object_id: int,
    act: Callable[[], object],
    show: Callable[[int, dict[str, list[str]], dict[str, str]], object],
    page_url: str,
    values: dict[str, str],
    after: Callable[[], object] | None = None,
):
    """Take the action ``act`` posted for ``object_id``; its form's token is claimed under
    ``<route>:<object_id>`` (``route`` is ``page:<endpoint>``).

    ``show(status, errors, values)`` renders the object's page after a refusal; ``after`` runs once the
    action is committed (notifications); ``page_url`` is where a done or repeated post is sent.
    """
    token = request.form.get(TOKEN_FIELD) or None
    route = f"{route}:{object_id}"  # a token counts for the object whose page showed it
    if already_posted(db.session, current_user, token, route) is not None:
        return _already_done(page_url)
    try:
        remember(claim(db.session, current_user, token, route), object_id)
        act()
        db.session.commit()
    except AlreadyClaimed:  # the same form, sent at the same moment, is being acted on
        db.session.rollback()
        return _already_done(page_url)
    except ServiceError as exc:
        db.session.rollback()
        if exc.status not in PAGE_REFUSALS:
            raise
        return show(exc.status, refusal_errors(exc), values)
    if after is not None:
        after()
    ok(_("Done."))
    return redirect(page_url, 303)


def _already_done(page_url: str):
    flash(_("This was already done; nothing was sent twice."), "info")
    return redirect(page_url, 303)
