"""Write the README's screenshot: the seed data's induction-head page at desktop width.

    python -m tests.browser.screenshot docs/concept-page.png     (or `make screenshot`)

Builds the seed data into a temporary SQLite database, writes the site there and photographs
the top of the concept page in Debian's Chromium.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS


def main(out: str) -> None:
    from playwright.sync_api import sync_playwright

    from kb.store.database import Store
    from kb.store.migrate import upgrade
    from tests.report.helpers import SEED_FILES, load, write

    with tempfile.TemporaryDirectory() as tmp:
        store = Store(f"sqlite:///{Path(tmp) / 'kb.sqlite3'}")
        upgrade(store)
        load(store, SEED_FILES)
        write(store, Path(tmp) / "site")
        store.dispose()
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 1400})
            page.goto((Path(tmp) / "site" / "concepts" / "induction-head.html").as_uri())
            page.screenshot(path=out)
            browser.close()
    print(out)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "docs/concept-page.png")
