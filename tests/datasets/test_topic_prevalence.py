"""Topic prevalence intervals come from resampling sources, not passages: forty passages of
one interview are one draw."""

import pandas as pd

from stancemap.datasets.panel import topic_prevalence


def frames(sources: list[str], shares: list[float]):
    table = pd.DataFrame({"passage_id": [f"p{i}" for i in range(len(sources))],
                          "doc_id": [f"d-{s}" for s in sources], "source_id": sources,
                          "source_country": "KAZ", "role": None})
    codes = pd.DataFrame([{"passage_id": f"p{i}", "value": topic,
                           "score": share if topic == "T01" else 1 - share}
                          for i, share in enumerate(shares) for topic in ("T01", "T02")])
    return table, codes


def test_one_source_gives_no_spread_however_many_passages(codebook):
    table, codes = frames(["interview"] * 40, [0.1 * (i % 10) for i in range(40)])
    found = topic_prevalence(table, codes, ["source_country"], codebook, seed=0).set_index("topic")
    assert found.loc["T01", "n_passages"] == 40 and found.loc["T01", "n_sources"] == 1
    assert found.loc["T01", "share_lo"] == found.loc["T01", "share_hi"] == found.loc["T01", "share"]


def test_a_prolific_source_widens_the_interval(codebook):
    """One source with thirty passages all on T01, ten sources with one passage on T02: by
    passage the share is tight around 0.75; by source it depends on whether that one source is
    drawn, so the interval is wide."""
    sources = ["big"] * 30 + [f"s{i}" for i in range(10)]
    shares = [1.0] * 30 + [0.0] * 10
    table, codes = frames(sources, shares)
    found = topic_prevalence(table, codes, [], codebook, seed=0).set_index("topic")
    low, high = found.loc["T01", "share_lo"], found.loc["T01", "share_hi"]
    assert found.loc["T01", "share"] == 0.75 and found.loc["T01", "n_sources"] == 11
    assert low == 0.0 and high > 0.9  # samples without the big source, and with it twice


def test_same_seed_same_interval(codebook):
    table, codes = frames([f"s{i % 7}" for i in range(30)], [((i * 37) % 11) / 10 for i in range(30)])
    a = topic_prevalence(table, codes, ["source_country"], codebook, seed=3)
    b = topic_prevalence(table, codes, ["source_country"], codebook, seed=3)
    pd.testing.assert_frame_equal(a, b)
