"""Coding a project: stream the documents that need (re-)coding, code their passages in
batches — in this process or in worker processes — and write each batch in one transaction."""

from __future__ import annotations

import multiprocessing
import signal
import sys
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from stancemap.annotations.codebook import Codebook
from stancemap.config import Config
from stancemap.corpus.store import Store
from stancemap.corpus.versions import versions
from stancemap.nlp.base import PassageInput
from stancemap.errors import Errors, UsageError
from stancemap.nlp import coder as coder_module
from stancemap.nlp.coder import BatchResult, Coder, _init_worker, _work
from stancemap.nlp.threads import local_processes, thread_plan


@dataclass
class CodeReport:
    run_id: str
    documents: int = 0
    skipped_documents: int = 0
    passages: int = 0
    tokens: int = 0
    mentions: int = 0
    codes: Counter = field(default_factory=Counter)
    seconds: float = 0.0
    stage_seconds: Counter = field(default_factory=Counter)  # per stage name, "entities" included
    signature: str = ""
    warnings: list[str] = field(default_factory=list)  # e.g. an earlier run cut short

    def stages(self) -> dict[str, dict[str, float]]:
        """Per stage: seconds spent and passages coded per second, slowest first."""
        return {name: {"seconds": round(spent, 3),
                       "passages_per_s": round(self.passages / spent, 1) if spent else None}
                for name, spent in self.stage_seconds.most_common()}

    def to_json(self) -> dict:
        return {"run_id": self.run_id, "documents": self.documents,
                "skipped_documents": self.skipped_documents, "passages": self.passages,
                "tokens": self.tokens, "mentions": self.mentions, "codes": dict(self.codes),
                "seconds": round(self.seconds, 3),
                "stage_seconds": {k: round(v, 3) for k, v in sorted(self.stage_seconds.items())},
                "stages": self.stages(), "signature": self.signature, "warnings": self.warnings}


def _batches(store: Store, signature: str, force: bool, size: int
             ) -> Iterator[tuple[list[str], list[PassageInput]]]:
    """Whole documents, grouped until a batch holds at least `size` passages."""
    doc_ids: list[str] = []
    passages: list[PassageInput] = []
    for document in store.documents_to_code(signature, force):
        for row in store.passages_of(document["doc_id"]):
            passages.append(PassageInput(
                passage_id=row["passage_id"], doc_id=row["doc_id"], start=row["start"],
                text=row["text"], lang=row["lang"], meta=row["meta"] or {},
                doc_meta=document["meta"] or {}, kind=document["kind"], date=document["date"],
                role=row.get("role")))
        doc_ids.append(document["doc_id"])
        if len(passages) >= size:
            yield doc_ids, passages
            doc_ids, passages = [], []
    if doc_ids:
        yield doc_ids, passages


def code_project(project: Path, config: Config, codebook: Codebook, *, force: bool = False,
                 db_url: str | None = None, coder: Coder | None = None,
                 on_start: Callable[[int], None] | None = None,
                 on_batch: Callable[[int], None] | None = None) -> CodeReport:
    """Code every active document whose coding signature is out of date (all with `force`).
    A `coder` handed in codes in this process, unless `coding.processes` names more."""
    started = time.perf_counter()
    store = Store(Path(project), url=db_url, create=False)
    given = coder is not None
    coder = coder or Coder(codebook, config, Path(project))
    signature = coder.signature()
    manifest = {"command": "code", "config": config.model_dump(), "seed": config.seed,
                "codebook": {"name": codebook.name, "version": codebook.version,
                             "digest": codebook.digest},
                "stages": coder.stage_versions(), "stage_details": coder.stage_details(),
                "versions": versions(), "signature": signature}
    if config.coding.engine == "local":  # `coding.processes = 0` resolved for this run's passages
        processes = (1 if given and not config.coding.processes
                     else local_processes(config, store.passages_to_code(signature, force)))
        config = config.model_copy(update={"coding": config.coding.model_copy(
            update={"processes": processes})})
    manifest["threads"] = thread_plan(config)
    run_id = store.begin_run("code", manifest)
    report = CodeReport(run_id=run_id, signature=signature, warnings=store.interrupted_warnings())
    vectors = _coding_vectors(project)
    try:
        total = store.counts()["documents"]
        pending = sum(1 for _ in store.documents_to_code(signature, force))
        report.skipped_documents = total - pending
        if on_start:
            on_start(pending)
        batches = _batches(store, signature, force, config.coding.batch_size)
        if config.coding.engine == "dask":
            for doc_ids, result in _on_dask(batches, codebook, config, project):
                _store_batch(store, report, run_id, signature, doc_ids, result, on_batch, vectors)
        elif config.coding.processes > 1:
            for doc_ids, result in _on_processes(batches, codebook, config, project):
                _store_batch(store, report, run_id, signature, doc_ids, result, on_batch, vectors)
        else:
            for doc_ids, passages in batches:
                result = coder.code_batch(passages) if passages else BatchResult()
                _store_batch(store, report, run_id, signature, doc_ids, result, on_batch, vectors)
        vectors.flush()
        report.seconds = time.perf_counter() - started
        manifest.update({"seconds": round(report.seconds, 3), "analysers": coder.analyser.versions()})
        store.finish_run(run_id, report.to_json() | {"codes": dict(report.codes)}, manifest)
        return report
    finally:
        store.dispose()


