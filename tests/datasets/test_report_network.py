"""Entity network labels: the most-mentioned entities are named, never two labels on one spot."""

from stancemap.datasets.report.network import apart


def test_labels_never_overlap_and_the_biggest_come_first():
    # three entities crowd one spot, two stand apart; ranked by passages
    position = {"a": (0.0, 0.0), "b": (0.01, 0.0), "c": (0.0, 0.01), "d": (1.0, 1.0), "e": (-1.0, -1.0)}
    names = {k: f"Entity {k.upper()}" for k in position}
    chosen = apart(["a", "b", "c", "d", "e"], position, names, most=20)
    assert chosen == {"a", "d", "e"}  # b and c are named on hover only
    assert apart(["a", "b", "c", "d", "e"], position, names, most=2) == {"a", "d"}
