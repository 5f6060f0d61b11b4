"""The audit: where a claim's stated sense (behavioral or mechanistic) and its evidence part ways.

Public API: `run_audit(session, AuditOptions(...)) -> AuditResult`, whose `findings` are
`Finding`s; `AuditResult.summary()` and `.to_json()`; `kb.audit.sarif.to_sarif(result)`.
Rules live one per module in `kb.audit.rules`, registered in `kb.audit.registry`.
"""

from kb.audit.engine import AuditOptions, run_audit
from kb.audit.findings import AuditResult, Finding, RuleInfo
from kb.audit.rules.base import Severity

__all__ = ["AuditOptions", "AuditResult", "Finding", "RuleInfo", "Severity", "run_audit"]
