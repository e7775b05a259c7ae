"""Per-document worker processes, each document under a deadline and a memory limit.

The stdlib pools cannot stop one task: this is a small pool of our own over `multiprocessing`.
Each worker takes one document at a time through a pipe. The parent waits on the pipes and the
processes' sentinels with the nearest deadline as its timeout, so:

- a document past its deadline (`Limits.deadline`: `doc_timeout` + `page_timeout` per page that
  may need OCR, known after the worker has looked at the file) has its worker killed — with its
  process group, so a Tesseract child goes too — and becomes a failure row `timeout`;
- a worker whose resident memory (with its children) passes `memory_mb` is killed the same way
  (`memory`); inside, `RLIMIT_AS` caps the address space at its size at start + `memory_mb`, so a
  runaway allocation fails fast with MemoryError instead of swapping the machine;
- a worker that dies (a crash in a C library: `worker`) becomes a failure row; one killed from
  outside (SIGKILL, SIGTERM: an operator, the kernel's OOM killer) is marked transient and is tried
  again by the next run;
- the worker is replaced and the batch goes on.

If the parent dies, the workers die with it: each asks the kernel for SIGTERM when its parent
goes (`prctl(PR_SET_PDEATHSIG)`), runs a watchdog thread that checks the parent every half
second, and on either kills its own process group. Workers are forked from a forkserver that has
already imported and warmed the pipeline (rules compiled once), so starting or replacing one costs
milliseconds; where forkserver is not available they are spawned.
"""
from __future__ import annotations

import collections
import ctypes
import ctypes.util
import multiprocessing as mp
import os
import pickle
import signal
import threading
import time
from dataclasses import dataclass
from functools import cache
from multiprocessing.connection import wait
from typing import Iterable, Iterator

from .proc import process_alive as _alive
from .limits import Limits, Refused, clean_reason, inspect, set_image_cap
from .models import DocumentRecord, Failure

MB = 1024 * 1024
PR_SET_PDEATHSIG = 1
# signals that mean "killed from outside" (an operator, a scheduler, the OOM killer): retried next run
EXTERNAL_SIGNALS = {signal.SIGKILL, signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGQUIT}


@dataclass
class InputFailure(Failure):
    """A Failure with what the store needs for idempotence: `input_key` (what must change for the
    file to be tried again, when it is not its sha256) and `transient` (try again next run)."""

    input_key: str | None = None
    transient: bool = False


# -- inside a worker ------------------------------------------------------------------------------
@cache  # opened once (in the forkserver: the workers inherit it)
def _libc():
    """The C library for `prctl`, without starting a process: the symbols already loaded in this
    one (CPython links libc), else libc.so.6. Not `ctypes.util.find_library`, which runs
    `ldconfig -p` in a subprocess: from a worker that is a fork of a ~100 MB process at every
    worker start (briefly one more worker-sized process in the tree, and a slower start)."""
    lib = None
    for name in (None, "libc.so.6"):
        try:
            cand = ctypes.CDLL(name, use_errno=True)
        except OSError:
            continue
        if hasattr(cand, "prctl"):
            lib = cand
            break
    if lib is None:  # an unusual libc name (not glibc, not Linux): ask the loader's cache, once
        try:
            lib = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        except OSError:
            lib = None
    return lib


def set_pdeathsig(sig: int = signal.SIGTERM) -> bool:
    """Linux: ask the kernel to send `sig` to this process when its parent dies."""
    libc = _libc()
    if libc is None or not hasattr(libc, "prctl"):
        return False
    return libc.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0) == 0


def _die(*_args) -> None:
    """End this worker and everything it started (its process group)."""
    try:
        os.killpg(os.getpgrp(), signal.SIGKILL)
    finally:
        os._exit(1)


def _watchdog(main_pid: int, ppid: int) -> None:
    while True:
        time.sleep(0.5)
        if os.getppid() != ppid or not _alive(main_pid):
            _die()


