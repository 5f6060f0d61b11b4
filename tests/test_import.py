"""`kb import`: upsert by key in one transaction, every problem named with file, line, record, field."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from kb.errors import InvalidInput
from kb.services.importing import import_files

BASE = """\
kb: 1
sources:
  - {key: olsson2022, title: "In-context Learning and Induction Heads", year: 2022}
methods:
  - {key: prefix-matching-score, name: Prefix-matching score, kind: extensional}
concepts:
  - key: induction-head
    name: Induction head
    definitions:
      - key: olsson2022
        kind: behavioral
        text: Scores high on prefix matching.
        source: olsson2022
        criteria: [{method: prefix-matching-score, op: ">=", threshold: 0.5}]
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def export(store) -> str:  # type: ignore[no-untyped-def]
    from kb.services.exporting import export_text

    with store.session() as session:
        return export_text(session)


def problems_of(exc: pytest.ExceptionInfo[InvalidInput]) -> list[str]:
    return [f"{loc}: {msg}" for loc, msg in exc.value.problems]


def test_import_adds_records_and_reports_counts(store, tmp_path) -> None:
    report = import_files(store, [write(tmp_path, "a.yaml", BASE)])
    assert report.counts()["concept"]["added"] == 1
    assert report.counts()["definition"]["added"] == 1


def test_reimport_of_the_same_file_changes_nothing(store, tmp_path) -> None:
    path = write(tmp_path, "a.yaml", BASE)
    import_files(store, [path])
    report = import_files(store, [path])
    assert all(c["added"] == c["changed"] == 0 for c in report.counts().values())


def test_reimport_with_a_new_value_reports_a_change(store, tmp_path) -> None:
    import_files(store, [write(tmp_path, "a.yaml", BASE)])
    report = import_files(store, [write(tmp_path, "b.yaml", BASE.replace("threshold: 0.5", "threshold: 0.6"))])
    assert report.changed["definition"] == ["induction-head/olsson2022"]
    assert "threshold: 0.6" in export(store)


def test_kind_aliases_are_stored_canonically(store, tmp_path) -> None:
    import_files(store, [write(tmp_path, "a.yaml", BASE)])
    assert "kind: behavioral" in export(store) and "extensional" not in export(store)


def test_dry_run_reports_and_writes_nothing(store, tmp_path) -> None:
    report = import_files(store, [write(tmp_path, "a.yaml", BASE)], dry_run=True)
    assert report.added["concept"] == ["induction-head"]
    assert "induction-head" not in export(store)


def test_references_may_point_forward_across_files(store, tmp_path) -> None:
    claims = write(tmp_path, "1-claims.yaml", """\
kb: 1
claims:
  - {key: c1, source: olsson2022, concept: induction-head, text: t, definition: induction-head/olsson2022}
""")
    import_files(store, [claims, write(tmp_path, "2-base.yaml", BASE)])
    assert "key: c1" in export(store)


def test_a_bad_record_in_the_last_file_writes_nothing(store, tmp_path) -> None:
    good = write(tmp_path, "a.yaml", BASE)
    bad = write(tmp_path, "b.yaml", "kb: 1\nconcepts:\n  - {key: whale, name: Whale}\n  - {key: fire}\n")
    with pytest.raises(InvalidInput) as exc:
        import_files(store, [good, bad])
    assert problems_of(exc) == [f"{bad}:4, record 'fire', field 'name': Field required"]
    assert export(store) == "kb: 1\n"


def test_unknown_kind_names_file_line_record_and_field(store, tmp_path) -> None:
    path = write(tmp_path, "a.yaml", BASE.replace("kind: behavioral", "kind: magical"))
    with pytest.raises(InvalidInput) as exc:
        import_files(store, [path])
    [problem] = problems_of(exc)
    assert problem.startswith(f"{path}:11, record 'induction-head/olsson2022', field 'kind': 'magical' is not allowed")


