"""The Publikumspreis as an extra award of the results page and PDF (``rankings.extras``)."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import ngettext

from ..rankings import extras
from . import queries
from .results import read_content
from .services import verify_vote


def audience_award(edition_id: int) -> list[extras.ExtraAward]:
    vote = queries.vote_of(edition_id)
    if vote is None or vote.published_at is None or not verify_vote(vote):
        return []
    result = read_content(vote.content)
    summary = ngettext("Entschieden von der Öffentlichkeit: %(num)s bestätigte Stimme gezählt",
                       "Entschieden von der Öffentlichkeit: %(num)s bestätigte Stimmen gezählt", result.counted)
    if result.excluded:
        summary += "; " + ngettext(
            "%(num)s Stimme wurde vom Organisationsteam wegen Manipulationsverdachts ausgeschlossen.",
            "%(num)s Stimmen wurden vom Organisationsteam wegen Manipulationsverdachts ausgeschlossen.",
            result.excluded)
    else:
        summary += "; " + _("keine Stimme wurde ausgeschlossen.")
    winners = tuple(extras.ExtraAwardWinner(w.category, w.number, w.title, w.company,
                                            ngettext("%(num)s Stimme", "%(num)s Stimmen", w.votes))
                    for w in result.winners)
    return [extras.ExtraAward("audience", _("Publikumspreis"), summary, vote.sha256 or "", winners)]


extras.register("audience", audience_award)