def _vm_size() -> int | None:
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def _set_memory_limit(memory_mb: int) -> None:
    try:
        import resource
    except ImportError:  # pragma: no cover - not POSIX
        return
    base = _vm_size() or 0
    limit = base + memory_mb * MB
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    try:
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ValueError, OSError):
        pass


def _become_worker(main_pid: int) -> None:
    try:
        os.setpgid(0, 0)  # its own group: killed with its children; no terminal ^C (the parent decides)
    except OSError:
        pass
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _die)
    set_pdeathsig(signal.SIGTERM)
    ppid = os.getppid()
    if not _alive(main_pid):
        _die()
    threading.Thread(target=_watchdog, args=(main_pid, ppid), daemon=True, name="vanban-watchdog").start()


def _read_checked(m: str, label: str, who: str, lim: Limits) -> bytes | InputFailure:
    """A file's bytes, or the failure (empty, too large, unreadable) that refuses it."""
    from .text.sources import _open_binary

    try:
        size = os.stat(m).st_size
        if size == 0:
            return InputFailure(label, "read", f"{who}empty file")
        if size > lim.max_bytes:
            return InputFailure(label, "limits", f"{who}file too large: {size / 1e6:.1f} MB > limit "
                                                 f"{lim.max_bytes / 1e6:.0f} MB")
        with _open_binary(m) as fh:
            data = fh.read(lim.max_bytes + 1)
        if len(data) > lim.max_bytes:
            return InputFailure(label, "limits", f"{who}file too large: more than {lim.max_bytes / 1e6:.0f} MB")
    except OSError as e:
        return InputFailure(label, "read", f"{who}cannot read file: {e.strerror or e}")
    return data


def _safe(label: str, run):
    """`document.process_safe` for the steps of a split document (plan, page, assemble)."""
    from .errors import InputError

    try:
        return run()
    except InputError as e:
        return Failure(source_path=label, stage=e.stage, error=e.message)
    except MemoryError:
        return Failure(source_path=label, stage="extract", error="out of memory")
    except Exception as e:  # a bug must not stop a nightly batch: record it with its type
        return Failure(source_path=label, stage="extract", error=f"internal error: {type(e).__name__}: {e}")


def handle(path, lim: Limits, ocr: bool = True, report=None, split_pages: int | None = None):
    """One task inside a worker: a document (size, declared-size checks, then `process`), or a
    step of a split document (`pipeline.pages`: a page to OCR, the pages to assemble); reasons
    cleaned. With `split_pages`, a single file with more pages that may need OCR than that is
    returned as a `pages.PagePlan` when more than `split_pages` pages really need OCR."""
    from .document import PageGroup, process_safe
    from .pages import AssembleJob, PageJob, assemble_job, ocr_page, plan
    from .text.sources import kind_of

    if isinstance(path, PageJob):
        data = _read_checked(path.path, path.path, "", lim)
        if isinstance(data, Failure):
            return data
        if report is not None:
            report(1)
        return _cleaned(_safe(path.path, lambda: ocr_page(path, data)), lim)
    if isinstance(path, AssembleJob):
        if report is not None:
            report(0)
        return _cleaned(_safe(str(path), lambda: assemble_job(path)), lim)
    # a multi-image document (`PageGroup`): every member is checked as a file of its own, and
    # its failures name the group (its label) with the member
    members = path.members if isinstance(path, PageGroup) else (path,)
    label = str(path)
    datas: list[bytes] = []
    pages = 0
    for m in members:
        who = "" if len(members) == 1 else f"{os.path.basename(m)}: "
        data = _read_checked(m, label, who, lim)
        if isinstance(data, Failure):
            return data
        try:
            pages += inspect(data, kind_of(m), lim, ocr)
        except Refused as r:
            return InputFailure(label, r.stage, f"{who}{r.message}")
        except MemoryError:
            return InputFailure(label, "memory", f"{who}out of memory while checking the file (limit {lim.memory_mb} MB)")
        except Exception:
            pass  # the check itself stumbled: the readers decide, under the same limits
        datas.append(data)
    if report is not None:
        report(pages)
    if isinstance(path, PageGroup):
        res = process_safe(path, data=datas, ocr=ocr, max_bytes=lim.max_bytes)
    elif split_pages is not None and ocr and pages > split_pages:
        res = _safe(label, lambda: plan(path, datas[0], ocr, lim.max_bytes, split_pages))
    else:
        res = process_safe(path, data=datas[0], ocr=ocr, max_bytes=lim.max_bytes)
    return _cleaned(res, lim)


