from hypothesis import given
from hypothesis import strategies as st

from competition.accounts.passwords import (
    PasswordProblem,
    common_passwords,
    hash_password,
    password_problems,
    verify_password,
)


def test_short_passwords_are_refused():
    assert PasswordProblem.TOO_SHORT in password_problems("kurz-11-zei")
    assert password_problems("zwölf Zeichen") == []


def test_common_passwords_are_refused_case_insensitively():
    assert "passwort1234" in common_passwords()
    assert PasswordProblem.COMMON in password_problems("Passwort1234")
    assert PasswordProblem.COMMON in password_problems("aaaaaaaaaaaaaaaa")


def test_no_composition_rules():
    assert password_problems("nur kleine buchstaben hier") == []


def test_email_as_password_is_refused():
    assert PasswordProblem.CONTAINS_EMAIL in password_problems("anna.schmidt@firma.de", email="anna.schmidt@firma.de")


def test_hash_is_argon2id_and_verifies(app):
    hashed = hash_password("ein langes Passwort")
    assert hashed.startswith("$argon2id$")
    assert verify_password(hashed, "ein langes Passwort")
    assert not verify_password(hashed, "ein anderes Passwort")
    assert not verify_password(None, "ein langes Passwort")
    assert not verify_password("kein-hash", "ein langes Passwort")


@given(st.text(min_size=12, max_size=40).filter(lambda s: len(set(s.lower())) > 2))
def test_any_long_uncommon_password_passes(password):
    problems = password_problems(password)
    assert PasswordProblem.TOO_SHORT not in problems
    assert problems in ([], [PasswordProblem.COMMON])
