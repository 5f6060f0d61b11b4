"""Pydantic models of kb's interchange format (the public contract of `kb import` / `kb export`).

One document may hold any subset of the top-level lists. Field names are fixed by the contract;
additions are allowed. This module knows nothing of the database: the store maps these models
to rows and back.
"""

from __future__ import annotations

import math
import re
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

FORMAT_VERSION = 1

KEY_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:+-]*$"
SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
RULE_CODE_PATTERN = r"^KB[0-9]{3}$"


class Kind(StrEnum):
    """The two kinds of definition (and of evidence)."""

    behavioral = "behavioral"
    mechanistic = "mechanistic"


KIND_ALIASES: dict[str, Kind] = {
    "behavioral": Kind.behavioral,
    "behavioural": Kind.behavioral,
    "extensional": Kind.behavioral,
    "mechanistic": Kind.mechanistic,
    "intensional": Kind.mechanistic,
}


def parse_kind(value: Any) -> Any:
    """Accept `extensional`/`intensional` (and British spelling) as aliases; store canonically."""
    if isinstance(value, str):
        canonical = KIND_ALIASES.get(value.strip().lower())
        if canonical is not None:
            return canonical
    return value


KindField = Annotated[Kind, BeforeValidator(parse_kind)]


class Status(StrEnum):
    active = "active"
    contested = "contested"
    refuted = "refuted"


class Stance(StrEnum):
    supports = "supports"
    contradicts = "contradicts"


class RelationType(StrEnum):
    broader = "broader"
    narrower = "narrower"
    related = "related"
    part_of = "part_of"


class Operator(StrEnum):
    ge = ">="
    gt = ">"
    le = "<="
    lt = "<"
    eq = "=="


# Text may hold tabs and line breaks but no other control character: NUL cannot be stored in
# PostgreSQL text, and escape sequences would reach terminals through `kb ... list`. Checked by
# pydantic-core as a pattern (fast at a million records); `text_problem` words the error.
TEXT_PATTERN = "^[^\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f]*$"
_BAD_IN_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Run params are data: only NUL (and lone surrogates, which are not Unicode) are refused there.
_BAD_IN_DATA = re.compile("[\x00\ud800-\udfff]")


def text_problem(value: str) -> str | None:
    """Why `value` is not acceptable text (the first character at fault), else None."""
    match = _BAD_IN_TEXT.search(value) or _BAD_IN_DATA.search(value)
    if match is None:
        return None
    code = ord(match.group())
    where = f"U+{code:04X} (character {match.start() + 1})"
    if 0xD800 <= code <= 0xDFFF:
        return f"holds a lone surrogate {where}, which is not Unicode text"
    return f"holds the control character {where}; text may hold tabs and line breaks but no other control characters"


def Bounded(min_length: int = 0, max_length: int = 1_000_000) -> Any:  # noqa: N802 - a type factory
    """A text field: length bounds, and no control characters but tab and line breaks."""
    return Annotated[str, Field(min_length=min_length, max_length=max_length, pattern=TEXT_PATTERN)]


Key = Annotated[str, Field(min_length=1, max_length=200, pattern=KEY_PATTERN)]
Slug = Annotated[str, Field(min_length=1, max_length=200, pattern=SLUG_PATTERN)]
Text = Bounded(max_length=1_000_000)
ShortText = Bounded(min_length=1, max_length=2_000)
Url = Bounded(max_length=2_000)
Arxiv = Bounded(max_length=50)
Doi = Bounded(max_length=200)
Domain = Bounded(max_length=200)
Subject = Bounded(max_length=500)
Dataset = Bounded(max_length=500)


