"""CPython's own strategies, measured by poolbench beside the Go ones.

One thread per task, one multiprocessing.Process per task, and
multiprocessing.Pool through apply, apply_async (callback in the parent) and
map, on the same workloads as poolbench, each a twin of the Go one with the
same results: cpu (the same SHA-256 chain from the same seed), skewed (that
chain with the round count poolbench drew for each task), alloc (small
objects made and dropped), payload (bytes in, a CRC, bytes out), io (a
sleep) and noop.

Run as `python3 -I THIS_FILE` with the job as JSON on stdin. Records go to
file descriptor 3, one JSON object a line, "k" naming the kind:
  begin  {"pid", "start_method", "version"}: about to run the strategy
  spawn  {"pid", "s"}: a child process, from start() to its first line
  cb     {"pid"}: a process that ran a result callback (once per pid)
  tb     {"is", "ls", "ws", "ds", "ns"}: tasks done, as parallel lists: the
         index, the latency, the pid of the pool worker that ran it (0:
         none), when it was done (seconds since begin) and its value's
         length; the values follow the line as raw bytes, one after another
  t      {"i", "e" (kind), "m", "l", "d"}: task i failed
  end    {}: every task accounted for, every child joined
  fail   {"m"}: the strategy itself failed
Tasks are batched: a task costs its owner a tuple in a queue, and a thread
writes what has queued every 50 ms, so that recording a result costs the
strategy far less than running it does.
Standard library only; Python 3.8 or newer.
"""

import collections
import ctypes
import functools
import hashlib
import json
import multiprocessing
import os
import resource
import signal
import sys
import threading
import time
import zlib
from multiprocessing import context as mpcontext
from multiprocessing.connection import wait

# workloads.Fault's values.
NO_FAULT, CRASH, ERROR, HANG = 0, 1, 2, 3

MASK64 = (1 << 64) - 1


# CLOCK_MONOTONIC, one clock for every process of the host, so that a
# child's ready time and its parent's start() call can be subtracted; a
# partial, so that reading it runs no Python frame.
clock = functools.partial(time.clock_gettime, time.CLOCK_MONOTONIC)


# --- workloads -------------------------------------------------------------


def cpu(work, index, data):
    """workloads/cpu.go: sha256(index as 8 little-endian bytes), then size
    rounds of hashing the previous digest. skewed runs it too, with the
    round count poolbench drew for the task."""
    sha256 = hashlib.sha256
    h = sha256(index.to_bytes(8, "little")).digest()
    for _ in range(work.size_of(index)):
        h = sha256(h).digest()
    return h


def sleep(work, index, data):
    time.sleep(work.size / 1e9)
    return b""


def noop(work, index, data):
    return b""


class Small:
    """alloc's small object: a tag and 56 bytes, about Go's 64."""

    __slots__ = ("tag", "fill")


ALLOC_LIVE = 256  # workloads/alloc.go's allocLive


