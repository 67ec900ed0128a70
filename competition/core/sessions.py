"""Starting afresh: the signed session cookie is emptied at login, logout and erasure, so nothing of the previous
person's session survives; the chosen language is kept by default, as the visitor chose it, not the account."""

from __future__ import annotations

from flask import session

from .i18n import SESSION_KEY


def reset_session(*, keep_language: bool = True) -> None:
    lang = session.get(SESSION_KEY) if keep_language else None
    session.clear()
    if lang:
        session[SESSION_KEY] = lang