def _cleaned(res, lim: Limits):
    from .pages import PageResult

    if isinstance(res, Failure):
        if res.error == "out of memory":
            res.stage, res.error = "memory", f"out of memory: the document needs more than {lim.memory_mb} MB"
        res.error = clean_reason(res.error)
    elif isinstance(res, (DocumentRecord, PageResult)):
        for f in res.failures:
            f.error = clean_reason(f.error)
    return res


def _worker_main(conn, main_pid: int, env: dict, limits: dict, ocr: bool, max_tasks: int = 1000,
                 split_pages: int | None = None, raw: bool = False) -> None:
    _become_worker(main_pid)
    os.environ.clear()
    os.environ.update(env)
    lim = Limits(**limits)
    set_image_cap(lim.max_pixels)
    _set_memory_limit(lim.memory_mb)
    done = 0
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            break
        if task is None:
            break
        tid, path = task
        res = handle(path, lim, ocr, report=lambda n, tid=tid: conn.send(("pages", tid, n)), split_pages=split_pages)
        done += 1
        # a fresh worker after a memory failure (this heap may be fragmented) or after `max_tasks`
        # documents (whatever a reader library leaks stays bounded); the parent is told with the result
        retire = (isinstance(res, Failure) and res.stage == "memory") or done >= max_tasks
        try:
            # `raw`: the result pickled here, sent on as bytes by the parent (a Dask worker) untouched
            conn.send(("done", tid, pickle.dumps(res, protocol=pickle.HIGHEST_PROTOCOL) if raw else res, retire))
        except MemoryError:
            conn.send(("done", tid, InputFailure(str(path), "memory", f"out of memory: the document's result "
                                                                  f"does not fit the limit of {lim.memory_mb} MB"), True))
            retire = True
        if retire:
            break
    os._exit(0)


# -- warming the forkserver ----------------------------------------------------------------------
_WARM_TEXT = ("ỦY BAN NHÂN DÂN\nTỈNH QUẢNG NGÃI\nSố: 76/KH-UBND\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
              "Độc lập - Tự do - Hạnh phúc\nQuảng Ngãi, ngày 26 tháng 3 năm 2024\n\nKẾ HOẠCH\nNâng cao năng lực\n\n"
              "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;\n"
              "Thực hiện Chỉ thị số 05-CT/TU ngày 18/12/2023 của Ban Thường vụ Tỉnh ủy.\n"
              "Nơi nhận:\n- Sở Y tế;\n- Lưu: VT.\nTM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\n\nVõ Thị Thanh Hà\n")


def _warm() -> None:
    """Import the readers and compile the rules once, in the forkserver, before any fork; open
    the C library there too (`_libc`), so a new worker starts without looking it up."""
    _libc()
    try:
        from .document import process

        process("warm.txt", data=_WARM_TEXT.encode("utf-8"), ocr=False)
        import docx  # noqa: F401
        import pdfplumber  # noqa: F401
        import pypdfium2  # noqa: F401
        from PIL import Image  # noqa: F401
    except Exception:
        pass


if os.environ.pop("_VANBAN_FORKSERVER_WARM", None) == "1":
    _warm()


