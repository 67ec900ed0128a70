"""Legal pages, consent to new versions, data export (Art. 15/20) and account erasure (Art. 17)."""

from __future__ import annotations

import tempfile

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, logout_user
from jinja2 import TemplateNotFound
from markupsafe import Markup

from ..accounts.forms import ConfirmForm
from ..accounts.models import Role
from ..accounts.views import home_for
from ..core.clock import to_berlin, utcnow
from ..core.errors import DomainError
from ..core.outcomes import show_failure
from ..core.permissions import role_required
from ..core.redirects import safe_next
from ..core.sessions import reset_session
from ..core.storage import get_storage
from ..extensions import db
from . import erasure, export, permissions, queries, services
from .forms import ConsentForm, DeleteAccountForm, LegalPageForm, PersonForm
from .models import CONSENT_KINDS, LegalKind

bp = Blueprint("privacy", __name__)

ZIP_SPOOL_BYTES = 16 * 1024 * 1024

TITLES = {
    LegalKind.IMPRINT: _l("Impressum"),
    LegalKind.PRIVACY: _l("Datenschutzerklärung"),
    LegalKind.TERMS: _l("Nutzungsbedingungen"),
}
ENDPOINTS = {LegalKind.IMPRINT: "privacy.imprint", LegalKind.PRIVACY: "privacy.privacy_notice",
             LegalKind.TERMS: "privacy.terms"}

# Reachable while a consent to a new version is outstanding: the texts themselves, the consent page, leaving
# (logout, or taking one's data and deleting the account instead of agreeing), and what every page needs.
CONSENTED = "consented_versions"
CONSENT_EXEMPT = {"privacy.consent", "privacy.imprint", "privacy.privacy_notice", "privacy.terms",
                  "privacy.data_page", "privacy.data_export", "privacy.delete_account", "accounts.logout",
                  "core.healthz", "core.set_language", "static"}


def _language() -> str:
    from flask_babel import get_locale

    locale = get_locale()
    return locale.language if locale else queries.FALLBACK_LOCALE


# --- consent to the current versions -------------------------------------------------------------------------------

@bp.before_app_request
def require_current_consent():
    """A signed-in user who has not agreed to the current terms or privacy notice sees the consent page first.

    An htmx request (autosave) gets a message for the page instead of the consent page swapped into a form, as
    for an expired session; what was typed stays on the page."""
    if request.endpoint is None or request.endpoint in CONSENT_EXEMPT:
        return None
    if not current_user.is_authenticated:
        return None
    # Consents are only ever added: once this session saw the user agree to today's versions, it need not ask the
    # database again until a text gets a new version (one query for the versions, none for the consents).
    versions = queries.current_versions()
    agreed = [current_user.id, sorted([kind.value, version] for kind, version in versions.items())]
    if session.get(CONSENTED) == agreed:
        return None
    if not queries.missing_consents(current_user, versions=versions):
        session[CONSENTED] = agreed
        return None
    if request.headers.get("HX-Request"):
        # 200 on purpose: htmx swaps only 2xx responses, and the message must appear where the status is shown.
        return render_template("privacy/_consent_required.html"), 200, {"X-Consent-Required": "1"}
    target = request.full_path.rstrip("?") if request.method == "GET" else None
    return redirect(url_for("privacy.consent", next=target))


@bp.route("/consent", methods=["GET", "POST"])
@login_required
def consent():
    missing = queries.missing_consents(current_user)
    form = ConsentForm()
    if request.method == "GET":
        form.next.data = safe_next(request.args.get("next")) or ""
    if missing and form.validate_on_submit():
        services.record_consents(user=current_user, now=utcnow(), kinds=missing)
        db.session.commit()
        flash(_("Vielen Dank. Ihre Zustimmung wurde gespeichert."), "success")
        return redirect(safe_next(form.next.data) or home_for(current_user))
    pages = {kind: queries.page_for(kind, _language()) for kind in CONSENT_KINDS}
    return render_template("privacy/consent.html", form=form, missing=missing, versions=queries.current_versions(),
                           pages=pages, titles=TITLES, endpoints=ENDPOINTS,
                           consents=queries.consents_of(current_user)), 200 if not form.errors else 422


