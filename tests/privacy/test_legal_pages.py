"""Imprint, privacy notice and terms: built-in texts, the organiser's editing with preview, versions, links."""

from __future__ import annotations

from flask_babel import refresh

from competition.accounts.models import Role
from competition.core.audit import AuditEvent
from competition.extensions import db
from competition.privacy.models import LegalKind, LegalPage


def test_default_privacy_notice_says_what_the_law_asks(client):
    page = client.get("/datenschutz").get_data(as_text=True)
    assert "<h1>Datenschutzerklärung</h1>" in page
    # Only technically necessary cookies (session, CSRF, language), so no consent banner.
    for text in ("technisch notwendige Cookies", "CSRF", "Sprache", "kein Einwilligungsbanner"):
        assert text in page, text
    for basis in ("Art. 6 Abs. 1 lit. b", "lit. c", "lit. e bzw. f"):
        assert basis in page, basis
    assert "Speicherdauer" in page and "Gelöschte Person" in page  # retention, incl. the kept jury records
    for right in ("Art. 15", "Art. 16", "Art. 17", "Art. 18", "Art. 20", "Art. 21", "Art. 77"):
        assert right in page, right
    assert "Sächsische Datenschutz- und Transparenzbeauftragte" in page
    assert "Fassung 1" in page


def test_default_imprint_marks_what_the_organiser_must_fill_in(client):
    page = client.get("/impressum").get_data(as_text=True)
    assert "<h1>Impressum</h1>" in page and "§ 5" in page
    assert "<strong>[Name des Veranstalters" in page and "[E-Mail-Adresse]" in page
    assert "Fassung" not in page  # the imprint has no version to agree to


def test_footer_and_registration_link_to_the_legal_pages(client):
    for path in ("/", "/register"):
        page = client.get(path).get_data(as_text=True)
        for link in ('href="/impressum"', 'href="/datenschutz"', 'href="/nutzungsbedingungen"'):
            assert link in page, (path, link)
    register = client.get("/register").get_data(as_text=True)
    assert 'id="accept_terms-hint"><a href="/nutzungsbedingungen"' in register
    assert client.get("/nutzungsbedingungen").status_code == 200


def test_organiser_previews_then_saves_a_sanitised_text(client, login_as, organiser):
    login_as(organiser)
    form = client.get("/organisation/legal/imprint").get_data(as_text=True)
    assert "[Name des Veranstalters" in form  # the built-in text to start from
    assert "Wesentliche Änderung" not in form  # nobody agrees to an imprint

    body = ("<h2>Angaben</h2><p>Wirtschaftsförderung Südwestsachsen e. V.<br>Markt 1, 09111 Chemnitz</p>"
            '<script>alert(1)</script><p onclick="x()">Tel. <a href="javascript:alert(1)">0371</a> '
            '<a href="https://example.org">Web</a></p>')
    preview = client.post("/organisation/legal/imprint", data={"locale": "de", "body": body, "action": "preview"})
    text = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "Vorschau (noch nicht gespeichert)" in text
    assert "Markt 1, 09111 Chemnitz" in text and "<script>alert" not in text
    assert db.session.scalar(db.select(LegalPage)) is None

    saved = client.post("/organisation/legal/imprint", data={"locale": "de", "body": body, "action": "save"})
    assert saved.headers["Location"] == "/organisation/legal/imprint?locale=de"
    stored = db.session.scalar(db.select(LegalPage))
    assert stored.kind is LegalKind.IMPRINT and stored.updated_by_id == organiser.id
    assert stored.body == body  # kept as typed; sanitised every time it is shown
    public = client.get("/impressum").get_data(as_text=True)
    shown = public.split('<article class="legal-page">', 1)[1].split("</article>", 1)[0]
    assert "script" not in shown and "onclick" not in shown and "javascript:" not in shown
    assert "Wirtschaftsförderung Südwestsachsen e. V." in public and "[Name des Veranstalters" not in public
    assert '<a href="https://example.org" rel="noopener noreferrer">Web</a>' in public
    assert "Text bearbeiten" in public


