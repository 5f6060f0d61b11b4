"""`kb summary`: what the knowledge base holds and how its audit stands, in one look."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from kb.store import models as m
from kb.store.database import Store
from kb.store.migrate import require_current


def summarize(store: Store) -> dict[str, Any]:
    """Counts of every record type, definitions by kind and status, and audit findings by severity."""
    from kb.audit import AuditOptions, run_audit

    require_current(store)
    with store.session() as session:
        def count(model: Any) -> int:
            return session.scalar(select(func.count()).select_from(model)) or 0

        by_kind = dict(session.execute(select(m.Definition.kind, func.count()).group_by(m.Definition.kind)).all())
        by_status = dict(session.execute(select(m.Definition.status, func.count()).group_by(m.Definition.status)).all())
        audit = run_audit(session, AuditOptions()).summary()
        return {
            "concepts": count(m.Concept),
            "definitions": {
                "total": count(m.Definition),
                "behavioral": by_kind.get("behavioral", 0),
                "mechanistic": by_kind.get("mechanistic", 0),
                "refuted": by_status.get("refuted", 0),
                "contested": by_status.get("contested", 0),
            },
            "sources": count(m.Source),
            "methods": count(m.Method),
            "runs": count(m.Run),
            "claims": count(m.Claim),
            "findings": {severity: audit["by_severity"].get(severity, 0) for severity in ("error", "warning", "info")},
        }


def summary_lines(data: dict[str, Any]) -> list[str]:
    d, f = data["definitions"], data["findings"]
    return [
        f"concepts:    {data['concepts']}",
        f"definitions: {d['total']} ({d['behavioral']} behavioral, {d['mechanistic']} mechanistic; "
        f"{d['refuted']} refuted, {d['contested']} contested)",
        f"sources:     {data['sources']}",
        f"methods:     {data['methods']}",
        f"runs:        {data['runs']}",
        f"claims:      {data['claims']}",
        f"findings:    {f['error']} errors, {f['warning']} warnings, {f['info']} info (`kb audit` lists them)",
    ]
