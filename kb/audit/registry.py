"""The one registry of audit rules.

Adding a rule is one new module under `kb/audit/rules/` holding a class `Rule_KBnnn`, plus its
module name in `RULE_MODULES` below. Registration checks the class against the contract: the
code's form, the class name, a default severity, and no code registered twice.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from functools import cache

from kb.audit.rules.base import CODE_PATTERN, Rule, Severity
from kb.errors import NotFound

# One line per rule module, in code order. Codes are stable; gaps are rules still to come.
RULE_MODULES = (
    "kb101_mechanistic_claim_behavioral_evidence",
    "kb102_behavioral_claim_mechanistic_evidence",
    "kb103_text_reads_other_sense",
    "kb104_ambiguous_sense",
    "kb105_no_supporting_run",
    "kb106_unmeasured_criterion",
    "kb107_failed_criterion",
    "kb108_refuted_definition",
    "kb109_subject_mismatch",
    "kb110_contradicting_run",
    "kb111_rests_on_refuted_concept",
    "kb112_circular_support",
    "kb113_stated_kind_disagrees_with_definition",
    "kb199_unused_suppression",
)


class DuplicateRuleCode(ValueError):
    """Two rule classes claim the same code: a programming error, caught at registration."""


class Registry:
    """Rules by code; `register` refuses a code that is taken or a class that breaks the contract."""

    def __init__(self) -> None:
        self._rules: dict[str, type[Rule]] = {}

    def register(self, rule: type[Rule]) -> type[Rule]:
        code = getattr(rule, "code", None)
        if not isinstance(code, str) or not CODE_PATTERN.match(code):
            raise ValueError(f"{rule.__name__}: code {code!r} is not of the form KBnnn")
        if rule.__name__ != f"Rule_{code}":
            raise ValueError(f"{rule.__name__}: a rule class is named after its code (Rule_{code})")
        if not isinstance(getattr(rule, "default_severity", None), Severity):
            raise ValueError(f"{rule.__name__}: default_severity must be a Severity")
        if code in self._rules:
            raise DuplicateRuleCode(
                f"rule code {code} is registered twice ({self._rules[code].__module__} and {rule.__module__})"
            )
        self._rules[code] = rule
        return rule

    def __iter__(self) -> Iterator[type[Rule]]:
        return iter(sorted(self._rules.values(), key=lambda r: r.code))

    def __len__(self) -> int:
        return len(self._rules)

    def __contains__(self, code: object) -> bool:
        return code in self._rules

    def codes(self) -> list[str]:
        return sorted(self._rules)

    def get(self, code: str) -> type[Rule]:
        """The rule with this code (case-insensitive); NotFound names the known codes."""
        rule = self._rules.get(code.strip().upper())
        if rule is None:
            raise NotFound(f"no audit rule {code!r}; the rules are {', '.join(self.codes())} (`kb rules` lists them)")
        return rule


def rule_in_module(module_name: str) -> type[Rule]:
    """The one `Rule_*` class a rule module defines."""
    module = importlib.import_module(f"kb.audit.rules.{module_name}")
    found = [
        obj
        for name, obj in vars(module).items()
        if name.startswith("Rule_") and isinstance(obj, type) and issubclass(obj, Rule) and obj.__module__ == module.__name__
    ]
    if len(found) != 1:
        raise ValueError(f"rule module {module_name} defines {len(found)} Rule_* classes; it must define one")
    return found[0]


@cache
def default_registry() -> Registry:
    """Every rule kb ships."""
    registry = Registry()
    for module_name in RULE_MODULES:
        registry.register(rule_in_module(module_name))
    return registry
