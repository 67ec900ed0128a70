"""Rendering the templates organisers edit: a sandboxed Jinja environment, and checks when a template is saved.

Organisers are trusted to write mails, not to run code: their templates are rendered by
``jinja2.sandbox.SandboxedEnvironment`` (no ``_``-prefixed or internal attributes, no unsafe callables), and on
database rows only plain column values can be read (no methods such as ``query``, no password hashes or tokens).
Text mail needs no HTML escaping, so autoescape is off. A template is checked when it is saved (syntax, and a trial
run with sample data that refuses unknown placeholders), never first at send time; if sending still fails, the
system template file is used instead (see ``overrides.render_override``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext, ngettext
from flask_babel import lazy_gettext as _l
from jinja2 import StrictUndefined, TemplateSyntaxError, Undefined, UndefinedError
from jinja2.sandbox import SandboxedEnvironment, SecurityError

from ..core.errors import ValidationFailed
from ..extensions import db

# Never readable in an organiser's template, whatever object they hang on.
HIDDEN_ATTRIBUTES = frozenset({
    "password_hash", "session_generation", "pending_email", "query", "query_class", "metadata", "registry",
    "storage_key", "token", "token_hash",
})
SAFE_FILTERS = ("datetime", "date", "decimal", "percent", "score")


class MailSandbox(SandboxedEnvironment):
    def is_safe_attribute(self, obj, attr, value) -> bool:
        if attr in HIDDEN_ATTRIBUTES or not super().is_safe_attribute(obj, attr, value):
            return False
        if isinstance(obj, db.Model):
            return not callable(value) and not attr.startswith("_")  # column values and related rows only
        return True


def _environment(*, strict: bool) -> MailSandbox:
    env = MailSandbox(autoescape=False, undefined=StrictUndefined if strict else Undefined, keep_trailing_newline=True)
    app_filters = current_app.jinja_env.filters
    for name in SAFE_FILTERS:
        if name in app_filters:
            env.filters[name] = app_filters[name]
    env.globals.update(_=gettext, gettext=gettext, ngettext=ngettext)
    return env


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str


def render(subject: str, body: str, context: Mapping, *, strict: bool = False) -> Rendered:
    """Render an organiser's subject and body (call inside ``force_locale`` for the recipient's language)."""
    env = _environment(strict=strict)
    subject_text = env.from_string(subject).render(**context)
    body_text = env.from_string(body).render(**context)
    return Rendered(subject=" ".join(subject_text.split()), body=body_text.lstrip("\n"))


def check(subject: str, body: str, sample: Mapping | None) -> Rendered | None:
    """Refuse a template that would not render: the field, the line and what is wrong. With ``sample`` (the
    placeholders this mail gets), also refuse unknown placeholders and forbidden access; returns the preview."""
    if not subject.strip():
        raise ValidationFailed(_l("Bitte geben Sie einen Betreff ein."), field="subject")
    if not body.strip():
        raise ValidationFailed(_l("Bitte geben Sie einen Text ein."), field="body")
    env = _environment(strict=True)
    for field, source in (("subject", subject), ("body", body)):
        try:
            env.parse(source)
        except TemplateSyntaxError as exc:
            raise ValidationFailed(
                _l("Die Vorlage enthält einen Fehler in Zeile %(line)s: %(message)s", line=exc.lineno,
                   message=exc.message or ""),
                field=field,
            ) from None
    for field, source in (("subject", subject), ("body", body)):
        try:
            env.from_string(source).render(**(sample or {}))
        except UndefinedError as exc:
            if sample is None:
                continue
            raise ValidationFailed(
                _l("Unbekannter Platzhalter: %(message)s. Verwenden Sie nur die aufgeführten Platzhalter.",
                   message=exc.message or ""), field=field) from None
        except SecurityError as exc:
            raise ValidationFailed(_l("Dieser Zugriff ist in Vorlagen nicht erlaubt: %(message)s",
                                      message=str(exc)), field=field) from None
        except Exception as exc:  # e.g. a filter applied to the wrong kind of value
            line = _error_line(exc)
            raise ValidationFailed(
                _l("Die Vorlage lässt sich nicht anwenden (Zeile %(line)s): %(message)s", line=line or "?",
                   message=str(exc)), field=field) from None
    return render(subject, body, sample or {}) if sample is not None else None


def _error_line(exc: BaseException) -> int | None:
    tb = exc.__traceback__
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line
