"""Where kb's bundled files are: the Jinja templates and the seed data.

From a checkout (editable install, tests, `make demo`) they are the repository's top-level
`templates/` and `data/` folders. An installed wheel carries copies as `kb/_bundled/templates`
and `kb/_bundled/data` (pyproject's hatch `force-include`). This module is the one place that
knows both layouts.
"""

from __future__ import annotations

from pathlib import Path

from kb.errors import KbError

RESOURCE_NAMES = ("templates", "data")

_PACKAGE = Path(__file__).resolve().parent
_CHECKOUT = _PACKAGE.parent
_BUNDLED = _PACKAGE / "_bundled"


def resource_dir(name: str) -> Path:
    """The folder of bundled resource `name` (`templates` or `data`).

    A checkout's folder wins over a bundled copy, so edits to `templates/` show at once.
    """
    if name not in RESOURCE_NAMES:
        raise ValueError(f"unknown resource folder {name!r}; expected one of {', '.join(RESOURCE_NAMES)}")
    candidates = []
    if (_CHECKOUT / "pyproject.toml").is_file():
        candidates.append(_CHECKOUT / name)
    candidates.append(_BUNDLED / name)
    for folder in candidates:
        if folder.is_dir():
            return folder
    raise KbError(
        f"kb's {name} folder is missing (looked in {', '.join(str(c) for c in candidates)}): reinstall kb"
    )


def templates_dir() -> Path:
    return resource_dir("templates")


def data_dir() -> Path:
    return resource_dir("data")
