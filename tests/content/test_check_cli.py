"""`ratecard content check` finds each kind of problem, with the right file and line."""
from __future__ import annotations

from pathlib import Path

from tests.cli_runner import Ran, run_cli
from tests.content.conftest import png, write

ROOT = Path(__file__).resolve().parents[2]


def run_check(root: Path, database_url: str) -> Ran:
    return run_cli("content", "check", "--root", str(root),
                   env={"DATABASE_URL": database_url})


def test_clean_tree_passes_with_warnings_only(catalog, database_url, content_dir):
    write(content_dir, "pages/guides/live.md", "---\ntitle: Live\n---\n"
          "See [the live test](/live-test/openai/gpt-4o).\n")
    result = run_check(content_dir, database_url)
    assert result.returncode == 0, result.stdout + result.stderr
    live = content_dir / "pages/guides/live.md"
    assert f"{live}:4: warning: link /live-test/openai/gpt-4o: live-test pages do not " \
           "exist yet" in result.stdout
    assert "0 error(s), 1 warning(s)" in result.stderr


BROKEN = {
    # bad YAML: the YAML's own line, counted in the file
    "pages/bad-yaml.md": "---\ntitle: Bad\nsummary: a: b\n---\nBody\n",
    "pages/unknown-key.md": "---\ntitle: Fine\nsummary: Fine\ncolour: red\n---\nBody\n",
    "models/openai/no-such-model.md": "---\ntitle: Nothing\n---\nBody\n",
    "pages/links.md": (
        "---\n"                                                        # 1
        "title: Links\n"                                               # 2
        "---\n"                                                        # 3
        "Intro.\n"                                                     # 4
        "\n"                                                           # 5
        "A [missing model](/models/openai/nope) here.\n"               # 6
        "[Compare](/compare?models=openai/gpt-4o,foo/bar)\n"           # 7
        "[Provider](/providers/nobody) and [guide](/guides/missing)\n"  # 8
        "[Nowhere](/nowhere) [Live](/live-test/x)\n"                   # 9
        "`[not a link](/models/openai/nope)`\n"                        # 10
        "[js](javascript:alert(1))\n"                                  # 11
    ),
    "pages/images.md": (
        "---\ntitle: Images\n---\n"                                    # 1-3
        "![](/media/chart.png)\n"                                      # 4
        "\n"                                                           # 5
        "![A chart](/media/missing.png)\n"                             # 6
        "![Remote](https://example.com/x.png)\n"                       # 7
    ),
    "pages/shortcodes.md": (
        "---\n"                                                        # 1
        "title: Codes\n"                                               # 2
        'summary: Costs {{ price "openai/gpt-4o" "inptu" }}\n'         # 3
        "---\n"                                                        # 4
        'One {{ price "openai/nope" "input" }}.\n'                     # 5
        "Two {{ 7*7 }}.\n"                                             # 6
        '{{ cost "openai/gpt-4o" "lunch" }}\n'                         # 7
    ),
    "models/openai/gpt-4o.md": (
        "---\n"                                                        # 1
        "title: GPT-4o\n"                                              # 2
        "faq:\n"                                                       # 3
        "  - question: One?\n"                                         # 4
        "    answer: Yes, see [it](/models/openai/gone).\n"             # 5
        "  - question: Two?\n"                                         # 6
        "strengths: nope\n"                                            # 7
        "reviewed: someday\n"                                          # 8
        "---\n"
    ),
    # two files for one canonical id (sorted: the upper-case one comes first)
    "models/OpenAI/GPT-4o-Mini.md": "---\ntitle: Mini\n---\nBody\n",
    "models/openai/gpt-4o-mini.md": "---\ntitle: Mini again\n---\nBody\n",
    "pages/no-front-matter.md": "Just text\n",
    "pages/Nested/deep.md": "---\ntitle: Deep\n---\n",
}


def test_every_kind_of_problem_with_file_and_line(catalog, database_url, tmp_path):
    root = tmp_path / "content"
    for rel, text in BROKEN.items():
        write(root, rel, text)
    write(root, "media/chart.png", png())
    write(root, "media/notes.png", b"this is not an image")
    write(root, "pages/latin1.md", "---\ntitle: Caf\xe9\n---\n".encode("latin-1"))
    result = run_check(root, database_url)
    assert result.returncode == 1
    out = result.stdout

    def has(rel: str, line: int, text: str) -> None:
        prefix = f"{root / rel}:{line}: "
        lines = [x for x in out.splitlines() if x.startswith(prefix)]
        assert any(text in x for x in lines), f"{prefix}…{text} not in:\n{out}"

    has("pages/bad-yaml.md", 3, "bad YAML: mapping values are not allowed here")
    has("pages/unknown-key.md", 4, "unknown front-matter key 'colour'")
    has("models/openai/no-such-model.md", 1, "a page for a model that does not exist")
    has("pages/links.md", 6, "link to a model page that does not exist: openai/nope")
    has("pages/links.md", 7, "compare link with a model that does not exist: foo/bar")
    has("pages/links.md", 8, "link to a provider that does not exist: nobody")
    has("pages/links.md", 8, "link to a guide that does not exist: /guides/missing")
    has("pages/links.md", 9, "link to a page that does not exist: /nowhere")
    has("pages/links.md", 9, "warning: link /live-test/x: live-test pages do not exist yet")
    has("pages/links.md", 11, "only http, https and mailto links are allowed")
    assert f"{root / 'pages/links.md'}:10:" not in out          # inside code: not a link
    has("pages/images.md", 4, "image without alt text")
    has("pages/images.md", 6, "missing media file 'missing.png'")
    has("pages/images.md", 7, "illustrations are files in content/media/")
    has("pages/shortcodes.md", 3, "price: unknown meter 'inptu'")
    has("pages/shortcodes.md", 5, "price: no model 'openai/nope' in the catalog")
    has("pages/shortcodes.md", 6, "unknown shortcode {{ 7*7 }}")
    has("pages/shortcodes.md", 7, "cost: unknown scenario 'lunch'")
    has("models/openai/gpt-4o.md", 5, "link to a model page that does not exist: openai/gone")
    has("models/openai/gpt-4o.md", 6, "faq item 2 needs a non-empty answer")
    has("models/openai/gpt-4o.md", 7, "strengths must be a list of strings")
    has("models/openai/gpt-4o.md", 8, "reviewed must be a date")
    has("models/openai/gpt-4o-mini.md", 1, "duplicate slug")
    assert "models/OpenAI/GPT-4o-Mini.md is already the model page 'openai/gpt-4o-mini'" in out
    has("models/OpenAI/GPT-4o-Mini.md", 1, "warning: file name is not lower case")
    has("pages/no-front-matter.md", 1, "no front matter")
    has("pages/Nested/deep.md", 1, "a page is pages/<slug>.md or pages/guides/<slug>.md")
    has("media/notes.png", 1, "not a PNG, JPEG, WebP or GIF image")
    has("pages/latin1.md", 2, "not UTF-8 text")
    assert "error(s)" in result.stderr
