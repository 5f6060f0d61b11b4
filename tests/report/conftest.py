"""Fixtures for the report's unit tests: the small KB written as a site, on both backends."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.report.helpers import load, write


@pytest.fixture
def kb_store(store):  # type: ignore[no-untyped-def]
    """The report's small KB (tests/fixtures/report_kb.yaml) in a store on each backend."""
    load(store)
    return store


@pytest.fixture
def site(kb_store, tmp_path: Path) -> Path:
    """The small KB's site, written to tmp_path/site."""
    out = tmp_path / "site"
    write(kb_store, out)
    return out

