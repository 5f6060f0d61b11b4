"""What `kb report` writes: the same bytes twice, nothing outside -o DIR, no symlink followed,
the single-file page, and the CLI's messages."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kb.errors import KbError
from tests.report.helpers import files_below, ids, parse, write


def test_two_runs_write_identical_bytes(kb_store, tmp_path: Path) -> None:
    write(kb_store, tmp_path / "one")
    write(kb_store, tmp_path / "two")
    one, two = files_below(tmp_path / "one"), files_below(tmp_path / "two")
    assert one == two and len(one) == 14
    write(kb_store, tmp_path / "one")  # and again over the first
    assert files_below(tmp_path / "one") == one
    write(kb_store, tmp_path / "s1", single_file="all.html")
    write(kb_store, tmp_path / "s2", single_file="all.html")
    assert (tmp_path / "s1" / "all.html").read_bytes() == (tmp_path / "s2" / "all.html").read_bytes()


def test_every_backend_gives_the_same_site(kb_store, tmp_path: Path) -> None:
    """PostgreSQL sorts text by its collation, SQLite by bytes: the pages must not differ."""
    from kb.store.database import Store
    from kb.store.migrate import upgrade
    from tests.report.helpers import load

    reference = Store(f"sqlite:///{tmp_path / 'reference.sqlite3'}")
    try:
        upgrade(reference)
        load(reference)
        write(reference, tmp_path / "reference")
    finally:
        reference.dispose()
    write(kb_store, tmp_path / "this")
    assert files_below(tmp_path / "this") == files_below(tmp_path / "reference")


def test_stamp_adds_the_generation_time(kb_store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    write(kb_store, tmp_path / "plain", title="Team glossary")
    write(kb_store, tmp_path / "stamped", title="Team glossary", stamp=True)
    plain = (tmp_path / "plain" / "index.html").read_text()
    stamped = (tmp_path / "stamped" / "index.html").read_text()
    assert "2026-01-01 00:00 UTC" in stamped and "2026-01-01" not in plain
    assert "<title>Concepts A–Z · Team glossary</title>" in plain


def test_report_says_what_it_wrote(kb_store, tmp_path: Path) -> None:
    result = write(kb_store, tmp_path / "site")
    assert result.pages == 12 and len(result.files) == 14
    assert result.total_bytes == sum(len(b) for b in files_below(tmp_path / "site").values())
    assert result.index == (tmp_path / "site").resolve() / "index.html"
    assert result.summary().startswith("wrote 12 pages and 2 assets (")


def test_nothing_is_written_outside_the_output_folder(kb_store, tmp_path: Path) -> None:
    before = sorted(p.name for p in tmp_path.iterdir())
    write(kb_store, tmp_path / "deep" / "site")
    write(kb_store, tmp_path / "single", single_file="sub/glossary.html")
    after = sorted(p.name for p in tmp_path.iterdir())
    assert after == sorted([*before, "deep", "single"])
    assert [p.name for p in (tmp_path / "deep").iterdir()] == ["site"]
    assert files_below(tmp_path / "single").keys() == {"sub/glossary.html"}
    leftovers = [p for p in (tmp_path / "deep" / "site").rglob("*") if p.name.endswith(".tmp")]
    assert leftovers == []


@pytest.mark.parametrize("name", ["../escape.html", "sub/../../escape.html", "/tmp/kb-report-escape.html"])
def test_single_file_outside_the_folder_is_refused(kb_store, tmp_path: Path, name: str) -> None:
    with pytest.raises(KbError, match="outside the output folder|must name a file inside"):
        write(kb_store, tmp_path / "out", single_file=name)
    assert not (tmp_path / "escape.html").exists() and not Path("/tmp/kb-report-escape.html").exists()


def test_absolute_single_file_inside_the_folder_is_accepted(kb_store, tmp_path: Path) -> None:
    result = write(kb_store, tmp_path / "out", single_file=str(tmp_path / "out" / "g.html"))
    assert result.index == (tmp_path / "out" / "g.html").resolve()


def test_a_symlinked_folder_inside_the_output_is_refused(kb_store, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    out = tmp_path / "site"
    out.mkdir()
    (out / "concepts").symlink_to(outside, target_is_directory=True)
    with pytest.raises(KbError, match="symlink"):
        write(kb_store, out)
    assert list(outside.iterdir()) == []


def test_a_symlinked_page_is_refused_not_followed(kb_store, tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    out = tmp_path / "site"
    out.mkdir()
    (out / "index.html").symlink_to(victim)
    with pytest.raises(KbError, match="symlink"):
        write(kb_store, out)
    assert victim.read_text() == "keep me"


def test_output_folder_that_is_a_file_is_refused(kb_store, tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(KbError, match="not a folder"):
        write(kb_store, tmp_path / "file")


def test_single_file_holds_everything_with_anchors(kb_store, tmp_path: Path) -> None:
    result = write(kb_store, tmp_path / "out", single_file="glossary.html")
    page = tmp_path / "out" / "glossary.html"
    assert result.pages == 1 and result.files[0].size == page.stat().st_size
    doc = parse(page)
    assert doc.find("link", rel="stylesheet") is None and doc.find("style") is not None
    scripts = doc.find_all("script")
    assert len(scripts) == 1 and not scripts[0].get("src") and "data-filter" in scripts[0].string
    anchors = ids(page)
    for section in ("index", "map", "concepts", "papers", "audit", "sources", "rules", "vocabulary"):
        assert section in anchors
    for key in ("concept-induction-head", "concept-xss-concept", "paper-olsson2022", "paper-evil:2024", "claim-c1",
                "def-induction-head/elhage2021", "src-elhage2021", "method-k-composition-score", "agreement-induction-head"):
        assert key in anchors
    hrefs = [a["href"] for a in doc.find_all("a", href=True) if not a["href"].startswith("http")]
    assert hrefs and all(h.startswith("#") for h in hrefs)
    missing = {h for h in hrefs if h[1:] not in anchors}
    assert missing == set()
    assert len(doc.find_all(id=True)) == len(anchors), "ids are unique"
    assert len(doc.find_all("h1")) == 1


def test_cli_writes_the_site_and_prints_the_index_path(kb_init, tmp_path: Path) -> None:
    from tests.report.helpers import REPORT_KB

    assert kb_init("import", str(REPORT_KB)).exit_code == 0
    result = kb_init("report", "-o", str(tmp_path / "site"), "--title", "Our glossary")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == str((tmp_path / "site" / "index.html").resolve())
    assert result.stderr.startswith("wrote 12 pages and 2 assets (")
    assert "Our glossary" in (tmp_path / "site" / "index.html").read_text()

    single = kb_init("report", "-o", str(tmp_path / "one"), "--single-file", "g.html")
    assert single.exit_code == 0 and single.stdout.strip().endswith("g.html")
    assert single.stderr.startswith("wrote 1 page (")


def test_pages_of_removed_records_are_named_not_deleted(kb_init, tmp_path: Path) -> None:
    from tests.report.helpers import REPORT_KB

    assert kb_init("import", str(REPORT_KB)).exit_code == 0
    assert kb_init("report", "-o", str(tmp_path / "site")).exit_code == 0
    assert kb_init("claim", "remove", "c3").exit_code == 0
    assert kb_init("concept", "remove", "xss-concept").exit_code == 0
    result = kb_init("report", "-o", str(tmp_path / "site"))
    assert result.exit_code == 0
    assert "note: 2 page(s) from an earlier run are not part of this report: " in result.stderr
    assert "concepts/xss-concept.html, papers/evil_3a2024.html" in result.stderr
    assert (tmp_path / "site" / "concepts" / "xss-concept.html").exists()


def test_cli_refusal_is_a_clean_error(kb_init, tmp_path: Path) -> None:
    from tests.report.helpers import REPORT_KB

    assert kb_init("import", str(REPORT_KB)).exit_code == 0
    out = tmp_path / "site"
    out.mkdir()
    (out / "papers").symlink_to(tmp_path, target_is_directory=True)
    result = kb_init("report", "-o", str(out))
    assert result.exit_code == 2
    assert "refusing to write through the symlink" in result.stderr


def test_cli_needs_an_initialised_database(kb, tmp_path: Path) -> None:
    result = kb("report", "-o", str(tmp_path / "site"))
    assert result.exit_code == 2 and "kb init" in result.stderr
    assert not (tmp_path / "site" / "index.html").exists()


def test_page_files_are_world_readable(kb_store, tmp_path: Path) -> None:
    write(kb_store, tmp_path / "site")
    assert oct(os.stat(tmp_path / "site" / "index.html").st_mode & 0o777) == "0o644"


def _queries_to_build(store) -> int:  # type: ignore[no-untyped-def]
    from sqlalchemy import event

    from kb.report.build import build_site
    from kb.report.findings import AuditData

    statements: list[str] = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(store.engine, "before_cursor_execute", listener)
    try:
        with store.session() as session:
            build_site(session, AuditData(), title="t", version="0")
    finally:
        event.remove(store.engine, "before_cursor_execute", listener)
    return len(statements)


def test_building_the_views_takes_a_fixed_number_of_queries(kb_store, tmp_path: Path) -> None:
    from kb.store.database import Store
    from kb.store.migrate import upgrade
    from tests.report.helpers import SEED_FILES, load

    seed = Store(f"sqlite:///{tmp_path / 'seed.sqlite3'}")
    try:
        upgrade(seed)
        load(seed, SEED_FILES)
        small, large = _queries_to_build(kb_store), _queries_to_build(seed)
    finally:
        seed.dispose()
    # Not one query per record: 19 concepts and 37 claims take as many as 3 and 3 (a
    # select-in load is skipped when there is nothing to load, hence "about").
    assert small <= 20 and large <= 20 and abs(small - large) <= 2, (small, large)


def _staged(out: Path) -> list[Path]:
    """The files `SafeWriter.write_all` has written but not yet put in place."""
    return list(out.glob(".kb-report-*.tmp/*"))


def test_the_site_is_rendered_and_written_one_page_at_a_time(kb_store, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Each page's views are built and its bytes written out before the next page's are built:
    when page N is rendered, pages 1..N-1 are already on disk (staged), and each concept page's
    views are built just before it is rendered, not all up front."""
    from kb.report import build, render

    out = tmp_path / "site"
    built: list[str] = []
    seen: list[tuple[str, int, int]] = []
    concept_page, render_template = build._Builder.concept_page, render.render_template

    def counting_concept_page(self, concept):  # type: ignore[no-untyped-def]
        built.append(concept.key)
        return concept_page(self, concept)

    def spying_render_template(name: str, context: render.PageContext) -> str:
        seen.append((name, len(_staged(out)), len(built)))
        return render_template(name, context)

    monkeypatch.setattr(build._Builder, "concept_page", counting_concept_page)
    monkeypatch.setattr(render, "render_template", spying_render_template)
    result = write(kb_store, out)
    assert [staged for _, staged, _ in seen] == list(range(result.pages))
    concept_renders = [count for name, _, count in seen if name == "concept.html"]
    assert len(concept_renders) >= 2 and concept_renders == list(range(1, len(concept_renders) + 1))
    assert not list(out.glob(".kb-report-*"))


