"""Build the report's view objects (`kb.report.views`) from the store.

Reads every record with a handful of set-based queries (concepts with their definitions,
sources, methods, claims with their evidence, the measured values the definitions' criteria
judge), joins them in memory and hands templates frozen view objects. Findings come only from
`kb.report.findings.gather_audit`; agreement matrices only from `kb.agreement.compute_agreement`.
"""

from __future__ import annotations

import functools
import json
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any, TypeVar
from urllib.parse import quote, urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from kb.agreement import compute_agreement
from kb.criteria import describe, satisfies
from kb.graph.build import concept_graph
from kb.graph.svg import map_drawing, neighbourhood_drawing
from kb.report.findings import AuditData, FindingView, origin_label, severity_rank
from kb.report.views import (
    AgreementRow,
    AgreementView,
    AuditPage,
    ClaimRef,
    ClaimView,
    ConceptEntry,
    ConceptPage,
    ConceptRef,
    Count,
    CriterionCheck,
    CriterionView,
    DefinitionRef,
    DefinitionView,
    EvidenceRunView,
    EvidenceView,
    IndexPage,
    LetterGroup,
    MapPage,
    MethodView,
    Pages,
    PairOverlapView,
    PaperPage,
    RelationView,
    RulesPage,
    RunView,
    Site,
    SiteInfo,
    SourceRef,
    SourcesPage,
    SourceView,
    VocabularyPage,
)
from kb.services import catalog
from kb.services.browse import kinds_label
from kb.store import models as m

# Outgoing relation type -> label, and the label its inverse gets on the target's page.
RELATION_LABELS = {"broader": ("Broader", "Narrower"), "part_of": ("Part of", "Has part"), "related": ("Related", "Related")}
STATUS_ORDER = ("active", "contested", "refuted")
RELATION_ORDER = ("Broader", "Narrower", "Part of", "Has part", "Related")
# More subjects than this and a concept's agreement matrix is folded into a closed <details>.
AGREEMENT_COLLAPSE_AT = 200
VERDICT_TEXT = {True: "yes", False: "no", None: "not judged"}


def safe_external_url(url: str | None) -> str | None:
    """Only http(s) URLs become links: a `javascript:` URL in the data stays text."""
    if not url:
        return None
    parts = urlsplit(url.strip())
    return url.strip() if parts.scheme in ("http", "https") and parts.netloc else None


def citation_label(authors: list[str], year: int | None, title: str) -> str:
    if authors:
        surname = authors[0].split()[-1] if authors[0].split() else authors[0]
        who = surname if len(authors) == 1 else (f"{surname} & {authors[1].split()[-1]}" if len(authors) == 2 else f"{surname} et al.")
    else:
        who = title if len(title) <= 60 else title[:57] + "..."
    return f"{who} {year}" if year else who


def initial(name: str) -> str:
    first = unicodedata.normalize("NFKD", name.strip()[:1] or "#")[:1].upper()
    return first if first.isascii() and first.isalpha() else "#"


V = TypeVar("V")


def _per_record(method: Callable[[Any, Any], V]) -> Callable[[Any, Any], V]:
    """Memoise a view method per record id on its builder. The views are frozen, so the one
    built for a record serves every page that shows it (a claim is shown on its concept's page
    and on its paper's page, a run under every claim it supports)."""
    name = method.__name__

    @functools.wraps(method)
    def memoised(self: Any, record: Any) -> V:
        cache = self._memo[name]
        view = cache.get(record.id)
        if view is None:
            view = cache[record.id] = method(self, record)
        return view

    return memoised


def _split(findings: Iterable[FindingView]) -> tuple[tuple[FindingView, ...], tuple[FindingView, ...]]:
    items = list(findings)
    return tuple(f for f in items if not f.suppressed), tuple(f for f in items if f.suppressed)


