"""Organisers choose what an edition's certificates and jury protocol carry: logos, signatories, place."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, StringField
from wtforms.validators import Length

from ..accounts.models import Role
from ..core.clock import utcnow
from ..core.outcomes import run_service
from ..core.permissions import role_required
from ..editions.models import Edition
from ..extensions import db
from .design import IMAGE_FIELDS, TEXT_FIELDS, design_of, find_design, save_design

bp = Blueprint("certificate_design", __name__, url_prefix="/organisation/editions/<int:edition_id>/certificate-design")


def _text(label, hint=None, limit=200):
    return StringField(label, description=hint, validators=[Length(max=limit, message=_l(
        "Bitte kürzen Sie auf höchstens %(max)d Zeichen."))])


class DesignForm(FlaskForm):
    place = _text(_l("Ort"), _l("Erscheint auf dem Protokoll neben Datum und Unterschriften, z. B. „Chemnitz“."),
                  120)
    logo_1 = FileField(_l("Logo 1 (PNG oder JPEG)"))
    logo_1_text = _text(_l("Beschreibung von Logo 1"), _l("Für Screenreader, z. B. „Logo der IHK Chemnitz“."))
    remove_logo_1 = BooleanField(_l("Logo 1 entfernen"))
    logo_2 = FileField(_l("Logo 2 (PNG oder JPEG)"))
    logo_2_text = _text(_l("Beschreibung von Logo 2"))
    remove_logo_2 = BooleanField(_l("Logo 2 entfernen"))
    signatory_1_name = _text(_l("Name"))
    signatory_1_function = _text(_l("Funktion"), _l("z. B. „Vorsitz der Jury“"))
    signatory_1_signature = FileField(_l("Unterschrift als Bild (freiwillig)"))
    remove_signatory_1_signature = BooleanField(_l("Unterschrift entfernen"))
    signatory_2_name = _text(_l("Name"))
    signatory_2_function = _text(_l("Funktion"))
    signatory_2_signature = FileField(_l("Unterschrift als Bild (freiwillig)"))
    remove_signatory_2_signature = BooleanField(_l("Unterschrift entfernen"))
    signatory_3_name = _text(_l("Name"))
    signatory_3_function = _text(_l("Funktion"))
    signatory_3_signature = FileField(_l("Unterschrift als Bild (freiwillig)"))
    remove_signatory_3_signature = BooleanField(_l("Unterschrift entfernen"))


@bp.route("", methods=["GET", "POST"], endpoint="edit")
@role_required(Role.ORGANISER)
def edit(edition_id: int):
    edition = db.get_or_404(Edition, edition_id)
    row = find_design(edition.id)
    form = DesignForm(obj=row) if request.method == "GET" else DesignForm()
    if form.validate_on_submit():
        texts = {name: getattr(form, name).data or "" for name in TEXT_FIELDS}
        uploads = {}
        for name in IMAGE_FIELDS:
            upload = getattr(form, name).data
            if upload is not None and getattr(upload, "filename", ""):
                uploads[name] = upload.read()
        remove = {name for name in IMAGE_FIELDS if getattr(form, f"remove_{name}").data}
        ok, _row = run_service(form, lambda: save_design(edition_id=edition.id, texts=texts, uploads=uploads,
                                                         remove=remove, by=current_user, now=utcnow()))
        if ok:
            flash(_("Die Gestaltung der Urkunden wurde gespeichert."), "success")
            return redirect(url_for("certificate_design.edit", edition_id=edition.id))
    return render_template("rankings/design.html", edition=edition, form=form, design=design_of(row))
