"""Converting the organisers' old templates (template code such as ``{{ user.full_name }}``) into the plain text
with placeholders used now (``{Name}``). Used once by the data migration; pure, so it is tested without a database.

What converts: a value (``{{ link }}``, ``{{ invitation.expires_at|datetime }}``) whose placeholder exists now, and a
translated text (``{{ _('Guten Tag %(name)s,', name=user.full_name) }}``) whose values do. What does not (conditions,
loops, other expressions) stays in the text and is listed, line by line, in a note the organisers see on the
template; until they save it again, the standard text is sent.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from dataclasses import dataclass

_COMMON = {
    "user.full_name": "Name", "user.email": "E-Mail", "link": "Link", "login_link": "Anmeldelink",
    "reset_link": "Passwortlink", "old_email": "Bisherige-Adresse", "invitation.full_name": "Name",
    "invitation.expires_at|datetime": "Gültig-bis", "company.legal_name": "Unternehmen",
    "inviter.full_name": "Einladende-Person", "data.entry.number": "Beitragsnummer", "data.entry.title": "Titel",
    "data.edition_name": "Ausschreibung", "data.submitted_at_text": "Eingegangen-am", "data.version": "Version",
    "data.submitted_by": "Eingereicht-von", "data.snapshot_sha256": "Prüfsumme",
    "judging_round.name": "Bewertungsrunde", "judging_round.deadline_at|datetime": "Frist",
    "open_count": "Offene-Bewertungen", "juror_name": "Name", "round_name": "Bewertungsrunde",
    "edition_name": "Ausschreibung", "entry.number": "Beitragsnummer", "entry.title": "Titel", "reason": "Begründung",
    "juror.email": "E-Mail", "ends_at|datetime": "Frist", "deadline|datetime": "Frist",
}
_BY_KEY = {
    "jury_reminder": {"juror.full_name": "Name"},
    "conflict_declared": {"juror.full_name": "Jurymitglied"},
    "conflict_withdrawal": {"juror.full_name": "Jurymitglied"},
    "juror_joined_company": {"juror.full_name": "Jurymitglied"},
    "results": {"outcome": "Ergebnis"},
}
CAMPAIGN = {
    "name": "Name", "email": "E-Mail", "company": "Unternehmen", "entry_title": "Beitragstitel",
    "entry_number": "Beitragsnummer", "category": "Kategorie", "edition": "Ausschreibung", "deadline": "Frist",
    "open_count": "Offene-Bewertungen", "link": "Link",
}
_CODE = re.compile(r"\{\{-?(.*?)-?\}\}|\{%-?(.*?)-?%\}|\{#.*?#\}", re.DOTALL)


@dataclass(frozen=True)
class Converted:
    text: str
    problems: tuple[str, ...]  # "Zeile 3: {% if data.attachments %}", one per piece that stayed as it was


def names_for(key: str) -> dict[str, str]:
    """Old expression → new placeholder, for a system mail ``key`` or (any other key) a group mail template."""
    if key.startswith("eigene-"):
        return dict(CAMPAIGN)
    return {**_COMMON, **_BY_KEY.get(key, {})}


def _normal(expression: str) -> str:
    return re.sub(r"\s+", "", expression)


def _convert_expression(expression: str, names: dict[str, str], translate: Callable[[str], str]) -> str | None:
    normal = _normal(expression)
    if normal in names:
        return "{" + names[normal] + "}"
    try:
        tree = ast.parse(expression.strip(), mode="eval").body
    except SyntaxError:
        return None
    if not (isinstance(tree, ast.Call) and isinstance(tree.func, ast.Name) and tree.func.id in ("_", "gettext")
            and len(tree.args) == 1 and isinstance(tree.args[0], ast.Constant)
            and isinstance(tree.args[0].value, str)):
        return None
    values = {}
    for keyword in tree.keywords:
        name = names.get(_normal(ast.unparse(keyword.value)))
        if keyword.arg is None or name is None:
            return None
        values[keyword.arg] = "{" + name + "}"
    message = translate(tree.args[0].value)
    try:
        return message % values if values else message.replace("%%", "%")
    except (KeyError, TypeError, ValueError):
        return None


def convert(text: str, *, key: str, translate: Callable[[str], str] = lambda s: s) -> Converted:
    """``text`` with every convertible piece of template code replaced; the rest listed in ``problems``."""
    names = names_for(key)
    problems: list[str] = []

    def replace(match: re.Match) -> str:
        if match.group(1) is not None:
            result = _convert_expression(match.group(1), names, translate)
            if result is not None:
                return result
        line = text.count("\n", 0, match.start()) + 1
        problems.append(f"Zeile {line}: {' '.join(match.group(0).split())}")
        return match.group(0)

    converted = _CODE.sub(replace, text)
    return Converted(text=converted, problems=tuple(problems))
