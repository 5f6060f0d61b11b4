"""`kb agreement CONCEPT` on a hand-made knowledge base (no torch)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

DOCUMENT = """
kb: 1
sources:
  - {key: s, title: "A source"}
methods:
  - {key: attn, name: Attention score, kind: behavioral}
  - {key: weights, name: Weight score, kind: mechanistic}
concepts:
  - key: widget
    name: Widget
    definitions:
      - key: by-behaviour
        kind: behavioral
        text: "Behaves like a widget."
        criteria: [{method: attn, op: ">=", threshold: 0.5}]
      - key: by-mechanism
        kind: mechanistic
        text: "Is built like a widget."
        criteria: [{method: weights, op: ">=", threshold: 0.1}]
      - key: prose-only
        kind: behavioral
        text: "No criteria."
  - key: gadget
    name: Gadget
    definitions:
      - {key: only, kind: behavioral, text: "One definition.", criteria: [{method: attn, op: ">=", threshold: 1}]}
runs:
  - {key: both-a, method: attn, subject: m/both, value: 0.9}
  - {key: both-w, method: weights, subject: m/both, value: 0.3}
  - {key: beh-a, method: attn, subject: m/behaviour-only, value: 0.8}
  - {key: beh-w, method: weights, subject: m/behaviour-only, value: 0.0}
  - {key: mech-a, method: attn, subject: m/mechanism-only, value: 0.1}
  - {key: mech-w, method: weights, subject: m/mechanism-only, value: 0.2}
  - {key: half-a, method: attn, subject: m/measured-once, value: 0.9}
"""


@pytest.fixture
def widgets(kb_init, tmp_path: Path):  # type: ignore[no-untyped-def]
    path = tmp_path / "widgets.yaml"
    path.write_text(DOCUMENT, encoding="utf-8")
    assert kb_init("import", str(path)).exit_code == 0
    return kb_init


def test_agreement_json_lists_each_subject_judged_under_two_definitions(widgets) -> None:  # type: ignore[no-untyped-def]
    result = widgets("agreement", "widget", "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert [row["subject"] for row in data["subjects"]] == ["m/behaviour-only", "m/both", "m/mechanism-only"]
    assert data["definitions"] == ["by-behaviour", "by-mechanism"]


def test_agreement_json_reports_overlap_and_differences(widgets) -> None:  # type: ignore[no-untyped-def]
    pair = json.loads(widgets("agreement", "widget", "--format", "json").stdout)["pairs"][0]
    assert pair["intersection"] == ["m/both"]
    assert pair["only_first"] == ["m/behaviour-only"] and pair["only_second"] == ["m/mechanism-only"]
    assert pair["jaccard"] == pytest.approx(1 / 3)


def test_agreement_table_shows_verdicts_and_jaccard(widgets) -> None:  # type: ignore[no-untyped-def]
    result = widgets("agreement", "widget")
    assert result.exit_code == 0
    assert "m/mechanism-only" in result.stdout and "0.33" in result.stdout
    assert "by-behaviour / by-mechanism" in result.stdout


def test_agreement_refuses_a_concept_with_one_judging_definition(widgets) -> None:  # type: ignore[no-untyped-def]
    result = widgets("agreement", "gadget")
    assert result.exit_code == 2
    assert "1 definition(s) with criteria" in result.stderr


def test_agreement_of_an_unknown_concept_is_an_error(widgets) -> None:  # type: ignore[no-untyped-def]
    result = widgets("agreement", "nonesuch")
    assert result.exit_code == 2
    assert "nonesuch" in result.stderr
