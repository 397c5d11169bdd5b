"""A need's photo: checked, cleaned, resized and stored; served to everyone who may see the need.

The school that posted the need adds one photo (a new one replaces it). As for match uploads
(:mod:`csr_hub.services.uploads`), the type comes from the file's first bytes, the image is decoded and
written again from its pixels alone, so no EXIF (GPS position, camera serial) reaches the store or the
public, and an image that cannot be decoded is refused. The photo is turned upright first (phones record
the orientation in EXIF) and stored as two JPEGs: one for the need's page, one for cards.
"""

from __future__ import annotations

import hashlib
import io
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from csr_hub.models import Need, NeedPhoto, User
from csr_hub.services import audit
from csr_hub.services.errors import AccountPending, Forbidden, NotFound, invalid
from csr_hub.services.posts import can_edit_need
from csr_hub.services.uploads import MAX_BYTES, MAX_PIXELS, PIL_FORMATS, add_or_clean_up, name_problem, sniff

#: the longest side of the page-sized copy and of the card-sized one, in pixels
PAGE_SIDE = 1200
CARD_SIDE = 480
JPEG_QUALITY = 82
#: sub-folder of UPLOAD_FOLDER
SUBFOLDER = "needs"
FIELD = "photo"


@dataclass(frozen=True)
class Image:
    data: bytes
    width: int
    height: int


@dataclass(frozen=True)
class Prepared:
    """A photo checked and converted, not yet stored."""

    page: Image
    card: Image


def prepare(filename: object, stream: BinaryIO | None) -> Prepared:
    """Read, check and convert an uploaded photo; :class:`ValidationFailed` on ``photo`` otherwise."""
    if stream is None:
        raise invalid(FIELD, _l("Choose a photo."))
    if (problem := name_problem(filename)) is not None:
        raise invalid(FIELD, problem)
    data = stream.read(MAX_BYTES + 1)
    if not data:
        raise invalid(FIELD, _l("The file is empty."))
    if len(data) > MAX_BYTES:
        raise invalid(FIELD, _l("The file is too large (at most 5 MB)."))
    content_type = sniff(data[:16])
    if content_type not in PIL_FORMATS:
        raise invalid(FIELD, _l("This file type is not accepted; send a JPEG or PNG photo."))
    try:
        return _convert(data, PIL_FORMATS[content_type])
    except ValueError:
        raise invalid(FIELD, _l("This image cannot be read; send a JPEG or PNG photo.")) from None


def _convert(data: bytes, fmt: str) -> Prepared:
    from PIL import Image as PILImage
    from PIL import ImageOps, UnidentifiedImageError

    try:
        with PILImage.open(io.BytesIO(data), formats=[fmt]) as img:
            if img.width * img.height > MAX_PIXELS:
                raise ValueError("too many pixels")
            img.load()
            upright = ImageOps.exif_transpose(img)
            if upright.mode in ("RGBA", "LA", "P"):
                rgba = upright.convert("RGBA")
                flat = PILImage.new("RGB", rgba.size, (255, 255, 255))
                flat.paste(rgba, mask=rgba.getchannel("A"))
                upright = flat
            elif upright.mode != "RGB":
                upright = upright.convert("RGB")
            # from the pixels alone: nothing of the original file's metadata is carried over
            pixels = PILImage.frombytes("RGB", upright.size, upright.tobytes())
    except (OSError, UnidentifiedImageError, PILImage.DecompressionBombError, SyntaxError) as exc:
        raise ValueError(str(exc)) from None
    return Prepared(page=_jpeg(pixels, PAGE_SIDE), card=_jpeg(pixels, CARD_SIDE))


def _jpeg(pixels, side: int) -> Image:
    copy = pixels.copy()
    copy.thumbnail((side, side))
    out = io.BytesIO()
    copy.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    return Image(out.getvalue(), copy.width, copy.height)


def folder_of(upload_folder: str) -> Path:
    return Path(upload_folder) / SUBFOLDER


def _write(directory: Path, data: bytes) -> str:
    directory.mkdir(parents=True, exist_ok=True)
    name = secrets.token_hex(16) + ".jpg"
    fd = os.open(directory / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    return name


def _check_may_change(actor: User, need: Need) -> None:
    if actor.status != "active":
        raise AccountPending()
    if not can_edit_need(actor, need):
        raise Forbidden()


def attach(
    session: Session, actor: User, need: Need, photo: Prepared, upload_folder: str, ip: str = ""
) -> tuple[NeedPhoto, list[str]]:
    """Store ``photo`` as the need's photo (replacing any). Returns the row and the file names the caller
    removes with :func:`remove_files` once the transaction commits (the replaced photo's files)."""
    _check_may_change(actor, need)
    directory = folder_of(upload_folder)
    old = photo_of(session, need.id)
    stale = [old.stored_name, old.thumb_name] if old is not None else []
    if old is not None:
        session.delete(old)
        session.flush()
    names = [_write(directory, photo.page.data), _write(directory, photo.card.data)]
    row = NeedPhoto(
        need_id=need.id,
        stored_name=names[0],
        thumb_name=names[1],
        width=photo.page.width,
        height=photo.page.height,
        thumb_width=photo.card.width,
        thumb_height=photo.card.height,
        size=len(photo.page.data),
        sha256=hashlib.sha256(photo.page.data).hexdigest(),
        uploaded_by_id=actor.id,
    )
    add_or_clean_up(session, row, lambda: remove_files(upload_folder, names))
    details = {"size": row.size, "replaced": bool(stale)}
    audit.record(
        session, "need.photo", actor_id=actor.id, object_type="need", object_id=need.id, ip=ip, **details
    )
    return row, stale


def detach(session: Session, actor: User, need: Need, ip: str = "") -> list[str]:
    """Take the need's photo off; returns the file names to remove after the commit. 404 if it has none."""
    _check_may_change(actor, need)
    old = photo_of(session, need.id)
    if old is None:
        raise NotFound()
    names = [old.stored_name, old.thumb_name]
    session.delete(old)
    session.flush()
    audit.record(
        session, "need.photo_removed", actor_id=actor.id, object_type="need", object_id=need.id, ip=ip
    )
    return names


def remove_files(upload_folder: str, names: list[str]) -> None:
    directory = folder_of(upload_folder)
    for name in names:
        try:
            (directory / name).unlink()
        except OSError:
            pass


def photo_of(session: Session, need_id: int) -> NeedPhoto | None:
    return session.scalar(sa.select(NeedPhoto).where(NeedPhoto.need_id == need_id))


def for_needs(session: Session, need_ids: list[int]) -> dict[int, NeedPhoto]:
    """The photos of these needs, by need id, in one query (for lists of cards)."""
    if not need_ids:
        return {}
    rows = session.scalars(sa.select(NeedPhoto).where(NeedPhoto.need_id.in_(need_ids)))
    return {row.need_id: row for row in rows}


def file_for(session: Session, need_id: int, small: bool, upload_folder: str) -> tuple[NeedPhoto, Path]:
    """The photo row and the path of the copy asked for; 404 when the need has no photo."""
    row = photo_of(session, need_id)
    if row is None:
        raise NotFound()
    path = folder_of(upload_folder) / (row.thumb_name if small else row.stored_name)
    if not path.is_file():
        raise NotFound()
    return row, path
