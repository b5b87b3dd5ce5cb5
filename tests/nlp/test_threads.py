"""coding.threads: divided between worker processes, recorded in each coding run's manifest."""

import json
import sqlite3

from stancemap.config import Config
from stancemap.nlp.threads import available_cores, thread_plan


def plan(**coding):
    return thread_plan(Config.model_validate({"coding": coding}))


def test_threads_default_to_the_cores_this_process_may_use():
    assert plan() == {"threads": available_cores(), "processes": 1,
                      "threads_per_process": available_cores()}


def test_threads_are_divided_between_worker_processes_never_below_one():
    assert plan(threads=8, processes=4)["threads_per_process"] == 2
    assert plan(threads=8, engine="dask", workers=3)["threads_per_process"] == 2
    assert plan(threads=2, processes=4)["threads_per_process"] == 1
    remote = plan(threads=4, engine="dask", scheduler="tcp://10.0.0.5:8786", workers=8)
    assert remote["processes"] == 1 and remote["threads_per_process"] == 4


def test_the_run_manifest_records_the_threads(coded_project):
    with sqlite3.connect(coded_project / "stancemap.db") as conn:
        (manifest,), = conn.execute("SELECT manifest FROM runs WHERE command = 'code'").fetchall()
    assert json.loads(manifest)["threads"] == plan()


def test_automatic_processes_one_per_core_within_memory_and_batches(monkeypatch):
    from stancemap.nlp import threads

    def processes(passages, memory_gb=64.0, **coding):
        monkeypatch.setattr(threads, "available_memory",
                            lambda: None if memory_gb is None else int(memory_gb * 2**30))
        return threads.local_processes(Config.model_validate({"coding": coding}), passages)

    assert processes(1000, threads=4, batch_size=100) == 4
    assert processes(250, threads=4, batch_size=100) == 3  # three batches
    assert processes(50, threads=4, batch_size=100) == 1  # one batch stays in this process
    assert processes(0, threads=4, batch_size=100) == 1
    assert processes(1000, memory_gb=3.2, threads=4, batch_size=100) == 2  # 1.5 GB each
    assert processes(1000, memory_gb=0.5, threads=4, batch_size=100) == 1
    assert processes(1000, memory_gb=None, threads=4, batch_size=100) == 4
    assert processes(10, threads=4, processes=3) == 3  # a number set is kept


def test_available_memory_is_read_from_the_kernel():
    from stancemap.nlp.threads import available_memory

    memory = available_memory()
    assert memory is None or memory > 0