def _load_claims(session: Session) -> list[m.Claim]:
    return list(
        session.scalars(
            select(m.Claim)
            .options(
                selectinload(m.Claim.definition),
                selectinload(m.Claim.evidence).options(
                    selectinload(m.EvidenceLink.run), selectinload(m.EvidenceLink.cited_claim)
                ),
            )
            .order_by(m.Claim.key)
        ).all()
    )


def _load_measurements(session: Session) -> dict[int, list[tuple[str, float | None]]]:
    """Per method id, the (subject, value) of every run with a subject whose method some
    criterion names: what the agreement matrices judge (as `kb agreement` reads it), in one
    query for every concept (the methods are a subquery, not a list of bound parameters)."""
    criterion_methods = select(m.Criterion.method_id).distinct()
    rows = session.execute(
        select(m.Run.method_id, m.Run.subject, m.Run.value)
        .where(m.Run.subject.is_not(None), m.Run.method_id.in_(criterion_methods))
        .order_by(m.Run.id)
    )
    by_method: dict[int, list[tuple[str, float | None]]] = defaultdict(list)
    for method_id, subject, value in rows:
        by_method[method_id].append((subject, value))
    return by_method


@dataclass(frozen=True, slots=True)
class _Criterion:
    """A criterion as `kb.agreement` reads it: the method by key."""

    method: str
    op: str
    threshold: float | None


@dataclass(frozen=True, slots=True)
class _Judging:
    """A definition as `kb.agreement` reads it."""

    key: str
    criteria: tuple[_Criterion, ...]


