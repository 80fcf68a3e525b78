"""CPython's own strategies, measured by poolbench beside the Go ones.

One thread per task, one multiprocessing.Process per task, and
multiprocessing.Pool through apply, apply_async (callback in the parent) and
map, on the same workloads as poolbench: cpu (the same SHA-256 chain from the
same seed, so the results equal Go's), io (a sleep) and noop.

Run as `python3 -I THIS_FILE` with the job as JSON on stdin. Records go to
file descriptor 3, one JSON object a line, "k" naming the kind:
  begin  {"pid", "start_method", "version"}: about to run the strategy
  spawn  {"pid", "s"}: a child process, from start() to its first line
  cb     {"pid"}: a process that ran a result callback (once per pid)
  t      {"i", "v" (hex) | "e" (kind) and "m", "l", "w"}: task i done, its
         latency, and the pid of the pool worker that ran it (0: none)
  end    {}: every task accounted for, every child joined
  fail   {"m"}: the strategy itself failed
Standard library only; Python 3.8 or newer.
"""

import ctypes
import hashlib
import json
import multiprocessing
import os
import resource
import signal
import sys
import threading
import time
from multiprocessing import context as mpcontext
from multiprocessing.connection import wait

# workloads.Fault's values.
NO_FAULT, CRASH, ERROR, HANG = 0, 1, 2, 3


def clock():
    """CLOCK_MONOTONIC, one clock for every process of the host, so that a
    child's ready time and its parent's start() call can be subtracted."""
    return time.clock_gettime(time.CLOCK_MONOTONIC)


# --- workloads -------------------------------------------------------------


def cpu(size, index):
    """workloads/cpu.go: sha256(index as 8 little-endian bytes), then size
    rounds of hashing the previous digest."""
    sha256 = hashlib.sha256
    h = sha256(index.to_bytes(8, "little")).digest()
    for _ in range(size):
        h = sha256(h).digest()
    return h


def sleep(size, index):
    time.sleep(size / 1e9)
    return b""


def noop(size, index):
    return b""


WORKLOADS = {"cpu": cpu, "io": sleep, "noop": noop}


class InjectedError(Exception):
    """The fault `error`: the task raises."""


class InjectedCrash(Exception):
    """The fault `crash` where the task runs in the owner's process (serial,
    threads): ending the process would end every other task too."""


def run_here(workload, size, index, fault):
    """One task in this process: a crash raises instead of exiting."""
    if fault == CRASH:
        raise InjectedCrash("task %d: injected crash" % index)
    return run_task(workload, size, index, fault)


def run_task(workload, size, index, fault):
    """One task in a child process: a crash ends the process mid-task."""
    if fault == CRASH:
        os._exit(1)
    if fault == ERROR:
        raise InjectedError("task %d: injected task error" % index)
    if fault == HANG:
        time.sleep(86400)
    return WORKLOADS[workload](size, index)


def run_pooled(workload, size, index, fault):
    """run_task in a pool worker, which says who it is with the result, as
    a poolbench pool does: set beside the callbacks' pids, it shows where
    each callback ran against where its task did."""
    return os.getpid(), run_task(workload, size, index, fault)


def run_packed(args):
    """run_pooled for Pool.map, which passes one argument."""
    return run_pooled(*args)


def error_kind(exc):
    return "crash" if isinstance(exc, InjectedCrash) else "error"


def describe(exc):
    return "%s: %s" % (type(exc).__name__, exc)


# --- records ---------------------------------------------------------------


class Out:
    """The record stream to poolbench. Writes are buffered and flushed every
    50 ms by a thread, so that a task costs a formatted line, not a system
    call, and poolbench still sees progress as it happens."""

    def __init__(self, fd):
        self.f = os.fdopen(fd, "wb", buffering=1 << 16)
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.flusher = threading.Thread(target=self._flush_often, daemon=True)
        self.flusher.start()

    def _flush_often(self):
        while not self.stop.wait(0.05):
            self.flush()

    def flush(self):
        with self.lock:
            self.f.flush()

    def write(self, line):
        with self.lock:
            self.f.write(line)

    def record(self, kind, **fields):
        fields["k"] = kind
        self.write((json.dumps(fields, separators=(",", ":")) + "\n").encode())

    def task(self, index, value, latency, worker=0):
        self.write(
            ('{"k":"t","i":%d,"v":"%s","l":%.9f,"w":%d}\n' % (index, value.hex(), latency, worker)).encode()
        )

    def task_error(self, index, kind, message, latency):
        self.record("t", i=index, e=kind, m=message, l=latency)

    def close(self):
        self.stop.set()
        self.flusher.join()
        with self.lock:
            self.f.close()


