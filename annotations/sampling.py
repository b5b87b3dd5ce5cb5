"""Which passages go to the coders next.

random and stratified (round-robin over country x sector cells) suit a first batch and agreement
studies. uncertain and diverse are active learning: the passages the model is least sure of are
worth most to the next training run; diverse trades a little of that for coverage, so one batch
does not fill up with, say, Kazakh energy passages while Turkmen ones never get coded."""

from __future__ import annotations

import random
from collections import Counter, defaultdict

from stancemap.annotations.review import MULTI, Item
from stancemap.errors import Errors, ReviewError

STRATEGIES = ("random", "stratified", "uncertain", "diverse")
ACTIVE = ("uncertain", "diverse")  # these skip passages coders have already coded
POOL = 20  # diverse looks at the 20 x n least certain passages


def _by_passage(items: list[Item]) -> dict[str, list[Item]]:
    found: dict[str, list[Item]] = defaultdict(list)
    for item in items:
        found[item.passage_id].append(item)
    return found


def _least_certain_first(by_passage: dict[str, list[Item]]) -> list[str]:
    return sorted(by_passage, key=lambda pid: (min(i.uncertainty() for i in by_passage[pid]), pid))


def _stratified(order: list[str], strata: dict[str, tuple[str, str]], rng: random.Random) -> list[str]:
    cells: dict[tuple[str, str], list[str]] = defaultdict(list)
    for pid in order:
        cells[strata.get(pid, ("", ""))].append(pid)
    for members in cells.values():
        rng.shuffle(members)
    queues = [cells[key] for key in sorted(cells)]
    chosen = []
    while any(queues):
        for queue in queues:
            if queue:
                chosen.append(queue.pop(0))
    return chosen


def _diverse(ranked: list[str], by_passage: dict[str, list[Item]], coverage: dict[str, set[str]],
             n: int | None, weight: float) -> list[str]:
    """Greedy: each pick maximises doubt (1 - the passage's smallest margin) plus `weight` x the
    mean rarity, 1 / (1 + times picked), of its countries and sectors among the passages already
    picked. With weight 0.5, a country or sector not yet in the batch is worth a margin 0.25
    wider than that of a passage from one picked once."""
    pool = ranked if n is None else ranked[:max(POOL * n, 200)]
    doubt = {pid: 1.0 - min(max(min(i.uncertainty() for i in by_passage[pid]), 0.0), 1.0)
                 for pid in pool}
    picked: Counter[str] = Counter()

    def gain(pid: str) -> tuple[float, float, str]:
        values = coverage.get(pid) or {""}
        rarity = sum(1 / (1 + picked[v]) for v in values) / len(values)
        return doubt[pid] + weight * rarity, doubt[pid], pid

    left, chosen = list(pool), []
    while left and (n is None or len(chosen) < n):
        best = max(left, key=gain)
        left.remove(best)
        chosen.append(best)
        picked.update(coverage.get(best) or {""})
    return chosen


def sample_items(items: list[Item], n: int | None, strategy: str, seed: int,
                 context: list[Item] | None = None, coverage_weight: float = 0.5) -> list[Item]:
    """The items of `n` passages (all when n is None). `context`: the passages' country and
    sector items, for stratified and diverse."""
    if strategy not in STRATEGIES:
        raise ReviewError(Errors.E051.format(name=strategy))
    by_passage = _by_passage(items)
    order = sorted(by_passage)
    if strategy == "random":
        random.Random(seed).shuffle(order)
    elif strategy == "uncertain":
        order = _least_certain_first(by_passage)
    elif strategy == "stratified":
        order = _stratified(order, strata_of(context or []), random.Random(seed))
    else:
        order = _diverse(_least_certain_first(by_passage), by_passage, coverage_of(context or []), n,
                         coverage_weight)
    chosen = order if n is None else order[:n]
    return [item for pid in chosen for item in by_passage[pid]]


def strata_of(items: list[Item]) -> dict[str, tuple[str, str]]:
    """First country and sector the model gave each passage, for stratified sampling."""
    found: dict[str, dict[str, str]] = defaultdict(dict)
    for item in items:
        if item.dimension in MULTI and item.model_values:
            found[item.passage_id][item.dimension] = item.model_values[0]
    return {pid: (v.get("country", ""), v.get("sector", "")) for pid, v in found.items()}


def coverage_of(items: list[Item]) -> dict[str, set[str]]:
    """Every country and sector the model gave each passage ("country:KAZ", "sector:energy")."""
    found: dict[str, set[str]] = defaultdict(set)
    for item in items:
        if item.dimension in MULTI:
            found[item.passage_id].update(f"{item.dimension}:{v}" for v in item.model_values)
    return found
