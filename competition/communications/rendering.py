"""Rendering the templates organisers edit, and the checks when a template is saved.

A template is plain text with placeholders such as ``{Beitragsnummer}`` (core/mail_text.py): no template
language, nothing to evaluate. The values are the placeholders' texts built for each mail kind (its ``*_texts``
function over its plain ``*_values``), inserted literally. A template is checked when it is saved: every
``{…}`` must be one of the placeholders listed beside the editor, refused otherwise with its name and line.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from ..core.errors import ValidationFailed
from ..core.mail import finish
from ..core.mail_text import fill, stray_brace, unknown_placeholders


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str


def render(subject: str, body: str, texts: Mapping[str, str]) -> Rendered:
    """The mail filled in with ``texts`` (the placeholders' values, already in the recipient's language)."""
    filled_subject, filled_body = finish(fill(subject, texts), fill(body, texts))
    return Rendered(subject=filled_subject, body=filled_body)


def check(subject: str, body: str, names: Iterable[str], samples: Sequence[Mapping[str, str]] | None = None
          ) -> Rendered | None:
    """Refuse an empty subject or body and every unknown placeholder (the field, the name and the line); returns
    the mail filled in with the first sample, if samples are given."""
    if not subject.strip():
        raise ValidationFailed(_l("Bitte geben Sie einen Betreff ein."), field="subject")
    if not body.strip():
        raise ValidationFailed(_l("Bitte geben Sie einen Text ein."), field="body")
    known = tuple(names)
    for field, source in (("subject", subject), ("body", body)):
        unknown = unknown_placeholders(source, known)
        if unknown:
            raise ValidationFailed(unknown_message(unknown[0].name, unknown[0].line, known), field=field)
        line = stray_brace(source)
        if line is not None:
            raise ValidationFailed(_l("In Zeile %(line)s steht eine geschweifte Klammer ohne Gegenstück. Schreiben "
                                      "Sie Platzhalter vollständig, z. B. {Name}.", line=line), field=field)
    return render(subject, body, samples[0]) if samples else None


def unknown_message(name: str, line: int, known: Sequence[str]):
    """„Unbekannter Platzhalter {vorname} in Zeile 3“, with the listed name the organiser probably meant."""
    shown = "{" + name + "}"
    guess = next((k for k in known if k.casefold() == name.strip("{}%-# ").split(".")[-1].casefold()), None)
    if guess:
        return _l("Unbekannter Platzhalter %(name)s in Zeile %(line)s. Meinten Sie %(guess)s? Verwenden Sie nur die "
                  "Platzhalter aus der Liste neben dem Textfeld.", name=shown, line=line, guess="{" + guess + "}")
    return _l("Unbekannter Platzhalter %(name)s in Zeile %(line)s. Verwenden Sie nur die Platzhalter aus der Liste "
              "neben dem Textfeld; geschweifte Klammern sind für Platzhalter reserviert.", name=shown, line=line)
