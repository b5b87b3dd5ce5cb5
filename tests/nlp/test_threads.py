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
