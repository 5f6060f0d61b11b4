"""`kb agreement CONCEPT`: which of a concept's definitions each measured subject satisfies."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

import typer

from cli.context import info, state
from cli.output import Format, print_json, render_rows

if TYPE_CHECKING:
    from kb.agreement import Agreement


class AgreementFormat(StrEnum):
    table = "table"
    json = "json"


VERDICT = {True: "yes", False: "no", None: "-"}


def agreement(
    ctx: typer.Context,
    concept: Annotated[str, typer.Argument(help="Concept key, e.g. induction-head.")],
    fmt: Annotated[AgreementFormat, typer.Option("--format", "-f", help="table or json.")] = AgreementFormat.table,
) -> None:
    """Show which of CONCEPT's definitions each measured subject satisfies, and how they overlap.

    Lists every subject measured against the criteria of two or more definitions with a verdict
    per definition (yes, no, or "-" when not judged), then, per pair of definitions, how many
    subjects each picks out, the intersection, the union, the Jaccard index and the subjects in
    each difference.
    """
    from kb.services.agreement import concept_agreement

    result = concept_agreement(state(ctx).store(), concept)
    if fmt == AgreementFormat.json:
        print_json(result.to_json())
        return
    render_agreement(ctx, result)


def render_agreement(ctx: typer.Context, result: Agreement) -> None:
    """The matrix (one row per subject) and the pairwise overlap, as rich tables on stdout."""
    if not result.subjects:
        info(ctx, f"no subject of {result.concept} is measured against two of its definitions' criteria")
        return
    columns = ["subject", *result.definitions]
    rows = [
        {"subject": row.subject, **{key: VERDICT[row.verdicts[key]] for key in result.definitions}}
        for row in result.subjects
    ]
    render_rows(rows, columns, Format.table, title=f"{result.concept}: which definitions each subject satisfies")
    render_rows(
        [_pair_row(pair) for pair in result.pairs],
        ["definitions", "judged", "counts", "both", "either", "jaccard", "only first", "only second"],
        Format.table,
        title="overlap per pair of definitions",
    )


def _pair_row(pair: Any) -> dict[str, Any]:
    jaccard = "-" if pair.jaccard is None else f"{pair.jaccard:.2f}"
    return {
        "definitions": f"{pair.first} / {pair.second}",
        "judged": pair.judged,
        "counts": f"{pair.first_count} / {pair.second_count}",
        "both": len(pair.intersection),
        "either": len(pair.union),
        "jaccard": jaccard,
        "only first": ", ".join(pair.only_first) or "-",
        "only second": ", ".join(pair.only_second) or "-",
    }
