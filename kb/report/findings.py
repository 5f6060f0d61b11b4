"""The one door through which audit results enter the report.

`gather_audit(session)` runs the audit engine (`kb.audit.engine.run_audit`) and reads the rule
registry (`kb.audit.registry`), and turns both into plain view objects. Everything else in
`kb.report` reads findings and rules only from the `AuditData` it returns.

While the audit engine is not installed (it is developed on its own branch), the report still
renders: `AuditData.available` is False, there are no findings or rules, and every page says
that the audit is unavailable. That is the only fallback; any other error propagates.
"""

from __future__ import annotations

import importlib
import inspect
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
    """A paragraph (`text`) or a preformatted example (`code`) of a rule's documentation."""

    kind: str
    text: str


@dataclass(frozen=True, slots=True)
class RuleView:
    """A rule of the audit registry, documented by its docstring.

    Attributes:
        code: e.g. `KB101`.
        severity: the rule's default severity.
        summary: the docstring's first line.
        blocks: the rest of the docstring as paragraphs and examples.
    """

    code: str
    severity: str
    summary: str
    blocks: tuple[RuleBlock, ...] = ()


@dataclass(frozen=True, slots=True)
class AuditData:
    """What the report knows of the audit.

    Attributes:
        available: False when the audit engine is not installed.
        findings: every finding, suppressed ones included, in a stable order.
        rules: the registry's rules, by code.
    """

    available: bool
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


def doc_blocks(doc: str) -> tuple[str, tuple[RuleBlock, ...]]:
    """Split a docstring into its summary line and blocks: indented runs become `code` blocks."""
    lines = inspect.cleandoc(doc or "").splitlines()
    if not lines:
        return "", ()
    summary, rest = lines[0].strip(), lines[1:]
    blocks: list[RuleBlock] = []
    current: list[str] = []
    current_kind = "text"

    def flush() -> None:
        nonlocal current
        if current:
            text = "\n".join(current).strip("\n")
            if current_kind == "text":
                text = " ".join(part.strip() for part in text.splitlines())
            else:
                text = inspect.cleandoc(text)
            if text.strip():
                blocks.append(RuleBlock(current_kind, text))
        current = []

    for line in rest:
        if not line.strip():
            if current_kind == "code":
                current.append("")
            else:
                flush()
            continue
        kind = "code" if line.startswith((" ", "\t")) else "text"
        if kind != current_kind:
            flush()
            current_kind = kind
        current.append(line)
    flush()
    return summary, tuple(blocks)


def gather_audit(session: Session) -> AuditData:
    """Run the audit on the session's database and read its rules; see the module docstring."""
    try:
        engine = importlib.import_module("kb.audit.engine")
    except ModuleNotFoundError as exc:
        if exc.name not in ("kb.audit", "kb.audit.engine"):
            raise
        return AuditData(available=False)
    result = engine.run_audit(session, engine.AuditOptions())
    findings = sorted((finding_view(f) for f in result.findings), key=lambda f: f.sort_key)
    return AuditData(available=True, findings=tuple(findings), rules=tuple(gather_rules()))


def gather_rules() -> list[RuleView]:
    """The registry's rules (filled in when the audit engine lands)."""
    return []
