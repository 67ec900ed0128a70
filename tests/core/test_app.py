"""Cross-cutting behaviour: health check, security headers, CSRF, error pages, configuration safety."""

from __future__ import annotations

import pytest

from competition import create_app
from config import DEV_SECRET_KEY, ProductionConfig


def test_healthz_reports_database_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok", "redis": "disabled", "storage": "ok"}


def test_healthz_reports_unreachable_database_with_503(make_app):
    broken = make_app(SQLALCHEMY_DATABASE_URI="postgresql+psycopg://nobody@127.0.0.1:1/none",
                      SQLALCHEMY_ENGINE_OPTIONS={"connect_args": {"connect_timeout": 2}})
    response = broken.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unreachable"


def test_security_headers_on_pages(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cache-Control"] == "no-store"


def test_pages_load_nothing_from_third_parties(client):
    page = client.get("/login").get_data(as_text=True)
    assert "http://" not in page.replace("http://localhost", "") and "https://" not in page
    assert "/static/vendor/pico/pico.min.css" in page and "/static/vendor/htmx/htmx.min.js" in page
    assert client.get("/static/vendor/htmx/htmx.min.js").status_code == 200


def test_csrf_is_on_outside_the_test_configuration(make_app, make_user):
    user = make_user(email="anna@firma.example")
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    response = client.post("/login", data={"email": user.email, "password": "richtig-gutes-Passwort-2026"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Das Formular ist abgelaufen" in page and "Traceback" not in page
    # With the token from the form the same login works.
    form_page = client.get("/login").get_data(as_text=True)
    token = form_page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    ok = client.post("/login", data={"email": user.email, "password": "richtig-gutes-Passwort-2026",
                                      "csrf_token": token})
    assert ok.status_code == 302


def test_default_config_has_csrf_and_safe_cookies():
    from config import Config, DevelopmentConfig

    assert Config.WTF_CSRF_ENABLED is True and DevelopmentConfig.WTF_CSRF_ENABLED is True
    assert Config.SESSION_COOKIE_HTTPONLY and Config.SESSION_COOKIE_SAMESITE == "Lax"
    assert Config.SESSION_COOKIE_SECURE is True  # only development turns it off
    assert Config.MAX_CONTENT_LENGTH and Config.WTF_CSRF_TIME_LIMIT >= 8 * 3600


def test_session_cookie_flags(client, make_user):
    user = make_user()
    response = client.post("/login", data={"email": user.email, "password": "richtig-gutes-Passwort-2026"})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


@pytest.mark.parametrize("key", [DEV_SECRET_KEY, "", "short"])
def test_production_refuses_to_start_without_real_secret_key(key):
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        ProductionConfig.validate({"SECRET_KEY": key, "SQLALCHEMY_DATABASE_URI": "sqlite://"})


def test_production_starts_with_real_secret_key(monkeypatch):
    monkeypatch.setenv("COMPETITION_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "x" * 48)
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    monkeypatch.setenv("BASE_URL", "https://wettbewerb.example")
    import importlib

    import config

    importlib.reload(config)
    try:
        app = create_app()
        assert app.config["SESSION_COOKIE_SECURE"] is True
        assert app.config["WTF_CSRF_ENABLED"] is True
    finally:
        monkeypatch.undo()
        importlib.reload(config)


def test_production_refuses_default_key_through_create_app(monkeypatch):
    monkeypatch.setenv("COMPETITION_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    import importlib

    import config

    importlib.reload(config)
    try:
        with pytest.raises(RuntimeError, match="SECRET_KEY"):
            create_app()
    finally:
        monkeypatch.undo()
        importlib.reload(config)


def test_404_page_in_german_without_internals(client):
    response = client.get("/gibt-es-nicht")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "Seite nicht gefunden" in page and "Zur Startseite" in page
    assert "werkzeug" not in page.lower()


def test_error_pages_follow_the_language(client):
    client.post("/language", data={"lang": "en"})
    page = client.get("/gibt-es-nicht").get_data(as_text=True)
    assert '<html lang="en">' in page


def test_403_for_signed_in_user_without_role(client, login_as, make_user):
    login_as(make_user())
    response = client.get("/organisation/")
    assert response.status_code == 403
    assert "Kein Zugriff" in response.get_data(as_text=True)


def test_413_for_too_large_request(make_app):
    small = make_app(MAX_CONTENT_LENGTH=1024)
    response = small.test_client().post("/login", data={"email": "a@b.example", "password": "x" * 5000})
    assert response.status_code == 413
    assert "zu groß" in response.get_data(as_text=True)


def test_500_page_hides_the_exception(make_app):
    app = make_app(PROPAGATE_EXCEPTIONS=False)

    @app.get("/_boom")
    def boom():
        raise RuntimeError("secret internal detail")

    response = app.test_client().get("/_boom")
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "unerwarteter Fehler" in page
    assert "secret internal detail" not in page and "Traceback" not in page


def test_405_page(client):
    response = client.get("/logout")
    assert response.status_code == 405
    assert "Aktion nicht möglich" in response.get_data(as_text=True)


def test_language_switch_only_redirects_locally(client):
    response = client.post("/language", data={"lang": "en", "next": "https://evil.example/"})
    assert response.headers["Location"] == "/"
    response = client.post("/language", data={"lang": "de", "next": "/login?x=1"})
    assert response.headers["Location"] == "/login?x=1"


def test_language_switch_is_remembered_for_signed_in_users(client, login_as, make_user):
    from competition.extensions import db

    user = make_user()
    login_as(user)
    client.post("/language", data={"lang": "en"})
    db.session.refresh(user)
    assert user.locale == "en"