class _Builder:
    def __init__(self, session: Session, audit: AuditData):
        self.audit = audit
        self._memo: dict[str, dict[int, Any]] = defaultdict(dict)  # see `_per_record`
        # Sorted here, not only in SQL: PostgreSQL's collation and SQLite's byte order differ,
        # and the pages must come out the same on both.
        by_key = lambda row: row.key  # noqa: E731
        self.concepts = sorted(catalog.list_concepts(session), key=by_key)
        self.sources = sorted(catalog.list_sources(session), key=by_key)
        self.methods = sorted(catalog.list_methods(session), key=by_key)
        self.claims = sorted(_load_claims(session), key=by_key)
        # The evidence links' runs came with the claims (selectinload, in chunks): a second query
        # naming every run id would exceed the backends' limit on bound parameters at scale.
        self.runs = {link.run_id: link.run for c in self.claims for link in c.evidence if link.run is not None}
        self.concept_by_id = {c.id: c for c in self.concepts}
        self.source_by_id = {s.id: s for s in self.sources}
        self.method_by_id = {mm.id: mm for mm in self.methods}
        self.claim_by_id = {c.id: c for c in self.claims}
        self.definition_by_id = {d.id: d for c in self.concepts for d in c.definitions}
        # Runs measuring some criterion's method, for the agreement matrices: one query for all
        # concepts, none when no definition has criteria.
        has_criteria = any(d.criteria for d in self.definition_by_id.values())
        self.measured = _load_measurements(session) if has_criteria else {}
        # The concept graph (kb.graph.build), for the map and each concept's neighbourhood.
        self.graph = concept_graph(session)

        # Edges seen from their target: relations pointing at a concept, definitions resting on it.
        self.incoming: dict[int, list[tuple[str, m.Concept]]] = defaultdict(list)
        self.dependents: dict[int, list[m.Definition]] = defaultdict(list)
        for concept in self.concepts:
            for rel in concept.relations:
                self.incoming[rel.target_id].append((rel.type, concept))
            for d in concept.definitions:
                for dep in d.dependencies:
                    if dep.concept_id != concept.id:
                        self.dependents[dep.concept_id].append(d)

        self.claims_by_source: dict[int, list[m.Claim]] = defaultdict(list)
        self.claims_by_concept: dict[int, list[m.Claim]] = defaultdict(list)
        for claim in self.claims:
            self.claims_by_source[claim.source_id].append(claim)
            self.claims_by_concept[claim.concept_id].append(claim)

        # Every finding gets the concept and paper of its claim when it does not name them.
        self.claim_by_key = {c.key: c for c in self.claims}
        self.findings_by_claim: dict[str, list[FindingView]] = defaultdict(list)
        self.findings_by_concept: dict[str, list[FindingView]] = defaultdict(list)
        self.findings_by_paper: dict[str, list[FindingView]] = defaultdict(list)
        self.loose_by_concept: dict[str, list[FindingView]] = defaultdict(list)
        self.loose_by_paper: dict[str, list[FindingView]] = defaultdict(list)
        self.findings = tuple(sorted((self._complete(f) for f in audit.findings), key=lambda f: f.sort_key))
        for f in self.findings:
            concept, paper = f.concept, f.paper
            if f.claim:
                self.findings_by_claim[f.claim].append(f)
            else:
                if concept:
                    self.loose_by_concept[concept].append(f)
                if paper:
                    self.loose_by_paper[paper].append(f)
            if concept:
                self.findings_by_concept[concept].append(f)
            if paper:
                self.findings_by_paper[paper].append(f)
        finding_papers = {p for p in self.findings_by_paper}
        self.paper_sources = [s for s in self.sources if self.claims_by_source.get(s.id) or s.key in finding_papers]
        self.paper_keys = {s.key for s in self.paper_sources}

    def _complete(self, finding: FindingView) -> FindingView:
        """A finding about a claim is also about the claim's concept and paper."""
        claim = self.claim_by_key.get(finding.claim) if finding.claim else None
        if claim is None:
            return finding
        return replace(
            finding,
            concept=finding.concept or self.concept_by_id[claim.concept_id].key,
            paper=finding.paper or self.source_by_id[claim.source_id].key,
        )

    # --- small views ---------------------------------------------------------------------------

    @_per_record
    def concept_ref(self, concept: m.Concept) -> ConceptRef:
        return ConceptRef(concept.key, concept.name)

    @_per_record
    def source_ref(self, source: m.Source) -> SourceRef:
        return SourceRef(
            key=source.key,
            label=citation_label(list(source.authors or []), source.year, source.title),
            title=source.title,
            has_paper=source.key in self.paper_keys,
        )

    @_per_record
    def method_view(self, method: m.Method) -> MethodView:
        return MethodView(method.key, method.name, method.kind, method.description)

    @_per_record
    def definition_ref(self, definition: m.Definition) -> DefinitionRef:
        return DefinitionRef(self.concept_ref(self.concept_by_id[definition.concept_id]), definition.key, definition.kind)

    @_per_record
    def definition_view(self, d: m.Definition) -> DefinitionView:
        return DefinitionView(
            concept_key=self.concept_by_id[d.concept_id].key,
            key=d.key,
            kind=d.kind,
            text=d.text,
            status=d.status,
            source=self.source_ref(self.source_by_id[d.source_id]) if d.source_id else None,
            criteria=tuple(
                CriterionView(
                    self.method_view(self.method_by_id[c.method_id]), c.op, c.threshold,
                    describe(self.method_by_id[c.method_id].key, c.op, c.threshold),
                )
                for c in d.criteria
            ),
            depends_on=tuple(self.concept_ref(self.concept_by_id[dep.concept_id]) for dep in d.dependencies),
            cues=tuple(d.cues or []),
        )

    @_per_record
    def run_view(self, run: m.Run) -> RunView:
        method = self.method_by_id[run.method_id]
        return RunView(
            key=run.key,
            method=self.method_view(method),
            kind=run.kind or method.kind,
            subject=run.subject,
            value=run.value,
            dataset=run.dataset,
            source=self.source_ref(self.source_by_id[run.source_id]) if run.source_id else None,
            params=tuple((k, json.dumps(v, sort_keys=True, ensure_ascii=False)) for k, v in sorted((run.params or {}).items())),
        )

    @_per_record
    def claim_ref(self, claim: m.Claim) -> ClaimRef:
        return ClaimRef(claim.key, self.source_by_id[claim.source_id].key, claim.text)

    @_per_record
    def claim_view(self, claim: m.Claim) -> ClaimView:
        evidence = []
        kinds: set[str] = set()
        for link in claim.evidence:
            if link.run_id is not None:
                run = self.run_view(self.runs[link.run_id])
                kinds.add(run.kind)
                evidence.append(EvidenceView(link.stance, run, None))
            else:
                evidence.append(EvidenceView(link.stance, None, self.claim_ref(self.claim_by_id[link.cited_claim_id])))
        open_, suppressed = _split(self.findings_by_claim.get(claim.key, ()))
        origin = origin_label(claim.origin_file, claim.origin_line)
        return ClaimView(
            key=claim.key,
            text=claim.text,
            source=self.source_ref(self.source_by_id[claim.source_id]),
            concept=self.concept_ref(self.concept_by_id[claim.concept_id]),
            stated_kind=claim.stated_kind,
            definition=self.definition_ref(self.definition_by_id[claim.definition_id]) if claim.definition_id else None,
            subject=claim.subject,
            evidence=tuple(evidence),
            evidence_kinds=kinds_label(kinds),
            findings=open_,
            suppressed=suppressed,
            origin=origin,
        )

    @_per_record
    def source_view(self, source: m.Source) -> SourceView:
        external = []
        if url := safe_external_url(source.url):
            external.append(("Link", url))
        if source.arxiv:
            external.append(("arXiv", f"https://arxiv.org/abs/{quote(source.arxiv.strip(), safe='./')}"))
        if source.doi:
            external.append(("DOI", f"https://doi.org/{quote(source.doi.strip(), safe='./()-;:')}"))
        return SourceView(
            ref=self.source_ref(source),
            authors=tuple(source.authors or []),
            year=source.year,
            url=source.url,
            arxiv=source.arxiv,
            doi=source.doi,
            external=tuple(external),
            unlinked_url=source.url if source.url and not safe_external_url(source.url) else None,
            claim_count=len(self.claims_by_source.get(source.id, ())),
        )

    # --- pages ---------------------------------------------------------------------------------

    def open_count(self, findings: Iterable[FindingView]) -> int:
        return sum(1 for f in findings if not f.suppressed)

    def index_page(self) -> IndexPage:
        entries = []
        for c in self.concepts:
            aliases = tuple(c.aliases or [])
            entries.append(
                ConceptEntry(
                    key=c.key,
                    name=c.name,
                    aliases=aliases,
                    kinds=kinds_label({d.kind for d in c.definitions}),
                    claim_count=len(self.claims_by_concept.get(c.id, ())),
                    open_finding_count=self.open_count(self.findings_by_concept.get(c.key, ())),
                    search=" ".join([c.name, c.key, *aliases]).casefold(),
                )
            )
        entries.sort(key=lambda e: (e.name.casefold(), e.key))
        groups: dict[str, list[ConceptEntry]] = defaultdict(list)
        for entry in entries:
            groups[initial(entry.name)].append(entry)
        ordered = sorted(groups, key=lambda letter: (letter == "#", letter))
        return IndexPage(tuple(
            LetterGroup(letter, "letter-other" if letter == "#" else f"letter-{letter}", tuple(groups[letter]))
            for letter in ordered
        ), len(entries))

    def relations(self, concept: m.Concept) -> tuple[RelationView, ...]:
        by_label: dict[str, dict[str, ConceptRef]] = defaultdict(dict)
        for rel in concept.relations:
            target = self.concept_by_id[rel.target_id]
            by_label[RELATION_LABELS[rel.type][0]][target.key] = self.concept_ref(target)
        for type_, other in self.incoming.get(concept.id, ()):
            by_label[RELATION_LABELS[type_][1]][other.key] = self.concept_ref(other)
        return tuple(
            RelationView(label, tuple(by_label[label][k] for k in sorted(by_label[label])))
            for label in RELATION_ORDER
            if by_label.get(label)
        )

    def evidence_runs(self, concept: m.Concept, claims: list[m.Claim]) -> tuple[EvidenceRunView, ...]:
        cited_by: dict[int, list[m.Claim]] = defaultdict(list)
        for claim in claims:
            for link in claim.evidence:
                if link.run_id is not None and claim not in cited_by[link.run_id]:
                    cited_by[link.run_id].append(claim)
        rows = []
        for run_id in sorted(cited_by, key=lambda i: self.runs[i].key):
            run = self.runs[run_id]
            checks = []
            for d in concept.definitions:
                for c in d.criteria:
                    if c.method_id == run.method_id:
                        verdict = satisfies(c.op, c.threshold, run.value)
                        result = "cannot judge" if verdict is None else ("met" if verdict else "not met")
                        method = self.method_by_id[c.method_id].key
                        checks.append(CriterionCheck(self.definition_ref(d), describe(method, c.op, c.threshold), result))
            rows.append(EvidenceRunView(self.run_view(run), tuple(self.claim_ref(c) for c in cited_by[run_id]), tuple(checks)))
        return tuple(rows)

    def agreement(self, concept: m.Concept, shown: Iterable[DefinitionView]) -> AgreementView | None:
        """Which of the concept's definitions each measured subject satisfies (None when fewer
        than two have criteria), from the runs loaded once for every concept."""
        judging = [d for d in concept.definitions if d.criteria]
        if len(judging) < 2:
            return None
        measurements: dict[tuple[str, str], list[float | None]] = defaultdict(list)
        for method_id in sorted({c.method_id for d in judging for c in d.criteria}):
            method = self.method_by_id[method_id].key
            for subject, value in self.measured.get(method_id, ()):
                measurements[(subject, method)].append(value)
        definitions = [
            _Judging(d.key, tuple(_Criterion(self.method_by_id[c.method_id].key, c.op, c.threshold) for c in d.criteria))
            for d in judging
        ]
        result = compute_agreement(definitions, measurements, concept=concept.key)
        by_key = {v.key: v for v in shown}
        counts = result.counts()
        return AgreementView(
            definitions=tuple(by_key[key] for key in result.definitions),
            counts=tuple(counts[key] for key in result.definitions),
            subjects=tuple(
                AgreementRow(row.subject, tuple(VERDICT_TEXT[row.verdicts[key]] for key in result.definitions))
                for row in result.subjects
            ),
            pairs=tuple(
                PairOverlapView(
                    first=by_key[pair.first],
                    second=by_key[pair.second],
                    judged=pair.judged,
                    first_count=pair.first_count,
                    second_count=pair.second_count,
                    both=len(pair.intersection),
                    either=len(pair.union),
                    jaccard=pair.jaccard,
                    only_first=pair.only_first,
                    only_second=pair.only_second,
                    neither=pair.neither,
                )
                for pair in result.pairs
            ),
            collapsed=len(result.subjects) > AGREEMENT_COLLAPSE_AT,
        )

    def concept_page(self, concept: m.Concept) -> ConceptPage:
        claims = self.claims_by_concept.get(concept.id, [])
        definitions = [
            self.definition_view(d)
            for d in sorted(concept.definitions, key=lambda d: (STATUS_ORDER.index(d.status), d.key))
        ]
        depended_on_by = sorted(
            (self.definition_ref(d) for d in self.dependents.get(concept.id, ())),
            key=lambda r: (r.concept.key, r.key),
        )
        open_, suppressed = _split(self.loose_by_concept.get(concept.key, ()))
        return ConceptPage(
            key=concept.key,
            name=concept.name,
            aliases=tuple(concept.aliases or []),
            domain=concept.domain,
            summary=concept.summary,
            kinds=kinds_label({d.kind for d in concept.definitions}),
            behavioral=tuple(d for d in definitions if d.kind == "behavioral"),
            mechanistic=tuple(d for d in definitions if d.kind == "mechanistic"),
            relations=self.relations(concept),
            depended_on_by=tuple(depended_on_by),
            claims=tuple(self.claim_view(c) for c in claims),
            runs=self.evidence_runs(concept, claims),
            findings=open_,
            suppressed=suppressed,
            neighbourhood=neighbourhood_drawing(self.graph, concept.key) if self.graph.degree(concept.key) else None,
            agreement=self.agreement(concept, definitions),
        )

    def map_page(self) -> MapPage:
        return MapPage(
            drawing=map_drawing(self.graph),
            concept_count=self.graph.number_of_nodes(),
            edge_count=self.graph.number_of_edges(),
        )

    def paper_page(self, source: m.Source) -> PaperPage:
        open_, suppressed = _split(self.loose_by_paper.get(source.key, ()))
        every = self.findings_by_paper.get(source.key, [])
        return PaperPage(
            source=self.source_view(source),
            claims=tuple(self.claim_view(c) for c in self.claims_by_source.get(source.id, [])),
            findings=open_,
            suppressed=suppressed,
            open_count=self.open_count(every),
            suppressed_count=len(every) - self.open_count(every),
        )

    def audit_page(self) -> AuditPage:
        findings = self.findings
        summaries = {r.code: r.summary for r in self.audit.rules}

        def counts(key_of, label_order=None) -> list[Count]:  # type: ignore[no-untyped-def]
            open_: Counter[str] = Counter()
            sup: Counter[str] = Counter()
            for f in findings:
                key = key_of(f)
                if key is not None:
                    (sup if f.suppressed else open_)[key] += 1
            labels = sorted(set(open_) | set(sup), key=label_order)
            return [Count(label, open_[label], sup[label]) for label in labels]

        by_rule = [Count(c.label, c.open, c.suppressed, summaries.get(c.label, "")) for c in counts(lambda f: f.code)]
        sources = {s.key: s for s in self.sources}
        by_paper = [
            Count(c.label, c.open, c.suppressed, self.source_ref(sources[c.label]).label if c.label in sources else "")
            for c in counts(lambda f: f.paper)
        ]
        open_, suppressed = _split(findings)
        return AuditPage(
            by_rule=tuple(by_rule),
            by_severity=tuple(counts(lambda f: f.severity, severity_rank)),
            by_paper=tuple(by_paper),
            findings=open_,
            suppressed=suppressed,
        )

    def site(self, title: str, version: str, generated: str | None) -> Site:
        info = SiteInfo(
            title=title,
            version=version,
            generated=generated,
            concept_count=len(self.concepts),
            paper_count=len(self.paper_sources),
            claim_count=len(self.claims),
            open_finding_count=self.open_count(self.findings),
            rule_codes=frozenset(r.code for r in self.audit.rules),
        )
        return Site(
            info=info,
            index=self.index_page(),
            concepts=Pages(tuple(c.key for c in self.concepts), self.concepts, self.concept_page),
            papers=Pages(tuple(s.key for s in self.paper_sources), self.paper_sources, self.paper_page),
            audit=self.audit_page(),
            sources=SourcesPage(tuple(self.source_view(s) for s in self.sources)),
            rules=RulesPage(self.audit.rules),
            vocabulary=VocabularyPage(tuple(self.method_view(mm) for mm in self.methods)),
            map=self.map_page(),
        )


def build_site(session: Session, audit: AuditData, *, title: str, version: str, generated: str | None = None) -> Site:
    """Every view object of the report, from one session's snapshot of the store. The concept
    and paper pages are built when they are iterated (`views.Pages`), from records loaded here:
    iterate them while the session is open."""
    return _Builder(session, audit).site(title, version, generated)
