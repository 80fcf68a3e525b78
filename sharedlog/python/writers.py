"""Writer processes for poolbench's shared-log experiment, in the tutorial's
own shape: multiprocessing.Process writers that each append their records to
one file opened with open(path, 'a'), with or without a multiprocessing.Lock.

Usage: python3 -I writers.py LOG SOURCES WRITERS unlocked|locked

Writer i appends the lines of SOURCES/i.records, one f.write per record.
The writers load their records, meet at a barrier, and write; the wall time
from the barrier to the last writer's exit is printed as JSON on stdout with
the python version. Standard library only.
"""
import ctypes
import json
import multiprocessing
import os
import platform
import signal
import sys
import time

# How long the main process waits for every writer to load its records.
START_TIMEOUT = 60


def die_with_parent():
    """Have Linux kill this writer if the main process dies, so that no
    writer outlives an interrupted run."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def writer(path, source, lock, barrier):
    die_with_parent()
    with open(source) as src:
        records = src.readlines()
    barrier.wait(START_TIMEOUT)
    f = open(path, 'a')
    for record in records:
        if lock is None:
            f.write(record)
            continue
        lock.acquire()
        f.write(record)
        f.flush()  # inside the lock: otherwise it guards only the buffer
        lock.release()
    f.close()


def main():
    if len(sys.argv) != 5 or sys.argv[4] not in ('unlocked', 'locked'):
        sys.exit(__doc__)
    path, sources, writers = sys.argv[1], sys.argv[2], int(sys.argv[3])
    lock = multiprocessing.Lock() if sys.argv[4] == 'locked' else None
    barrier = multiprocessing.Barrier(writers + 1)
    procs = [
        multiprocessing.Process(
            target=writer,
            args=(path, os.path.join(sources, '%d.records' % i), lock, barrier))
        for i in range(writers)
    ]
    for p in procs:
        p.start()
    barrier.wait(START_TIMEOUT)
    start = time.perf_counter()
    for p in procs:
        p.join()
    wall = time.perf_counter() - start
    failed = ['writer %d exit %s' % (i, p.exitcode) for i, p in enumerate(procs) if p.exitcode != 0]
    if failed:
        sys.exit('; '.join(failed))
    json.dump({'python': platform.python_version(), 'wall_seconds': wall}, sys.stdout)


if __name__ == '__main__':
    main()