def test_dangling_reference_is_named(store, tmp_path) -> None:
    path = write(tmp_path, "a.yaml", BASE.replace("source: olsson2022", "source: nowhere"))
    with pytest.raises(InvalidInput) as exc:
        import_files(store, [path])
    assert problems_of(exc) == [f"{path}:13, record 'induction-head/olsson2022', field 'source': unknown source 'nowhere'"]


def test_duplicate_key_within_a_file_is_refused(store, tmp_path) -> None:
    path = write(tmp_path, "a.yaml", "kb: 1\nconcepts:\n  - {key: whale, name: Whale}\n  - {key: whale, name: Wal}\n")
    with pytest.raises(InvalidInput, match="duplicate concept key 'whale'"):
        import_files(store, [path])


def test_duplicate_mapping_key_in_yaml_names_the_line_record_and_field(store, tmp_path) -> None:
    path = write(tmp_path, "a.yaml", "kb: 1\nconcepts:\n  - key: whale\n    name: Whale\n    name: Wal\n")
    with pytest.raises(InvalidInput) as exc:
        import_files(store, [path])
    assert problems_of(exc) == [
        f"{path}:5, record 'whale', field 'name': invalid YAML: found duplicate key 'name' (first at line 4)"
    ]
    assert export(store) == "kb: 1\n"


def test_duplicate_key_in_a_yaml_flow_mapping_inside_a_definition_names_its_record_and_field(store, tmp_path) -> None:
    text = BASE.replace('threshold: 0.5}]', 'threshold: 0.5, threshold: 0.7}]')
    path = write(tmp_path, "a.yaml", text)
    with pytest.raises(InvalidInput) as exc:
        import_files(store, [path])
    assert problems_of(exc) == [
        f"{path}:14, record 'induction-head/olsson2022', field 'criteria[0].threshold': "
        "invalid YAML: found duplicate key 'threshold' (first at line 14)"
    ]


def test_duplicate_top_level_yaml_key_names_the_field(store, tmp_path) -> None:
    path = write(tmp_path, "a.yaml", "kb: 1\nsources: []\nsources: []\n")
    with pytest.raises(InvalidInput) as exc:
        import_files(store, [path])
    assert problems_of(exc) == [f"{path}:3, field 'sources': invalid YAML: found duplicate key 'sources' (first at line 2)"]


def test_duplicate_mapping_key_in_json_names_the_line_record_and_field(store, tmp_path) -> None:
    text = '{\n  "kb": 1,\n  "concepts": [\n    {"key": "whale",\n     "name": "Whale",\n     "name": "Wal"}\n  ]\n}\n'
    path = write(tmp_path, "a.json", text)
    with pytest.raises(InvalidInput) as exc:
        import_files(store, [path])
    assert problems_of(exc) == [
        f"{path}:6, record 'whale', field 'name': invalid JSON: found duplicate key 'name' (first at line 5)"
    ]
    assert export(store) == "kb: 1\n"


def test_duplicate_key_nested_in_a_one_line_json_document_names_its_record_and_field(store, tmp_path) -> None:
    definition = (
        '{"key": "olsson2022", "kind": "behavioral", "text": "t", "source": "s",'
        ' "criteria": [{"method": "m", "op": ">=", "threshold": 0.5, "threshold": 0.7}]}'
    )
    text = '{"kb": 1, "concepts": [{"key": "c0", "name": "C"}, {"key": "induction-head", "definitions": [' + definition + "]}]}"
    path = write(tmp_path, "a.json", text)
    with pytest.raises(InvalidInput) as exc:
        import_files(store, [path])
    assert problems_of(exc) == [
        f"{path}:1, record 'induction-head/olsson2022', field 'criteria[0].threshold': "
        "invalid JSON: found duplicate key 'threshold' (first at line 1)"
    ]


def test_identical_records_across_files_are_accepted(store, tmp_path) -> None:
    import_files(store, [write(tmp_path, "a.yaml", BASE), write(tmp_path, "b.yaml", BASE)])
    assert export(store).count("key: induction-head") == 1


