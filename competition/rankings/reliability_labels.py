"""The words of the reliability meter: levels, the plain-German sentences about a ranking, the one-sentence
explanations shown on demand. One place for them, used by the ranking page, the internal PDF and the command line."""

from __future__ import annotations

from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from .reliability import DISTINGUISHABLE, STABLE, Reliability, Statement
from .variance_components import MIN_ENTRIES

HIGH, MODERATE = 0.8, 0.6
LEVEL_LABELS = {"high": _l("hoch"), "moderate": _l("mittel"), "low": _l("niedrig")}
NUMBER_WORDS = {2: _l("beiden"), 3: _l("drei"), 4: _l("vier"), 5: _l("fünf"), 6: _l("sechs"), 7: _l("sieben"),
                8: _l("acht"), 9: _l("neun"), 10: _l("zehn"), 11: _l("elf"), 12: _l("zwölf")}

EXPLANATIONS = {
    "reliability": _l("Die Zuverlässigkeit (0 bis 1) gibt an, welcher Anteil der Unterschiede zwischen den Wertungen "
                      "auf echte Qualitätsunterschiede der Beiträge zurückgeht und nicht auf Zufall oder auf die Milde "
                      "und Strenge einzelner Jurymitglieder; ab etwa 0,8 gilt sie als hoch."),
    "calibrated": _l("Bei der kalibrierten Methode zählt die Milde oder Strenge eines Jurymitglieds nicht als Fehler, "
                     "weil sie herausgerechnet wird."),
    "line": _l("Die Linie trennt die Plätze mit Preis oder Shortlist vom Rest; „gut gesichert“ heißt, dass nach dem "
               "statistischen Modell der Jury mit mindestens %(stable)s Wahrscheinlichkeit genau die richtigen "
               "Beiträge über der Linie liegen."),
    "indistinguishable": _l("Zwei Plätze gelten als nicht zu unterscheiden, wenn der höher platzierte Beitrag mit "
                            "weniger als %(p)s Wahrscheinlichkeit wirklich besser ist."),
    "recommendation": _l("Empfohlen werden die Beiträge, bei denen eine weitere Bewertung am stärksten senkt, wie "
                         "viele Beiträge voraussichtlich auf der falschen Seite der Linie liegen: Beiträge nah an der "
                         "Linie mit wenigen oder stark streuenden Bewertungen."),
    "model": _l("Modell: Wertung = Qualität des Beitrags + Milde oder Strenge des Jurymitglieds + Rest. Die drei "
                "Varianzanteile werden aus allen Bögen der Kategorie geschätzt (Henderson, Methode III), das Intervall "
                "(90 %%) durch parametrisches Bootstrapping auf denselben Zuweisungen."),
}


def percent(p: float | None) -> str:
    """0.4123 → „41 %“ (no decimals: these are estimates)."""
    if p is None:
        return "–"
    if p >= 0.995:
        return _("über %(p)s", p="99\u00a0%")
    if p <= 0.005:
        return _("unter %(p)s", p="1\u00a0%")
    return format_decimal(round(100 * p), format="0") + "\u00a0%"


def number(value: float | None) -> str:
    """A reliability or variance with two decimals and the locale's decimal sign."""
    return "–" if value is None else format_decimal(value, format="0.00")


def level(value: float | None) -> str | None:
    """"high", "moderate" or "low" for a reliability."""
    if value is None:
        return None
    return "high" if value >= HIGH else "moderate" if value >= MODERATE else "low"


def _count(n: int) -> str:
    return str(NUMBER_WORDS.get(n, n))


def statement_text(s: Statement) -> str:
    """One sentence in the current language."""
    if s.kind == "line_stable":
        return _("Die Linie nach Platz %(k)s ist gut gesichert: Mit %(p)s Wahrscheinlichkeit liegen genau die "
                 "richtigen Beiträge darüber.", k=s.places[0], p=percent(s.probability))
    if s.kind == "line_unstable":
        k, first, last = s.places
        if last == first + 1:
            which = _("in Frage stehen die Plätze %(a)s und %(b)s", a=first, b=last)
        else:
            which = _("in Frage stehen die Plätze %(a)s bis %(b)s", a=first, b=last)
        return _("Die Linie nach Platz %(k)s ist nicht gesichert: Mit %(p)s Wahrscheinlichkeit liegt mindestens ein "
                 "Beitrag auf der falschen Seite; %(which)s.", k=k, p=percent(s.probability), which=which)
    if s.kind == "order_secure":
        return _("Die Rangfolge der ersten %(n)s ist gut gesichert.", n=_count(s.places[0]))
    if s.kind == "order_unsure":
        return _("Die Rangfolge der ersten %(n)s ist nicht gesichert (sie stimmt mit %(p)s Wahrscheinlichkeit).",
                 n=_count(s.places[0]), p=percent(s.probability))
    if s.kind == "indistinguishable":
        first, last = s.places
        if last == first + 1:
            return _("Plätze %(a)s und %(b)s sind statistisch nicht zu unterscheiden.", a=first, b=last)
        return _("Die Plätze %(a)s bis %(b)s sind statistisch nicht zu unterscheiden.", a=first, b=last)
    if s.kind == "all_above_line":
        return _("Die Kategorie hat nicht mehr Beiträge, als es Plätze über der Linie gibt (%(k)s); es gibt keine "
                 "Linie, die unsicher sein könnte.", k=s.places[0])
    if s.kind == "no_differences":
        return _("Die Wertungen lassen keine echten Unterschiede zwischen den Beiträgen erkennen; die Rangfolge ist "
                 "nicht besser als der Zufall gesichert.")
    if s.kind == "insufficient" and s.detail == "few_entries":
        return _("Für eine Aussage zur Zuverlässigkeit gibt es zu wenige Beiträge (mindestens %(n)s).", n=MIN_ENTRIES)
    if s.kind == "insufficient":
        return _("Für eine Aussage zur Zuverlässigkeit gibt es zu wenige Bewertungsbögen: Die Beiträge brauchen "
                 "mindestens zwei Bewertungen, und die Jurymitglieder müssen gemeinsame Beiträge bewertet haben.")
    return s.kind


def summary_text(r: Reliability) -> str:
    """The figures in one sentence."""
    if r.status != "ok":
        return next(statement_text(s) for s in r.statements if s.kind == "insufficient")
    return _("Zuverlässigkeit der Gesamtwertung: %(panel)s (%(level)s; ein einzelnes Jurymitglied: %(single)s), bei "
             "im Mittel %(k)s Bewertungen je Beitrag.", panel=number(r.panel), level=LEVEL_LABELS[level(r.panel)],
             single=number(r.single_rater), k=format_decimal(r.sheets_per_entry, format="0.#"))


def explanation(key: str) -> str:
    return str(EXPLANATIONS[key]) % {"stable": percent(STABLE), "p": percent(DISTINGUISHABLE)}
