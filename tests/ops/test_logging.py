"""Structured logs: one JSON object per line with request id and user id; no passwords, tokens or cookies."""

from __future__ import annotations

import io
import json
import logging

import pytest

from competition.ops.logging import JsonFormatter, redact, request_id_from
from tests.conftest import PASSWORD, login


@pytest.fixture
def json_log(make_app):
    """An app logging JSON lines; the lines are captured from the root handler it installs."""
    root = logging.getLogger()
    level = root.level
    app = make_app(LOG_FORMAT="json")
    handler = next(h for h in root.handlers if getattr(h, "_competition_log_handler", False))
    stream = io.StringIO()
    handler.setStream(stream)

    def lines() -> list[dict]:
        return [json.loads(line) for line in stream.getvalue().splitlines()]

    yield app, lines, stream
    root.removeHandler(handler)
    root.setLevel(level)


def test_each_request_writes_one_json_line_with_its_id(json_log):
    app, lines, _stream = json_log
    client = app.test_client()
    response = client.get("/login", headers={"X-Request-ID": "proxy-1234abcd"})
    assert response.headers["X-Request-ID"] == "proxy-1234abcd"
    access = [line for line in lines() if line["logger"] == "competition.request"]
    assert len(access) == 1
    line = access[0]
    assert set(line) >= {"time", "level", "logger", "message", "request_id", "user_id", "method", "path", "status",
                         "duration_ms"}
    assert line["request_id"] == "proxy-1234abcd" and line["method"] == "GET" and line["path"] == "/login"
    assert line["status"] == 200 and line["level"] == "INFO" and line["user_id"] is None
    assert isinstance(line["duration_ms"], float) and line["time"].endswith("+00:00")


def test_a_bad_request_id_is_replaced_by_a_fresh_one(json_log):
    app, lines, _stream = json_log
    client = app.test_client()
    for bad in ("", "mit Leerzeichen", "x" * 200, 'evil"}{"level":"ERROR"}'):
        response = client.get("/login", headers={"X-Request-ID": bad})
        generated = response.headers["X-Request-ID"]
        assert generated != bad and len(generated) == 32 and int(generated, 16) >= 0
    first, second = client.get("/login"), client.get("/login")
    assert first.headers["X-Request-ID"] != second.headers["X-Request-ID"]
    assert all(isinstance(line, dict) for line in lines())  # every line is still one JSON object


def test_user_id_is_logged_and_no_password_token_or_cookie(json_log, make_user):
    app, lines, stream = json_log
    user = make_user(email="lea.lang@firma.example")
    client = app.test_client()
    assert login(client, user.email, PASSWORD).status_code == 302
    client.get("/verify/geheimes-token-123456?token=noch-ein-token-987&next=/")
    client.get("/password/reset/reset-token-abcdef")
    client.get("/")
    text = stream.getvalue()
    assert PASSWORD not in text
    for secret in ("geheimes-token-123456", "noch-ein-token-987", "reset-token-abcdef", "ind_session"):
        assert secret not in text, secret
    paths = [line["path"] for line in lines() if line["logger"] == "competition.request"]
    assert "/verify/[redacted]" in paths and "/password/reset/[redacted]" in paths
    assert any(line["user_id"] == user.id for line in lines() if line["path"] == "/")


def test_a_request_that_commits_logs_its_user_without_reading_the_user_again(json_log, make_user):
    """After a commit the user's attributes are expired: the access log line takes the id from the session's
    identity key, not from a fresh SELECT of the user (one query less on every saving request)."""
    from sqlalchemy import event

    from competition.extensions import db

    app, lines, _stream = json_log
    user = make_user(email="nico.neu@firma.example")
    user_reads: list[str] = []

    @app.post("/_commit_probe")
    def commit_probe():
        from flask_login import current_user

        assert current_user.is_authenticated
        db.session.commit()  # expires the loaded user
        event.listen(db.engine, "before_cursor_execute", watch)
        return "ok"

    def watch(conn, cursor, statement, parameters, context, executemany):
        if "FROM users" in statement:
            user_reads.append(statement)

    client = app.test_client()
    assert login(client, user.email, PASSWORD).status_code == 302
    app.config["WTF_CSRF_ENABLED"] = False
    try:
        assert client.post("/_commit_probe").status_code == 200
    finally:
        with app.app_context():
            event.remove(db.engine, "before_cursor_execute", watch)
    line = next(line for line in lines() if line.get("path") == "/_commit_probe")
    assert line["user_id"] == user.id
    assert user_reads == []


def test_log_records_inside_a_request_carry_its_id(json_log):
    app, lines, _stream = json_log

    @app.get("/_log_probe")
    def probe():
        logging.getLogger("competition.test").warning("Prüfung mit password=hunter2 und api_key=abc")
        return "ok"

    app.test_client().get("/_log_probe", headers={"X-Request-ID": "req-42"})
    line = next(line for line in lines() if line["logger"] == "competition.test")
    assert line["request_id"] == "req-42" and line["level"] == "WARNING"
    assert "hunter2" not in line["message"] and "abc" not in line["message"].split("api_key=")[1]


def test_redaction_and_request_ids_directly():
    assert redact("GET /x?token=abc&page=2 password=geheim session=s1") == (
        "GET /x?token=[redacted]&page=2 password=[redacted] session=[redacted]")
    assert request_id_from("abc-123") == "abc-123"
    assert request_id_from("a b") != "a b"
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "Fehler: %s", ("csrf_token=zzz",), None)
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "Fehler: csrf_token=[redacted]" and line["request_id"] is None


def test_text_logs_in_development_and_json_in_production(monkeypatch):
    import importlib

    import config

    monkeypatch.delenv("LOG_FORMAT", raising=False)
    reloaded = importlib.reload(config)
    try:
        assert reloaded.ProductionConfig.LOG_FORMAT == "json"
        assert reloaded.DevelopmentConfig.LOG_FORMAT == "text" and reloaded.TestingConfig.LOG_FORMAT == "text"
    finally:
        importlib.reload(config)
