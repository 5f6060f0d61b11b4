"""`kb audit` and `kb rules` through the CLI: formats, exit codes 0/1/2, baselines, kb.toml."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from cli.main import app
from tests.audit.documents import EXAMPLE, FIXTURES, REPO

WANG2022 = [
    ["wang2022-induction-heads", "KB104"],
    ["wang2022-l5h5-induction", "KB101"],
    ["wang2022-l5h5-induction", "KB110"],
    ["wang2022-l6h9-induction", "KB106"],
    ["wang2022-l6h9-induction", "KB107"],
]


@pytest.fixture
def kb_example(kb_init, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """The CLI on a database holding the worked example, imported from YAML with `kb import`."""
    monkeypatch.chdir(REPO)
    result = kb_init("import", str(EXAMPLE))
    assert result.exit_code == 0, result.stderr
    return kb_init


def findings(result) -> list[list[str]]:  # type: ignore[no-untyped-def]
    return [[f["claim"], f["code"]] for f in json.loads(result.stdout)["findings"]]


def test_audit_a_paper_imported_from_yaml(kb_example) -> None:  # type: ignore[no-untyped-def]
    result = kb_example("audit", "--paper", "wang2022", "--format", "json")
    assert result.exit_code == 1, result.stderr
    assert findings(result) == WANG2022
    assert json.loads(result.stdout)["summary"]["suppressed"] == 1


def test_table_groups_by_paper_then_claim(kb_example) -> None:  # type: ignore[no-untyped-def]
    result = kb_example("audit")
    assert result.exit_code == 1
    out = result.stdout
    assert out.index("paper olsson2022") < out.index("paper wang2022")
    assert out.index("wang2022-l5h5-induction") < out.index("wang2022-l6h9-induction")
    assert "KB107" in out and "tests/fixtures/audit/induction-heads.yaml:52" in out  # where it was imported from
    assert "2 errors, 5 warnings in 7 claims audited (1 suppressed)" in out


def test_empty_knowledge_base_is_clean(kb_init) -> None:  # type: ignore[no-untyped-def]
    result = kb_init("audit")
    assert (result.exit_code, result.stdout.strip()) == (0, "no findings in 0 claims audited")


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["--paper", "olsson2022"], 0),  # warnings only; --fail-on defaults to error
        (["--paper", "olsson2022", "--fail-on", "warning"], 1),
        (["--paper", "olsson2022", "--fail-on", "info"], 1),
        (["--fail-on", "never"], 0),
        (["--rule", "KB104", "--rule", "KB110"], 0),
        (["--rule", "KB107"], 1),
        (["--concept", "induction-head"], 1),
    ],
)
def test_exit_code_says_whether_anything_is_at_or_above_fail_on(kb_example, args, code) -> None:  # type: ignore[no-untyped-def]
    result = kb_example("audit", *args)
    assert result.exit_code == code, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--rule", "KB198"], "no audit rule 'KB198'"),
        (["--paper", "nobody2099"], "no source with key 'nobody2099'"),
        (["--concept", "unicorn"], "no concept with key 'unicorn'"),
        (["--format", "xml"], "xml"),
        (["--fail-on", "sometimes"], "sometimes"),
        (["--baseline", "missing-baseline.json"], "cannot read the baseline"),
    ],
)
def test_usage_errors_exit_2(kb_example, args, message) -> None:  # type: ignore[no-untyped-def]
    result = kb_example("audit", *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stdout == ""


def test_an_uninitialised_database_is_a_usage_error(kb) -> None:  # type: ignore[no-untyped-def]
    result = kb("audit")
    assert result.exit_code == 2 and "kb init" in result.stderr


def test_include_suppressed_and_rule_filter(kb_example) -> None:  # type: ignore[no-untyped-def]
    result = kb_example("audit", "--format", "json", "--include-suppressed", "--rule", "KB109")
    [finding] = json.loads(result.stdout)["findings"]
    assert (finding["claim"], finding["suppressed"]) == ("wang2022-l5h5-same-as-l5h1", True)
    assert result.exit_code == 0  # suppressed findings never fail the audit


def test_sarif_to_a_file(kb_example, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "audit.sarif"
    result = kb_example("audit", "--format", "sarif", "-o", str(out))
    assert result.exit_code == 1 and result.stdout == ""
    data = json.loads(out.read_text(encoding="utf-8"))
    schema = json.loads((FIXTURES / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    jsonschema.validate(data, schema, cls=jsonschema.Draft7Validator)
    assert len(data["runs"][0]["results"]) == 7


def test_write_baseline_then_report_only_new_findings(kb_example, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    baseline = tmp_path / "baseline.json"
    first = kb_example("audit", "--write-baseline", str(baseline))
    assert first.exit_code == 1 and "wrote baseline" in first.stderr
    assert len(json.loads(baseline.read_text())["findings"]) == 7

    again = kb_example("audit", "--baseline", str(baseline), "--format", "json")
    assert again.exit_code == 0 and findings(again) == []
    assert json.loads(again.stdout)["summary"]["baselined"] == 7

    kb_example("claim", "add", "wang2022-new", "--source", "wang2022", "--concept", "induction-head",
               "--text", "New.", "--stated-kind", "mechanistic", "--evidence", "l6h9-prefix")
    later = kb_example("audit", "--baseline", str(baseline), "--format", "json")
    assert later.exit_code == 1 and findings(later) == [["wang2022-new", "KB101"]]


def test_kb_toml_in_the_working_directory_sets_severities(kb_example, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "kb.toml").write_text('[audit.severity]\nKB101 = "warning"\nKB107 = "info"\nKB104 = "error"\n')
    monkeypatch.chdir(tmp_path)
    result = kb_example("audit", "--paper", "wang2022", "--format", "json")
    severities = {(f["claim"], f["code"]): f["severity"] for f in json.loads(result.stdout)["findings"]}
    assert severities[("wang2022-l5h5-induction", "KB101")] == "warning"
    assert severities[("wang2022-l6h9-induction", "KB107")] == "info"
    assert result.exit_code == 1  # KB104 is an error now
    assert kb_example("audit", "--paper", "wang2022", "--rule", "KB101", "--rule", "KB107").exit_code == 0


def test_config_option_and_bad_config(kb_example, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    good = tmp_path / "audit.toml"
    good.write_text('[audit.severity]\nKB101 = "info"\nKB107 = "info"\n')
    assert kb_example("audit", "--config", str(good)).exit_code == 0
    bad = tmp_path / "bad.toml"
    bad.write_text('[audit.severity]\nKB101 = "fatal"\nKB777 = "error"\n')
    result = kb_example("audit", "--config", str(bad))
    assert result.exit_code == 2
    assert "severity 'fatal' is not one of info, warning, error" in result.stderr
    assert "no audit rule 'KB777'" in result.stderr
    broken = tmp_path / "broken.toml"
    broken.write_text("[audit.severity\n")
    assert "invalid TOML" in kb_example("audit", "--config", str(broken)).stderr


# --- kb rules: no database needed ---------------------------------------------------------------

runner = CliRunner()


def test_kb_rules_lists_every_rule() -> None:
    result = runner.invoke(app, ["rules", "--format", "json"])
    assert result.exit_code == 0
    rows = json.loads(result.stdout)
    assert [r["code"] for r in rows] == [
        "KB101", "KB102", "KB103", "KB104", "KB105", "KB106", "KB107", "KB108", "KB109", "KB110", "KB111", "KB112",
        "KB113", "KB199"]
    assert rows[0]["severity"] == "error" and rows[0]["summary"].startswith("A claim states the mechanistic sense")
    table = runner.invoke(app, ["rules"])
    assert table.exit_code == 0 and "KB199" in table.stdout


def test_kb_rules_shows_configured_severities(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "kb.toml").write_text('[audit.severity]\nKB102 = "error"\n')
    monkeypatch.chdir(tmp_path)
    rows = json.loads(runner.invoke(app, ["rules", "--format", "json"]).stdout)
    assert {r["code"]: (r["severity"], r["default_severity"]) for r in rows}["KB102"] == ("error", "warning")


def test_kb_rules_show_prints_the_documentation() -> None:
    result = runner.invoke(app, ["rules", "show", "kb101"])
    assert result.exit_code == 0
    for section in ("## What it flags", "## Why it matters", "## Failing example", "## Passing example"):
        assert section in result.stdout
    missing = runner.invoke(app, ["rules", "show", "KB198"])
    assert missing.exit_code == 2 and "no audit rule 'KB198'" in missing.stderr


def test_audit_help_lists_every_option() -> None:
    help_text = runner.invoke(app, ["audit", "--help"]).stdout
    for option in ("--paper", "--concept", "--rule", "--format", "--fail-on", "--include-suppressed",
                   "--baseline", "--write-baseline", "--config", "--output"):
        assert option in help_text
