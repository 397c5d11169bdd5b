"""Files attached to a match: the school's photo of what it received, the company's delivery note.

The type is decided from the file's first bytes (JPEG, PNG, PDF), never from its name or the client's
Content-Type; the size is capped; the file is stored outside ``static/`` under a random name and is only
ever served to someone who may see the match (others get 404, as for the match itself). Images are
decoded and written again from their pixels alone, so EXIF (GPS position, camera serial), XMP, IPTC, text
chunks and ICC profiles never reach the store; an image that cannot be decoded is refused.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import secrets
import unicodedata
from pathlib import Path
from typing import Callable, BinaryIO

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from csr_hub.domain.workflow import Actor
from csr_hub.models import Match, Upload, User
from csr_hub.services import audit
from csr_hub.services.errors import AccountPending, Conflict, Forbidden, NotFound, ValidationFailed, invalid
from csr_hub.services.matches import actor_for, get_match, status_label
from csr_hub.services.validation import text_problem

MAX_BYTES = 5 * 1024 * 1024
MAX_PER_MATCH = 20
#: larger images are refused before decoding (a "decompression bomb" is a small file of huge pixels)
MAX_PIXELS = 40_000_000
#: Pillow's format name for each image type
PIL_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG"}
#: content type → file extension of the stored copy
EXTENSIONS = {"image/jpeg": ".jpg", "image/png": ".png", "application/pdf": ".pdf"}
#: which side adds which kind, which types it may be, and in which match statuses
KINDS: dict[str, tuple[Actor, tuple[str, ...], tuple[str, ...]]] = {
    "photo": (Actor.SCHOOL, ("image/jpeg", "image/png"), ("delivered", "completed")),
    "delivery_note": (
        Actor.COMPANY,
        ("image/jpeg", "image/png", "application/pdf"),
        ("approved", "delivered", "completed"),
    ),
}


def sniff(head: bytes) -> str | None:
    """The content type the file's first bytes prove, or None."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    return None


def clean_name(name: object) -> str:
    """The client's file name for display: no path, no control characters, at most 200 characters."""
    if not isinstance(name, str):
        return ""
    name = unicodedata.normalize("NFC", name).replace("\\", "/").rsplit("/", 1)[-1]
    name = re.sub(r"[\x00-\x1f\x7f]", "", name).strip()
    return name[-200:]


def name_problem(name: object) -> object | None:
    """Why the client's file name is refused: control characters, bidi overrides (``photo\u202egpj.exe``
    shows as ``photoexe.jpg``) or text that is not valid Unicode."""
    if not isinstance(name, str):
        return None
    return text_problem(name, multiline=False)


def strip_metadata(data: bytes, content_type: str) -> bytes:
    """The image written again from its pixels only (no EXIF, XMP, IPTC, text chunks, ICC profile).
    ValueError when it cannot be decoded as the type its first bytes claim, or is too large."""
    from PIL import Image, UnidentifiedImageError

    fmt = PIL_FORMATS[content_type]
    try:
        with Image.open(io.BytesIO(data), formats=[fmt]) as img:
            if img.width * img.height > MAX_PIXELS:
                raise ValueError("too many pixels")
            img.load()
            if fmt == "JPEG" and img.mode not in ("RGB", "L", "CMYK"):
                img = img.convert("RGB")
            elif fmt == "PNG" and img.mode not in ("RGB", "RGBA", "L", "LA", "I", "I;16"):
                img = img.convert("RGBA")
            clean = Image.frombytes(img.mode, img.size, img.tobytes())
    except (OSError, UnidentifiedImageError, Image.DecompressionBombError, SyntaxError) as exc:
        raise ValueError(str(exc)) from None
    out = io.BytesIO()
    clean.save(out, fmt, **({"quality": 90} if fmt == "JPEG" else {"optimize": True}))
    return out.getvalue()


def kinds_allowed(user: User, match: Match) -> list[str]:
    """The kinds of file this user may add to this match now."""
    if user.status != "active":
        return []
    actor = actor_for(user, match.need, match.offer)
    return [k for k, (side, _types, statuses) in KINDS.items() if side == actor and match.status in statuses]


