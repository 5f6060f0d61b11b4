"""What an audit returns: findings, the rule catalogue it ran with, and a summary.

Every output format (table, JSON, SARIF) reads the same `AuditResult`, so they never disagree.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from kb.audit.rules.base import Severity

FAIL_ON_NEVER = "never"


@dataclass(frozen=True, slots=True)
class Finding:
    """One rule violated by one claim."""

    code: str
    severity: Severity
    claim: str
    paper: str
    concept: str
    message: str
    suppressed: bool = False
    suppress_reason: str | None = None
    origin_file: str | None = None
    origin_line: int | None = None
    # What tells this finding apart from the same rule's others on the claim (a run, a method).
    anchor: str = ""

    @property
    def fingerprint(self) -> str:
        """Stable identity for baselines: the code, the claim and the anchor, never the message."""
        return hashlib.sha256(f"{self.code}\0{self.claim}\0{self.anchor}".encode()).hexdigest()[:20]

    def sort_key(self) -> tuple[str, str, str, str, str]:
        return (self.paper, self.claim, self.code, self.anchor, self.message)

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity.value,
            "claim": self.claim,
            "paper": self.paper,
            "concept": self.concept,
            "message": self.message,
            "suppressed": self.suppressed,
            "suppress_reason": self.suppress_reason,
            "origin_file": self.origin_file,
            "origin_line": self.origin_line,
            "fingerprint": self.fingerprint,
        }


@dataclass(frozen=True, slots=True)
class RuleInfo:
    """A registered rule as this audit ran it: its configured severity and documentation."""

    code: str
    name: str
    severity: Severity
    default_severity: Severity
    summary: str
    documentation: str


@dataclass
class AuditResult:
    """The findings to report, sorted by paper, claim, code; suppressed ones only when asked for.

    `known` holds the findings a baseline recognised and left out of `findings`.
    """

    findings: list[Finding]
    rules: list[RuleInfo]
    claims_audited: int
    suppressed_count: int = 0
    known: list[Finding] = field(default_factory=list)

    @property
    def active(self) -> list[Finding]:
        """Reported findings that are not suppressed: what counts for `--fail-on`."""
        return [f for f in self.findings if not f.suppressed]

    def baseline_findings(self) -> list[Finding]:
        """Today's unsuppressed findings, including those a baseline left out: what a new baseline records."""
        return sorted(self.active + self.known, key=Finding.sort_key)

    def fails(self, fail_on: str) -> bool:
        """Whether any reported, unsuppressed finding is at or above `fail_on` (`never`: no)."""
        if fail_on == FAIL_ON_NEVER:
            return False
        threshold = Severity(fail_on).rank
        return any(f.severity.rank >= threshold for f in self.active)

    def summary(self) -> dict[str, Any]:
        active = self.active
        by_severity = Counter(f.severity.value for f in active)
        return {
            "claims": self.claims_audited,
            "findings": len(active),
            "by_severity": {s.value: by_severity.get(s.value, 0) for s in sorted(Severity, key=lambda s: -s.rank)},
            "by_code": dict(sorted(Counter(f.code for f in active).items())),
            "claims_with_findings": len({f.claim for f in active}),
            "suppressed": self.suppressed_count,
            "baselined": len(self.known),
        }

    def to_json(self) -> dict[str, Any]:
        return {"findings": [f.to_json() for f in self.findings], "summary": self.summary()}
