from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from competition.entries import rules
from competition.entries.text import sanitise, visible_length

T = datetime(2026, 3, 31, 22, 0, tzinfo=UTC)
COMPLETE = {"title": "T", "summary": "S", "description": "D", "implementation": "I", "regional_benefit": "R"}


def test_effective_deadline_takes_a_later_extension_only():
    assert rules.effective_deadline(T, None) == T
    assert rules.effective_deadline(T, T + timedelta(days=2)) == T + timedelta(days=2)
    assert rules.effective_deadline(T, T - timedelta(days=2)) == T


def test_submissions_open_after_deadline_only_with_running_extension():
    opens = T - timedelta(days=30)
    assert rules.submissions_open(now=T, phase_is_submission=True, opens_at=opens, extended_until=None)
    assert not rules.submissions_open(now=T, phase_is_submission=False, opens_at=opens, extended_until=None)
    assert rules.submissions_open(now=T, phase_is_submission=False, opens_at=opens,
                                  extended_until=T + timedelta(seconds=1))
    assert not rules.submissions_open(now=T, phase_is_submission=False, opens_at=opens, extended_until=T)


def test_gaps_name_missing_and_too_long_fields():
    draft = rules.EntryDraft(core={**COMPLETE, "title": "", "summary": "x" * 601})
    found = rules.gaps(draft, [], visible_length=len)
    assert rules.Gap("title", rules.Missing.REQUIRED) in found
    assert rules.Gap("summary", rules.Missing.TOO_LONG, limit=600) in found


def test_gaps_for_questions():
    questions = [
        rules.QuestionSpec(1, "Gründungsjahr", "number", True),
        rules.QuestionSpec(2, "Patent?", "yes_no", True),
        rules.QuestionSpec(3, "Businessplan", "file", True),
        rules.QuestionSpec(4, "Optional", "short_text", False, max_length=5),
    ]
    draft = rules.EntryDraft(core=COMPLETE, answers={2: False, 4: "zu lang"})
    found = {(g.field, g.problem) for g in rules.gaps(draft, questions, visible_length=len)}
    assert found == {("q_1", rules.Missing.REQUIRED), ("q_3", rules.Missing.NO_ATTACHMENT),
                     ("q_4", rules.Missing.TOO_LONG)}
    complete = rules.EntryDraft(core=COMPLETE, answers={1: 1990, 2: False}, file_question_ids=frozenset({3}))
    assert rules.gaps(complete, questions[:3], visible_length=len) == []


def test_eligibility_proposal():
    assert rules.eligibility_concerns(district="zwickau", employees=40, max_employees=249) == []
    assert rules.eligibility_concerns(district="ausserhalb", employees=400, max_employees=249) == [
        rules.EligibilityConcern.OUTSIDE_REGION, rules.EligibilityConcern.TOO_LARGE]


def test_entry_number():
    assert rules.entry_number(2026, 7) == "IND-2026-0007"


def test_sanitise_keeps_the_safe_subset_only():
    dirty = '<p onclick="x()">Hallo <strong>Welt</strong><script>alert(1)</script><a href="javascript:x">L</a></p>'
    clean = sanitise(dirty)
    assert clean == "<p>Hallo <strong>Welt</strong>L</p>"
    assert visible_length(clean) == len("Hallo WeltL")
    assert visible_length("A &amp; B") == 5


@given(st.text(alphabet=st.sampled_from(list("<>/=\"' abcdeiloprstx:")), max_size=200))
def test_sanitised_text_has_only_allowed_tags_without_attributes(text):
    import re

    for tag in re.findall(r"<\s*/?\s*([a-zA-Z0-9]+)([^>]*)>", sanitise(text)):
        name, rest = tag
        assert name.lower() in {"p", "br", "strong", "em", "ul", "ol", "li"}
        assert "=" not in rest