# --- spawn timing ----------------------------------------------------------


class Spawns:
    """Matches each child's start() call with its ready message, whichever
    comes first, and records the difference."""

    def __init__(self, out):
        self.out = out
        self.lock = threading.Lock()
        self.started = {}
        self.ready = {}

    def start(self, pid, t):
        self._match(pid, t, self.started, self.ready, lambda r: r - t)

    def ready_at(self, pid, t):
        self._match(pid, t, self.ready, self.started, lambda s: t - s)

    def _match(self, pid, t, mine, theirs, elapsed):
        with self.lock:
            other = theirs.pop(pid, None)
            if other is None:
                mine[pid] = t
                return
        self.out.record("spawn", pid=pid, s=elapsed(other))


SPAWNS = None  # the Spawns of the owner process


def timed(base):
    """A Process class of one start method whose start() is timed."""

    class Timed(base):
        def start(self):
            t = clock()
            super().start()
            SPAWNS.start(self.pid, t)

    Timed.__name__ = Timed.__qualname__ = "Timed" + base.__name__
    return Timed


# Top-level names, so that the spawn and forkserver methods can pickle them.
TimedForkProcess = timed(mpcontext.ForkProcess)
TimedSpawnProcess = timed(mpcontext.SpawnProcess)
TimedForkServerProcess = timed(mpcontext.ForkServerProcess)


class TimedForkContext(mpcontext.ForkContext):
    Process = TimedForkProcess


class TimedSpawnContext(mpcontext.SpawnContext):
    Process = TimedSpawnProcess


class TimedForkServerContext(mpcontext.ForkServerContext):
    Process = TimedForkServerProcess


CONTEXTS = {
    "fork": TimedForkContext,
    "spawn": TimedSpawnContext,
    "forkserver": TimedForkServerContext,
}


def die_with_parent():
    """Have the kernel kill this child when its parent dies, as poolbench's
    own workers are: a pool worker in the middle of a task would otherwise
    outlive an interpreter killed with its trial. Linux only; elsewhere the
    process group poolbench kills is all there is."""
    if not sys.platform.startswith("linux"):
        return
    parent = os.getppid()
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # it died before the signal was set
        os._exit(1)


def worker_ready(queue):
    """The pool's initializer: the worker is up and about to take tasks."""
    queue.put((os.getpid(), clock()))
    die_with_parent()


def read_ready(queue):
    while True:
        msg = queue.get()
        if msg is None:
            return
        SPAWNS.ready_at(*msg)


# --- strategies ------------------------------------------------------------


def tasks(job):
    faults = job["faults"]
    for i in range(job["tasks"]):
        yield i, faults.get(str(i), NO_FAULT)


def serial(job, ctx, out):
    """One task after another, as poolbench's serial does."""
    w, size, timeout = job["workload"], job["size"], job["task_timeout"]
    t0 = clock()
    for i, fault in tasks(job):
        try:
            if timeout:
                value = run_with_timeout(w, size, i, fault, timeout)
            else:
                value = run_here(w, size, i, fault)
        except Exception as exc:
            out.task_error(i, timeout_kind(exc), describe(exc), clock() - t0)
        else:
            out.task(i, value, clock() - t0)


class TaskTimeout(Exception):
    """A task ran past its timeout and was abandoned, still running, as a
    thread cannot be killed."""


def timeout_kind(exc):
    return "timeout" if isinstance(exc, TaskTimeout) else error_kind(exc)


def run_with_timeout(w, size, i, fault, timeout):
    box = []

    def body():
        try:
            box.append((True, run_here(w, size, i, fault)))
        except Exception as exc:
            box.append((False, exc))

    t = threading.Thread(target=body, daemon=True)
    t.start()
    t.join(timeout)
    if not box:
        raise TaskTimeout("task %d ran past its timeout of %gs and was abandoned" % (i, timeout))
    ok, v = box[0]
    if not ok:
        raise v
    return v


