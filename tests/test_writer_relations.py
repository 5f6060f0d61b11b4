"""`narrower` is stored as the inverse `broader` edge, whatever the order of the concepts."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import aliased

from kb.services.importing import import_files
from kb.store import models as m

DOC = """\
kb: 1
concepts:
  - key: attention-head
    name: Attention head
    relations: [{type: narrower, target: previous-token-head}]
  - key: previous-token-head
    name: Previous-token head
"""


def test_narrower_edge_survives_the_narrower_concepts_own_import(store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "kb.yaml"
    path.write_text(DOC)
    import_files(store, [path])
    source, target = aliased(m.Concept), aliased(m.Concept)
    with store.session() as session:
        edges = session.execute(
            select(source.key, m.ConceptRelation.type, target.key)
            .join(source, m.ConceptRelation.concept_id == source.id)
            .join(target, m.ConceptRelation.target_id == target.id)
        ).all()
    assert [tuple(e) for e in edges] == [("previous-token-head", "broader", "attention-head")]
