"""The JSON contract of `flask judging solve`: a problem file in, a plan (or the reason it is infeasible) out.
Pure: no Flask, no database.

Problem: {"jurors_per_entry": k, "entries": [{"id", "category"}], "jurors": [{"id", "capacity", "expertise"}],
optional "conflicts" and "existing" ([juror, entry] pairs), "priority" ("experts" or "loads") and "preferences"
([juror, entry, 1 = gern or -1 = lieber nicht] triples; neutral pairs are absent)}. Plan: see `plan_to_json`.
"""

from __future__ import annotations

from .assignment import GERN, LIEBER_NICHT, Infeasible, Plan, PlanEntry, PlanJuror, Problem


class ProblemFormatError(ValueError):
    """The problem file does not follow the contract; the message says where."""


def _id(value, where: str) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int) or value == "":
        raise ProblemFormatError(f"{where}: „id“ muss eine nicht leere Zeichenkette sein.")
    return str(value)


def _list(data: dict, key: str, where: str, required: bool = True) -> list:
    if key not in data:
        if required:
            raise ProblemFormatError(f"{where}: Das Feld „{key}“ fehlt.")
        return []
    if not isinstance(data[key], list):
        raise ProblemFormatError(f"{where}: „{key}“ muss eine Liste sein.")
    return data[key]


def _pairs(data: dict, key: str) -> frozenset[tuple[str, str]]:
    pairs = []
    for i, pair in enumerate(_list(data, key, "Problem", required=False)):
        if not (isinstance(pair, list) and len(pair) == 2):
            raise ProblemFormatError(f"{key}[{i}]: erwartet wird ein Paar [Jurymitglied, Beitrag].")
        pairs.append((_id(pair[0], f"{key}[{i}]"), _id(pair[1], f"{key}[{i}]")))
    return frozenset(pairs)


def _preferences(data: dict) -> tuple[tuple[str, str, int], ...]:
    """[juror, entry, 1 | -1] triples; the same pair twice only with the same value."""
    seen: dict[tuple[str, str], int] = {}
    for i, item in enumerate(_list(data, "preferences", "Problem", required=False)):
        where = f"preferences[{i}]"
        if not (isinstance(item, list) and len(item) == 3):
            raise ProblemFormatError(f"{where}: erwartet wird [Jurymitglied, Beitrag, 1 oder -1].")
        pair, value = (_id(item[0], where), _id(item[1], where)), item[2]
        if type(value) is not int or value not in (GERN, LIEBER_NICHT):
            raise ProblemFormatError(f"{where}: Die Präferenz muss 1 (gern) oder -1 (lieber nicht) sein; neutrale "
                                     "Paare werden weggelassen.")
        if seen.setdefault(pair, value) != value:
            raise ProblemFormatError(f"{where}: Für Jurymitglied „{pair[0]}“ und Beitrag „{pair[1]}“ sind "
                                     "widersprüchliche Präferenzen angegeben.")
    return tuple((j, e, v) for (j, e), v in seen.items())


def problem_from_json(data) -> Problem:
    if not isinstance(data, dict):
        raise ProblemFormatError("Problem: erwartet wird ein JSON-Objekt.")
    k = data.get("jurors_per_entry")
    if isinstance(k, bool) or not isinstance(k, int):
        raise ProblemFormatError("Problem: „jurors_per_entry“ fehlt oder ist keine ganze Zahl.")
    entries, jurors = [], []
    for i, item in enumerate(_list(data, "entries", "Problem")):
        if not isinstance(item, dict) or not isinstance(item.get("category"), str):
            raise ProblemFormatError(f"entries[{i}]: erwartet wird {{\"id\": …, \"category\": \"…\"}}.")
        entries.append(PlanEntry(_id(item.get("id"), f"entries[{i}]"), item["category"]))
    for i, item in enumerate(_list(data, "jurors", "Problem")):
        where = f"jurors[{i}]"
        if not isinstance(item, dict):
            raise ProblemFormatError(f"{where}: erwartet wird {{\"id\": …, \"capacity\": …, \"expertise\": […]}}.")
        capacity = item.get("capacity")
        if isinstance(capacity, bool) or not isinstance(capacity, int) or capacity < 0:
            raise ProblemFormatError(f"{where}: „capacity“ fehlt oder ist keine ganze Zahl ≥ 0.")
        expertise = _list(item, "expertise", where, required=False)
        if not all(isinstance(c, str) for c in expertise):
            raise ProblemFormatError(f"{where}: „expertise“ muss eine Liste von Kategorien sein.")
        jurors.append(PlanJuror(_id(item.get("id"), where), capacity, frozenset(expertise)))
    for kind, ids in (("Beitrag", [e.id for e in entries]), ("Jurymitglied", [j.id for j in jurors])):
        if len(set(ids)) != len(ids):
            duplicate = sorted(i for i in set(ids) if ids.count(i) > 1)[0]
            raise ProblemFormatError(f"{kind} „{duplicate}“ kommt mehrfach vor.")
    priority = data.get("priority", "experts")
    if priority not in ("experts", "loads"):
        raise ProblemFormatError("Problem: „priority“ muss „experts“ oder „loads“ sein.")
    return Problem(k, tuple(entries), tuple(jurors), _pairs(data, "conflicts"), _pairs(data, "existing"), priority,
                   _preferences(data))


def plan_to_json(plan: Plan) -> dict:
    return {
        "status": plan.status,
        "assignments": [list(p) for p in plan.assignments],
        "new": [list(p) for p in plan.new],
        "removed": [list(p) for p in plan.removed],
        "entries_without_expert": plan.entries_without_expert,
        "entries_without_any_expert_available": plan.entries_without_any_expert_available,
        "load_min": plan.load_min,
        "load_max": plan.load_max,
        "loads": plan.loads,
        "over_capacity": list(plan.over_capacity),
        "objective": plan.objective,
        "pruned": plan.pruned,
        "preferences_met": [list(p) for p in plan.preferences_met],
        "preferences_violated": [list(p) for p in plan.preferences_violated],
    }


def infeasible_to_json(exc: Infeasible) -> dict:
    return {"status": "infeasible", "reason": exc.reason, "constraint": exc.constraint, "entries": list(exc.entries)}