def threads(job, ctx, out):
    """One threading.Thread per task, all started at once: the article's
    threads, which the GIL lets run Python code one at a time."""
    w, size, timeout = job["workload"], job["size"], job["task_timeout"]
    lock = threading.Lock()
    recorded = set()

    def record(i, value, exc):
        with lock:
            if i in recorded:
                return
            recorded.add(i)
        if exc is None:
            out.task(i, value, clock() - t0)
        else:
            out.task_error(i, timeout_kind(exc), describe(exc), clock() - t0)

    def body(i, fault):
        try:
            value = run_here(w, size, i, fault)
        except Exception as exc:
            record(i, None, exc)
        else:
            record(i, value, None)

    t0 = clock()
    started = []
    for i, fault in tasks(job):
        t = threading.Thread(target=body, args=(i, fault), daemon=True)
        t.start()
        started.append((i, clock(), t))
    for i, began, t in started:
        t.join(None if not timeout else max(0.0, began + timeout - clock()))
        if t.is_alive():
            record(i, None, TaskTimeout("task %d ran past its timeout of %gs and was abandoned" % (i, timeout)))


def child(conn, workload, size, index, fault):
    """The body of one Process per task: ready, then the task's result."""
    conn.send(("ready", os.getpid(), clock()))
    die_with_parent()
    try:
        conn.send(("ok", run_task(workload, size, index, fault)))
    except Exception as exc:
        conn.send(("err", error_kind(exc), describe(exc)))
    conn.close()


def process_per_task(job, ctx, out):
    """One multiprocessing.Process per task, all started at once, each
    joined when it exits (and killed if it outlives the task timeout)."""
    w, size, timeout = job["workload"], job["size"], job["task_timeout"]
    t0 = clock()
    running = {}  # sentinel: [index, process, reader, deadline, result]
    readers = {}  # reader: the same
    for i, fault in tasks(job):
        r, wr = ctx.Pipe(duplex=False)
        p = ctx.Process(target=child, args=(wr, w, size, i, fault))
        p.start()
        wr.close()
        running[p.sentinel] = readers[r] = [i, p, r, clock() + timeout if timeout else None, None]
    while running:
        deadlines = [e[3] for e in running.values() if e[3] is not None]
        left = max(0.0, min(deadlines) - clock()) if deadlines else None
        for ready in wait(list(running) + list(readers), left):
            if ready in readers:
                # Read as it comes, so that a start is recorded when the
                # child is up, not when it is done.
                e = readers[ready]
                if not receive(e):
                    del readers[ready]
            elif ready in running:
                e = running.pop(ready)
                e[1].join()
                readers.pop(e[2], None)
                finish_child(out, e, clock() - t0, None)
        now = clock()
        for s, e in list(running.items()):
            if e[3] is not None and now >= e[3]:
                del running[s]
                readers.pop(e[2], None)
                e[1].kill()
                e[1].join()
                msg = "task %d: process %d killed after its timeout of %gs" % (e[0], e[1].pid, timeout)
                finish_child(out, e, clock() - t0, msg)


def receive(e):
    """Takes one message from a child's pipe; False once it is closed."""
    try:
        msg = e[2].recv()
    except (EOFError, OSError):
        return False
    if msg[0] == "ready":
        SPAWNS.ready_at(msg[1], msg[2])
    else:
        e[4] = msg
    return True


def finish_child(out, e, latency, timed_out):
    i, p, r = e[0], e[1], e[2]
    while True:
        try:
            if r.closed or not r.poll():
                break
        except (EOFError, OSError):
            break
        if not receive(e):
            break
    r.close()
    result = e[4]
    if timed_out:
        out.task_error(i, "timeout", timed_out, latency)
    elif result is None:
        out.task_error(i, "crash", "task %d: process %d exited with status %s" % (i, p.pid, p.exitcode), latency)
    elif result[0] == "ok":
        out.task(i, result[1], latency)
    else:
        out.task_error(i, result[1], result[2], latency)


def new_pool(job, ctx):
    ready = ctx.SimpleQueue()
    reader = threading.Thread(target=read_ready, args=(ready,), daemon=True)
    reader.start()
    pool = ctx.Pool(job["workers"], initializer=worker_ready, initargs=(ready,))
    return pool, ready, reader


