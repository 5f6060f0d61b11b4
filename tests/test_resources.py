"""kb.resources: templates and seed data from a checkout, or from the copy inside a wheel."""

from __future__ import annotations

from pathlib import Path

import pytest

from kb import resources
from kb.errors import KbError
from tests.conftest import REPO


def test_a_checkout_uses_its_top_level_folders() -> None:
    assert resources.templates_dir() == REPO / "templates"
    assert resources.data_dir() == REPO / "data"
    assert (resources.templates_dir() / "base.html").is_file()


def test_an_installed_kb_uses_its_bundled_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site_packages = tmp_path / "site-packages"
    bundled = site_packages / "kb" / "_bundled"
    (bundled / "templates").mkdir(parents=True)
    (bundled / "data").mkdir()
    monkeypatch.setattr(resources, "_CHECKOUT", site_packages)  # no pyproject.toml there
    monkeypatch.setattr(resources, "_BUNDLED", bundled)
    assert resources.templates_dir() == bundled / "templates"
    assert resources.data_dir() == bundled / "data"


def test_a_missing_folder_says_to_reinstall(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(resources, "_CHECKOUT", tmp_path)
    monkeypatch.setattr(resources, "_BUNDLED", tmp_path / "kb" / "_bundled")
    with pytest.raises(KbError, match="reinstall kb"):
        resources.templates_dir()
    with pytest.raises(ValueError):
        resources.resource_dir("elsewhere")
