"""Discovery as a stream: the inputs of `text.sources.discover`, in the same order and grouped the
same way, yielded one at a time instead of listed, so that ingesting an archive of a million files
does not hold a million `Source`s.

Why it can stream: `discover` walks folders depth-first in sorted name order, and its grouping of
page images (`group_pages`) only ever joins files of one folder (rule 1: names in one folder that
differ by a page number; rule 2: a folder of nothing but numbered page images). So each folder is
decided from its own listing: a first pass over the sorted names classifies them and keeps only
the numbered page images (and whether the folder holds only regular files), `group_pages` decides
on those, and a second pass yields the folder's entries in order, walking sub-folders where they
come. What is held at any time: the sorted names of the folders on the current path (a flat folder
of N files holds its N names, as `os.scandir` + `sorted` must) and their page images.

The one case where files from different places meet in one folder's grouping — a file given on
the command line whose folder is also walked (`vanban ingest scans scans/a_p1.jpg`) — is detected
up front (conservatively, by path prefix) and handled by `discover` itself.
"""
from __future__ import annotations

import os
from typing import Iterator

from .text.sources import Source, _classify, _ignored, discover, group_pages, kind_of, list_folder, page_key


def iter_discover(paths: list[str], group: bool = True, missing: list[str] | None = None,
                  exclude: list[str] = ()) -> Iterator[Source]:
    """`discover(paths, group)[0]`, as an iterator; the paths that do not exist are appended to
    `missing` now (the command line's paths are looked at here, the folders as it is iterated).

    `exclude`: folders walked as if they were not there (the dataset being written, when it lies
    under an input folder: its files are never inputs, and the folder it is in is judged as it was
    before the run made it). Looked up when the iteration starts."""
    missing = missing if missing is not None else []
    tops = []
    for p in paths:
        if not os.path.lexists(p):
            missing.append(p)
            continue
        tops.append((p, *_classify(p)))
    return _stream(paths, tops, group, exclude)


def _identities(paths) -> set[tuple[int, int]]:
    out = set()
    for p in paths:
        try:
            st = os.stat(p)
        except OSError:
            continue
        out.add((st.st_dev, st.st_ino))
    return out


def _stream(paths: list[str], tops: list, group: bool, exclude) -> Iterator[Source]:
    skip = _identities(exclude)
    if skip:
        tops = [t for t in tops if not (t[1] == "dir" and (t[3].st_dev, t[3].st_ino) in skip)]
    dirs = [p for p, what, _, _ in tops if what == "dir"]
    loose = [p for p, what, _, _ in tops if what != "dir"]
    if group and dirs and loose and any(os.path.dirname(f).startswith(d.rstrip(os.sep) or os.sep)
                                        for f in loose for d in dirs):
        # a loose file in a walked folder: grouped together by `discover` itself
        inside = [os.path.realpath(x) + os.sep for x in exclude if os.path.isdir(x)]
        for s in discover([t[0] for t in tops], group=group)[0]:
            if not any(os.path.realpath(s.path).startswith(i) for i in inside):
                yield s
        return
    # the loose files (and problem paths) named on the command line are grouped among themselves
    top_sources = []
    for p, what, problem, _ in tops:
        if what == "file" and not _ignored(os.path.basename(p)):
            top_sources.append(Source(p, kind_of(p)))
        elif what == "problem":
            top_sources.append(problem)
    top_map = _grouping(top_sources, set()) if group else None
    seen_dirs: set[tuple[int, int]] = set()
    for p, what, problem, st in tops:
        if what == "dir":
            yield from _walk(p, st, seen_dirs, group, skip)
        elif what == "file":
            if not _ignored(os.path.basename(p)):
                yield from _emit(Source(p, kind_of(p)), top_map)
        else:
            yield from _emit(problem, top_map)


def _grouping(sources: list[Source], whole_dirs: set[str]) -> dict[str, Source]:
    """path → what `group_pages` puts in its place: itself, or its group (at the first member);
    a path left out (a later member of a group) is dropped."""
    out: dict[str, Source] = {}
    for s in group_pages(sources, whole_dirs):
        out[s.members[0] if s.members else s.path] = s
    return out


def _emit(s: Source, mapping: dict[str, Source] | None) -> Iterator[Source]:
    if mapping is None or s.problem is not None:
        yield s
    elif s.path in mapping:
        yield mapping[s.path]


def _walk(d: str, st: os.stat_result, seen_dirs: set, group: bool, skip: set) -> Iterator[Source]:
    names = list_folder(d, st, seen_dirs)
    if isinstance(names, Source):
        yield names
        return
    names = [n for n in names if not _ignored(n)]
    if skip:
        names = [n for n in names if not _excluded(os.path.join(d, n), skip)]
    mapping = None
    if group:
        whole = True
        files = 0
        images: list[Source] = []
        for name in names:
            p = os.path.join(d, name)
            what, _, _ = _classify(p)
            if what == "file":
                files += 1
                if kind_of(p) == "image" and page_key(p) is not None:
                    images.append(Source(p, "image"))
            else:
                whole = False
        # rule 2 looks at a folder walked whole whose every file is a numbered page image
        mapping = _grouping(images, {d} if whole and files == len(images) else set())
    for name in names:
        p = os.path.join(d, name)
        what, problem, sub = _classify(p)
        if what == "dir":
            yield from _walk(p, sub, seen_dirs, group, skip)
        elif what == "file":
            s = Source(p, kind_of(p))
            if mapping is None or kind_of(p) != "image" or page_key(p) is None:
                yield s
            elif p in mapping:
                yield mapping[p]
        else:
            yield problem


def _excluded(p: str, skip: set) -> bool:
    try:
        st = os.stat(p)
    except OSError:
        return False
    return (st.st_dev, st.st_ino) in skip


__all__ = ["iter_discover"]
