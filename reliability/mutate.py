"""Mutated case files: the example case with one to three hostile changes.

The example (``resources/examples/hcc-sorafenib-example.json``) is parsed into a
tree that keeps key order and allows duplicate keys and raw number tokens, then
changed at random places and written back as bytes. Case ``i`` of seed ``s`` is
always the same bytes (``python -m reliability show-case --seed s --index i``).
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from typing import Any

from reliability.common import EXAMPLE


class Obj(list):  # type: ignore[type-arg]
    """A JSON object as a list of ``[key, value]`` pairs (duplicates allowed)."""


class Raw(str):
    """A token written verbatim (a number JSON parsers may choke on, NaN, ...)."""

    __slots__ = ()


def parse(text: str) -> Any:
    """Parse JSON into Obj/list/str/number/bool/None nodes."""
    return json.loads(
        text, object_pairs_hook=lambda pairs: Obj([list(p) for p in pairs])
    )


def dump(node: Any, *, ascii_only: bool = True) -> str:
    """Write a tree back as JSON text (Raw tokens as they are)."""
    if isinstance(node, Raw):
        return str(node)
    if isinstance(node, Obj):
        return (
            "{"
            + ", ".join(
                f"{_string(k, ascii_only)}: {dump(v, ascii_only=ascii_only)}"
                for k, v in node
            )
            + "}"
        )
    if isinstance(node, list):
        return "[" + ", ".join(dump(v, ascii_only=ascii_only) for v in node) + "]"
    if isinstance(node, str):
        return _string(node, ascii_only)
    return json.dumps(node)


def _string(value: Any, ascii_only: bool) -> str:
    if isinstance(value, Raw):
        return str(value)
    return json.dumps(str(value), ensure_ascii=ascii_only)


@dataclass
class Slot:
    """A place in the tree: the container, the key or index, and a readable path."""

    parent: Any
    key: int
    path: str
    is_key: bool = False

    def get(self) -> Any:
        """The value (or the key) in this place."""
        if isinstance(self.parent, Obj):
            return self.parent[self.key][0 if self.is_key else 1]
        return self.parent[self.key]

    def set(self, value: Any) -> None:
        """Replace the value (or the key) in this place."""
        if isinstance(self.parent, Obj):
            self.parent[self.key][0 if self.is_key else 1] = value
        else:
            self.parent[self.key] = value


def slots(node: Any, path: str = "") -> list[Slot]:
    """Every value (and every object key) below ``node``."""
    found: list[Slot] = []
    if isinstance(node, Obj):
        for i, (key, value) in enumerate(node):
            here = f"{path}.{key}" if path else str(key)
            found.append(Slot(node, i, here + " (key)", is_key=True))
            found.append(Slot(node, i, here))
            found.extend(slots(value, here))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            here = f"{path}[{i}]"
            found.append(Slot(node, i, here))
            found.extend(slots(value, here))
    return found


def _values(doc: Any) -> list[Slot]:
    return [s for s in slots(doc) if not s.is_key]


def _numbers(doc: Any) -> list[Slot]:
    return [
        s
        for s in _values(doc)
        if isinstance(s.get(), int | float) and not isinstance(s.get(), bool)
    ]


def _strings(doc: Any, keys: bool = False) -> list[Slot]:
    return [
        s for s in slots(doc) if isinstance(s.get(), str) and (keys or not s.is_key)
    ]


def _ids(doc: Any) -> list[Slot]:
    """Where ids live: patient and lesion ids, and the keys that refer to them."""
    found = []
    for s in slots(doc):
        p = s.path
        if (
            (p == "patient.id" and not s.is_key)
            or (p.endswith(".id") and not s.is_key and "lesions[" in p)
            or (s.is_key and (".targets." in p or ".non_targets." in p))
        ):
            found.append(s)
    return found


def _objects(doc: Any) -> list[tuple[Any, str]]:
    found: list[tuple[Any, str]] = [(doc, "(top)")] if isinstance(doc, Obj) else []
    for s in _values(doc):
        if isinstance(s.get(), Obj) and s.get():
            found.append((s.get(), s.path))
    return found


HUGE_NUMBERS = (
    "1e1000",
    "-1e1000",
    "1E999999999",
    "1E-99999999999999999999",
    "1e-400",
    "1e308",
    "4.9999999999999999999999",
    "0.1e1",
    "1E+2",
    "-0",
    "9" * 400,
    "0." + "0" * 400 + "1",
)
HUGE_INTEGERS = (
    str(2**63),
    str(2**64),
    str(-(2**63) - 1),
    str(10**20),
    "9" * 4301,
    "1" + "0" * 20000,
)
NOT_NUMBERS = ("NaN", "Infinity", "-Infinity")
OUT_OF_RANGE = ("-1", "-0.0", "0", "1e-9", "1001", "36501", "123456789", "-2147483649")
WRONG_TYPES: tuple[Any, ...] = (
    None,
    True,
    False,
    0,
    -1,
    1.5,
    "",
    "x",
    "12",
    [],
    {},
    [None],
    Obj([["", None]]),
    Obj([["status", "measured"]]),
)
ID_SUFFIXES = (
    "\x00",
    "\x1b[31mRED\x1b[0m",
    "\n",
    "\r\n",
    "\t",
    "\x7f",
    "\u202e",
    "\u200b",
    "/../../etc/passwd",
    "\\Q\\R",
    "/",
)
ID_REPLACEMENTS = (
    "",
    " ",
    ".",
    "..",
    ".hidden",
    "-",
    "=1+1",
    "@SUM(A1)",
    "CON",
    "x" * 300,
)
BAD_DATES = (
    "2026-02-30",
    "0000-01-01",
    "9999-12-31",
    "2026-1-5",
    "+002026-01-05",
    "2026-01-05T00:00:00",
    "05/01/2026",
    "",
)
LONG_LENGTHS = (300, 5_000, 100_000, 1_000_000, 5_000_000)
DEPTHS = (100, 500, 900, 990, 1000, 1500, 5000, 100_000)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else f"{text[:40]}... ({len(text)} chars)"


def _pick(rng: random.Random, choices: list[Slot]) -> Slot | None:
    return rng.choice(choices) if choices else None


def op_delete_key(doc: Any, rng: random.Random) -> str:
    obj, path = rng.choice(_objects(doc))
    i = rng.randrange(len(obj))
    key = obj[i][0]
    del obj[i]
    return f"delete key {path}.{key}"


def op_duplicate_key(doc: Any, rng: random.Random) -> str:
    obj, path = rng.choice(_objects(doc))
    i = rng.randrange(len(obj))
    key, value = obj[i]
    copy = parse(dump(value))
    changed = ""
    numbers = _numbers(copy) if isinstance(copy, Obj | list) else []
    if numbers and rng.random() < 0.7:
        slot = rng.choice(numbers)
        slot.set(slot.get() + 30)
        changed = f" (second copy: {slot.path} + 30)"
    elif isinstance(copy, int | float) and not isinstance(copy, bool):
        copy = copy + 1
        changed = " (second copy + 1)"
    obj.insert(i + 1, [key, copy])
    return f"duplicate key {path}.{key}{changed}"


def op_deep_nesting(doc: Any, rng: random.Random) -> str:
    slot = rng.choice(_values(doc))
    depth = rng.choice(DEPTHS)
    if rng.random() < 0.5:
        slot.set(Raw("[" * depth + "1" + "]" * depth))
        kind = "arrays"
    else:
        slot.set(Raw('{"a": ' * depth + "1" + "}" * depth))
        kind = "objects"
    return f"deep nesting: {slot.path} = {depth} nested {kind}"


def _number_or_any(doc: Any, rng: random.Random) -> Slot:
    numbers = _numbers(doc)
    if numbers and rng.random() < 0.85:
        return rng.choice(numbers)
    return rng.choice(_values(doc))


def op_huge_exponent(doc: Any, rng: random.Random) -> str:
    slot = _number_or_any(doc, rng)
    token = rng.choice(HUGE_NUMBERS)
    slot.set(Raw(token))
    return f"huge exponent: {slot.path} = {_short(token)}"


def op_huge_integer(doc: Any, rng: random.Random) -> str:
    slot = _number_or_any(doc, rng)
    token = rng.choice(HUGE_INTEGERS)
    slot.set(Raw(token))
    return f"huge integer: {slot.path} = {_short(token)}"


def op_not_a_number(doc: Any, rng: random.Random) -> str:
    slot = _number_or_any(doc, rng)
    token = rng.choice(NOT_NUMBERS)
    slot.set(Raw(token))
    return f"NaN: {slot.path} = {token}"


def op_out_of_range(doc: Any, rng: random.Random) -> str:
    slot = _number_or_any(doc, rng)
    token = rng.choice(OUT_OF_RANGE)
    slot.set(Raw(token))
    return f"out of range: {slot.path} = {token}"


def op_lone_surrogate(doc: Any, rng: random.Random) -> tuple[str, bool]:
    slot = rng.choice(_strings(doc, keys=True))
    value = str(slot.get())
    surrogate = rng.choice(("\ud800", "\udfff", "\udc80"))
    cut = rng.randrange(len(value) + 1)
    slot.set(value[:cut] + surrogate + value[cut:])
    raw = rng.random() < 0.3
    how = "as raw bytes (invalid UTF-8)" if raw else "escaped"
    return f"lone surrogate {surrogate!a} {how} in {slot.path}", raw


def op_control_in_id(doc: Any, rng: random.Random) -> str:
    slot = rng.choice(_ids(doc) or _strings(doc))
    value = str(slot.get())
    if rng.random() < 0.7:
        new = value + rng.choice(ID_SUFFIXES)
    else:
        new = rng.choice(ID_REPLACEMENTS)
    slot.set(new)
    return f"id {slot.path} = {_short(new)}"


def op_long_string(doc: Any, rng: random.Random) -> str:
    slot = rng.choice(_strings(doc, keys=rng.random() < 0.2))
    length = rng.choice(LONG_LENGTHS)
    slot.set(rng.choice("xé€") * length)
    return f"very long string: {slot.path} = {length} characters"


def op_wrong_type(doc: Any, rng: random.Random) -> str:
    slot = rng.choice(_values(doc))
    value = rng.choice(WRONG_TYPES)
    slot.set(parse(dump(value)) if isinstance(value, Obj | list) else value)
    return f"wrong type: {slot.path} = {_short(dump(value))}"


def op_bad_date(doc: Any, rng: random.Random) -> str:
    dates = [s for s in _values(doc) if s.path.endswith(("date", "birth_date"))]
    slot = rng.choice(dates) if dates else rng.choice(_values(doc))
    value = rng.choice(BAD_DATES)
    slot.set(value)
    return f"bad date: {slot.path} = {value!r}"


STRUCTURED = {
    "delete key": op_delete_key,
    "duplicate key": op_duplicate_key,
    "deep nesting": op_deep_nesting,
    "huge exponent": op_huge_exponent,
    "huge integer": op_huge_integer,
    "NaN": op_not_a_number,
    "out of range": op_out_of_range,
    "control character in id": op_control_in_id,
    "very long string": op_long_string,
    "wrong type": op_wrong_type,
    "bad date": op_bad_date,
}
KINDS = (
    *STRUCTURED,
    "lone surrogate",
    "truncation",
    "flipped bytes",
    "whole document",
)


def _whole_document(original: bytes, rng: random.Random) -> tuple[bytes, str]:
    choices: list[tuple[bytes, str]] = [
        (b"", "empty file"),
        (b" \n\t", "whitespace only"),
        (b"null", "null"),
        (b"[]", "an array"),
        (b'"respond-case/1"', "a string"),
        (b"{}", "an empty object"),
        (b"\xef\xbb\xbf" + original, "UTF-8 byte-order mark + the example"),
        (original.decode().encode("utf-16"), "the example in UTF-16"),
        (original.decode().encode("latin-1", "replace") + b"\xff\xfe", "latin-1 tail"),
        (original + b"garbage", "trailing garbage"),
        (original + original, "two documents"),
        (b"\x00" * 4096, "4096 NUL bytes"),
    ]
    return rng.choice(choices)


def make_case(seed: int, index: int) -> tuple[bytes, str, str]:
    """Return case ``index`` of ``seed``: (bytes, its kind, what was changed)."""
    rng = random.Random(f"{seed}:{index}")
    original = EXAMPLE.read_bytes()
    kind = KINDS[index % len(KINDS)] if rng.random() < 0.8 else rng.choice(KINDS)
    if kind == "whole document":
        data, what = _whole_document(original, rng)
        return data, kind, what
    doc = parse(original.decode("utf-8"))
    changes: list[str] = []
    raw_surrogates = False
    extra = rng.choices((0, 1, 2), weights=(60, 30, 10))[0]
    ops = [kind] + [rng.choice([*STRUCTURED, "lone surrogate"]) for _ in range(extra)]
    for op in ops:
        if op == "lone surrogate":
            what, raw = op_lone_surrogate(doc, rng)
            raw_surrogates = raw_surrogates or raw
            changes.append(what)
        elif op in STRUCTURED:
            changes.append(STRUCTURED[op](doc, rng))
    text = dump(doc, ascii_only=not raw_surrogates)
    data = text.encode("utf-8", "surrogatepass")
    if kind == "truncation":
        cut = rng.randrange(len(data))
        data = data[:cut]
        changes.append(f"truncated to {cut} of {len(text)} bytes")
    elif kind == "flipped bytes":
        mutable = bytearray(data)
        spots = []
        for _ in range(rng.choice((1, 1, 2, 3, 8))):
            spot = rng.randrange(len(mutable))
            mutable[spot] ^= rng.choice((1 << rng.randrange(8), rng.randrange(1, 256)))
            spots.append(spot)
        data = bytes(mutable)
        changes.append(f"flipped bytes at {sorted(spots)}")
    return data, kind, "; ".join(changes)


SPECIAL_FILES = (
    "symlink to /dev/zero",
    "symlink to /dev/urandom",
    "FIFO (no writer)",
    "directory",
    "missing file",
    "symlink loop",
    "stdin from /dev/zero",
)
