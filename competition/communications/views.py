"""Organisers write group mails and edit the mail templates."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice

from ..accounts.models import Role
from ..core.clock import utcnow
from ..core.errors import DomainError
from ..core.ids import db_int
from ..core.outcomes import run_service, show_failure
from ..core.permissions import role_required
from ..editions import services as edition_services
from ..editions.models import Edition
from ..extensions import db
from . import catalog, queries, rendering, services
from .audiences import recipients
from .forms import AUDIENCE_LABELS, LOCALE_LABELS, CampaignForm, CustomTemplateForm, TemplateForm
from .models import Audience, Campaign, MailStatus
from .tasks import personalise, placeholders

bp = Blueprint("communications", __name__, url_prefix="/organisation/communications")
templates_bp = Blueprint("mail_templates", __name__, url_prefix="/organisation/mail-templates")

STATUS_LABELS = {
    MailStatus.SENDING: _l("wird gesendet"),
    MailStatus.SENT: _l("versandt"),
    MailStatus.FAILED: _l("fehlgeschlagen"),
    MailStatus.UNCERTAIN: _l("unklar"),
}


@bp.record_once
def _register_renderer(state) -> None:
    # core.mail.send_mail asks this for the organisers' version of a system mail.
    state.app.extensions["mail_template_renderer"] = services.render_override


def _helpers():
    return {"AUDIENCE_LABELS": AUDIENCE_LABELS, "LOCALE_LABELS": LOCALE_LABELS, "MailStatus": MailStatus,
            "mail_status_label": lambda status: str(STATUS_LABELS[status])}


bp.context_processor(_helpers)
templates_bp.context_processor(_helpers)


# --- group mails -----------------------------------------------------------------------------------------------------

@bp.get("")
@role_required(Role.ORGANISER)
def list_campaigns():
    campaigns = db.session.scalars(queries.campaigns()).all()
    return render_template("communications/list.html", campaigns=campaigns,
                           counts=queries.status_counts([c.id for c in campaigns]))


@bp.get("/<int:campaign_id>")
@role_required(Role.ORGANISER)
def show_campaign(campaign_id: int):
    campaign = db.get_or_404(Campaign, campaign_id)
    logs = db.session.scalars(queries.mail_log_of(campaign.id)).all()
    return render_template("communications/show.html", campaign=campaign, logs=logs,
                           counts=queries.status_counts([campaign.id])[campaign.id])


def _campaign_form(editions: list[Edition]) -> CampaignForm:
    form = CampaignForm()
    form.edition_id.choices = [SelectChoice(e.id, e.name) for e in editions]
    categories = db.session.execute(queries.category_choices()).all()
    form.category_id.choices = [SelectChoice("", _("– keine –"))] + [
        SelectChoice(cid, f"{ename}: {cname}") for cid, cname, ename in categories]
    return form


DRAFT_REMINDER_SUBJECT = _l("Erinnerung: Ihr Beitrag ist noch nicht eingereicht")
DRAFT_REMINDER_BODY = _l(
    "Guten Tag {{ name }},\n\n"
    "Ihr Beitrag „{{ entry_title }}“ zur Ausschreibung „{{ edition }}“ ist noch ein Entwurf. Die Einreichungsfrist "
    "endet am {{ deadline }}. Nur eingereichte Beiträge nimmt die Jury an.\n\n"
    "Sie können den Beitrag hier vervollständigen und einreichen:\n{{ link }}\n\n"
    "Mit freundlichen Grüßen\nIhr Organisationsteam")


@bp.route("/new", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def new_campaign():
    editions = db.session.scalars(edition_services.list_editions()).all()
    if not editions:
        flash(_("Legen Sie zuerst eine Ausschreibung an."), "error")
        return redirect(url_for("admin.dashboard"))
    form = _campaign_form(editions)
    custom = services.custom_templates()
    if request.method == "GET":
        form.edition_id.data = request.args.get("edition_id", type=db_int) or editions[0].id
        key, locale = request.args.get("template"), request.args.get("locale", "de")
        chosen = services.find_template(key, locale) if key else None
        if chosen is not None and chosen.key.startswith("eigene-"):
            form.subject.data, form.body.data, form.template_key.data = chosen.subject, chosen.body, chosen.key
        elif request.args.get("audience") == Audience.DRAFTS.value:  # "Erinnerung senden" on the dashboard
            form.audience.data = Audience.DRAFTS.value
            form.subject.data, form.body.data = DRAFT_REMINDER_SUBJECT, DRAFT_REMINDER_BODY
    people, preview = [], None
    if request.method == "POST" and form.validate_on_submit():
        edition = db.session.get(Edition, form.edition_id.data)
        audience = Audience(form.audience.data)
        now = utcnow()
        if request.form.get("action") == "send":
            ok, campaign = run_service(form, lambda: services.start_campaign(
                edition=edition, audience=audience, category_id=form.category_id.data, subject=form.subject.data,
                body=form.body.data, template_key=form.template_key.data, by=current_user, now=now))
            if ok:
                flash(_("Die Gruppen-E-Mail an %(n)s Personen wird im Hintergrund versandt.",
                        n=campaign.recipient_count), "success")
                return redirect(url_for("communications.show_campaign", campaign_id=campaign.id))
        else:
            try:
                services.check_audience(edition=edition, audience=audience, category_id=form.category_id.data)
                rendering.check(form.subject.data, form.body.data, catalog.CAMPAIGN_NAMES)
                people = recipients(edition=edition, audience=audience, category_id=form.category_id.data, now=now)
            except DomainError as exc:
                show_failure(exc, form, rollback=False)
            else:
                form.preview_user_id.choices = [SelectChoice(p.user.id, f"{p.user.full_name} <{p.user.email}>")
                                                for p in people]
                chosen = next((p for p in people if p.user.id == form.preview_user_id.data), people[0] if people
                              else None)
                if chosen is not None:
                    form.preview_user_id.data = chosen.user.id
                    try:
                        preview = (chosen, personalise(form.subject.data, form.body.data, chosen))
                    except DomainError as exc:  # this person's values do not fit the template
                        show_failure(exc, form, rollback=False)
                else:
                    flash(_("Diese Gruppe hat keine Empfängerinnen und Empfänger."), "error")
    return render_template("communications/new.html", form=form, people=people, preview=preview, custom=custom,
                           placeholders=catalog.CAMPAIGN_PLACEHOLDERS)


# --- mail templates --------------------------------------------------------------------------------------------------

@templates_bp.get("")
@role_required(Role.ORGANISER)
def list_templates():
    stored = {(t.key, t.locale): t for t in db.session.scalars(queries.stored_templates())}
    return render_template("communications/templates.html", system=catalog.system_templates(), stored=stored,
                           custom=services.custom_templates(), locales=services.LOCALES)


def _load(key: str, locale: str):
    """The template being edited: (system template or None for a custom one, stored row or None). 404 if unknown."""
    if locale not in services.LOCALES:
        abort(404)
    system = catalog.system_template(key)
    stored = services.find_template(key, locale)
    if system is None:
        if not key.startswith("eigene-"):
            abort(404)
        if stored is None and not services.find_template(key, "en" if locale == "de" else "de"):
            abort(404)
    return system, stored


def _preview_choices(system, locale: str) -> list[tuple[str, str, dict]]:
    """What the preview can be shown for: (value, label, placeholders' texts). A system mail: each variant of its
    sample data; a group mail template: the real people of the newest Ausschreibung (companies' members and the
    jury), then the sample data."""
    with force_locale(locale):
        if system is not None:
            texts = system.sample_texts()
            return [(f"beispiel-{i}", _("Beispiel %(n)s von %(total)s", n=i + 1, total=len(texts)), item)
                    for i, item in enumerate(texts)]
        choices = []
        edition = db.session.scalars(edition_services.list_editions()).first()
        if edition is not None:
            now = utcnow()
            people = {}
            for audience in (Audience.APPLICANTS, Audience.JURORS):
                for person in recipients(edition=edition, audience=audience, category_id=None, now=now):
                    people.setdefault(person.user.id, person)
            for person in list(people.values())[:200]:
                choices.append((f"person-{person.user.id}", f"{person.user.full_name} <{person.user.email}>",
                                placeholders(person)))
        samples = catalog.campaign_samples()
        choices += [(f"beispiel-{i}", _("Beispieldaten %(n)s", n=i + 1), item) for i, item in enumerate(samples)]
        return choices


def _template_page(*, form, system, stored, key, locale, choices, preview, chosen):
    placeholders = system.placeholders if system is not None else catalog.CAMPAIGN_PLACEHOLDERS
    return render_template("communications/template_form.html", form=form, system=system, stored=stored, key=key,
                           locale=locale, preview=preview, placeholders=placeholders, reset_form=FlaskForm(),
                           choices=choices, chosen=chosen)


def _preview(form, system, locale: str, choices):
    """The preview for the chosen person or sample (POST field ``preview_for``); errors go next to the field."""
    names = system.names if system is not None else catalog.CAMPAIGN_NAMES
    wanted = request.form.get("preview_for", "")
    chosen = next((c for c in choices if c[0] == wanted), choices[0] if choices else None)
    try:
        rendering.check(form.subject.data or "", form.body.data or "", names)
    except DomainError as exc:
        show_failure(exc, form, rollback=False)
        return exc.message, chosen
    if chosen is None:
        return None, None
    with force_locale(locale):
        return rendering.render(form.subject.data, form.body.data, chosen[2]), chosen


@templates_bp.route("/new", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def new_template():
    form = CustomTemplateForm()
    locale = form.locale.data if form.locale.data in services.LOCALES else "de"
    choices = _preview_choices(None, locale)
    preview, chosen = None, choices[0] if choices else None
    if form.validate_on_submit():
        if request.form.get("action") == "preview":
            preview, chosen = _preview(form, None, locale, choices)
        else:
            ok, template = run_service(form, lambda: services.save_custom_template(
                key=None, name=form.name.data, locale=form.locale.data, subject=form.subject.data,
                body=form.body.data, by=current_user, now=utcnow()))
            if ok:
                flash(_("Die Vorlage „%(name)s“ wurde gespeichert.", name=template.name), "success")
                return redirect(url_for("mail_templates.edit_template", key=template.key, locale=template.locale))
    return _template_page(form=form, system=None, stored=None, key=None, locale=None, choices=choices,
                          preview=preview, chosen=chosen)


@templates_bp.route("/<key>/<locale>", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def edit_template(key: str, locale: str):
    system, stored = _load(key, locale)
    form = CustomTemplateForm() if system is None else TemplateForm()
    if system is None:
        form.locale.data = locale
    if request.method == "GET":
        if stored is not None:
            form.subject.data, form.body.data = stored.subject, stored.body
            if system is None:
                form.name.data = stored.name
        elif system is not None:
            form.subject.data, form.body.data = catalog.default_source(key, locale)
        else:  # a custom template's other language: start from the one that exists
            other = services.find_template(key, "en" if locale == "de" else "de")
            form.name.data, form.subject.data, form.body.data = other.name, other.subject, other.body
    choices = _preview_choices(system, locale)
    preview, chosen = None, choices[0] if choices else None
    if request.method == "GET" and not (stored is not None and stored.conversion_note):
        preview, chosen = _preview(form, system, locale, choices)  # shown from the start
    if form.validate_on_submit():
        if request.form.get("action") == "preview":
            preview, chosen = _preview(form, system, locale, choices)
        else:
            now = utcnow()
            if system is not None:
                call = lambda: services.save_system_template(  # noqa: E731
                    key=key, locale=locale, subject=form.subject.data, body=form.body.data, by=current_user, now=now)
            else:
                call = lambda: services.save_custom_template(  # noqa: E731
                    key=key, name=form.name.data, locale=locale, subject=form.subject.data, body=form.body.data,
                    by=current_user, now=now)
            ok, _template = run_service(form, call)
            if ok:
                flash(_("Die Vorlage wurde gespeichert. Sie gilt ab sofort."), "success")
                return redirect(url_for("mail_templates.edit_template", key=key, locale=locale))
    return _template_page(form=form, system=system, stored=stored, key=key, locale=locale, choices=choices,
                          preview=preview, chosen=chosen)


@templates_bp.post("/<key>/<locale>/reset")
@role_required(Role.ORGANISER)
def reset_template(key: str, locale: str):
    system, _stored = _load(key, locale)
    form = FlaskForm()
    if not form.validate_on_submit():
        flash(_("Das Formular ist abgelaufen. Bitte senden Sie es erneut ab."), "error")
        return redirect(url_for("mail_templates.edit_template", key=key, locale=locale))
    removed = services.reset_template(key=key, locale=locale, by=current_user, now=utcnow())
    db.session.commit()
    if system is None:
        flash(_("Die Vorlage wurde gelöscht."), "success")
        return redirect(url_for("mail_templates.list_templates"))
    if removed:
        flash(_("Die Vorlage wurde auf den Standardtext zurückgesetzt."), "success")
    else:
        flash(_("Die Vorlage verwendet bereits den Standardtext."), "info")
    return redirect(url_for("mail_templates.edit_template", key=key, locale=locale))
