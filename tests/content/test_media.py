"""Illustrations: sniffed from bytes, limited, re-encoded (shared with the editor upload)."""
from __future__ import annotations

import io

import pytest
from PIL import Image

from ratecard.content.media import MAX_BYTES, MAX_PIXELS, MediaError, process_image
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


# -- a whole-animation budget, and no metadata survives ---------------------------------------

def gif_bomb(width: int = 4000, height: int = 4000, frames: int = 40) -> bytes:
    """A small GIF whose frames are 1x1 on a width x height canvas: each is decoded to the
    whole canvas, so 40 frames of 4000x4000 cost 640 million pixels (31 s, ~480 MB)."""
    import struct

    out = b"GIF89a" + struct.pack("<HHBBB", width, height, 0x80, 0, 0) + b"\0\0\0\xff\xff\xff"
    out += b"!\xff\x0bNETSCAPE2.0\x03\x01\0\0\0"
    frame = (b"!\xf9\x04\x04\x0a\0\0\0"                        # 100 ms, keep the canvas
             + b"," + struct.pack("<HHHHB", 0, 0, 1, 1, 0) + b"\x02\x02\x44\x01\x00")
    return out + frame * frames + b";"


def test_an_animation_over_the_whole_pixel_budget_is_refused_before_decoding():
    import time
    import tracemalloc

    data = gif_bomb()
    assert len(data) < 2000
    with Image.open(io.BytesIO(data)) as probe:            # each frame alone is allowed
        assert probe.size == (4000, 4000) and probe.n_frames == 40
        assert 4000 * 4000 <= MAX_PIXELS
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(MediaError, match=r"bomb\.gif: 40 frames of 4000x4000 are 640 "
                                             r"million pixels in all; an animation may have "
                                             r"at most 100 million"):
            process_image(data, "bomb.gif")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 5_000_000, peak                          # nothing decoded (a frame is 16 MB)
    assert time.perf_counter() - started < 5


def test_an_animation_within_the_budget_still_works():
    result = process_image(gif_bomb(1000, 1000, 6), "small.gif")
    with Image.open(io.BytesIO(result.data)) as again:
        assert again.n_frames >= 1 and again.size == (1000, 1000)


SCRIPT = "<script>alert(document.cookie)</script>"


def _png_with_text() -> bytes:
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", SCRIPT)
    info.add_itxt("XML:com.adobe.xmp", SCRIPT)
    info.add_text("zsecret", SCRIPT, zip=True)
    return encode(Image.new("RGB", (20, 10), "teal"), "PNG", pnginfo=info,
                  icc_profile=_profile("sRGB"), exif=_exif())


def _exif() -> bytes:
    exif = Image.Exif()
    exif[0x010E] = SCRIPT                                   # ImageDescription
    exif[0x010F] = "Secret Camera Co"
    return exif.tobytes()


def _profile(name: str) -> bytes:
    from PIL import ImageCms

    return ImageCms.ImageCmsProfile(ImageCms.createProfile(name)).tobytes()


def _frames(*colors: str) -> list[Image.Image]:
    return [Image.new("RGB", (12, 12), c) for c in colors]


@pytest.mark.parametrize(("name", "data"), [
    ("icc.jpg", encode(Image.new("RGB", (20, 10), (200, 30, 30)), "JPEG",
                       icc_profile=_profile("sRGB") + SCRIPT.encode(), comment=SCRIPT,
                       exif=_exif())),
    ("comment.gif", encode(Image.new("RGB", (20, 10), "red"), "GIF", comment=SCRIPT)),
    ("anim.gif", encode(_frames("red", "blue")[0], "GIF", save_all=True,
                        append_images=_frames("red", "blue")[1:], comment=SCRIPT)),
    ("text.png", _png_with_text()),
    ("meta.webp", encode(Image.new("RGB", (20, 10), "red"), "WEBP", icc_profile=_profile("sRGB"),
                         exif=_exif(), xmp=SCRIPT.encode())),
], ids=["jpeg icc+exif+comment", "gif comment", "animated gif comment", "png text+icc+exif",
        "webp icc+exif+xmp"])
def test_reencoded_images_carry_no_metadata(name, data):
    assert SCRIPT.encode() in data or b"zsecret" in data
    out = process_image(data, name).data
    assert b"<script" not in out and b"Secret Camera" not in out
    for marker in (b"ICC_PROFILE", b"iCCP", b"ICCP", b"Exif", b"eXIf", b"EXIF", b"XMP",
                   b"iTXt", b"tEXt", b"zTXt", b"\x21\xfe"):     # \x21\xfe: a GIF comment
        assert marker not in out, marker
    with Image.open(io.BytesIO(out)) as again:
        assert not {"icc_profile", "exif", "xmp", "comment", "Comment", "XML:com.adobe.xmp",
                    "zsecret"} & set(again.info)


def _swapped_profile() -> bytes:
    """An RGB profile whose red and blue primaries are swapped (sRGB's, tags exchanged)."""
    data = bytearray(_profile("sRGB"))
    count = int.from_bytes(data[128:132], "big")
    tags = {bytes(data[132 + 12 * i:136 + 12 * i]): 132 + 12 * i for i in range(count)}
    red, blue = tags[b"rXYZ"], tags[b"bXYZ"]
    data[red + 4:red + 12], data[blue + 4:blue + 12] = (data[blue + 4:blue + 12],
                                                        data[red + 4:red + 12])
    return bytes(data)


@pytest.mark.parametrize(("fmt", "name"), [("PNG", "c.png"), ("JPEG", "c.jpg"),
                                           ("WEBP", "c.webp")])
def test_an_icc_profile_is_applied_before_it_is_dropped(fmt, name):
    # Stored (200, 30, 30) under a red/blue-swapped profile is a blue picture: dropping the
    # profile without converting would turn it red.
    data = encode(Image.new("RGB", (16, 16), (200, 30, 30)), fmt, icc_profile=_swapped_profile(),
                  **({"quality": 100} if fmt != "PNG" else {}))
    with Image.open(io.BytesIO(process_image(data, name).data)) as again:
        assert "icc_profile" not in again.info
        r, g, b = again.convert("RGB").getpixel((8, 8))
    assert b > 150 and r < 80, (r, g, b)


def test_a_truncated_animation_is_refused_as_damaged():
    data = gif_bomb(100, 100, 50)
    with pytest.raises(MediaError, match="damaged or truncated"):
        process_image(data[:-9], "cut.gif")
