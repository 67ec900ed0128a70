"""Who may do what with the rankings. Each check says why not (`None`: allowed).

- deciding about a round's ranking (freezing, reopening, deliberation, awards, overrides, publication, extra reviews,
  the snapshot's downloads): the organising team only; a system run (no person, e.g. `flask rankings freeze`) may
  freeze.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

MANAGE_DENIED = _l("Nur das Organisationsteam kann das tun.")


def why_not_manage(user, message=None):
    """Why this person may not decide about rankings (`message` names the action when given)."""
    if user is None or not user.is_organiser:
        return message or MANAGE_DENIED
    return None


def can_manage(user) -> bool:
    return why_not_manage(user) is None


def why_not_freeze(by):
    """Why this person may not freeze a ranking; ``None`` (a system run) may."""
    if by is not None and not by.is_organiser:
        return _l("Nur das Organisationsteam kann Ranglisten einfrieren.")
    return None


def can_freeze(by) -> bool:
    return why_not_freeze(by) is None

