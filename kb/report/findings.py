"""The one door through which audit results enter the report.

`gather_audit(session, severities)` runs the audit engine (`kb.audit.engine.run_audit`, with
suppressed findings and the severities of `kb.toml`, as `kb audit` does) and reads the rule
catalogue it ran with (built from the registry `kb.audit.registry` and the rules' docstrings),
and turns both into plain view objects. Everything else in `kb.report` reads findings and rules
only from the `AuditData` it returns.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from sqlalchemy.orm import Session

# Known severities, most severe first; others sort after them, alphabetically.
SEVERITY_ORDER = ("error", "warning", "info", "note")


def severity_rank(severity: str) -> tuple[int, str]:
    try:
        return (SEVERITY_ORDER.index(severity), severity)
    except ValueError:
        return (len(SEVERITY_ORDER), severity)


@dataclass(frozen=True, slots=True)
class FindingView:
    """One audit finding, with keys (not ORM rows) of what it is about.

    Attributes:
        code: the rule's code, e.g. `KB101`.
        severity: `error`, `warning`, ... as configured for the run.
        message: what is wrong, in words.
        claim: key of the claim it is about, or None.
        paper: key of the source (paper) it is about, or None.
        concept: key of the concept it is about, or None.
        suppressed: True when the claim suppresses this rule.
        suppress_reason: the reason given for the suppression.
        origin: `file:line` the claim was imported from, or None.
    """

    code: str
    severity: str
    message: str
    claim: str | None = None
    paper: str | None = None
    concept: str | None = None
    suppressed: bool = False
    suppress_reason: str | None = None
    origin: str | None = None

    @property
    def sort_key(self) -> tuple[Any, ...]:
        return (self.paper or "", self.claim or "", self.concept or "", self.code, self.message)


@dataclass(frozen=True, slots=True)
class RuleBlock:
    """A piece of a rule's documentation.

    `kind` is `heading` (a `## Section` line), `code` (a fenced or indented example, shown
    as is) or `text` (a paragraph; templates show its `backtick spans` as code with the
    `code_spans` filter: no Markdown library, no unescaped HTML).
    """

    kind: str
    text: str


@dataclass(frozen=True, slots=True)
class RuleView:
    """A rule of the audit registry, documented by its docstring.

    Attributes:
        code: e.g. `KB101`.
        name: e.g. `mechanistic-claim-behavioral-evidence`.
        severity: the rule's default severity.
        summary: the docstring's first line.
        blocks: the rest of the docstring as headings, paragraphs and examples.
    """

    code: str
    name: str
    severity: str
    summary: str
    blocks: tuple[RuleBlock, ...] = ()


@dataclass(frozen=True, slots=True)
class AuditData:
    """What the report knows of the audit.

    Attributes:
        findings: every finding, suppressed ones included, in a stable order.
        rules: the registry's rules, by code.
    """

    findings: tuple[FindingView, ...] = ()
    rules: tuple[RuleView, ...] = field(default_factory=tuple)


def _text(value: Any) -> str | None:
    """Enum members, ORM rows with a `key` and plain strings all become plain strings."""
    if value is None:
        return None
    if hasattr(value, "key") and not isinstance(value, str):
        return str(value.key)
    if hasattr(value, "value") and not isinstance(value, str):
        return str(value.value)
    return str(value)


def origin_label(origin_file: str | None, origin_line: int | None) -> str | None:
    """`claims.yaml:12`. An absolute path is cut to its file name: a published page should not
    show the folders of the machine that imported the data."""
    if not origin_file:
        return None
    name = PurePath(origin_file).name if PurePath(origin_file).is_absolute() else origin_file
    return f"{name}:{origin_line}" if origin_line else name


def finding_view(finding: Any) -> FindingView:
    """Adapt one `kb.audit` Finding."""
    origin = origin_label(getattr(finding, "origin_file", None), getattr(finding, "origin_line", None))
    return FindingView(
        code=str(_text(finding.code)),
        severity=str(_text(finding.severity)),
        message=str(finding.message),
        claim=_text(getattr(finding, "claim", None)),
        paper=_text(getattr(finding, "paper", None)),
        concept=_text(getattr(finding, "concept", None)),
        suppressed=bool(getattr(finding, "suppressed", False)),
        suppress_reason=getattr(finding, "suppress_reason", None),
        origin=origin,
    )


def code_spans(text: str) -> tuple[tuple[str, bool], ...]:
    """`a `b` c` -> (("a ", False), ("b", True), (" c", False)): backtick spans, for <code>."""
    parts = text.split("`")
    if len(parts) % 2 == 0:  # an unpaired backtick: keep the text as it is
        return ((text, False),)
    return tuple((part, i % 2 == 1) for i, part in enumerate(parts) if part)


def doc_blocks(doc: str) -> tuple[str, tuple[RuleBlock, ...]]:
    """Split a rule's docstring into its summary line and blocks (see `RuleBlock`)."""
    lines = inspect.cleandoc(doc or "").splitlines()
    if not lines:
        return "", ()
    summary, rest = lines[0].strip(), lines[1:]
    blocks: list[RuleBlock] = []
    paragraph: list[str] = []
    code: list[str] | None = None
    indented: list[str] = []

    def flush_paragraph() -> None:
        if paragraph:
            text = " ".join(line.strip() for line in paragraph)
            blocks.append(RuleBlock("text", text))
            paragraph.clear()

    def flush_indented() -> None:
        if indented:
            blocks.append(RuleBlock("code", inspect.cleandoc("\n".join(indented))))
            indented.clear()

    for line in rest:
        if code is not None:
            if line.strip().startswith("```"):
                blocks.append(RuleBlock("code", "\n".join(code).rstrip()))
                code = None
            else:
                code.append(line)
            continue
        if line.strip().startswith("```"):
            flush_paragraph(), flush_indented()
            code = []
        elif line.startswith("#"):
            flush_paragraph(), flush_indented()
            blocks.append(RuleBlock("heading", line.lstrip("#").strip()))
        elif not line.strip():
            flush_paragraph()
            if indented:
                indented.append("")
        elif line.startswith(("    ", "\t")) and not paragraph:
            indented.append(line)
        else:
            flush_indented()
            paragraph.append(line)
    if code is not None:  # an unclosed fence: keep what there is
        blocks.append(RuleBlock("code", "\n".join(code).rstrip()))
    flush_paragraph(), flush_indented()
    return summary, tuple(blocks)


def rule_view(rule: Any) -> RuleView:
    """Adapt one rule of the audit's catalogue (`kb.audit.findings.RuleInfo`)."""
    summary, blocks = doc_blocks(getattr(rule, "documentation", "") or "")
    return RuleView(
        code=str(rule.code),
        name=str(getattr(rule, "name", "") or ""),
        severity=str(_text(getattr(rule, "default_severity", None) or rule.severity)),
        summary=str(getattr(rule, "summary", "") or summary),
        blocks=blocks,
    )


def gather_audit(session: Session, severities: Mapping[str, str] | None = None) -> AuditData:
    """Audit every claim, suppressed findings included, with `severities` by code (`kb.toml`)."""
    from kb.audit.engine import AuditOptions, run_audit

    result = run_audit(session, AuditOptions(include_suppressed=True, severities=dict(severities or {})))
    findings = sorted((finding_view(f) for f in result.findings), key=lambda f: f.sort_key)
    rules = sorted((rule_view(r) for r in result.rules), key=lambda r: r.code)
    return AuditData(findings=tuple(findings), rules=tuple(rules))
