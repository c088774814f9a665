"""Converters: what a field's value may be, checked and normalised as a string (``clean``) and
turned into a Python value (``to_python``); the fields of builder.domainxml.fields carry one each."""

from __future__ import annotations

import re
import secrets
import uuid as uuidlib
from typing import Any


class Rejected(ValueError):
    """libvirt refuses this value when the domain is defined."""


class Ignored(ValueError):
    """libvirt takes the domain but silently drops or replaces this value."""


class Converter:
    """Checks a string value; ``clean`` raises ValueError with a sentence a person can read."""

    widget = "text"
    choices: tuple[str, ...] = ()

    def clean(self, text: str) -> str:
        return text

    def to_python(self, text: str) -> Any:
        return self.clean(text)

    def to_text(self, value: Any) -> str:
        """The XML spelling of a Python value (the reverse of to_python)."""
        return value if isinstance(value, str) else str(value)


class Str(Converter):
    def __init__(self, pattern: str | None = None, hint: str = "", forbid: str = ""):
        self.pattern = re.compile(pattern) if pattern else None
        self.hint = hint
        self.forbid = forbid

    def clean(self, text: str) -> str:
        for ch in self.forbid:
            if ch in text:
                raise ValueError(f"must not contain '{ch}'")
        if self.pattern and not self.pattern.fullmatch(text):
            raise ValueError(self.hint or f"must match {self.pattern.pattern}")
        return text


class Path(Converter):
    """A path on the host. libvirt wants absolute paths for files and devices."""

    widget = "path"

    def clean(self, text: str) -> str:
        if not text.startswith("/"):
            raise ValueError("must be an absolute path on the host, starting with /")
        return text


class Int(Converter):
    widget = "number"

    def __init__(self, min: int | None = None, max: int | None = None):
        self.min, self.max = min, max

    def clean(self, text: str) -> str:
        try:
            n = int(text.strip(), 10)
        except ValueError:
            raise ValueError(f"'{text}' is not a whole number") from None
        if self.min is not None and n < self.min:
            raise ValueError(f"must be at least {self.min}")
        if self.max is not None and n > self.max:
            raise ValueError(f"must be at most {self.max}")
        return str(n)

    def to_python(self, text: str) -> int:
        return int(self.clean(text))


class Choice(Converter):
    widget = "select"

    def __init__(self, *values: str):
        self.choices = values

    def clean(self, text: str) -> str:
        if text not in self.choices:
            raise ValueError(f"'{text}' is not one of: {', '.join(self.choices)}")
        return text


class YesNo(Choice):
    def __init__(self):
        super().__init__("yes", "no")

    def to_python(self, text: str) -> bool:
        return self.clean(text) == "yes"

    def to_text(self, value: Any) -> str:
        return ("yes" if value else "no") if isinstance(value, bool) else value


class OnOff(Choice):
    def __init__(self):
        super().__init__("on", "off")

    def to_python(self, text: str) -> bool:
        return self.clean(text) == "on"

    def to_text(self, value: Any) -> str:
        return ("on" if value else "off") if isinstance(value, bool) else value


MAC_RE = re.compile(r"[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}")


class Mac(Converter):
    """A unicast MAC. libvirt refuses multicast addresses (lowest bit of the first octet)."""

    widget = "mac"

    @staticmethod
    def generate() -> str:
        """A random address in QEMU's locally administered range, as libvirt itself makes them."""
        return "52:54:00:" + ":".join(f"{b:02x}" for b in secrets.token_bytes(3))

    def clean(self, text: str) -> str:
        if not MAC_RE.fullmatch(text):
            raise Rejected(f"'{text}' is not a MAC address like 52:54:00:12:34:56")
        if int(text[:2], 16) & 1:
            raise Rejected(
                f"{text} is a multicast address, which libvirt refuses; use a unicast one such as 52:54:00:xx:xx:xx"
            )
        return text.lower()


class Uuid(Converter):
    """RFC 4122 UUID; libvirt also takes the 32 hex digits without dashes."""

    widget = "uuid"

    @staticmethod
    def generate() -> str:
        return str(uuidlib.uuid4())

    def clean(self, text: str) -> str:
        try:
            return str(uuidlib.UUID(hex=text.strip()))
        except ValueError:
            raise ValueError(f"'{text}' is not a UUID") from None


# Characters no XML document may contain (lxml refuses them).
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

# ${name} in a value: a template parameter (see parameters.py); $$ is a literal $.
PARAMETER_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
PARAMETER = re.compile(rf"\$\{{({PARAMETER_NAME})\}}")
