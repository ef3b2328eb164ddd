"""The admin's Export button writes only inside content/: a linked folder or file there is
refused and named on the page, never written through."""
from __future__ import annotations

from tests.editor.conftest import token_of
from tests.editor.test_pages import create

SYMLINK = "symbolic link: not followed; content files must be regular files inside content/"


def test_export_button_refuses_a_symlinked_folder(catalog, root, tmp_path, monkeypatch):
    content = tmp_path / "content"
    outside = tmp_path / "outside"
    (outside / "openai").mkdir(parents=True)
    victim = outside / "openai/gpt-4o.md"
    victim.write_text("untouched\n")
    content.mkdir()
    (content / "models").symlink_to(outside)            # content/models -> outside
    monkeypatch.setenv("RATECARD_CONTENT_DIR", str(content))
    assert create(root, action="publish").status_code == 302
    response = root.post("/editor/export", data={"csrf_token": token_of(root.get("/editor/").text)})
    assert response.status_code == 409, response.text[:300]
    assert f"{content / 'models'}:1: not written: {SYMLINK}" in response.text
    assert victim.read_text() == "untouched\n"
    assert sorted(p.name for p in outside.rglob("*")) == ["gpt-4o.md", "openai"]
    (content / "models").unlink()
    done = root.post("/editor/export", data={"csrf_token": token_of(root.get("/editor/").text)})
    assert done.status_code == 302
    assert "title: GPT-4o" in (content / "models/openai/gpt-4o.md").read_text()
    assert victim.read_text() == "untouched\n"
