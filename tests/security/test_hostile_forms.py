"""Hostile text in every form that takes text: exotic Unicode, control characters, NUL, megabyte strings, markup,
template syntax and spreadsheet formulas. Never a server error; markup is shown as text (or sanitised away in rich
text), never executed, on the pages, in the receipt PDF and in the CSV/XLSX exports.

The forms are filled like a browser fills them: the page is fetched, every field of the form is sent with its
shown value, and the text fields get the hostile value.
"""

from __future__ import annotations

import csv
import io
import re
from html.parser import HTMLParser

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from pypdf import PdfReader

from competition.accounts.models import Role
from competition.core.clock import utcnow
from competition.editions.phases import Phase
from competition.entries.models import Question, QuestionKind
from competition.extensions import db
from tests.conftest import PASSWORD, login

SCRIPT = "<script>alert('x7q')</script>"
IMG = "<img src=x onerror=alert('x7q')>"
TEMPLATE = "{{7*7}}{% for x in range(3) %}"
FORMULA = '=HYPERLINK("http://evil.example","klick")'
PAYLOADS = [SCRIPT, IMG, TEMPLATE, FORMULA, "javascript:alert(1)", "'; DROP TABLE users;--", "\x00", "a\x00b",
            "\u202egnp.exe", "\ufeff\u200b\u2066", "\U0001F600\U000E0041\U0010FFFD", "\x1b[31m\x07\x08\x0b\x0c",
            "\r\n\r\nSet-Cookie: x=1", "%s%n%x", "ẞ" * 300]
HUGE = "A" * (1024 * 1024)  # over the form limit (MAX_FORM_MEMORY_SIZE): a clear 413, no 500
LARGE = "<b>" + "ä" * 200_000  # under it, over every field's length limit

HOSTILE = st.one_of(
    st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=200),  # every plane, control chars, NUL
    st.text(alphabet=st.sampled_from([*"\x00\x01\x1b\u202e\u200b\ufeff\r\n\t<>&'\"{}=%\\@+-", "\U0001F600",
                                      "\U000E0041", "ẞ"]), max_size=60),
    st.sampled_from(PAYLOADS),
)
EXAMPLES = 12  # per form; plus the named examples (NUL, markup, huge) on every form
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.data_too_large, HealthCheck.filter_too_much])
LIVE_MARKUP = re.compile(r"<script>alert|<img[^>]*onerror|href=\"javascript:", re.IGNORECASE)
TEXT_TYPES = {"text", "email", "search", "tel", "url", "password", None}


# --- a form filler -------------------------------------------------------------------------------------------------

