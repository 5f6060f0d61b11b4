"""`kb claim ...`: what a paper claims about a concept, and the evidence behind it."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from cli.common import add_common_commands, given, report_change
from cli.context import fail, state

app = typer.Typer(help="Claims: a paper's statement about a concept, its stated kind, and its evidence.")

Source = Annotated[str | None, typer.Option("--source", help="Key of the paper making the claim.")]
Concept = Annotated[str | None, typer.Option("--concept", help="Key of the concept it is about.")]
Text = Annotated[str | None, typer.Option("--text", help="The claim, paraphrased.")]
StatedKind = Annotated[
    str | None, typer.Option("--stated-kind", help="The sense it uses: behavioral or mechanistic.")
]
Definition = Annotated[str | None, typer.Option("--definition", help="CONCEPT/KEY of the definition it uses.")]
Subject = Annotated[str | None, typer.Option("--subject", help="What it is about, e.g. gpt2-small/L5H5.")]
Evidence = Annotated[list[str] | None, typer.Option("--evidence", help="A supporting run's key; repeat.")]
Contradicting = Annotated[list[str] | None, typer.Option("--contradicting", help="A contradicting run's key; repeat.")]
Cites = Annotated[list[str] | None, typer.Option("--cites", help="A claim whose evidence it relies on; repeat.")]
Suppress = Annotated[
    list[str] | None, typer.Option("--suppress", help="'CODE: reason' silences an audit rule for this claim; repeat.")
]


def _evidence(evidence, contradicting, cites) -> list[dict[str, Any]] | None:  # type: ignore[no-untyped-def]
    if evidence is None and contradicting is None and cites is None:
        return None
    links: list[dict[str, Any]] = [{"run": k, "stance": "supports"} for k in evidence or []]
    links += [{"run": k, "stance": "contradicts"} for k in contradicting or []]
    links += [{"claim": k, "stance": "supports"} for k in cites or []]
    return links


def _suppressions(values: list[str] | None) -> list[dict[str, str]] | None:
    if values is None:
        return None
    result = []
    for item in values:
        code, sep, reason = item.partition(":")
        if not sep or not reason.strip():
            fail(f"--suppress {item!r}: expected 'CODE: reason', e.g. 'KB109: subject is the same head'")
        result.append({"code": code.strip(), "reason": reason.strip()})
    return result


def _fields(source, concept, text, stated_kind, definition, subject, evidence, contradicting, cites, suppress):  # type: ignore[no-untyped-def]
    return given(
        source=source, concept=concept, text=text, stated_kind=stated_kind, definition=definition,
        subject=subject, evidence=_evidence(evidence, contradicting, cites), suppress=_suppressions(suppress),
    )


@app.command("add")
def add(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(help="Claim key, e.g. wang2022-induction.")],
    source: Source = None,
    concept: Concept = None,
    text: Text = None,
    stated_kind: StatedKind = None,
    definition: Definition = None,
    subject: Subject = None,
    evidence: Evidence = None,
    contradicting: Contradicting = None,
    cites: Cites = None,
    suppress: Suppress = None,
) -> None:
    """Add a claim: kb claim add c1 --source olsson2022 --concept induction-head --text "..." --evidence r1."""
    from kb.services.editing import add_record

    data = {"key": key, **_fields(source, concept, text, stated_kind, definition, subject, evidence, contradicting, cites, suppress)}
    report_change(ctx, "added claim", key, add_record(state(ctx).store(), "claim", data))


@app.command("edit")
def edit(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(help="Claim key.")],
    source: Source = None,
    concept: Concept = None,
    text: Text = None,
    stated_kind: StatedKind = None,
    definition: Definition = None,
    subject: Subject = None,
    evidence: Evidence = None,
    contradicting: Contradicting = None,
    cites: Cites = None,
    suppress: Suppress = None,
) -> None:
    """Change the given fields of a claim (any of --evidence/--contradicting/--cites replaces all links)."""
    from kb.services.editing import edit_record

    changes = _fields(source, concept, text, stated_kind, definition, subject, evidence, contradicting, cites, suppress)
    _, report = edit_record(state(ctx).store(), "claim", key, changes)
    report_change(ctx, "changed claim", key, report)


add_common_commands(app, "claim", "Claim key.")
