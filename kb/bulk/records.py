"""Validating one streamed line as a run, a claim or an evidence link.

The fast path hands a JSONL line's bytes to pydantic, which parses and validates in one step.
When that fails, the line is parsed again strictly (`parse_json_line`) and validated as a Python
mapping, so the error is exactly the one a YAML or JSON document would get, with the file, the
line, the record's key and the field. One difference remains: pydantic's JSON parser keeps the
last of a key repeated within one line, where the strict parser refuses the line.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError

import schema
from kb.bulk.streams import Line, parse_json_line
from kb.errors import InvalidInput, Location
from kb.services.loading import validation_problems

MODELS: dict[str, type[BaseModel]] = {"run": schema.Run, "claim": schema.Claim, "evidence": schema.EvidenceLine}
_LIST_NAMES = {"run": "runs", "claim": "claims", "evidence": "evidence"}


def validate_line(line: Line, path: str) -> Any:
    """The line's record (`schema.Run`, `schema.Claim` or `schema.EvidenceLine`), or InvalidInput."""
    model = MODELS[line.kind]
    data = line.data
    if isinstance(data, bytes):
        try:
            return model.model_validate_json(data)
        except ValidationError:
            data = parse_json_line(data, path, line.number)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InvalidInput(_problems(exc, data, line, path)) from None


def _problems(exc: ValidationError, data: dict[str, Any], line: Line, path: str) -> list[tuple[Location, str]]:
    list_name = _LIST_NAMES[line.kind]
    problems = validation_problems(exc, {list_name: [data]}, None, path, prefix=(list_name, 0))
    key = data.get("claim" if line.kind == "evidence" else "key")
    record = None if key is None else str(key)
    return [(Location(file=path, line=line.number, record=record, field=loc.field), msg) for loc, msg in problems]
