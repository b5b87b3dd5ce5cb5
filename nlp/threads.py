"""How coding divides the machine's cores: `coding.threads` in all, split evenly between worker
processes; within a process spaCy, the encoders and the heads run one after another, so each may
use the process's whole share without oversubscribing the cores. By default (`coding.processes =
0`) a run takes one single-threaded process per core: spaCy runs on one core, so a single
process leaves the others idle for the part of the time spaCy takes."""

from __future__ import annotations

import os

from stancemap.config import Config


def available_cores() -> int:
    """The cores this process may run on (a container's or a job's CPU set, not the machine's)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


# a coding process's peak resident memory with the default models is about 1.2 GB
# (benchmarks/pipeline.py, UNGDC x10); the automatic plan leaves room above that
PROCESS_MEMORY = 1.5 * 2**30


def available_memory() -> int | None:
    """Bytes the kernel says new processes can use without swapping (None where it cannot say)."""
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def local_processes(config: Config, passages: int) -> int:
    """Worker processes for coding `passages` on this machine: `coding.processes`, or when it is
    0 one per thread of `coding.threads`, no more than memory holds (PROCESS_MEMORY each) nor
    than there are batches of `coding.batch_size` passages — a small job stays in-process."""
    coding = config.coding
    if coding.processes:
        return coding.processes
    threads = coding.threads or available_cores()
    memory = available_memory()
    by_memory = int(memory // PROCESS_MEMORY) if memory is not None else threads
    batches = -(-passages // coding.batch_size)
    return max(1, min(threads, by_memory, batches))


def thread_plan(config: Config) -> dict[str, int]:
    """What the run manifest records: threads in all, processes, threads per process. A remote
    Dask scheduler's workers are one process per machine here (their cores are their own).
    `coding.processes = 0` not yet resolved (`local_processes`) plans for one process."""
    coding = config.coding
    threads = coding.threads or available_cores()
    if coding.engine == "dask":
        processes = 1 if coding.scheduler else coding.workers
    else:
        processes = coding.processes or 1
    return {"threads": threads, "processes": processes,
            "threads_per_process": max(1, threads // processes)}


def limit_blas(threads: int) -> None:
    """numpy's BLAS (the heads' products, scikit-learn) to this process's share."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=threads, user_api="blas")
