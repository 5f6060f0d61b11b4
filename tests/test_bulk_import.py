"""Bulk imports: JSONL and CSV streams of runs, claims and evidence links, BibTeX sources.

Every test runs on SQLite and PostgreSQL. A bad line stops the import with its file, line,
record and field, and nothing of the import is written.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import FIXTURES

BASE = """\
kb: 1
sources:
  - {key: olsson2022, title: "In-context Learning and Induction Heads", year: 2022}
methods:
  - {key: prefix-matching, name: Prefix matching, kind: behavioral}
  - {key: ablation, name: Ablation, kind: mechanistic}
concepts:
  - key: induction-head
    name: Induction head
    definitions:
      - {key: olsson2022, kind: behavioral, text: Scores high on prefix matching., source: olsson2022}
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def jsonl(*records: dict) -> str:
    return "".join(json.dumps(r) + "\n" for r in records)


def run(key: str, method: str = "ablation", **fields) -> dict:  # type: ignore[no-untyped-def]
    return {"key": key, "method": method, "subject": "gpt2/L1H2", "value": 0.5, **fields}


def claim(key: str, *evidence: dict, **fields) -> dict:  # type: ignore[no-untyped-def]
    return {"key": key, "source": "olsson2022", "concept": "induction-head", "text": f"{key} says so",
            "evidence": list(evidence), **fields}


@pytest.fixture
def kb_base(kb_init, tmp_path):  # type: ignore[no-untyped-def]
    assert kb_init("import", str(write(tmp_path, "base.yaml", BASE))).exit_code == 0
    return kb_init


def exported(kb) -> str:  # type: ignore[no-untyped-def]
    result = kb("export")
    assert result.exit_code == 0, result.stderr
    return result.stdout


# --- atomicity and error reporting -----------------------------------------------------------


def test_a_bad_third_line_names_line_and_field_and_writes_nothing(kb_base, tmp_path) -> None:
    before = exported(kb_base)
    path = write(tmp_path, "runs.jsonl", jsonl(run("r1"), run("r2"), run("r3", value="high"), run("r4", value="x")))
    result = kb_base("import", str(path))
    assert result.exit_code == 2
    assert f"{path}:3, record 'r3', field 'value': Input should be a valid number" in result.stderr
    assert ":4" not in result.stderr  # the first bad line stops the import
    assert exported(kb_base) == before


def test_a_bad_line_after_a_full_batch_still_writes_nothing(kb_base, tmp_path, monkeypatch) -> None:
    from kb.bulk import loader

    monkeypatch.setattr(loader, "BATCH", 2)
    before = exported(kb_base)
    lines = [run(f"r{i}") for i in range(1, 8)] + [run("r8", method="nope")]
    path = write(tmp_path, "runs.jsonl", jsonl(*lines))
    result = kb_base("import", str(path))
    assert result.exit_code == 2
    assert f"{path}:8, record 'r8', field 'method': unknown method 'nope'" in result.stderr
    assert exported(kb_base) == before


def test_invalid_json_names_the_line(kb_base, tmp_path) -> None:
    path = write(tmp_path, "runs.jsonl", jsonl(run("r1")) + '{"key": "r2", "method": \n')
    result = kb_base("import", str(path))
    assert result.exit_code == 2 and f"{path}:2: invalid JSON" in result.stderr


def test_unknown_fields_are_refused(kb_base, tmp_path) -> None:
    path = write(tmp_path, "runs.jsonl", jsonl(run("r1", vaule=1)))
    result = kb_base("import", str(path))
    assert result.exit_code == 2 and "field 'vaule': unknown field" in result.stderr


def test_a_key_twice_in_one_import_is_refused_with_both_places(kb_base, tmp_path, monkeypatch) -> None:
    from kb.bulk import loader

    monkeypatch.setattr(loader, "BATCH", 2)
    path = write(tmp_path, "runs.jsonl", jsonl(run("r1"), run("r2"), run("r3"), run("r1", value=0.9)))
    result = kb_base("import", str(path))
    assert result.exit_code == 2
    assert f"{path}:4, record 'r1', field 'key': duplicate run key 'r1' (also at {path}:1)" in result.stderr


