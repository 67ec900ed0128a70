from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_url, login_user, logout_user

from ..core.clock import utcnow
from ..core.errors import DomainError, InvalidToken
from ..core.i18n import SESSION_KEY
from ..core.outcomes import show_failure
from ..core.permissions import role_required
from ..core.redirects import safe_next
from ..core.sessions import reset_session
from ..extensions import db, limiter, login_manager
from . import mails, queries, services, signals, throttle
from .forms import (
    AcceptInvitationForm,
    ChangeEmailForm,
    ChangePasswordForm,
    ConfirmForm,
    EmailOnlyForm,
    InvitationForm,
    LoginForm,
    RegistrationForm,
    ResetPasswordForm,
)
from .models import Invitation, Role, User

bp = Blueprint("accounts", __name__)



def mail_failed() -> str:
    return _("Die E-Mail konnte gerade nicht versendet werden. Bitte versuchen Sie es in einigen Minuten erneut.")


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    ident, _sep, generation = user_id.partition(":")
    if not ident.isdigit() or not generation.isdigit():
        return None
    user = db.session.get(User, int(ident))
    if user is None or user.session_generation != int(generation) or not user.is_active_account:
        return None
    return user


@login_manager.unauthorized_handler
def unauthorized():
    """Anonymous: to the login page and back. An htmx autosave after the session expired gets a message instead
    of the login page swapped into the form, and what was typed stays on the page."""
    if request.headers.get("HX-Request"):
        return render_template("accounts/_session_expired.html"), 200
    return redirect(login_url(login_manager.login_view, next_url=request.url))


def _failed(response) -> bool:
    """Count only failed attempts (the form shown again), not successful logins."""
    return response.status_code == 200


def _start_session(user: User, *, remember: bool) -> None:
    reset_session(keep_language=True)
    session.permanent = True
    login_user(user, remember=remember)


def home_for(user: User) -> str:
    if user.is_organiser:
        return url_for("admin.dashboard")
    if user.has_role(Role.APPLICANT):
        return url_for("entries.dashboard")
    if user.has_role(Role.JUROR):
        return url_for("judging.dashboard")
    return url_for("editions.home")


@bp.route("/login", methods=["GET", "POST"])
# Failed logins per address (exempt: a browser that just reset this account's password) and per (account,
# address), never per account alone, so nobody can lock another person out (see throttle.py).
@limiter.limit(lambda: current_app.config["RATELIMIT_LOGIN_PER_IP"], methods=["POST"], deduct_when=_failed,
               exempt_when=throttle.holds_reset_pass)
@limiter.limit(lambda: current_app.config["RATELIMIT_LOGIN_PER_ACCOUNT"], key_func=throttle.account_address_key,
               methods=["POST"], deduct_when=_failed, scope="login-account")
def login():
    form = LoginForm()
    if request.method == "GET":
        form.next.data = safe_next(request.args.get("next")) or ""
        if current_user.is_authenticated:
            return redirect(form.next.data or home_for(current_user))
    resend = None
    if form.validate_on_submit():
        try:
            user = services.authenticate(email=form.email.data, password=form.password.data, now=utcnow())
        except services.EmailNotVerified as exc:
            db.session.commit()
            flash(str(exc.message), "warning")
            resend = EmailOnlyForm(formdata=None, email=exc.user.email)
        except DomainError as exc:
            show_failure(exc)
        else:
            db.session.commit()
            _start_session(user, remember=form.remember.data)
            flash(_("Sie sind angemeldet."), "success")
            return redirect(safe_next(form.next.data) or home_for(user))
    form.password.data = ""
    return render_template("accounts/login.html", form=form, resend=resend)


@bp.post("/logout")
@login_required
def logout():
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    services.end_all_sessions(user=current_user)
    db.session.commit()
    logout_user()
    reset_session(keep_language=True)
    flash(_("Sie wurden abgemeldet – auf allen Geräten."), "success")
    return redirect(url_for("accounts.login"))


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_MAIL_PER_IP"], methods=["POST"])
def register():
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = RegistrationForm()
    if form.validate_on_submit():
        try:
            result = services.register_applicant(
                email=form.email.data,
                full_name=form.full_name.data,
                password=form.password.data,
                locale=str(session.get(SESSION_KEY) or "") or None,
                now=utcnow(),
            )
        except DomainError as exc:
            show_failure(exc, form, field="email")
        else:
            if result.new_user is not None:  # the checkbox: consent to the current terms and privacy notice
                signals.account_opened.send(result.new_user, now=utcnow())
            db.session.commit()
            if result.new_user is not None:
                sent = mails.send_verification_mail(result.new_user, services.make_verification_token(result.new_user))
            else:
                sent = mails.send_already_registered_mail(result.existing_user)
            if not sent:
                flash(mail_failed(), "error")
            # The same page either way: whether an address is registered is never revealed.
            return render_template("accounts/check_mail.html", email=queries.normalize_email(form.email.data))
    form.password.data = form.password_repeat.data = ""
    return render_template("accounts/register.html", form=form)


