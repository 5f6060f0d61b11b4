"""Stable URLs and anchors between the report's pages.

A site page links relative to its own folder (`../concepts/induction-head.html`), so the site
works from `file://` and from any web path. In single-file mode every page is a section of one
document and every link is an anchor (`#concept-induction-head`). Anchor ids are the same in both
modes, so `papers/olsson2022.html#claim-c1` and `#claim-c1` name the same claim.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

PAGE_NAMES = ("index", "map", "audit", "sources", "rules", "vocabulary")

_UNSAFE_FILE_CHAR = re.compile(r"[^A-Za-z0-9.-]")


def file_stem(key: str) -> str:
    """A record key as a file name: keys may hold `:` and `+`, which become `_3a` and `_2b`.

    Keys never contain `_`, so the escaped form cannot collide with another key.
    """
    return _UNSAFE_FILE_CHAR.sub(lambda m: "_" + "".join(f"{b:02x}" for b in m.group().encode()), key)


# Names Windows keeps for devices, in any case and before any extension (`con.html`, `Nul.v2.html`
# name the device, not a file). The others (`CONIN$`, `COM¹`) hold characters `file_stem` escapes.
_WINDOWS_DEVICES = frozenset({"CON", "PRN", "AUX", "NUL"} | {f"{port}{n}" for port in ("COM", "LPT") for n in range(1, 10)})


def windows_reserved(stem: str) -> bool:
    """Whether a file named `<stem>.html` is a device on Windows: the part before its first dot is
    a device name. (Other reserved forms, a name ending in a dot or a space, cannot occur: every
    page name ends in `.html`.)"""
    return stem.split(".", 1)[0].upper() in _WINDOWS_DEVICES


class PageFiles:
    """The file each concept's and each paper's page is written to, below the site's root.

    A page is named after its key (`file_stem`). Keys are case-sensitive (`Smith2020` and
    `smith2020` are two sources), but the file systems of macOS and Windows are not: where keys
    of one kind would give names equal but for case, each of those keys gets `__` and the start
    of its SHA-256 appended (`Smith2020__e3b0c442.html`), so no page overwrites another. A key
    whose name Windows keeps for a device (`con`, `NUL`, `com1.v2`: `windows_reserved`) gets the
    same suffix, before its first dot (`con__<digits>.html`, `com1__<digits>.v2.html`). Other
    names stay as they are. `__` occurs in no other name (keys hold no `_`, and an escape is one
    `_` and two hex digits), and the suffix depends on the key alone, so the names are the same
    on every run with the same keys. Keys given to no `PageFiles` (a page rendered on its own)
    are named as if they were the only key.
    """

    __slots__ = ("_concepts", "_papers")

    def __init__(self, concepts: Iterable[str] = (), papers: Iterable[str] = ()):
        self._concepts = _unique_stems(concepts)
        self._papers = _unique_stems(papers)

    def concept(self, key: str) -> str:
        return f"concepts/{self._concepts.get(key) or _unique_stems([key])[key]}.html"

    def paper(self, key: str) -> str:
        return f"papers/{self._papers.get(key) or _unique_stems([key])[key]}.html"


def _unique_stems(keys: Iterable[str]) -> dict[str, str]:
    """key -> file stem, no two stems equal but for case, none a Windows device (see `PageFiles`)."""
    stems = {key: file_stem(key) for key in keys}
    by_folded: dict[str, list[str]] = {}
    for key, stem in stems.items():
        by_folded.setdefault(stem.lower(), []).append(key)
    for group in by_folded.values():
        if len(group) < 2 and not windows_reserved(stems[group[0]]):
            continue
        digests = {key: hashlib.sha256(key.encode("utf-8")).hexdigest() for key in group}
        size = 8
        while len({digests[key][:size] for key in group}) < len(group):  # lengthen on a clash
            size += 8
        stems.update({key: _with_suffix(stems[key], f"__{digests[key][:size]}") for key in group})
    return stems


def _with_suffix(stem: str, suffix: str) -> str:
    """`stem` + `suffix`; a device's name takes it before its first dot (`aux.v2` -> `aux__<digits>.v2`),
    as Windows reads the device in `aux.v2__<digits>.html` still."""
    if not windows_reserved(stem):
        return stem + suffix
    device, dot, rest = stem.partition(".")
    return f"{device}{suffix}{dot}{rest}"


class Links:
    """Where things are, as seen from the page being rendered.

    `depth` is how many folders below the site's root the page is (0 for `index.html`, 1 for
    `concepts/x.html`); `single` switches every link to an in-document anchor; `files` names the
    concept and paper pages (the same `PageFiles` the pages were written by).
    """

    __slots__ = ("depth", "files", "single")

    def __init__(self, depth: int = 0, single: bool = False, files: PageFiles | None = None):
        self.depth = depth
        self.single = single
        self.files = files or PageFiles()

    @property
    def root(self) -> str:
        return "../" * self.depth

    # --- anchor ids (the same in both modes) ---------------------------------------------------

    @staticmethod
    def concept_id(key: str) -> str:
        return f"concept-{key}"

    @staticmethod
    def agreement_id(concept: str) -> str:
        return f"agreement-{concept}"

    @staticmethod
    def paper_id(key: str) -> str:
        return f"paper-{key}"

    @staticmethod
    def claim_id(key: str) -> str:
        return f"claim-{key}"

    @staticmethod
    def definition_id(concept: str, key: str) -> str:
        return f"def-{concept}/{key}"

    @staticmethod
    def source_id(key: str) -> str:
        return f"src-{key}"

    @staticmethod
    def rule_id(code: str) -> str:
        return f"rule-{code}"

    @staticmethod
    def method_id(key: str) -> str:
        return f"method-{key}"

    # --- links --------------------------------------------------------------------------------

    def page(self, name: str) -> str:
        if name not in PAGE_NAMES:
            raise ValueError(f"unknown page {name!r}")
        return f"#{name}" if self.single else f"{self.root}{name}.html"

    def asset(self, name: str) -> str:
        return f"{self.root}assets/{name}"

    def concept(self, key: str) -> str:
        return f"#{self.concept_id(key)}" if self.single else self.root + self.files.concept(key)

    def paper(self, key: str) -> str:
        return f"#{self.paper_id(key)}" if self.single else self.root + self.files.paper(key)

    def _in(self, page_url: str, anchor: str) -> str:
        return f"#{anchor}" if self.single else f"{page_url}#{anchor}"

    def claim(self, key: str, paper: str) -> str:
        return self._in(self.paper(paper), self.claim_id(key))

    def definition(self, concept: str, key: str) -> str:
        return self._in(self.concept(concept), self.definition_id(concept, key))

    def source(self, key: str) -> str:
        return self._in(self.page("sources"), self.source_id(key))

    def rule(self, code: str) -> str:
        return self._in(self.page("rules"), self.rule_id(code))

    def method(self, key: str) -> str:
        return self._in(self.page("vocabulary"), self.method_id(key))
