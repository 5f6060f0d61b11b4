"""Whether a measured value meets a definition's criterion: the one place for that rule.

Used by the audit (KB107), the agreement matrix and the report, so that "satisfies the
behavioral definition" means the same everywhere.
"""

from __future__ import annotations

import operator
from collections.abc import Callable

_OPERATORS: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge,
    ">": operator.gt,
    "<=": operator.le,
    "<": operator.lt,
    "==": operator.eq,
}


def satisfies(op: str, threshold: float | None, value: float | None) -> bool | None:
    """True/False when the value can be judged against the criterion, None when it cannot.

    A criterion without a threshold names a method to measure but sets no bar, and a run
    without a value records that something was measured without a number: neither can pass
    or fail, so both give None rather than a guess.
    """
    if op not in _OPERATORS:
        raise ValueError(f"unknown operator {op!r}; expected one of {', '.join(_OPERATORS)}")
    if threshold is None or value is None:
        return None
    return _OPERATORS[op](value, threshold)


def describe(method: str, op: str, threshold: float | None) -> str:
    """The criterion as users write it on the command line: `prefix-matching-score >= 0.5`."""
    return f"{method} {op}" if threshold is None else f"{method} {op} {threshold:g}"
