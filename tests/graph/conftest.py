"""Fixtures of the graph tests: the small hand-made KB of `tests/fixtures/graph/small_kb.yaml`."""

from __future__ import annotations

from pathlib import Path

import pytest

SMALL_KB = Path(__file__).resolve().parent.parent / "fixtures" / "graph" / "small_kb.yaml"


@pytest.fixture
def small_store(store):  # type: ignore[no-untyped-def]
    """A store (SQLite and PostgreSQL) holding the small KB."""
    from kb.services.importing import import_files

    import_files(store, [SMALL_KB])
    return store


@pytest.fixture
def small_graph():  # type: ignore[no-untyped-def]
    """The small KB's concept graph, built from the file alone (no database)."""
    from kb.graph.build import concept_graph_from_changeset
    from kb.services.changeset import from_documents
    from kb.services.importing import load_files

    return concept_graph_from_changeset(from_documents(load_files([SMALL_KB])))


@pytest.fixture
def small_kb_cli(kb_init):  # type: ignore[no-untyped-def]
    """The CLI on a database holding the small KB."""
    result = kb_init("import", str(SMALL_KB))
    assert result.exit_code == 0, result.stderr
    return kb_init
