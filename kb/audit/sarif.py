"""SARIF 2.1.0 output, for code-scanning tools and editors.

One run whose `tool.driver.rules` is the whole rule catalogue (with the configured severities),
and one result per finding. A claim imported from a file points at that file and line; every
result also names its claim as a logical location and carries the baseline fingerprint.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any
from urllib.parse import quote

from kb.audit.findings import AuditResult, Finding
from kb.audit.rules.base import Severity

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
FINGERPRINT_KEY = "kbAudit/v1"
_LEVELS = {Severity.error: "error", Severity.warning: "warning", Severity.info: "note"}


def artifact_uri(path: str) -> str:
    """A file path as a SARIF URI: absolute paths as file:// URIs, relative ones as relative references."""
    posix = path.replace("\\", "/")
    if PurePosixPath(posix).is_absolute():
        return "file://" + quote(posix)
    return quote(posix)


def to_sarif(result: AuditResult) -> dict[str, Any]:
    rule_index = {rule.code: i for i, rule in enumerate(result.rules)}
    rules = [
        {
            "id": rule.code,
            "name": rule.name,
            "shortDescription": {"text": rule.summary},
            "help": {"text": rule.documentation, "markdown": rule.documentation},
            "defaultConfiguration": {"level": _LEVELS[rule.severity]},
        }
        for rule in result.rules
    ]
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": "kb audit", "rules": rules}},
                "results": [_result(f, rule_index[f.code]) for f in result.findings],
            }
        ],
    }


def _result(finding: Finding, rule_index: int) -> dict[str, Any]:
    location: dict[str, Any] = {
        "logicalLocations": [
            {"name": finding.claim, "fullyQualifiedName": f"{finding.paper}/{finding.claim}", "kind": "object"}
        ]
    }
    if finding.origin_file:
        physical: dict[str, Any] = {"artifactLocation": {"uri": artifact_uri(finding.origin_file)}}
        if finding.origin_line:
            physical["region"] = {"startLine": finding.origin_line}
        location["physicalLocation"] = physical
    result: dict[str, Any] = {
        "ruleId": finding.code,
        "ruleIndex": rule_index,
        "level": _LEVELS[finding.severity],
        "message": {"text": f"{finding.claim}: {finding.message}"},
        "locations": [location],
        "partialFingerprints": {FINGERPRINT_KEY: finding.fingerprint},
        "properties": {"claim": finding.claim, "paper": finding.paper, "concept": finding.concept},
    }
    if finding.suppressed:
        result["suppressions"] = [{"kind": "inSource", "justification": finding.suppress_reason or ""}]
    return result
