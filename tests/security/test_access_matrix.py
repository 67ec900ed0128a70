"""Who gets in where: every rule of the URL map, with GET and with POST, for every kind of user, with CSRF on.

One table row per URL rule (`MATRIX`), saying which roles may use it with GET and with POST (`None`: the method is
not offered, everybody gets 405). Everybody else must be refused: 403 or 404 when signed in, the login page (or a
404) for anonymous visitors; "in" means 2xx, a redirect elsewhere than the login page, or 400/409/422 for the empty
form (past the permission check). A new rule fails `test_every_rule_is_in_the_matrix` until its row is written;
`ACCESS_MATRIX_VERBOSE=1 pytest -s` prints every request with its outcome.

POSTs carry a real CSRF token fetched from a page, as a browser would send it, so a refused POST is refused for
permission reasons and not by the CSRF check (which is proven on separately below). Every answer to a role that may
not see them is checked for the entry's title, the company's name and the scores (see world.MAY_SEE).

Routes that delete what they name get spare objects (`params`), so the rest of the walk still has its world; each
role walks a world of its own.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

import pytest
from sqlalchemy import func, select

from competition.core.audit import AuditEvent
from competition.extensions import db
from tests.conftest import PASSWORD
from tests.security.world import MAY_SEE, SECRETS, build_world

ROLES = ["anonymous", "owner", "other_applicant", "juror_unassigned", "juror_assigned", "juror_conflicted",
         "organiser"]
EVERYONE = frozenset(ROLES)
SIGNED_IN = EVERYONE - {"anonymous"}
ORGANISER = frozenset({"organiser"})
OWNER = frozenset({"owner"})
OWNER_AND_ORGANISER = frozenset({"owner", "organiser"})
APPLICANTS = frozenset({"owner", "other_applicant"})
JURORS = frozenset({"juror_unassigned", "juror_assigned", "juror_conflicted"})
ASSIGNED = frozenset({"juror_assigned"})
NOBODY: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Row:
    get: frozenset[str] | None = None  # roles let in with GET; None: GET is not offered (405 for everybody)
    post: frozenset[str] | None = None
    params: dict[str, str] = field(default_factory=dict)  # URL placeholder → key in world.ids (default: same name)
    post_params: dict[str, str] = field(default_factory=dict)  # the same, for the POST only (spare objects)
    data: dict[str, str] = field(default_factory=dict)  # POST form field → key in world.ids
    last: bool = False  # POST changes the world for the rest of the walk: done at the end (logout the very last)
    login_is_answer: bool = False  # a redirect to the login page is the normal answer (verified, signed out)
    bearer: bool = False  # a signed link: whoever holds it may see what it names (the inviting company)


def R(get=None, post=None, **kwargs) -> Row:
    return Row(get=get, post=post, **kwargs)


ORG = R(get=ORGANISER)
ORG_POST = R(post=ORGANISER)
ORG_BOTH = R(get=ORGANISER, post=ORGANISER)

MATRIX: dict[str, Row] = {
    # public pages and the account
    "/": R(get=EVERYONE),
    "/healthz": R(get=EVERYONE),
    "/language": R(post=EVERYONE),
    "/login": R(get=EVERYONE, post=EVERYONE),  # signed in: on to the dashboard
    "/register": R(get=EVERYONE, post=EVERYONE),
    "/logout": R(post=SIGNED_IN, last=True, login_is_answer=True),
    "/password/forgot": R(get=EVERYONE, post=EVERYONE),
    "/password/reset/<token>": R(get=EVERYONE, post=EVERYONE, params={"token": "reset_token"}),
    "/verify/<token>": R(get=EVERYONE, params={"token": "verify_token"}, login_is_answer=True),
    "/verify/resend": R(get=EVERYONE, post=EVERYONE),
    "/invitation/<token>": R(get=EVERYONE, post=EVERYONE, params={"token": "invitation_token"}),
    "/account": R(get=SIGNED_IN),
    "/account/email": R(post=SIGNED_IN),
    "/account/email/confirm/<token>": R(get=EVERYONE, params={"token": "email_token"}),
    "/account/password": R(post=SIGNED_IN),
    # applicants: company and entries
    "/dashboard": R(get=SIGNED_IN),
    "/company": R(get=SIGNED_IN, post=SIGNED_IN),
    "/company/colleagues": R(post=APPLICANTS),  # members of a company
    "/company/join/<token>": R(get=SIGNED_IN, post=SIGNED_IN, params={"token": "company_invite_token"}, bearer=True),
    "/entries/new": R(post=SIGNED_IN),
    "/entries/<entry_id>": R(get=OWNER_AND_ORGANISER),
    "/entries/<entry_id>/edit": R(get=OWNER, post=OWNER),
    "/entries/<entry_id>/autosave": R(post=OWNER),
    "/entries/<entry_id>/submit": R(get=OWNER, post=OWNER),
    "/entries/<entry_id>/withdraw": R(get=OWNER, post=OWNER, last=True),
    "/entries/<entry_id>/versions/<number>/receipt.pdf": R(get=OWNER_AND_ORGANISER),
    "/entries/<entry_id>/attachments": R(post=OWNER),
    "/attachments/<attachment_id>": R(get=OWNER_AND_ORGANISER),
    "/attachments/<attachment_id>/delete": R(post=OWNER, params={"attachment_id": "spare_attachment_id"}),
    # jurors
    "/jury": R(get=JURORS),
    "/jury/profile": R(get=JURORS, post=JURORS),
    "/jury/conflicts": R(get=JURORS, post=JURORS),
    "/jury/conflicts/<conflict_id>/withdraw": R(post=frozenset({"juror_conflicted"}), last=True),
    "/jury/assignments/<assignment_id>": R(get=ASSIGNED, post=ASSIGNED),
    "/jury/assignments/<assignment_id>/autosave": R(post=ASSIGNED),
    "/jury/assignments/<assignment_id>/attachments/<number>": R(get=ASSIGNED),
    # preferences (the round's pool: every juror of the world; the conflicted one does not see the entry)
    "/jury/rounds/<round_id>/preferences": R(get=JURORS, post=JURORS),
    "/jury/rounds/<round_id>/preferences/<entry_id>": R(post=frozenset({"juror_unassigned", "juror_assigned"})),
    "/jury/rounds/<round_id>/preferences/<entry_id>/conflict": R(
        post=frozenset({"juror_unassigned", "juror_assigned"})),
    # organisers
    "/organisation/": ORG,
    "/organisation/audit": ORG,
    "/organisation/audit.csv": ORG,
    "/organisation/invitations": ORG_BOTH,
    "/organisation/invitations/<invitation_id>/resend": ORG_POST,
    "/organisation/invitations/<invitation_id>/revoke": R(post=ORGANISER, last=True),
    "/organisation/editions": ORG,
    "/organisation/editions/new": ORG_BOTH,
    "/organisation/editions/<edition_id>": ORG,
    "/organisation/editions/<edition_id>/edit": ORG_BOTH,
    "/organisation/editions/<edition_id>/phase": R(post=ORGANISER, last=True),
    "/organisation/editions/<edition_id>/categories": ORG_POST,
    "/organisation/editions/<edition_id>/categories/<category_id>/edit": ORG_BOTH,
    "/organisation/editions/<edition_id>/categories/<category_id>/delete": R(
        post=ORGANISER, params={"category_id": "spare_category_id"}),
    "/organisation/editions/<edition_id>/rounds/new": ORG_BOTH,
    "/organisation/editions/<edition_id>/rounds/<round_id>": ORG,
    "/organisation/editions/<edition_id>/rounds/<round_id>/edit": ORG_BOTH,
    "/organisation/editions/<edition_id>/rounds/<round_id>/preferences": ORG,
    "/organisation/editions/<edition_id>/rounds/<round_id>/preferences/open": ORG_POST,
    "/organisation/editions/<edition_id>/rounds/<round_id>/preferences/close": ORG_POST,
    "/organisation/editions/<edition_id>/rounds/<round_id>/delete": R(
        post=ORGANISER, params={"round_id": "disposable_round_id"}),
    "/organisation/editions/<edition_id>/rounds/<round_id>/criteria/new": ORG_BOTH,
    "/organisation/editions/<edition_id>/rounds/<round_id>/criteria/<criterion_id>/edit": ORG_BOTH,
    "/organisation/editions/<edition_id>/rounds/<round_id>/criteria/<criterion_id>/delete": R(
        post=ORGANISER, params={"round_id": "spare_round_id", "criterion_id": "spare_criterion_id"}),
    "/organisation/editions/<edition_id>/questions": ORG_BOTH,
    "/organisation/editions/<edition_id>/questions/<question_id>/edit": ORG_BOTH,
    "/organisation/editions/<edition_id>/questions/<question_id>/delete": R(
        post=ORGANISER, params={"question_id": "spare_question_id"}),
    "/organisation/editions/<edition_id>/questions/<question_id>/move/<direction>": ORG_POST,
    "/organisation/entries": ORG,
    "/organisation/entries/export.csv": ORG,
    "/organisation/entries/export.xlsx": ORG,
    "/organisation/entries/<entry_id>": ORG,
    "/organisation/entries/<entry_id>/eligibility": ORG_POST,
    "/organisation/entries/<entry_id>/extension": ORG_POST,
    "/organisation/categories/<category_id>/attachments.zip": ORG,
    "/organisation/editions/<edition_id>/jury": ORG,
    "/organisation/editions/<edition_id>/jury/groups": ORG_POST,
    "/organisation/editions/<edition_id>/jury/aliases": ORG_POST,
    "/organisation/editions/<edition_id>/jury/<kind>/<item_id>/delete": ORG_POST,
    "/organisation/editions/<edition_id>/jury/conflicts": ORG_POST,
    "/organisation/editions/<edition_id>/jury/conflicts/<conflict_id>/<action>": R(
        post=ORGANISER, params={"conflict_id": "detected_conflict_id"}),
    "/organisation/editions/<edition_id>/jury/detect": ORG_POST,
    "/organisation/editions/<edition_id>/assignments/<assignment_id>/conflict-decision": R(
        post=ORGANISER, params={"assignment_id": "conflicted_assignment_id"}),
    "/organisation/editions/<edition_id>/rounds/<round_id>/assignments": ORG,
    "/organisation/editions/<edition_id>/rounds/<round_id>/matrix": R(
        get=ORGANISER, post=ORGANISER, data={"entry_id": "other_entry_id", "juror_id": "other_juror_id"}),
    "/organisation/editions/<edition_id>/rounds/<round_id>/pool": ORG_POST,
    "/organisation/editions/<edition_id>/rounds/<round_id>/plan": ORG_POST,
    "/organisation/editions/<edition_id>/rounds/<round_id>/apply": ORG_POST,
    "/organisation/editions/<edition_id>/rounds/<round_id>/remind": ORG_POST,
    "/organisation/editions/<edition_id>/rounds/<round_id>/progress": ORG,
    "/organisation/editions/<edition_id>/rounds/<round_id>/entries/<entry_id>/sheets": ORG,
    "/organisation/editions/<edition_id>/sheets/<sheet_id>/reopen": R(
        post=ORGANISER, params={"sheet_id": "second_sheet_id"}),
    "/organisation/editions/<edition_id>/rounds/<round_id>/extensions": ORG_POST,
    "/organisation/editions/<edition_id>/rounds/<round_id>/extensions/<extension_id>/delete": ORG_POST,
    # privacy and legal pages
    "/consent": R(get=SIGNED_IN, post=SIGNED_IN),
    "/impressum": R(get=EVERYONE),
    "/datenschutz": R(get=EVERYONE),
    "/nutzungsbedingungen": R(get=EVERYONE),
    "/account/data": R(get=SIGNED_IN, post=SIGNED_IN),  # the POST is the person's own data as a ZIP
    "/account/delete": R(get=SIGNED_IN, post=SIGNED_IN),  # the empty form is refused with 422/409, no deletion
    "/organisation/privacy": ORG,  # requests of data subjects, handled by organisers
    "/organisation/privacy/export": ORG_POST,
    "/organisation/privacy/erase": ORG_POST,
    # rankings, decisions, publication (organisers); results are public once published (here: not yet → 404)
    "/organisation/editions/<edition_id>/rankings": ORG,
    "/organisation/editions/<edition_id>/rankings/rounds/<round_id>/deliberation": ORG,
    "/organisation/editions/<edition_id>/rankings/rounds/<round_id>/freeze": ORG_POST,
    "/organisation/editions/<edition_id>/rankings/rounds/<round_id>/reopen": ORG_POST,
    "/organisation/editions/<edition_id>/rankings/rounds/<round_id>/shortlist": ORG_POST,
    "/organisation/editions/<edition_id>/rankings/rounds/<round_id>/extra-reviews": ORG_POST,
    "/organisation/editions/<edition_id>/rankings/rounds/<round_id>/entries/<entry_id>/award": ORG_POST,
    "/organisation/editions/<edition_id>/rankings/rounds/<round_id>/entries/<entry_id>/override": ORG_POST,
    "/organisation/editions/<edition_id>/rankings/snapshots/<snapshot_id>/<kind>.pdf": R(
        get=ORGANISER, params={"kind": "pdf_kind"}),
    "/organisation/editions/<edition_id>/rankings/snapshots/<snapshot_id>/export.<fmt>": ORG,
    "/organisation/editions/<edition_id>/rankings/snapshots/<snapshot_id>/feedback/<entry_id>.pdf": ORG,
    "/organisation/editions/<edition_id>/rankings/snapshots/<snapshot_id>/certificates/<entry_id>.pdf": ORG,
    "/organisation/editions/<edition_id>/rankings/snapshots/<snapshot_id>/publish": R(post=ORGANISER, last=True),
    "/organisation/editions/<edition_id>/rankings/unpublish": R(post=ORGANISER, last=True),
    "/organisation/editions/<edition_id>/certificate-design": ORG_BOTH,
    "/organisation/editions/<edition_id>/conditions": ORG_BOTH,
    "/ausschreibungen/<edition_id>/teilnahmebedingungen/<version>": R(get=EVERYONE),  # public, every version
    # A company's own certificate and feedback: members of the entry's company, only once results are public
    # (tests/rankings/test_company_outcome.py); in the matrix's world nothing is published yet.
    "/entries/<entry_id>/ergebnis/urkunde.pdf": R(get=NOBODY),
    "/entries/<entry_id>/ergebnis/rueckmeldung.pdf": R(get=NOBODY),
    "/organisation/editions/<edition_id>/rankings/snapshots/<snapshot_id>/bulk/<kind>": R(
        post=ORGANISER, params={"kind": "bulk_kind"}),
    "/ergebnisse/<slug>": R(get=NOBODY),
    "/ergebnisse/<slug>/ergebnisse.pdf": R(get=NOBODY),
    # background jobs (organisers' exports and mailings)
    "/organisation/jobs": ORG,
    "/organisation/jobs/<job_id>": ORG,
    "/organisation/jobs/<job_id>/download": ORG,
    "/organisation/jobs/<job_id>/restart": ORG_POST,
    "/verify/certificate/<code>": R(get=NOBODY),  # an unknown code: 404 for everybody (real codes: tests/rankings)
    # the audience award: public gallery and vote (the secret entry is not in it: its company did not agree),
    # the organisers' settings, monitor and actions (tests/audience has the real flow)
    "/publikumspreis/<slug>": R(get=EVERYONE),
    "/publikumspreis/<slug>/beitrag/<entry_id>": R(get=NOBODY, post=NOBODY),
    "/publikumspreis/<slug>/beitrag/<entry_id>/gesendet": R(get=NOBODY),
    "/publikumspreis/<slug>/bild/<attachment_id>": R(get=NOBODY),
    "/publikumspreis/bestaetigen/<token>": R(get=EVERYONE, post=EVERYONE),  # a broken link: 400 with a message
    "/verify/publikumspreis/<code>": R(get=NOBODY),  # an unknown code: 404 for everybody
    "/organisation/editions/<edition_id>/publikumspreis": ORG_BOTH,
    "/organisation/editions/<edition_id>/publikumspreis/monitor": ORG,
    "/organisation/editions/<edition_id>/publikumspreis/close": R(post=ORGANISER, last=True),
    "/organisation/editions/<edition_id>/publikumspreis/exclude": ORG_POST,
    "/organisation/editions/<edition_id>/publikumspreis/publish": ORG_POST,
    "/organisation/editions/<edition_id>/publikumspreis/certificates/<entry_id>.pdf": R(get=NOBODY),  # unpublished
    # legal texts (organisers edit them)
    "/organisation/legal/imprint": ORG_BOTH,
    "/organisation/legal/privacy": ORG_BOTH,
    "/organisation/legal/terms": ORG_BOTH,
    # communications: campaigns and mail templates (organisers)
    "/organisation/communications": ORG,
    "/organisation/communications/new": ORG_BOTH,
    "/organisation/communications/<campaign_id>": ORG,
    "/organisation/mail-templates": ORG,
    "/organisation/mail-templates/new": ORG_BOTH,
    "/organisation/mail-templates/<key>/<locale>": ORG_BOTH,
    "/organisation/mail-templates/<key>/<locale>/reset": ORG_POST,
}

PLACEHOLDER = re.compile(r"<(?:[^<>]*:)?(\w+)>")


def normalise(rule: str) -> str:
    """`/a/<int:x>/<any(p, q):kind>` → `/a/<x>/<kind>`."""
    return PLACEHOLDER.sub(r"<\1>", rule)


def rules_of(app) -> dict[str, set[str]]:
    """Normalised rule → the methods offered (rules sharing a path, e.g. GET and POST views, are merged)."""
    rules: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        rules.setdefault(normalise(rule.rule), set()).update(rule.methods - {"HEAD", "OPTIONS"})
    return rules


def test_every_rule_is_in_the_matrix(app):
    rules = rules_of(app)
    missing = sorted(set(rules) - set(MATRIX))
    assert missing == [], "rules without access expectations (add a row to MATRIX): " + ", ".join(missing)
    stale = sorted(set(MATRIX) - set(rules))
    assert stale == [], f"rows for rules that no longer exist: {stale}"
    wrong = [(path, method) for path, row in MATRIX.items() for method in ("GET", "POST")
             if (getattr(row, method.lower()) is not None) != (method in rules[path])]
    assert wrong == [], f"rows whose GET/POST offer differs from the URL map: {wrong}"


# --- the walk ------------------------------------------------------------------------------------------------------

VERBOSE = bool(os.environ.get("ACCESS_MATRIX_VERBOSE"))  # print every request and its outcome (pytest -s)
CSRF_FAILED = "Das Formular ist abgelaufen oder wurde nicht vollständig gesendet"
TOKEN = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


@pytest.fixture(scope="module")
def csrf_app(make_app):
    return make_app(WTF_CSRF_ENABLED=True)


class Browser:
    """A test client that sends a CSRF token with every POST, as the forms of the pages do."""

    def __init__(self, app):
        self.client = app.test_client()
        self.token = None

    def refresh_token(self, path: str = "/login") -> None:
        page = self.client.get(path).get_data(as_text=True)
        match = TOKEN.search(page)
        assert match, f"no CSRF token on {path}"
        self.token = match.group(1)

    def get(self, path):
        return self.client.get(path)

    def post(self, path, data=None):
        return self.client.post(path, data={"csrf_token": self.token, **(data or {})},
                                headers={"X-CSRFToken": self.token})

    def sign_in(self, email: str) -> None:
        self.refresh_token("/login")
        response = self.post("/login", {"email": email, "password": PASSWORD})
        assert response.status_code == 302 and "/login" not in response.headers["Location"], email
        self.refresh_token("/account")


def fill(rule: str, row: Row, ids: dict, method: str) -> str:
    mapping = {**row.params, **(row.post_params if method == "POST" else {})}
    return PLACEHOLDER.sub(lambda m: str(ids[mapping.get(m.group(1), m.group(1))]), rule)


def outcome(response) -> str:
    code = response.status_code
    if code >= 500:
        return "error"
    if code == 405:
        return "not offered"
    if code in (301, 302, 303, 307, 308) and response.headers["Location"].startswith("/login"):
        return "to login"
    if code in (301, 302, 303, 307, 308) and response.headers["Location"].startswith("/consent"):
        return "to consent"  # the consent gate would hide every permission check: the world lacks a consent
    if code in (401, 403, 404):
        return "refused"
    return "in"  # 2xx, other redirects, 400/409/422 for the empty form: past the permission check


def leaks(role: str, body: str, refused: bool) -> list[str]:
    found = []
    for kind, strings in SECRETS.items():
        if role in MAY_SEE[kind] and not refused:
            continue
        found += [f"{kind}:{s}" for s in strings if s in body]
    return found


def audit_count() -> int:
    count = db.session.scalar(select(func.count(AuditEvent.id)))
    db.session.rollback()  # no read transaction left open while the app under test writes (SQLite)
    return count


def walk(app, world, role: str) -> list[str]:
    browser = Browser(app)
    user = world.users[role]
    if user is None:
        browser.refresh_token("/login")
    else:
        browser.sign_in(user.email)
    problems = []
    rules = rules_of(app)
    steps = [(rule, "GET") for rule in MATRIX]
    steps += [(rule, "POST") for rule, row in MATRIX.items() if not row.last]
    steps += sorted(((rule, "POST") for rule, row in MATRIX.items() if row.last), key=lambda s: s[0] == "/logout")
    for rule, method in steps:
        row = MATRIX[rule]
        allowed = getattr(row, method.lower())
        path = fill(rule, row, world.ids, method)
        before = audit_count() if method == "POST" else None
        data = {name: world.ids[key] for name, key in row.data.items()}
        response = browser.get(path) if method == "GET" else browser.post(path, data)
        got = outcome(response)
        if got == "to login" and row.login_is_answer and allowed and role in allowed:
            got = "in"
        body = response.get_data(as_text=True) if response.mimetype.startswith(("text/", "application/json")) \
            else ""
        if allowed is None:
            expected = {"not offered"} if method not in rules[rule] else {"?"}
        elif role in allowed:
            expected = {"in"}
        else:
            expected = {"to login", "refused"} if role == "anonymous" else {"refused"}
        if VERBOSE:
            print(f"{role:17} {method:4} {response.status_code} {got:8} {path[:100]}")
        if got not in expected:
            problems.append(f"{method} {path}: expected {'/'.join(sorted(expected))}, got {got} "
                            f"({response.status_code} {response.headers.get('Location', '')})")
        if CSRF_FAILED in body:
            problems.append(f"{method} {path}: the CSRF check refused a valid token")
        refused = got in ("refused", "to login")
        leaked = [found for found in leaks(role, body, refused)
                  if not (row.bearer and not refused and found.startswith("company_name:"))]
        if leaked:
            problems.append(f"{method} {path} ({response.status_code}) shows {leaked}")
        if method == "POST" and refused and audit_count() != before:
            problems.append(f"POST {path}: refused, yet something was recorded in the audit log")
    return problems


@pytest.fixture
def world(make_user, make_company, make_edition, make_category, make_round, make_criterion, make_entry):
    return build_world(make_user=make_user, make_company=make_company, make_edition=make_edition,
                       make_category=make_category, make_round=make_round, make_criterion=make_criterion,
                       make_entry=make_entry)


@pytest.mark.parametrize("role", ROLES)
def test_access_matrix(csrf_app, world, role):
    problems = walk(csrf_app, world, role)
    assert problems == [], f"{role}:\n  " + "\n  ".join(problems)


def test_a_post_without_the_csrf_token_is_refused(csrf_app, world):
    """The walk above sends tokens; this proves the app under test really checks them."""
    browser = Browser(csrf_app)
    browser.sign_in(world.users["organiser"].email)
    response = browser.client.post(f"/organisation/editions/{world.ids['edition_id']}/categories",
                                   data={"name": "Ohne Token"})
    assert response.status_code == 400 and CSRF_FAILED in response.get_data(as_text=True)
    assert browser.post(f"/organisation/editions/{world.ids['edition_id']}/categories",
                        {"name": "Mit Token"}).status_code == 302


def test_a_conflict_locks_the_jurors_own_assignment(csrf_app, world):
    """The conflicted juror was assigned before the organising team recorded the conflict: the assignment is
    theirs, yet the sheet, its autosave and its attachments are refused and show nothing of the entry."""
    browser = Browser(csrf_app)
    browser.sign_in(world.users["juror_conflicted"].email)
    own = f"/jury/assignments/{world.ids['conflicted_assignment_id']}"
    before = audit_count()
    responses = [browser.get(own), browser.get(f"{own}/attachments/1"),
                 browser.post(own, {"action": "confirm"}), browser.post(f"{own}/autosave", {"overall_comment": "x"})]
    assert [r.status_code for r in responses] == [403, 403, 403, 403]
    for response in responses:
        assert leaks("juror_conflicted", response.get_data(as_text=True), refused=True) == []
    assert audit_count() == before
    dashboard = browser.get("/jury").get_data(as_text=True)
    assert "wegen einer Befangenheit gesperrte Zuweisungen (hier nicht angezeigt): 1" in dashboard.replace(
        "Wegen", "wegen")
    assert leaks("juror_conflicted", dashboard, refused=False) == []
