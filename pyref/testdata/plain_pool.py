# A plain script of the kind a Python programmer would write to time the
# article's pool: Pool(workers), apply_async for every task with a callback,
# close, join; it prints the seconds that took. Tasks sleep the given
# seconds, or are noops at 0. Usage: plain_pool.py TASKS WORKERS SECONDS.
# poolbench's benchmarks (pyref, harness) set their CPython figures beside it.
import multiprocessing as mp, sys, time

def noop(i):
    return None

def work(i):
    time.sleep(float(sys.argv[3]))
    return i + 100

if __name__ == "__main__":
    tasks, workers, sleep = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
    fn = work if sleep > 0 else noop
    done = []
    t = time.perf_counter()
    pool = mp.Pool(workers)
    for i in range(tasks):
        pool.apply_async(fn, (i,), callback=done.append)
    pool.close()
    pool.join()
    elapsed = time.perf_counter() - t
    assert len(done) == tasks
    print(elapsed)