def list_for(session: Session, user: User, match_id: int) -> list[Upload]:
    get_match(session, user, match_id)  # 404 unless the user may see the match
    return list(session.scalars(sa.select(Upload).where(Upload.match_id == match_id).order_by(Upload.id)))


def save(
    session: Session,
    user: User,
    match_id: int,
    kind: object,
    filename: object,
    stream: BinaryIO | None,
    folder: str,
    ip: str = "",
) -> Upload:
    """Check and store one file; the caller commits (and calls :func:`discard` if the commit fails)."""
    match = get_match(session, user, match_id)
    actor = actor_for(user, match.need, match.offer)
    if actor not in (Actor.SCHOOL, Actor.COMPANY):
        raise Forbidden()
    if user.status != "active":
        raise AccountPending()
    errors: dict[str, list[object]] = {}
    if not isinstance(kind, str) or kind not in KINDS:
        errors["kind"] = [_l("Choose a photo of what arrived or a delivery note.")]
    if stream is None:
        errors["file"] = [_l("Choose a file.")]
    elif (problem := name_problem(filename)) is not None:
        errors["file"] = [problem]
    if errors:
        raise ValidationFailed(fields=errors)
    side, types, statuses = KINDS[kind]
    if side != actor:
        raise Forbidden(_l("The school adds photos; the company adds delivery notes."))
    if match.status not in statuses:
        raise Conflict(
            _l(
                "Files of this kind can be added once the match is %(statuses)s.",
                statuses=", ".join(status_label(s) for s in statuses),
            )
        )
    count = session.scalar(sa.select(sa.func.count(Upload.id)).where(Upload.match_id == match.id)) or 0
    if count >= MAX_PER_MATCH:
        raise Conflict(_l("This match already has %(n)s files.", n=MAX_PER_MATCH))
    data = stream.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise invalid("file", _l("The file is too large (at most 5 MB)."))
    if not data:
        raise invalid("file", _l("The file is empty."))
    content_type = sniff(data[:16])
    if content_type is None or content_type not in types:
        allowed = "JPEG, PNG" + (", PDF" if "application/pdf" in types else "")
        raise invalid("file", _l("This file type is not accepted; send %(types)s.", types=allowed))
    if content_type in PIL_FORMATS:
        try:
            data = strip_metadata(data, content_type)
        except ValueError:
            raise invalid("file", _l("This image cannot be read; send a JPEG or PNG photo.")) from None
    stored = secrets.token_hex(16) + EXTENSIONS[content_type]
    directory = Path(folder)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / stored
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    upload = Upload(
        match_id=match.id,
        kind=kind,
        stored_name=stored,
        original_name=clean_name(filename),
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by_id=user.id,
    )
    add_or_clean_up(session, upload, lambda: discard(upload, folder))
    audit.record(
        session,
        "upload.create",
        actor_id=user.id,
        object_type="match",
        object_id=match.id,
        ip=ip,
        upload_id=upload.id,
        kind=kind,
        content_type=content_type,
        size=len(data),
    )
    return upload


def discard(upload: Upload, folder: str) -> None:
    """Remove a stored file whose row was not committed."""
    try:
        (Path(folder) / upload.stored_name).unlink()
    except OSError:
        pass


def open_for(session: Session, user: User, match_id: int, upload_id: int, folder: str) -> tuple[Upload, Path]:
    """The upload and its path, for someone who may see the match; 404 for everyone else."""
    get_match(session, user, match_id)
    upload = session.scalar(sa.select(Upload).where(Upload.id == upload_id, Upload.match_id == match_id))
    if upload is None:
        raise NotFound()
    path = Path(folder) / upload.stored_name
    if not re.fullmatch(r"[0-9a-f]{32}\.(jpg|png|pdf)", upload.stored_name) or not path.is_file():
        raise NotFound()
    return upload, path


def add_or_clean_up(session: Session, row: object, clean_up: Callable[[], None]) -> None:
    """Add and flush ``row``; when the flush fails, ``clean_up()`` first removes the files already written
    for it (nothing may stay on disk that no row refers to)."""
    session.add(row)
    try:
        session.flush()
    except Exception:
        clean_up()
        raise
