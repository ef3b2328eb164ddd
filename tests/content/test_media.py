"""Illustrations: sniffed from bytes, limited, re-encoded (shared with the editor upload)."""
from __future__ import annotations

import io

import pytest
from PIL import Image

from ratecard.content.media import MAX_BYTES, MediaError, process_image
from tests.content.conftest import png


def encode(image: Image.Image, fmt: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


@pytest.mark.parametrize(("fmt", "name", "content_type"), [
    ("PNG", "a.png", "image/png"), ("JPEG", "a.jpg", "image/jpeg"),
    ("WEBP", "a.webp", "image/webp"), ("GIF", "a.gif", "image/gif"),
])
def test_each_allowed_type_is_reencoded(fmt, name, content_type):
    data = encode(Image.new("RGB", (30, 20), "red"), fmt)
    result = process_image(data, name)
    assert (result.content_type, result.width, result.height) == (content_type, 30, 20)
    with Image.open(io.BytesIO(result.data)) as again:
        assert again.format == fmt


def test_jpeg_metadata_is_dropped_and_orientation_applied():
    image = Image.new("RGB", (40, 20), "blue")
    exif = Image.Exif()
    exif[0x0112] = 6                       # rotate 90° when shown
    exif[0x010F] = "Secret Camera Co"
    data = encode(image, "JPEG", exif=exif.tobytes())
    result = process_image(data, "photo.jpg")
    assert (result.width, result.height) == (20, 40)
    assert b"Secret Camera Co" not in result.data


def test_animated_gif_keeps_its_frames():
    frames = [Image.new("RGB", (10, 10), c) for c in ("red", "green", "blue")]
    data = encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=50)
    result = process_image(data, "anim.gif")
    with Image.open(io.BytesIO(result.data)) as again:
        assert again.n_frames == 3


@pytest.mark.parametrize(("data", "name", "message"), [
    (b"", "a.png", "empty"),
    (b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>", "a.png",
     "not a PNG, JPEG, WebP or GIF"),
    (b"GIF89a<script>alert(1)</script>", "a.gif", "not a PNG, JPEG, WebP or GIF"),
    (encode(Image.new("RGB", (8, 8)), "BMP"), "a.png", "not a PNG, JPEG, WebP or GIF"),
    (png(), "a.jpg", "the file is a PNG image; name it a.png"),
    (png()[:60], "a.png", "damaged or truncated"),
    (png(), "../etc/passwd.png", "media names are lower case"),
    (png(), "Chart.PNG", "media names are lower case"),
    (b"\0" * (MAX_BYTES + 1), "a.png", "over the 5 MB limit"),
])
def test_refused_with_a_clear_message(data, name, message):
    with pytest.raises(MediaError, match=message.replace(".", r"\.")):
        process_image(data, name)


def test_pixel_limit():
    data = encode(Image.new("1", (8000, 6000)), "PNG")      # 48 MP, a few kB
    assert len(data) < MAX_BYTES
    with pytest.raises(MediaError, match="more than 40 million pixels"):
        process_image(data, "huge.png")


def test_decompression_bomb_is_refused_not_warned():
    data = encode(Image.new("1", (10000, 10000)), "PNG")    # 100 MP: Pillow's own warning
    with pytest.raises(MediaError, match="million pixels"):
        process_image(data, "bomb.png")
