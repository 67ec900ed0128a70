"""Mail text as an office worker writes it: plain text with named placeholders in one simple syntax.

``{Beitragsnummer}``, ``{Titel}``, ``{Anlagenliste}``: a name in single curly braces stands for a value of the mail
(German names, also in English templates). Nothing else is special: no conditions, loops or filters. A list or a
sentence that depends on the case (with or without attachments, juror or organiser) is one placeholder whose
value is ready-made text, built by the mail kind in Python (``*_texts`` in each module's ``mails.py``).

Values are inserted literally in one pass: a value that itself contains ``{Titel}`` (an entry title typed by a
company) stays as it is and is never evaluated. The output is at most the template plus its values, so there is
nothing to bound. Mails are plain text: nothing is escaped.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

# A placeholder: a name in curly braces on one line. Anything in braces counts, so that ``{{ link }}`` or
# ``{% if … %}`` (old template code) is refused as an unknown placeholder instead of being mailed as it stands.
_BRACED = re.compile(r"\{([^{}\n]*)\}")
_NAME = re.compile(r"^[A-Za-zÄÖÜäöüß][A-Za-z0-9ÄÖÜäöüß-]*$")


@dataclass(frozen=True)
class Unknown:
    """An unknown placeholder: its text between the braces and the line (from 1) it is on."""

    name: str
    line: int


def placeholders_in(text: str) -> list[tuple[str, int]]:
    """Every ``{…}`` in ``text`` with its line, in order (names stripped of surrounding blanks)."""
    found = []
    for match in _BRACED.finditer(text):
        found.append((match.group(1).strip(), text.count("\n", 0, match.start()) + 1))
    return found


def unknown_placeholders(text: str, known: Iterable[str]) -> list[Unknown]:
    names = set(known)
    return [Unknown(name, line) for name, line in placeholders_in(text) if name not in names]


def stray_brace(text: str) -> int | None:
    """The line of the first curly brace that does not belong to a ``{…}`` pair (``Hallo {Name``), or None."""
    rest = _BRACED.sub(lambda m: " " * len(m.group(0)), text)
    for index, char in enumerate(rest):
        if char in "{}":
            return text.count("\n", 0, index) + 1
    return None


def is_name(text: str) -> bool:
    return bool(_NAME.match(text))


def fill(text: str, values: Mapping[str, str]) -> str:
    """``text`` with every known placeholder replaced by its value, literally and in one pass; an unknown
    ``{…}`` stays as it is (templates are checked when saved, see ``unknown_placeholders``)."""

    def replace(match: re.Match) -> str:
        name = match.group(1).strip()
        return str(values[name]) if name in values else match.group(0)

    return _BRACED.sub(replace, text)


# --- mail kinds ------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class MailKind:
    """A system mail: its label in the template editor, its placeholders (name, description) and the function
    that turns the mail's plain values (``*_values``) into the placeholders' texts, in the current language."""

    key: str
    label: object
    placeholders: tuple[tuple[str, object], ...]
    texts: Callable[[dict], dict[str, str]]
    samples: Callable[[], list[dict]] | None = None  # sample values for the editor's preview (else its catalogue)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(name for name, _description in self.placeholders)


_KINDS: dict[str, MailKind] = {}


def mail_kind(key: str, label, placeholders: tuple[tuple[str, object], ...],
              samples: Callable[[], list[dict]] | None = None):
    """Register the texts function of a system mail (used as a decorator in each module's ``mails.py``).
    ``samples`` gives the editor's sample values for a module that the communications catalogue cannot import
    (one beside it in the layer order, such as the audience award)."""

    def register(function: Callable[[dict], dict[str, str]]):
        _KINDS[key] = MailKind(key=key, label=label, placeholders=placeholders, texts=function, samples=samples)
        return function

    return register


def mail_kinds() -> dict[str, MailKind]:
    return dict(_KINDS)


def find_mail_kind(key: str) -> MailKind | None:
    return _KINDS.get(key)
