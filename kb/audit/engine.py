"""The audit: load the view, derive facts once, run every rule, then suppress, filter and sort.

Every rule runs on every audited claim, whatever `--rule` selects: whether a suppression is used
(KB199) must not depend on which codes are shown. Selection, baselines and `--include-suppressed`
only decide what is reported.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from sqlalchemy.orm import Session

from kb.audit.facts import ClaimFacts, derive_facts
from kb.audit.findings import AuditResult, Finding, RuleInfo
from kb.audit.registry import Registry, default_registry
from kb.audit.rules.base import Rule, Severity, SuppressionRule
from kb.audit.view import load_view
from kb.services import catalog

__all__ = ["AuditOptions", "AuditResult", "Finding", "run_audit"]


@dataclass(frozen=True)
class AuditOptions:
    """What to audit and how to report it (the options of `kb audit`).

    - `paper`, `concept`: audit only the claims of this source / about this concept (keys).
    - `rules`: report only these codes (default: all).
    - `severities`: severity per code, overriding the rules' defaults (from `kb.toml`).
    - `include_suppressed`: report suppressed findings too, marked `suppressed`.
    - `baseline`: fingerprints of known findings, left out of the report.
    """

    paper: str | None = None
    concept: str | None = None
    rules: tuple[str, ...] = ()
    severities: Mapping[str, Severity] = field(default_factory=dict)
    include_suppressed: bool = False
    baseline: frozenset[str] | None = None


def run_audit(session: Session, options: AuditOptions | None = None, registry: Registry | None = None) -> AuditResult:
    """Audit the claims in scope; raises NotFound for an unknown paper, concept or rule code."""
    options = options or AuditOptions()
    registry = registry or default_registry()
    selected = {registry.get(code).code for code in options.rules} or set(registry.codes())
    severities = {rule.code: rule.default_severity for rule in registry}
    for code, severity in options.severities.items():
        severities[registry.get(code).code] = Severity(severity)

    paper_id = catalog.get_source(session, options.paper).id if options.paper else None
    concept_id = catalog.get_concept(session, options.concept).id if options.concept else None
    facts = derive_facts(load_view(session, paper_id=paper_id, concept_id=concept_id))

    rules = [rule() for rule in registry]
    known_codes = set(registry.codes())
    findings = [f for claim in facts for f in _audit_claim(claim, rules, severities, known_codes) if f.code in selected]
    baseline = options.baseline or frozenset()
    known: list[Finding] = []
    reported: list[Finding] = []
    for f in findings:
        if baseline and not f.suppressed and f.fingerprint in baseline:
            known.append(f)
        elif options.include_suppressed or not f.suppressed:
            reported.append(f)
    return AuditResult(
        findings=sorted(reported, key=Finding.sort_key),
        rules=[
            RuleInfo(
                code=rule.code,
                name=rule.name,
                severity=severities[rule.code],
                default_severity=rule.default_severity,
                summary=rule.summary(),
                documentation=rule.documentation(),
            )
            for rule in registry
        ],
        claims_audited=len(facts),
        suppressed_count=sum(f.suppressed for f in findings),
        known=sorted(known, key=Finding.sort_key),
    )


def _audit_claim(
    claim: ClaimFacts, rules: Iterable[Rule], severities: Mapping[str, Severity], known_codes: set[str]
) -> list[Finding]:
    """Every finding on one claim, with suppressions applied (a suppression silences its code)."""
    view = claim.claim

    def finding(rule: Rule, message: str, anchor: str) -> Finding:
        return Finding(
            code=rule.code, severity=severities[rule.code], claim=view.key, paper=view.paper,
            concept=view.concept, message=message, origin_file=view.origin_file,
            origin_line=view.origin_line, anchor=anchor,
        )

    findings = [
        finding(rule, v.message, v.anchor)
        for rule in rules
        if not isinstance(rule, SuppressionRule)
        for v in rule.check(claim)
    ]
    raised = {f.code for f in findings}
    findings += [
        finding(rule, v.message, v.anchor)
        for rule in rules
        if isinstance(rule, SuppressionRule)
        for v in rule.check_suppressions(claim, raised, known_codes)
    ]
    reasons: dict[str, str] = {}
    for suppression in view.suppressions:
        reasons.setdefault(suppression.code, suppression.reason)
    return [
        replace(f, suppressed=True, suppress_reason=reasons[f.code]) if f.code in reasons else f for f in findings
    ]