TRACKER_QUIET = "ignore::UserWarning:multiprocessing.resource_tracker"


def _init_pool_worker(*setup) -> None:
    """A pool worker leaves Ctrl-C to the run, which stops the pool: no traceback per worker."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _init_worker(*setup)


def _on_processes(batches, codebook: Codebook, config: Config, project: Path
                  ) -> Iterator[tuple[list[str], BatchResult]]:
    """Each batch coded by one of `coding.processes` worker processes, results in batch order for
    this process to write; at most two batches per process wait, so memory stays flat. A worker
    that dies (the system killed it) stops the run with E277 instead of leaving it waiting."""
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    from stancemap.corpus.cluster import EngineError

    workers = config.coding.processes
    setup = (codebook.model_dump_json(), config.model_dump_json(), str(project))
    # multiprocessing's resource tracker (a process it starts with this interpreter's -W options)
    # frees what workers stopped by Ctrl-C left, and would warn about it on the user's terminal
    if TRACKER_QUIET not in sys.warnoptions:
        sys.warnoptions.append(TRACKER_QUIET)
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_init_pool_worker, initargs=setup)
    waiting: deque = deque()

    def oldest() -> tuple[list[str], BatchResult]:
        doc_ids, future = waiting.popleft()
        return doc_ids, future.result() if future else BatchResult()

    try:
        for doc_ids, passages in batches:
            waiting.append((doc_ids, pool.submit(_work, passages) if passages else None))
            if len(waiting) > 2 * workers:
                yield oldest()
        while waiting:
            yield oldest()
    except BrokenProcessPool as err:
        raise EngineError(Errors.E277.format(reason=str(err) or type(err).__name__)) from err
    except BaseException:  # an error, Ctrl-C or a signal here: stop the workers' batches too
        for process in list(pool._processes.values()):  # public only from Python 3.14
            process.terminate()
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        del pool  # the traceback keeps this frame: let the queues' semaphores go now


def _on_dask(batches, codebook: Codebook, config: Config, project: Path
             ) -> Iterator[tuple[list[str], BatchResult]]:
    """Each batch coded as a Dask task, results in batch order for the client to write: the
    store has one writer (SQLite allows no other, and PostgreSQL needs no credentials on the
    workers). A task whose worker dies is re-run elsewhere and its result arrives once."""
    from stancemap.corpus.cluster import EngineError, dask_client, in_order

    setup = (codebook.model_dump_json(), config.model_dump_json(), str(project))
    pending_ids: deque[list[str]] = deque()

    def feed():
        for doc_ids, passages in batches:
            pending_ids.append(doc_ids)
            yield passages

    with dask_client(config.coding.scheduler or None, config.coding.workers) as client:
        try:
            for result in in_order(client, _dask_code, feed(), setup):
                yield pending_ids.popleft(), result
        except Exception as err:
            if type(err).__name__ == "KilledWorker":
                raise EngineError(Errors.E275.format(reason=str(err)[:300])) from err
            raise


_SETUP: tuple | None = None
_SETUP_LOCK = threading.Lock()


def _dask_code(passages: list[PassageInput], setup: tuple[str, str, str]) -> BatchResult:
    """A Dask task: the worker process's one Coder (built on its first batch, as for the
    multiprocessing pool) codes one batch; a lock keeps threads of one worker from sharing it."""
    global _SETUP
    with _SETUP_LOCK:
        if _SETUP != setup:
            coder_module._init_worker(*setup)
            _SETUP = setup
        return coder_module._work(passages) if passages else BatchResult()


def _coding_vectors(project: Path):
    """Where coding leaves the e5 passage embeddings it computed, for the topic model."""
    from stancemap.nlp.encoder import E5Encoder
    from stancemap.nlp.vectors import VectorCache

    return VectorCache(Path(project), E5Encoder().version)


def _store_batch(store: Store, report: CodeReport, run_id: str, signature: str,
                 doc_ids: list[str], result: BatchResult, on_batch, vectors) -> None:
    store.write_codes(run_id, signature, doc_ids, result.mentions, result.codes)
    if result.vectors:
        vectors.add(list(result.vectors), list(result.vectors.values()))
    report.documents += len(doc_ids)
    report.passages += result.passages
    report.tokens += result.tokens
    report.mentions += len(result.mentions)
    report.codes.update(c["dimension"] for c in result.codes)
    report.stage_seconds.update(result.seconds)
    if on_batch:
        on_batch(len(doc_ids))


@dataclass
class TopicReport:
    run_id: str
    model_id: str = ""
    num_topics: int = 0
    topics: list[dict] = field(default_factory=list)
    selection: list[dict] = field(default_factory=list)
    passages: int = 0
    reused: bool = False
    skipped: str | None = None
    seconds: float = 0.0

    def to_json(self) -> dict:
        return {k: getattr(self, k) for k in ("run_id", "model_id", "num_topics", "topics",
                                              "selection", "passages", "reused", "skipped")} | {
            "seconds": round(self.seconds, 3)}


def _topic_codes(topics: list[dict], shares: dict[str, list[tuple[int, float]]], doc_of: dict[str, str],
                 source: str, min_share: float) -> list[dict]:
    """Shares at or above `min_share` as topic codes; a passage's top topic is always kept, so
    every fitted passage has a main topic (a hard assignment with its probability)."""
    found = []
    for passage_id, row in shares.items():
        top = max(row, key=lambda s: s[1])[0] if row else None
        found += [{"passage_id": passage_id, "doc_id": doc_of[passage_id], "dimension": "topic",
                   "target": "", "value": topics[t]["id"], "score": share, "source": source,
                   "details": {"label": topics[t]["label"]}}
                  for t, share in row if share >= min_share or t == top]
    return found


def passage_vectors(project: Path, texts: list[str], on_encode: Callable[[int, int], None] | None = None):
    """multilingual-e5 vectors of `texts`, from the project's vector cache (where coding left
    them) or encoded now and cached."""
    from stancemap.nlp.encoder import E5Encoder

    return _coding_vectors(project).encode(texts, E5Encoder(), on_encode)


def fit_topics(project: Path, config: Config, codebook: Codebook, *, force: bool = False,
               db_url: str | None = None,
               on_candidate: Callable[[int, int, int], None] | None = None,
               on_encode: Callable[[int, int], None] | None = None) -> TopicReport:
    """Fit (or reuse, when nothing changed) the topic model and store per-passage shares."""
    from stancemap.nlp.embedding_topics import fit_embedding_topics
    from stancemap.nlp.topics import VERSION, TopicModeler, corpus_signature

    started = time.perf_counter()
    store = Store(Path(project), url=db_url, create=False)
    try:
        rows = store.passages_for_topics(config.topics.languages)
        doc_of = {passage_id: doc_id for passage_id, doc_id, _, _ in rows}
        passages = [(passage_id, text, lang or "und") for passage_id, _, text, lang in rows]
        signature = corpus_signature(passages, config.topics, config.seed, codebook)
        manifest = {"command": "topics", "config": config.topics.model_dump(), "seed": config.seed,
                    "signature": signature, "versions": versions()}
        run_id = store.begin_run("topics", manifest)
        report = TopicReport(run_id=run_id, passages=len(passages))
        latest = store.latest_topic_model()
        if latest and latest["signature"] == signature and not force:
            report.reused = True
            report.model_id, report.num_topics = latest["model_id"], latest["num_topics"]
            report.topics, report.selection = latest["topics"], latest["selection"]
        else:
            method = config.topics.method
            if method == "embedding":
                vectors = passage_vectors(project, [text for _, text, _ in passages], on_encode)
                result = fit_embedding_topics(
                    passages, vectors, config.topics, config.seed, signature, store.code_values("sector"),
                    {key: sector.label for key, sector in codebook.sectors.items()}, on_candidate)
            else:
                result = TopicModeler(config.topics, config.seed, codebook).fit(passages, signature,
                                                                                on_candidate)
            report.skipped = result.skipped
            if not result.skipped:
                topic_codes = _topic_codes(result.topics, result.shares, doc_of,
                                           f"model:topics@{VERSION}+{method}-{result.model_id}",
                                           config.topics.min_share)
                store.write_topics(run_id, {"model_id": result.model_id, "signature": signature,
                                            "num_topics": result.num_topics, "topics": result.topics,
                                            "selection": result.selection, "params": result.params},
                                   topic_codes)
                report.model_id, report.num_topics = result.model_id, result.num_topics
                report.topics, report.selection = result.topics, result.selection
        report.seconds = time.perf_counter() - started
        store.finish_run(run_id, {"passages": len(passages), "topics": report.num_topics},
                         manifest | {"seconds": round(report.seconds, 3), "reused": report.reused,
                                     "skipped": report.skipped})
        return report
    finally:
        store.dispose()


def assign_topics(project: Path, config: Config, *, db_url: str | None = None,
                  on_encode: Callable[[int, int], None] | None = None) -> TopicReport:
    """Place passages that have no topic yet (new since the fit) in the stored embedding
    model's topics, without refitting: `report.passages` says how many were assigned."""
    from stancemap.nlp.embedding_topics import EmbeddingTopics
    from stancemap.nlp.topics import VERSION

    started = time.perf_counter()
    store = Store(Path(project), url=db_url, create=False)
    try:
        latest = store.latest_topic_model()
        if latest is None:
            raise UsageError(Errors.E047.format(path=project))
        method = (latest["params"] or {}).get("method", "lda")
        if method != "embedding":
            raise UsageError(Errors.E049.format(model_id=latest["model_id"], method=method))
        have = store.code_values("topic")
        rows = [r for r in store.passages_for_topics(config.topics.languages) if r[0] not in have]
        manifest = {"command": "topics --assign", "model_id": latest["model_id"], "seed": config.seed,
                    "versions": versions()}
        run_id = store.begin_run("topics", manifest)
        report = TopicReport(run_id=run_id, model_id=latest["model_id"], num_topics=latest["num_topics"],
                             topics=latest["topics"], selection=latest["selection"], passages=len(rows),
                             reused=True)
        if rows:
            model = EmbeddingTopics.from_json(latest["params"]["state"], config.seed)
            vectors = passage_vectors(project, [text for _, _, text, _ in rows], on_encode)
            shares = model.transform(vectors, [lang or "und" for *_, lang in rows])
            found = {pid: [(t, round(float(p), 4)) for t, p in enumerate(row)]
                     for (pid, *_), row in zip(rows, shares)}
            codes = _topic_codes(latest["topics"], found, {pid: doc for pid, doc, *_ in rows},
                                 f"model:topics@{VERSION}+embedding-{latest['model_id']}",
                                 config.topics.min_share)
            store.write_codes(run_id, latest["signature"], [], [], codes)
        report.seconds = time.perf_counter() - started
        store.finish_run(run_id, {"passages": len(rows), "topics": report.num_topics},
                         manifest | {"seconds": round(report.seconds, 3)})
        return report
    finally:
        store.dispose()
