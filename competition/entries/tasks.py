"""The submission receipt as a background job: the PDF is rendered and mailed after the submit is stored, so a
deadline rush is not slowed down by WeasyPrint, and a mail server that is down is retried (then reported in the
job list) while the submit itself has already succeeded. The receipt PDF can always be downloaded on the entry's
page as well."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..accounts.models import User
from ..extensions import db
from ..jobs import RetryLater, task
from .models import EntryVersion


@task("entries.receipt", label=_l("Eingangsbestätigung per E-Mail"))
def send_receipt(ctx, *, version_id: int, user_id: int) -> None:
    from .mails import send_receipt_mail
    from .receipts import receipt_data_from_snapshot, render_receipt_pdf

    version = db.session.get(EntryVersion, version_id)
    user = db.session.get(User, user_id)
    if version is None or user is None:
        ctx.set_message(str(_l("Der Beitrag oder das Konto gibt es nicht mehr; keine Bestätigung versendet.")))
        return
    data = receipt_data_from_snapshot(version.content, edition_name=version.entry.edition.name)
    pdf = render_receipt_pdf(data, lang=user.locale or "de")
    if not send_receipt_mail(to=user.email, locale=user.locale, data=data, pdf=pdf):
        raise RetryLater(str(_l("Der Mailserver war nicht erreichbar.")))
