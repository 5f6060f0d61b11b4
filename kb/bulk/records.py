"""Validating one streamed line as a run, a claim or an evidence link.

The fast path hands a JSONL line's bytes to pydantic, which parses and validates in one step.
When that fails, the line is parsed again strictly (`parse_json_line`) and validated as a Python
mapping, so the error is exactly the one a YAML or JSON document would get, with the file, the
line, the record's key and the field.

Pydantic's JSON parser keeps the last of a key repeated within one object, where the strict
parser refuses the line; so a line pydantic accepts is parsed strictly as well whenever its
colons outnumber the keys of the record built from it (`_keys_in`). Outside strings, every colon
in JSON follows exactly one key, so a line with a repeated key always has more colons than its
record has keys; the strict parse then runs for such lines and for lines with colons inside
their text (a URL, a time), and for no other line. Counting the colons costs a fraction of a
microsecond a line, where a second, strict parse of every line would cost about 4.
"""

from __future__ import annotations

import types
import typing
from enum import Enum
from typing import Annotated, Any, Literal, Union

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
            record = model.model_validate_json(data)
        except ValidationError:
            data = parse_json_line(data, path, line.number)
        else:
            if data.count(b":") != _keys_in(record):
                parse_json_line(data, path, line.number)  # refuses a repeated key
            return record
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InvalidInput(_problems(exc, data, line, path)) from None


def _keys_in(value: Any) -> int:
    """How many keys the JSON a record was built from had, once repeats are dropped: the fields
    given to each model and the keys of each mapping, nested ones included."""
    cls = value.__class__
    if cls is dict:
        count = len(value)
        for item in value.values():
            if item.__class__ is dict or item.__class__ is list:
                count += _keys_in(item)
        return count
    if cls is list:
        count = 0
        for item in value:
            if item.__class__ is dict or item.__class__ is list:
                count += _keys_in(item)
                continue
            given = getattr(item, "__pydantic_fields_set__", None)  # a model (evidence links)
            if given is not None:
                count += _keys_in(item) if _holders(item.__class__) else len(given)
        return count
    given = getattr(value, "__pydantic_fields_set__", None)
    if given is None:  # a value that holds no keys
        return 0
    count = len(given)
    for name in _holders(cls):
        if name in given:
            item = getattr(value, name)
            if item is not None:
                count += _keys_in(item)
    return count


_HOLDERS: dict[type, tuple[str, ...]] = {}


def _holders(model: type[BaseModel]) -> tuple[str, ...]:
    """The fields of a model whose values can hold keys (mappings, lists, models); the others
    hold text, numbers, enums or None. Worked out once per model from its annotations."""
    names = _HOLDERS.get(model)
    if names is None:
        names = _HOLDERS[model] = tuple(
            name for name, info in model.model_fields.items() if not _scalar(info.annotation)
        )
    return names


def _scalar(annotation: Any) -> bool:
    if annotation in (str, int, float, bool, type(None)):
        return True
    if isinstance(annotation, type):
        return issubclass(annotation, Enum) and not issubclass(annotation, (BaseModel, dict, list))
    origin = typing.get_origin(annotation)
    if origin is Literal:
        return True
    if origin in (Union, types.UnionType, Annotated):
        parts = typing.get_args(annotation)
        return all(_scalar(part) for part in (parts[:1] if origin is Annotated else parts))
    return False


def _problems(exc: ValidationError, data: dict[str, Any], line: Line, path: str) -> list[tuple[Location, str]]:
    list_name = _LIST_NAMES[line.kind]
    problems = validation_problems(exc, {list_name: [data]}, None, path, prefix=(list_name, 0))
    key = data.get("claim" if line.kind == "evidence" else "key")
    record = None if key is None else str(key)
    return [(Location(file=path, line=line.number, record=record, field=loc.field), msg) for loc, msg in problems]