def test_references_to_missing_records_are_refused(kb_base, tmp_path) -> None:
    runs = write(tmp_path, "runs.jsonl", jsonl(run("r1"), run("r2", method="logit-lens")))
    result = kb_base("import", str(runs))
    assert result.exit_code == 2
    assert f"{runs}:2, record 'r2', field 'method': unknown method 'logit-lens'" in result.stderr

    runs = write(tmp_path, "runs.jsonl", jsonl(run("r1")))
    claims = write(tmp_path, "claims.jsonl", jsonl(claim("c1", {"run": "r1"}), claim("c2", {"run": "r1"}, {"run": "r404"})))
    result = kb_base("import", str(runs), str(claims))
    assert result.exit_code == 2
    assert f"{claims}:2, record 'c2', field 'evidence[1].run': unknown run 'r404'" in result.stderr
    assert "r1" not in exported(kb_base)


def test_a_line_must_say_what_it_is(kb_base, tmp_path) -> None:
    path = write(tmp_path, "sweep.jsonl", jsonl(run("r1")))
    result = kb_base("import", str(path))
    assert result.exit_code == 2 and f"{path}:1, field 'type': cannot tell" in result.stderr


@pytest.mark.parametrize(
    ("name", "line", "where"),
    [
        ("runs.jsonl", '{"key": "r2", "method": "ablation", "value": 0.1, "value": 0.9}',
         "record 'r2', field 'value': invalid JSON: duplicate key 'value'"),
        ("runs.jsonl", '{"key": "r2", "method": "ablation", "params": {"seed": 1, "seed": 2}}',
         "record 'r2', field 'params.seed': invalid JSON: duplicate key 'seed'"),
        ("claims.jsonl", '{"key": "c2", "source": "olsson2022", "concept": "induction-head", "text": "t",'
                         ' "evidence": [{"run": "r1", "run": "r1"}]}',
         "record 'c2', field 'evidence[0].run': invalid JSON: duplicate key 'run'"),
        ("mixed.jsonl", '{"type": "run", "key": "r2", "method": "ablation", "method": "ablation"}',
         "record 'r2', field 'method': invalid JSON: duplicate key 'method'"),
    ],
    ids=["top-level", "in-params", "in-an-evidence-link", "on-a-typed-line"],
)
def test_a_key_repeated_within_one_line_is_refused_and_writes_nothing(kb_base, tmp_path, name, line, where) -> None:
    before = exported(kb_base)
    good = {"type": "run", **run("r1")} if name == "mixed.jsonl" else claim("c1") if name == "claims.jsonl" else run("r1")
    path = write(tmp_path, name, jsonl(good) + line + "\n")
    result = kb_base("import", str(path))
    assert result.exit_code == 2
    assert f"{path}:2, {where}" in result.stderr
    assert exported(kb_base) == before


def test_a_key_repeated_under_another_spelling_of_its_escapes_is_refused(kb_base, tmp_path) -> None:
    path = write(tmp_path, "runs.jsonl", '{"key": "r1", "method": "ablation", "value": 0.1, "valu\\u0065": 0.9}\n')
    result = kb_base("import", str(path))
    assert result.exit_code == 2
    assert f"{path}:1, record 'r1', field 'value': invalid JSON: duplicate key 'value'" in result.stderr


def test_colons_inside_text_are_not_taken_for_repeated_keys(kb_base, tmp_path) -> None:
    path = write(tmp_path, "runs.jsonl", jsonl(run("r1", subject="gpt2:L1H2", params={"url": "http://x:80/a"})))
    result = kb_base("import", str(path))
    assert result.exit_code == 0, result.stderr
    assert "subject: gpt2:L1H2" in exported(kb_base)

# --- upserts and counts ----------------------------------------------------------------------


