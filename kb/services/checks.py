"""`kb db check`: consistency checks over the whole database.

A check is a function `(session) -> list[Problem]`; modules register theirs with `@register`.
`registered_checks()` imports the modules listed in `CHECK_MODULES` first, so a check is found
without the CLI knowing where it lives. Checks only read.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from kb.store.database import Store


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the stored data: which check found it, about which record, and what."""

    check: str
    record: str
    message: str

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


Check = Callable[["Session"], list[Problem]]

CHECKS: list[Check] = []

# Modules whose import registers checks.
CHECK_MODULES = ("kb.graph.validate",)


def register(check: Check) -> Check:
    """Decorator: add a check to `kb db check` (once, however often its module is imported)."""
    if check not in CHECKS:
        CHECKS.append(check)
    return check


def registered_checks() -> list[Check]:
    for name in CHECK_MODULES:
        importlib.import_module(name)
    return list(CHECKS)


def run_checks(store: Store) -> list[Problem]:
    """Every registered check on the database, problems sorted."""
    from kb.store.migrate import require_current

    require_current(store)
    problems: list[Problem] = []
    with store.session() as session:
        for check in registered_checks():
            problems.extend(check(session))
    return sorted(problems)
