"""Load the data tables of `rules/` once per process.

Rules are data, not code: a civil servant can add a type abbreviation or an agency without reading
Python. Tables are tab-separated with `#` comment lines; each loader returns plain Python
structures, cached, so every worker compiles them once (`functools.cache`).

The folder is found inside an installed wheel (`pipeline/_rules`, the top-level `rules/` shipped as
package data), next to the package (a source checkout or an editable install), or through
`VANBAN_RULES` for a copy that keeps its rules elsewhere.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path


class RulesError(RuntimeError):
    """A rules table is missing or malformed."""


def rules_dir() -> Path:
    """`VANBAN_RULES`, else the tables shipped in the wheel (`pipeline/_rules/`, mapped from the
    top-level `rules/` at build time), else `rules/` beside the package (a source checkout or an
    editable install)."""
    env = os.environ.get("VANBAN_RULES")
    if env:
        return Path(env)
    here = Path(__file__).resolve().parent
    installed = here / "_rules"
    if installed.is_dir():
        return installed
    return here.parent / "rules"


def read_table(name: str, columns: int) -> list[list[str]]:
    """Rows of a TSV table, comments and blank lines skipped, padded to `columns` fields."""
    path = rules_dir() / name
    if not path.exists():
        raise RulesError(f"rules table not found: {path}")
    rows = []
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) > columns:
            raise RulesError(f"{name}:{lineno}: expected at most {columns} columns, got {len(parts)}")
        rows.append(parts + [""] * (columns - len(parts)))
    return rows


def _codepoint(value: str) -> str:
    if value.startswith("U+"):
        return chr(int(value[2:], 16))
    return value


@dataclass(frozen=True)
class DocType:
    name: str
    abbr: str | None
    family: str
    words: tuple[str, ...]


@cache
def doc_types() -> tuple[DocType, ...]:
    out = []
    for name, abbr, family, words in read_table("doc_types.tsv", 4):
        out.append(DocType(name, None if abbr == "-" else abbr, family,
                           tuple(w.strip() for w in words.split("|") if w.strip())))
    return tuple(out)


@cache
def type_words() -> dict[str, str]:
    """Surface type word (casefolded) → type name."""
    out: dict[str, str] = {}
    for t in doc_types():
        for w in t.words:
            out.setdefault(w.casefold(), t.name)
    return out


@cache
def abbr_to_type() -> dict[str, dict[str, str]]:
    """family → symbol abbreviation → type name (case-sensitive: CT ≠ CTr)."""
    out: dict[str, dict[str, str]] = {}
    for t in doc_types():
        if t.abbr:
            out.setdefault(t.family, {}).setdefault(t.abbr, t.name)
    return out


@cache
def titles() -> tuple[tuple[str, str], ...]:
    rows = [(t.strip(), name.strip()) for t, name in read_table("titles.tsv", 2)]
    return tuple(sorted(rows, key=lambda r: -len(r[0])))


@dataclass(frozen=True)
class Agency:
    abbr: str
    name: str
    level: str
    family: str


@cache
def agencies() -> tuple[Agency, ...]:
    return tuple(Agency(*[c.strip() for c in row]) for row in read_table("agencies.tsv", 4))


@cache
def agency_by_abbr() -> dict[tuple[str, str], Agency]:
    return {(a.family, a.abbr): a for a in agencies()}


@cache
def agency_heads() -> tuple[tuple[str, str], ...]:
    rows = [(h.strip(), c.strip()) for h, c in read_table("agency_heads.tsv", 2)]
    return tuple(sorted(rows, key=lambda r: -len(r[0])))


@cache
def admin_units() -> tuple[tuple[str, str, str, str], ...]:
    rows = [tuple(c.strip() for c in r) for r in read_table("admin_units.tsv", 4)]
    return tuple(sorted(rows, key=lambda r: -len(r[0])))  # type: ignore[arg-type]


@cache
def character_map() -> tuple[dict[str, str], dict[str, str]]:
    """(everywhere, in_symbol) character replacement maps."""
    everywhere: dict[str, str] = {}
    in_symbol: dict[str, str] = {}
    for src, dst, scope, _note in read_table("characters.tsv", 4):
        target = everywhere if scope == "everywhere" else in_symbol
        target[_codepoint(src)] = _codepoint(dst)
    return everywhere, in_symbol


@cache
def tone_variants() -> tuple[tuple[str, str], ...]:
    return tuple((a, b) for a, b in read_table("tone_variants.tsv", 2))


@cache
def boilerplate() -> tuple[tuple[str, str, str, tuple[str, ...], str], ...]:
    """(name, where, pattern, needles, anchor): `needles` are literals one of which every match holds
    (empty: the pattern is always tried); `anchor` a pattern that matches inside every match (empty:
    none)."""
    return tuple((n, w, p, tuple(x for x in k.split("|") if x), a) for n, w, p, k, a in read_table("boilerplate.tsv", 5))


@cache
def relation_cues() -> tuple[tuple[str, str, str], ...]:
    return tuple((r, s, p) for r, s, p in read_table("relations.tsv", 3))


def longest_first(s: str) -> tuple[int, str]:
    """Sort key for alternations: longer forms first (so the longest match wins), ties in a fixed
    order. Sorting a set by length alone left ties ("Trưởng ban" / "Trưởng Ban") in the set's
    order, which changes with Python's hash seed: two runs of a worker pool could differ."""
    return -len(s), s


