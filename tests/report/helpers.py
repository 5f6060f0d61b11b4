"""Helpers shared by the report's unit and browser tests: a small KB, writing it, parsing pages."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

from bs4 import BeautifulSoup

from tests.conftest import FIXTURES, REPO

REPORT_KB = FIXTURES / "report_kb.yaml"
SEED_FILES = sorted(p for p in (REPO / "data").glob("*.yaml") if p.name != "vocabulary.yaml")

# Markup that the small KB carries in its text fields; it must come out as text.
INJECTED = ('<script>alert("x")</script>', '"><img src=x onerror=alert(1)>')


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