def close_pool(pool, ready, reader):
    pool.close()
    pool.join()
    ready.put(None)
    reader.join()


def pool_apply(job, ctx, out):
    """Pool.apply for every task, one after another: no parallelism."""
    pool, ready, reader = new_pool(job, ctx)
    w, size = job["workload"], job["size"]
    for i, fault in tasks(job):
        t = clock()
        try:
            worker, value = pool.apply(run_pooled, (w, size, i, fault))
        except Exception as exc:
            out.task_error(i, error_kind(exc), describe(exc), clock() - t)
        else:
            out.task(i, value, clock() - t, worker)
    close_pool(pool, ready, reader)


def pool_apply_async(job, ctx, out):
    """The article's example: apply_async for every task with a callback,
    which runs in this (the pool owner's) process; then close and join."""
    pool, ready, reader = new_pool(job, ctx)
    w, size = job["workload"], job["size"]
    callback_pids = set()

    def handlers(i, t):
        def callback(result):
            pid = os.getpid()
            if pid not in callback_pids:
                callback_pids.add(pid)
                out.record("cb", pid=pid)
            out.task(i, result[1], clock() - t, result[0])

        def error_callback(exc):
            out.task_error(i, error_kind(exc), describe(exc), clock() - t)

        return callback, error_callback

    for i, fault in tasks(job):
        callback, error_callback = handlers(i, clock())
        pool.apply_async(run_pooled, (w, size, i, fault), callback=callback, error_callback=error_callback)
    close_pool(pool, ready, reader)


def pool_map(job, ctx, out):
    """Pool.map over every task: results come back together, in order; one
    failed task raises and loses every other task's result."""
    pool, ready, reader = new_pool(job, ctx)
    w, size = job["workload"], job["size"]
    args = [(w, size, i, fault) for i, fault in tasks(job)]
    t = clock()
    try:
        values = pool.map(run_packed, args)
    except Exception as exc:
        latency = clock() - t
        msg = "Pool.map raised %s; the results of the other tasks are lost" % describe(exc)
        for i, _ in tasks(job):
            out.task_error(i, "lost", msg, latency)
    else:
        latency = clock() - t
        for i, (worker, value) in enumerate(values):
            out.task(i, value, latency, worker)
    close_pool(pool, ready, reader)


def article_func(i, seconds):
    """The article's func: sleep, then return i + 100."""
    time.sleep(seconds)
    return os.getpid(), i + 100


def article(job, ctx, out):
    """The article's pool example as it wrote it: Pool(workers), apply_async
    for every task with a callback that prints the pid, the parent pid and
    the value, then close() and join()."""
    pool, ready, reader = new_pool(job, ctx)
    seconds = job["size"] / 1e9

    def log_for(i, t):
        def log(result):
            worker, value = result
            print("log: pid %d, parent pid %d, value %d (computed by worker %d)" % (os.getpid(), os.getppid(), value, worker))
            out.record("cb", pid=os.getpid())
            out.task(i, str(value).encode(), clock() - t, worker)

        return log

    for i in range(job["tasks"]):
        pool.apply_async(article_func, (i, seconds), callback=log_for(i, clock()))
    close_pool(pool, ready, reader)
    sys.stdout.flush()


STRATEGIES = {
    "serial": serial,
    "threads": threads,
    "process-per-task": process_per_task,
    "pool-apply": pool_apply,
    "pool-apply-async": pool_apply_async,
    "pool-map": pool_map,
    "article": article,
}


def main():
    global SPAWNS
    job = json.load(sys.stdin)
    out = Out(3)
    try:
        # A Process per task holds two descriptors a task, as Go raises its
        # own limit at start.
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        method = job["start_method"] or multiprocessing.get_start_method()
        ctx = CONTEXTS[method]()
        strategy = STRATEGIES[job["strategy"]]
        SPAWNS = Spawns(out)
        out.record("begin", pid=os.getpid(), start_method=method, version=sys.version.split()[0])
        out.flush()
        strategy(job, ctx, out)
        out.record("end")
    except Exception as exc:
        out.record("fail", m=describe(exc))
        out.close()
        return 1
    out.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
