"""Reading interchange files: YAML or JSON in, validated `schema.Document` out.

Every problem is reported with the file, the line (YAML keeps line numbers; JSON gives them for
syntax errors), the record key and the field, so a user can fix the file without guessing.
YAML is loaded safely (no custom tags are ever constructed), duplicate keys are rejected, and
documents whose aliases would expand beyond a bound (a "billion laughs" bomb) are refused before
anything is built. Parsing uses libyaml when PyYAML has it (fast, and it refuses nesting deeper
than 1,000 levels itself); a value YAML cannot construct (`!!int abc`, a 13th month) is an input
error with its line, never a crash.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

import schema
from kb.errors import InvalidInput, Location

MAX_EXPANDED_NODES = 2_000_000
MAX_FILE_BYTES = 512 * 1024 * 1024
MAX_INTEGER_DIGITS = 1_000

# libyaml's parser (C) when PyYAML was built with it; construction stays in Python either way.
_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # type: ignore[assignment]


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
    key: Any = None  # the repeated key, as constructed


class _TrackingLoader(_BaseLoader):  # type: ignore[misc, valid-type]
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

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        """Any failure to build a value (`!!int abc`, `2020-13-45`) becomes a YAML error at its line."""
        try:
            return super().construct_object(node, deep=deep)
        except yaml.YAMLError:
            raise
        except (ValueError, KeyError, TypeError, OverflowError) as exc:
            detail = "not one of its values" if isinstance(exc, KeyError) else exc
            raise yaml.constructor.ConstructorError(
                None, None, f"cannot read the value {_preview(node)} as {_tag_name(node.tag)} ({detail})", node.start_mark
            ) from None

    def construct_yaml_int(self, node: yaml.ScalarNode) -> int:
        digits = sum(ch.isdigit() for ch in str(node.value))
        if digits > MAX_INTEGER_DIGITS:
            raise yaml.constructor.ConstructorError(
                None, None, f"an integer with {digits:,} digits is too long (at most {MAX_INTEGER_DIGITS:,})",
                node.start_mark,
            )
        return super().construct_yaml_int(node)

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, yaml.Node] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, (str, int, float, bool)) and key is not None:
                raise yaml.constructor.ConstructorError(
                    "while constructing a mapping",
                    node.start_mark,
                    f"found a {_tag_name(key_node.tag)} as a mapping key; keys must be text (quote it)",
                    key_node.start_mark,
                )
            if key in seen:
                error = _DuplicateKey(
                    "while constructing a mapping",
                    node.start_mark,
                    f"found duplicate key {key!r} (first at line {seen[key].start_mark.line + 1})",
                    key_node.start_mark,
                )
                error.key = key
                raise error
            seen[key] = key_node
        return super().construct_mapping(node, deep=deep)


_TrackingLoader.add_constructor("tag:yaml.org,2002:map", _TrackingLoader.construct_yaml_map)
_TrackingLoader.add_constructor("tag:yaml.org,2002:int", _TrackingLoader.construct_yaml_int)


def _tag_name(tag: str | None) -> str:
    """`tag:yaml.org,2002:timestamp` -> `a timestamp`, for messages."""
    name = (tag or "").rsplit(":", 1)[-1] or "value"
    return {"seq": "list", "map": "mapping", "str": "text"}.get(name, name)


def _preview(node: yaml.Node) -> str:
    if isinstance(node, yaml.ScalarNode):
        value = str(node.value)
        return repr(value if len(value) <= 40 else value[:40] + "...")
    return "here"


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
    except _DuplicateKey as exc:
        raise _yaml_duplicate_key(text, path, exc) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = exc.problem or str(exc)
        if isinstance(exc, yaml.constructor.ConstructorError) and "could not determine a constructor" in problem:
            problem = f"{problem}; kb loads YAML safely and accepts no custom tags"
        raise InvalidInput([(Location(file=path, line=line), f"invalid YAML: {problem}")]) from None
    except yaml.YAMLError as exc:
        raise InvalidInput([(Location(file=path), f"invalid YAML: {exc}")]) from None
    except RecursionError:
        raise InvalidInput([(Location(file=path), "invalid YAML: nested too deeply")]) from None
    finally:
        loader.dispose()


def _yaml_duplicate_key(text: str, path: str, exc: _DuplicateKey) -> InvalidInput:
    """A key given twice in one YAML mapping: the line of the repeat and, as for JSON, the record
    and the field. Reached only after the alias-bomb check, so building the document again with
    a plain loader (which keeps a repeated key's last value) is safe; it locates the mapping by
    the position the error reports."""
    mark = exc.problem_mark
    line = mark.line + 1 if mark else None
    message = f"invalid YAML: {exc.problem}"
    loader = _BaseLoader(text)
    try:
        root = loader.get_single_node()
        raw = loader.construct_document(root) if root is not None else None
    except (yaml.YAMLError, RecursionError):
        return InvalidInput([(Location(file=path, line=line), message)])
    finally:
        loader.dispose()
    found = _mapping_path(root, exc.context_mark)
    if found is None:
        return InvalidInput([(Location(file=path, line=line), message)])
    record, _, field_path = _locate(raw, (*found, exc.key), LineIndex())
    return InvalidInput([(Location(file=path, line=line, record=record, field=field_path), message)])


def _mapping_path(root: yaml.Node | None, start: Any) -> tuple[Any, ...] | None:
    """Keys and indices leading from the document's root node to the mapping that starts at `start`."""
    if root is None or start is None:
        return None
    stack: list[tuple[yaml.Node, tuple[Any, ...]]] = [(root, ())]
    while stack:
        node, trail = stack.pop()
        if isinstance(node, yaml.MappingNode):
            if (node.start_mark.line, node.start_mark.column) == (start.line, start.column):
                return trail
            stack.extend((value, (*trail, key.value)) for key, value in node.value if isinstance(key, yaml.ScalarNode))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((item, (*trail, index)) for index, item in enumerate(node.value))
    return None


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number kb accepts (values must be finite)")


class DuplicateKey(ValueError):
    """A key given twice in one JSON object (`loads_strict` refuses the text)."""

    def __init__(self, key: str):
        super().__init__(f"duplicate key {key!r}")
        self.key = key


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise DuplicateKey(key)
            seen.add(key)
    return result


@dataclass(frozen=True)
class RepeatedKey:
    """A key given a second time in one JSON object: where it stands (`("params", "seed")`,
    `("evidence", 1, "run")`) and the offsets in the text of its first and second spelling."""

    key: str
    path: tuple[str | int, ...]
    offset: int
    first_offset: int

    @property
    def field(self) -> str:
        """The path as a field name: `params.seed`, `evidence[1].run`."""
        out = ""
        for part in self.path:
            out += f"[{part}]" if isinstance(part, int) else f".{part}" if out else part
        return out


_STRUCTURE = re.compile(r'["{}\[\],]')


def repeated_key(text: str) -> RepeatedKey | None:
    """The first key given twice in one object of a JSON text, in reading order; None when no key
    repeats or the text does not parse. Used to word an error, never on the fast path."""
    try:
        json.loads(text)
    except (ValueError, RecursionError):
        return None
    # The text parses, so a scan of its structure is enough: strings (keys among them) are read
    # whole with their escapes decoded; the rest only opens and closes objects and lists.
    scanstring = json.decoder.scanstring  # type: ignore[attr-defined]
    objects: list[dict[str, int] | None] = []  # per open container: an object's keys, None for a list
    path: list[str | int] = []
    expect_key = False
    i = 0
    while (found := _STRUCTURE.search(text, i)) is not None:
        i, ch = found.start(), found.group()
        if ch == '"':
            value, after = scanstring(text, i + 1)
            keys = objects[-1] if expect_key else None
            if keys is not None:
                if value in keys:
                    return RepeatedKey(value, (*path[:-1], value), i, keys[value])
                keys[value] = i
                path[-1] = value
                expect_key = False
            i = after
            continue
        if ch == "{":
            objects.append({})
            path.append("")
            expect_key = True
        elif ch == "[":
            objects.append(None)
            path.append(0)
        elif ch in "}]":
            objects.pop()
            path.pop()
            expect_key = False
        elif ch == ",":
            if objects[-1] is None:
                path[-1] = int(path[-1]) + 1
            else:
                expect_key = True
        i += 1
    return None


def _bounded_int(digits: str) -> int:
    if len(digits) > MAX_INTEGER_DIGITS:
        raise ValueError(f"an integer with {len(digits):,} digits is too long (at most {MAX_INTEGER_DIGITS:,})")
    return int(digits)


def loads_strict(text: str) -> Any:
    """JSON as kb reads it: no repeated keys, no NaN or infinity, integers of at most
    `MAX_INTEGER_DIGITS` digits. Raises `json.JSONDecodeError` for syntax, `ValueError` for the rest
    (nesting too deep for the parser included)."""
    try:
        return json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_reject_constant, parse_int=_bounded_int)
    except RecursionError:
        raise ValueError("nested too deeply") from None


