"""Cycles in broader/part_of: refused on import (naming the record and the cycle), reported by
`kb db check`."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from kb.errors import InvalidInput
from kb.graph.build import ConceptFacts, graph_from_facts
from kb.graph.validate import find_cycles
from kb.services.importing import import_files
from kb.store import models as m


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "cycle.yaml"
    path.write_text("kb: 1\nconcepts:\n" + text)
    return path


def _graph(*edges: tuple[str, str, str]):  # type: ignore[no-untyped-def]
    return graph_from_facts(ConceptFacts(relations={e: None for e in edges}))


def test_the_small_kb_has_no_cycles(small_graph) -> None:  # type: ignore[no-untyped-def]
    assert find_cycles(small_graph) == []


def test_cycles_are_named_one_per_component_from_the_smallest_key() -> None:
    graph = _graph(
        ("c", "broader", "a"), ("a", "broader", "b"), ("b", "broader", "c"), ("b", "broader", "a"),
        ("x", "part_of", "x"),
        ("p", "broader", "q"), ("q", "part_of", "p"),  # mixed types: not a cycle of either
        ("r", "related", "s"), ("s", "related", "r"),
    )
    assert [str(c) for c in find_cycles(graph)] == ["broader cycle: a -> b -> a", "part_of cycle: x -> x"]


def test_import_refuses_a_cycle_and_names_the_file_record_and_cycle(store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = _write(tmp_path, """\
  - {key: a, name: A, relations: [{type: broader, target: b}]}
  - {key: b, name: B, relations: [{type: broader, target: c}]}
  - {key: c, name: C, relations: [{type: related, target: a}, {type: broader, target: a}]}
""")
    with pytest.raises(InvalidInput) as caught:
        import_files(store, [path])
    assert str(caught.value) == f"{path}:3, record 'a', field 'relations[0]': broader cycle: a -> b -> c -> a"
    with store.session() as session:
        assert session.scalars(select(m.Concept.key)).all() == []  # nothing written


def test_a_narrower_relation_closing_a_cycle_is_refused(store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = _write(tmp_path, """\
  - {key: a, name: A, relations: [{type: broader, target: b}]}
  - {key: b, name: B, relations: [{type: narrower, target: a}, {type: broader, target: a}]}
""")
    with pytest.raises(InvalidInput, match=r"record 'a', field 'relations\[0\]': broader cycle: a -> b -> a"):
        import_files(store, [path])


def test_a_cycle_with_stored_edges_names_the_incoming_record(small_kb_cli) -> None:  # type: ignore[no-untyped-def]
    result = small_kb_cli("concept", "edit", "calx", "--relation", "part_of:rust", "--relation", "broader:rust")
    assert result.exit_code == 2
    assert result.stderr == "Error: record 'calx', field 'relations[1]': broader cycle: calx -> rust -> calx\n"
    assert small_kb_cli("concept", "edit", "calx", "--relation", "part_of:rust").exit_code == 0


def test_edges_an_import_replaces_do_not_count(small_store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # rust broader calx is stored; importing rust without it and calx broader rust is fine.
    path = _write(tmp_path, """\
  - {key: rust, name: Rust}
  - {key: calx, name: Calx, relations: [{type: broader, target: rust}]}
""")
    import_files(small_store, [path])


def test_db_check_is_clean_then_lists_a_stored_cycle(small_kb_cli, small_store) -> None:  # type: ignore[no-untyped-def]
    result = small_kb_cli("db", "check")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "no problems found\n")
    with small_store.session(write=True) as session:  # a cycle written behind the import's back
        ids = dict(session.execute(select(m.Concept.key, m.Concept.id)).all())
        session.add(m.ConceptRelation(concept_id=ids["attention-head"], type="broader", target_id=ids["induction-head"]))
        session.add(m.ConceptRelation(concept_id=ids["whale"], type="part_of", target_id=ids["whale"]))
    result = small_kb_cli("db", "check", "--format", "csv")
    assert result.exit_code == 1
    assert result.stdout == (
        "check,record,message\n"
        "graph.cycle,attention-head,broader cycle: attention-head -> induction-head -> attention-head\n"
        "graph.cycle,whale,part_of cycle: whale -> whale\n"
    )
    assert result.stderr == "2 problem(s) found\n"
    assert small_kb_cli("db", "check", "--format", "json").stdout.startswith('[\n  {\n    "check": "graph.cycle",')
