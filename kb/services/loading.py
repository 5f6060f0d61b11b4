"""Reading interchange files: YAML or JSON in, validated `schema.Document` out.

Every problem is reported with the file, the line (YAML keeps line numbers; JSON gives them for
syntax errors), the record key and the field, so a user can fix the file without guessing.
YAML is loaded safely (no custom tags are ever constructed), duplicate keys are rejected, and
documents whose aliases would expand beyond a bound (a "billion laughs" bomb) are refused before
anything is built.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

import schema
from kb.errors import InvalidInput, Location

MAX_EXPANDED_NODES = 2_000_000
MAX_FILE_BYTES = 512 * 1024 * 1024


@dataclass
class LineIndex:
    """Line numbers of the mappings in a loaded YAML document, keyed by the mapping's id."""

    mappings: dict[int, tuple[int, dict[str, int]]] = field(default_factory=dict)

    def line_of(self, mapping: Any, key: str | None = None) -> int | None:
        entry = self.mappings.get(id(mapping))
        if entry is None:
            return None
        line, key_lines = entry
        if key is not None and key in key_lines:
            return key_lines[key]
        return line


@dataclass
class LoadedDocument:
    """A validated document, the raw data it came from, and where each record stands."""

    path: str
    document: schema.Document
    raw: dict[str, Any]
    lines: LineIndex


class _DuplicateKey(yaml.MarkedYAMLError):
    pass


class _TrackingLoader(yaml.SafeLoader):
    """SafeLoader that records line numbers of mappings and rejects duplicate keys."""

    def __init__(self, stream: str):
        super().__init__(stream)
        self.line_index = LineIndex()

    def construct_yaml_map(self, node: yaml.MappingNode):  # type: ignore[override]
        data: dict[Any, Any] = {}
        key_lines: dict[str, int] = {}
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                key_lines[str(key_node.value)] = key_node.start_mark.line + 1
        self.line_index.mappings[id(data)] = (node.start_mark.line + 1, key_lines)
        yield data
        data.update(self.construct_mapping(node))

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, yaml.Node] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, (str, int, float, bool)) and key is not None:
                raise yaml.constructor.ConstructorError(
                    "while constructing a mapping", node.start_mark, "found an unhashable key", key_node.start_mark
                )
            if key in seen:
                raise _DuplicateKey(
                    "while constructing a mapping",
                    node.start_mark,
                    f"found duplicate key {key!r} (first at line {seen[key].start_mark.line + 1})",
                    key_node.start_mark,
                )
            seen[key] = key_node
        return super().construct_mapping(node, deep=deep)


_TrackingLoader.add_constructor("tag:yaml.org,2002:map", _TrackingLoader.construct_yaml_map)


def _expanded_size(root: yaml.Node) -> int:
    """Number of nodes the document would have with every alias expanded (memoised, linear)."""
    sizes: dict[int, int] = {}
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if id(node) in sizes:
            continue
        if isinstance(node, yaml.ScalarNode):
            sizes[id(node)] = 1
            continue
        children = (
            [n for pair in node.value for n in pair] if isinstance(node, yaml.MappingNode) else list(node.value)
        )
        if not children_done:
            stack.append((node, True))
            stack.extend((child, False) for child in children if id(child) not in sizes)
            continue
        total = 1 + sum(sizes.get(id(child), 1) for child in children)
        sizes[id(node)] = min(total, MAX_EXPANDED_NODES + 1)
    return sizes[id(root)]


def parse_yaml(text: str, path: str) -> tuple[Any, LineIndex]:
    loader = _TrackingLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, loader.line_index
        if _expanded_size(node) > MAX_EXPANDED_NODES:
            raise InvalidInput(
                [
                    (
                        Location(file=path),
                        f"the YAML expands to more than {MAX_EXPANDED_NODES:,} nodes through aliases "
                        "(an alias bomb?); write the records out instead of aliasing them",
                    )
                ]
            )
        return loader.construct_document(node), loader.line_index
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = exc.problem or str(exc)
        if isinstance(exc, yaml.constructor.ConstructorError) and "could not determine a constructor" in problem:
            problem = f"{problem}; kb loads YAML safely and accepts no custom tags"
        raise InvalidInput([(Location(file=path, line=line), f"invalid YAML: {problem}")]) from None
    except yaml.YAMLError as exc:
        raise InvalidInput([(Location(file=path), f"invalid YAML: {exc}")]) from None
    finally:
        loader.dispose()


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number kb accepts (values must be finite)")