def test_different_records_with_one_key_across_files_are_refused(store, tmp_path) -> None:
    other = BASE.replace("name: Induction head", "name: Induction heads")
    with pytest.raises(InvalidInput, match="differs from the one in"):
        import_files(store, [write(tmp_path, "a.yaml", BASE), write(tmp_path, "b.yaml", other)])


def test_malformed_yaml_names_the_line(store, tmp_path) -> None:
    path = write(tmp_path, "a.yaml", "kb: 1\nconcepts:\n  - {key: whale, name: [Whale}\n")
    with pytest.raises(InvalidInput, match=r"a.yaml:3: invalid YAML"):
        import_files(store, [path])


def test_wrong_types_are_named(store, tmp_path) -> None:
    path = write(tmp_path, "a.yaml", "kb: 1\nsources:\n  - {key: s, title: T, year: next year}\n")
    with pytest.raises(InvalidInput, match=r"record 's', field 'year'"):
        import_files(store, [path])


def test_custom_yaml_tags_are_never_constructed(store, tmp_path) -> None:
    path = write(tmp_path, "a.yaml", "kb: 1\nconcepts: !!python/object/apply:os.system ['echo pwned']\n")
    with pytest.raises(InvalidInput, match="accepts no custom tags"):
        import_files(store, [path])


def test_alias_bombs_are_refused_quickly(store, tmp_path) -> None:
    lines = ["kb: 1", "a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 10):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    path = write(tmp_path, "bomb.yaml", "\n".join(lines) + "\n")
    started = time.perf_counter()
    with pytest.raises(InvalidInput, match="alias bomb"):
        import_files(store, [path])
    assert time.perf_counter() - started < 5


def test_non_utf8_bytes_are_refused(store, tmp_path) -> None:
    path = tmp_path / "a.yaml"
    path.write_bytes(b"kb: 1\nconcepts:\n  - {key: whale, name: \xff}\n")
    with pytest.raises(InvalidInput, match=r"a.yaml:3: not UTF-8"):
        import_files(store, [path])


def test_json_documents_import_and_reject_nan(store, tmp_path) -> None:
    good = write(tmp_path, "a.json", '{"kb": 1, "concepts": [{"key": "whale", "name": "Whale"}]}')
    import_files(store, [good])
    bad = write(tmp_path, "b.json", '{"kb": 1, "methods": [{"key": "m", "name": "M", "kind": "behavioral"}],'
                '"runs": [{"key": "r", "method": "m", "value": NaN}]}')
    with pytest.raises(InvalidInput, match="NaN"):
        import_files(store, [bad])


def test_infinite_values_are_refused(store, tmp_path) -> None:
    path = write(tmp_path, "a.yaml", "kb: 1\nmethods: [{key: m, name: M, kind: behavioral}]\nruns: [{key: r, method: m, value: .inf}]\n")
    with pytest.raises(InvalidInput, match=r"record 'r', field 'value': Value error, value must be a finite number"):
        import_files(store, [path])


def test_narrower_is_stored_as_the_inverse_broader(store, tmp_path) -> None:
    path = write(tmp_path, "a.yaml", """\
kb: 1
concepts:
  - {key: attention-head, name: Attention head, relations: [{type: narrower, target: induction-head}]}
  - {key: induction-head, name: Induction head}
""")
    import_files(store, [path])
    text = export(store)
    assert "type: narrower" not in text
    assert "- type: broader\n    target: attention-head" in text


def test_evidence_needs_exactly_one_target(store, tmp_path) -> None:
    path = write(tmp_path, "a.yaml", "kb: 1\nclaims:\n  - {key: c, source: s, concept: x, text: t, evidence: [{stance: supports}]}\n")
    with pytest.raises(InvalidInput, match=r"record 'c', field 'evidence\[0\]': Value error, evidence needs exactly one"):
        import_files(store, [path])