def _context():
    if "forkserver" in mp.get_all_start_methods():
        ctx = mp.get_context("forkserver")
        from multiprocessing import forkserver

        ctx.set_forkserver_preload(["pipeline.worker"])
        os.environ["_VANBAN_FORKSERVER_WARM"] = "1"
        try:
            forkserver.ensure_running()
        finally:
            os.environ.pop("_VANBAN_FORKSERVER_WARM", None)
        return ctx
    return mp.get_context("spawn")


# -- the parent's side ----------------------------------------------------------------------------
def process_tree(pid: int) -> list[int]:
    """A process and its descendants, children of every thread included (Linux /proc)."""
    out: list[int] = []
    todo = [pid]
    seen = set()
    while todo:
        p = todo.pop()
        if p in seen:
            continue
        seen.add(p)
        out.append(p)
        todo.extend(_children(p))
    return out


def rss(pid: int) -> int:
    """Resident bytes of one process (0 when unknown)."""
    try:
        with open(f"/proc/{pid}/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return 0


def tree_rss(pid: int) -> int:
    """Resident bytes of a process and its descendants: what the memory watch and the benchmarks
    sample (Linux /proc; 0 when unknown)."""
    return sum(rss(p) for p in process_tree(pid))


def _children(pid: int) -> list[int]:
    """Child processes of every thread of a process (a Tesseract started from an OCR thread is a
    child of that thread, not of the main one)."""
    out: list[int] = []
    try:
        threads = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for t in threads:
        try:
            with open(f"/proc/{pid}/task/{t}/children") as fh:
                out.extend(int(x) for x in fh.read().split())
        except (OSError, ValueError):
            continue
    return out


class _Worker:
    def __init__(self, ctx, env: dict, lim: Limits, ocr: bool, n: int, max_tasks: int = 1000,
                 split_pages: int | None = None, raw: bool = False):
        self.conn, child = ctx.Pipe(duplex=True)
        self.proc = ctx.Process(target=_worker_main, args=(child, os.getpid(), env, lim.as_dict(), ocr, max_tasks,
                                                           split_pages, raw),
                                daemon=True, name=f"vanban-worker-{n}")
        self.retiring = False
        self.proc.start()
        child.close()
        self.pid = self.proc.pid
        self.task: tuple[int, str] | None = None
        self.started = 0.0
        self.deadline = float("inf")
        self.killed: tuple[str, str] | None = None  # (stage, reason) when the parent killed it

    def assign(self, tid: int, path: str, lim: Limits) -> None:
        self.task = (tid, path)
        self.started = time.monotonic()
        self.deadline = self.started + lim.deadline(0)
        self.conn.send((tid, path))

    def kill(self) -> None:
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError, OSError):
            pass
        try:
            self.proc.kill()
        except Exception:
            pass

    def reap(self) -> int | None:
        self.proc.join(timeout=5)
        try:
            self.conn.close()
        except OSError:
            pass
        return self.proc.exitcode


def _death_reason(code: int | None) -> tuple[str, str, bool]:
    """(stage, reason, transient) of a worker that died on its own."""
    if code is not None and code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        if -code in EXTERNAL_SIGNALS:
            return ("worker", f"the worker was killed ({name}) while processing the file: by an operator or the "
                              f"kernel's out-of-memory killer; it is tried again on the next run", True)
        return ("worker", f"the worker crashed ({name}) while reading the file (a fault in a reader library)", False)
    return ("worker", f"the worker exited unexpectedly (exit code {code}) while processing the file", False)


class _Feed:
    """(task number, task) pairs taken lazily from an iterable, a few at a time. An iterable that
    ends may yield again later (`pages.SplitPool` adds a document's assemble task when its last
    page is done), so it is asked again whenever a task is wanted."""

    def __init__(self, tasks: Iterable):
        self.it = iter(tasks)
        self.buf: collections.deque = collections.deque()
        self.n = 0

    def fill(self, k: int) -> None:
        while len(self.buf) < k:
            try:
                task = next(self.it)
            except StopIteration:
                return
            self.buf.append((self.n, task))
            self.n += 1

    def __len__(self) -> int:
        return len(self.buf)

    def popleft(self):
        return self.buf.popleft()

    def appendleft(self, item) -> None:
        self.buf.appendleft(item)

    def clear(self) -> None:
        self.buf.clear()
        self.it = iter(())