def parse_json(text: str, path: str) -> Any:
    def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key, value in pairs:
            if key in result:
                raise ValueError(f"duplicate key {key!r}")
            result[key] = value
        return result

    try:
        return json.loads(text, object_pairs_hook=no_duplicates, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise InvalidInput([(Location(file=path, line=exc.lineno), f"invalid JSON: {exc.msg}")]) from None
    except ValueError as exc:
        raise InvalidInput([(Location(file=path), f"invalid JSON: {exc}")]) from None


def read_text(path: Path) -> str:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InvalidInput([(Location(file=str(path)), f"cannot read: {exc.strerror}")]) from None
    if size > MAX_FILE_BYTES:
        raise InvalidInput([(Location(file=str(path)), f"file is larger than {MAX_FILE_BYTES // 2**20} MiB")])
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InvalidInput(
            [(Location(file=str(path), line=line), f"not UTF-8 text (byte {data[exc.start]:#04x} at offset {exc.start})")]
        ) from None


def load_document(path: Path) -> LoadedDocument:
    """Read and validate one interchange file (YAML, or JSON by its `.json` suffix)."""
    text = read_text(path)
    return parse_document(text, str(path), as_json=path.suffix.lower() == ".json")


def parse_document(text: str, path: str, as_json: bool = False) -> LoadedDocument:
    if as_json:
        raw, lines = parse_json(text, path), LineIndex()
    else:
        raw, lines = parse_yaml(text, path)
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise InvalidInput(
            [(Location(file=path), f"a kb document is a mapping with lists such as 'concepts:', not a {type(raw).__name__}")]
        )
    try:
        document = schema.Document.model_validate(raw)
    except ValidationError as exc:
        raise InvalidInput(validation_problems(exc, raw, lines, path)) from None
    return LoadedDocument(path=path, document=document, raw=raw, lines=lines)


def validation_problems(
    exc: ValidationError, raw: Any, lines: LineIndex | None = None, path: str | None = None
) -> list[tuple[Location, str]]:
    """Turn pydantic's errors into (location, message) pairs naming record keys and fields."""
    problems: list[tuple[Location, str]] = []
    for error in exc.errors(include_url=False):
        loc = tuple(error["loc"])
        record, line, field_path = _locate(raw, loc, lines or LineIndex())
        message = error["msg"]
        if error["type"] == "extra_forbidden":
            message = "unknown field (check the spelling against `kb schema`)"
        elif error["type"] == "enum":
            expected = error.get("ctx", {}).get("expected")
            message = f"{error['input']!r} is not allowed; expected {expected}"
        problems.append((Location(file=path, line=line, record=record, field=field_path), message))
    return problems


def _locate(raw: Any, loc: tuple[Any, ...], lines: LineIndex) -> tuple[str | None, int | None, str | None]:
    """Walk the raw data along a pydantic error location: the record's key, a line, the field.

    `('claims', 3, 'evidence', 0, 'run')` gives the fourth claim's key, the line of its `run:`
    and the field `evidence[0].run`; a definition inside a concept is named `concept/key`.
    """
    node = raw
    record: str | None = None
    line = lines.line_of(raw) if isinstance(raw, dict) else None
    fields: list[str] = []
    for part in loc:
        if isinstance(node, dict) and isinstance(part, str):
            line = lines.line_of(node, part) or line
            fields.append(part)
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
            if isinstance(node, dict):
                line = lines.line_of(node) or line
            if record is None or fields == ["definitions"]:
                key = node.get("key") if isinstance(node, dict) else None
                label = str(key) if key is not None else f"#{part + 1}"
                record = label if record is None else f"{record}/{label}"
                fields = []
            elif fields:
                fields[-1] += f"[{part}]"
        else:
            fields.append(str(part))
            node = None
    return record, line, ".".join(fields) or None
