"""Find input files, hash them, and tell their kind.

A document's identity in the store is its content hash: the same bytes under two names, or the
same file ingested again tomorrow, is one document (`doc_id`), so nightly re-runs add nothing twice.

Every input is accounted for: a path that cannot be read as a regular file (a broken or looping
symlink, a FIFO or a device, a folder that cannot be listed) is still found, with the reason in
`Source.problem`, and becomes a failure row. File names are kept losslessly: a name that is not
valid UTF-8 is held as Python holds it (`os.fsdecode`, surrogate escapes) for opening, and
`display_path` / `path_bytes_b64` give the stored forms (valid UTF-8 with the bad bytes written
`\\xff`, and the exact bytes in base64).

Multi-image documents (page images of one document given as separate files) are one input, a
`Source` with `members` (the image files in page order), unless grouping is off
(`discover(..., group=False)`, `vanban ingest --no-group-pages`):

1. files in one folder whose names differ only by a page number — `scan_p1.jpg`, `scan_p2.jpg`;
   `doc-page-0001.png`, `doc-page-0002.png`; `X_1.tif`, `X_2.tif`; `page-1.jpg`, `page-2.jpg`.
   The rule: the same stem once a trailing page token
   `(?:[_\\-\\s.]?(?:p|page|trang|tr)[_\\-\\s.]?)?(\\d{1,4})$` (case-insensitive) is removed, the same
   extension family (jpg/jpeg, png, tif/tiff), at least 2 files, distinct page numbers; the
   numbers give the page order. A lone `scan_p1.jpg` stays a document of its own. Its
   `source_path` is the first member's path with ` (+N pages)`.
2. a folder that holds only page images (no other kind of file, no sub-folder; sidecars aside)
   whose names all carry distinct page numbers is one document, its `source_path` the folder.

A grouped document's identity is the sha256 of its members' bytes concatenated in page order.
"""
from __future__ import annotations

import base64
import errno
import hashlib
import os
import re
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
    members: tuple[str, ...] | None = None  # page images of one document, in page order (`path` is a label)

    @property
    def task(self):
        """What the worker pool is given: the path, or a `PageGroup` for a multi-image document."""
        if self.members:
            from ..document import PageGroup

            return PageGroup(self.members, self.path)
        return self.path


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


PAGE_TOKEN = re.compile(r"^(.*?)(?:[_\-\s.]?(?:p|page|trang|tr)[_\-\s.]?)?(\d{1,4})$", re.IGNORECASE)
IMAGE_FAMILIES = {".jpg": "jpg", ".jpeg": "jpg", ".png": "png", ".tif": "tif", ".tiff": "tif"}


def page_key(path: str) -> tuple[str, str, int] | None:
    """(stem without its page token (lower case), extension family, page number) of a page image."""
    stem, ext = os.path.splitext(os.path.basename(path))
    family = IMAGE_FAMILIES.get(ext.lower())
    if family is None:
        return None
    m = PAGE_TOKEN.match(stem)
    if m is None:
        return None
    return m.group(1).lower(), family, int(m.group(2))


def group_label(members: list[str] | tuple[str, ...]) -> str:
    return f"{members[0]} (+{len(members) - 1} pages)"


def _ordered(items: list[tuple[int, Source]]) -> list[str] | None:
    """Member paths in page order, or None when page numbers repeat."""
    numbers = [n for n, _ in items]
    if len(items) < 2 or len(set(numbers)) != len(numbers):
        return None
    return [s.path for _, s in sorted(items, key=lambda t: t[0])]


def group_pages(found: list[Source], whole_dirs: set[str] = frozenset()) -> list[Source]:
    """Page images of one document (see the module doc) folded into one `Source` with `members`.

    `whole_dirs`: folders walked that hold nothing but files (no sub-folder, no problem row), for
    rule 2. A grouped input takes the place of its first member in the order."""
    by_dir: dict[str, list[Source]] = {}
    for s in found:
        if s.problem is None and s.kind == "image" and page_key(s.path) is not None:
            by_dir.setdefault(os.path.dirname(s.path), []).append(s)
    per_dir: dict[str, int] = {}
    for s in found:
        per_dir[os.path.dirname(s.path)] = per_dir.get(os.path.dirname(s.path), 0) + 1
    replace: dict[str, Source | None] = {}  # member path → its group (at the first member) or None (dropped)

    def fold(members: list[str], label: str) -> None:
        g = Source(label, "image", members=tuple(members))
        replace[members[0]] = g
        for m in members[1:]:
            replace[m] = None

    for d, items in by_dir.items():
        if d in whole_dirs:
            if per_dir[d] == len(items):  # every file of the folder is a numbered page image
                members = _ordered([(page_key(s.path)[2], s) for s in items])
                if members is not None:
                    fold(members, d)
                    continue
        stems: dict[tuple[str, str], list[tuple[int, Source]]] = {}
        for s in items:
            stem, family, n = page_key(s.path)
            stems.setdefault((stem, family), []).append((n, s))
        for group in stems.values():
            members = _ordered(group)
            if members is not None:
                fold(members, group_label(members))
    if not replace:
        return found
    out = []
    for s in found:
        if s.path in replace and s.problem is None:
            if replace[s.path] is not None:
                out.append(replace[s.path])
        else:
            out.append(s)
    return out


def list_folder(d: str, st: os.stat_result, seen_dirs: set) -> list[str] | Source:
    """A folder's entry names, sorted; or its problem row: a symlink loop (the folder was already
    walked: `seen_dirs` holds the (device, inode) of those) or a folder that cannot be listed."""
    ident = (st.st_dev, st.st_ino)
    if ident in seen_dirs:
        return _problem_source(d, "symlink loop: this folder was already walked (a link points back to it)", "dir-loop")
    seen_dirs.add(ident)
    try:
        with os.scandir(d) as it:
            return sorted(e.name for e in it)
    except OSError as e:
        return _problem_source(d, f"cannot list folder: {e.strerror or e}", f"listdir-error:{e.errno}")


def discover(paths: list[str], group: bool = True) -> tuple[list[Source], list[str]]:
    """Files under `paths` (recursive, sorted for a stable order) and the paths that do not exist.

    Symlinked folders are followed once (a link back to a folder already walked is a problem row,
    not an endless walk); files that are sidecars (README.md, *.json …) or hidden are skipped.
    With `group` (the default), page images of one document are one input (module doc)."""
    found: list[Source] = []
    missing: list[str] = []
    seen_dirs: set[tuple[int, int]] = set()
    whole_dirs: set[str] = set()  # walked folders with only regular files in them

    def walk(d: str, st: os.stat_result) -> None:
        names = list_folder(d, st, seen_dirs)
        if isinstance(names, Source):
            found.append(names)
            return
        whole = True
        for name in names:
            if _ignored(name):
                continue
            p = os.path.join(d, name)
            what, problem, sub = _classify(p)
            if what == "dir":
                whole = False
                walk(p, sub)
            elif what == "file":
                found.append(Source(p, kind_of(p)))
            else:
                whole = False
                found.append(problem)
        if whole:
            whole_dirs.add(d)

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
    if group:
        found = group_pages(found, whole_dirs)
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
