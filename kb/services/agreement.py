"""The agreement matrix of a concept, read from the store (the logic is `kb.agreement`)."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import selectinload

import schema
from kb.agreement import Agreement, compute_agreement
from kb.errors import KbError
from kb.services import catalog
from kb.services.references import existing_keys
from kb.store import models as m
from kb.store.database import Store
from kb.store.migrate import require_current


class NothingToCompare(KbError):
    """A concept with fewer than two definitions that have criteria: there is no agreement to show."""


def concept_agreement(store: Store, concept: str) -> Agreement:
    """Which of `concept`'s definitions every measured subject satisfies, and how they overlap.

    The definitions are the concept's, with their criteria; the measurements are every run with
    a subject whose method some criterion names. A subject measured several times with one
    method must meet a criterion with every value (see `kb.agreement.judge`).
    """
    require_current(store)
    with store.session() as session:
        definitions = [catalog.definition_record(d) for d in catalog.list_definitions(session, concept)]
        judging = [d for d in definitions if d.criteria]
        if len(judging) < 2:
            raise NothingToCompare(
                f"concept {concept!r} has {len(judging)} definition(s) with criteria; "
                "agreement compares two or more (add criteria with `kb definition edit`)"
            )
        methods = sorted({c.method for d in judging for c in d.criteria})
        runs = session.scalars(
            select(m.Run)
            .join(m.Run.method)
            .where(m.Method.key.in_(methods), m.Run.subject.is_not(None))
            .options(selectinload(m.Run.method))
            .order_by(m.Run.key)
        ).all()
        measurements: dict[tuple[str, str], list[float | None]] = defaultdict(list)
        for run in runs:
            measurements[(run.subject, run.method.key)].append(run.value)  # type: ignore[index]
    return compute_agreement(judging, measurements, concept=concept)


def missing_definitions(store: Store, refs: list[str]) -> list[str]:
    """Those of `refs` (`concept/key`) that the store does not hold, in the order given."""
    require_current(store)
    with store.session() as session:
        found = existing_keys(session, "definition", refs)
    return [ref for ref in refs if ref not in found]


def definition_records(store: Store, refs: list[str]) -> list[schema.Definition]:
    """The interchange records of the definitions `refs` (`concept/key`), in that order."""
    with store.session() as session:
        return [catalog.definition_record(catalog.get_definition(session, ref)) for ref in refs]