def test_runs_claims_and_evidence_lines_import_and_upsert(kb_base, tmp_path) -> None:
    runs = write(tmp_path, "runs.jsonl", jsonl(run("r1", params={"layer": 1}), run("r2"), run("r3", method="prefix-matching")))
    claims = write(tmp_path, "claims.jsonl", jsonl(
        claim("c1", {"run": "r1"}, {"run": "r2", "stance": "contradicts"}, definition="induction-head/olsson2022"),
        claim("c2", {"claim": "c1"}, suppress=[{"code": "KB101", "reason": "cites a review"}]),
    ))
    links = write(tmp_path, "evidence.jsonl", jsonl({"claim": "c2", "run": "r3"}))
    result = kb_base("import", "--json", str(claims), str(runs), str(links))  # claims first: links wait
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["streamed"] == {
        "run": {"added": 3, "changed": 0, "unchanged": 0},
        "claim": {"added": 2, "changed": 0, "unchanged": 0},
        "evidence": {"added": 1, "changed": 0, "unchanged": 0},
    }
    text = exported(kb_base)
    assert "  evidence:\n  - claim: c1\n    stance: supports\n  - run: r3\n    stance: supports\n" in text
    assert "reason: cites a review" in text and "definition: induction-head/olsson2022" in text

    write(tmp_path, "runs.jsonl", jsonl(run("r1", params={"layer": 1}), run("r2", value=0.75), run("r3", method="prefix-matching")))
    result = kb_base("import", "--json", str(runs))
    assert json.loads(result.stdout)["streamed"] == {"run": {"added": 0, "changed": 1, "unchanged": 2}}
    assert "value: 0.75" in exported(kb_base)


def test_an_evidence_line_to_a_cited_target_changes_its_stance(kb_base, tmp_path) -> None:
    runs = write(tmp_path, "runs.jsonl", jsonl(run("r1")))
    claims = write(tmp_path, "claims.jsonl", jsonl(claim("c1", {"run": "r1"})))
    assert kb_base("import", str(runs), str(claims)).exit_code == 0
    links = write(tmp_path, "evidence.jsonl", jsonl({"claim": "c1", "run": "r1", "stance": "contradicts"}))
    result = kb_base("import", "--json", str(links))
    assert json.loads(result.stdout)["streamed"] == {"evidence": {"added": 0, "changed": 1, "unchanged": 0}}
    assert "  - run: r1\n    stance: contradicts\n" in exported(kb_base)


def test_lines_may_carry_their_type(kb_base, tmp_path) -> None:
    path = write(tmp_path, "mixed.jsonl", jsonl(
        {"type": "evidence", "claim": "c1", "run": "r2"},
        {"type": "claim", **claim("c1", {"run": "r1"})},
        {"type": "run", **run("r1")},
        {"type": "run", **run("r2")},
    ))
    result = kb_base("import", str(path))
    assert result.exit_code == 0, result.stderr
    assert "  - run: r1\n    stance: supports\n  - run: r2\n" in exported(kb_base)


def test_dry_run_counts_exactly_and_writes_nothing(kb_base, tmp_path) -> None:
    before = exported(kb_base)
    path = write(tmp_path, "runs.jsonl", jsonl(run("r1"), run("r2")))
    result = kb_base("import", "--dry-run", str(path))
    assert result.exit_code == 0
    assert "would import 1 file(s): runs: 2 added" in result.stderr
    assert exported(kb_base) == before


# --- CSV -------------------------------------------------------------------------------------


def test_csv_params_columns_become_typed_params(kb_base, tmp_path) -> None:
    path = write(tmp_path, "sweep-runs.csv", (
        "key,method,subject,value,params.layer,params.name,params.ablate,params.list\n"
        "r1,ablation,gpt2/L1H2,0.25,3,mean,true,[1]\n"
        'r2,ablation,"gpt2/L1H3",,,"a, b",false,\n'
    ))
    result = kb_base("import", str(path))
    assert result.exit_code == 0, result.stderr
    text = exported(kb_base)
    assert "  params:\n    layer: 3\n    name: mean\n    ablate: true\n    list: '[1]'\n" in text
    assert "- key: r2\n  method: ablation\n  subject: gpt2/L1H3\n  params:\n    name: a, b\n    ablate: false\n" in text


