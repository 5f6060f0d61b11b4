"""The plain view objects the report's templates receive, one class per thing shown.

Templates never see ORM rows or sessions: `kb.report.build` reads the store with a few
set-based queries and fills these frozen, slotted dataclasses. Each page template renders one
*page object* (the classes ending in `Page`), documented field by field below; the
`site` object (`SiteInfo`) and a `links` helper (`kb.report.links.Links`) come with every page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar, overload

from kb.report.findings import FindingView, RuleView

if TYPE_CHECKING:
    from kb.graph.svg import Drawing

# --- shared pieces ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SiteInfo:
    """What every page's header and footer show.

    Attributes:
        title: the knowledge base's title (`kb report --title`).
        version: kb's version.
        generated: UTC time of generation with `--stamp`, else None (so bytes are reproducible).
        concept_count: number of concepts.
        paper_count: number of sources with claims.
        claim_count: number of claims.
        open_finding_count: findings that are not suppressed.
        rule_codes: codes of the registry's rules (those have an entry on the rules page).
    """

    title: str
    version: str
    generated: str | None
    concept_count: int
    paper_count: int
    claim_count: int
    open_finding_count: int
    rule_codes: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class ConceptRef:
    key: str
    name: str


@dataclass(frozen=True, slots=True)
class SourceRef:
    """A short citation: `label` is `Olsson et al. 2022`; `has_paper` when it has a paper page."""

    key: str
    label: str
    title: str
    has_paper: bool


@dataclass(frozen=True, slots=True)
class MethodView:
    key: str
    name: str
    kind: str
    description: str | None


@dataclass(frozen=True, slots=True)
class CriterionView:
    """`method op threshold`; `threshold` None means a method to measure without a bar."""

    method: MethodView
    op: str
    threshold: float | None
    text: str


@dataclass(frozen=True, slots=True)
class DefinitionRef:
    concept: ConceptRef
    key: str
    kind: str


@dataclass(frozen=True, slots=True)
class DefinitionView:
    """One definition of a concept; a `refuted` one is shown struck through with its status."""

    concept_key: str
    key: str
    kind: str
    text: str
    status: str
    source: SourceRef | None
    criteria: tuple[CriterionView, ...]
    depends_on: tuple[ConceptRef, ...]
    cues: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RelationView:
    """Concepts related one way: `label` is Broader, Narrower, Part of, Has part or Related."""

    label: str
    concepts: tuple[ConceptRef, ...]


@dataclass(frozen=True, slots=True)
class RunView:
    """A measurement. `kind` is the effective kind (the run's own, else its method's)."""

    key: str
    method: MethodView
    kind: str
    subject: str | None
    value: float | None
    dataset: str | None
    source: SourceRef | None
    params: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class ClaimRef:
    key: str
    paper: str
    text: str


@dataclass(frozen=True, slots=True)
class EvidenceView:
    """A claim's evidence: a run (with its kind) or a cited claim; `stance` supports/contradicts."""

    stance: str
    run: RunView | None
    cited: ClaimRef | None


@dataclass(frozen=True, slots=True)
class ClaimView:
    """A paper's claim about a concept, with its evidence and audit findings.

    `findings` are the open ones; `suppressed` are findings the claim silences, each with its
    reason (a suppression that silences nothing is itself a finding, KB199).
    """

    key: str
    text: str
    source: SourceRef
    concept: ConceptRef
    stated_kind: str | None
    definition: DefinitionRef | None
    subject: str | None
    evidence: tuple[EvidenceView, ...]
    evidence_kinds: str
    findings: tuple[FindingView, ...]
    suppressed: tuple[FindingView, ...]
    origin: str | None


@dataclass(frozen=True, slots=True)
class CriterionCheck:
    """Whether a run meets one criterion of a definition: `met`, `not met` or `cannot judge`."""

    definition: DefinitionRef
    criterion: str
    result: str


@dataclass(frozen=True, slots=True)
class EvidenceRunView:
    """A run behind claims about a concept, with the claims citing it and the criterion checks."""

    run: RunView
    claims: tuple[ClaimRef, ...]
    checks: tuple[CriterionCheck, ...]


@dataclass(frozen=True, slots=True)
class SourceView:
    """A bibliography entry. `external` holds (label, href) links that are safe to follow (the
    url when it is http(s), arXiv, DOI); a url that is not is kept as text in `unlinked_url`."""

    ref: SourceRef
    authors: tuple[str, ...]
    year: int | None
    url: str | None
    arxiv: str | None
    doi: str | None
    external: tuple[tuple[str, str], ...]
    unlinked_url: str | None
    claim_count: int


