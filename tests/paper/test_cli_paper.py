"""`kb paper scan` through the CLI, on both database backends."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

KB_FILE = """kb: 1
sources:
- key: elhage2021
  title: A Mathematical Framework for Transformer Circuits
concepts:
- key: induction-head
  name: Induction head
  aliases: [induction circuit]
  definitions:
  - key: olsson2022
    kind: behavioral
    text: Scores highly on prefix matching and copying.
    cues: [prefix matching and copying]
  - key: elhage2021
    kind: mechanistic
    text: K-composition with a previous-token head.
    source: elhage2021
    cues: [shifted keys]
- key: whale
  name: Whale
"""

PAPER = """# A short paper

Induction heads score highly on repeated random tokens.

The induction circuit works through shifted keys.

Whales are large.
"""


def _setup(kb_init, tmp_path: Path) -> Path:
    kb_file = tmp_path / "kb.yaml"
    kb_file.write_text(KB_FILE)
    assert kb_init("import", str(kb_file)).exit_code == 0
    paper = tmp_path / "paper.md"
    paper.write_text(PAPER)
    return paper


def test_scan_prints_the_json_contract(kb_init, tmp_path):
    paper = _setup(kb_init, tmp_path)
    result = kb_init("paper", "scan", str(paper), "--source", "x2024", "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) == {"mentions", "summary"}
    assert [(m["concept"], m["sense"], m["line"]) for m in data["mentions"]] == [
        ("induction-head", "behavioral", 3),
        ("induction-head", "mechanistic", 5),
        ("whale", "unclear", 7),
    ]


def test_scan_uses_aliases_and_definition_cues_from_the_store(kb_init, tmp_path):
    paper = _setup(kb_init, tmp_path)
    data = json.loads(kb_init("paper", "scan", str(paper), "--source", "x2024", "-f", "json").stdout)
    alias_use = data["mentions"][1]
    assert alias_use["sentence"] == "The induction circuit works through shifted keys."
    assert alias_use["cues"] == ["shifted keys"]


def test_scan_table_names_the_conflation(kb_init, tmp_path):
    paper = _setup(kb_init, tmp_path)
    result = kb_init("paper", "scan", str(paper), "--source", "x2024")
    assert result.exit_code == 0, result.stderr
    assert "conflation: 'induction-head' is used in the behavioral sense (line 3)" in result.stdout
    assert "whale: 0 behavioral, 0 mechanistic, 1 unclear" in result.stdout


def test_scan_yaml_format_is_the_json_contract_as_yaml(kb_init, tmp_path):
    paper = _setup(kb_init, tmp_path)
    as_yaml = yaml.safe_load(kb_init("paper", "scan", str(paper), "--source", "x2024", "-f", "yaml").stdout)
    as_json = json.loads(kb_init("paper", "scan", str(paper), "--source", "x2024", "-f", "json").stdout)
    assert as_yaml == as_json


def test_draft_claims_import_as_they_are(kb_init, tmp_path):
    paper = _setup(kb_init, tmp_path)
    claims = tmp_path / "claims.yaml"
    result = kb_init("paper", "scan", str(paper), "--source", "x2024", "-o", str(claims))
    assert result.exit_code == 0, result.stderr
    assert "wrote 3 draft claim(s)" in result.stderr
    draft = yaml.safe_load(claims.read_text())
    assert [s["key"] for s in draft["sources"]] == ["x2024"]
    assert draft["claims"][0]["stated_kind"] == "behavioral"
    assert kb_init("import", str(claims)).exit_code == 0
    listed = json.loads(kb_init("claim", "list", "-f", "json").stdout)
    assert [c["key"] for c in listed] == [
        "x2024-induction-head-1",
        "x2024-induction-head-2",
        "x2024-whale-1",
    ]


def test_draft_for_a_known_source_carries_no_source_record(kb_init, tmp_path):
    paper = _setup(kb_init, tmp_path)
    claims = tmp_path / "claims.json"
    assert kb_init("paper", "scan", str(paper), "--source", "elhage2021", "-o", str(claims)).exit_code == 0
    draft = json.loads(claims.read_text())
    assert "sources" not in draft and len(draft["claims"]) == 3


def test_scan_of_a_pdf_reports_pages(kb_init, tmp_path, make_pdf):
    _setup(kb_init, tmp_path)
    pdf = make_pdf([["Nothing here."], ["Induction heads score highly on", "repeated random tokens."]])
    data = json.loads(kb_init("paper", "scan", str(pdf), "--source", "x2024", "-f", "json").stdout)
    assert [(m["page"], m["line"], m["sense"]) for m in data["mentions"]] == [(2, 1, "behavioral")]


def test_missing_paper_is_a_usage_error(kb_init, tmp_path):
    result = kb_init("paper", "scan", str(tmp_path / "nope.md"), "--source", "x2024")
    assert result.exit_code == 2
    assert "no such file" in result.stderr and result.stdout == ""


def test_invalid_source_key_is_a_usage_error(kb_init, tmp_path):
    paper = _setup(kb_init, tmp_path)
    result = kb_init("paper", "scan", str(paper), "--source", "not a key")
    assert result.exit_code == 2
    assert "not a valid key" in result.stderr


def test_scan_with_an_empty_knowledge_base_says_why_nothing_is_found(kb_init, tmp_path):
    paper = tmp_path / "paper.md"
    paper.write_text(PAPER)
    result = kb_init("paper", "scan", str(paper), "--source", "x2024", "-f", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["mentions"] == []
    assert "no concepts yet" in result.stderr
