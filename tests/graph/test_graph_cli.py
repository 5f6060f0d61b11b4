"""`kb graph ...` on the small hand-made KB, with exact expected outputs, on both backends."""

from __future__ import annotations

import io
import json
from pathlib import Path

import networkx as nx
import pytest

from tests.conftest import FIXTURES

GOLDEN = FIXTURES / "graph"


@pytest.fixture
def wide(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tables as wide as their content (rich reads COLUMNS when stdout is not a terminal)."""
    monkeypatch.setenv("COLUMNS", "120")


def test_neighbors_table(small_kb_cli, wide) -> None:  # type: ignore[no-untyped-def]
    result = small_kb_cli("graph", "neighbors", "rust", "--depth", "2")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == """\
┏━━━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━━━━━━━┳━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┓
┃ key        ┃ name       ┃ kinds       ┃ distance ┃ via                                                                       ┃
┡━━━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━━━━━━━╇━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┩
│ calx       │ Calx       │ mechanistic │ 1        │ rust -broader-> calx, rust -depends_on(rust/stahl)-> calx                 │
│ phlogiston │ Phlogiston │ mechanistic │ 2        │ calx -related-> phlogiston, calx -depends_on(calx/stahl1703)-> phlogiston │
└────────────┴────────────┴─────────────┴──────────┴───────────────────────────────────────────────────────────────────────────┘
"""


def test_neighbors_json_depth_one(small_kb_cli) -> None:  # type: ignore[no-untyped-def]
    result = small_kb_cli("graph", "neighbors", "k-composition", "--format", "json")
    assert json.loads(result.stdout) == [
        {"key": "attention-head", "name": "Attention head", "kinds": "mechanistic", "distance": 1,
         "via": ["k-composition -depends_on(k-composition/elhage2021)-> attention-head"]},
        {"key": "induction-head", "name": "Induction head", "kinds": "both", "distance": 1,
         "via": ["induction-head -depends_on(induction-head/elhage2021)-> k-composition",
                 "k-composition -part_of-> induction-head"]},
    ]


def test_neighbors_of_an_orphan_and_of_an_unknown_key(small_kb_cli) -> None:  # type: ignore[no-untyped-def]
    assert small_kb_cli("graph", "neighbors", "whale", "-f", "csv").stdout == "key,name,kinds,distance,via\n"
    result = small_kb_cli("graph", "neighbors", "unicorn")
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", "Error: no concept with key 'unicorn'\n")


def test_path_csv_shows_edges_as_they_point(small_kb_cli) -> None:  # type: ignore[no-untyped-def]
    result = small_kb_cli("graph", "path", "rust", "fire", "-f", "csv")
    assert result.exit_code == 0
    assert result.stdout == (
        "step,from,to,edges\n"
        '1,rust,calx,"rust -broader-> calx, rust -depends_on(rust/stahl)-> calx"\n'
        '2,calx,phlogiston,"calx -related-> phlogiston, calx -depends_on(calx/stahl1703)-> phlogiston"\n'
        "3,phlogiston,fire,fire -depends_on(fire/stahl-phlogiston)-> phlogiston\n"
    )


def test_path_between_unconnected_concepts_exits_1(small_kb_cli) -> None:  # type: ignore[no-untyped-def]
    result = small_kb_cli("graph", "path", "whale", "fire")
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", "no path between whale and fire\n")


def test_dependents_table(small_kb_cli, wide) -> None:  # type: ignore[no-untyped-def]
    result = small_kb_cli("graph", "dependents", "phlogiston")
    assert result.exit_code == 0
    assert result.stdout == """\
┏━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━┓
┃ type       ┃ key                   ┃ depth ┃ rests_on              ┃
┡━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━┩
│ definition │ calx/stahl1703        │ 1     │ phlogiston            │
│ definition │ fire/stahl-phlogiston │ 1     │ phlogiston            │
│ concept    │ calx                  │ 1     │ calx/stahl1703        │
│ concept    │ fire                  │ 1     │ fire/stahl-phlogiston │
│ claim      │ stahl-fire            │ 1     │ fire/stahl-phlogiston │
│ definition │ rust/stahl            │ 2     │ calx                  │
│ concept    │ rust                  │ 2     │ rust/stahl            │
│ claim      │ stahl-rust            │ 2     │ rust/stahl            │
└────────────┴───────────────────────┴───────┴───────────────────────┘
"""


def test_dependents_follow_citing_claims(small_kb_cli) -> None:  # type: ignore[no-untyped-def]
    result = small_kb_cli("graph", "dependents", "previous-token-head", "-f", "json")
    assert json.loads(result.stdout) == [
        {"type": "definition", "key": "induction-head/elhage2021", "depth": 1, "rests_on": ["previous-token-head"]},
        {"type": "concept", "key": "induction-head", "depth": 1, "rests_on": ["induction-head/elhage2021"]},
        {"type": "claim", "key": "olsson-ih", "depth": 1, "rests_on": ["induction-head/elhage2021"]},
        {"type": "claim", "key": "wang-ih", "depth": 2, "rests_on": ["olsson-ih"]},
    ]
    assert small_kb_cli("graph", "dependents", "whale", "-f", "csv").stdout == "type,key,depth,rests_on\n"


def test_stats_json(small_kb_cli) -> None:  # type: ignore[no-untyped-def]
    result = small_kb_cli("graph", "stats", "--top", "2", "--format", "json")
    assert json.loads(result.stdout) == {
        "concepts": 11,
        "edges": {"broader": 3, "part_of": 1, "related": 3, "depends_on": 7},
        "most_depended_upon": [
            {"key": "phlogiston", "name": "Phlogiston", "definitions": 2, "concepts": 2},
            {"key": "attention-head", "name": "Attention head", "definitions": 1, "concepts": 1},
        ],
        "orphans": ["whale"],
        "components": [
            {"size": 5, "concepts": ["attention-head", "in-context-learning", "induction-head", "k-composition",
                                     "previous-token-head"]},
            {"size": 5, "concepts": ["calx", "fire", "oxidation", "phlogiston", "rust"]},
        ],
    }


def test_stats_table(small_kb_cli, wide) -> None:  # type: ignore[no-untyped-def]
    result = small_kb_cli("graph", "stats", "--top", "1")
    assert result.stdout == """\
11 concepts; edges: 3 broader, 1 part_of, 3 related, 7 depends_on

Most depended-upon: 1
┏━━━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━━━━━━━┳━━━━━━━━━━┓
┃ key        ┃ name       ┃ definitions ┃ concepts ┃
┡━━━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━━━━━━━╇━━━━━━━━━━┩
│ phlogiston │ Phlogiston │ 2           │ 2        │
└────────────┴────────────┴─────────────┴──────────┘

Orphans (no edges): 1
┏━━━━━━━┓
┃ key   ┃
┡━━━━━━━┩
│ whale │
└───────┘

Components: 2
┏━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┓
┃ size ┃ concepts                                                                                ┃
┡━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┩
│ 5    │ attention-head, in-context-learning, induction-head, k-composition, previous-token-head │
│ 5    │ calx, fire, oxidation, phlogiston, rust                                                 │
└──────┴─────────────────────────────────────────────────────────────────────────────────────────┘
"""


@pytest.mark.parametrize("fmt", ["dot", "mermaid"])
def test_export_dot_and_mermaid_match_the_golden_files(small_kb_cli, fmt: str) -> None:  # type: ignore[no-untyped-def]
    suffix = {"dot": "dot", "mermaid": "mmd"}[fmt]
    assert small_kb_cli("graph", "export", "--format", fmt).stdout == (GOLDEN / f"small_kb.{suffix}").read_text()


def test_export_evidence_graph_as_mermaid(small_kb_cli) -> None:  # type: ignore[no-untyped-def]
    result = small_kb_cli("graph", "export", "--graph", "evidence", "-f", "mermaid")
    assert result.stdout == (GOLDEN / "small_kb_evidence.mmd").read_text()


def _load(fmt: str, text: str) -> nx.MultiDiGraph:
    if fmt == "graphml":
        return nx.read_graphml(io.BytesIO(text.encode()))
    if fmt == "gexf":
        return nx.read_gexf(io.BytesIO(text.encode()))
    return nx.node_link_graph(json.loads(text), edges="edges")


@pytest.mark.parametrize("fmt", ["graphml", "gexf", "json"])
@pytest.mark.parametrize("which", ["concepts", "evidence"])
def test_exports_load_back_in_networkx_with_the_same_nodes_and_edges(
    small_kb_cli, small_store, fmt: str, which: str, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    from kb.graph.build import concept_graph, evidence_graph

    with small_store.session() as session:
        original = concept_graph(session) if which == "concepts" else evidence_graph(session)
    out = tmp_path / f"graph.{fmt}"
    result = small_kb_cli("graph", "export", "--graph", which, "--format", fmt, "-o", str(out))
    assert result.exit_code == 0
    assert result.stderr == f"wrote the {which} graph as {fmt} to {out}\n"
    text = out.read_text(encoding="utf-8")
    loaded = _load(fmt, text)
    assert loaded.is_directed()
    assert sorted(loaded.nodes) == sorted(original.nodes)
    assert sorted(loaded.edges()) == sorted(original.edges())
    if loaded.is_multigraph():  # a file without parallel edges may load as a DiGraph
        assert sorted((u, v, str(k)) for u, v, k in loaded.edges(keys=True)) == sorted(
            (u, v, str(k)) for u, v, k in original.edges(keys=True)
        )
    assert which == "evidence" or loaded.is_multigraph()
    if which == "concepts":
        assert loaded.nodes["fire"]["kinds"] == "behavioral,mechanistic"
        assert loaded.nodes["phlogiston"]["refuted"] is True
        assert loaded.edges["rust", "calx", "depends_on:rust/stahl"]["definition"] == "rust/stahl"
    assert small_kb_cli("graph", "export", "--graph", which, "--format", fmt).stdout == text  # deterministic


def test_cli_export_choices_are_the_export_formats() -> None:
    from cli.graph import ExportChoice
    from kb.graph.export import ExportFormat

    assert [c.value for c in ExportChoice] == [f.value for f in ExportFormat]
