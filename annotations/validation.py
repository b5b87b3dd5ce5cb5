"""Validation samples: passages drawn at random (simple, or stratified with proportional
allocation) for coders, stored with every passage's inclusion probability so the panels can
correct the model's shares from them (datasets/correction.py). Active-learning picks are not a
probability sample and never enter one; a labelled table can be declared one
(`review import-labels --validation`) when the researcher knows it was drawn at random.

Drawing again into a sample of the same name adds passages the sample does not hold yet, with
the same strata; the union of two simple random draws is one, so every probability is then the
stratum's coded share, members / passages."""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from dataclasses import dataclass

from stancemap.corpus.store import Store, now
from stancemap.errors import Errors, ReviewError



@dataclass
class Sample:
    name: str
    design: dict
    members: dict[str, tuple[str, float]]  # passage_id -> (stratum, inclusion probability)


def load_sample(store: Store, name: str | None = None) -> Sample | None:
    """The named sample, or the one updated last; None when the project has none."""
    found = store.validation_samples()
    if name is not None:
        found = [s for s in found if s["name"] == name]
        if not found:
            known = ", ".join(s["name"] for s in store.validation_samples()) or "none"
            raise ReviewError(Errors.E340.format(name=name, known=known))
    if not found:
        return None
    latest = found[-1]
    return Sample(latest["name"], latest["design"], store.validation_members(latest["name"]))


def _allocate(sizes: dict[str, int], total: int) -> dict[str, int]:
    """Proportional allocation, largest remainders, at least one per stratum."""
    whole = sum(sizes.values())
    exact = {h: total * n / whole for h, n in sizes.items()}
    chosen = {h: min(sizes[h], max(1, int(x))) for h, x in exact.items()}
    for h in sorted(exact, key=lambda h: (-(exact[h] - int(exact[h])), h)):
        if sum(chosen.values()) >= total:
            break
        if chosen[h] < sizes[h]:
            chosen[h] += 1
    return chosen


def draw(frame: dict[str, str], total: int, seed: int,
         held: dict[str, tuple[str, float]] | None = None) -> dict[str, tuple[str, float]]:
    """The sample after drawing: `frame` maps every passage that may be drawn to its stratum
    ("" without strata); `total` is the size the sample is to reach; `held` what it held."""
    held = {pid: v for pid, v in (held or {}).items() if pid in frame}
    strata: dict[str, list[str]] = defaultdict(list)
    for pid in sorted(frame):
        strata[frame[pid]].append(pid)
    sizes = {h: len(members) for h, members in strata.items()}
    wanted = _allocate(sizes, min(max(total, len(held)), len(frame)))
    have = Counter(stratum for stratum, _ in held.values())
    rng = random.Random(seed)
    chosen = dict(held)
    for stratum in sorted(strata):
        left = [pid for pid in strata[stratum] if pid not in held]
        for pid in rng.sample(left, min(len(left), max(0, wanted[stratum] - have[stratum]))):
            chosen[pid] = (stratum, 0.0)
    counts = Counter(stratum for stratum, _ in chosen.values())
    return {pid: (stratum, counts[stratum] / sizes[stratum]) for pid, (stratum, _) in chosen.items()}


def record_draw(store: Store, name: str, frame: dict[str, str], total: int, seed: int,
                strata: list[str], dims: list[str]) -> tuple[dict[str, tuple[str, float]], list[str]]:
    """Draw into sample `name` and store it; returns the sample and the passages added."""
    existing = next((s for s in store.validation_samples() if s["name"] == name), None)
    held = store.validation_members(name) if existing else {}
    design = dict(existing["design"]) if existing else {"kind": "drawn", "strata": strata, "draws": []}
    if existing and (design.get("kind") != "drawn" or design.get("strata") != strata):
        raise ReviewError(Errors.E341.format(name=name, kind=design.get("kind"),
                                             strata=",".join(design.get("strata") or []) or "none",
                                             asked=",".join(strata) or "none"))
    members = draw(frame, total, seed, held)
    added = sorted(set(members) - set(held))
    design["draws"] = design.get("draws", []) + [{"at": now(), "seed": seed, "added": len(added),
                                                 "frame": len(frame), "dims": dims}]
    design["frame"] = len(frame)
    store.save_validation(name, design, members)
    return members, added


def declare(store: Store, name: str, passage_ids: set[str], frame_size: int, source: str) -> int:
    """Record labelled passages as a simple random sample of the project's `frame_size`
    passages (the researcher's word: see the README); returns the sample's size."""
    existing = next((s for s in store.validation_samples() if s["name"] == name), None)
    if existing and existing["design"].get("kind") != "declared":
        raise ReviewError(Errors.E341.format(name=name, kind=existing["design"].get("kind"),
                                             strata=",".join(existing["design"].get("strata") or [])
                                             or "none", asked="a declared random sample"))
    held = set(store.validation_members(name)) if existing else set()
    members = held | set(passage_ids)
    design = dict(existing["design"]) if existing else {"kind": "declared", "strata": [], "files": []}
    design["files"] = design.get("files", []) + [{"at": now(), "file": source, "passages": len(passage_ids)}]
    design["frame"] = frame_size
    share = len(members) / max(frame_size, len(members))
    store.save_validation(name, design, {pid: ("", share) for pid in members})
    return len(members)