def parse_json(text: str, path: str) -> Any:
    try:
        return loads_strict(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput([(Location(file=path, line=exc.lineno), f"invalid JSON: {exc.msg}")]) from None
    except DuplicateKey as exc:
        raise _duplicate_key(text, exc.key, path) from None
    except ValueError as exc:
        raise InvalidInput([(Location(file=path), f"invalid JSON: {exc}")]) from None


def _duplicate_key(text: str, key: str, path: str) -> InvalidInput:
    """A key given twice in one object of a JSON document, worded as YAML's: the line of the
    repeat and of the first, and (as a line can hold a whole document) the record and field."""
    found = repeated_key(text)
    if found is None:
        return InvalidInput([(Location(file=path), f"invalid JSON: found duplicate key {key!r}")])
    raw = json.loads(text)  # parses (`repeated_key` checked); a repeated key keeps its last value
    record, _, field_path = _locate(raw, found.path, LineIndex())
    line, first = text.count("\n", 0, found.offset) + 1, text.count("\n", 0, found.first_offset) + 1
    return InvalidInput([(
        Location(file=path, line=line, record=record, field=field_path),
        f"invalid JSON: found duplicate key {found.key!r} (first at line {first})",
    )])


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
        hint = "; it looks like UTF-16: save it as UTF-8" if data[:2] in (b"\xff\xfe", b"\xfe\xff") else ""
        raise InvalidInput(
            [(Location(file=str(path), line=line), f"not UTF-8 text (byte {data[exc.start]:#04x} at offset {exc.start}){hint}")]
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
    exc: ValidationError,
    raw: Any,
    lines: LineIndex | None = None,
    path: str | None = None,
    prefix: tuple[Any, ...] = (),
) -> list[tuple[Location, str]]:
    """Turn pydantic's errors into (location, message) pairs naming record keys and fields.

    `prefix` places errors of a model validated on its own inside `raw` (bulk imports validate
    one run at a time: `raw={"runs": [line]}`, `prefix=("runs", 0)`).
    """
    problems: list[tuple[Location, str]] = []
    for error in exc.errors(include_url=False):
        loc = prefix + tuple(error["loc"])
        record, line, field_path = _locate(raw, loc, lines or LineIndex())
        message = error["msg"]
        if loc == ("kb",):
            message = (
                f"this file is in kb format {error['input']!r}; this kb reads format {schema.FORMAT_VERSION} "
                "(a newer kb wrote it? upgrade kb)"
            )
        elif error["type"] == "string_pattern_mismatch" and error.get("ctx", {}).get("pattern") == schema.TEXT_PATTERN:
            message = schema.text_problem(str(error["input"])) or message
        elif error["type"] == "extra_forbidden":
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
