"""What a field of a record may hold, and how a record of one kind is checked.

The building blocks of every record kind in this package: a `Shape` says what one field's value
must be and how to say so in a sentence; a `RecordKind` names the file a kind of record lives in
and the fields each of its lines must hold. `check` and `read_records` are the only ways a line of
a case's records is accepted: a case folder is untrusted input, so nothing reads a record that has
not passed through here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, cast

from evidencekit.case import layout
from evidencekit.case.jsonlines import iter_lines, parse_json
from evidencekit.case.safepath import path_problem


@dataclass(frozen=True)
class Shape:
    """What one field's value must be, and how to say so in a sentence."""

    expected: str  # "a whole number": read as "“size” should be a whole number, not text"
    accepts: Callable[[object], bool]
    inner: Mapping[str, Field] | None = None  # the fields of a record, or of each record in a list
    many: bool = False  # `inner` describes each element of a list
    # The kind of value that is right but whose content is not ("“sha256” is not a SHA-256").
    base: tuple[type, ...] = ()


@dataclass(frozen=True)
class Field:
    shape: Shape
    required: bool = False


def _whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 1 << 63


def _or_null(shape: Shape) -> Shape:
    return Shape(
        f"{shape.expected} or null",
        lambda value: value is None or shape.accepts(value),
        shape.inner,
        shape.many,
        shape.base,
    )


_HEX64 = re.compile(r"[0-9a-f]{64}")
_HEX = re.compile(r"[0-9a-fA-F]*")

TEXT = Shape("text", lambda value: isinstance(value, str))
WHOLE = Shape("a whole number (0 or more)", _whole, base=(int,))
FLAG = Shape("true or false", lambda value: isinstance(value, bool))
OBJECT = Shape("a JSON object", lambda value: isinstance(value, dict))
LIST = Shape("a list", lambda value: isinstance(value, list))
TEXTS = Shape(
    "a list of text",
    lambda value: isinstance(value, list) and all(isinstance(v, str) for v in value),
    base=(list,),
)
SHA256 = Shape(
    "a SHA-256 (64 hex digits)",
    lambda value: isinstance(value, str) and bool(_HEX64.fullmatch(value)),
    base=(str,),
)
HEX = Shape("hex digits", lambda value: isinstance(value, str) and bool(_HEX.fullmatch(value)), base=(str,))
INSIDE = Shape(
    "a plain relative path",
    lambda value: isinstance(value, str) and path_problem(value) is None,
    base=(str,),
)
BAG_PATH = Shape(
    "a path inside the case's data/ folder",
    lambda value: (
        isinstance(value, str) and path_problem(value) is None and value.startswith(layout.DATA_DIR + "/")
    ),
    base=(str,),
)


def record_of(fields: Mapping[str, Field]) -> Shape:
    return Shape("a JSON object", lambda value: isinstance(value, dict), fields)


def records_of(fields: Mapping[str, Field]) -> Shape:
    return Shape(
        "a list of JSON objects",
        lambda value: isinstance(value, list) and all(isinstance(v, dict) for v in value),
        fields,
        many=True,
        base=(list,),
    )


def record_id(prefix: str) -> Field:
    pattern = re.compile(rf"{prefix}\d{{4,9}}")
    return Field(
        Shape(
            f"an id like {prefix}0001",
            lambda value: isinstance(value, str) and bool(pattern.fullmatch(value)),
            base=(str,),
        ),
        required=True,
    )


def optional(shape: Shape) -> Field:
    return Field(shape)


def nullable(shape: Shape) -> Field:
    return Field(_or_null(shape))


def required(shape: Shape) -> Field:
    return Field(shape, required=True)


def _what(value: object) -> str:
    """How a value reads in a sentence: "not text", "not a list"."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int):
        return "a whole number"
    if isinstance(value, float):
        return "a number with a fraction"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    return "a JSON object"


def _field_problem(name: str, value: object, shape: Shape) -> str | None:
    if not shape.accepts(value):
        if isinstance(value, shape.base) and not isinstance(value, bool):
            return f"“{name}” is not {shape.expected}"
        return f"“{name}” should be {shape.expected}, not {_what(value)}"
    if shape.inner is None or value is None:
        return None
    if shape.many:
        assert isinstance(value, list)
        for number, element in enumerate(value, start=1):
            problem = fields_problem(cast(dict[str, Any], element), shape.inner)
            if problem is not None:
                return f"in “{name}”, entry {number}: {problem}"
        return None
    problem = fields_problem(cast(dict[str, Any], value), shape.inner)
    return None if problem is None else f"in “{name}”: {problem}"


def fields_problem(record: Mapping[str, Any], fields: Mapping[str, Field]) -> str | None:
    for name, field in fields.items():
        if name not in record:
            if field.required:
                return f"“{name}” is missing"
            continue
        problem = _field_problem(name, record[name], field.shape)
        if problem is not None:
            return problem
    return None


R = TypeVar("R")


@dataclass(frozen=True)
class RecordKind(Generic[R]):
    """One kind of record: the file it lives in, and what each line must hold; `R` is the typed
    record a line of it is once checked."""

    name: str  # "item", as in "item E0001"
    path: str
    fields: Mapping[str, Field]
    rules: Callable[[Mapping[str, Any]], str | None] | None = None

    def problem(self, record: object) -> str | None:
        """What is wrong with one parsed line, or None when it can be used."""
        if not isinstance(record, dict):
            return f"it is {_what(record)}, not a JSON object"
        problem = fields_problem(record, self.fields)
        if problem is None and self.rules is not None:
            problem = self.rules(record)
        return problem

    def where(self, line: int) -> str:
        return f"line {line} of {self.path}"


def check(kind: RecordKind[R], record: object, line: int) -> R | str:
    """The record, unchanged and typed as `kind`'s record, if it has `kind`'s shape; else the
    problem, e.g. "line 4 of evidencekit/items.jsonl: “size” should be a whole number, not text"."""
    problem = kind.problem(record)
    if problem is not None:
        return f"{kind.where(line)}: {problem}"
    return cast(R, record)


@dataclass(frozen=True)
class ReadRecords:
    """Every line of a records file: those that can be used (with their line numbers), and a
    problem for each of the others."""

    records: list[tuple[int, dict[str, Any]]]
    problems: list[str]


def read_records(kind: RecordKind[Any] | None, text: str, path: str | None = None) -> ReadRecords:
    """Parse and check every line (for `verify`, which reports each bad line and goes on).
    Without a `kind`, each line need only be a JSON object."""
    where = path or (kind.path if kind is not None else "the records file")
    good: list[tuple[int, dict[str, Any]]] = []
    problems: list[str] = []
    for number, line in iter_lines(text):
        try:
            record = parse_json(line)
        except ValueError as exc:
            problems.append(f"line {number} of {where}: it is not valid JSON ({getattr(exc, 'msg', exc)})")
            continue
        if kind is None:
            problem = None if isinstance(record, dict) else f"it is {_what(record)}, not a JSON object"
        else:
            problem = kind.problem(record)
        if problem is None:
            good.append((number, record))
        else:
            problems.append(f"line {number} of {where}: {problem}")
    return ReadRecords(good, problems)


def sentence(problem: str) -> str:
    """The one sentence a command says when it refuses a case for a bad record."""
    return f"A record in this case is not one evidencekit wrote: {problem}."


def valid_only(kind: RecordKind[Any], records: Iterable[object]) -> list[dict[str, Any]]:
    """The records of `kind` that can be used, for readers that already report the others."""
    return [cast(dict[str, Any], r) for r in records if kind.problem(r) is None]
