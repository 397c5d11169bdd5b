"""The page routes a need and an offer share, written once: post a new one once, edit, confirm a destructive
button, and the parts of the show page every signed-in user gets (proposals, matches, the forms)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from csr_hub.domain.policy import Role, has_role
from csr_hub.extensions import db
from csr_hub.services import matches as match_service
from csr_hub.services import posts
from csr_hub.web.auth.forms import ConfirmForm
from csr_hub.web.forms import commit_or_show_errors, pop_form
from csr_hub.web.matches.routes import PROPOSE_KEY
from csr_hub.web.needs.forms import ProposeForm
from csr_hub.web.once import AlreadyClaimed, already_posted, claim, new_token, remember

Getter = Callable[[Any, int], Any]


@dataclass(frozen=True)
class PostKind:
    """What the shared routes need to know of one kind of post (need or offer)."""

    name: str  # "need" or "offer": its pages are ``{name}s.show_{name}`` … with the argument ``{name}_id``
    get: Getter  # the post by id, 404 when it is not there
    may_edit: Callable[[Any, Any], bool]  # (user, post) -> whether the user may edit it
    already_posted: str  # the message when the same "post a new one" form is sent again

    @property
    def id_arg(self) -> str:
        """The page's URL argument, and the propose form's field naming this post."""
        return f"{self.name}_id"

    @property
    def new_route(self) -> str:
        """The one-time token's route for the "post a new one" form."""
        return f"page:{self.name}s.new_{self.name}"

    @property
    def show_endpoint(self) -> str:
        return f"{self.name}s.show_{self.name}"

    def show_url(self, post_id: int) -> str:
        return url_for(self.show_endpoint, **{self.id_arg: post_id})

    def owned(self, post_id: int):
        """The post (404 when it is not there), or 403 unless the current user may edit it."""
        post = self.get(db.session, post_id)
        if not self.may_edit(current_user, post):
            abort(403)
        return post

    # --- posting a new one once: the form's one-time token (web/once.py) ----------------------------------
    def sent_before(self, form: FlaskForm):
        """The redirect to what this very form already posted (back button, reload, double click), or None;
        asked first, before any other check of the form."""
        return self._already_sent(form.form_token.data or "")

    def post_once(self, form: FlaskForm, create: Callable[[], Any], done: str, clean_up=lambda: None):
        """Create the post for a valid form, claiming its one-time token in the same transaction. Returns
        (redirect, 303) or, when the service refused, (None, its status) with the errors beside the fields;
        ``clean_up`` undoes what ``create`` wrote outside the database."""
        token = form.form_token.data or ""

        def create_and_remember():
            record = claim(db.session, current_user, token, self.new_route)
            post = create()
            remember(record, post.id)
            return post

        try:
            post, status = commit_or_show_errors(form, create_and_remember, done)
        except AlreadyClaimed:  # a concurrent copy claimed the token first: go where it went
            clean_up()
            db.session.rollback()
            return self._already_sent(token, lost_race=True), 303
        if post is None:
            clean_up()
            return None, status
        return redirect(self.show_url(post.id)), 303

    def _already_sent(self, token: str, lost_race: bool = False):
        done = already_posted(db.session, current_user, token, self.new_route)
        if done is None and not lost_race:
            return None
        flash(str(self.already_posted), "info")
        return redirect(self.show_url(done) if done else url_for("dashboard.index"), 303)

    # --- editing and destructive buttons ---------------------------------------------------------------------
    def edit_page(
        self,
        post_id: int,
        make_form: Callable[[Any], FlaskForm],
        save: Callable[[Any, FlaskForm], Any],
        render: Callable[[FlaskForm, Any], str],
    ):
        """GET shows the filled form; a valid POST saves and goes back to the post's page; a refusal shows
        the form again with each error beside its field (400 for a form error, the service's status)."""
        post = self.owned(post_id)
        form = make_form(post)
        status = 200
        if form.validate_on_submit():
            saved, status = commit_or_show_errors(form, lambda: save(post, form), _("Saved."))
            if saved is not None:
                return redirect(self.show_url(post.id))
            post = self.get(db.session, post.id)  # the rolled-back object, fresh from the database
        elif request.method == "POST":
            status = 400
        return render(form, post), status

    def confirm_and_act(self, post_id: int, act: Callable[[Any], Any], done: str):
        """A destructive button (cancel, withdraw): act when the form's token is good, then back to the page."""
        post = self.owned(post_id)
        form = ConfirmForm()
        if form.validate_on_submit():
            commit_or_show_errors(form, lambda: act(post), done)
        return redirect(self.show_url(post_id))

    # --- the show page ---------------------------------------------------------------------------------------
    def page_parts(self, post) -> dict:
        """What the show page holds for the signed-in user (a visitor gets no forms, hence no CSRF cookie):
        whether they may edit it, the matches they may see, their posts to propose from, their failed
        proposal, the forms, and whether quantity is held."""
        user = current_user if current_user.is_authenticated else None
        if user is None:
            return {
                "can_edit": False,
                "matches": [],
                "propose_errors": {},
                "propose_values": {},
                "held": False,
            }
        can_edit = bool(self.may_edit(user, post))
        errors, values = pop_form(PROPOSE_KEY)
        if values.get(self.id_arg) != str(post.id):
            errors, values = {}, {}
        return {
            "can_edit": can_edit,
            "matches": match_service.list_matches(db.session, user, {self.id_arg: post.id}, 1, 100).items,
            "propose_errors": errors,
            "propose_values": values,
            "propose_form": ProposeForm(),
            "confirm_form": ConfirmForm(),
            "held": posts.holds_quantity(db.session, post) if can_edit else False,
            **self._mine(user),
        }

    def _mine(self, user) -> dict:
        """The user's open posts of the other kind, to propose from this page: a company's offers on a need's
        page, a school's needs on an offer's page."""
        if user.status != "active":
            return {}
        if self.name == "need" and has_role(user, Role.COMPANY_REP):
            return {"my_offers": posts.list_offers(db.session, {"company_id": user.company_id}, 1, 100).items}
        if self.name == "offer" and has_role(user, Role.SCHOOL_STAFF):
            return {"my_needs": posts.list_needs(db.session, {"school_id": user.school_id}, 1, 100).items}
        return {}


def start_once(form: FlaskForm) -> None:
    """A fresh form gets a new one-time token; a submitted one keeps the token it was sent with."""
    if request.method == "GET":
        form.form_token.data = new_token()
