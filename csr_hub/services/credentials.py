"""What a valid password and a valid e-mail address are (registration, create-user, password change)."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

from email_validator import EmailNotValidError
from email_validator import validate_email as _check_email
from flask_babel import lazy_gettext as _l

from csr_hub.services.validation import text_problem

MIN_PASSWORD = 10
MAX_PASSWORD = 200
#: zxcvbn's 0-4 scale; 2 is "somewhat guessable" (about 10^8 guesses), the least we accept
MIN_STRENGTH = 2


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    text = resources.files("csr_hub").joinpath("data/common_passwords.txt").read_text(encoding="utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines() if line.strip())


def _strength(password: str, hints: list[str]) -> int:
    from zxcvbn import zxcvbn

    # zxcvbn's matching is quadratic in the length; the first 100 characters decide the score anyway
    return int(zxcvbn(password[:100], user_inputs=[h for h in hints if h])["score"])


def password_problems(password: object, email: str = "", full_name: str = "") -> list[object]:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        return [_l("Use at least 10 characters.")]
    if len(password) > MAX_PASSWORD:
        return [_l("Use at most 200 characters.")]
    if text_problem(password, multiline=False) is not None:
        return [_l("The password contains characters that are not allowed.")]
    low = password.lower()
    if not low.strip() or len(set(low)) == 1:
        return [_l("Do not use one character repeated or only spaces.")]
    if email and (low == email.lower() or low == email.lower().split("@")[0]):
        return [_l("Do not use your e-mail address as your password.")]
    if low in common_passwords() or low.rstrip("0123456789!@#$.") in common_passwords():
        return [_l("This password is too common; choose another.")]
    if _strength(password, [email, email.split("@")[0] if email else "", full_name]) < MIN_STRENGTH:
        return [_l("This password is too easy to guess; add more words or characters.")]
    return []


def normalise_email(email: object) -> str:
    return email.strip().lower() if isinstance(email, str) else ""


def validate_email(email: str) -> list[object]:
    """A deliverable-looking address (email-validator, no DNS look-up), with no markup or control bytes."""
    if not email or len(email) > 254 or text_problem(email, multiline=False) is not None:
        return [_l("Enter a valid e-mail address.")]
    try:
        _check_email(email, check_deliverability=False, allow_smtputf8=False, test_environment=True)
    except EmailNotValidError:
        return [_l("Enter a valid e-mail address.")]
    if any(c in email for c in "<>()[]\\,;:\"' "):
        return [_l("Enter a valid e-mail address.")]
    return []
