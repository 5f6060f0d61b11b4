"""Every rule against its YAML fixture (tests/fixtures/rules/KBnnn.yaml), on both backends.

A fixture is a small interchange `document`, imported together with `_base.yaml`, and the
`expected` (claim, code) pairs the audit reports for the fixture's `rule`. Claims named `fail-*`
must be flagged and `pass-*` must not; other claims are helpers (cited claims, say).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from kb.audit import AuditOptions, run_audit
from kb.audit.registry import default_registry
from kb.services.importing import import_files
from tests.audit.documents import FIXTURES

RULES_DIR = FIXTURES / "rules"
RULE_FIXTURES = sorted(RULES_DIR.glob("KB*.yaml"))


def test_every_rule_has_a_fixture_and_every_fixture_a_rule() -> None:
    assert [p.stem for p in RULE_FIXTURES] == default_registry().codes()


@pytest.mark.parametrize("fixture", RULE_FIXTURES, ids=lambda p: p.stem)
def test_rule_fixture(store, fixture: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    case = yaml.safe_load(fixture.read_text(encoding="utf-8"))
    assert case["rule"] == fixture.stem
    document = tmp_path / f"{fixture.stem}.yaml"
    document.write_text(yaml.safe_dump(case["document"], sort_keys=False), encoding="utf-8")
    import_files(store, [RULES_DIR / "_base.yaml", document])

    with store.session() as session:
        result = run_audit(session, AuditOptions(rules=(case["rule"],)))

    expected = sorted((claim, code) for claim, code in case["expected"])
    assert sorted((f.claim, f.code) for f in result.findings) == expected

    claims = {c["key"] for c in case["document"]["claims"]}
    flagged = {claim for claim, _ in expected}
    assert flagged and claims - flagged, "a fixture has failing and passing cases"
    assert {c for c in claims if c.startswith("fail-")} == flagged
    assert not {c for c in claims if c.startswith("pass-")} & flagged
