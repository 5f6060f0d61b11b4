"""The audit's JSON and SARIF output: golden files (identical on both backends) and the SARIF schema.

Regenerate the golden files only on purpose: KB_UPDATE_GOLDEN=1, then review the diff.
"""

from __future__ import annotations

import json
import os
from typing import Any

import jsonschema
import pytest

from kb.audit import AuditOptions, run_audit
from kb.audit.sarif import artifact_uri, to_sarif
from tests.audit.documents import FIXTURES

GOLDEN = FIXTURES / "golden"
SARIF_SCHEMA = FIXTURES / "sarif-schema-2.1.0.json"


def audit_json(store, **options: Any) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    with store.session() as session:
        return run_audit(session, AuditOptions(**options)).to_json()


def sarif(store, **options: Any) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    with store.session() as session:
        return to_sarif(run_audit(session, AuditOptions(**options)))


def check_golden(name: str, data: dict[str, Any]) -> None:
    path = GOLDEN / name
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if os.environ.get("KB_UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    assert path.read_text(encoding="utf-8") == text, f"{name} differs (KB_UPDATE_GOLDEN=1 regenerates it)"


def test_json_golden(example) -> None:  # type: ignore[no-untyped-def]
    check_golden("induction-heads.audit.json", audit_json(example, include_suppressed=True))


def test_sarif_golden(example) -> None:  # type: ignore[no-untyped-def]
    check_golden("induction-heads.audit.sarif", sarif(example, include_suppressed=True))


def test_json_contract(example) -> None:  # type: ignore[no-untyped-def]
    data = audit_json(example)
    assert set(data) == {"findings", "summary"}
    for finding in data["findings"]:
        assert {"code", "severity", "claim", "paper", "concept", "message", "suppressed"} <= set(finding)
        assert finding["suppressed"] is False
    assert data["summary"]["findings"] == len(data["findings"]) == 7
    assert data["summary"]["by_severity"] == {"error": 2, "warning": 5, "info": 0}


@pytest.mark.parametrize("options", [{}, {"include_suppressed": True}, {"paper": "nothing-here"}])
def test_sarif_validates_against_the_official_schema(example, load, options) -> None:  # type: ignore[no-untyped-def]
    if options.get("paper"):
        load({"sources": [{"key": "nothing-here", "title": "A paper without claims"}]})
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.validate(sarif(example, **options), schema, cls=jsonschema.Draft7Validator)


def test_sarif_results_point_at_the_claims_origin(example) -> None:  # type: ignore[no-untyped-def]
    run = sarif(example)["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules][:2] == ["KB101", "KB102"]
    by_claim = {(r["properties"]["claim"], r["ruleId"]): r for r in run["results"]}
    result = by_claim[("wang2022-l6h9-induction", "KB107")]
    physical = result["locations"][0]["physicalLocation"]
    assert physical == {"artifactLocation": {"uri": "tests/fixtures/audit/induction-heads.yaml"}, "region": {"startLine": 52}}
    assert rules[result["ruleIndex"]]["id"] == "KB107"
    assert result["level"] == "error"
    assert by_claim[("wang2022-l6h9-induction", "KB106")]["level"] == "warning"


def test_sarif_levels_follow_configured_severities(example) -> None:  # type: ignore[no-untyped-def]
    run = sarif(example, severities={"KB110": "info"})["runs"][0]
    rule = next(r for r in run["tool"]["driver"]["rules"] if r["id"] == "KB110")
    assert rule["defaultConfiguration"]["level"] == "note"
    assert {r["level"] for r in run["results"] if r["ruleId"] == "KB110"} == {"note"}


def test_a_claim_without_origin_has_only_a_logical_location(store, load) -> None:  # type: ignore[no-untyped-def]
    from kb.services.editing import add_record

    load(FIXTURES / "rules" / "_base.yaml")
    add_record(store, "claim", {"key": "typed-in", "source": "paper-a", "concept": "whale", "text": "Typed in."})
    [result] = sarif(store)["runs"][0]["results"]
    assert result["locations"] == [
        {"logicalLocations": [{"name": "typed-in", "fullyQualifiedName": "paper-a/typed-in", "kind": "object"}]}]


def test_artifact_uris() -> None:
    assert artifact_uri("papers/draft claims.yaml") == "papers/draft%20claims.yaml"
    assert artifact_uri("/home/me/kb/c.yaml") == "file:///home/me/kb/c.yaml"