def test_a_page_failing_to_render_leaves_the_previous_site_as_it_was(kb_store, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from kb.report import render

    out = tmp_path / "site"
    write(kb_store, out)
    before = files_below(out)
    render_template, calls = render.render_template, []

    def failing_render_template(name: str, context: render.PageContext) -> str:
        calls.append(name)
        if len(calls) == 5:
            raise RuntimeError("page 5 fails")
        return render_template(name, context)

    monkeypatch.setattr(render, "render_template", failing_render_template)
    with pytest.raises(RuntimeError, match="page 5 fails"):
        write(kb_store, out, title="Another title")  # every page's bytes would differ
    assert files_below(out) == before
    assert not list(out.glob(".kb-report-*"))


def test_a_refused_path_late_in_the_site_writes_no_page(kb_store, tmp_path: Path) -> None:
    """Every path is checked before any file is put in place: a symlinked papers/ folder is
    refused before index.html (written first) or any concept page is."""
    outside = tmp_path / "outside"
    outside.mkdir()
    out = tmp_path / "site"
    out.mkdir()
    (out / "papers").symlink_to(outside, target_is_directory=True)
    with pytest.raises(KbError, match="symlink"):
        write(kb_store, out)
    assert list(outside.iterdir()) == []
    assert not (out / "index.html").exists() and not list((out / "concepts").glob("*.html"))
    assert not list(out.glob(".kb-report-*"))
