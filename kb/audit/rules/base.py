"""What every audit rule is: a code, a default severity, a check, and its docstring as documentation.

A rule reads one claim's prepared facts (`kb.audit.facts.ClaimFacts`) and yields violations;
the engine turns them into findings, applies suppressions and severities from configuration.
Rules never see a database session, so they cannot write.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from kb.audit.facts import ClaimFacts

CODE_PATTERN = re.compile(r"^KB[0-9]{3}$")

# The sections every rule's docstring has, in this order, after its one-line summary.
DOC_SECTIONS = ("What it flags", "Why it matters", "Failing example", "Passing example")


class Severity(StrEnum):
    """How much a finding matters; `kb audit --fail-on` compares against this order."""

    info = "info"
    warning = "warning"
    error = "error"

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {Severity.info: 0, Severity.warning: 1, Severity.error: 2}


@dataclass(frozen=True, slots=True)
class Violation:
    """One thing a rule found wrong with a claim.

    `anchor` names what, besides the rule and the claim, tells this violation apart from the
    rule's others on the same claim (a run key, a method key); it is part of the baseline
    fingerprint, the message is not, so rewording a message keeps baselines valid.
    """

    message: str
    anchor: str = ""


class Rule:
    """Base of every audit rule. Subclasses are named `Rule_<code>` and documented by their docstring."""

    code: ClassVar[str]
    name: ClassVar[str]
    default_severity: ClassVar[Severity]

    def check(self, claim: ClaimFacts) -> Iterator[Violation]:
        """The violations of this rule on one claim (none when it passes)."""
        raise NotImplementedError

    @classmethod
    def documentation(cls) -> str:
        """The rule's docstring, dedented: summary line, then the sections in DOC_SECTIONS."""
        return inspect.cleandoc(cls.__doc__ or "")

    @classmethod
    def summary(cls) -> str:
        """The docstring's first line."""
        return cls.documentation().split("\n", 1)[0].strip()


class SuppressionRule(Rule):
    """A rule about the claim's suppressions themselves; it runs after every other rule."""

    def check(self, claim: ClaimFacts) -> Iterator[Violation]:
        return iter(())

    def check_suppressions(
        self, claim: ClaimFacts, raised: set[str], known: set[str]
    ) -> Iterator[Violation]:
        """`raised`: codes the other rules found on this claim; `known`: every registered code."""
        raise NotImplementedError


def key_list(keys: Iterable[str], limit: int = 5) -> str:
    """`r1, r2, r3` or `r1, r2, r3, r4, r5 and 7 more`: keys for a message, bounded in length."""
    keys = list(keys)
    shown = ", ".join(keys[:limit])
    return shown if len(keys) <= limit else f"{shown} and {len(keys) - limit} more"