@bp.get("/verify/<token>")
def verify_email(token: str):
    try:
        user = services.verify_email(token=token, now=utcnow())
    except InvalidToken as exc:
        db.session.rollback()
        return render_template("accounts/link_problem.html", message=exc.message, resend=True), 400
    db.session.commit()
    flash(_("Vielen Dank, Ihre E-Mail-Adresse ist bestätigt. Sie können sich jetzt anmelden."), "success")
    if current_user.is_authenticated and current_user.id == user.id:
        return redirect(home_for(user))
    return redirect(url_for("accounts.login"))


@bp.route("/verify/resend", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_MAIL_PER_IP"], methods=["POST"])
def resend_verification():
    form = EmailOnlyForm()
    if form.validate_on_submit():
        user = queries.get_user_by_email(form.email.data)
        if (user is not None and not user.is_email_verified
                and not mails.send_verification_mail(user, services.make_verification_token(user))):
            flash(mail_failed(), "error")
        return render_template("accounts/check_mail.html", email=queries.normalize_email(form.email.data))
    return render_template("accounts/resend.html", form=form)


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_MAIL_PER_IP"], methods=["POST"])
def forgot_password():
    form = EmailOnlyForm()
    if form.validate_on_submit():
        user = queries.get_user_by_email(form.email.data)
        if (user is not None and user.is_active_account
                and not mails.send_reset_mail(user, services.make_reset_token(user))):
            flash(mail_failed(), "error")
        return render_template(
            "accounts/check_mail.html", email=queries.normalize_email(form.email.data), reset=True
        )
    return render_template("accounts/forgot_password.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    try:
        user = services.user_for_reset_token(token)
    except InvalidToken as exc:
        return render_template("accounts/link_problem.html", message=exc.message, reset=True), 400
    form = ResetPasswordForm()
    form.account_email = user.email
    if form.validate_on_submit():
        try:
            services.reset_password(token=token, new_password=form.password.data, now=utcnow())
        except DomainError as exc:
            show_failure(exc, form, field="password")
        else:
            db.session.commit()
            if current_user.is_authenticated:
                logout_user()
            throttle.grant_reset_pass(user)  # this browser may log in even if its address is throttled
            flash(_("Ihr Passwort wurde geändert. Alle anderen Sitzungen wurden beendet. Bitte melden Sie sich "
                    "mit dem neuen Passwort an."), "success")
            return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_password.html", form=form)


@bp.get("/account")
@login_required
def account():
    return render_template(
        "accounts/account.html",
        password_form=ChangePasswordForm(formdata=None),
        email_form=ChangeEmailForm(formdata=None),
    )


@bp.post("/account/password")
@login_required
def change_password():
    form = ChangePasswordForm()
    form.account_email = current_user.email
    if form.validate_on_submit():
        try:
            services.change_password(
                user=current_user,
                current_password=form.current_password.data,
                new_password=form.password.data,
                now=utcnow(),
            )
        except DomainError as exc:
            show_failure(exc, form, field="password")
        else:
            db.session.commit()
            # This session continues with the new generation; every other session has ended.
            _start_session(current_user._get_current_object(), remember=False)
            flash(_("Ihr Passwort wurde geändert. Alle anderen Sitzungen wurden beendet."), "success")
            return redirect(url_for("accounts.account"))
    return render_template(
        "accounts/account.html", password_form=form, email_form=ChangeEmailForm(formdata=None)
    ), 422


@bp.post("/account/email")
@login_required
@limiter.limit(lambda: current_app.config["RATELIMIT_MAIL_PER_IP"])
def change_email():
    form = ChangeEmailForm()
    if form.validate_on_submit():
        try:
            token = services.request_email_change(
                user=current_user, new_email=form.email.data, password=form.password.data
            )
        except DomainError as exc:
            show_failure(exc, form, field="email")
        else:
            db.session.commit()
            if mails.send_email_change_mail(current_user, token):
                flash(_("Wir haben einen Bestätigungslink an %(email)s gesendet. Ihre Adresse ändert sich, sobald "
                        "Sie ihn öffnen.", email=current_user.pending_email), "success")
            else:
                flash(mail_failed(), "error")
            return redirect(url_for("accounts.account"))
    form.password.data = ""
    return render_template(
        "accounts/account.html", password_form=ChangePasswordForm(formdata=None), email_form=form
    ), 422


@bp.get("/account/email/confirm/<token>")
def confirm_email_change(token: str):
    try:
        user, old_email = services.confirm_email_change(token=token, now=utcnow())
    except DomainError as exc:
        db.session.commit()  # keeps the cleared pending address when the new one was taken meanwhile
        return render_template("accounts/link_problem.html", message=exc.message), 400
    db.session.commit()
    if old_email:
        mails.send_email_changed_notice(user, old_email)
    flash(_("Ihre E-Mail-Adresse wurde geändert. Sie melden sich ab jetzt mit %(email)s an.", email=user.email),
          "success")
    return redirect(url_for("accounts.account") if current_user.is_authenticated else url_for("accounts.login"))


@bp.route("/invitation/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    now = utcnow()
    try:
        invitation = services.load_invitation(token=token, now=now)
    except InvalidToken as exc:
        return render_template("accounts/link_problem.html", message=exc.message), 400
    has_account = queries.get_user_by_email(invitation.email) is not None
    form = AcceptInvitationForm() if not has_account else ConfirmForm()
    if not has_account and request.method == "GET" and invitation.full_name:
        form.full_name.data = invitation.full_name
    if form.validate_on_submit():
        try:
            user = services.accept_invitation(
                invitation=invitation,
                current=current_user if current_user.is_authenticated else None,
                full_name=getattr(form, "full_name", None) and form.full_name.data,
                password=getattr(form, "password", None) and form.password.data,
                now=now,
            )
        except DomainError as exc:
            show_failure(exc)
        else:
            if not has_account:  # a new account: the checkbox gave consent to the current texts
                signals.account_opened.send(user, now=now)
            db.session.commit()
            if not current_user.is_authenticated:
                _start_session(user, remember=False)
            flash(_("Willkommen! Die Einladung ist angenommen."), "success")
            return redirect(home_for(user))
    if hasattr(form, "password"):
        form.password.data = form.password_repeat.data = ""
    return render_template(
        "accounts/accept_invitation.html", invitation=invitation, form=form, has_account=has_account
    )


# --- organiser: invitations --------------------------------------------------------------------------------------

@bp.route("/organisation/invitations", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def invitations():
    form = InvitationForm()
    if form.validate_on_submit():
        try:
            invitation, token = services.create_invitation(
                email=form.email.data,
                role=Role(form.role.data),
                full_name=form.full_name.data,
                locale=form.locale.data,
                by=current_user,
                now=utcnow(),
            )
        except DomainError as exc:
            show_failure(exc, form, field="email")
        else:
            db.session.commit()
            if mails.send_invitation_mail(invitation, token):
                flash(_("Die Einladung an %(email)s wurde versendet.", email=invitation.email), "success")
            else:
                flash(_("Die Einladung wurde gespeichert, aber die E-Mail konnte nicht versendet werden. Bitte "
                        "senden Sie sie später erneut."), "error")
            return redirect(url_for("accounts.invitations"))
    rows = db.session.scalars(queries.list_invitations()).all()
    return render_template(
        "accounts/invitations.html", form=form, invitations=rows, now=utcnow(), action_form=ConfirmForm()
    )


def _load_invitation_or_404(invitation_id: int) -> Invitation:
    return db.get_or_404(Invitation, invitation_id)


@bp.post("/organisation/invitations/<int:invitation_id>/revoke")
@role_required(Role.ORGANISER)
def revoke_invitation(invitation_id: int):
    invitation = _load_invitation_or_404(invitation_id)
    if ConfirmForm().validate_on_submit():
        try:
            services.revoke_invitation(invitation=invitation, by=current_user, now=utcnow())
        except DomainError as exc:
            show_failure(exc)
        else:
            db.session.commit()
            flash(_("Die Einladung an %(email)s wurde zurückgezogen.", email=invitation.email), "success")
    return redirect(url_for("accounts.invitations"))


@bp.post("/organisation/invitations/<int:invitation_id>/resend")
@role_required(Role.ORGANISER)
def resend_invitation(invitation_id: int):
    invitation = _load_invitation_or_404(invitation_id)
    if ConfirmForm().validate_on_submit():
        if invitation.status(utcnow()) != "open":
            flash(_("Nur offene Einladungen können erneut gesendet werden. Legen Sie bitte eine neue an."), "error")
        elif mails.send_invitation_mail(invitation, services.invitation_token(invitation)):
            flash(_("Die Einladung an %(email)s wurde erneut versendet.", email=invitation.email), "success")
        else:
            flash(mail_failed(), "error")
    return redirect(url_for("accounts.invitations"))
