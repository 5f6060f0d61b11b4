"""The rule contract: registry, class names, docstrings as documentation, generated docs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kb.audit import docs
from kb.audit.registry import RULE_MODULES, DuplicateRuleCode, Registry, default_registry, rule_in_module
from kb.audit.rules.base import DOC_SECTIONS, Rule, Severity
from kb.errors import NotFound

RULES_PACKAGE = Path(__file__).resolve().parents[2] / "kb" / "audit" / "rules"
ALL_RULES = list(default_registry())


def test_every_rule_module_is_registered_once_in_code_order() -> None:
    on_disk = sorted(p.stem for p in RULES_PACKAGE.glob("kb[0-9][0-9][0-9]_*.py"))
    assert sorted(RULE_MODULES) == on_disk
    assert list(RULE_MODULES) == sorted(RULE_MODULES)
    for module in RULE_MODULES:
        rule = rule_in_module(module)
        assert module.startswith(rule.code.lower() + "_"), f"{module} holds {rule.__name__}"


def test_the_issue_codes_and_default_severities() -> None:
    assert {r.code: r.default_severity.value for r in ALL_RULES} == {
        "KB101": "error", "KB102": "warning", "KB103": "info", "KB104": "warning", "KB105": "warning", "KB106": "warning",
        "KB107": "error", "KB108": "warning", "KB109": "warning", "KB110": "warning", "KB111": "warning",
        "KB112": "error",
        "KB113": "error", "KB199": "warning",
    }


def test_registry_rejects_a_duplicate_code() -> None:
    registry = Registry()
    registry.register(rule_in_module("kb101_mechanistic_claim_behavioral_evidence"))

    class Rule_KB101(Rule):  # noqa: N801 - the naming contract under test
        """Another rule with a taken code."""

        code = "KB101"
        name = "impostor"
        default_severity = Severity.info

    with pytest.raises(DuplicateRuleCode, match="KB101 is registered twice"):
        registry.register(Rule_KB101)


def test_registry_enforces_the_naming_contract() -> None:
    class Rule_KB900(Rule):  # noqa: N801
        """A rule."""

        code = "KB901"
        name = "mismatch"
        default_severity = Severity.info

    class Rule_X1(Rule):  # noqa: N801
        """A rule."""

        code = "X1"
        name = "bad-code"
        default_severity = Severity.info

    with pytest.raises(ValueError, match="named after its code"):
        Registry().register(Rule_KB900)
    with pytest.raises(ValueError, match="not of the form"):
        Registry().register(Rule_X1)


def test_unknown_code_is_not_found_and_lookup_ignores_case() -> None:
    assert default_registry().get("kb101").code == "KB101"
    with pytest.raises(NotFound, match="no audit rule 'KB198'"):
        default_registry().get("KB198")


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda r: r.code)
def test_docstring_is_the_documentation(rule: type[Rule]) -> None:
    doc = rule.documentation()
    summary, _, body = doc.partition("\n")
    assert summary.strip().endswith("."), "the summary is one sentence on the first line"
    assert not _.strip() and body.startswith("\n"), "a blank line follows the summary"
    headings = re.findall(r"^## (.+)$", body, flags=re.MULTILINE)
    assert headings == list(DOC_SECTIONS)
    sections = dict(zip(headings, re.split(r"^## .+$", body, flags=re.MULTILINE)[1:], strict=True))
    for name, text in sections.items():
        assert text.strip(), f"section {name!r} is empty"
    why = sections["Why it matters"].lower()
    assert "behavioral" in why and "mechanistic" in why, "why it matters cites the behavioral/mechanistic distinction"
    for example in ("Failing example", "Passing example"):
        assert "```yaml" in sections[example], f"{example} is a YAML snippet"


def test_docs_rules_page_is_current() -> None:
    assert docs.RULES_PAGE.read_text(encoding="utf-8") == docs.rules_page(), (
        "docs/rules.md is stale: run `make docs`"
    )


def test_readme_rule_table_is_current() -> None:
    readme = docs.README.read_text(encoding="utf-8")
    assert docs.TABLE_START in readme, "README.md has the generated rule table"
    assert readme == docs.readme_with_table(readme), "README.md's rule table is stale: run `make docs`"
