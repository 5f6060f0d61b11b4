"""Hostile text in every free-text field of every record type, rendered by the real `kb report`
and opened in Chromium: no dialog fires, no script runs, no element or handler is made from the
text, and the text reads literally on the page.

Every field gets its own marker (`F01`...) inside payloads that try each way out: a script
element, an event-handler attribute breaking out of a double- or single-quoted attribute, an
element closing the one it sits in, a template expression, and `javascript:` URLs where a field
may become a link.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cli.main import app

pytestmark = pytest.mark.browser


def payload(marker: str) -> str:
    """Text that raises a dialog if any part of it is treated as markup or script (at most 200
    characters, the shortest limit of the fields it goes into but one)."""
    call = f"alert('{marker}')"
    return (
        f"{marker}<script>{call}</script>\"><img src=x onerror=\"{call}\">'><svg onload=\"{call}\">"
        f"</textarea></title><b onmouseover=\"{call}\">{marker}</b>{{{{7*7}}}}"
    )


def short_payload(marker: str) -> str:
    """For fields limited to 50 characters (arxiv)."""
    return f"{marker}\"><svg onload=alert('{marker}')>"


# Every free-text field of every record type (keys are restricted to [A-Za-z0-9._:+-]).
FIELDS = [
    "source.title", "source.authors", "source.url", "source.arxiv", "source.doi",
    "method.name", "method.description",
    "concept.name", "concept.aliases", "concept.domain", "concept.summary",
    "definition.text", "definition.cues",
    "run.subject", "run.dataset", "run.params.key", "run.params.value",
    "claim.text", "claim.subject", "claim.suppress.reason",
    "report.title",  # not a record's, but free text on every page (`kb report --title`)
]
MARKERS = {name: f"F{i:02d}x" for i, name in enumerate(FIELDS, start=1)}


def text_of(field: str) -> str:
    marker = MARKERS[field]
    return short_payload(marker) if field == "source.arxiv" else payload(marker)


def hostile_kb() -> dict[str, Any]:
    t = text_of
    return {
        "kb": 1,
        "sources": [
            {"key": "evil:2024", "title": t("source.title"), "authors": [t("source.authors"), "A. Author"],
             "year": 2024, "url": f"javascript:alert('{MARKERS['source.url']}')//{t('source.url')}",
             "arxiv": t("source.arxiv"), "doi": t("source.doi")},
            {"key": "plain", "title": "A plain source", "url": "https://example.org/paper"},
        ],
        "methods": [
            {"key": "m-evil", "name": t("method.name"), "kind": "mechanistic", "description": t("method.description")},
            {"key": "m-plain", "name": "Plain score", "kind": "behavioral"},
        ],
        "concepts": [
            {
                "key": "evil-concept", "name": t("concept.name"), "aliases": [t("concept.aliases")],
                "domain": t("concept.domain"), "summary": t("concept.summary"),
                "relations": [{"type": "related", "target": "plain-concept"}],
                "definitions": [
                    {"key": "evil-def", "kind": "mechanistic", "text": t("definition.text"), "source": "evil:2024",
                     "cues": [t("definition.cues")], "criteria": [{"method": "m-evil", "op": ">=", "threshold": 0.5}]},
                    {"key": "plain-def", "kind": "behavioral", "text": "Scores high.", "source": "plain",
                     "criteria": [{"method": "m-plain", "op": ">=", "threshold": 0.5}]},
                ],
            },
            {"key": "plain-concept", "name": "Plain concept"},
        ],
        "runs": [
            {"key": "r-evil", "method": "m-evil", "subject": t("run.subject"), "value": 0.9,
             "dataset": t("run.dataset"), "params": {t("run.params.key"): t("run.params.value")}, "source": "evil:2024"},
            {"key": "r-plain", "method": "m-plain", "subject": "gpt2/L1H1", "value": 0.1},
        ],
        "claims": [
            {"key": "c-evil", "source": "evil:2024", "concept": "evil-concept", "text": t("claim.text"),
             "stated_kind": "behavioral", "definition": "evil-concept/evil-def", "subject": t("claim.subject"),
             "evidence": [{"run": "r-evil"}, {"run": "r-plain", "stance": "contradicts"}],
             "suppress": [{"code": "KB110", "reason": t("claim.suppress.reason")}]},
            {"key": "c-plain", "source": "plain", "concept": "evil-concept", "text": "A plain claim.",
             "evidence": [{"claim": "c-evil"}]},
        ],
    }


# Fields the report does not show at all (checked: if one starts to be shown, it must be shown
# safely, and this list must shrink).
NOT_SHOWN = {"source.arxiv", "source.doi", "run.params.key", "run.params.value"}


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("hostile")
    source = tmp / "hostile.json"
    source.write_text(json.dumps(hostile_kb(), ensure_ascii=False), encoding="utf-8")
    db = str(tmp / "kb.sqlite3")
    runner = CliRunner()
    title = text_of("report.title")
    for args in (["init"], ["import", str(source)], ["report", "-o", str(tmp / "site"), "--title", title],
                 ["report", "-o", str(tmp / "single"), "--single-file", "all.html", "--title", title]):
        result = runner.invoke(app, ["--db", db, *args], catch_exceptions=False)
        assert result.exit_code == 0, (args, result.stderr)
    return tmp


PAGE_STATE = """() => ({
    handlers: [...document.querySelectorAll('*')].flatMap(e => [...e.attributes]
        .filter(a => a.name.startsWith('on')).map(a => e.tagName + ' ' + a.name)),
    scripts: [...document.scripts].filter(s => /alert\\('F\\d\\dx'\\)/.test(s.textContent)).length,
    made: document.querySelectorAll('img[src="x"], svg[onload], b[onmouseover], iframe, object, embed').length,
    jsLinks: [...document.querySelectorAll('[href], [src], [action], [formaction]')]
        .map(e => e.getAttribute('href') || e.getAttribute('src') || e.getAttribute('action') || e.getAttribute('formaction'))
        .filter(v => v && v.trim().toLowerCase().startsWith('javascript')),
    text: document.body.innerText,
})"""


def test_hostile_text_never_runs_and_reads_literally(hostile_site: Path, open_page) -> None:  # type: ignore[no-untyped-def]
    pages = sorted((hostile_site / "site").rglob("*.html")) + [hostile_site / "single" / "all.html"]
    assert len(pages) > 5
    page, watch = open_page()
    texts: dict[str, str] = {}
    for path in pages:
        page.goto(path.as_uri())
        page.wait_for_load_state("load")
        # Hover over everything, so a smuggled onmouseover would fire.
        for element in page.locator("b").all()[:50]:
            element.hover()
        state = page.evaluate(PAGE_STATE)
        where = path.relative_to(hostile_site)
        assert state["handlers"] == [], f"{where}: event handlers {state['handlers']}"
        assert state["scripts"] == 0 and state["made"] == 0, f"{where}: elements made from text"
        assert state["jsLinks"] == [], f"{where}: javascript: URLs {state['jsLinks']}"
        texts[str(where)] = state["text"]
    assert watch.dialogs == [], watch.dialogs
    assert watch.page_errors == [], watch.page_errors

    everything = "\n".join(texts.values())
    shown = {field for field, marker in MARKERS.items() if marker in everything}
    assert set(FIELDS) - shown == NOT_SHOWN, f"fields not on any page: {sorted(set(FIELDS) - shown)}"
    for field in sorted(shown):
        literal = text_of(field)
        if field == "source.url":
            literal = f"javascript:alert('{MARKERS[field]}')//"  # shown as text, never as a link
        assert literal in everything, f"{field} is shown, but not literally"
    assert "{{7*7}}" in everything  # no template expression was evaluated
