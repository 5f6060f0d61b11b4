"""Browser fixtures: Playwright driving Debian's Chromium (/usr/bin/chromium), never a download.

`make test` installs Chromium (`make system-deps`) and the Python packages (the `test` extra).
Where Chromium is missing the browser tests skip with that reason; with KB_REQUIRE_BROWSER=1
(as in CI) they fail instead, so CI cannot pass without running them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("KB_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def _unavailable(reason: str) -> None:
    if os.environ.get("KB_REQUIRE_BROWSER"):
        pytest.fail(f"KB_REQUIRE_BROWSER is set but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():  # type: ignore[no-untyped-def]
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} is missing (`make system-deps` installs Debian's chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed (it is in the `test` extra)")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _site(tmp: Path, paths: list[Path] | None, **options) -> Path:  # type: ignore[no-untyped-def]
    from kb.store.database import Store
    from kb.store.migrate import upgrade
    from tests.report.helpers import load, write

    store = Store(f"sqlite:///{tmp / 'kb.sqlite3'}")
    try:
        upgrade(store)
        load(store, paths)
        write(store, tmp / "site", **options)
        write(store, tmp / "single", single_file="glossary.html", **options)
    finally:
        store.dispose()
    return tmp / "site"


@pytest.fixture(scope="session")
def small_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The report's small KB (with markup injected in its text) as a site on disk."""
    return _site(tmp_path_factory.mktemp("small"), None)


@pytest.fixture(scope="session")
def seed_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed data in data/ as a site on disk, as `make demo` writes it."""
    from tests.report.helpers import SEED_FILES

    return _site(tmp_path_factory.mktemp("seed"), SEED_FILES)


@pytest.fixture(scope="session")
def case_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Sources `Smith2020` and `smith2020`, each with a paper page, as a site on disk."""
    from tests.report.helpers import CASE_KB

    return _site(tmp_path_factory.mktemp("case"), [CASE_KB])


@pytest.fixture(scope="session")
def reserved_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Concepts `con` and `lpt9`, sources `NUL` and `Aux.v2` (names Windows keeps for devices), as a site on disk."""
    from tests.report.helpers import RESERVED_KB

    return _site(tmp_path_factory.mktemp("reserved"), [RESERVED_KB])


@pytest.fixture(scope="session")
def agreement_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A concept `head` whose two definitions judge 201 subjects (so its agreement matrix is
    folded), one of them named with markup, as a site on disk."""
    import yaml

    from tests.report.helpers import agreement_document, heads

    tmp = tmp_path_factory.mktemp("agreement")
    values = {f"m/L{i // 8}H{i % 8}": (0.9 if i % 3 else 0.1, 0.3 if i % 2 else 0.0) for i in range(200)}
    values['<script>alert("subject")</script>'] = (0.9, 0.01)
    path = tmp / "agreement.yaml"
    path.write_text(yaml.safe_dump(agreement_document(heads(**values))), encoding="utf-8")
    return _site(tmp, [path])


@dataclass
class Watch:
    """What a page did that it should not: console errors, script errors, dialogs, failed loads."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        return self.console_errors + self.page_errors + [f"dialog: {d}" for d in self.dialogs] + self.failed


@pytest.fixture
def open_page(browser):  # type: ignore[no-untyped-def]
    """open_page(viewport=..., javascript=True) -> (page, watch): a fresh page that records trouble."""
    contexts = []

    def make(viewport: dict[str, int] | None = None, javascript: bool = True):  # type: ignore[no-untyped-def]
        context = browser.new_context(viewport=viewport or DESKTOP, java_script_enabled=javascript)
        contexts.append(context)
        page = context.new_page()
        watch = Watch()
        page.on("console", lambda m: watch.console_errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: watch.page_errors.append(str(e)))
        page.on("dialog", lambda d: (watch.dialogs.append(d.message), d.dismiss()))
        page.on("requestfailed", lambda r: watch.failed.append(f"failed: {r.url}"))
        return page, watch

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def shots(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "screenshots"
    folder.mkdir()
    yield folder