@cache
def surnames() -> frozenset[str]:
    return frozenset(r[0].strip() for r in read_table("surnames.tsv", 1))


@cache
def name_confusions() -> dict[str, str]:
    """Name syllables as OCR misreads them → the syllable meant (`name_confusions.tsv`)."""
    return {r[0].strip(): r[1].strip() for r in read_table("name_confusions.tsv", 2) if r[0].strip() and r[1].strip()}


@cache
def signer_titles() -> tuple[str, ...]:
    rows = [r[0].strip() for r in read_table("signer_titles.tsv", 1)]
    return tuple(sorted(rows, key=longest_first))


@cache
def law_names() -> tuple[str, ...]:
    rows = [r[0].strip() for r in read_table("law_names.tsv", 1)]
    return tuple(sorted(set(rows), key=longest_first))


@cache
def ocr_confusions() -> tuple[tuple[str, str, str], ...]:
    return tuple((a, b, c) for a, b, c in read_table("ocr_confusions.tsv", 3))


# -- entities (ORG, PER, LOC, TITLE): extract.entities -------------------------------------------
@dataclass(frozen=True)
class OrgHead:
    head: str
    canonical: str
    grammar: str  # unit | field | organ | party | name | fixed
    alone: bool


@cache
def entity_org_heads() -> tuple[OrgHead, ...]:
    rows = [OrgHead(h.strip(), c.strip(), g.strip(), a.strip() == "yes")
            for h, c, g, a in read_table("entities_org_heads.tsv", 4)]
    return tuple(sorted(rows, key=lambda r: -len(r.head)))


@cache
def entity_fields() -> tuple[str, ...]:
    rows = {r[0].strip() for r in read_table("entities_fields.tsv", 1) if r[0].strip()}
    return tuple(sorted(rows, key=longest_first))


@cache
def entity_abbreviations() -> tuple[tuple[str, str, str], ...]:
    rows = [(a.strip(), e.strip(), k.strip()) for a, e, k in read_table("entities_abbreviations.tsv", 3)]
    return tuple(sorted(rows, key=lambda r: -len(r[0])))


@cache
def entity_titles() -> tuple[str, ...]:
    rows = {r[0].strip() for r in read_table("entities_titles.tsv", 1) if r[0].strip()}
    return tuple(sorted(rows, key=longest_first))


@cache
def person_cues() -> tuple[str, ...]:
    rows = {r[0].strip() for r in read_table("entities_person_cues.tsv", 1) if r[0].strip()}
    return tuple(sorted(rows, key=longest_first))


@cache
def provinces() -> tuple[tuple[str, str, str, str, str], ...]:
    """(name, kind, valid_from, valid_to, successor) rows of provinces.tsv."""
    return tuple(tuple(c.strip() for c in r) for r in read_table("provinces.tsv", 5))  # type: ignore[misc]
