"""Render the report: the only module that renders templates, and the only one that writes it.

`iter_site(site)` gives every file of the static site as bytes with its path relative to the
output folder, one page at a time (`render_site` collects them); `render_single(site)` gives the
one self-contained page. `write_report` builds the views from a store and writes them with
`SafeWriter`, which never writes outside the output folder and never follows a symlink: the
site page by page into a temporary folder, then every file into place once all are rendered.
Output is deterministic: the same database gives the same bytes, unless `stamp` adds the
generation time.
"""

from __future__ import annotations

import functools
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any

from markupsafe import Markup

from kb.errors import KbError
from kb.report import views
from kb.report.environment import environment
from kb.report.links import Links, PageFiles
from kb.resources import templates_dir

ASSETS = ("kb.css", "filter.js")

# Each page template and the class of the page object it renders (its documented context).
PAGE_TEMPLATES: dict[str, type] = {
    "index.html": views.IndexPage,
    "map.html": views.MapPage,
    "concept.html": views.ConceptPage,
    "paper.html": views.PaperPage,
    "audit.html": views.AuditPage,
    "sources.html": views.SourcesPage,
    "rules.html": views.RulesPage,
    "vocabulary.html": views.VocabularyPage,
    "single.html": views.Site,
}


@dataclass(frozen=True, slots=True)
class PageContext:
    """The context every page template renders.

    Attributes:
        site: `views.SiteInfo`, for the header and footer.
        page: the page object (see `PAGE_TEMPLATES`).
        links: `links.Links` for URLs and anchor ids, relative to this page.
        current: which navigation entry is this page (`index`, `audit`, ...), or None.
        hl: the level of the page's top heading (1 on site pages).
        style_html: the stylesheet inlined (single file), else None and the page links it.
        script_html: the filter script inlined (single file), else None and the page links it.
    """

    site: views.SiteInfo
    page: Any
    links: Links
    current: str | None = None
    hl: int = 1
    style_html: Markup | None = None
    script_html: Markup | None = None

    def as_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def render_template(name: str, context: PageContext) -> str:
    expected = PAGE_TEMPLATES[name]
    if not isinstance(context.page, expected):
        raise TypeError(f"{name} renders a {expected.__name__}, not a {type(context.page).__name__}")
    return environment().get_template(name).render(context.as_dict())


def asset_bytes(name: str) -> bytes:
    return (templates_dir() / "assets" / name).read_bytes()


def _keys(pages: Sequence[Any], key_of: Callable[[Any], str]) -> Sequence[str]:
    """The record keys of a run of pages: from `views.Pages` without building a page."""
    return pages.keys if isinstance(pages, views.Pages) else [key_of(p) for p in pages]


def iter_site(site: views.Site) -> Iterator[tuple[str, bytes]]:
    """Every file of the static site, one at a time: (relative path, bytes), in a stable order.

    Every page's path is decided, and checked against the others, before the first page is
    rendered; then each page's views are built, rendered and handed on before the next page's
    are built, so a caller that writes each file as it comes holds one page in memory.
    """
    concept_keys = _keys(site.concepts, lambda c: c.key)
    paper_keys = _keys(site.papers, lambda p: p.source.ref.key)
    names = PageFiles(concepts=concept_keys, papers=paper_keys)
    plan: list[tuple[str, str, Callable[[], Any], str | None]] = [
        ("index.html", "index.html", lambda: site.index, "index"),
        ("map.html", "map.html", lambda: site.map, "map"),
        *((names.concept(key), "concept.html", functools.partial(site.concepts.__getitem__, i), None)
          for i, key in enumerate(concept_keys)),
        *((names.paper(key), "paper.html", functools.partial(site.papers.__getitem__, i), None)
          for i, key in enumerate(paper_keys)),
        ("audit.html", "audit.html", lambda: site.audit, "audit"),
        ("sources.html", "sources.html", lambda: site.sources, "sources"),
        ("rules.html", "rules.html", lambda: site.rules, "rules"),
        ("vocabulary.html", "vocabulary.html", lambda: site.vocabulary, "vocabulary"),
    ]
    folded: dict[str, str] = {}  # lower-cased path -> path: one file on macOS and Windows
    for path, *_ in plan:
        if path.lower() in folded:
            raise KbError(f"two pages of the report would both be written to {folded[path.lower()]} ({path})")
        folded[path.lower()] = path
    for path, template, page_of, current in plan:
        depth = len(PurePosixPath(path).parts) - 1
        context = PageContext(site=site.info, page=page_of(), links=Links(depth=depth, files=names), current=current)
        yield path, render_template(template, context).encode("utf-8")
    for name in ASSETS:
        yield f"assets/{name}", asset_bytes(name)


