"""All or nothing: an import of many files whose last record is bad, and a CLI edit or removal
that fails half-way through writing, leave the database exactly as it was (exit 2, the problem
named). Failures half-way are real: the writer has flushed rows to the database when the
failure (a database error, or an input error found late) happens."""

from __future__ import annotations

from pathlib import Path

import pytest

from kb.errors import InvalidInput, Location
from kb.services.writer import Writer
from kb.store import models as m

FILES = {
    "1-sources.yaml": "kb: 1\nsources:\n  - {key: s1, title: S1}\n  - {key: s2, title: S2}\n",
    "2-methods.yaml": "kb: 1\nmethods:\n  - {key: m1, name: M1, kind: behavioral}\n  - {key: m2, name: M2, kind: mechanistic}\n",
    "3-concepts.yaml": (
        "kb: 1\nconcepts:\n  - key: c1\n    name: C1\n    definitions:\n"
        "      - {key: d1, kind: behavioral, text: T, criteria: [{method: m1, op: '>=', threshold: 0.5}]}\n"
        "  - {key: c2, name: C2, relations: [{type: broader, target: c1}]}\n"
    ),
    "4-runs.yaml": "kb: 1\nruns:\n" + "".join(f"  - {{key: r{i}, method: m1, value: 0.{i}}}\n" for i in range(1, 9)),
    "5-claims.yaml": "kb: 1\nclaims:\n" + "".join(
        f"  - {{key: k{i}, source: s1, concept: c1, text: t, evidence: [{{run: r{i}}}]}}\n" for i in range(1, 9)
    ),
}
LAST = "6-more-claims.yaml"


def write_files(tmp_path: Path, last: str) -> list[str]:
    paths = []
    for name, text in {**FILES, LAST: last}.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        paths.append(str(path))
    return paths


@pytest.fixture
def base(kb_init, tmp_path: Path):  # type: ignore[no-untyped-def]
    """A database holding one record of each kind, and its export."""
    path = tmp_path / "base.yaml"
    path.write_text(
        "kb: 1\nsources: [{key: s0, title: S0}]\nmethods: [{key: m0, name: M0, kind: behavioral}]\n"
        "concepts: [{key: c0, name: C0}]\nruns: [{key: r0, method: m0, value: 0.5}]\n"
        "claims: [{key: k0, source: s0, concept: c0, text: Old text., evidence: [{run: r0}]}]\n",
        encoding="utf-8",
    )
    assert kb_init("import", str(path)).exit_code == 0
    return kb_init, kb_init("export").stdout


GOOD_CLAIMS = "kb: 1\nclaims:\n" + "".join(
    f"  - {{key: k{i}, source: s2, concept: c2, text: t, evidence: [{{run: r{i - 8}}}]}}\n" for i in range(9, 16)
)


@pytest.mark.parametrize(
    ("last_record", "expected"),
    [
        ("  - {key: k16, source: s2, concept: c2, text: t, evidence: [{run: r1, stance: refutes}]}\n",
         ":10, record 'k16', field 'evidence[0].stance': 'refutes' is not allowed"),
        ("  - {key: k16, source: s2, concept: c2, text: t, evidence: [{run: r99}]}\n",
         ":10, record 'k16', field 'evidence[0].run': unknown run 'r99'"),
    ],
    ids=["bad-value", "missing-reference"],
)
def test_many_files_whose_last_record_is_bad_write_nothing(base, tmp_path: Path, last_record: str, expected: str) -> None:  # type: ignore[no-untyped-def]
    kb, before = base
    paths = write_files(tmp_path, GOOD_CLAIMS + last_record)
    result = kb("import", *paths)
    assert result.exit_code == 2
    assert f"Error: {tmp_path / LAST}{expected}" in result.stderr
    assert kb("export").stdout == before
    # The same files with the last record fixed import whole: the failure was that record alone.
    assert kb("import", *write_files(tmp_path, GOOD_CLAIMS)).exit_code == 0


def test_an_import_the_database_refuses_while_writing_writes_nothing(base, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Every file is valid, but the database refuses the very last row written (a value its CHECK
    constraint forbids): sources, methods, concepts, runs and claims were already flushed."""
    kb, before = base
    original = Writer.write_claim_links
    flushed: list[int] = []

    def refuse_last_row(self: Writer, items) -> None:  # type: ignore[no-untyped-def]
        flushed.append(self.session.query(m.Run).count())
        original(self, items)
        self.session.add(m.EvidenceLink(claim_id=self.id_of("claim", "k15"), position=99, stance="supports"))
        self.session.flush()  # no run and no claim: the database's CHECK refuses it

    monkeypatch.setattr(Writer, "write_claim_links", refuse_last_row)
    result = kb("import", *write_files(tmp_path, GOOD_CLAIMS))
    assert result.exit_code == 2
    assert "the database refused the change, so nothing was written" in result.stderr
    assert "ck_evidence_one_target" in result.stderr and "Traceback" not in result.stderr
    assert flushed and flushed[0] == 9  # r0 and the eight new runs were in the database
    assert kb("export").stdout == before


def fail_after_writing(monkeypatch, error: Exception) -> list[str]:  # type: ignore[no-untyped-def]
    """Make the writer raise `error` after it has flushed the claim and replaced its evidence."""
    original = Writer.write_claim_links
    written: list[str] = []

    def then_fail(self: Writer, items) -> None:  # type: ignore[no-untyped-def]
        original(self, items)
        self.session.flush()
        written.extend(item.key for item in items)
        raise error

    monkeypatch.setattr(Writer, "write_claim_links", then_fail)
    return written


def test_a_cli_edit_failing_half_way_writes_nothing(base, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    kb, before = base
    assert kb("run", "add", "r-new", "--method", "m0", "--value", "0.9").exit_code == 0
    before = kb("export").stdout
    written = fail_after_writing(
        monkeypatch, InvalidInput([(Location(record="k0", field="evidence"), "a late check failed")])
    )
    result = kb("claim", "edit", "k0", "--text", "New text.", "--evidence", "r-new")
    assert written == ["k0"]  # the new text and evidence had reached the database
    assert result.exit_code == 2
    assert result.stderr == "Error: record 'k0', field 'evidence': a late check failed\n"
    assert kb("export").stdout == before
    assert "Old text." in kb("claim", "show", "k0").stdout


def test_a_cli_edit_the_database_refuses_half_way_writes_nothing(base, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    kb, before = base
    original = Writer.write_claim_links

    def then_bad_row(self: Writer, items) -> None:  # type: ignore[no-untyped-def]
        original(self, items)
        self.session.add(m.EvidenceLink(claim_id=self.id_of("claim", "k0"), position=99, stance="supports"))
        self.session.flush()

    monkeypatch.setattr(Writer, "write_claim_links", then_bad_row)
    result = kb("claim", "edit", "k0", "--text", "New text.", "--contradicting", "r0")
    assert result.exit_code == 2
    assert "the database refused the change, so nothing was written" in result.stderr
    assert kb("export").stdout == before


def test_a_cascading_removal_failing_half_way_removes_nothing(base, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import kb.services.removal as removal

    kb, before = base
    original = removal._execute

    def then_fail(session, type_, key, plan) -> None:  # type: ignore[no-untyped-def]
        original(session, type_, key, plan)  # the run, its evidence link: deleted and flushed
        raise InvalidInput([(Location(record=key), "a late check failed")])

    monkeypatch.setattr(removal, "_execute", then_fail)
    result = kb("run", "remove", "r0", "--cascade")
    assert result.exit_code == 2 and "record 'r0': a late check failed" in result.stderr
    assert kb("export").stdout == before
