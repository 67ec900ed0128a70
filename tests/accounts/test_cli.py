from competition.accounts.models import Role, User
from competition.extensions import db


def test_create_admin_from_stdin(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["accounts", "create-admin", "--email", "Chefin@IND.example", "--password-stdin"],
                           input="ein sehr gutes Passwort\n")
    assert result.exit_code == 0, result.output
    assert "chefin@ind.example" in result.output
    user = db.session.scalar(db.select(User).where(User.email == "chefin@ind.example"))
    assert user.roles == {Role.ORGANISER} and user.is_email_verified


def test_create_admin_prompts_for_password(app):
    result = app.test_cli_runner().invoke(
        args=["accounts", "create-admin", "--email", "chef@ind.example"],
        input="ein sehr gutes Passwort\nein sehr gutes Passwort\n",
    )
    assert result.exit_code == 0, result.output
    assert db.session.scalar(db.select(User).where(User.email == "chef@ind.example")) is not None


def test_create_admin_refuses_weak_password(app):
    result = app.test_cli_runner().invoke(
        args=["accounts", "create-admin", "--email", "chef@ind.example", "--password-stdin"], input="kurz\n"
    )
    assert result.exit_code != 0
    assert "mindestens 12 Zeichen" in result.output
    assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 0


def test_create_admin_for_existing_account_needs_its_password(app, make_user):
    make_user(email="anna@firma.example")
    runner = app.test_cli_runner()
    wrong = runner.invoke(args=["accounts", "create-admin", "--email", "anna@firma.example", "--password-stdin"],
                          input="ein anderes Passwort!\n")
    assert wrong.exit_code != 0 and "anderen Passwort" in wrong.output
    right = runner.invoke(args=["accounts", "create-admin", "--email", "anna@firma.example", "--password-stdin"],
                          input="richtig-gutes-Passwort-2026\n")
    assert right.exit_code == 0
    user = db.session.scalar(db.select(User).where(User.email == "anna@firma.example"))
    assert user.roles == {Role.APPLICANT, Role.ORGANISER}