class WorkerPool:
    """`jobs` worker processes; `run(paths)` yields (path, DocumentRecord | Failure) as they finish.
    `raw`: a result that a worker made comes as the bytes it pickled (`pickle.loads` gives the
    record), not unpickled here: a Dask worker passes it on to the client as it is; a failure this
    process makes (timeout, memory, a lost worker) is an object either way."""

    def __init__(self, jobs: int = 1, limits: Limits | None = None, ocr: bool = True, max_tasks: int = 1000,
                 split_pages: int | None = None, env: dict | None = None, raw: bool = False):
        self.jobs = max(1, jobs)
        self.split_pages = split_pages  # `pipeline.pages`: long scans come back as page plans
        self.env = env  # set in the workers' environment (over this process's)
        self.max_tasks = max_tasks
        self.raw = raw
        self.limits = limits or Limits()
        self.ocr = ocr
        self.workers: list[_Worker] = []
        self.stopping = False
        self.killed = 0  # workers killed or lost (timeouts, memory, crashes)
        self._n = 0
        self._ctx = None

    def _start(self) -> _Worker:
        if self._ctx is None:
            self._ctx = _context()
        self._n += 1
        w = _Worker(self._ctx, {**os.environ, **(self.env or {})}, self.limits, self.ocr, self._n, self.max_tasks,
                    self.split_pages, self.raw)
        self.workers.append(w)
        return w

    def stop(self) -> None:
        """Take no new documents (the ones in progress finish)."""
        self.stopping = True

    def prestart(self, n_tasks: int) -> None:
        """Start the workers now (the forkserver's warm-up is not counted in the first document's time)."""
        while len(self.workers) < min(self.jobs, n_tasks):
            self._start()

    def run(self, paths: Iterable, keep: bool = False) -> Iterator[tuple[str, DocumentRecord | Failure]]:
        """Tasks are taken from `paths` as workers free up (an iterator is never read ahead by more
        than `jobs` tasks: memory stays flat however many there are). `keep`: the workers stay up
        for the next `run` (a Dask task's pool); else they are ended when it returns."""
        queue = _Feed(paths)
        lim = self.limits
        last_mem = 0.0
        try:
            while True:
                if self.stopping:
                    queue.clear()
                for w in [w for w in self.workers if w.retiring and w.task is None]:
                    self._drop(w)  # it said it exits after its last document: replaced below
                busy = [w for w in self.workers if w.task is not None]
                queue.fill(self.jobs - len(busy))
                want = min(self.jobs, len(busy) + len(queue))
                while len(self.workers) < want:
                    self._start()
                for w in self.workers:
                    if w.task is None and queue and not w.retiring:
                        tid, path = queue.popleft()
                        try:
                            w.assign(tid, path, lim)
                        except (OSError, ValueError):  # it died while idle: put the task back
                            queue.appendleft((tid, path))
                            w.task = None
                            self._drop(w)
                busy = [w for w in self.workers if w.task is not None]
                if not busy and not queue:
                    return
                now = time.monotonic()
                timeout = max(0.0, min([w.deadline for w in busy] + [now + 0.5]) - now)
                ready = set(wait([w.conn for w in self.workers] + [w.proc.sentinel for w in self.workers],
                                 timeout=timeout))
                for w in list(self.workers):
                    done = None
                    dead = False
                    if w.conn in ready:
                        try:
                            while w.conn.poll():
                                msg = w.conn.recv()
                                if msg[0] == "pages" and w.task and msg[1] == w.task[0]:
                                    w.deadline = w.started + lim.deadline(msg[2])
                                elif msg[0] == "done" and w.task and msg[1] == w.task[0]:
                                    done = (w.task[1], msg[2])
                                    w.retiring = bool(msg[3]) if len(msg) > 3 else False
                                    w.task = None
                                    w.deadline = float("inf")
                                    break
                        except (EOFError, OSError, ValueError, TypeError, AttributeError, ImportError,
                                MemoryError, pickle.UnpicklingError):
                            dead = True
                    if done is not None:
                        yield done
                    if dead or (w.proc.sentinel in ready and not w.proc.is_alive()):
                        yield from self._lost(w)
                now = time.monotonic()
                for w in list(self.workers):
                    if w.task is not None and now > w.deadline:
                        secs = now - w.started
                        w.killed = ("timeout", f"timed out after {secs:.0f} s (limit {w.deadline - w.started:.0f} s: "
                                               f"{lim.doc_timeout:.0f} s + {lim.page_timeout:.0f} s per page that may "
                                               f"need OCR); the worker was stopped")
                        w.kill()
                        yield from self._lost(w)
                if now - last_mem >= 0.5:
                    last_mem = now
                    for w in list(self.workers):
                        if w.task is None:
                            continue
                        used = tree_rss(w.pid)
                        if used > lim.memory_mb * MB:
                            w.killed = ("memory", f"memory limit exceeded: {used / MB:,.0f} MB > limit "
                                                  f"{lim.memory_mb:,} MB; the worker was stopped")
                            w.kill()
                            yield from self._lost(w)
        finally:
            if not keep:
                self.close()

    def _drop(self, w: _Worker) -> None:
        w.kill()
        w.reap()
        if w in self.workers:
            self.workers.remove(w)

    def _lost(self, w: _Worker) -> Iterator[tuple[str, Failure]]:
        """A worker that is gone: its document becomes a failure row; it is removed (replaced later)."""
        task = w.task
        if w.killed is None:
            w.kill()
        code = w.reap()
        if w in self.workers:
            self.workers.remove(w)
        if task is None:
            return
        self.killed += 1
        if w.killed is not None:
            stage, reason = w.killed
            transient = False
        else:
            stage, reason, transient = _death_reason(code)
        yield task[1], InputFailure(str(task[1]), stage, reason, transient=transient)

    def close(self) -> None:
        """End every worker (and its children) now."""
        for w in list(self.workers):
            w.kill()
        for w in list(self.workers):
            w.reap()
        self.workers.clear()