def test_ragged_csv_rows_are_refused_with_their_line(kb_base, tmp_path) -> None:
    before = exported(kb_base)
    path = write(tmp_path, "runs.csv", "key,method,value\nr1,ablation,0.5\nr2,ablation\nr3,ablation,1\n")
    result = kb_base("import", str(path))
    assert result.exit_code == 2
    assert f"{path}:3, record 'r2': this row has 2 fields but the header has 3" in result.stderr
    assert exported(kb_base) == before


def test_unknown_csv_columns_are_refused_at_the_header(kb_base, tmp_path) -> None:
    path = write(tmp_path, "runs.csv", "key,method,valeu\nr1,ablation,0.5\n")
    result = kb_base("import", str(path))
    assert result.exit_code == 2 and f"{path}:1, field 'valeu': unknown column" in result.stderr


# --- mixed imports ---------------------------------------------------------------------------


def test_a_mixed_yaml_and_jsonl_import_is_one_transaction(kb_init, tmp_path) -> None:
    base = write(tmp_path, "base.yaml", BASE)
    runs = write(tmp_path, "runs.jsonl", jsonl(run("r1"), run("r2", value="NaN?")))
    result = kb_init("import", str(base), str(runs))
    assert result.exit_code == 2 and f"{runs}:2, record 'r2', field 'value'" in result.stderr
    assert exported(kb_init) == "kb: 1\n"  # not even the YAML's sources, methods and concepts


def test_yaml_claims_may_cite_streamed_runs_and_the_other_way(kb_init, tmp_path) -> None:
    base = write(tmp_path, "base.yaml", BASE + """\
runs:
  - {key: yaml-run, method: ablation, value: 0.1}
claims:
  - key: yaml-claim
    source: olsson2022
    concept: induction-head
    text: t
    evidence: [{run: stream-run}]
""")
    runs = write(tmp_path, "runs.jsonl", jsonl(run("stream-run")))
    claims = write(tmp_path, "claims.jsonl", jsonl(claim("stream-claim", {"run": "yaml-run"}, {"claim": "yaml-claim"})))
    result = kb_init("import", "--json", str(base), str(runs), str(claims))
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["streamed"]["claim"]["added"] == 2
    text = exported(kb_init)
    assert "- key: yaml-claim" in text and "  - run: stream-run\n" in text and "  - claim: yaml-claim\n" in text


def test_a_key_in_yaml_and_in_a_stream_is_refused(kb_init, tmp_path) -> None:
    base = write(tmp_path, "base.yaml", BASE + "runs:\n  - {key: r1, method: ablation}\n")
    runs = write(tmp_path, "runs.jsonl", jsonl(run("r1")))
    result = kb_init("import", str(base), str(runs))
    assert result.exit_code == 2
    assert f"duplicate run key 'r1' (also at {base}:" in result.stderr


# --- BibTeX ----------------------------------------------------------------------------------


def test_bibtex_sources_import_with_authors_arxiv_and_doi(kb_init) -> None:
    result = kb_init("import", str(FIXTURES / "bulk" / "refs.bib"))
    assert result.exit_code == 0, result.stderr
    sources = {s["key"]: s for s in json.loads(json.dumps(_sources(kb_init)))}
    assert sources["olsson2022"] == {
        "key": "olsson2022", "title": "In-context Learning and Induction Heads",
        "authors": ["Catherine Olsson", "Nelson Elhage", "Neel Nanda"], "year": 2022,
        "url": "https://transformer-circuits.pub/2022/in-context-learning-and-induction-heads/index.html",
    }
    assert sources["wang2022ioi"]["arxiv"] == "2211.00593"
    assert sources["wang2022ioi"]["authors"][-1] == "Jacob Steinhardt"
    assert sources["elhage2022toy"]["arxiv"] == "2209.10652v1"
    assert sources["elhage2022toy"]["doi"] == "10.48550/arXiv.2209.10652"
    assert sources["sch2020"]["title"] == "Café Circuits"
    assert sources["sch2020"]["authors"] == ["Bernhard Schölkopf"]
    assert sources["sch2020"]["arxiv"] == "2001.01234"


