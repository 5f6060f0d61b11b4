"""The engine on a real store (both backends): suppressions, severities, filters, baselines, scale."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from sqlalchemy import event

from kb.audit import AuditOptions, Severity, run_audit
from kb.audit.baseline import read_baseline, write_baseline
from kb.audit.view import ClaimView, load_view
from kb.errors import InvalidInput, NotFound
from tests.audit.documents import RULES_BASE, claim


def audit(store, **options):  # type: ignore[no-untyped-def]
    with store.session() as session:
        return run_audit(session, AuditOptions(**options))


def pairs(result) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return [(f.claim, f.code) for f in result.findings]


# --- suppressions -------------------------------------------------------------------------------


def test_a_suppression_silences_its_code_on_its_claim(example) -> None:  # type: ignore[no-untyped-def]
    result = audit(example)
    assert ("wang2022-l5h5-same-as-l5h1", "KB109") not in pairs(result)
    assert result.summary()["suppressed"] == 1

    shown = audit(example, include_suppressed=True)
    [silenced] = [f for f in shown.findings if f.suppressed]
    assert (silenced.claim, silenced.code) == ("wang2022-l5h5-same-as-l5h1", "KB109")
    assert silenced.suppress_reason == "L5H1 is this head under the paper's numbering"
    assert shown.active == result.findings
    assert shown.summary() == result.summary()


def test_an_unused_suppression_is_kb199_and_a_used_one_is_not(example) -> None:  # type: ignore[no-untyped-def]
    # Only KB199 is reported, but every rule still runs: the KB109 suppression above stays "used".
    result = audit(example, rules=("KB199",))
    assert pairs(result) == [("olsson2022-large-models", "KB199")]
    assert result.findings[0].message == "suppression of KB105 matches no finding; remove it"


def test_kb199_can_itself_be_suppressed(store, load) -> None:  # type: ignore[no-untyped-def]
    load(RULES_BASE, {"claims": [claim("c", stated_kind="behavioral", evidence=[{"run": "beh-1"}], suppress=[
        {"code": "KB109", "reason": "stale"}, {"code": "KB199", "reason": "cleaning up later"}])]})
    assert audit(store).findings == []
    [f] = audit(store, include_suppressed=True).findings
    assert (f.code, f.suppressed, f.suppress_reason) == ("KB199", True, "cleaning up later")


# --- severities ---------------------------------------------------------------------------------


def test_severities_are_configuration(example) -> None:  # type: ignore[no-untyped-def]
    default = {(f.claim, f.code): f.severity for f in audit(example).findings}
    assert default[("wang2022-l5h5-induction", "KB101")] == Severity.error
    changed = audit(example, severities={"KB101": "info", "KB110": Severity.error})
    got = {(f.claim, f.code): f.severity for f in changed.findings}
    assert got[("wang2022-l5h5-induction", "KB101")] == Severity.info
    assert got[("wang2022-l5h5-induction", "KB110")] == Severity.error
    rules = {r.code: r for r in changed.rules}
    assert (rules["KB101"].severity, rules["KB101"].default_severity) == (Severity.info, Severity.error)


def test_fail_on_compares_with_the_configured_severity(example) -> None:  # type: ignore[no-untyped-def]
    result = audit(example)
    assert result.fails("error") and result.fails("warning") and result.fails("info")
    assert not result.fails("never")
    quiet = audit(example, severities={"KB101": "warning", "KB107": "warning"})
    assert not quiet.fails("error") and quiet.fails("warning")


# --- scope and filters --------------------------------------------------------------------------


def test_paper_and_concept_filters(example) -> None:  # type: ignore[no-untyped-def]
    wang = audit(example, paper="wang2022")
    assert {f.paper for f in wang.findings} == {"wang2022"} and wang.claims_audited == 4
    assert audit(example, concept="induction-head").claims_audited == 7
    assert audit(example, paper="olsson2022", concept="induction-head").claims_audited == 3
    assert audit(example, rules=("kb107",)).findings[0].code == "KB107"


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"paper": "nobody2099"}, "no source with key 'nobody2099'"),
        ({"concept": "unicorn"}, "no concept with key 'unicorn'"),
        ({"rules": ("KB198",)}, "no audit rule 'KB198'"),
        ({"severities": {"KB999": "error"}}, "no audit rule 'KB999'"),
    ],
)
def test_unknown_keys_and_codes_are_usage_errors(example, options, message) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(NotFound, match=message):
        audit(example, **options)


def test_a_paper_audit_follows_citations_into_other_papers(store, load) -> None:  # type: ignore[no-untyped-def]
    load(RULES_BASE, {"claims": [
        claim("a-mechanism", stated_kind="mechanistic", evidence=[{"run": "mech-1"}]),
        claim("a-unsupported", stated_kind="mechanistic"),
        claim("b-relies-on-a", source="paper-b", stated_kind="mechanistic", evidence=[
            {"run": "beh-1"}, {"claim": "a-mechanism"}]),
        claim("b-relies-on-nothing", source="paper-b", stated_kind="mechanistic", evidence=[
            {"claim": "a-unsupported"}]),
    ]})
    result = audit(store, paper="paper-b")
    assert result.claims_audited == 2
    assert pairs(result) == [("b-relies-on-nothing", "KB105")]


def test_findings_are_sorted_by_paper_claim_code(example) -> None:  # type: ignore[no-untyped-def]
    findings = audit(example, include_suppressed=True).findings
    keys = [(f.paper, f.claim, f.code) for f in findings]
    assert keys == sorted(keys)


# --- baselines ----------------------------------------------------------------------------------


def test_baseline_round_trip_reports_only_new_findings(example, load, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    first = audit(example)
    baseline = tmp_path / "baseline.json"
    assert write_baseline(baseline, first.baseline_findings()) == len(first.findings) == 7
    known = read_baseline(baseline)

    again = audit(example, baseline=known)
    assert again.findings == [] and len(again.known) == 7 and again.summary()["baselined"] == 7
    assert not again.fails("info")
    assert {f.fingerprint for f in again.baseline_findings()} == known

    load({"claims": [{"key": "wang2022-new", "source": "wang2022", "concept": "induction-head", "text": "New.",
                      "stated_kind": "mechanistic", "evidence": [{"run": "l6h9-prefix"}]}]})
    later = audit(example, baseline=known)
    assert pairs(later) == [("wang2022-new", "KB101")]


def test_fingerprints_ignore_the_message_but_not_the_anchor(example) -> None:  # type: ignore[no-untyped-def]
    f = audit(example).findings[0]
    assert dataclasses.replace(f, message="reworded").fingerprint == f.fingerprint
    assert dataclasses.replace(f, anchor="other-run").fingerprint != f.fingerprint
    assert dataclasses.replace(f, claim="other-claim").fingerprint != f.fingerprint


def test_a_bad_baseline_file_is_a_usage_error(tmp_path: Path) -> None:
    bad = tmp_path / "b.json"
    bad.write_text('{"findings": []}')
    with pytest.raises(InvalidInput, match="not a kb audit baseline"):
        read_baseline(bad)
    with pytest.raises(InvalidInput, match="cannot read"):
        read_baseline(tmp_path / "missing.json")


# --- the view: read-only, set-based -------------------------------------------------------------


def test_the_view_is_plain_frozen_data(example) -> None:  # type: ignore[no-untyped-def]
    with example.session() as session:
        view = load_view(session)
    c = view.claims["wang2022-l6h9-induction"]
    assert isinstance(c, ClaimView) and not hasattr(c, "__dict__")
    with pytest.raises(dataclasses.FrozenInstanceError):
        c.stated_kind = "behavioral"  # type: ignore[misc]
    with pytest.raises(TypeError):
        view.claims["x"] = c  # type: ignore[index]
    assert c.definition is not None and c.definition.ref == "induction-head/olsson2022"
    assert [(k.method, k.op, k.threshold) for k in c.definition.criteria] == [
        ("prefix-matching-score", ">=", 0.5), ("copying-score", ">=", 0.5)]
    assert c.concept_definition_kinds == {"behavioral", "mechanistic"}
    [run] = c.evidence
    assert (run.run, run.run_kind, run.method, run.subject, run.value, run.stance) == (
        "l6h9-prefix", "behavioral", "prefix-matching-score", "gpt2-small/L6H9", 0.41, "supports")
    assert (c.origin_file, c.origin_line) == ("tests/fixtures/audit/induction-heads.yaml", 52)


def _many_claims(n: int) -> dict:  # type: ignore[type-arg]
    runs = [{"key": f"r{i}", "method": ("prefix-matching-score", "k-composition-score")[i % 2], "value": 0.3}
            for i in range(n)]
    claims = [
        claim(f"c{i}", source=("paper-a", "paper-b")[i % 2], definition="induction-head/behavioral",
              evidence=[{"run": f"r{i}"}, {"run": f"r{(i + 1) % n}", "stance": "contradicts"}]
              + ([{"claim": f"c{i - 1}"}] if i else []),
              suppress=[{"code": "KB110", "reason": "noted"}])
        for i in range(n)
    ]
    return {"runs": runs, "claims": claims}


@pytest.mark.parametrize("options", [{}, {"paper": "paper-a"}, {"concept": "induction-head"}])
def test_query_count_does_not_grow_with_claims(store, load, options) -> None:  # type: ignore[no-untyped-def]
    load(RULES_BASE)
    counts = []
    for n in (3, 60):
        load(_many_claims(n))
        statements: list[str] = []

        def count(_conn, _cursor, statement, *_args, seen=statements) -> None:  # type: ignore[no-untyped-def]
            seen.append(statement)

        event.listen(store.engine, "before_cursor_execute", count)
        try:
            result = audit(store, **options)
        finally:
            event.remove(store.engine, "before_cursor_execute", count)
        assert result.claims_audited >= n // 2
        counts.append(len(statements))
    assert counts[0] == counts[1] <= 10, counts  # 5-7 for the claims, 2 for the concept graph (KB111)
