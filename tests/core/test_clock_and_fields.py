from datetime import UTC, datetime

import pytest
from werkzeug.datastructures import MultiDict

from competition.core.clock import NonexistentLocalTime, berlin_to_utc, to_berlin
from competition.core.redirects import safe_next


def test_winter_and_summer_time():
    assert berlin_to_utc(datetime(2026, 12, 1, 9, 0)) == datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    assert berlin_to_utc(datetime(2026, 6, 1, 9, 0)) == datetime(2026, 6, 1, 7, 0, tzinfo=UTC)


def test_skipped_hour_in_march_is_refused():
    with pytest.raises(NonexistentLocalTime):
        berlin_to_utc(datetime(2026, 3, 29, 2, 30))


def test_repeated_hour_in_october_takes_summer_time():
    assert berlin_to_utc(datetime(2026, 10, 25, 2, 30)) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


def test_round_trip():
    moment = datetime(2026, 11, 24, 13, 30, tzinfo=UTC)
    assert berlin_to_utc(to_berlin(moment).replace(tzinfo=None)) == moment


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/organisation/", "/organisation/"),
        ("/x?y=1", "/x?y=1"),
        ("//evil.example/", None),
        ("https://evil.example/", None),
        ("/\\evil.example", None),
        ("javascript:alert(1)", None),
        ("relative/path", None),
        ("", None),
        (None, None),
    ],
)
def test_safe_next(target, expected):
    assert safe_next(target) == expected


def test_berlin_field_stores_utc_and_shows_berlin(app):
    from flask_wtf import FlaskForm

    from competition.core.fields import BerlinDateTimeField

    class F(FlaskForm):
        moment = BerlinDateTimeField("Zeit")

    with app.test_request_context():
        form = F(formdata=MultiDict({"moment": "2026-12-01T23:59"}), meta={"csrf": False})
        assert form.validate()
        assert form.moment.data == datetime(2026, 12, 1, 22, 59, tzinfo=UTC)
        shown = F(formdata=None, moment=datetime(2026, 7, 1, 10, 0, tzinfo=UTC), meta={"csrf": False})
        assert shown.moment._value() == "2026-07-01T12:00"
        gap = F(formdata=MultiDict({"moment": "2026-03-29T02:30"}), meta={"csrf": False})
        assert not gap.validate()
        assert "Zeitumstellung" in str(gap.moment.errors[0])


def test_decimal_field_accepts_comma(app):
    from decimal import Decimal

    from flask_wtf import FlaskForm

    from competition.core.fields import DecimalCommaField

    class F(FlaskForm):
        value = DecimalCommaField("Wert")

    with app.test_request_context():
        form = F(formdata=MultiDict({"value": "0,5"}), meta={"csrf": False})
        assert form.validate() and form.value.data == Decimal("0.5")
        bad = F(formdata=MultiDict({"value": "zehn"}), meta={"csrf": False})
        assert not bad.validate() and "Zahl" in str(bad.value.errors[0])
        shown = F(formdata=None, value=Decimal("2.50"), meta={"csrf": False})
        assert shown.value._value() == "2,5"


def test_utc_column_refuses_naive_datetimes(make_edition):
    from sqlalchemy.exc import StatementError

    from competition.extensions import db

    with pytest.raises((ValueError, StatementError)):
        make_edition(registration_opens_at=datetime(2026, 1, 1, 9, 0))
    db.session.rollback()


def test_utc_column_round_trips_aware(make_edition):
    from competition.editions.models import Edition
    from competition.extensions import db

    moment = datetime(2026, 12, 1, 22, 59, tzinfo=UTC)
    edition = make_edition(submission_deadline_at=moment)
    db.session.expire_all()
    loaded = db.session.get(Edition, edition.id)
    assert loaded.submission_deadline_at == moment and loaded.submission_deadline_at.tzinfo is not None
