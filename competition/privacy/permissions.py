"""Who may erase which account (Art. 17). Each check has a twin that says why not."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..accounts.erasure import is_erased
from ..accounts.models import User
from ..accounts.queries import count_other_active_organisers


def why_not_erase(user: User) -> str | None:
    if is_erased(user):
        return str(_l("Dieses Konto wurde bereits gelöscht."))
    if user.is_organiser and count_other_active_organisers(user) == 0:
        return str(_l("Sie sind die letzte Person im Organisationsteam. Bitte laden Sie zuerst eine weitere Person "
                      "in das Organisationsteam ein; danach können Sie Ihr Konto löschen."))
    return None


def can_erase(user: User) -> bool:
    """The account can be erased (by its holder or, on a written request, by an organiser)."""
    return why_not_erase(user) is None


def why_not_erase_other(by: User):
    """None if `by` may erase the account of another person (on a written request), else the reason."""
    if not by.is_organiser:
        return _l("Nur das Organisationsteam kann Konten anderer Personen löschen.")
    return None


def can_erase_other(by: User) -> bool:
    return why_not_erase_other(by) is None