class InlinePool:
    """The same interface in this process: the declared-size checks and clean reasons, without the
    deadline and the memory limit (a library caller that runs one document at a time, a debugger,
    a test that patches a stage in-process). `vanban ingest` always uses `WorkerPool`."""

    def __init__(self, limits: Limits | None = None, ocr: bool = True, split_pages: int | None = None):
        self.limits = limits or Limits()
        self.ocr = ocr
        self.split_pages = split_pages
        self.stopping = False
        self.killed = 0

    def stop(self) -> None:
        self.stopping = True

    def prestart(self, n_tasks: int) -> None:
        pass

    def run(self, paths: Iterable[str]) -> Iterator[tuple[str, DocumentRecord | Failure]]:
        import warnings

        try:
            from PIL import Image
        except ImportError:  # pragma: no cover
            Image = None
        old = Image.MAX_IMAGE_PIXELS if Image else None
        with warnings.catch_warnings():
            set_image_cap(self.limits.max_pixels)
            try:
                for path in paths:
                    if self.stopping:
                        return
                    yield path, handle(path, self.limits, self.ocr, split_pages=self.split_pages)
            finally:
                if Image:
                    Image.MAX_IMAGE_PIXELS = old

    def close(self) -> None:
        pass


__all__ = ["WorkerPool", "InlinePool", "InputFailure", "Limits", "handle", "set_pdeathsig"]
