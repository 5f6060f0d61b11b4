"""The report's one Jinja Environment: templates from `kb.resources`, autoescape on, and every
filter registered here.

Autoescape is on for every template, whatever its name. Text from the knowledge base is always
escaped; the only unescaped values are `Markup` objects built by kb itself, and templates use
`|safe` only on fields whose name ends in `_html`.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from kb.report.findings import code_spans
from kb.resources import templates_dir

if TYPE_CHECKING:
    from kb.graph.svg import Drawing
    from kb.report.links import Links

KIND_NAMES = {
    "behavioral": "behavioral (extensional)",
    "mechanistic": "mechanistic (intensional)",
    "both": "behavioral and mechanistic",
    "none": "no definition",
}


def number(value: float | int | None) -> str:
    """`0.9`, `12`, `1e-06`; an absent value is an en dash."""
    if value is None:
        return "\u2013"
    if isinstance(value, bool):
        return str(value)
    return f"{value:g}"


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """`1 claim`, `2 claims`, `0 findings`."""
    word = singular if count == 1 else (plural_form or singular + "s")
    return f"{count} {word}"


def kind_name(kind: str | None) -> str:
    """A kind with its synonym: `mechanistic (intensional)`."""
    if kind is None:
        return "not stated"
    return KIND_NAMES.get(kind, kind)


def svg(drawing: Drawing, links: Links) -> Markup:
    """A concept-graph drawing as inline SVG, each node linking to its concept as this page
    sees it (`links.concept`). `kb.graph.svg` escapes every piece of text it writes."""
    from kb.graph.svg import svg_markup

    return Markup(svg_markup(drawing, links.concept))


FILTERS = {"number": number, "plural": plural, "kind_name": kind_name, "code_spans": code_spans, "svg": svg}


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The Environment every report page is rendered with."""
    env = Environment(
        loader=FileSystemLoader(str(templates_dir())),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(FILTERS)
    return env