def render_site(site: views.Site) -> dict[str, bytes]:
    """Every file of the static site: relative path -> bytes, in a stable order (`iter_site`,
    all held in memory at once: `write_report` writes them one at a time instead)."""
    return dict(iter_site(site))


def render_single(site: views.Site) -> bytes:
    """The whole report as one HTML page with its stylesheet and script inline."""
    context = PageContext(
        site=site.info,
        page=site,
        links=Links(single=True),
        style_html=Markup(asset_bytes("kb.css").decode("utf-8")),
        script_html=Markup(asset_bytes("filter.js").decode("utf-8")),
    )
    return render_template("single.html", context).encode("utf-8")


# --- writing -------------------------------------------------------------------------------------


class SafeWriter:
    """Writes files below one folder, refusing any path that leaves it or passes a symlink.

    The folder itself may be a symlink the user named; below it, a symlinked folder or file is
    refused rather than followed (a link could point anywhere). Each file is written to a
    temporary file beside it and renamed into place, so readers never see half a page.
    """

    def __init__(self, root: Path):
        root = Path(root)
        if root.exists() and not root.is_dir():
            raise KbError(f"{root} exists and is not a folder: choose another -o DIR")
        root.mkdir(parents=True, exist_ok=True)
        self.root = root.resolve()

    def relative(self, path: str | Path) -> PurePosixPath:
        """`path` as a clean path below the root; absolute paths must already lie inside it."""
        candidate = Path(path)
        if candidate.is_absolute():
            resolved_parent = candidate.parent.resolve()
            if not resolved_parent.is_relative_to(self.root):
                raise KbError(f"refusing to write {candidate}: it is outside the output folder {self.root}")
            candidate = (resolved_parent / candidate.name).relative_to(self.root)
        rel = PurePosixPath(candidate.as_posix())
        if not rel.parts or any(part in ("", ".", "..") for part in rel.parts):
            raise KbError(f"refusing to write {path}: the path must name a file inside the output folder")
        return rel

    def target(self, rel: PurePosixPath) -> Path:
        current = self.root
        for part in rel.parts[:-1]:
            current = current / part
            if current.is_symlink():
                raise KbError(f"refusing to write through the symlink {current}: remove it or choose another -o DIR")
            if current.exists() and not current.is_dir():
                raise KbError(f"refusing to write below {current}: it is not a folder")
            current.mkdir(exist_ok=True)
        final = current / rel.parts[-1]
        if final.is_symlink():
            raise KbError(f"refusing to overwrite the symlink {final}: remove it or choose another -o DIR")
        if final.is_dir():
            raise KbError(f"refusing to write {final}: it is a folder")
        if not final.parent.resolve().is_relative_to(self.root):
            raise KbError(f"refusing to write {final}: it is outside the output folder {self.root}")
        return final

    def write(self, path: str | Path, data: bytes) -> Path:
        final = self.target(self.relative(path))
        fd, tmp = tempfile.mkstemp(dir=final.parent, prefix=f".{final.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.chmod(tmp, 0o644)
            os.replace(tmp, final)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return final

    def write_all(self, files: Iterable[tuple[str, bytes]]) -> list[tuple[Path, int]]:
        """Write every (path, bytes) of `files`, taking one at a time, and return each file's
        final path and size, in order.

        Each file goes to a hidden temporary folder inside the root as it comes, so memory holds
        one file, not all of them. Only when the last has come are the final paths checked
        (`target`) and the files renamed into place; an error before that (a page that fails to
        render, a path refused) changes nothing in the folder: no page of this run is put in
        place beside the previous run's.
        """
        staging = Path(tempfile.mkdtemp(dir=self.root, prefix=".kb-report-", suffix=".tmp"))
        try:
            staged: list[tuple[PurePosixPath, Path, int]] = []
            for number, (path, data) in enumerate(files):
                rel = self.relative(path)
                tmp = staging / str(number)
                with open(tmp, "xb") as handle:
                    handle.write(data)
                os.chmod(tmp, 0o644)
                staged.append((rel, tmp, len(data)))
            finals = [self.target(rel) for rel, _, _ in staged]  # every path checked before any is replaced
            written = []
            for final, (_, tmp, size) in zip(finals, staged, strict=True):
                os.replace(tmp, final)
                written.append((final, size))
            return written
        finally:
            shutil.rmtree(staging, ignore_errors=True)


@dataclass(frozen=True, slots=True)
class WrittenFile:
    path: Path
    size: int
    is_page: bool


@dataclass
class ReportResult:
    """What `write_report` wrote: every file with its size, and the page to open first."""

    out_dir: Path
    index: Path
    files: list[WrittenFile] = field(default_factory=list)
    # Pages left in concepts/ and papers/ by an earlier run that this one did not write (a
    # record since removed). kb never deletes them; the CLI names them.
    stale: list[Path] = field(default_factory=list)

    @property
    def pages(self) -> int:
        return sum(1 for f in self.files if f.is_page)

    @property
    def total_bytes(self) -> int:
        return sum(f.size for f in self.files)

    def summary(self) -> str:
        assets = len(self.files) - self.pages
        noun = "page" if self.pages == 1 else "pages"
        extra = f" and {assets} asset{'s' if assets != 1 else ''}" if assets else ""
        return f"wrote {self.pages} {noun}{extra} ({self.total_bytes:,} bytes) to {self.out_dir}"


@dataclass(frozen=True, slots=True)
class ReportOptions:
    """How to write the report.

    `title` heads every page; `stamp` adds the generation time (and so changes the bytes);
    `single_file` writes one self-contained page at that path inside the output folder instead
    of the site; `config` is the audit's configuration file (severities), read as `kb audit`
    reads it: None means `kb.toml` in the working directory, if there is one.
    """

    title: str = "Knowledge base glossary"
    stamp: bool = False
    single_file: str | None = None
    config: Path | None = None


def generation_time() -> str:
    """Now in UTC, or SOURCE_DATE_EPOCH when set (reproducible builds)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = datetime.fromtimestamp(int(epoch), UTC) if epoch else datetime.now(UTC)
    return moment.strftime("%Y-%m-%d %H:%M UTC")


@contextmanager
def site_from_store(store: Any, options: ReportOptions) -> Iterator[views.Site]:
    """The report's views of `store`, inside one read transaction: the concept and paper pages
    are built as they are iterated (`views.Pages`), so use the site inside the block."""
    from importlib.metadata import version

    from kb.audit.config import load_config
    from kb.report.build import build_site
    from kb.report.findings import gather_audit
    from kb.store.migrate import require_current

    severities = load_config(options.config).severities
    require_current(store)
    with store.session() as session:
        audit = gather_audit(session, severities)
        yield build_site(
            session,
            audit,
            title=options.title,
            version=version("kb"),
            generated=generation_time() if options.stamp else None,
        )


def write_report(store: Any, out_dir: Path, options: ReportOptions = ReportOptions()) -> ReportResult:
    """Build the report from `store` and write it below `out_dir`: the site, page by page
    (`SafeWriter.write_all`), or with `options.single_file` one self-contained page at that path
    inside `out_dir`."""
    writer = SafeWriter(out_dir)
    if options.single_file is not None:
        writer.relative(options.single_file)  # refuse a bad path before reading the database
    with site_from_store(store, options) as site:
        if options.single_file is not None:
            data = render_single(site)
            path = writer.write(options.single_file, data)
            return ReportResult(writer.root, path, [WrittenFile(path, len(data), True)])
        result = ReportResult(writer.root, writer.root / "index.html")
        for path, size in writer.write_all(iter_site(site)):
            result.files.append(WrittenFile(path, size, path.suffix == ".html"))
    written = {f.path for f in result.files}
    for folder in ("concepts", "papers"):
        if not (writer.root / folder).is_symlink():
            result.stale += sorted(p for p in (writer.root / folder).glob("*.html") if p not in written)
    return result
