"""The ORM: SQLAlchemy 2 typed models of kb's records.

Records have a user-facing `key` and an integer surrogate id; foreign keys use ids so that joins
stay cheap at a million runs. Ordered lists that are part of one record (authors, aliases) are
JSON columns; lists that other records query (criteria, evidence, relations) are child tables.
Every rule about what the values mean lives in `kb.services`, not here.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Stable constraint names on SQLite and PostgreSQL, so migrations can name what they alter.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

KIND_VALUES = ("behavioral", "mechanistic")
STATUS_VALUES = ("active", "contested", "refuted")
STANCE_VALUES = ("supports", "contradicts")
RELATION_VALUES = ("broader", "related", "part_of")  # `narrower` is stored as the inverse `broader`
OPERATOR_VALUES = (">=", ">", "<=", "<", "==")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dict[str, Any]: JSON, list[str]: JSON}


class Source(Base):
    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    title: Mapped[str] = mapped_column(Text)
    authors: Mapped[list[str]] = mapped_column(default=list)
    year: Mapped[int | None]
    url: Mapped[str | None] = mapped_column(Text)
    arxiv: Mapped[str | None] = mapped_column(String(50))
    doi: Mapped[str | None] = mapped_column(String(200))


class Method(Base):
    __tablename__ = "methods"
    __table_args__ = (CheckConstraint(_in("kind", KIND_VALUES), name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    name: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(20))
    description: Mapped[str | None] = mapped_column(Text)


class Concept(Base):
    __tablename__ = "concepts"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    name: Mapped[str] = mapped_column(Text)
    aliases: Mapped[list[str]] = mapped_column(default=list)
    domain: Mapped[str | None] = mapped_column(String(200))
    summary: Mapped[str | None] = mapped_column(Text)

    definitions: Mapped[list[Definition]] = relationship(
        back_populates="concept",
        cascade="all, delete-orphan",
        order_by="Definition.key",
        foreign_keys="Definition.concept_id",
    )
    relations: Mapped[list[ConceptRelation]] = relationship(
        cascade="all, delete-orphan",
        foreign_keys="ConceptRelation.concept_id",
        order_by="(ConceptRelation.type, ConceptRelation.target_id)",
    )


class ConceptRelation(Base):
    """A directed, typed edge between concepts: `concept --type--> target`."""

    __tablename__ = "concept_relations"
    __table_args__ = (
        UniqueConstraint("concept_id", "type", "target_id"),
        CheckConstraint(_in("type", RELATION_VALUES), name="type"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    concept_id: Mapped[int] = mapped_column(ForeignKey("concepts.id", ondelete="CASCADE"), index=True)
    type: Mapped[str] = mapped_column(String(20))
    target_id: Mapped[int] = mapped_column(ForeignKey("concepts.id"), index=True)

    target: Mapped[Concept] = relationship(foreign_keys=[target_id])


class Definition(Base):
    __tablename__ = "definitions"
    __table_args__ = (
        UniqueConstraint("concept_id", "key"),
        CheckConstraint(_in("kind", KIND_VALUES), name="kind"),
        CheckConstraint(_in("status", STATUS_VALUES), name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    concept_id: Mapped[int] = mapped_column(ForeignKey("concepts.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="active")
    cues: Mapped[list[str]] = mapped_column(default=list)

    concept: Mapped[Concept] = relationship(back_populates="definitions", foreign_keys=[concept_id])
    source: Mapped[Source | None] = relationship()
    criteria: Mapped[list[Criterion]] = relationship(
        cascade="all, delete-orphan", order_by="Criterion.position"
    )
    dependencies: Mapped[list[DefinitionDependency]] = relationship(
        cascade="all, delete-orphan", order_by="DefinitionDependency.position"
    )


class DefinitionDependency(Base):
    """A definition rests on another concept (`depends_on`)."""

    __tablename__ = "definition_dependencies"
    __table_args__ = (UniqueConstraint("definition_id", "concept_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    definition_id: Mapped[int] = mapped_column(ForeignKey("definitions.id", ondelete="CASCADE"), index=True)
    concept_id: Mapped[int] = mapped_column(ForeignKey("concepts.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)

    concept: Mapped[Concept] = relationship()


class Criterion(Base):
    __tablename__ = "criteria"
    __table_args__ = (CheckConstraint(_in("op", OPERATOR_VALUES), name="op"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    definition_id: Mapped[int] = mapped_column(ForeignKey("definitions.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    method_id: Mapped[int] = mapped_column(ForeignKey("methods.id"), index=True)
    op: Mapped[str] = mapped_column(String(2))
    threshold: Mapped[float | None] = mapped_column(Float)

    method: Mapped[Method] = relationship()


class Run(Base):
    __tablename__ = "runs"
    __table_args__ = (CheckConstraint("kind IS NULL OR " + _in("kind", KIND_VALUES), name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    method_id: Mapped[int] = mapped_column(ForeignKey("methods.id"), index=True)
    subject: Mapped[str | None] = mapped_column(String(500), index=True)
    value: Mapped[float | None] = mapped_column(Float)
    dataset: Mapped[str | None] = mapped_column(String(500))
    params: Mapped[dict[str, Any]] = mapped_column(default=dict)
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id"), index=True)
    kind: Mapped[str | None] = mapped_column(String(20))

    method: Mapped[Method] = relationship()
    source: Mapped[Source | None] = relationship()


class Claim(Base):
    __tablename__ = "claims"
    __table_args__ = (
        CheckConstraint("stated_kind IS NULL OR " + _in("stated_kind", KIND_VALUES), name="stated_kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"), index=True)
    concept_id: Mapped[int] = mapped_column(ForeignKey("concepts.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    stated_kind: Mapped[str | None] = mapped_column(String(20))
    definition_id: Mapped[int | None] = mapped_column(ForeignKey("definitions.id"), index=True)
    subject: Mapped[str | None] = mapped_column(String(500))
    # Where the claim was last imported from, so audit results (SARIF) can point at the file.
    origin_file: Mapped[str | None] = mapped_column(Text)
    origin_line: Mapped[int | None]

    source: Mapped[Source] = relationship()
    concept: Mapped[Concept] = relationship()
    definition: Mapped[Definition | None] = relationship()
    evidence: Mapped[list[EvidenceLink]] = relationship(
        cascade="all, delete-orphan",
        order_by="EvidenceLink.position",
        foreign_keys="EvidenceLink.claim_id",
    )
    suppressions: Mapped[list[Suppression]] = relationship(
        cascade="all, delete-orphan", order_by="Suppression.position"
    )


class EvidenceLink(Base):
    """A claim's link to a run (measured evidence) or to a claim it cites."""

    __tablename__ = "evidence"
    __table_args__ = (
        CheckConstraint("(run_id IS NULL) <> (cited_claim_id IS NULL)", name="one_target"),
        CheckConstraint(_in("stance", STANCE_VALUES), name="stance"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id"), index=True)
    cited_claim_id: Mapped[int | None] = mapped_column(ForeignKey("claims.id"), index=True)
    stance: Mapped[str] = mapped_column(String(20), default="supports")

    run: Mapped[Run | None] = relationship()
    cited_claim: Mapped[Claim | None] = relationship(foreign_keys=[cited_claim_id])


class Suppression(Base):
    __tablename__ = "suppressions"

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(Text)
