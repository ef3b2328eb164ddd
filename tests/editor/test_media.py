"""Uploading illustrations: real images are stored re-encoded with a Markdown snippet;
anything else gets a clear 400 (or 413) and nothing is stored."""
from __future__ import annotations

import io
import os
import struct
import zlib

import pytest
from PIL import Image
from sqlalchemy import func, select

from ratecard.models import AuditEntry, MediaFile
from tests.editor.conftest import token_of


def png(width: int = 64, height: int = 32, mode: str = "RGB", **save) -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, (width, height), (200, 40, 40) if mode == "RGB" else 0).save(
        buffer, "PNG", **save)
    return buffer.getvalue()


def bomb_png(width: int = 100_000, height: int = 100_000) -> bytes:
    """A tiny file that claims 10 billion pixels: a decompression bomb's header."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\x00" * 1024)) + chunk(b"IEND", b""))


def upload(client, data: bytes, filename: str, alt: str = "A red test card"):  # type: ignore[no-untyped-def]
    from werkzeug.datastructures import FileStorage
    from werkzeug.test import encode_multipart

    token = token_of(client.get("/editor/media").text)
    # Encoded in memory: the test client's own encoder spills big bodies to an unclosed
    # temporary file (a ResourceWarning, an error under filterwarnings=error).
    boundary, body = encode_multipart({"csrf_token": token, "alt": alt, "file": FileStorage(
        io.BytesIO(data), filename=filename, content_type="application/octet-stream")})
    return client.post("/editor/media", data=body,
                       content_type=f"multipart/form-data; boundary={boundary}")


def stored(db) -> list[MediaFile]:  # type: ignore[no-untyped-def]
    with db.session() as session:
        return list(session.scalars(select(MediaFile)))


def test_a_real_png_is_stored_reencoded_with_its_snippet(ed, db, client):
    original = png(save={"pnginfo": _text_chunk("Comment", "secret metadata")})
    response = upload(ed, original, "Price Chart (1).PNG", alt="Input prices [2026]")
    assert response.status_code == 201, response.text
    assert "![Input prices \\[2026\\]](/media/price-chart-1.png)" in response.text
    (row,) = stored(db)
    assert (row.name, row.content_type, row.width, row.height) == (
        "price-chart-1.png", "image/png", 64, 32)
    assert b"secret metadata" not in row.data                 # decoded and written again
    served = client.get("/media/price-chart-1.png")
    assert served.status_code == 200 and served.mimetype == "image/png"
    assert "price-chart-1.png" in ed.get("/editor/media").text
    with db.session() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "upload")).one()
        assert entry.target == "media:price-chart-1.png" and entry.username == "ed"


def _text_chunk(key: str, value: str):  # type: ignore[no-untyped-def]
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text(key, value)
    return info


def test_the_same_picture_twice_is_stored_once(ed, db):
    assert upload(ed, png(), "a.png").status_code == 201
    again = upload(ed, png(), "b.png")
    assert again.status_code == 200 and "already uploaded" in again.text
    assert [r.name for r in stored(db)] == ["a.png"]


def test_a_different_picture_with_a_taken_name_gets_a_new_name(ed, db):
    upload(ed, png(10, 10), "chart.png")
    upload(ed, png(20, 10), "chart.png")
    assert sorted(r.name for r in stored(db)) == ["chart-2.png", "chart.png"]


@pytest.mark.parametrize("data, filename, message", [
    (b"just some text, honestly\n" * 20, "notes.png", "not a PNG, JPEG, WebP or GIF image"),
    (b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>", "x.png", "not a PNG"),
    (b"", "empty.png", "empty"),
    (png()[:60], "cut.png", "damaged or truncated"),
    (png(), "chart.txt", "media names"),
    (png(), "chart.jpg", "name it chart.png"),
    (os.urandom(6 * 1024 * 1024), "big.png", "over the 5 MB limit"),
    (png(7000, 7000, mode="1"), "huge.png", "million pixels"),
    (bomb_png(), "bomb.png", "million pixels"),
])
def test_garbage_is_refused_with_a_reason(ed, db, data, filename, message):
    response = upload(ed, data, filename)
    assert response.status_code == 400, response.text[:300]
    assert message in response.text
    assert stored(db) == []


def test_upload_over_the_request_limit_is_413(ed, db):
    response = upload(ed, b"\0" * (13 * 1024 * 1024), "huge.png")
    assert response.status_code == 413 and "Nothing was saved" in response.text
    assert stored(db) == []


def test_alt_text_and_file_are_required(ed, db):
    missing_alt = upload(ed, png(), "a.png", alt="   ")
    assert missing_alt.status_code == 400 and "alt text" in missing_alt.text
    token = token_of(ed.get("/editor/media").text)
    no_file = ed.post("/editor/media", data={"csrf_token": token, "alt": "x"})
    assert no_file.status_code == 400 and "Choose an image" in no_file.text
    assert stored(db) == []


def test_media_page_needs_a_login(client, db):
    assert client.get("/editor/media").status_code == 302
    response = client.post("/editor/media", data={"alt": "x"})
    assert response.status_code in (400, 401)
    assert stored(db) == []


def test_export_is_for_admins(ed, root, db, tmp_path, monkeypatch, catalog):
    from tests.editor.test_pages import create

    monkeypatch.setenv("RATECARD_CONTENT_DIR", str(tmp_path / "content"))
    token = token_of(ed.get("/editor/").text)
    assert ed.post("/editor/export", data={"csrf_token": token}).status_code == 403
    create(root, action="publish")
    page = root.get("/editor/")
    assert "Export to content/ files" in page.text
    done = root.post("/editor/export", data={"csrf_token": token_of(page.text)})
    assert done.status_code == 302
    assert "1 file(s) written" in root.get(done.headers["Location"]).text
    written = tmp_path / "content" / "models" / "openai" / "gpt-4o.md"
    assert written.exists() and "solid" in written.read_text()
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "export")) == 1


def test_an_animation_over_the_pixel_budget_is_refused_quickly(ed, db):
    import time

    from tests.content.test_media import gif_bomb

    started = time.perf_counter()
    response = upload(ed, gif_bomb(), "bomb.gif")
    assert response.status_code == 400, response.text[:300]
    assert "40 frames of 4000x4000 are 640 million pixels in all" in response.text
    assert time.perf_counter() - started < 5
    assert stored(db) == []


def test_an_uploaded_jpeg_is_served_without_its_metadata(ed, db, client):
    exif = Image.Exif()
    exif[0x010E] = "<script>alert(1)</script>"
    buffer = io.BytesIO()
    Image.new("RGB", (30, 20), "navy").save(buffer, "JPEG", comment=b"<script>x</script>",
                                           exif=exif.tobytes())
    assert upload(ed, buffer.getvalue(), "photo.jpg").status_code == 201
    served = client.get("/media/photo.jpg")
    assert served.status_code == 200 and b"<script" not in served.data
    assert b"Exif" not in served.data
