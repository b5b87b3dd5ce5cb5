"""How coding divides the machine's cores: `coding.threads` in all, split evenly between worker
processes; within a process spaCy, the encoders and the heads run one after another, so each may
use the process's whole share without oversubscribing the cores."""

from __future__ import annotations

import os

from stancemap.config import Config


def available_cores() -> int:
    """The cores this process may run on (a container's or a job's CPU set, not the machine's)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def thread_plan(config: Config) -> dict[str, int]:
    """What the run manifest records: threads in all, processes, threads per process. A remote
    Dask scheduler's workers are one process per machine here (their cores are their own)."""
    coding = config.coding
    threads = coding.threads or available_cores()
    if coding.engine == "dask":
        processes = 1 if coding.scheduler else coding.workers
    else:
        processes = coding.processes
    return {"threads": threads, "processes": processes,
            "threads_per_process": max(1, threads // processes)}


def limit_blas(threads: int) -> None:
    """numpy's BLAS (the heads' products, scikit-learn) to this process's share."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=threads, user_api="blas")
