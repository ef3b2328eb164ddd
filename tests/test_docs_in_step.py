"""Docs and settings that cannot drift from the code: every `ratecard` command is in the
README's command table, every setting the code reads is in .env.example, and everything
.env.example lists is read somewhere."""
from __future__ import annotations

import re
from pathlib import Path

import click

from ratecard.cli import main
from scrapers.registry import SOURCES

ROOT = Path(__file__).resolve().parents[1]
SETTING = re.compile(r"\b(?:RATECARD_[A-Z0-9_]*[A-Z0-9]|[A-Z]+_API_KEY|[A-Z]+_BASE_URL|"
                     r"DATABASE_URL|SECRET_KEY|PORT)\b")


def _commands(group: click.Group, prefix: str = "ratecard") -> list[list[str]]:
    """Each command as words: ["ratecard", "quarantine", "list"], …"""
    found = []
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            found += _commands(command, f"{prefix} {name}")
        else:
            found.append([*prefix.split(), name])
    return found


def test_every_command_is_in_the_readme_table() -> None:
    rows = [line for line in (ROOT / "README.md").read_text().splitlines()
            if line.startswith("| `ratecard ")]
    missing = []
    for words in _commands(main):
        head, *rest = words[1:]
        # a group's row names its subcommands as alternatives: `ratecard users add\|remove`
        row = [r for r in rows if re.match(rf"\| `ratecard {re.escape(head)}\b", r)]
        if not row or (rest and not any(re.search(rf"[ |`]{re.escape(rest[-1])}\b", r)
                                        for r in row)):
            missing.append(" ".join(words))
    assert missing == []


def _read_by(paths: list[Path]) -> set[str]:
    names: set[str] = set()
    for path in paths:
        names.update(SETTING.findall(path.read_text(encoding="utf-8")))
    # per source: RATECARD_<SOURCE>_URL and _INTERVAL_HOURS (config.py builds the names)
    for source in SOURCES:
        key = source.name.upper()
        names.update({f"RATECARD_{key}_URL", f"RATECARD_{key}_INTERVAL_HOURS"})
    return names


def _listed() -> set[str]:
    text = (ROOT / ".env.example").read_text()
    return set(re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", text, re.M))


def test_every_setting_the_code_reads_is_in_env_example() -> None:
    code = sorted((ROOT / "site").rglob("*.py")) + sorted((ROOT / "scrapers").rglob("*.py"))
    read = {n for n in _read_by(code) if not n.endswith("_")}
    assert sorted(read - _listed()) == []


def test_env_example_lists_nothing_unused() -> None:
    everywhere = [*(ROOT / "site").rglob("*.py"), *(ROOT / "scrapers").rglob("*.py"),
                  *(ROOT / "tests").rglob("*.py"), *(ROOT / "bench").iterdir(),
                  ROOT / "Makefile", ROOT / ".ci" / "run"]
    used = _read_by([p for p in everywhere if p.is_file() and p.name != "test_docs_in_step.py"])
    assert sorted(_listed() - used) == []