def alloc(work, index, data):
    """workloads/alloc.go: size/64 small objects, each tagged, written at
    both ends and dropped once ALLOC_LIVE newer ones exist; the result is
    the sum of the tags read back (mod 2^64), 8 little-endian bytes."""
    base = (index << 32) & MASK64
    live = [None] * ALLOC_LIVE
    total = 0
    for j in range(work.size // 64):
        o = Small()
        o.tag = base | j
        fill = bytearray(56)
        fill[0] = fill[55] = j & 255
        o.fill = fill
        slot = j % ALLOC_LIVE
        old = live[slot]
        if old is not None:
            total += old.tag
        live[slot] = o
    for o in live:
        if o is not None:
            total += o.tag
    return (total & MASK64).to_bytes(8, "little")


def pattern(offset, n):
    """workloads/payload.go's fillPattern: b[j] = (j + offset) mod 256."""
    block = bytes((j + offset) & 255 for j in range(256))
    return (block * (n // 256 + 1))[:n]


def payload(work, index, data):
    """workloads/payload.go: the CRC-32 of the input, then payload_out
    bytes: the CRC as 4 little-endian bytes and the pattern at offset
    crc mod 256 from byte 4 on."""
    crc = zlib.crc32(data) & 0xFFFFFFFF
    out = work.payload_out
    return (crc.to_bytes(4, "little") + pattern(crc & 255, out)[4:])[:out]


WORKLOADS = {"cpu": cpu, "skewed": cpu, "io": sleep, "noop": noop, "alloc": alloc, "payload": payload}


class Work:
    """What a task needs besides its index, read once from the job: in the
    owner, and in each pool worker by its initializer, so that a task sent
    to a worker is its index (and its input, for payload), as small as the
    plain script's."""

    def __init__(self, job):
        self.workload = job["workload"]
        self.fn = WORKLOADS[self.workload]
        self.size = job["size"]
        self.sizes = job.get("sizes") or None
        self.faults = {int(i): f for i, f in job["faults"].items()}
        self.seed = job.get("seed", 0)
        self.payload_in = job.get("payload_in", 0)
        self.payload_out = job.get("payload_out", 0)

    def size_of(self, index):
        return self.sizes[index] if self.sizes else self.size

    def fault(self, index):
        return self.faults.get(index, NO_FAULT) if self.faults else NO_FAULT

    def input(self, index):
        """Task index's input: payload's bytes, built by the task's owner
        and moved to wherever the task runs; None for the others."""
        if self.workload != "payload":
            return None
        return pattern((31 * index + self.seed) & 255, self.payload_in)


class InjectedError(Exception):
    """The fault `error`: the task raises."""


class InjectedCrash(Exception):
    """The fault `crash` where the task runs in the owner's process (serial,
    threads): ending the process would end every other task too."""


def run_here(work, index, data):
    """One task in this process: a crash raises instead of exiting."""
    if work.fault(index) == CRASH:
        raise InjectedCrash("task %d: injected crash" % index)
    return run_task(work, index, data)


def run_task(work, index, data):
    """One task in a child process: a crash ends the process mid-task."""
    fault = work.fault(index)
    if fault == CRASH:
        os._exit(1)
    if fault == ERROR:
        raise InjectedError("task %d: injected task error" % index)
    if fault == HANG:
        time.sleep(86400)
    return work.fn(work, index, data)


class TaskFailed(Exception):
    """A pool task's error as the owner receives it: args are the task's
    index, its error kind and what it said, so that one error callback
    serves every task."""


WORK = None  # a pool worker's Work, set by its initializer
PID = 0  # a pool worker's pid, taken once by its initializer


def run_pooled(index, data=None):
    """One task in a pool worker, which says who it is and which task with
    the result, as a poolbench pool does: set beside the callbacks' pids,
    it shows where each callback ran against where its task did. Without
    faults to inject the workload is called straight away: a noop task is
    a few microseconds of a worker's time, and each call here is a tenth
    of a microsecond more."""
    work = WORK
    try:
        if work.faults:
            return PID, index, run_task(work, index, data)
        return PID, index, work.fn(work, index, data)
    except Exception as exc:
        raise TaskFailed(index, error_kind(exc), describe(exc))


def run_packed(args):
    """run_pooled for Pool.map, which passes one argument."""
    return run_pooled(*args)


def error_kind(exc):
    return "crash" if isinstance(exc, InjectedCrash) else "error"


def describe(exc):
    return "%s: %s" % (type(exc).__name__, exc)


# --- records ---------------------------------------------------------------


SECONDS = "%.9f".__mod__


class Out:
    """The record stream to poolbench. A task's result is queued, and a
    thread writes what has queued every 50 ms, so that poolbench sees
    progress as it happens while a task costs its owner a tuple, not a
    formatted line and a lock."""

    BATCH = 4096  # tasks a line at most

    def __init__(self, fd):
        self.f = os.fdopen(fd, "wb", buffering=1 << 16)
        self.lock = threading.Lock()
        self.done = collections.deque()
        self.t0 = clock()
        self.stop = threading.Event()
        self.flusher = threading.Thread(target=self._flush_often, daemon=True)
        self.flusher.start()

    def _flush_often(self):
        while not self.stop.wait(0.05):
            try:
                self.flush()
            except OSError:
                return  # the reader is gone: main finds out on its next write

    def flush(self):
        with self.lock:
            self._write_tasks()
            self.f.flush()

    def _write_tasks(self):
        done = self.done
        while done:
            batch = [done.popleft() for _ in range(min(len(done), self.BATCH))]
            index, value, latency, worker, at = zip(*batch)
            t0 = self.t0
            line = '{"k":"tb","is":[%s],"ls":[%s],"ws":[%s],"ds":[%s],"ns":[%s]}\n' % (
                ",".join(map(str, index)),
                ",".join(map(SECONDS, latency)),
                ",".join(map(str, worker)),
                ",".join([SECONDS(max(0.0, x - t0)) for x in at]),
                ",".join(map(str, map(len, value))),
            )
            self.f.write(line.encode())
            if sum(map(len, value)) < 1 << 20:
                self.f.write(b"".join(value))
            else:
                for v in value:
                    self.f.write(v)

    def record(self, kind, **fields):
        """Writes a record now, after the tasks queued before it."""
        fields["k"] = kind
        with self.lock:
            if kind in ("begin", "end"):
                # The machine's monotonic clock, which the trial reads too:
                # it places the span, and every task's done time, on its
                # own clock exactly, whenever the record reaches it.
                fields["c"] = clock()
                if kind == "begin":
                    self.t0 = fields["c"]
            line = (json.dumps(fields, separators=(",", ":")) + "\n").encode()
            self._write_tasks()
            self.f.write(line)

    def task(self, index, value, latency, worker=0, at=None):
        """Task index's value, latency and the pool worker that ran it, done
        at `at` (clock(); now if None). Any thread may call it."""
        self.done.append((index, value, latency, worker, clock() if at is None else at))

    def task_error(self, index, kind, message, latency):
        self.record("t", i=index, e=kind, m=message, l=latency, d=max(0.0, clock() - self.t0))

    def close(self):
        self.stop.set()
        self.flusher.join()
        with self.lock:
            self._write_tasks()
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


def worker_ready(queue, job):
    """The pool's initializer: the worker reads the job once, says it is up
    and about to take tasks, and dies with its owner."""
    global WORK, PID
    PID = os.getpid()
    if job is not None:
        WORK = Work(job)
    queue.put((PID, clock()))
    die_with_parent()


def read_ready(queue):
    while True:
        msg = queue.get()
        if msg is None:
            return
        SPAWNS.ready_at(*msg)


# --- strategies ------------------------------------------------------------


def serial(job, ctx, out):
    """One task after another, as poolbench's serial does."""
    work, timeout = Work(job), job["task_timeout"]
    t0 = clock()
    for i in range(job["tasks"]):
        try:
            data = work.input(i)
            if timeout:
                value = run_with_timeout(work, i, data, timeout)
            else:
                value = run_here(work, i, data)
        except Exception as exc:
            out.task_error(i, timeout_kind(exc), describe(exc), clock() - t0)
        else:
            now = clock()
            out.task(i, value, now - t0, 0, now)


class TaskTimeout(Exception):
    """A task ran past its timeout and was abandoned, still running, as a
    thread cannot be killed."""


def timeout_kind(exc):
    return "timeout" if isinstance(exc, TaskTimeout) else error_kind(exc)


def run_with_timeout(work, i, data, timeout):
    box = []

    def body():
        try:
            box.append((True, run_here(work, i, data)))
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
    work, timeout = Work(job), job["task_timeout"]
    lock = threading.Lock()
    recorded = set()

    def record(i, value, exc):
        with lock:
            if i in recorded:
                return
            recorded.add(i)
        now = clock()
        if exc is None:
            out.task(i, value, now - t0, 0, now)
        else:
            out.task_error(i, timeout_kind(exc), describe(exc), now - t0)

    def body(i, data):
        try:
            value = run_here(work, i, data)
        except Exception as exc:
            record(i, None, exc)
        else:
            record(i, value, None)

    t0 = clock()
    started = []
    for i in range(job["tasks"]):
        t = threading.Thread(target=body, args=(i, work.input(i)), daemon=True)
        t.start()
        started.append((i, clock(), t))
    for i, began, t in started:
        t.join(None if not timeout else max(0.0, began + timeout - clock()))
        if t.is_alive():
            record(i, None, TaskTimeout("task %d ran past its timeout of %gs and was abandoned" % (i, timeout)))


def child(conn, work, index, data):
    """The body of one Process per task: ready, then the task's result."""
    conn.send(("ready", os.getpid(), clock()))
    die_with_parent()
    try:
        conn.send(("ok", run_task(work, index, data)))
    except Exception as exc:
        conn.send(("err", error_kind(exc), describe(exc)))
    conn.close()


def process_per_task(job, ctx, out):
    """One multiprocessing.Process per task, all started at once, each
    joined when it exits (and killed if it outlives the task timeout)."""
    work, timeout = Work(job), job["task_timeout"]
    t0 = clock()
    running = {}  # sentinel: [index, process, reader, deadline, result]
    readers = {}  # reader: the same
    for i in range(job["tasks"]):
        r, wr = ctx.Pipe(duplex=False)
        p = ctx.Process(target=child, args=(wr, work, i, work.input(i)))
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
    """A Pool of job["workers"] whose workers report their start and read
    the job once (None: the article's, which needs none of it)."""
    ready = ctx.SimpleQueue()
    reader = threading.Thread(target=read_ready, args=(ready,), daemon=True)
    reader.start()
    wire = None if job["strategy"] == "article" else job
    pool = ctx.Pool(job["workers"], initializer=worker_ready, initargs=(ready, wire))
    return pool, ready, reader


def close_pool(pool, ready, reader):
    pool.close()
    pool.join()
    ready.put(None)
    reader.join()


def pooled_args(work, i):
    """A pool task's arguments: its index, and payload's input."""
    data = work.input(i)
    return (i,) if data is None else (i, data)


def failed(out, exc, latency):
    """Records the failure of a pool task, which says which task it was;
    anything else failed the pool itself."""
    if not isinstance(exc, TaskFailed):
        raise exc
    i, kind, message = exc.args
    out.task_error(i, kind, message, latency)


def pool_apply(job, ctx, out):
    """Pool.apply for every task, one after another: no parallelism."""
    pool, ready, reader = new_pool(job, ctx)
    work = Work(job)
    for i in range(job["tasks"]):
        args = pooled_args(work, i)
        t = clock()
        try:
            worker, _, value = pool.apply(run_pooled, args)
        except Exception as exc:
            failed(out, exc, clock() - t)
        else:
            now = clock()
            out.task(i, value, now - t, worker, now)
    close_pool(pool, ready, reader)


def pool_apply_async(job, ctx, out):
    """The article's example: apply_async for every task with a callback,
    which runs in this (the pool owner's) process; then close and join.

    One callback and one error callback serve every task, and the submit
    times wait in a list, as the result says which task it is: a pair of
    closures a task, as the article writes them, makes enough garbage over
    20,000 pending tasks to slow the owner's collector by a fifth. The loop
    and the callback call nothing written in Python but the workload's
    input, where it has one."""
    pool, ready, reader = new_pool(job, ctx)
    work = Work(job)
    n = job["tasks"]
    sent = [0.0] * n
    callback_pids = set()
    done, getpid = out.done.append, os.getpid

    def callback(result):
        now = clock()
        pid = getpid()
        if pid not in callback_pids:
            callback_pids.add(pid)
            out.record("cb", pid=pid)
        worker, i, value = result
        done((i, value, now - sent[i], worker, now))

    def error_callback(exc):
        if isinstance(exc, TaskFailed):
            failed(out, exc, clock() - sent[exc.args[0]])
        else:
            out.record("fail", m="apply_async: " + describe(exc))

    apply_async = pool.apply_async
    data = work.input if work.workload == "payload" else None
    for i in range(n):
        args = (i,) if data is None else (i, data(i))
        sent[i] = clock()
        apply_async(run_pooled, args, callback=callback, error_callback=error_callback)
    close_pool(pool, ready, reader)


def pool_map(job, ctx, out):
    """Pool.map over every task: results come back together, in order; one
    failed task raises and loses every other task's result."""
    pool, ready, reader = new_pool(job, ctx)
    work = Work(job)
    args = [pooled_args(work, i) for i in range(job["tasks"])]
    t = clock()
    try:
        values = pool.map(run_packed, args, job.get("chunk_size") or None)
    except Exception as exc:
        latency = clock() - t
        said = exc.args[2] if isinstance(exc, TaskFailed) else describe(exc)
        msg = "Pool.map raised %s; the results of the other tasks are lost" % said
        for i in range(job["tasks"]):
            out.task_error(i, "lost", msg, latency)
    else:
        now = clock()
        for worker, i, value in values:
            out.task(i, value, now - t, worker, now)
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
            now = clock()
            out.task(i, str(value).encode(), now - t, worker, now)

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
    try:
        sys.exit(main())
    except BrokenPipeError:
        # The trial reading the records is gone (it was stopped or
        # interrupted, and this process is about to be killed with it):
        # there is no one left to tell, so no traceback, and no flush of
        # the dead pipe at exit either.
        os._exit(1)