def _sources(kb) -> list[dict]:  # type: ignore[no-untyped-def]
    import yaml

    return yaml.safe_load(exported(kb))["sources"]


def test_bibtex_dry_run_shows_what_would_change(kb_init, tmp_path) -> None:
    bib = FIXTURES / "bulk" / "refs.bib"
    result = kb_init("import", "--dry-run", str(bib))
    assert result.exit_code == 0
    assert "+ source olsson2022\n" in result.stdout and "+ source wang2022ioi\n" in result.stdout
    assert exported(kb_init) == "kb: 1\n"
    assert kb_init("import", str(bib)).exit_code == 0
    edited = write(tmp_path, "refs.bib", bib.read_text(encoding="utf-8").replace("year    = {2022}", "year = {2023}"))
    result = kb_init("import", "--dry-run", str(edited))
    assert result.stdout == "~ source olsson2022\n"
    assert "sources: 0 added, 1 changed, 3 unchanged" in result.stderr


def test_bad_bibtex_entries_name_their_line(kb_init, tmp_path) -> None:
    path = write(tmp_path, "refs.bib", "@misc{ok, title={T}, year={2020}}\n\n@misc{bad key, title={T}}\n")
    result = kb_init("import", str(path))
    assert result.exit_code == 2 and f"{path}:3" in result.stderr
    path = write(tmp_path, "refs.bib", "@misc{nodate,\n  title = {T},\n  year = {soon}\n}\n")
    result = kb_init("import", str(path))
    assert result.exit_code == 2 and f"{path}:3, record 'nodate', field 'year'" in result.stderr


# --- the benchmark generator at a tiny scale -------------------------------------------------


def test_a_tiny_generated_knowledge_base_imports_exports_and_reimports(kb_init, tmp_path) -> None:
    from benchmarks.generate import generate

    sizes = generate(tmp_path / "data", scale=0.0005, seed=3)
    result = kb_init("import", "--json", str(tmp_path / "data"))
    assert result.exit_code == 0, result.stderr
    streamed = json.loads(result.stdout)["streamed"]
    assert streamed["run"]["added"] == sizes.runs and streamed["claim"]["added"] == sizes.claims
    again = kb_init("import", "--json", str(tmp_path / "data"))
    assert {t: c["added"] + c["changed"] for t, c in json.loads(again.stdout)["streamed"].items()} == {"run": 0, "claim": 0}
    assert kb_init("export", "--format", "jsonl", "-o", str(tmp_path / "out")).exit_code == 0
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["claims.jsonl", "kb.yaml", "runs.jsonl"]
    assert sum(1 for _ in (tmp_path / "out" / "runs.jsonl").open()) == sizes.runs


def test_progress_is_reported_while_streaming(store, tmp_path, monkeypatch) -> None:
    from kb.bulk import streams
    from kb.services.importing import import_files

    monkeypatch.setattr(streams, "PROGRESS_EVERY", 2)
    import_files(store, [write(tmp_path, "base.yaml", BASE)])
    seen: list[tuple[str, int, int]] = []
    path = write(tmp_path, "runs.jsonl", jsonl(*(run(f"r{i}") for i in range(5))))
    import_files(store, [path], on_progress=lambda s, done: seen.append((s.name, done, s.lines_read)))
    assert seen[-1] == (str(path), path.stat().st_size, 5)
    assert [lines for _, _, lines in seen[:-1]] == [2, 4]