class Forms(HTMLParser):
    """The forms of a page: action → list of (name, kind, value) with the value the page shows."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: dict[str, list[tuple[str, str, str]]] = {}
        self._action = None
        self._textarea = None
        self._select = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._action = a.get("action") or ""
            self.forms.setdefault(self._action, [])
        elif self._action is None or not a.get("name"):
            if tag == "option" and self._select is not None and ("selected" in a or not self._select[2]):
                self._select[2] = a.get("value", "")
            return
        elif tag == "input":
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                if kind == "checkbox" or "checked" in a:
                    self.forms[self._action].append((a["name"], kind, a.get("value", "y")))
            elif kind not in ("submit", "button", "file"):
                self.forms[self._action].append((a["name"], kind, a.get("value", "")))
        elif tag == "textarea":
            self._textarea = [a["name"], ""]
        elif tag == "select":
            self._select = [a["name"], "select", ""]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._action = None
        elif tag == "textarea" and self._textarea is not None:
            self.forms[self._action].append((self._textarea[0], "textarea", self._textarea[1].lstrip("\n")))
            self._textarea = None
        elif tag == "select" and self._select is not None:
            self.forms[self._action].append(tuple(self._select))
            self._select = None


def form_data(client, page: str, action: str, value: str, *, only: set[str] | None = None,
              keep: dict[str, str] | None = None, url: str | None = None) -> dict[str, str]:
    """The fields of the form posting to `action` on `page`, text fields set to `value`."""
    response = client.get(page)
    assert response.status_code == 200, (page, response.status_code)
    parser = Forms()
    parser.feed(response.get_data(as_text=True))
    fields = parser.forms.get(action)
    if fields is None and page == action:
        fields = parser.forms.get("")  # a form that posts to its own page
    assert fields is not None, f"no form posting to {action} on {page}: {sorted(parser.forms)}"
    data: dict[str, str] = {}
    for name, kind, shown in fields:
        text = kind in TEXT_TYPES or kind == "textarea"
        if kind == "url" and url is not None:
            data[name] = url
        elif text and name not in ("csrf_token", "next", "lock_version", "version") and (only is None or name in only):
            data[name] = value
        else:
            data.setdefault(name, shown)
    data.update(keep or {})
    return data


def post_hostile(client, page: str, action: str, value: str, **kwargs):
    data = form_data(client, page, action, value, **kwargs)
    response = client.post(action, data=data)
    assert response.status_code < 500, (action, ascii(value[:80]), response.status_code)
    assert response.status_code in (200, 302, 303, 400, 409, 413, 422), (action, response.status_code)
    body = response.get_data(as_text=True)
    assert "Traceback" not in body
    assert not LIVE_MARKUP.search(body), (action, "markup from the input is live on the page")
    return response


def assert_shown_safely(client, page: str) -> str:
    response = client.get(page)
    assert response.status_code < 500, (page, response.status_code)
    body = response.get_data(as_text=True)
    assert not LIVE_MARKUP.search(body), (page, "markup from the input is live on the page")
    return body


# --- the world -----------------------------------------------------------------------------------------------------

@pytest.fixture
def world(make_user, make_company, make_edition, make_category, make_round, make_criterion, make_entry, organiser,
          make_submitted_entry):
    edition = make_edition(phase_override=Phase.SUBMISSION)
    category = make_category(edition, name="Mobilität")
    short = Question(edition_id=edition.id, kind=QuestionKind.SHORT_TEXT, label="Zielgruppe", position=1)
    long = Question(edition_id=edition.id, kind=QuestionKind.LONG_TEXT, label="Markt", position=2)
    db.session.add_all([short, long])
    db.session.commit()
    applicant = make_user(email="anna@firma.example")
    company = make_company(applicant)
    entry = make_entry(company=company, category=category)
    juror = make_user(roles=(Role.JUROR,), email="jana@uni.example")
    judging_edition = make_edition(phase_override=Phase.JURY)
    judging_round = make_round(judging_edition, scale_step=1, jurors_per_entry=1)
    criterion = make_criterion(judging_round, name="Innovationsgrad")
    judged = make_submitted_entry(category=make_category(judging_edition), title="Bewerteter Beitrag")
    from competition.judging import services as jury

    assignment = jury.add_assignment(judging_round=judging_round, juror=juror, entry=judged, by=organiser,
                                     now=utcnow())
    db.session.commit()
    return {"edition": edition.id, "category": category.id, "entry": entry.id, "applicant": applicant.email,
            "juror": juror.email, "organiser": organiser.email, "assignment": assignment.id,
            "round": judging_round.id, "judging_edition": judging_edition.id, "criterion": criterion.id}


def signed_in(app, email: str):
    client = app.test_client()
    assert login(client, email).status_code == 302
    return client


# --- fuzzing every form ----------------------------------------------------------------------------------------------

SIZES = {"<200 000 × ä>": LARGE, "<1 MiB of A>": HUGE}  # named, so that a failing example prints short


def hostile_examples(test):
    for value in (SCRIPT, "nul\x00byte", *SIZES):
        test = example(value=value)(test)
    return test


@FUZZ
@hostile_examples
@given(value=HOSTILE)
def test_registration_and_login(app, value):
    value = SIZES.get(value, value)
    client = app.test_client()
    post_hostile(client, "/register", "/register", value, only={"full_name", "email"},
                 keep={"password": PASSWORD, "password_repeat": PASSWORD})
    post_hostile(client, "/register", "/register", value, only={"full_name"},
                 keep={"email": f"neu{abs(hash(value)) % 10**9}@firma.example", "password": PASSWORD,
                       "password_repeat": PASSWORD})
    post_hostile(app.test_client(), "/login", "/login", value)
    post_hostile(app.test_client(), "/password/forgot", "/password/forgot", value)


@FUZZ
@hostile_examples
@given(value=HOSTILE)
def test_company_profile_and_entry(app, world, value):
    value = SIZES.get(value, value)
    client = signed_in(app, world["applicant"])
    post_hostile(client, "/company", "/company", value, only={"legal_name", "street", "city", "industry",
                                                              "contact_name"})
    assert_shown_safely(client, "/company")
    edit = f"/entries/{world['entry']}/edit"
    post_hostile(client, edit, edit, value)
    assert_shown_safely(client, edit)
    assert_shown_safely(client, f"/entries/{world['entry']}")
    assert_shown_safely(client, "/dashboard")


@FUZZ
@hostile_examples
@given(value=HOSTILE)
def test_juror_profile_conflicts_and_score_sheet(app, world, value):
    value = SIZES.get(value, value)
    client = signed_in(app, world["juror"])
    post_hostile(client, "/jury/profile", "/jury/profile", value, only={"organisation", "position",
                                                                        "former_employers"})
    assert_shown_safely(client, "/jury/profile")
    sheet = f"/jury/assignments/{world['assignment']}"
    client.post(sheet, data={"action": "confirm"})
    post_hostile(client, sheet, sheet, value, keep={"action": "save", f"score_{world['criterion']}": "7"})
    assert_shown_safely(client, sheet)
    assert_shown_safely(client, "/jury")
    response = client.post(f"{sheet}/autosave", data={f"comment_{world['criterion']}": value,
                                                      "overall_comment": value})
    assert response.status_code < 500


@FUZZ
@hostile_examples
@given(value=HOSTILE)
def test_organiser_forms(app, world, value):
    value = SIZES.get(value, value)
    client = signed_in(app, world["organiser"])
    edition = f"/organisation/editions/{world['edition']}"
    post_hostile(client, "/organisation/editions/new", "/organisation/editions/new", value,
                 only={"name", "description"})
    post_hostile(client, edition, f"{edition}/categories", value)
    round_page = f"/organisation/editions/{world['judging_edition']}/rounds/{world['round']}"
    post_hostile(client, f"{round_page}/criteria/new", f"{round_page}/criteria/new", value,
                 keep={"weight": "1"})
    post_hostile(client, f"{edition}/questions", f"{edition}/questions", value, keep={"kind": "short_text"})
    post_hostile(client, "/organisation/invitations", "/organisation/invitations", value, only={"full_name"},
                 keep={"email": "neu@uni.example"})
    for page in (edition, f"{edition}/questions", round_page, "/organisation/editions", "/organisation/entries"):
        assert_shown_safely(client, page)


# --- markup is text: pages, receipt PDF, exports -------------------------------------------------------------------

def test_markup_is_text_on_pages_in_the_receipt_and_neutralised_in_exports(app, world):
    client = signed_in(app, world["applicant"])
    hostile_title = f"{FORMULA} {SCRIPT} {TEMPLATE}"
    edit = f"/entries/{world['entry']}/edit"
    data = form_data(client, edit, edit, "Ein ganz normaler Text.", url="https://beispiel.example/video")
    data.update({"title": hostile_title, "summary": FORMULA, "description": f"{SCRIPT}{IMG} Beschreibung",
                 "video_url": "https://beispiel.example/video"})
    for name in data:
        if name.startswith("q_"):
            data[name] = f"{FORMULA} {SCRIPT}"
    response = client.post(edit, data=data)
    errors = re.findall(r'class="field-error">([^<]*)', response.get_data(as_text=True))
    assert response.status_code in (200, 302), errors
    page = client.get(f"/entries/{world['entry']}").get_data(as_text=True)
    assert "&lt;script&gt;alert(&#39;x7q&#39;)&lt;/script&gt;" in page  # the title, as text
    assert "{{7*7}}" in page and not LIVE_MARKUP.search(page)

    submit = f"/entries/{world['entry']}/submit"
    response = client.post(submit, data=form_data(client, submit, submit, "", keep={"consent": "y"}))
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    receipt = client.get(f"/entries/{world['entry']}/versions/1/receipt.pdf")
    assert receipt.status_code == 200 and receipt.mimetype == "application/pdf"
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(receipt.get_data())).pages)
    squeezed = re.sub(r"\s+", "", text)
    assert "<script>alert('x7q')</script>" in squeezed or "<script>alert(’x7q’)</script>" in squeezed, text[:500]
    assert "{{7*7}}" in squeezed

    organiser = signed_in(app, world["organiser"])
    exported = organiser.get("/organisation/entries/export.csv").get_data(as_text=True)
    cells = [cell for row in csv.reader(io.StringIO(exported.lstrip("\ufeff")), delimiter=";") for cell in row]
    if len(cells) < 5:  # a comma-separated file
        cells = [cell for row in csv.reader(io.StringIO(exported.lstrip("\ufeff"))) for cell in row]
    assert any(FORMULA in cell for cell in cells), "the hostile summary is missing from the CSV"
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells), "a CSV cell starts a formula"
    workbook = load_workbook(io.BytesIO(organiser.get("/organisation/entries/export.xlsx").get_data()))
    values = [cell for sheet in workbook for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert any(FORMULA in str(cell.value) for cell in values)
    assert all(cell.data_type != "f" for cell in values), "an XLSX cell is a formula"
    assert not any(str(cell.value).startswith("=") for cell in values)


def test_nul_characters_are_dropped_from_form_fields_and_query_parameters(app, world):
    """PostgreSQL cannot store NUL in text: it is dropped at the door (competition/core/requests.py)."""
    client = signed_in(app, world["juror"])
    data = form_data(client, "/jury/profile", "/jury/profile", "Uni\x00versität", only={"organisation"})
    assert client.post("/jury/profile", data=data).status_code == 302
    from competition.judging.models import JurorProfile

    assert db.session.scalar(db.select(JurorProfile.organisation)) == "Universität"
    organiser = signed_in(app, world["organiser"])
    assert organiser.get("/organisation/entries?q=Spann\x00vorrichtung").status_code == 200


def test_a_title_longer_than_the_database_holds_is_refused_not_crashed(app, world):
    client = signed_in(app, world["applicant"])
    edit = f"/entries/{world['entry']}/edit"
    data = form_data(client, edit, edit, "Text", url="")
    data.update({"title": "T" * 201, "video_url": ""})
    response = client.post(edit, data=data)
    assert response.status_code in (200, 302, 422)
    page = response.get_data(as_text=True) if response.status_code != 302 else client.get(edit).get_data(as_text=True)
    assert "Dieser Text ist zu lang zum Speichern (höchstens 200 Zeichen)" in page
    from competition.entries.models import Entry

    assert db.session.get(Entry, world["entry"]).title == "Adaptive Spannvorrichtung"  # the old title stays
