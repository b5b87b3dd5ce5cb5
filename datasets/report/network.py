"""Entity co-occurrence: organisations, projects and places mentioned in the same passage.
The whole graph goes to GEXF (Gephi) and GraphML; the report draws its best-connected part."""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from pathlib import Path

import networkx as nx
import pandas as pd
import sqlalchemy as sa

from stancemap.corpus.atomic import replacing
from stancemap.corpus.store import Store, documents, mentions
from stancemap.datasets.report.charts import NETWORK_HEIGHT, WIDTH

ENTITY_TYPES = {"ORG": "organisation", "PROJECT": "project", "PLACE": "place", "GPE": "place",
                "LOC": "place", "FAC": "place", "REGION": "place"}


def entity_mentions(store: Store) -> pd.DataFrame:
    """passage_id, key, name, type of every entity mention in an active document."""
    query = (sa.select(mentions.c.passage_id, mentions.c.label, mentions.c.text, mentions.c.canonical_id)
             .select_from(mentions.join(documents, documents.c.doc_id == mentions.c.doc_id))
             .where(documents.c.retired_at.is_(None), mentions.c.label.in_(list(ENTITY_TYPES))))
    with store.engine.connect() as conn:
        rows = [{"passage_id": r.passage_id, "type": ENTITY_TYPES[r.label], "name": r.text.strip(),
                 "key": r.canonical_id or f"{ENTITY_TYPES[r.label]}:{' '.join(r.text.casefold().split())}"}
                for r in conn.execute(query)]
    return pd.DataFrame(rows, columns=["passage_id", "type", "name", "key"])


def cooccurrence_graph(found: pd.DataFrame) -> nx.Graph:
    """Nodes: entities (name, type, passages mentioning them); edges: weight = passages in
    which both are mentioned."""
    graph = nx.Graph()
    names: dict[str, Counter] = defaultdict(Counter)
    types: dict[str, Counter] = defaultdict(Counter)
    by_passage: dict[str, set[str]] = defaultdict(set)
    for row in found.itertuples(index=False):
        names[row.key][row.name] += 1
        types[row.key][row.type] += 1
        by_passage[row.passage_id].add(row.key)
    counts = Counter(key for keys in by_passage.values() for key in keys)
    for key in sorted(counts):
        graph.add_node(key, label=names[key].most_common(1)[0][0], type=types[key].most_common(1)[0][0],
                       passages=counts[key])
    weights: Counter = Counter()
    for keys in by_passage.values():
        weights.update(itertools.combinations(sorted(keys), 2))
    for (a, b), weight in sorted(weights.items()):
        graph.add_edge(a, b, weight=weight)
    return graph


def write_graph(graph: nx.Graph, stem: Path) -> list[Path]:
    """STEM.gexf and STEM.graphml."""
    gexf, graphml = stem.parent / f"{stem.name}.gexf", stem.parent / f"{stem.name}.graphml"
    stem.parent.mkdir(parents=True, exist_ok=True)
    with replacing(gexf, graphml) as (gexf_part, graphml_part):
        nx.write_gexf(graph, gexf_part)
        nx.write_graphml(graph, graphml_part)
    return [gexf, graphml]


def drawn_part(graph: nx.Graph, seed: int, max_nodes: int = 80, labels: int = 20
               ) -> tuple[list[dict], list[dict]]:
    """The most-mentioned entities with a seeded spring layout: node and edge rows for a chart."""
    keep = sorted(graph.nodes, key=lambda n: (-graph.nodes[n]["passages"], n))[:max_nodes]
    part = graph.subgraph(keep)
    if not part.number_of_nodes():
        return [], []
    position = nx.spring_layout(part, seed=seed, weight="weight")
    named = apart(keep, position, {n: part.nodes[n]["label"] for n in keep}, labels)
    nodes = [{"key": n, "name": part.nodes[n]["label"], "type": part.nodes[n]["type"],
              "passages": part.nodes[n]["passages"], "x": round(float(position[n][0]), 4),
              "y": round(float(position[n][1]), 4), "show_label": n in named} for n in keep]
    edges = [{"x": round(float(position[a][0]), 4), "y": round(float(position[a][1]), 4),
              "x2": round(float(position[b][0]), 4), "y2": round(float(position[b][1]), 4),
              "weight": data["weight"]} for a, b, data in part.edges(data=True)]
    return nodes, edges


def apart(ranked: list, position: dict, names: dict, most: int,
          size: tuple[int, int] = (WIDTH, NETWORK_HEIGHT), char: float = 6.0, line: float = 13.0) -> set:
    """The nodes to label: the most-mentioned first, each only where its label's box (about
    `char` px a character, `line` px high, above the point) overlaps no label already placed,
    at most `most`; the others are named on hover."""
    xs = [float(position[n][0]) for n in ranked]
    ys = [float(position[n][1]) for n in ranked]
    span_x, span_y = (max(xs) - min(xs)) or 1.0, (max(ys) - min(ys)) or 1.0
    placed: list[tuple[float, float, float, float]] = []
    chosen = set()
    for node in ranked:
        if len(chosen) == most:
            break
        x = (float(position[node][0]) - min(xs)) / span_x * size[0]
        y = (max(ys) - float(position[node][1])) / span_y * size[1]
        half = len(names[node]) * char / 2
        box = (x - half, y - 10 - line, x + half, y - 10)
        if all(box[2] < b[0] or box[0] > b[2] or box[3] < b[1] or box[1] > b[3] for b in placed):
            placed.append(box)
            chosen.add(node)
    return chosen
