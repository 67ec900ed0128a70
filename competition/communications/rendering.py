"""Rendering the templates organisers edit, and the checks when a template is saved.

Organisers are trusted to write mails, not to run code. Their templates are rendered in a bounded, immutable
Jinja sandbox (sandbox.py: no internals, no changes to values, limited work and output) over plain values built
for each mail kind (core/placeholders.py), never database rows. Text mail needs no HTML escaping, so autoescape is
off. A template is checked when it is saved (syntax, then a trial run with every sample the mail kind has, so each
branch the samples reach is run, refusing unknown placeholders, forbidden access and templates over the limits),
never first at send time; if sending still fails, the system template file is used instead
(see ``services.render_override``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l
from jinja2 import StrictUndefined, TemplateSyntaxError, Undefined, UndefinedError
from jinja2.sandbox import SecurityError

from ..core.errors import ValidationFailed
from ..core.placeholders import NotPlain, plain_values
from .sandbox import MAX_OUTPUT, TOO_MUCH_TEXT, BoundedSandbox, TemplateTooBig

APP_FILTERS = ("datetime", "date", "decimal", "percent", "score")  # the app's formatting filters


def _environment(*, strict: bool) -> BoundedSandbox:
    env = BoundedSandbox(autoescape=False, undefined=StrictUndefined if strict else Undefined,
                         keep_trailing_newline=True)
    app_filters = current_app.jinja_env.filters
    for name in APP_FILTERS:
        if name in app_filters:
            env.filters[name] = env.bounded_filter(app_filters[name])
    return env


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str


def _render_one(env: BoundedSandbox, source: str, context: Mapping) -> str:
    text = env.from_string(source).render(**context)
    if len(text) > MAX_OUTPUT:
        raise TemplateTooBig(TOO_MUCH_TEXT)
    return text


def render(subject: str, body: str, context: Mapping, *, strict: bool = False) -> Rendered:
    """Render an organiser's subject and body (call inside ``force_locale`` for the recipient's language).

    ``context`` must be plain values (``placeholders.NotPlain`` otherwise); a template over the limits raises
    ``sandbox.TemplateTooBig``."""
    env = _environment(strict=strict)
    values = plain_values(context)
    subject_text = _render_one(env, subject, values)
    body_text = _render_one(env, body, values)
    return Rendered(subject=" ".join(subject_text.split()), body=body_text.lstrip("\n"))


def check(subject: str, body: str, samples: Sequence[Mapping] | None) -> Rendered | None:
    """Refuse a template that would not render: the field, the line and what is wrong. With ``samples`` (the
    placeholders this mail gets, in every variant the mail kind has), render with each of them, refusing unknown
    placeholders, forbidden access and templates over the limits; returns the preview of the first sample."""
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
    for sample in samples or [{}]:
        for field, source in (("subject", subject), ("body", body)):
            _trial(field, source, sample, known=samples is not None)
    return render(subject, body, samples[0]) if samples else None


def _trial(field: str, source: str, sample: Mapping, *, known: bool) -> None:
    try:
        _render_one(_environment(strict=True), source, plain_values(sample))
    except UndefinedError as exc:
        if known:
            raise ValidationFailed(_explain(exc), field=field) from None
    except NotPlain:
        raise
    except Exception as exc:  # every other failure becomes a message for the organiser
        raise ValidationFailed(_explain(exc), field=field) from None


def render_checked(subject: str, body: str, context: Mapping) -> Rendered:
    """``render`` for a real recipient, any failure (a value that pushes the template over a limit, a filter that
    does not fit the value) as ``ValidationFailed`` on the body with a message for the organiser."""
    try:
        return render(subject, body, context)
    except NotPlain:
        raise  # a programming error, not the organiser's
    except Exception as exc:
        raise ValidationFailed(_explain(exc), field="body") from None


def _explain(exc: BaseException):
    if isinstance(exc, TemplateTooBig):
        return exc.message
    if isinstance(exc, UndefinedError):
        return _l("Unbekannter Platzhalter: %(message)s. Verwenden Sie nur die aufgeführten Platzhalter.",
                  message=exc.message or "")
    if isinstance(exc, SecurityError):
        return _l("Dieser Zugriff ist in Vorlagen nicht erlaubt: %(message)s", message=str(exc))
    if isinstance(exc, RecursionError):
        return _TOO_DEEP
    return _l("Die Vorlage lässt sich nicht anwenden (Zeile %(line)s): %(message)s",
              line=_error_line(exc) or "?", message=str(exc))


_TOO_DEEP = _l("Die Vorlage ruft sich zu tief selbst auf. Bitte vereinfachen Sie sie.")


def _error_line(exc: BaseException) -> int | None:
    tb = exc.__traceback__
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line