@dataclass(frozen=True, slots=True)
class AgreementRow:
    """A subject of the agreement matrix and its verdict under each definition, in column order:
    `yes`, `no` or `not judged`."""

    subject: str
    verdicts: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PairOverlapView:
    """Two definitions compared on the subjects judged under both (`kb.agreement.PairOverlap`).

    `jaccard` is |both| / |either|, None when neither picks out any subject; the tuples list
    subjects in the matrix's order.
    """

    first: DefinitionView
    second: DefinitionView
    judged: int
    first_count: int
    second_count: int
    both: int
    either: int
    jaccard: float | None
    only_first: tuple[str, ...]
    only_second: tuple[str, ...]
    neither: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class AgreementView:
    """A concept's agreement matrix (`kb.agreement.compute_agreement`): which of its definitions
    with criteria each subject satisfies, and how the definitions overlap pair by pair.

    `definitions` are the columns (by key), `counts` how many listed subjects satisfy each,
    `subjects` the rows (natural order: `L1H9` before `L1H10`), `pairs` every pair of columns.
    `collapsed` is True when there are more than `kb.report.build.AGREEMENT_COLLAPSE_AT`
    subjects: the page then folds the matrix and the subject lists into closed `<details>`.
    """

    definitions: tuple[DefinitionView, ...]
    counts: tuple[int, ...]
    subjects: tuple[AgreementRow, ...]
    pairs: tuple[PairOverlapView, ...]
    collapsed: bool


# --- pages ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ConceptEntry:
    """A line of the index."""

    key: str
    name: str
    aliases: tuple[str, ...]
    kinds: str
    claim_count: int
    open_finding_count: int
    search: str


@dataclass(frozen=True, slots=True)
class LetterGroup:
    """Index entries under one initial; `anchor` is the id to jump to (`letter-A`, `letter-other`)."""

    letter: str
    anchor: str
    concepts: tuple[ConceptEntry, ...]


@dataclass(frozen=True, slots=True)
class IndexPage:
    """`index.html`: concepts A to Z.

    Attributes:
        groups: concepts grouped by the initial of their name (`#` for non-letters).
        concept_count: number of concepts.
    """

    groups: tuple[LetterGroup, ...]
    concept_count: int


@dataclass(frozen=True, slots=True)
class ConceptPage:
    """`concepts/<key>.html`: one concept.

    Attributes:
        key, name, aliases, domain, summary: the concept's own fields.
        kinds: `behavioral`, `mechanistic`, `both` or `none`.
        behavioral: its behavioral (extensional) definitions.
        mechanistic: its mechanistic (intensional) definitions.
        relations: related concepts, both directions.
        depended_on_by: definitions of other concepts that rest on this one.
        claims: claims about the concept, with their findings.
        runs: the evidence runs behind those claims, checked against the criteria.
        findings: open findings about the concept that belong to no claim.
        suppressed: suppressed findings about the concept that belong to no claim.
        neighbourhood: the concept and its neighbours in the concept graph, as a
            `kb.graph.svg.Drawing` (templates write it with the `svg` filter); None when it has none.
        agreement: the agreement between its definitions (`AgreementView`), or None when fewer
            than two of them have criteria (the page then leaves the section out; with two or
            more, a matrix without subjects is shown as one sentence saying so).
    """

    key: str
    name: str
    aliases: tuple[str, ...]
    domain: str | None
    summary: str | None
    kinds: str
    behavioral: tuple[DefinitionView, ...]
    mechanistic: tuple[DefinitionView, ...]
    relations: tuple[RelationView, ...]
    depended_on_by: tuple[DefinitionRef, ...]
    claims: tuple[ClaimView, ...]
    runs: tuple[EvidenceRunView, ...]
    findings: tuple[FindingView, ...]
    suppressed: tuple[FindingView, ...]
    neighbourhood: Drawing | None = None
    agreement: AgreementView | None = None


@dataclass(frozen=True, slots=True)
class MapPage:
    """`map.html`: every concept and how they connect, drawn server-side (no script).

    Attributes:
        drawing: the concept map, a `kb.graph.svg.Drawing` (laid out by `kb.graph.layout`);
            templates write it with the `svg` filter, which links each node to its concept page.
        concept_count: how many concepts the map shows.
        edge_count: how many relations and definition dependencies connect them.
    """

    drawing: Drawing
    concept_count: int
    edge_count: int


