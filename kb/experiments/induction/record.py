"""Turn per-head measurements into a kb interchange document: methods, runs and claims.

The document holds no concept and no definitions: `induction-head` and its definitions
`olsson2022` (behavioral) and `elhage2021` (mechanistic), with their criteria, live in kb's seed
data, and the import refuses a document whose claims name a definition it does not know.
"""

from __future__ import annotations

import datetime as _dt
import platform
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from schema import Claim, Document, Evidence, Kind, Method, Run, Source, Stance

CONCEPT = "induction-head"

# Method keys and kinds are fixed by kb's seed data; names and descriptions are this module's.
METHODS: tuple[Method, ...] = (
    Method(
        key="prefix-matching-score",
        name="Prefix-matching score",
        kind=Kind.behavioral,
        description=(
            "On random tokens repeated several times, the mean attention a head pays from each token to "
            "the tokens that followed its earlier occurrences (olsson2022)."
        ),
    ),
    Method(
        key="copying-score",
        name="Copying score",
        kind=Kind.behavioral,
        description=(
            "Share of a head's direct logit raise (mean-subtracted, negative parts dropped) that goes to "
            "the token it attends to, rescaled from [0, 1] to [-1, 1] (after olsson2022)."
        ),
    ),
    Method(
        key="previous-token-score",
        name="Previous-token score",
        kind=Kind.behavioral,
        description="Mean attention a head pays from each position to the position just before it.",
    ),
    Method(
        key="k-composition-score",
        name="K-composition score",
        kind=Kind.mechanistic,
        description=(
            "||W_QK W_OV||_F / (||W_QK||_F ||W_OV||_F) of a head's QK circuit with an earlier head's OV "
            "circuit, minus the mean for random matrices of the same shapes (elhage2021); a head's score "
            "is its maximum over earlier heads."
        ),
    ),
    Method(
        key="ov-copying-eigenvalue-score",
        name="OV copying eigenvalue score",
        kind=Kind.mechanistic,
        description=(
            "sum(eigenvalues) / sum(|eigenvalues|) of the token-to-logit OV circuit W_U W_OV W_E: "
            "1 for a circuit that copies, -1 for one that suppresses (elhage2021)."
        ),
    ),
)

# Which measured methods each definition's criteria name (the criteria themselves live in the seed
# data); used to attach evidence to claims.
DEFINITION_METHODS: dict[str, tuple[str, ...]] = {
    "olsson2022": ("prefix-matching-score", "copying-score"),
    "elhage2021": ("k-composition-score", "ov-copying-eigenvalue-score"),
}
DEFINITION_KINDS: dict[str, Kind] = {"olsson2022": Kind.behavioral, "elhage2021": Kind.mechanistic}


@dataclass(frozen=True)
class Measurement:
    """One value of one method on one head, with what is needed to reproduce it."""

    layer: int
    head: int
    method: str
    value: float
    params: dict[str, Any]
    dataset: str | None


def head_label(layer: int, head: int) -> str:
    return f"L{layer}H{head}"


def subject(model_key: str, layer: int, head: int) -> str:
    return f"{model_key}/{head_label(layer, head)}"


def run_key(model_key: str, layer: int, head: int, method: str) -> str:
    return f"{model_key}-{head_label(layer, head)}-{method}"


def build_document(
    model_key: str,
    title: str,
    measurements: Sequence[Measurement],
    common_params: dict[str, Any],
    heads: Sequence[tuple[int, int]],
    year: int | None = None,
) -> Document:
    """Methods, one source (the experiment), a run per measurement, two claims per head.

    `common_params` (seed, steps, config, versions) go into every run's params, under the
    measurement's own params. Each claim cites the head's runs of its definition's methods.
    """
    source = Source(key=model_key, title=title, year=year or _dt.date.today().year)
    runs = []
    by_head: dict[tuple[int, int], dict[str, str]] = {}
    for m in measurements:
        key = run_key(model_key, m.layer, m.head, m.method)
        runs.append(
            Run(
                key=key,
                method=m.method,
                subject=subject(model_key, m.layer, m.head),
                value=m.value,
                dataset=m.dataset,
                params={**common_params, **m.params},
                source=model_key,
            )
        )
        by_head.setdefault((m.layer, m.head), {})[m.method] = key
    claims = []
    for layer, head in heads:
        for definition, methods in DEFINITION_METHODS.items():
            cited = [by_head.get((layer, head), {}).get(method) for method in methods]
            claims.append(
                Claim(
                    key=f"{model_key}-{head_label(layer, head)}-{CONCEPT}-{definition}",
                    source=model_key,
                    concept=CONCEPT,
                    definition=f"{CONCEPT}/{definition}",
                    subject=subject(model_key, layer, head),
                    stated_kind=DEFINITION_KINDS[definition],
                    text=_claim_text(model_key, layer, head, definition),
                    evidence=[Evidence(run=key, stance=Stance.supports) for key in cited if key is not None],
                )
            )
    return Document(sources=[source], methods=list(METHODS), runs=runs, claims=claims)


def library_versions() -> dict[str, str]:
    import numpy
    import torch

    return {"python": platform.python_version(), "torch": torch.__version__, "numpy": numpy.__version__}


def _claim_text(model_key: str, layer: int, head: int, definition: str) -> str:
    name = f"Head {head_label(layer, head)} of {model_key}"
    if definition == "olsson2022":
        return (
            f"{name} is an induction head in olsson2022's behavioral sense: on repeated random tokens "
            "it attends to the token that followed the current token's earlier occurrence and raises "
            "that token's logit."
        )
    return (
        f"{name} is an induction head in elhage2021's mechanistic sense: its keys are composed from "
        "an earlier head's output (K-composition) and its OV circuit copies tokens."
    )
