"""The Dask engine's plumbing: a worker killed mid-task leaves no "leaked semaphore" warning
on the console (the resource tracker still frees what the dead process held)."""

import subprocess
import sys

LEAK = """
import os, sys
if sys.argv[1] == "quiet":
    from stancemap.corpus.cluster import quiet_resource_tracker
    quiet_resource_tracker()  # what dask_client does before it starts a LocalCluster
import multiprocessing
semaphore = multiprocessing.get_context("spawn").Semaphore()  # as a worker's queue holds one
os._exit(0)  # dies like a SIGKILLed worker: nothing released
"""


def test_a_dead_process_semaphore_is_freed_without_a_warning():
    loud = subprocess.run([sys.executable, "-c", LEAK, "loud"], capture_output=True, text=True, timeout=60)
    quiet = subprocess.run([sys.executable, "-c", LEAK, "quiet"], capture_output=True, text=True, timeout=60)
    assert "leaked semaphore" in loud.stderr  # the warning the filter is for
    assert "leaked semaphore" not in quiet.stderr and quiet.returncode == 0
