"""The Teilnahmebedingungen: organisers publish versions; anyone can read every version (companies open the one
they agreed to from their entry)."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from markupsafe import Markup
from sqlalchemy import select
from wtforms import TextAreaField

from ..accounts.models import Role
from ..core.clock import utcnow
from ..core.markdown import render_markdown
from ..core.outcomes import run_service
from ..core.permissions import role_required
from ..extensions import db
from .conditions import all_versions, publish_conditions
from .models import Edition, ParticipationConditions

bp = Blueprint("conditions", __name__)


class ConditionsForm(FlaskForm):
    body = TextAreaField(_l("Text der Teilnahmebedingungen (Markdown)"), render_kw={"rows": 18}, description=_l(
        "Eine Leerzeile trennt Absätze; „## Überschrift“; „- “ für Listen; **fett**. Oder laden Sie stattdessen "
        "eine PDF-Datei hoch."))
    pdf = FileField(_l("Oder: Teilnahmebedingungen als PDF-Datei"))


@bp.route("/organisation/editions/<int:edition_id>/conditions", methods=["GET", "POST"], endpoint="edit")
@role_required(Role.ORGANISER)
def edit(edition_id: int):
    edition = db.get_or_404(Edition, edition_id)
    versions = all_versions(edition.id)
    form = ConditionsForm()
    if request.method == "GET" and versions and not versions[0].pdf:
        form.body.data = versions[0].body
    preview = None
    if form.validate_on_submit():
        upload = form.pdf.data
        pdf = upload.read() if upload is not None and getattr(upload, "filename", "") else None
        if request.form.get("action") == "preview":
            preview = Markup(render_markdown(form.body.data))  # noqa: S704  # nosec B704  # sanitised by nh3
        else:
            ok, row = run_service(form, lambda: publish_conditions(
                edition=edition, body=form.body.data or "", pdf=pdf, pdf_name=getattr(upload, "filename", "") or "",
                by=current_user, now=utcnow()))
            if ok:
                flash(_("Die Teilnahmebedingungen wurden als Fassung %(version)s veröffentlicht. Neue Einreichungen "
                        "stimmen dieser Fassung zu.", version=row.version), "success")
                return redirect(url_for("conditions.edit", edition_id=edition.id))
    return render_template("editions/conditions_edit.html", edition=edition, form=form, versions=versions,
                           preview=preview)


@bp.get("/ausschreibungen/<int:edition_id>/teilnahmebedingungen/<int:version>", endpoint="show")
def show(edition_id: int, version: int):
    edition = db.get_or_404(Edition, edition_id)
    row = db.session.scalar(select(ParticipationConditions).where(
        ParticipationConditions.edition_id == edition.id, ParticipationConditions.version == version))
    if row is None:
        abort(404)
    if row.pdf:
        return Response(row.pdf, mimetype="application/pdf", headers={
            "Content-Disposition": f'inline; filename="teilnahmebedingungen-{edition.slug}-fassung-{row.version}.pdf"'})
    current = all_versions(edition.id)[0]
    return render_template("editions/conditions_show.html", edition=edition, row=row, current=current,
                           body=Markup(render_markdown(row.body)))  # noqa: S704  # nosec B704  # sanitised by nh3
