"""Checking a bundle's JSON before anything in it is used: each value's type, size and characters.

A bundle may come from anyone with a text editor. Every refusal is a BundleError whose message is
one short line for a person: the import page shows it, `import_bundle` prints it after the file name.
"""

from __future__ import annotations

import json
import re

MAX_DIGITS = 18  # a bundle's only number is its version: anything longer is not one
MAX_ITEMS = 1000  # slots, profiles, parameters: far more than any guest has
MAX_KEY = 100  # a profile's key in the bundle ("p1") or a parameter's name
MAX_MESSAGE = 300  # a hostile key or element name is cut short, not echoed whole

# What XML 1.0 cannot hold (nor PostgreSQL: NUL; nor UTF-8: lone surrogates).
_UNSTORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# A name is one line: no line break or other control character (a tab is let through).
_NOT_IN_A_NAME = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufffe\uffff]")

_JSON_TYPES = {
    dict: "an object",
    list: "an array",
    str: "a string",
    int: "an integer",
    float: "a number with a fraction",
    bool: "true or false",
    type(None): "null",
}


class BundleError(ValueError):
    """The bundle cannot be imported; the message says why, for a person, on one line."""

    def __init__(self, message: str):
        line = " ".join(str(message).split())
        if len(line) > MAX_MESSAGE:
            line = line[: MAX_MESSAGE - 1] + "…"
        super().__init__(line)


def json_type(value) -> str:
    return _JSON_TYPES.get(type(value), type(value).__name__)


def _short(key: str) -> str:
    return repr(key if len(key) <= 40 else key[:40] + "…")


def _bounded_int(digits: str) -> int:
    # Called by the JSON parser before it makes the int: Python refuses over 4,300 digits with a
    # ValueError of its own, and no bundle needs a number anywhere near that long.
    count = len(digits.lstrip("-"))
    if count > MAX_DIGITS:
        raise BundleError(f"this is not a bundle: a number in it has {count:,} digits")
    return int(digits)


def _no_constant(name: str):
    raise BundleError(f"this is not JSON: {name} is not a number JSON allows")


def load(text: str):
    """The JSON document in `text`, its numbers bounded."""
    try:
        return json.loads(text, parse_int=_bounded_int, parse_constant=_no_constant)
    except json.JSONDecodeError as e:
        raise BundleError(f"this is not JSON: {e.msg} (line {e.lineno}, column {e.colno})") from None
    except RecursionError:
        raise BundleError("this is not a bundle: the JSON is nested too deeply") from None


def fields(value, where: str, shape: dict[str, type | tuple[type, ...]]) -> dict:
    """`value` as a JSON object with exactly the keys of `shape`, each of its type(s)."""
    if not isinstance(value, dict):
        raise BundleError(f"{where} must be a JSON object, not {json_type(value)}")
    missing = [k for k in shape if k not in value]
    if missing:
        raise BundleError(f"{where} lacks {', '.join(repr(k) for k in missing)}")
    extra = sorted(set(value) - set(shape))
    if extra:
        more = f" and {len(extra) - 3:,} more" if len(extra) > 3 else ""
        raise BundleError(f"{where} has unknown keys: {', '.join(_short(k) for k in extra[:3])}{more}")
    for key, types in shape.items():
        types = types if isinstance(types, tuple) else (types,)
        # true and false are ints to Python, never to a bundle
        if not isinstance(value[key], types) or isinstance(value[key], bool):
            wanted = " or ".join(_JSON_TYPES[t] for t in types)
            raise BundleError(f"{where}: {key!r} has the wrong type ({json_type(value[key])}); it must be {wanted}")
    return value


def text(value: str, where: str, limit: int, *, blank: bool = True, name: bool = False) -> str:
    """A string of at most `limit` characters that XML and the database can hold; a `name` is one line."""
    if len(value) > limit:
        raise BundleError(f"{where} is longer than {limit:,} characters")
    if not blank and not value.strip():
        raise BundleError(f"{where} is empty")
    bad = (_NOT_IN_A_NAME if name else _UNSTORABLE).search(value)
    if bad:
        what = "a line break or control character" if name else "a character XML cannot hold"
        raise BundleError(f"{where} holds U+{ord(bad.group()):04X}, {what}")
    return value


def items(value: list | dict, where: str, limit: int = MAX_ITEMS) -> list | dict:
    if len(value) > limit:
        raise BundleError(f"{where}: {len(value):,} entries, more than the {limit:,} a bundle may hold")
    return value
