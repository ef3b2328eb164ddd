"""Illustrations uploaded in the editor: stored as MediaFile rows after content.media has
sniffed, limited and re-encoded them. The same picture uploaded twice is stored once."""
from __future__ import annotations

import hashlib
import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from ratecard.content.media import NAME, MediaError, ProcessedImage, process_image
from ratecard.db import utcnow
from ratecard.models import MediaFile, User

EXTENSIONS = {"image/png": ".png", "image/jpeg": ".jpg", "image/webp": ".webp",
              "image/gif": ".gif"}


def media_name(filename: str) -> str:
    """A URL-safe media name from an uploaded file's name ("My Chart (1).PNG" ->
    "my-chart-1.png"); the extension is kept for process_image to compare with the bytes."""
    base = filename.replace("\\", "/").rsplit("/", 1)[-1].strip().lower()
    stem, dot, ext = base.rpartition(".")
    if not dot:
        stem, ext = base, ""
    stem = re.sub(r"[^a-z0-9._-]+", "-", stem).strip("-._")[:100] or "illustration"
    ext = re.sub(r"[^a-z0-9]", "", ext)[:5]
    return f"{stem}.{ext}" if ext else stem


def _free_name(session: Session, name: str) -> str:
    stem, _, ext = name.rpartition(".")
    candidate, n = name, 1
    while session.scalar(select(MediaFile.id).where(MediaFile.name == candidate)) is not None:
        n += 1
        candidate = f"{stem}-{n}.{ext}"
    return candidate


def store_upload(session: Session, data: bytes, filename: str, *,
                 user: User) -> tuple[MediaFile, bool]:
    """(the stored file, whether it is new). Raises MediaError with a message for the editor."""
    name = media_name(filename)
    image: ProcessedImage = process_image(data, name)
    if not NAME.match(name):                      # process_image checked it; belt and braces
        raise MediaError(f"{name!r} cannot name an illustration")
    digest = hashlib.sha256(image.data).hexdigest()
    same = session.scalar(select(MediaFile).where(MediaFile.sha256 == digest))
    if same is not None:
        return same, False
    row = MediaFile(name=_free_name(session, name), content_type=image.content_type,
                    width=image.width, height=image.height, data=image.data, sha256=digest,
                    uploaded_by=user.id, created_at=utcnow())
    session.add(row)
    session.flush()
    return row, True
