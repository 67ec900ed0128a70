"""The English catalogue is complete, matches the code, and is actually served.

German strings in the code are the msgids; `make extract-translations` refreshes the catalogue and every new
msgid needs an English msgstr. These tests fail with the list of the offending msgids.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "competition" / "translations"
EN_PO = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po"
POT = TRANSLATIONS / "messages.pot"
PLACEHOLDER = re.compile(r"%\((\w+)\)[a-zA-Z]")
HINT = (
    "run `make extract-translations`, translate the new msgids in the English .po, then `make translations`"
)


def _catalog(path: Path):
    with path.open("rb") as f:
        return read_po(f)


def _forms(value) -> tuple[str, ...]:
    """A message's id or string as a tuple (plural messages have several forms)."""
    return tuple(value) if isinstance(value, list | tuple) else (value,)


def _key(message) -> str:
    return _forms(message.id)[0]


def _messages(catalog):
    return [m for m in catalog if m.id]


def _placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text or ""))


def _report(problem: str, msgids) -> str:
    return f"{len(msgids)} {problem} ({HINT}):\n" + "\n".join(f"  - {msgid!r}" for msgid in sorted(msgids))


@pytest.fixture(scope="module")
def english():
    return _catalog(EN_PO)


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> set[str]:
    """The msgids currently in the code, extracted exactly as `make extract-translations` does."""
    pot = tmp_path_factory.mktemp("i18n") / "extracted.pot"
    pybabel = Path(sys.executable).with_name("pybabel")
    command = [str(pybabel)] if pybabel.exists() else [
        sys.executable, "-c", "import sys; from babel.messages.frontend import main; sys.exit(main())"]
    result = subprocess.run(
        [*command, "extract", "-F", "babel.cfg", "-k", "_l", "-k", "lazy_gettext", "-o", str(pot), "."],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
    )
    assert result.returncode == 0, f"pybabel extract failed:\n{result.stderr}"
    return {_key(m) for m in _messages(_catalog(pot))}


def test_every_english_message_is_translated(english):
    untranslated = [_key(m) for m in _messages(english) if not all(s.strip() for s in _forms(m.string))]
    assert not untranslated, _report("msgid(s) without English translation", untranslated)


def test_no_english_message_is_fuzzy(english):
    # pybabel compile leaves fuzzy entries out of the .mo, so they would show up in German.
    fuzzy = [_key(m) for m in _messages(english) if m.fuzzy]
    assert not fuzzy, _report("fuzzy entries (check them, then remove the `#, fuzzy` flag)", fuzzy)


def test_translations_keep_the_placeholders(english):
    wrong = []
    for message in _messages(english):
        expected = set().union(*(_placeholders(i) for i in _forms(message.id)))
        for translation in _forms(message.string):
            if translation and _placeholders(translation) != expected:
                wrong.append(f"{_key(message)!r} -> {translation!r}")
    assert not wrong, "placeholders differ between msgid and msgstr:\n" + "\n".join(f"  - {w}" for w in wrong)


def test_english_catalog_covers_all_strings_in_the_code(english, extracted):
    missing = extracted - {_key(m) for m in _messages(english)}
    assert not missing, _report("msgid(s) from the code missing in the English catalogue", missing)


def test_message_template_is_up_to_date(extracted):
    missing = extracted - {_key(m) for m in _messages(_catalog(POT))}
    assert not missing, _report("msgid(s) from the code missing in messages.pot", missing)


def test_login_page_is_german_by_default(client):
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="de">' in page
    assert "Passwort vergessen?" in page


def test_login_page_in_english_after_switching_language(client):
    response = client.post("/language", data={"lang": "en", "next": "/login"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/login")

    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="en">' in page
    hint = "English text missing – is the catalogue compiled? Run `make translations`."
    for english_text in ("Log in", "Email address", "Password", "Forgotten your password?", "No account yet?",
                         "Register as a company", "Keep me logged in (14 days)"):
        assert english_text in page, f"{english_text!r} not on the English login page. {hint}"
    for german_text in ("Passwort vergessen?", "Noch kein Konto?", "Als Unternehmen registrieren",
                        "Anmelden"):
        assert german_text not in page, f"{german_text!r} still German on the English login page. {hint}"
