"""Baselines, so a group can adopt the audit gradually.

`kb audit --write-baseline FILE` records today's findings by fingerprint (rule code, claim, and
what tells the rule's findings on that claim apart, such as a run key; never the message, so
rewording a message keeps baselines valid). `kb audit --baseline FILE` then reports only
findings whose fingerprint is not in the file.

The file is JSON, sorted, one entry per finding, with the code and claim beside each
fingerprint so that it reads well in review.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from kb.audit.findings import Finding
from kb.errors import InvalidInput, Location

BASELINE_VERSION = 1


def baseline_document(findings: Iterable[Finding]) -> dict[str, Any]:
    entries = {f.fingerprint: {"fingerprint": f.fingerprint, "code": f.code, "claim": f.claim} for f in findings}
    return {
        "kb_audit_baseline": BASELINE_VERSION,
        "findings": sorted(entries.values(), key=lambda e: (e["claim"], e["code"], e["fingerprint"])),
    }


def write_baseline(path: Path, findings: Iterable[Finding]) -> int:
    """Write the baseline file (atomically); returns how many findings it records."""
    document = baseline_document(findings)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    tmp.replace(path)
    return len(document["findings"])


def read_baseline(path: Path) -> frozenset[str]:
    """The fingerprints a baseline file records."""
    where = Location(file=str(path))
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InvalidInput([(where, f"cannot read the baseline: {exc.strerror}")]) from None
    except ValueError as exc:
        raise InvalidInput([(where, f"not a kb audit baseline (invalid JSON: {exc})")]) from None
    if not isinstance(document, dict) or document.get("kb_audit_baseline") != BASELINE_VERSION:
        raise InvalidInput([(where, "not a kb audit baseline (write one with `kb audit --write-baseline FILE`)")])
    entries = document.get("findings")
    if not isinstance(entries, list) or not all(
        isinstance(e, dict) and isinstance(e.get("fingerprint"), str) for e in entries
    ):
        raise InvalidInput([(where, "a baseline's 'findings' is a list of {fingerprint, code, claim}")])
    return frozenset(e["fingerprint"] for e in entries)
