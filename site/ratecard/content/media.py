"""Illustrations: the type is sniffed from the bytes, sizes are limited, and every image is
decoded and re-encoded before it is stored (no metadata, no polyglot payload survives).

Shared by the content import (content/media/<name>) and the editor's upload.
"""
from __future__ import annotations

import io
import re
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps

MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000
MAX_FRAMES = 300
# Pillow format -> (Content-Type, allowed file extensions)
FORMATS = {
    "PNG": ("image/png", (".png",)),
    "JPEG": ("image/jpeg", (".jpg", ".jpeg")),
    "WEBP": ("image/webp", (".webp",)),
    "GIF": ("image/gif", (".gif",)),
}
NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,150}\.(png|jpe?g|webp|gif)$")


class MediaError(ValueError):
    """The file cannot be an illustration; the message says why, in words for the editor."""


@dataclass(frozen=True)
class ProcessedImage:
    content_type: str
    width: int
    height: int
    data: bytes


def check_name(name: str) -> None:
    if not NAME.match(name):
        raise MediaError(f"{name!r}: media names are lower case letters, digits, '.', '-' "
                         "and '_', ending in .png, .jpg, .jpeg, .webp or .gif")


def process_image(data: bytes, name: str) -> ProcessedImage:
    """Validate and re-encode an uploaded or imported image; raises MediaError."""
    check_name(name)
    if len(data) > MAX_BYTES:
        raise MediaError(f"{name}: {len(data) / 1048576:.1f} MB is over the "
                         f"{MAX_BYTES // 1048576} MB limit")
    if not data:
        raise MediaError(f"{name}: the file is empty")
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=list(FORMATS))
        except (Image.DecompressionBombWarning, Image.DecompressionBombError):
            raise MediaError(f"{name}: the image has more than "
                             f"{MAX_PIXELS // 1_000_000} million pixels") from None
        except (OSError, SyntaxError, ValueError):
            raise MediaError(f"{name}: not a PNG, JPEG, WebP or GIF image") from None
    with image:
        fmt = image.format or ""
        content_type, extensions = FORMATS[fmt]
        if not name.endswith(extensions):
            raise MediaError(f"{name}: the file is a {fmt} image; name it "
                             f"{name.rsplit('.', 1)[0]}{extensions[0]}")
        width, height = image.size
        if width < 1 or height < 1 or width * height > MAX_PIXELS:
            raise MediaError(f"{name}: {width}x{height} is more than "
                             f"{MAX_PIXELS // 1_000_000} million pixels")
        frames = getattr(image, "n_frames", 1)
        if frames > MAX_FRAMES:
            raise MediaError(f"{name}: {frames} frames is over the limit of {MAX_FRAMES}")
        try:
            out = _encode(image, fmt, frames)
        except (OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombError):
            raise MediaError(f"{name}: the image data is damaged or truncated") from None
    with Image.open(io.BytesIO(out)) as check:
        width, height = check.size
    return ProcessedImage(content_type, width, height, out)


def _encode(image: Image.Image, fmt: str, frames: int) -> bytes:
    buffer = io.BytesIO()
    if frames > 1:
        # Animated GIF/WebP: every frame decoded and written again, timing kept.
        image.load()
        extra = {"duration": image.info.get("duration", 100), "loop": image.info.get("loop", 0)}
        if fmt == "WEBP":
            image.save(buffer, "WEBP", save_all=True, quality=90, **extra)
        else:
            image.save(buffer, "GIF", save_all=True, optimize=False, **extra)
        return buffer.getvalue()
    image.load()
    if fmt == "JPEG":
        upright = ImageOps.exif_transpose(image)     # applies the rotation, drops EXIF
        if upright.mode not in ("RGB", "L"):
            upright = upright.convert("RGB")
        upright.save(buffer, "JPEG", quality=88, optimize=True, progressive=True,
                     icc_profile=image.info.get("icc_profile"))
    elif fmt == "PNG":
        image.save(buffer, "PNG", compress_level=9, icc_profile=image.info.get("icc_profile"))
    elif fmt == "WEBP":
        image.save(buffer, "WEBP", quality=90, method=4)
    else:
        image.save(buffer, "GIF")
    return buffer.getvalue()
