"""The translations remembered per context follow every change of language: force_locale (mails in the
recipient's language) in both directions, and refresh after a switch of the session's language."""

from __future__ import annotations

from flask import session
from flask_babel import force_locale, gettext, refresh

from competition.core.i18n import RequestDomain

GERMAN = "früher angelegter Beitrag (letzte Stufe)"
ENGLISH = "entry created earlier (last resort)"


def test_forced_languages_are_not_served_from_the_remembered_translations(app):
    assert isinstance(app.extensions["babel"].instance.domain_instance, RequestDomain)
    with app.test_request_context("/", headers={"Accept-Language": "de"}):
        assert gettext(GERMAN) == GERMAN
        with force_locale("en"):
            assert gettext(GERMAN) == ENGLISH
        assert gettext(GERMAN) == GERMAN  # back to the request's language


def test_a_switch_within_the_request_takes_effect_after_refresh(app):
    with app.test_request_context("/", headers={"Accept-Language": "de"}):
        assert gettext(GERMAN) == GERMAN
        session["lang"] = "en"
        refresh()
        assert gettext(GERMAN) == ENGLISH
        with force_locale("de"):
            assert gettext(GERMAN) == GERMAN
        assert gettext(GERMAN) == ENGLISH
