"""Helpers shared by the report's unit and browser tests: a small KB, writing it, parsing pages."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

from bs4 import BeautifulSoup

from tests.conftest import FIXTURES, REPO

REPORT_KB = FIXTURES / "report_kb.yaml"
CASE_KB = FIXTURES / "report_case_kb.yaml"  # sources Smith2020 and smith2020
RESERVED_KB = FIXTURES / "report_reserved_kb.yaml"  # concepts con and lpt9, sources NUL and Aux.v2

# File names Windows keeps for devices: these, in any case, before any extension.
WINDOWS_DEVICES = {"CON", "PRN", "AUX", "NUL", *(f"COM{n}" for n in range(1, 10)), *(f"LPT{n}" for n in range(1, 10))}


def windows_device(name: str) -> bool:
    """Whether a file of this name is a device on Windows (`con.html`, `Aux.v2.html`)."""
    return name.split(".", 1)[0].upper() in WINDOWS_DEVICES
SEED_FILES = sorted(p for p in (REPO / "data").glob("*.yaml") if p.name != "vocabulary.yaml")

# Markup that the small KB carries in its text fields; it must come out as text.
INJECTED = ('<script>alert("x")</script>', '"><img src=x onerror=alert(1)>')


# Definitions of a concept `head` for the agreement matrix: (key, kind, method, threshold).
PREFIX = ("olsson2022", "behavioral", "prefix-matching-score", 0.5)
KCOMP = ("elhage2021", "mechanistic", "k-composition-score", 0.1)


def heads(**values: tuple[float | None, float | None]) -> list[tuple[str, str, float | None]]:
    """{subject: (prefix-matching score, K-composition score)} as runs (subject, method, value);
    None leaves that method unmeasured."""
    runs = []
    for subject, (prefix, kcomp) in values.items():
        if prefix is not None:
            runs.append((subject, "prefix-matching-score", prefix))
        if kcomp is not None:
            runs.append((subject, "k-composition-score", kcomp))
    return runs


def agreement_document(runs: list[tuple[str, str, float | None]], definitions=(PREFIX, KCOMP)) -> dict:  # type: ignore[no-untyped-def]
    """An interchange document: a concept `head` (name `Head`) whose `definitions` each have one
    `>=` criterion, their methods, and `runs` (subject, method, value) keyed r0, r1, ..."""
    return {
        "kb": 1,
        "methods": [{"key": method, "name": method, "kind": kind} for _key, kind, method, _t in definitions],
        "concepts": [
            {
                "key": "head",
                "name": "Head",
                "definitions": [
                    {"key": key, "kind": kind, "text": f"{key}'s definition",
                     "criteria": [{"method": method, "op": ">=", "threshold": threshold}]}
                    for key, kind, method, threshold in definitions
                ],
            }
        ],
        "runs": [
            {"key": f"r{i}", "method": method, "subject": subject, "value": value}
            for i, (subject, method, value) in enumerate(runs)
        ],
    }


def load(store, paths: list[Path] | None = None) -> None:  # type: ignore[no-untyped-def]
    from kb.services.importing import import_files

    import_files(store, paths or [REPORT_KB])


def write(store, out: Path, **options):  # type: ignore[no-untyped-def]
    from kb.report.render import ReportOptions, write_report

    return write_report(store, out, ReportOptions(**options))


def parse(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def files_below(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def local_references(page: Path) -> Iterator[tuple[str, Path, str]]:
    """(attribute value, file it names, fragment) for every href/src that stays on disk."""
    doc = parse(page)
    for tag in doc.find_all(["a", "link", "script", "img"]):
        value = tag.get("href") or tag.get("src")
        if not value or value.startswith("data:"):
            continue
        parts = urlsplit(value)
        if parts.scheme in ("http", "https"):
            continue
        assert not parts.scheme and not parts.netloc, f"{page}: unexpected URL {value!r}"
        target = page if not parts.path else (page.parent / unquote(parts.path)).resolve()
        yield value, target, unquote(parts.fragment)


def ids(page: Path) -> set[str]:
    return {tag["id"] for tag in parse(page).find_all(id=True)}
