"""Paths and record builders the audit tests share (fixtures are in conftest.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures"
EXAMPLE = Path("tests/fixtures/audit/induction-heads.yaml")  # relative: origins in golden files stay stable
RULES_BASE = FIXTURES / "rules" / "_base.yaml"


def claim(key: str, source: str = "paper-a", concept: str = "induction-head", **fields: Any) -> dict[str, Any]:
    """A claim record for documents imported on top of tests/fixtures/rules/_base.yaml."""
    return {"key": key, "source": source, "concept": concept, "text": f"Claim {key}.", **fields}
