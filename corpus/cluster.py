"""The Dask engine's plumbing: a client on a scheduler (or on a LocalCluster started here) and
tasks whose results come back in submission order, a bounded number in flight.

The client stays the only writer to the store: workers read files and code passages, the
client writes each result in one transaction, in the order a local run would. A task whose
worker dies is run again by the scheduler elsewhere, and its result still arrives once."""

from __future__ import annotations

import logging
import os
from collections import deque
from contextlib import contextmanager
from typing import Any, Callable, Iterable, Iterator

from stancemap.errors import Errors, StancemapError


class EngineError(StancemapError):
    exit_code = 1


@contextmanager
def dask_client(scheduler: str | None, workers: int) -> Iterator[Any]:
    """A distributed.Client on `scheduler` (tcp://host:8786), or on a LocalCluster of
    `workers` single-threaded worker processes when none is given."""
    try:
        from distributed import Client, LocalCluster
    except ImportError as err:
        raise EngineError(Errors.E273) from err
    cluster = None
    try:
        if scheduler:
            client = Client(scheduler, timeout="20s")
        else:
            quiet_resource_tracker()
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                   dashboard_address=None, silence_logs=logging.ERROR)
            client = Client(cluster)
    except (OSError, TimeoutError, ValueError) as err:
        if cluster is not None:
            cluster.close()
        raise EngineError(Errors.E274.format(scheduler=scheduler or "a LocalCluster",
                                             reason=f"{type(err).__name__}: {err}")) from err
    try:
        yield client
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


# a worker killed mid-task leaves the queue's semaphore to the resource tracker, which frees it
# and then warns about the "leaked semaphore" on the console: nothing was lost, so say nothing
TRACKER_WARNING = "ignore:resource_tracker:UserWarning"


def quiet_resource_tracker() -> None:
    """The tracker process is started later, with this environment: it reads PYTHONWARNINGS."""
    given = os.environ.get("PYTHONWARNINGS", "")
    if TRACKER_WARNING not in given.split(","):
        os.environ["PYTHONWARNINGS"] = ",".join(filter(None, [given, TRACKER_WARNING]))


def in_order(client, function: Callable, items: Iterable, *shared, window: int = 0) -> Iterator:
    """function(item, *shared) for every item on the cluster; results in the items' order, at
    most `window` tasks in flight (default: two per worker thread) so memory stays flat.
    `shared` values are sent to the workers once, not with every task: each as the result of a
    task of its own, not scattered, so a worker killed with the only copy costs a re-run of
    that task, where scattered data would be lost and the tasks needing it cancelled
    ("already forgotten")."""
    window = window or max(2, 2 * sum(client.nthreads().values()))
    sent = [client.submit(_given, value, pure=False) for value in shared]
    pending: deque = deque()
    for item in items:
        pending.append(client.submit(function, item, *sent, pure=False))
        if len(pending) >= window:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


def _given(value):
    """A shared value as a task's result: the scheduler can make it again."""
    return value
