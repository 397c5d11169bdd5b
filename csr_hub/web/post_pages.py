"""The edit and confirm-and-act routes a need and an offer share, written once for both."""

from __future__ import annotations

from typing import Any, Callable

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from csr_hub.extensions import db
from csr_hub.web.auth.forms import ConfirmForm
from csr_hub.web.forms import commit_or_show_errors
from csr_hub.web.once import already_posted, new_token

Getter = Callable[[Any, int], Any]


def owned(get: Getter, may_edit: Callable[[Any, Any], bool], post_id: int):
    """The post (404 when it is not there), or 403 unless the current user may edit it."""
    post = get(db.session, post_id)
    if not may_edit(current_user, post):
        abort(403)
    return post


def edit_page(
    post,
    get: Getter,
    form: FlaskForm,
    save: Callable[[Any, FlaskForm], Any],
    back: Callable[[Any], str],
    render: Callable[[FlaskForm, Any], str],
):
    """GET shows the filled form; a valid POST saves and goes back to the post's page; a refusal shows the
    form again with each error beside its field (400 for a form error, the service's status otherwise)."""
    status = 200
    if form.validate_on_submit():
        saved, status = commit_or_show_errors(form, lambda: save(post, form), _("Saved."))
        if saved is not None:
            return redirect(back(post))
        post = get(db.session, post.id)  # the rolled-back object, fresh from the database
    elif request.method == "POST":
        status = 400
    return render(form, post), status


def confirm_and_act(post, act: Callable[[Any], Any], done: str, back: str):
    """A destructive button (cancel, withdraw): act when the form's token is good, then back to the page."""
    form = ConfirmForm()
    if form.validate_on_submit():
        commit_or_show_errors(form, lambda: act(post), done)
    return redirect(back)


# --- posting a new need or offer once: the form's one-time token (web/once.py) -------------------------------
def start_once(form: FlaskForm) -> None:
    """A fresh form gets a new one-time token; a submitted one keeps the token it was sent with."""
    if request.method == "GET":
        form.form_token.data = new_token()


def already_sent(route: str, token: str, message: str, show: Callable[[int], str], lost_race: bool = False):
    """The redirect to what this very form already posted (back button, reload, double click), or None.
    ``lost_race``: a concurrent copy claimed the token first; roll back and go where it went."""
    if lost_race:
        db.session.rollback()
    done = already_posted(db.session, current_user, token, route)
    if done is None and not lost_race:
        return None
    flash(str(message), "info")
    return redirect(show(done) if done else url_for("dashboard.index"), 303)