@dataclass(frozen=True, slots=True)
class PaperPage:
    """`papers/<source-key>.html`: one paper's audit (`links.PageFiles` names it).

    Attributes:
        source: the bibliography entry.
        claims: its claims, each with evidence and findings.
        findings: open findings about the paper that belong to no claim.
        suppressed: suppressed findings about the paper that belong to no claim.
        open_count: open findings in all, claims included.
        suppressed_count: suppressed findings in all.
    """

    source: SourceView
    claims: tuple[ClaimView, ...]
    findings: tuple[FindingView, ...]
    suppressed: tuple[FindingView, ...]
    open_count: int
    suppressed_count: int


@dataclass(frozen=True, slots=True)
class Count:
    """A row of a summary table: a label (rule code, severity or paper key) and its counts."""

    label: str
    open: int
    suppressed: int
    note: str = ""


@dataclass(frozen=True, slots=True)
class AuditPage:
    """`audit.html`: findings by rule, by severity and by paper, each linking to its claim.

    Attributes:
        by_rule: per rule code (note: the rule's summary).
        by_severity: per severity, most severe first.
        by_paper: per paper (label: source key; note: its citation).
        findings: every open finding.
        suppressed: every suppressed finding, with its reason.
    """

    by_rule: tuple[Count, ...]
    by_severity: tuple[Count, ...]
    by_paper: tuple[Count, ...]
    findings: tuple[FindingView, ...]
    suppressed: tuple[FindingView, ...]


@dataclass(frozen=True, slots=True)
class SourcesPage:
    """`sources.html`: the bibliography.

    Attributes:
        sources: every source, by key.
    """

    sources: tuple[SourceView, ...]


@dataclass(frozen=True, slots=True)
class RulesPage:
    """`rules.html`: the audit's rules from the registry's docstrings.

    Attributes:
        rules: the registry's rules, by code.
    """

    rules: tuple[RuleView, ...]


@dataclass(frozen=True, slots=True)
class VocabularyPage:
    """`vocabulary.html`: the two kinds of definition explained, and the measurement methods.

    Attributes:
        methods: every measurement method, by key.
    """

    methods: tuple[MethodView, ...]


P = TypeVar("P")


class Pages(Sequence[P], Generic[P]):
    """A run of pages of one kind (concept pages, paper pages), each built when it is asked for
    and not kept: iterating builds them one at a time, so a caller that renders and writes each
    before taking the next holds one page's views at a time, not the whole site's.

    `keys` names the record behind each page, in order, without building any page (the site's
    file names are decided from them before the first page is rendered).
    """

    __slots__ = ("keys", "_records", "_build")

    def __init__(self, keys: Sequence[str], records: Sequence[Any], build: Callable[[Any], P]):
        if len(keys) != len(records):
            raise ValueError("one key per record")
        self.keys = tuple(keys)
        self._records = tuple(records)
        self._build = build

    def __len__(self) -> int:
        return len(self._records)

    @overload
    def __getitem__(self, index: int) -> P: ...
    @overload
    def __getitem__(self, index: slice) -> list[P]: ...
    def __getitem__(self, index: int | slice) -> P | list[P]:
        if isinstance(index, slice):
            return [self._build(record) for record in self._records[index]]
        return self._build(self._records[index])

    def __iter__(self) -> Iterator[P]:
        for record in self._records:
            yield self._build(record)

    def __repr__(self) -> str:
        return f"Pages({len(self)} pages)"


@dataclass(frozen=True, slots=True)
class Site:
    """Everything the report renders, built once from the store; `single.html` renders it whole.

    Attributes:
        info: the `SiteInfo` every page shows.
        index: the `IndexPage`.
        concepts: a `ConceptPage` per concept, by key (a `Pages`: each built when asked for).
        papers: a `PaperPage` per source with claims (or findings), by key (a `Pages`).
        audit: the `AuditPage`.
        sources: the `SourcesPage`.
        rules: the `RulesPage`.
        vocabulary: the `VocabularyPage`.
        map: the `MapPage` (the concept map).
    """

    info: SiteInfo
    index: IndexPage
    concepts: Sequence[ConceptPage]
    papers: Sequence[PaperPage]
    audit: AuditPage
    sources: SourcesPage
    rules: RulesPage
    vocabulary: VocabularyPage
    map: MapPage
