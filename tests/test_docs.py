"""Committed artefacts stay current: the README's CLI reference and the JSON Schema."""

from __future__ import annotations

import json

from cli import readme_reference
from schema import json_schema
from tests.conftest import REPO


def test_readme_cli_reference_is_current() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert readme_reference.updated(readme) == readme, "run `make docs`"


def test_committed_json_schema_is_current() -> None:
    committed = json.loads((REPO / "schema" / "kb.schema.json").read_text(encoding="utf-8"))
    assert committed == json_schema(), "run `make schema`"


def test_every_command_is_in_the_readme() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for command in ("kb init", "kb import", "kb export", "kb schema", "kb concept add", "kb claim remove"):
        assert f"#### `{command}" in readme
