"""The scripted session of the store/CLI issue, on both backends."""

from __future__ import annotations

from pathlib import Path

SESSION = [
    ("source", "add", "olsson2022", "--title", "In-context Learning and Induction Heads", "--year", "2022",
     "--author", "Catherine Olsson", "--arxiv", "2209.11895"),
    ("method", "add", "prefix-matching-score", "--kind", "behavioral", "--name", "Prefix-matching score"),
    ("method", "add", "k-composition-score", "--kind", "intensional", "--name", "K-composition score"),
    ("concept", "add", "induction-head", "--name", "Induction head", "--alias", "induction heads"),
    ("definition", "add", "induction-head", "--key", "olsson2022", "--kind", "behavioral", "--text", "Scores high.",
     "--source", "olsson2022", "--criterion", "prefix-matching-score >= 0.5"),
    ("definition", "add", "induction-head", "--key", "elhage2021", "--kind", "mechanistic", "--text", "Composes.",
     "--criterion", "k-composition-score >= 0.1"),
    ("run", "add", "r1", "--method", "prefix-matching-score", "--subject", "gpt2-small/L5H5", "--value", "0.9",
     "--source", "olsson2022", "--param", "n=10"),
    ("claim", "add", "c1", "--source", "olsson2022", "--concept", "induction-head", "--text", "An induction head.",
     "--stated-kind", "mechanistic", "--subject", "gpt2-small/L5H5", "--evidence", "r1"),
]


def test_scripted_session_export_import_export_is_identical(kb_init, tmp_path: Path, db_url: str) -> None:
    for command in SESSION:
        result = kb_init(*command)
        assert result.exit_code == 0, result.stderr
    first = kb_init("export", "--format", "yaml")
    assert first.exit_code == 0
    exported = tmp_path / "export.yaml"
    exported.write_text(first.stdout)

    from typer.testing import CliRunner

    from cli.main import app

    other = f"sqlite:///{tmp_path / 'other.sqlite3'}"
    runner = CliRunner()
    assert runner.invoke(app, ["--db", other, "init"]).exit_code == 0
    assert runner.invoke(app, ["--db", other, "import", str(exported)]).exit_code == 0
    second = runner.invoke(app, ["--db", other, "export", "--format", "yaml"])
    assert second.stdout == first.stdout
