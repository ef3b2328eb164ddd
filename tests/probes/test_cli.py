"""`ratecard probe MODEL...` and `ratecard probes` against the fake provider."""
from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from ratecard.cli import main
from ratecard.services.locks import source_lock
from tests.probes.conftest import KEY, env_for


@pytest.fixture
def run(db, database_url, models, fake):  # type: ignore[no-untyped-def]
    def invoke(*args: str, **env: str | None):  # type: ignore[no-untyped-def]
        full = {**env_for(fake), "DATABASE_URL": database_url,
                "RATECARD_PROBE_MODELS": "openai/test-chat,anthropic/test-claude", **env}
        return CliRunner().invoke(main, list(args), env=full)
    return invoke


def test_probe_prints_a_line_per_call_and_a_summary(run, fake):
    fake.program("ok", "500", "ok")
    result = run("probe", "openai/test-chat")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == f"openai/test-chat via {fake.base('openai')}"
    calls = [line for line in lines if re.match(r"  \d\d:\d\d:\d\dZ ", line)]
    assert [c.split()[1].rstrip(",") for c in calls] == ["ok", "server_error", "ok"]
    assert "HTTP 500" in calls[1] and "$0.003105" in calls[0]
    assert "summary: 3 call(s): 2 ok, 1 server_error; cost $0.006210" in result.output
    assert KEY not in result.output


def test_failures_are_measurements_exit_zero(run, fake):
    fake.program("401")
    result = run("probe", "anthropic/test-claude")
    assert result.exit_code == 0, result.output
    assert result.output.count("Z auth_error, HTTP 401") == 3 and KEY[8:] not in result.output


@pytest.mark.parametrize("args, env, message", [
    (("probe", "openai/nope"), {}, "unknown model: openai/nope"),
    (("probe", "anthropic/test-claude"), {"ANTHROPIC_API_KEY": ""},
     "ANTHROPIC_API_KEY is not set"),
    (("probe", "openai/text-embedding-x"), {}, "embedding models are not probed"),
    (("probes",), {"RATECARD_PROBE_DAILY_USD": "lots"}, "RATECARD_PROBE_DAILY_USD must be"),
])
def test_clear_messages_and_non_zero_exit(run, args, env, message):
    result = run(*args, **env)
    assert result.exit_code != 0
    assert message in result.output and "Traceback" not in result.output


def test_busy_provider_is_a_clear_error(run, db):
    with source_lock(db, "probe:openai", purpose="probe"):
        result = run("probe", "openai/test-chat")
    assert result.exit_code == 2 and "another sync of this source is running" in result.output


def test_probes_lists_models_last_result_and_spend(run, fake):
    fake.program("ok")
    assert run("probe", "openai/test-chat").exit_code == 0
    result = run("probes", ANTHROPIC_API_KEY="")
    assert result.exit_code == 0, result.output
    assert "spent today $0.009315 of $1.00 (under the cap)" in result.output
    assert f"openai/test-chat: measured via {fake.base('openai')}" in result.output
    assert re.search(r"last: \d{4}-\d\d-\d\d \d\d:\d\dZ ok, \d+ ms, \$0.003105", result.output)
    assert "anthropic/test-claude: not measured (ANTHROPIC_API_KEY is not set)" in result.output
    assert "last: never run" in result.output
    capped = run("probes", RATECARD_PROBE_DAILY_USD="0.005")
    assert "probing paused until 00:00 UTC" in capped.output
