"""Reading JSONL and CSV files one line at a time: what each line holds and where it stands.

Which record a line holds:

* a line's own `"type"` field (`"run"`, `"claim"` or `"evidence"`), when it has one;
* otherwise the file's name: a name ending in `runs`, `claims` or `evidence` before the suffix
  (`runs.jsonl`, `sweep-42-runs.csv`, `paper-claims.jsonl`, `evidence.jsonl`).

CSV files hold runs or evidence links (claims have nested lists and travel as JSONL); the
header names the fields, `params.NAME` columns become params, empty cells are absent fields.

A stream never holds more than one line in memory; JSONL lines without a `"type"` are passed on
as bytes, so validation can parse and check them in one step (see `kb.bulk.records`).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kb.errors import InvalidInput, Location
from kb.services.loading import DuplicateKey, loads_strict, repeated_key

STREAM_SUFFIXES = (".jsonl", ".csv")
KINDS = ("run", "claim", "evidence")
_NAME_ENDINGS = (("runs", "run"), ("claims", "claim"), ("evidence", "evidence"))

RUN_COLUMNS = ("key", "method", "subject", "value", "dataset", "source", "kind")
EVIDENCE_COLUMNS = ("claim", "run", "cites", "stance")
CSV_COLUMNS = {"run": RUN_COLUMNS, "evidence": EVIDENCE_COLUMNS}

# How often (in lines) a stream reports progress: rarely enough to cost nothing.
PROGRESS_EVERY = 5_000

ProgressCallback = Callable[["Stream", int], None]


def is_stream(path: Path) -> bool:
    return path.suffix.lower() in STREAM_SUFFIXES


def kind_from_name(path: Path) -> str | None:
    """`sweep-runs.jsonl` -> `run`; None when the name says nothing."""
    stem = path.name.lower().rsplit(".", 1)[0]
    for ending, kind in _NAME_ENDINGS:
        if stem.endswith(ending):
            return kind
    return None


@dataclass(slots=True)
class Line:
    """One record of a stream: its line number, its kind, and the JSON bytes or parsed fields."""

    number: int
    kind: str
    data: bytes | dict[str, Any]


def parse_json_line(data: bytes, path: str, number: int) -> dict[str, Any]:
    """Parse one JSONL line strictly (as `loads_strict`); problems name the line."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInput([(Location(file=path, line=number), f"not UTF-8 text (byte {data[exc.start]:#04x})")]) from None
    try:
        value = loads_strict(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput([(Location(file=path, line=number), f"invalid JSON: {exc.msg} (column {exc.colno})")]) from None
    except DuplicateKey as exc:
        raise _duplicate_key(text, exc.key, path, number) from None
    except ValueError as exc:
        raise InvalidInput([(Location(file=path, line=number), f"invalid JSON: {exc}")]) from None
    if not isinstance(value, dict):
        raise InvalidInput(
            [(Location(file=path, line=number), f"each line must be a JSON object, not {type(value).__name__}")]
        )
    return value


def _duplicate_key(text: str, key: str, path: str, number: int) -> InvalidInput:
    """A key given twice in one line (which value was meant cannot be known): name the line, the
    record and the field where the key repeats."""
    found = repeated_key(text)
    key, field = (found.key, found.field) if found is not None else (key, None)
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        data = None
    record = _key_of(data) if isinstance(data, dict) else None
    return InvalidInput([(
        Location(file=path, line=number, record=record, field=field),
        f"invalid JSON: duplicate key {key!r} (a key may appear once in each object)",
    )])


class Stream:
    """One JSONL or CSV file, read lazily; iterate for `Line`s (in file order)."""

    def __init__(self, path: Path, index: int = 0, on_progress: ProgressCallback | None = None):
        self.path = path
        self.name = str(path)
        self.index = index
        self.default_kind = kind_from_name(path)
        self.on_progress = on_progress
        try:
            self.size = path.stat().st_size
        except OSError as exc:
            raise InvalidInput([(Location(file=self.name), f"cannot read: {exc.strerror}")]) from None
        self.bytes_read = 0
        self.lines_read = 0

    def __iter__(self) -> Iterator[Line]:
        if self.path.suffix.lower() == ".csv":
            yield from self._csv()
        else:
            yield from self._jsonl()
        self._progress(final=True)

    def _progress(self, final: bool = False) -> None:
        if self.on_progress is not None:
            self.on_progress(self, self.size if final else self.bytes_read)

    def _unknown_kind(self, number: int) -> InvalidInput:
        return InvalidInput([(
            Location(file=self.name, line=number, field="type"),
            "cannot tell whether this line is a run, a claim or an evidence link: give it a "
            '"type" field ("run", "claim" or "evidence") or name the file *runs.jsonl, '
            "*claims.jsonl or *evidence.jsonl",
        )])

    def _jsonl(self) -> Iterator[Line]:
        default = self.default_kind
        with self.path.open("rb") as handle:
            for number, raw in enumerate(handle, 1):
                self.bytes_read += len(raw)
                if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
                    raw = raw[3:]
                if not raw.strip():
                    continue
                self.lines_read += 1
                if self.lines_read % PROGRESS_EVERY == 0:
                    self._progress()
                if b'"type"' not in raw:
                    if default is None:
                        raise self._unknown_kind(number)
                    yield Line(number, default, raw)
                    continue
                data = parse_json_line(raw, self.name, number)
                kind = data.pop("type", None)
                if kind is None:
                    kind = default
                    if kind is None:
                        raise self._unknown_kind(number)
                elif kind not in KINDS:
                    raise InvalidInput([(
                        Location(file=self.name, line=number, record=_key_of(data), field="type"),
                        f"{kind!r} is not allowed; expected 'run', 'claim' or 'evidence'",
                    )])
                yield Line(number, kind, data)

    def _csv(self) -> Iterator[Line]:
        kind = self.default_kind
        if kind not in CSV_COLUMNS:
            raise InvalidInput([(
                Location(file=self.name, line=1),
                "a CSV file holds runs or evidence links: name it *runs.csv or *evidence.csv "
                "(claims travel as JSONL)",
            )])
        with self.path.open("rb") as binary:
            text = io.TextIOWrapper(binary, encoding="utf-8-sig", newline="")
            reader = csv.reader(text, strict=True)
            try:
                header = next(reader, None)
                if header is None:
                    return
                columns = self._csv_header(header, kind)
                previous = reader.line_num
                for row in reader:
                    number, previous = previous + 1, reader.line_num
                    self.lines_read += 1
                    if self.lines_read % PROGRESS_EVERY == 0:
                        self.bytes_read = binary.tell()
                        self._progress()
                    if not row:
                        continue
                    if len(row) != len(columns):
                        raise InvalidInput([(
                            Location(file=self.name, line=number, record=row[0] if row else None),
                            f"this row has {len(row)} fields but the header has {len(columns)}",
                        )])
                    yield Line(number, kind, _csv_record(columns, row))
            except csv.Error as exc:
                raise InvalidInput([(Location(file=self.name, line=reader.line_num), f"invalid CSV: {exc}")]) from None
            except UnicodeDecodeError:
                line, byte = _first_undecodable_line(self.path)
                raise InvalidInput([(Location(file=self.name, line=line), f"not UTF-8 text (byte {byte:#04x})")]) from None

    def _csv_header(self, header: list[str], kind: str) -> list[str]:
        columns = [name.strip() for name in header]
        allowed = CSV_COLUMNS[kind]
        seen: set[str] = set()
        for name in columns:
            problem = None
            if name in seen:
                problem = "column given twice"
            elif name.startswith("params.") and kind == "run":
                problem = None if len(name) > len("params.") else "a params column needs a name: params.NAME"
            elif name not in allowed:
                extra = ", params.NAME" if kind == "run" else ""
                problem = f"unknown column; expected {', '.join(allowed)}{extra}"
            if problem:
                raise InvalidInput([(Location(file=self.name, line=1, field=name), problem)])
            seen.add(name)
        return columns


def _first_undecodable_line(path: Path) -> tuple[int, int]:
    """The number of the first line that is not UTF-8, and its first bad byte (the decoder reads
    ahead in blocks, so its own position does not say which line it was on)."""
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, 1):
            try:
                raw.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError as exc:
                return number, raw[exc.start]
    return 1, 0


def _key_of(data: dict[str, Any]) -> str | None:
    key = data.get("key") or data.get("claim")
    return key if isinstance(key, str) else None


def parse_scalar(text: str) -> Any:
    """A CSV params cell: a JSON scalar where it parses as one (`10`, `0.5`, `true`), else text."""
    try:
        value = loads_strict(text)
    except ValueError:
        return text
    return value if isinstance(value, (str, int, float, bool)) or value is None else text


def _csv_record(columns: list[str], row: list[str]) -> dict[str, Any]:
    record: dict[str, Any] = {}
    params: dict[str, Any] = {}
    for name, cell in zip(columns, row, strict=True):
        if cell == "":
            continue
        if name.startswith("params."):
            params[name[len("params."):]] = parse_scalar(cell)
        else:
            record[name] = cell
    if params:
        record["params"] = params
    return record
