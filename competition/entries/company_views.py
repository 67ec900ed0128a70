"""Company-facing pages of the company itself: its profile, inviting colleagues, joining. Routes on views.bp."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..accounts.forms import ConfirmForm
from ..core import tokens
from ..core.clock import utcnow
from ..core.outcomes import run_service
from ..extensions import db
from . import company_services, mails, permissions
from .forms import CompanyForm, InviteColleagueForm
from .models import CompanyInvite, District, TurnoverBand
from .views import bp


@bp.route("/company", methods=["GET", "POST"])
@login_required
def company_profile():
    company = permissions.company_of(current_user)
    form = CompanyForm(obj=company)
    if request.method == "GET":
        if company is None:
            form.contact_name.data = current_user.full_name
            form.contact_email.data = current_user.email
        else:
            form.district.data = company.district.value
            form.turnover_band.data = company.turnover_band.value
    if form.validate_on_submit():
        data = {name: getattr(form, name).data for name in company_services.COMPANY_FIELDS}
        data["district"] = District(data["district"])
        data["turnover_band"] = TurnoverBand(data["turnover_band"])
        if company is None:
            ok, created = run_service(form, lambda: company_services.create_company(data=data, by=current_user,
                                                                                    now=utcnow()))
            message = _("Ihr Unternehmensprofil ist angelegt. Jetzt können Sie einen Beitrag anlegen.")
            if ok:
                mails.tell_organisers_juror_joined(user=current_user, company=created, now=utcnow())
        else:
            ok, _result = run_service(form, lambda: company_services.update_company(company=company, data=data,
                                                                            by=current_user, now=utcnow()))
            message = _("Das Unternehmensprofil wurde gespeichert. Bereits eingereichte Beiträge behalten die Angaben "
                        "vom Zeitpunkt der Einreichung.")
        if ok:
            flash(message, "success")
            return redirect(url_for("entries.dashboard"))
    return render_template("entries/company.html", form=form, company=company,
                           invite_form=InviteColleagueForm(formdata=None))


@bp.post("/company/colleagues")
@login_required
def invite_colleague():
    company = permissions.company_of(current_user)
    if company is None:
        abort(403)
    form = InviteColleagueForm()
    if form.validate_on_submit():
        ok, invite = run_service(form, lambda: company_services.invite_colleague(company=company, email=form.email.data,
                                                                         by=current_user, now=utcnow()))
        if ok:
            token = tokens.make_token("company-invite", {"i": invite.id, "e": invite.email})
            sent = mails.send_company_invite(to=invite.email, locale=current_user.locale, company=company,
                                             inviter=current_user, token=token)
            if sent:
                flash(_("Die Einladung an %(email)s wurde versendet.", email=invite.email), "success")
            else:
                flash(_("Die Einladung ist gespeichert, die E-Mail konnte aber nicht versendet werden. Bitte "
                        "versuchen Sie es später erneut."), "error")
            return redirect(url_for("entries.company_profile"))
    return render_template("entries/company.html", form=CompanyForm(obj=company), company=company,
                           invite_form=form), 422


@bp.route("/company/join/<token>", methods=["GET", "POST"])
@login_required
def join_company(token: str):
    try:
        data = tokens.read_token("company-invite", token, max_age=14 * 24 * 3600)
    except (tokens.TokenExpired, tokens.TokenInvalid):
        data = {}
    invite = db.session.get(CompanyInvite, data.get("i")) if data else None
    if invite is None or invite.email != data.get("e"):
        return render_template("accounts/link_problem.html",
                               message=_("Diese Einladung ist ungültig oder abgelaufen. Bitte lassen Sie sich "
                                         "erneut einladen.")), 400
    form = ConfirmForm()
    if form.validate_on_submit():
        ok, _result = run_service(form, lambda: company_services.accept_colleague_invite(
            invite=invite, user=current_user, now=utcnow()))
        if ok:
            mails.tell_organisers_juror_joined(user=current_user, company=invite.company, now=utcnow())
            flash(_("Sie gehören jetzt zu %(name)s.", name=invite.company.legal_name), "success")
            return redirect(url_for("entries.dashboard"))
    return render_template("entries/join.html", invite=invite, form=form)
