"""One broken file never stops the rest: `content check` lists every problem and `content
import` imports the good files, each broken one reported as `path:line: message`, and the
exit status says that something was refused. Parsing YAML is bounded and never raises."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from ratecard.content.front_matter import MAX_DEPTH
from ratecard.content.source import parse_text
from ratecard.models import ContentRevision
from ratecard.queries import content as q
from tests.content.conftest import write
from tests.content.test_confinement import cli

GOOD = "---\ntitle: Fresh\nsummary: A good new page.\n---\nFRESH-BODY\n"
DEEP = "[" * 3000 + "]" * 3000
# rel -> (text, line of the problem, words of the message)
BAD = {
    "pages/bad-date.md": ("---\ntitle: Dates\nreviewed: 2024-02-30\n---\nBody\n", 3,
                          "not a date: 2024-02-30"),
    "pages/nul-raw.md": ('---\ntitle: Nul\nsummary: "a\0b"\n---\nBody\n', 3,
                         "NUL character"),
    "pages/nul-escaped.md": ('---\ntitle: Nul\nsummary: "a\\0b"\n---\nBody\n', 3,
                             "NUL character in a value"),
    "pages/deep.md": (f"---\ntitle: Deep\nsummary: {DEEP}\n---\nBody\n", 3,
                      f"nested more than {MAX_DEPTH} levels deep"),
    "pages/deep-block.md": ("---\ntitle: Deep\nsummary:\n"
                            + "".join(f"{' ' * i}- \n" for i in range(200)) + "---\nBody\n",
                            3 + MAX_DEPTH, f"nested more than {MAX_DEPTH} levels deep"),
    "pages/keys.md": ("---\ntitle: Keys\n1: one\n2024-01-01: day\n~: none\ncolour: red\n---\n",
                      3, "key 1 is not text"),
}


def bad_tree(content_dir):  # type: ignore[no-untyped-def]
    write(content_dir, "pages/fresh.md", GOOD)
    for rel, (text, _, _) in BAD.items():
        write(content_dir, rel, text)
    return content_dir


def expect_each_bad_file(content_dir, out: str) -> None:  # type: ignore[no-untyped-def]
    for rel, (_, line, words) in BAD.items():
        prefix = f"{content_dir / rel}:{line}: "
        assert any(x.startswith(prefix) and words in x for x in out.splitlines()), \
            f"{prefix}{words} not in:\n{out}"


def test_check_lists_every_broken_file(catalog, database_url, content_dir):
    result = cli(bad_tree(content_dir), database_url, "check")
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 1
    expect_each_bad_file(content_dir, result.stdout)
    assert str(content_dir / "pages/fresh.md") not in result.stdout
    assert f"{content_dir / 'pages/keys.md'}:4: key 2024-01-01 is not text" in result.stdout
    assert f"{content_dir / 'pages/keys.md'}:5: key ~ is not text" in result.stdout


def test_import_imports_the_good_file_and_reports_each_broken_one(catalog, database_url,
                                                                  content_dir):
    result = cli(bad_tree(content_dir), database_url, "import")
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 1
    expect_each_bad_file(content_dir, result.stdout)
    rejected = result.stderr.split("rejected (the last good revision stays published): ")[1]
    for rel in BAD:
        assert str(content_dir / rel) in result.stderr
    assert str(content_dir / "pages/fresh.md") not in rejected
    with catalog.session() as session:
        fresh = q.published(session, "page", "fresh")
        assert fresh is not None and "FRESH-BODY" in fresh.body_html
        assert q.published(session, "page", "about") is not None      # the rest as well
        for rel in BAD:
            slug = rel.removeprefix("pages/").removesuffix(".md")
            assert q.published(session, "page", slug) is None
        for rev in session.scalars(select(ContentRevision)):          # nothing unstorable
            assert "\0" not in rev.body and "\\u0000" not in str(rev.front_matter)


@pytest.mark.parametrize("text", [
    "---\ntitle: [" + "{a: " * 5000 + "\n---\n",           # unclosed and deep
    "---\ntitle: x\nsummary: " + "9" * 5000 + "\n---\n",    # an int Python will not parse
    "---\ntitle: .inf\nsummary: .nan\n---\n",               # JSON cannot store these
    "---\n? [a, b]\n: c\n---\n",                            # a list as a key
    "---\ntitle: !!binary aGk=\n---\n",                   # bytes
    "---\ntitle: !!timestamp 2024-13-45\n---\n",
    "---\n" + "k: v\n" * 20000 + "---\n",                   # over the front-matter size
])
def test_parse_never_raises(text):
    doc = parse_text(text, "x.md")
    assert doc.problems and all(p.is_error for p in doc.problems)
    assert doc.front_matter == {}


@pytest.mark.parametrize("text", [
    "---\ntitle: x\ntags: !!set {a, b}\n---\n",
    "---\ntitle: x\nfaq: !!omap [a: 1]\n---\n",
])
def test_collection_tags_json_cannot_store_are_problems(text):
    doc = parse_text(text, "x.md")
    assert [p.line for p in doc.problems] == [3] and "is not allowed" in doc.problems[0].message
