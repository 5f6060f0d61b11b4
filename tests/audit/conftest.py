"""Fixtures of the audit tests: knowledge bases imported from YAML on both backends."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.audit.documents import EXAMPLE, REPO


@pytest.fixture
def load(store, tmp_path: Path) -> Callable[..., Any]:  # type: ignore[no-untyped-def]
    """Import documents (dicts) and files into the test's store: load(RULES_BASE, {"claims": [...]})."""
    from kb.services.importing import import_files

    counter = iter(range(1_000_000))

    def _load(*items: Path | dict[str, Any]) -> None:
        paths = []
        for item in items:
            if isinstance(item, dict):
                path = tmp_path / f"doc{next(counter)}.yaml"
                path.write_text(yaml.safe_dump(item, sort_keys=False), encoding="utf-8")
                item = path
            paths.append(item)
        import_files(store, paths)

    return _load


@pytest.fixture
def example(store, load, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """The worked example (tests/fixtures/audit/induction-heads.yaml), imported by a relative path."""
    monkeypatch.chdir(REPO)
    load(EXAMPLE)
    return store

