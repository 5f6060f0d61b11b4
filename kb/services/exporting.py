"""`kb export`: the whole knowledge base as one interchange document, deterministically.

Records are sorted by key (definitions by key within their concept, relations by type and
target); optional fields that are empty are left out, so the files stay short and reviewable and
export -> import -> export gives the same bytes.
"""

from __future__ import annotations

import json
from typing import Any

import yaml
from sqlalchemy.orm import Session

import schema
from kb.services import catalog


def export_document(session: Session) -> schema.Document:
    return schema.Document(
        sources=[catalog.source_record(r) for r in catalog.list_sources(session)],
        methods=[catalog.method_record(r) for r in catalog.list_methods(session)],
        concepts=[catalog.concept_record(r) for r in catalog.list_concepts(session)],
        runs=[catalog.run_record(r) for r in catalog.list_runs(session)],
        claims=[catalog.claim_record(r) for r in catalog.list_claims(session)],
    )


def _prune(value: Any) -> Any:
    """Drop None, empty lists and empty mappings (but keep them inside run params, which are data)."""
    if isinstance(value, dict):
        pruned = {}
        for key, item in value.items():
            if key == "params":
                if item:
                    pruned[key] = item
                continue
            item = _prune(item)
            if item is None or item == [] or item == {}:
                continue
            pruned[key] = item
        return pruned
    if isinstance(value, list):
        return [_prune(item) for item in value]
    return value


def document_data(document: schema.Document) -> dict[str, Any]:
    data = _prune(document.model_dump(mode="json"))
    data["kb"] = schema.FORMAT_VERSION
    return {"kb": data.pop("kb"), **data}


class _Dumper(yaml.SafeDumper):
    """Block style; multi-line strings as literal blocks so reviews read naturally."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    if "\n" in value and all(ch == "\n" or ch >= " " for ch in value) and not value.endswith(" "):
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(str, _represent_str)


def dump(data: dict[str, Any], fmt: str = "yaml") -> str:
    """Serialise a document's data as YAML or JSON, byte-for-byte stable."""
    if fmt == "json":
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if fmt == "yaml":
        return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100, default_flow_style=False)
    raise ValueError(f"unknown format {fmt!r}; expected yaml or json")


def export_text(session: Session, fmt: str = "yaml") -> str:
    return dump(document_data(export_document(session)), fmt)
