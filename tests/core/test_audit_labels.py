"""Every action key the code records has a German label; details read as German, never as JSON."""

from __future__ import annotations

import re
from pathlib import Path

from competition.core.audit_labels import ACTION_LABELS, DETAIL_LABELS, action_label, detail_lines, format_value
from competition.judging.models import ConflictSource

PACKAGE = Path(__file__).resolve().parents[2] / "competition"
LITERAL = re.compile(r"""action=["']([a-z_]+\.[a-z_.]+)["']""")
CONFLICT_FSTRING = 'action=f"conflict.{source.value}"'


def _recorded_actions() -> set[str]:
    found: set[str] = set()
    for path in PACKAGE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        found.update(LITERAL.findall(text))
        if CONFLICT_FSTRING in text:
            found.update(f"conflict.{source.value}" for source in ConflictSource)
        assert "action=f\"" not in text.replace(CONFLICT_FSTRING, ""), f"{path}: an unknown f-string action key"
    return found


def test_every_recorded_action_has_a_german_label(app):
    actions = _recorded_actions()
    assert len(actions) > 40  # the scan finds the keys (guards against a regex that matches nothing)
    missing = sorted(actions - ACTION_LABELS.keys())
    assert not missing, f"audit actions without a label in core/audit_labels.py: {missing}"


def test_an_unknown_key_is_never_shown_raw(app):
    with app.test_request_context():
        assert action_label("x.secret_internal") == "Sonstige Aktion"


def test_details_use_german_labels_and_decimal_commas(app):
    with app.test_request_context():
        lines = detail_lines({"total": "6.67", "eligible": True, "reason": "Passt nicht", "mystery": 1})
        assert [(line.label, line.value) for line in lines] == [
            ("Gesamtpunktzahl", "6,67"), ("zugelassen", "Ja"), ("Begründung", "Passt nicht"),
            ("weitere Angabe", "1")]
        assert format_value({"old": None, "new": "jury"}) == "bisher: –; neu: Jurybewertung"
        assert format_value("a" * 64, key="sha256") == "a" * 12 + "…"
        assert all(str(label) and "_" not in str(label) for label in DETAIL_LABELS.values())