def test_legal_texts_are_written_in_markdown_and_shown_sanitised(client, login_as, organiser):
    login_as(organiser)
    form = client.get("/organisation/legal/privacy").get_data(as_text=True)
    assert "## 1. Verantwortlicher" in form and "&lt;h2&gt;" not in form and "<h2>1." not in form  # Markdown
    body = ("# Impressum\n\nWirtschaftsförderung **Südwestsachsen** e. V.\n\n- Markt 1\n- 09111 Chemnitz\n\n"
            "[Web](https://example.org) [böse](javascript:alert(1)) <img src=x onerror=alert(1)>\n")
    preview = client.post("/organisation/legal/imprint", data={"locale": "de", "body": body, "action": "preview"})
    text = preview.get_data(as_text=True)
    assert "<h2>Impressum</h2>" in text and "<strong>Südwestsachsen</strong>" in text and "<li>Markt 1</li>" in text
    assert 'href="javascript:' not in text  # left as harmless text, never a link
    assert "onerror" not in text.split('id="vorschau"', 1)[1] and "<img" not in text.split('id="vorschau"', 1)[1]
    client.post("/organisation/legal/imprint", data={"locale": "de", "body": body, "action": "save"})
    edit = client.get("/organisation/legal/imprint?locale=de").get_data(as_text=True)
    assert "# Impressum" in edit and "**Südwestsachsen**" in edit  # the organiser edits the Markdown again
    public = client.get("/impressum").get_data(as_text=True)
    assert '<a href="https://example.org" rel="noopener noreferrer">Web</a>' in public
    assert "<h2>Impressum</h2>" in public


def test_an_empty_text_is_refused_with_a_message(client, login_as, organiser):
    login_as(organiser)
    response = client.post("/organisation/legal/terms", data={"locale": "de", "body": "<script></script>",
                                                              "action": "save"})
    assert response.status_code == 422 and "Bitte geben Sie einen Text ein." in response.get_data(as_text=True)
    assert db.session.scalar(db.select(LegalPage)) is None


def test_english_readers_get_the_english_text_or_the_german_one(client, login_as, organiser):
    login_as(organiser)
    client.post("/organisation/legal/terms", data={"locale": "de", "body": "<p>Deutsche Bedingungen</p>"})
    client.post("/language", data={"lang": "en", "next": "/"})
    refresh()  # the tests' outer app context would otherwise keep the locale Flask-Babel cached
    page = client.get("/nutzungsbedingungen").get_data(as_text=True)
    assert "Deutsche Bedingungen" in page and '<article class="legal-page" lang="de">' in page
    client.post("/organisation/legal/terms", data={"locale": "en", "body": "<p>English terms</p>"})
    page = client.get("/nutzungsbedingungen").get_data(as_text=True)
    assert "English terms" in page and "Deutsche Bedingungen" not in page
    client.post("/language", data={"lang": "de", "next": "/"})
    refresh()
    assert "Deutsche Bedingungen" in client.get("/nutzungsbedingungen").get_data(as_text=True)


def test_a_material_change_raises_the_version_in_every_language(client, login_as, organiser):
    login_as(organiser)
    client.post("/organisation/legal/privacy", data={"locale": "en", "body": "<p>Privacy v1</p>"})
    client.post("/organisation/legal/privacy", data={"locale": "de", "body": "<p>Datenschutz neu</p>"})
    assert {p.version for p in db.session.scalars(db.select(LegalPage))} == {"1"}  # a correction: no new version
    response = client.post("/organisation/legal/privacy", data={"locale": "de", "body": "<p>Datenschutz 2</p>",
                                                                "bump_version": "y"}, follow_redirects=True)
    assert "Gespeichert als Fassung 2" in response.get_data(as_text=True)
    db.session.expire_all()
    assert {p.locale: p.version for p in db.session.scalars(db.select(LegalPage))} == {"de": "2", "en": "2"}
    assert "Fassung 2" in client.get("/datenschutz").get_data(as_text=True)
    event = db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == "legal_page.saved")
                               .order_by(AuditEvent.id.desc())).first()
    assert event.actor_id == organiser.id and event.data["version"] == "2" and event.data["new_version"] is True


def test_only_organisers_edit(client, login_as, make_user):
    login_as(make_user(roles=(Role.JUROR,)))
    assert client.post("/organisation/legal/privacy", data={"locale": "de", "body": "<p>x</p>"}).status_code == 403
    assert db.session.scalar(db.select(LegalPage)) is None
