"""Find input files, hash them, and tell their kind.

A document's identity in the store is its content hash: the same bytes under two names, or the
same file ingested again tomorrow, is one document (`doc_id`), so nightly re-runs add nothing twice.

Every input is accounted for: a path that cannot be read as a regular file (a broken or looping
symlink, a FIFO or a device, a folder that cannot be listed) is still found, with the reason in
`Source.problem`, and becomes a failure row. File names are kept losslessly: a name that is not
valid UTF-8 is held as Python holds it (`os.fsdecode`, surrogate escapes) for opening, and
`display_path` / `path_bytes_b64` give the stored forms (valid UTF-8 with the bad bytes written
`\\xff`, and the exact bytes in base64).
"""
from __future__ import annotations

import base64
import errno
import hashlib
import os
import stat
from dataclasses import dataclass

KINDS = {
    ".txt": "txt",
    ".text": "txt",
    ".pdf": "pdf",
    ".docx": "docx",
    ".png": "image",
    ".jpg": "image",
    ".jpeg": "image",
    ".tif": "image",
    ".tiff": "image",
}

DOC_ID_CHARS = 20
# sidecar files that live beside the documents and are not inputs (skipped without a row)
SIDECAR_NAMES = {"README.md", "MANIFEST.tsv"}
SIDECAR_SUFFIXES = {".json", ".md", ".tsv", ".py", ".parquet"}


@dataclass(frozen=True)
class Source:
    path: str
    kind: str | None  # None: an extension we do not read (reported as a failure)
    problem: str | None = None  # a reason it cannot be read at all (broken symlink, FIFO …)
    key: str | None = None  # identity of a problem input (what must change for it to be tried again)


def kind_of(path: str) -> str | None:
    return KINDS.get(os.path.splitext(path)[1].lower())


def _ignored(name: str) -> bool:
    if name.startswith(".") or name in SIDECAR_NAMES:
        return True
    return os.path.splitext(name)[1].lower() in SIDECAR_SUFFIXES


def _problem_source(path: str, problem: str, key: str) -> Source:
    return Source(path, kind_of(path), problem, key)


def _classify(path: str) -> tuple[str, Source | None, os.stat_result | None]:
    """('file' | 'dir' | 'problem', Source for a problem, stat of the target)."""
    try:
        st = os.stat(path)
    except OSError as e:
        try:
            lst = os.lstat(path)
        except OSError:
            lst = None
        if lst is not None and stat.S_ISLNK(lst.st_mode):
            try:
                target = os.readlink(path)
            except OSError:
                target = "?"
            if e.errno == errno.ELOOP:
                return "problem", _problem_source(path, f"symlink loop: {display_path(target)!s} leads back to "
                                                        f"itself", f"symlink-loop:{display_path(target)}"), None
            return "problem", _problem_source(path, f"broken symlink: its target {display_path(target)} does not "
                                                    f"exist", f"broken-symlink:{display_path(target)}"), None
        reason = e.strerror or str(e)
        return "problem", _problem_source(path, f"cannot read file: {reason}", f"stat-error:{e.errno}"), None
    if stat.S_ISDIR(st.st_mode):
        return "dir", None, st
    if stat.S_ISREG(st.st_mode):
        return "file", None, st
    what = ("a FIFO (named pipe)" if stat.S_ISFIFO(st.st_mode) else "a socket" if stat.S_ISSOCK(st.st_mode)
            else "a device" if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode) else "not a regular file")
    return "problem", _problem_source(path, f"not a regular file: {what}", f"special:{st.st_mode:o}"), st


def discover(paths: list[str]) -> tuple[list[Source], list[str]]:
    """Files under `paths` (recursive, sorted for a stable order) and the paths that do not exist.

    Symlinked folders are followed once (a link back to a folder already walked is a problem row,
    not an endless walk); files that are sidecars (README.md, *.json …) or hidden are skipped."""
    found: list[Source] = []
    missing: list[str] = []
    seen_dirs: set[tuple[int, int]] = set()

    def walk(d: str, st: os.stat_result) -> None:
        ident = (st.st_dev, st.st_ino)
        if ident in seen_dirs:
            found.append(_problem_source(d, "symlink loop: this folder was already walked (a link points back "
                                            "to it)", "dir-loop"))
            return
        seen_dirs.add(ident)
        try:
            with os.scandir(d) as it:
                names = sorted(e.name for e in it)
        except OSError as e:
            found.append(_problem_source(d, f"cannot list folder: {e.strerror or e}", f"listdir-error:{e.errno}"))
            return
        for name in names:
            if _ignored(name):
                continue
            p = os.path.join(d, name)
            what, problem, sub = _classify(p)
            if what == "dir":
                walk(p, sub)
            elif what == "file":
                found.append(Source(p, kind_of(p)))
            else:
                found.append(problem)

    for p in paths:
        if not os.path.lexists(p):
            missing.append(p)
            continue
        what, problem, st = _classify(p)
        if what == "dir":
            walk(p, st)
        elif what == "file":
            if not _ignored(os.path.basename(p)):
                found.append(Source(p, kind_of(p)))
        else:
            found.append(problem)
    return found, missing


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def doc_id_from_sha(sha: str) -> str:
    return sha[:DOC_ID_CHARS]


def _open_binary(path: str):
    """Opened without blocking (a file swapped for a FIFO after discovery must not hang the run)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "not a regular file")
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def hash_file(path: str) -> str:
    """sha256 of a file's bytes, read in 1 MB chunks (memory stays flat for any size)."""
    h = hashlib.sha256()
    with _open_binary(path) as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def display_path(path: str | os.PathLike | bytes) -> str:
    """The stored form of a path: valid UTF-8, with every byte that is not written `\\xff`.

    A name that is valid UTF-8 is returned unchanged (control characters included: they are valid
    and stored as they are; `printable` escapes them for a terminal)."""
    if isinstance(path, bytes):
        raw = path
    else:
        raw = os.fsencode(path)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("utf-8", errors="backslashreplace")


def path_bytes_b64(path: str | os.PathLike | bytes) -> str | None:
    """The exact bytes of a name that is not valid UTF-8, in base64 (None for a UTF-8 name)."""
    raw = path if isinstance(path, bytes) else os.fsencode(path)
    try:
        raw.decode("utf-8")
        return None
    except UnicodeDecodeError:
        return base64.b64encode(raw).decode("ascii")


def printable(s: str) -> str:
    """A name safe to print on a terminal or in a log line: control characters escaped."""
    s = display_path(s) if any(0xDC80 <= ord(c) <= 0xDCFF for c in s) else s
    out = []
    for c in s:
        o = ord(c)
        if o < 0x20 or o == 0x7F or 0x80 <= o < 0xA0 or c in "\u2028\u2029":
            out.append({"\n": "\\n", "\t": "\\t", "\r": "\\r"}.get(c, f"\\x{o:02x}" if o < 0x100 else f"\\u{o:04x}"))
        else:
            out.append(c)
    return "".join(out)