# --- the legal pages -----------------------------------------------------------------------------------------------

def default_text(kind: LegalKind, language: str) -> tuple[str, str]:
    """The built-in text (Markdown) for a page nobody has written yet, and its language."""
    for lang in dict.fromkeys((language, queries.FALLBACK_LOCALE)):
        try:
            return render_template(f"privacy/defaults/{kind.value}_{lang}.md"), lang
        except TemplateNotFound:
            continue
    raise LookupError(kind)


def _show(kind: LegalKind):
    language = _language()
    page = queries.page_for(kind, language)
    if page is not None:
        body, lang = page.body, page.locale
    else:
        body, lang = default_text(kind, language)
    return render_template(
        "privacy/legal.html", kind=kind, title=TITLES[kind], page=page, lang=lang, language=language,
        body=Markup(services.render_legal(body)),  # noqa: S704  # nosec B704  # sanitised by nh3 just here
        version=queries.current_versions()[kind] if kind in CONSENT_KINDS else None,
    )


@bp.get("/impressum")
def imprint():
    return _show(LegalKind.IMPRINT)


@bp.get("/datenschutz")
def privacy_notice():
    return _show(LegalKind.PRIVACY)


@bp.get("/nutzungsbedingungen")
def terms():
    return _show(LegalKind.TERMS)


@bp.route("/organisation/legal/imprint", methods=["GET", "POST"], defaults={"kind": "imprint"})
@bp.route("/organisation/legal/privacy", methods=["GET", "POST"], defaults={"kind": "privacy"})
@bp.route("/organisation/legal/terms", methods=["GET", "POST"], defaults={"kind": "terms"})
@role_required(Role.ORGANISER)
def edit_legal(kind: str):
    legal_kind = LegalKind(kind)
    form = LegalPageForm()
    if request.method == "GET":
        form.locale.data = request.args.get("locale") if request.args.get("locale") in services.LOCALES else "de"
    locale = form.locale.data if form.locale.data in services.LOCALES else "de"
    page = queries.stored_page(legal_kind, locale)
    if request.method == "GET":
        form.body.data = page.body if page is not None else default_text(legal_kind, locale)[0]
    preview = None
    if form.validate_on_submit():
        if request.form.get("action") == "preview":
            preview = Markup(services.render_legal(form.body.data))  # noqa: S704  # nosec B704  # sanitised by nh3
        else:
            data = services.PageData(body=form.body.data, bump_version=form.bump_version.data)
            try:
                saved = services.save_page(kind=legal_kind, locale=locale, data=data, by=current_user, now=utcnow())
            except DomainError as exc:
                show_failure(exc, form, field="body")
            else:
                db.session.commit()
                if data.bump_version and legal_kind in CONSENT_KINDS:
                    flash(_("Gespeichert als Fassung %(version)s. Alle Personen werden beim nächsten Seitenaufruf "
                            "um Zustimmung gebeten.", version=saved.version), "success")
                else:
                    flash(_("Der Text wurde gespeichert."), "success")
                return redirect(url_for("privacy.edit_legal", kind=legal_kind.value, locale=locale))
    return render_template(
        "privacy/edit_legal.html", form=form, kind=legal_kind, title=TITLES[legal_kind], page=page,
        preview=preview, endpoints=ENDPOINTS, titles=TITLES, locale=locale,
        version=queries.current_versions()[legal_kind], asks_consent=legal_kind in CONSENT_KINDS,
    ), 422 if form.errors else 200


# --- Art. 15/20: data export ---------------------------------------------------------------------------------------

@bp.get("/account/data")
@login_required
def data_page():
    return render_template("privacy/data.html", form=ConfirmForm())


@bp.post("/account/data")
@login_required
def data_export():
    if not ConfirmForm().validate_on_submit():
        abort(400)
    return _export_response(current_user, utcnow())


