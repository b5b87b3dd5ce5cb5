"""Page geometry both PDF readers share: where the columns are, where paragraphs break.
Boxes and lines are dicts with x0, x1, top, bottom (top-down coordinates) and text."""

from __future__ import annotations


def gutters(boxes: list[dict], bbox: tuple[float, float, float, float], min_boxes: int = 40,
            ) -> tuple[list[float], float]:
    """x positions of the gutters between text columns — vertical strips of the page body that
    (almost) no box (word or line run) crosses, with enough text on both sides — and the y where
    the body starts (above it, running heads span the page). No cuts for one-column pages, nor
    for pages with fewer than `min_boxes` boxes in the body."""
    x0, top, x1, bottom = bbox
    band = (top + 0.08 * (bottom - top), bottom - 0.08 * (bottom - top))  # skip running heads
    words = [w for w in boxes if w["top"] >= band[0] and w["bottom"] <= band[1]]
    if len(words) < min_boxes:
        return [], top
    left, right = min(w["x0"] for w in words), max(w["x1"] for w in words)
    width = int(right - left) + 1
    coverage = [0] * (width + 1)
    for word in words:
        for x in range(max(0, int(word["x0"] - left)), min(width, int(word["x1"] - left) + 1)):
            coverage[x] += 1
    lines = len({round(w["top"]) for w in words})
    tolerance = max(2, int(0.02 * lines))
    cuts, run_start = [], None
    for x, count in enumerate(coverage):
        if count <= tolerance:
            run_start = x if run_start is None else run_start
            continue
        if run_start is not None and x - run_start >= 5 and 0.1 * width < run_start and x < 0.9 * width:
            cuts.append(left + (run_start + x) / 2)
        run_start = None
    bounds = [left] + cuts + [right]
    for a, b in zip(bounds, bounds[1:]):  # every column must hold a real share of the words
        if sum(1 for w in words if a <= (w["x0"] + w["x1"]) / 2 < b) < 0.1 * len(words):
            return [], top
    heads = [w["bottom"] for w in boxes if w["top"] < top + 0.15 * (bottom - top)
             and any(w["x0"] < cut < w["x1"] for cut in cuts)]
    return cuts, (max(heads) + 0.5 if heads else top)


def join_lines(lines: list[dict]) -> str:
    """The lines (text, x0, x1, top, bottom) of one column, with a blank line where the layout
    shows a paragraph break: a vertical gap taller than most, or a short line that ends a
    sentence. Both PDF readers use it, so they cut paragraphs alike."""
    if not lines:
        return ""
    heights = sorted(line["bottom"] - line["top"] for line in lines)
    height = heights[len(heights) // 2] or 1.0
    gaps = sorted(b["top"] - a["bottom"] for a, b in zip(lines, lines[1:]) if b["top"] > a["bottom"])
    usual_gap = gaps[len(gaps) // 2] if gaps else 0.0
    right = max(line["x1"] for line in lines)
    left = min(line["x0"] for line in lines)
    out = [lines[0]["text"]]
    for previous, line in zip(lines, lines[1:]):
        gap = line["top"] - previous["bottom"]
        short = previous["x1"] < left + 0.75 * (right - left)
        ends_sentence = previous["text"].rstrip().endswith((".", "!", "?", ":", "。", "！", "？"))
        new_paragraph = gap > usual_gap + 0.6 * height or (short and ends_sentence)
        out.append(("\n\n" if new_paragraph else "\n") + line["text"])
    return "".join(out)
