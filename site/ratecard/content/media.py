"""Illustrations: the type is sniffed from the bytes, sizes are limited, and every image is
decoded and re-encoded before it is stored (no metadata, no polyglot payload survives).

Limits are checked from the headers, before any pixel is decoded: pixels per frame, and
for animations frames x width x height (every frame is decoded to the full canvas).
Metadata is dropped on re-encode: an ICC profile is applied first (the pixels converted to
sRGB, so colours stay right), then EXIF, XMP, ICC, comments and PNG text are all left out.

Shared by the content import (content/media/<name>) and the editor's upload.
"""
from __future__ import annotations

import io
import re
import struct
import warnings
from dataclasses import dataclass

from PIL import Image, ImageCms, ImageOps

MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000
MAX_FRAMES = 300
MAX_ANIMATION_PIXELS = 100_000_000      # all frames together (e.g. 100 frames of 1000x1000)
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
        try:
            frames = _frames(image)     # read from the frame headers: nothing decoded yet
        except (OSError, SyntaxError, ValueError, EOFError, struct.error):
            raise MediaError(f"{name}: the image data is damaged or truncated") from None
        if frames > MAX_FRAMES:
            raise MediaError(f"{name}: {frames} frames is over the limit of {MAX_FRAMES}")
        if frames * width * height > MAX_ANIMATION_PIXELS:
            raise MediaError(f"{name}: {frames} frames of {width}x{height} are "
                             f"{frames * width * height / 1e6:,.0f} million pixels in all; "
                             f"an animation may have at most "
                             f"{MAX_ANIMATION_PIXELS // 1_000_000} million")
        try:
            out = _encode(image, fmt, frames)
        except (OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombError):
            raise MediaError(f"{name}: the image data is damaged or truncated") from None
    with Image.open(io.BytesIO(out)) as check:
        width, height = check.size
    return ProcessedImage(content_type, width, height, out)


def _frames(image: Image.Image) -> int:
    """The frame count, from the frame headers only (Pillow's n_frames skips the pixel
    data; seek() would composite every frame onto the canvas)."""
    return int(getattr(image, "n_frames", 1))


def _to_srgb(image: Image.Image) -> Image.Image:
    """The pixels converted from the embedded ICC profile to sRGB (so dropping the profile
    keeps the colours); an unreadable profile is simply dropped."""
    icc = image.info.get("icc_profile")
    if not icc or image.mode not in ("RGB", "RGBA", "L", "CMYK"):
        return image
    mode = "RGBA" if image.mode == "RGBA" else "RGB"
    try:
        converted = ImageCms.profileToProfile(image, ImageCms.ImageCmsProfile(io.BytesIO(icc)),
                                              ImageCms.createProfile("sRGB"), outputMode=mode)
    except (ImageCms.PyCMSError, OSError, ValueError):
        return image
    assert converted is not None            # None only when converting in place
    return converted


def _bare(image: Image.Image) -> Image.Image:
    """The same pixels with no metadata: encoders fall back to `info` (comments, EXIF)."""
    image.info = {}
    return image


def _encode(image: Image.Image, fmt: str, frames: int) -> bytes:
    buffer = io.BytesIO()
    if frames > 1:
        # Animated GIF/WebP: every frame decoded and written again, timing kept, and the
        # per-frame metadata (comments, extensions) left out by explicit empty values.
        image.load()
        extra = {"duration": image.info.get("duration", 100), "loop": image.info.get("loop", 0)}
        if fmt == "WEBP":
            image.save(buffer, "WEBP", save_all=True, quality=90, exif=b"", xmp=b"",
                       icc_profile=b"", **extra)
        else:
            image.save(buffer, "GIF", save_all=True, optimize=False, comment=b"", **extra)
        return buffer.getvalue()
    image.load()
    if fmt == "JPEG":
        upright = ImageOps.exif_transpose(image)     # applies the rotation
        upright = _to_srgb(upright)
        if upright.mode not in ("RGB", "L"):
            upright = upright.convert("RGB")
        _bare(upright).save(buffer, "JPEG", quality=88, optimize=True, progressive=True)
    elif fmt == "PNG":
        _bare(_to_srgb(image)).save(buffer, "PNG", compress_level=9)
    elif fmt == "WEBP":
        _bare(_to_srgb(image)).save(buffer, "WEBP", quality=90, method=4)
    else:
        _bare(image).save(buffer, "GIF")
    return buffer.getvalue()