def _export_response(user, now):
    data = export.collect_export(user=user, session=db.session, now=now)
    spool = tempfile.SpooledTemporaryFile(max_size=ZIP_SPOOL_BYTES)  # noqa: SIM115 - closed by the response
    try:
        export.write_export_zip(spool, data, get_storage().open, now=now)
        size = spool.tell()
        spool.seek(0)
    except BaseException:
        spool.close()
        raise
    response = send_file(spool, mimetype="application/zip", as_attachment=True, max_age=0,
                         download_name=f"meine-daten-{to_berlin(now).date().isoformat()}.zip")
    response.content_length = size
    response.headers["Cache-Control"] = "no-store"
    return response


# --- Art. 17: erasure ----------------------------------------------------------------------------------------------

@bp.route("/account/delete", methods=["GET", "POST"])
@login_required
def delete_account():
    why_not = permissions.why_not_erase(current_user)
    form = DeleteAccountForm()
    if why_not is None and form.validate_on_submit():
        try:
            erasure.erase_user(user=current_user, password=form.password.data, by=current_user, now=utcnow())
        except DomainError as exc:
            show_failure(exc, form, field="password")
        else:
            db.session.commit()
            logout_user()
            reset_session(keep_language=True)
            flash(_("Ihr Konto wurde gelöscht und Sie wurden auf allen Geräten abgemeldet. Ihre personenbezogenen "
                    "Daten wurden entfernt."), "success")
            return redirect(url_for("editions.home"))
    form.password.data = ""
    status = 422 if form.errors else (409 if why_not and request.method == "POST" else 200)
    return render_template("privacy/delete.html", form=form, why_not=why_not), status


# --- organisers: requests by mail ------------------------------------------------------------------------------------

def _person(form: PersonForm):
    from ..accounts.queries import get_user_by_email

    user = get_user_by_email(form.email.data or "")
    if user is None or erasure.is_erased(user):
        form.email.errors.append(_("Zu dieser E-Mail-Adresse gibt es kein Konto. Bitte prüfen Sie die Schreibweise."))
        return None
    return user


@bp.get("/organisation/privacy")
@role_required(Role.ORGANISER)
def requests():
    return render_template("privacy/requests.html", export_form=PersonForm(formdata=None, prefix="export"),
                           erase_form=PersonForm(formdata=None, prefix="erase"), titles=TITLES)


@bp.post("/organisation/privacy/export")
@role_required(Role.ORGANISER)
def export_for():
    form = PersonForm(prefix="export")
    user = _person(form) if form.validate_on_submit() else None
    if user is None:
        return render_template("privacy/requests.html", export_form=form,
                               erase_form=PersonForm(formdata=None, prefix="erase"), titles=TITLES), 422
    now = utcnow()
    from ..core import audit

    audit.record(actor=current_user, action="account.exported", obj_type="user", obj_id=user.id, now=now)
    db.session.commit()
    return _export_response(user, now)


@bp.post("/organisation/privacy/erase")
@role_required(Role.ORGANISER)
def erase_for():
    form = PersonForm(prefix="erase")
    user = _person(form) if form.validate_on_submit() else None
    if user is not None and user.id == current_user.id:
        form.email.errors.append(_("Ihr eigenes Konto löschen Sie bitte unter „Mein Konto“ mit Ihrem Passwort."))
        user = None
    elif user is not None and not form.confirm.data:
        form.confirm.errors = [_("Bitte bestätigen Sie, dass die Identität geprüft ist und das Konto gelöscht "
                                 "werden soll.")]
        user = None
    if user is not None:
        try:
            erasure.erase_user(user=user, password=None, by=current_user, now=utcnow())
        except DomainError as exc:
            show_failure(exc, form, field="email")
        else:
            db.session.commit()
            flash(_("Das Konto wurde gelöscht (jetzt „%(name)s“); alle Sitzungen der Person sind beendet.",
                    name=user.full_name), "success")
            return redirect(url_for("privacy.requests"))
    return render_template("privacy/requests.html", export_form=PersonForm(formdata=None, prefix="export"),
                           erase_form=form, titles=TITLES), 422