class _Record(BaseModel):
    """Strict about unknown fields (typos must not vanish silently), lax about int/float."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False, use_enum_values=False)


def _finite(value: float | None, field: str) -> float | None:
    if value is not None and not math.isfinite(value):
        raise ValueError(f"{field} must be a finite number, not {value}")
    return value


class Source(_Record):
    key: Key
    title: ShortText
    authors: list[ShortText] = Field(default_factory=list)
    year: int | None = Field(default=None, ge=1000, le=2200)
    url: Url | None = None
    arxiv: Arxiv | None = None
    doi: Doi | None = None


class Method(_Record):
    key: Key
    name: ShortText
    kind: KindField
    description: Text | None = None


class Criterion(_Record):
    method: Key
    op: Operator
    threshold: float | None = None

    _check_threshold = field_validator("threshold")(lambda v: _finite(v, "threshold"))

    @classmethod
    def parse(cls, text: str) -> Criterion:
        """Parse the CLI form `METHOD OP THRESHOLD` (threshold optional): `k-comp >= 0.1`."""
        match = re.fullmatch(r"\s*(\S+?)\s*(>=|<=|==|>|<)\s*(\S+)?\s*", text)
        if not match:
            raise ValueError(
                f"criterion {text!r} is not of the form 'METHOD OP THRESHOLD' "
                "(OP one of >=, >, <=, <, ==), e.g. 'prefix-matching-score >= 0.5'"
            )
        method, op, threshold = match.groups()
        try:
            value = float(threshold) if threshold is not None else None
        except ValueError:
            raise ValueError(f"criterion {text!r}: threshold {threshold!r} is not a number") from None
        return cls(method=method, op=Operator(op), threshold=value)

    def render(self) -> str:
        threshold = "" if self.threshold is None else f" {self.threshold:g}"
        return f"{self.method} {self.op.value}{threshold}"


class Relation(_Record):
    type: RelationType
    target: Slug


class Definition(_Record):
    key: Key
    kind: KindField
    text: Text
    source: Key | None = None
    status: Status = Status.active
    depends_on: list[Slug] = Field(default_factory=list)
    criteria: list[Criterion] = Field(default_factory=list)
    cues: list[ShortText] = Field(
        default_factory=list,
        description="Phrases that mark a sentence as using this definition's sense (paper scan).",
    )


class Concept(_Record):
    key: Slug
    name: ShortText
    aliases: list[ShortText] = Field(default_factory=list)
    domain: Domain | None = None
    summary: Text | None = None
    relations: list[Relation] = Field(default_factory=list)
    definitions: list[Definition] = Field(default_factory=list)


JsonScalar = str | int | float | bool | None


class Run(_Record):
    key: Key
    method: Key
    subject: Subject | None = None
    value: float | None = None
    dataset: Dataset | None = None
    params: dict[str, Any] = Field(default_factory=dict)
    source: Key | None = None
    kind: KindField | None = None

    _check_value = field_validator("value")(lambda v: _finite(v, "value"))

    @field_validator("params")
    @classmethod
    def _params_are_json(cls, params: dict[str, Any]) -> dict[str, Any]:
        # Most params are flat (layer, head, seed): check those without recursion; anything
        # else, and any text holding NUL or a lone surrogate, goes through the full check.
        for key, value in params.items():
            kind = type(value)
            flat = (
                (kind is str and _BAD_IN_DATA.search(value) is None)
                or kind is int or kind is bool or value is None
                or (kind is float and math.isfinite(value))
            )
            if not flat or type(key) is not str or _BAD_IN_DATA.search(key) is not None:
                _check_json_value(params, depth=0)
                break
        return params


MAX_PARAM_DEPTH = 20


def _check_data_text(value: str) -> None:
    match = _BAD_IN_DATA.search(value)
    if match is not None:
        code = ord(match.group())
        what = "a lone surrogate" if code else "the NUL character"
        raise ValueError(f"params hold {what} U+{code:04X}, which cannot be stored")


def _check_json_value(value: Any, depth: int) -> None:
    if depth > MAX_PARAM_DEPTH:
        raise ValueError(f"params are nested deeper than {MAX_PARAM_DEPTH} levels")
    if isinstance(value, dict):
        for k, v in value.items():
            if not isinstance(k, str):
                raise ValueError(f"params keys must be strings, not {type(k).__name__}")
            _check_data_text(k)
            _check_json_value(v, depth + 1)
    elif isinstance(value, list):
        for v in value:
            _check_json_value(v, depth + 1)
    elif isinstance(value, float):
        _finite(value, "a params value")
    elif isinstance(value, str):
        _check_data_text(value)
    elif not isinstance(value, (int, bool)) and value is not None:
        raise ValueError(f"params values must be JSON (got {type(value).__name__})")


class Evidence(_Record):
    """A link from a claim to a run, or to another claim whose evidence it cites."""

    run: Key | None = None
    claim: Key | None = None
    stance: Stance = Stance.supports

    @model_validator(mode="after")
    def _exactly_one_target(self) -> Evidence:
        if (self.run is None) == (self.claim is None):
            raise ValueError("evidence needs exactly one of 'run' or 'claim'")
        return self


class EvidenceLine(_Record):
    """One evidence link on a line of its own (bulk imports): claim `claim` cites run `run` or
    claim `cites`. Added to the claim's evidence list; an existing link to the same target keeps
    its place and takes the new stance."""

    claim: Key
    run: Key | None = None
    cites: Key | None = None
    stance: Stance = Stance.supports

    @model_validator(mode="after")
    def _exactly_one_target(self) -> EvidenceLine:
        if (self.run is None) == (self.cites is None):
            raise ValueError("an evidence line needs exactly one of 'run' or 'cites'")
        return self


class Suppression(_Record):
    code: Annotated[str, Field(pattern=RULE_CODE_PATTERN)]
    reason: ShortText


class Claim(_Record):
    key: Key
    source: Key
    concept: Slug
    text: Text
    stated_kind: KindField | None = None
    definition: Annotated[str, Field(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*/[A-Za-z0-9][A-Za-z0-9._:+-]*$")] | None = (
        None
    )
    subject: Subject | None = None
    evidence: list[Evidence] = Field(default_factory=list)
    suppress: list[Suppression] = Field(default_factory=list)


class Document(_Record):
    """One interchange file: any subset of the top-level lists."""

    kb: Literal[1] = FORMAT_VERSION
    sources: list[Source] = Field(default_factory=list)
    methods: list[Method] = Field(default_factory=list)
    concepts: list[Concept] = Field(default_factory=list)
    runs: list[Run] = Field(default_factory=list)
    claims: list[Claim] = Field(default_factory=list)


RECORD_LISTS: tuple[str, ...] = ("sources", "methods", "concepts", "runs", "claims")


def json_schema() -> dict[str, Any]:
    """The JSON Schema of a document, as committed in `schema/kb.schema.json`."""
    schema = Document.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "kb interchange document"
    return schema
