"""The automatic assignment's preview, read two ways before it is applied: per juror (what they gain and lose) and
per entry (who will judge it, who is new, whether an expert is among them and, if not, why; preferences met or
overridden). Pure: plain values in, frozen dataclasses out."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass


@dataclass(frozen=True)
class JurorChange:
    juror_id: int
    name: str
    capacity: int
    before: int
    after: int
    added: tuple[str, ...]  # entry numbers (or titles when there is no number yet)
    removed: tuple[str, ...]


@dataclass(frozen=True)
class PanelMember:
    name: str
    is_new: bool
    is_expert: bool
    preference: str  # "gern" | "lieber nicht" | ""


@dataclass(frozen=True)
class EntryPlan:
    entry_id: int
    label: str
    category: str
    panel: tuple[PanelMember, ...]
    removed: tuple[str, ...]
    has_expert: bool
    experts_in_pool: int  # jurors of the pool with expertise in the entry's category

    @property
    def changed(self) -> bool:
        return bool(self.removed) or any(m.is_new for m in self.panel)


def juror_changes(*, jurors: dict[int, str], capacities: dict[int, int], before: dict[int, int],
                  assignments: list[tuple[int, int]], new: list[tuple[int, int]], removed: list[tuple[int, int]],
                  labels: dict[int, str]) -> list[JurorChange]:
    after: dict[int, int] = defaultdict(int)
    for juror_id, _entry_id in assignments:
        after[juror_id] += 1
    added_of: dict[int, list[str]] = defaultdict(list)
    removed_of: dict[int, list[str]] = defaultdict(list)
    for juror_id, entry_id in new:
        added_of[juror_id].append(labels.get(entry_id, str(entry_id)))
    for juror_id, entry_id in removed:
        removed_of[juror_id].append(labels.get(entry_id, str(entry_id)))
    return [JurorChange(juror_id, name, capacities.get(juror_id, 0), before.get(juror_id, 0), after.get(juror_id, 0),
                        tuple(sorted(added_of[juror_id])), tuple(sorted(removed_of[juror_id])))
            for juror_id, name in sorted(jurors.items(), key=lambda item: item[1].lower())]


def entry_plans(*, entries: dict[int, tuple[str, int, str]], jurors: dict[int, str],
                expertise: dict[int, set[int]], assignments: list[tuple[int, int]], new: list[tuple[int, int]],
                removed: list[tuple[int, int]], liked: set[tuple[int, int]],
                disliked: set[tuple[int, int]]) -> list[EntryPlan]:
    """`entries`: id → (label, category id, category name)."""
    new_pairs = set(new)
    panels: dict[int, list[PanelMember]] = defaultdict(list)
    for juror_id, entry_id in assignments:
        category_id = entries.get(entry_id, ("", 0, ""))[1]
        pair = (juror_id, entry_id)
        panels[entry_id].append(PanelMember(
            jurors.get(juror_id, str(juror_id)), pair in new_pairs, category_id in expertise.get(juror_id, set()),
            "gern" if pair in liked else "lieber nicht" if pair in disliked else ""))
    gone: dict[int, list[str]] = defaultdict(list)
    for juror_id, entry_id in removed:
        gone[entry_id].append(jurors.get(juror_id, str(juror_id)))
    plans = []
    for entry_id, (label, category_id, category) in entries.items():
        panel = tuple(sorted(panels[entry_id], key=lambda m: m.name.lower()))
        plans.append(EntryPlan(entry_id, label, category, panel, tuple(sorted(gone[entry_id])),
                               any(m.is_expert for m in panel),
                               sum(1 for j in jurors if category_id in expertise.get(j, set()))))
    return plans
