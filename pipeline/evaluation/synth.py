"""A synthetic archive for the graph benchmark: records that look like what the pipeline extracts
from a province's document portal, written through `store.Dataset.write_batch`.

Why synthetic: the real corpus holds a few hundred documents; the graph must be measured at
100,000 documents and a million citations. The generator follows the grammar of Vietnamese
administrative documents, so that identity and resolution meet the same collisions they meet in a
real archive:

  Bodies:    the 63 provinces before 1 July 2025 (rules/provinces.tsv), the 34 after it, thành phố
             Huế from 1 January 2025; per province Ủy ban nhân dân, Hội đồng nhân dân, three Sở
             (header "Sở Y tế" under "Ủy ban nhân dân tỉnh X"); four districts per province before
             the reform ("Ủy ban nhân dân huyện Y", names from the `vietnamadminunits` data, only
             names no other province uses); central bodies (Chính phủ, Thủ tướng, Bộ Y tế).
  Numbers:   per body, series and year, growing with the date and restarting each year: the same
             "92/KH-UBND" exists in many provinces and years; normative N/YYYY/QĐ-UBND, N/YYYY/NQ-HĐND
             of every province, central 56/2017/NĐ-CP.
  Citations: about ten per document, to earlier documents, mostly of the same province (after the
             reform also of the provinces merged into it, written "UBND tỉnh X (cũ)"), a quarter
             central, a few laws by name; popularity Zipf-like (Pareto weights by document, heavier for
             normative documents), so that a few documents are cited thousands of times; relation by
             the cited type (a Tờ trình is proposed, a Kế hoạch implemented, only a body's own
             decision is replaced / amended / repealed); the issuer as written ("của UBND tỉnh")
             resolved as the pipeline resolves it (`agencies.resolve_issuer`).
  Variants:  missing date, missing issuer, a space inside the symbol, a one-letter typo in the
             symbol, a leading zero ("08/2022/NQ-HĐND"), a short form repeating an earlier citation;
             and citations of documents that are not in the archive (3% of the provincial and 10% of
             the central documents issued are never ingested, central documents before 2018 never
             are; laws are cited by name only): about 9% of the citations at 100,000 documents.

Every record goes through `extract.identity.annotate`, so node ids and keys are the pipeline's own.
Each record has one small page holding its header and its citation sentences: every citation's
start/end are real offsets into it.

Next to the dataset, `DIR/_synth/` keeps what the benchmark needs and the dataset does not: the
ground truth of every citation (`truth/*.parquet`: the node it was generated to cite, its variant)
and the generator's state (`skeleton.parquet`, `state.json`), so that `add_documents` can append a
later batch that cites old documents and ingests some documents old citations pointed to as
external.
"""
from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import json
import math
import random
import time
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from .. import rules
from ..extract.agencies import jurisdiction_of, resolve_issuer
from ..extract.identity import annotate, canonical_issuer, node_key
from ..graph.store import Dataset
from ..models import Citation, DocumentRecord, Header, Page, Signature, Span
from ..text.sources import doc_id_from_sha

SYNTH_DIR = "_synth"
START = dt.date(2018, 1, 1)
END = dt.date(2026, 6, 30)  # make_archive's last date; add_documents continues after it
LATE_END = dt.date(2026, 12, 31)
REFORM = dt.date(2025, 7, 1)
HUE = dt.date(2025, 1, 1)
DISTRICTS_PER_PROVINCE = 4
PHANTOM_RATE = 0.03  # share of issued provincial documents never ingested (cited as external)
CENTRAL_PHANTOM_RATE = 0.10

# -- series: (doc_type, symbol pattern, share within the body, documents a year, normative) ---------
# "{c}" is the body's code (SYT), "{d}" a department code of the Công văn register
SERIES: dict[str, list[tuple[str, str, float, int, bool]]] = {
    "ubnd_p": [("Công văn", "UBND-{d}", 0.30, 6000, False), ("Quyết định", "QĐ-UBND", 0.22, 3000, False),
               ("Kế hoạch", "KH-UBND", 0.15, 300, False), ("Báo cáo", "BC-UBND", 0.10, 400, False),
               ("Thông báo", "TB-UBND", 0.08, 300, False), ("Tờ trình", "TTr-UBND", 0.05, 150, False),
               ("Quyết định", "QĐ-UBND", 0.10, 60, True)],
    "hdnd": [("Nghị quyết", "NQ-HĐND", 0.6, 50, True), ("Nghị quyết", "NQ-HĐND", 0.4, 150, False)],
    "so": [("Công văn", "{c}-{d}", 0.35, 4000, False), ("Tờ trình", "TTr-{c}", 0.20, 300, False),
           ("Kế hoạch", "KH-{c}", 0.15, 250, False), ("Báo cáo", "BC-{c}", 0.15, 400, False),
           ("Quyết định", "QĐ-{c}", 0.15, 900, False)],
    "ubnd_d": [("Công văn", "UBND-VP", 0.30, 2500, False), ("Quyết định", "QĐ-UBND", 0.25, 3000, False),
               ("Kế hoạch", "KH-UBND", 0.15, 250, False), ("Báo cáo", "BC-UBND", 0.12, 350, False),
               ("Thông báo", "TB-UBND", 0.10, 250, False), ("Tờ trình", "TTr-UBND", 0.08, 150, False)],
    "cp": [("Nghị định", "NĐ-CP", 0.8, 150, True), ("Nghị quyết", "NQ-CP", 0.2, 200, False)],
    "ttg": [("Quyết định", "QĐ-TTg", 0.5, 50, True), ("Quyết định", "QĐ-TTg", 0.3, 2000, False),
            ("Chỉ thị", "CT-TTg", 0.2, 40, False)],
    "byt": [("Thông tư", "TT-BYT", 0.6, 60, True), ("Công văn", "BYT-KCB", 0.4, 8000, False)],
}
DEPARTMENTS = {"ubnd_p": ["VX", "KT", "NC", "TH"], "so": ["VP", "NVY", "KHTC"]}
SO = [("Sở Y tế", "SYT"), ("Sở Nội vụ", "SNV"), ("Sở Giáo dục và Đào tạo", "SGDĐT")]
CENTRAL = [("cp", "Chính phủ", 0.5), ("ttg", "Thủ tướng Chính phủ", 0.3), ("byt", "Bộ Y tế", 0.2)]
# share of the stream by kind of body, before and after the reform
KIND_SHARE_OLD = [("ubnd_p", 0.32), ("hdnd", 0.05), ("so", 0.20), ("ubnd_d", 0.40), ("central", 0.03)]
KIND_SHARE_NEW = [("ubnd_p", 0.55), ("hdnd", 0.07), ("so", 0.35), ("central", 0.03)]

# laws cited by name (no number), with their dates
LAWS = [("Luật Tổ chức chính quyền địa phương", dt.date(2015, 6, 19)),
        ("Luật Ban hành văn bản quy phạm pháp luật", dt.date(2015, 6, 22)),
        ("Luật Ngân sách nhà nước", dt.date(2015, 6, 25)), ("Luật Đầu tư công", dt.date(2019, 6, 13)),
        ("Luật Cán bộ, công chức", dt.date(2008, 11, 13)), ("Luật Viên chức", dt.date(2010, 11, 15)),
        ("Luật Phòng, chống bệnh truyền nhiễm", dt.date(2007, 11, 21)),
        ("Luật Giáo dục", dt.date(2019, 6, 14)), ("Luật Khám bệnh, chữa bệnh", dt.date(2023, 1, 9)),
        ("Luật Đất đai", dt.date(2024, 1, 18))]

# relation of a citation by the cited document's category (before the citing body is considered)
RELATIONS = {
    "norm_c": [("basis", .70), ("implements", .12), ("mentions", .18)],
    "norm_p": [("basis", .45), ("implements", .15), ("mentions", .18), ("amends", .09), ("replaces", .07),
               ("repeals", .06)],
    "qd": [("basis", .30), ("implements", .20), ("mentions", .30), ("replaces", .10), ("amends", .05),
           ("repeals", .05)],
    "kh": [("implements", .45), ("mentions", .30), ("basis", .15), ("report", .10)],
    "ttr": [("proposal", .85), ("mentions", .15)],
    "bc": [("mentions", .65), ("basis", .35)],
    "cv": [("mentions", .75), ("implements", .20), ("proposal", .05)],
    "tb": [("mentions", .65), ("implements", .35)],
    "nq": [("basis", .55), ("implements", .25), ("mentions", .20)],
    "ct": [("implements", .55), ("basis", .25), ("mentions", .20)],
    "law": [("basis", .85), ("mentions", .15)],
}
POPULARITY = {"norm_c": 8.0, "norm_p": 4.0, "qd": 1.5, "kh": 2.0, "nq": 2.0, "ct": 3.0, "ttr": 0.6, "bc": 0.6,
              "cv": 0.4, "tb": 0.4}
CUES = {"basis": "Căn cứ", "implements": "Thực hiện", "proposal": "Xét đề nghị tại", "report": "Báo cáo kết quả thực hiện",
        "mentions": "Theo", "replaces": "Quyết định này thay thế", "amends": "Sửa đổi, bổ sung một số điều của",
        "repeals": "Bãi bỏ"}
ACTING = {"replaces", "amends", "repeals"}
# variant rates (of full citations of numbered documents)
VARIANTS = [("missing_date", 0.03), ("missing_issuer", 0.03), ("space", 0.02), ("typo", 0.02)]
ZERO_PAD_RATE = 0.3  # of citations of numbers below 10
LAW_RATE = 0.03
SHORT_RATE = 0.03
CENTRAL_RATE = 0.20  # share of citations of central documents
OWN_RATE = 0.08  # a decision citing an earlier decision of its own body (what it may amend or replace)
TOPICS = ["triển khai công tác phòng, chống dịch bệnh", "chuyển đổi số", "cải cách hành chính",
          "phát triển kinh tế - xã hội", "xây dựng nông thôn mới", "bảo đảm trật tự an toàn giao thông",
          "tuyển dụng viên chức", "khám bệnh, chữa bệnh bảo hiểm y tế", "phòng, chống thiên tai",
          "giảm nghèo bền vững", "tiêm chủng mở rộng", "thực hành tiết kiệm, chống lãng phí",
          "sắp xếp đơn vị hành chính", "kiện toàn tổ chức bộ máy", "an toàn thực phẩm"]
MIDDLE = ["Văn", "Thị", "Đức", "Minh", "Hữu", "Quốc", "Thanh", "Ngọc", "Xuân", "Công"]
GIVEN = ["Hùng", "Lan", "Tuấn", "Hương", "Dũng", "Mai", "Sơn", "Hà", "Nam", "Bình", "Phương", "Long", "Thảo",
         "Quang", "Trung", "Hải"]
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ"]

_ORD_MAX = dt.date(9999, 12, 31).toordinal()


def _category(doc_type: str, symbol: str, normative: bool, central: bool) -> str:
    if normative:
        return "norm_c" if central else "norm_p"
    return {"Quyết định": "qd", "Kế hoạch": "kh", "Tờ trình": "ttr", "Báo cáo": "bc", "Công văn": "cv",
            "Thông báo": "tb", "Nghị quyết": "nq", "Chỉ thị": "ct"}.get(doc_type, "cv")


# -- bodies ------------------------------------------------------------------------------------
@dataclass
class Body:
    id: int
    kind: str  # ubnd_p | hdnd | so | ubnd_d | cp | ttg | byt
    issuer: str  # as printed in the header
    parent: str | None
    entity: int  # province entity (-1: central)
    code: str  # symbol code of a Sở ("SYT")
    short: str  # as cited inside its own jurisdiction ("UBND tỉnh", "Sở Y tế", "UBND huyện")
    full: str  # as cited from outside ("UBND tỉnh Lâm Đồng")
    place: str
    valid_from: int
    valid_to: int
    canonical: str = ""
    pool: str = ""


@dataclass
class Entity:
    name: str
    unit: str  # tỉnh | thành phố
    valid_from: int
    valid_to: int
    predecessors: list[int] = field(default_factory=list)
    successor: str = ""

    @property
    def label(self) -> str:
        return f"{self.unit} {self.name}"


def _provinces() -> list[Entity]:
    """Province entities from rules/provinces.tsv: the 63 before the reform (valid_to set), the 34 and
    Huế after it; successors link them."""
    ents: list[Entity] = []
    for row in rules.read_table("provinces.tsv", 5):
        name, unit, vf, vt, succ = (row + [""] * 5)[:5]
        f = dt.date.fromisoformat(vf).toordinal() if vf else 0
        t = dt.date.fromisoformat(vt).toordinal() if vt else _ORD_MAX
        ents.append(Entity(name, unit, f, t, successor=succ))
    by_new = {e.name: i for i, e in enumerate(ents) if e.valid_from}
    for i, e in enumerate(ents):
        if e.valid_to != _ORD_MAX and e.successor in by_new:
            ents[by_new[e.successor]].predecessors.append(i)
    return ents


def _districts(province: str) -> list[str]:
    """A handful of rural districts of a pre-2025 province whose names no other province uses
    (a district named alike in two provinces would make "UBND huyện Châu Thành" ambiguous)."""
    table = _district_table()
    names = table.get(province, [])
    if len(names) >= DISTRICTS_PER_PROVINCE:
        return names[:DISTRICTS_PER_PROVINCE]
    # no data (package missing) or too few unique names: plausible generated names
    syl = ["An", "Bình", "Phú", "Tân", "Long", "Hòa", "Thạnh", "Đức", "Vĩnh", "Yên", "Sơn", "Lạc"]
    h = int(hashlib.md5(province.encode()).hexdigest(), 16)
    out = list(names)
    while len(out) < DISTRICTS_PER_PROVINCE:
        a, b = syl[h % len(syl)], syl[(h // 12) % len(syl)]
        h //= 7
        cand = f"{a} {b} {province.split()[-1]}"
        if cand not in out:
            out.append(cand)
        h += 13
    return out


_DISTRICT_CACHE: dict[str, list[str]] | None = None


def _district_table() -> dict[str, list[str]]:
    global _DISTRICT_CACHE
    if _DISTRICT_CACHE is not None:
        return _DISTRICT_CACHE
    out: dict[str, list[str]] = {}
    try:
        from vietnamadminunits.database.main import query

        rows = query("SELECT DISTINCT provinceShort, districtShort, districtType FROM admin_units_legacy")
    except Exception:
        rows = []
    from ..text.clean import fold

    count: dict[str, int] = {}
    for r in rows:
        count[fold(r["districtShort"])] = count.get(fold(r["districtShort"]), 0) + 1
    provinces = {fold(r["provinceShort"]) for r in rows}
    for r in rows:
        d = r["districtShort"]
        if r["districtType"] != "Huyện" or "(" in d or count[fold(d)] > 1 or fold(d) in provinces:
            continue
        out.setdefault(r["provinceShort"], []).append(d)
    for k in out:
        out[k].sort()
    _DISTRICT_CACHE = out
    return out


def build_bodies() -> tuple[list[Entity], list[Body]]:
    ents = _provinces()
    bodies: list[Body] = []

    def add(**kw) -> Body:
        b = Body(id=len(bodies), **kw)
        bodies.append(b)
        return b

    for ei, e in enumerate(ents):
        ubnd = f"Ủy ban nhân dân {e.label}"
        add(kind="ubnd_p", issuer=ubnd, parent=None, entity=ei, code="UBND", short=f"UBND {e.unit}",
            full=f"UBND {e.label}", place=e.name, valid_from=e.valid_from, valid_to=e.valid_to)
        add(kind="hdnd", issuer=f"Hội đồng nhân dân {e.label}", parent=None, entity=ei, code="HĐND",
            short=f"HĐND {e.unit}", full=f"HĐND {e.label}", place=e.name, valid_from=e.valid_from,
            valid_to=e.valid_to)
        for so, code in SO:
            add(kind="so", issuer=so, parent=ubnd, entity=ei, code=code, short=so, full=f"{so} {e.label}",
                place=e.name, valid_from=e.valid_from, valid_to=e.valid_to)
        if e.valid_to != _ORD_MAX:  # districts exist before the reform only
            for d in _districts(e.name):
                add(kind="ubnd_d", issuer=f"Ủy ban nhân dân huyện {d}", parent=None, entity=ei, code="UBND",
                    short="UBND huyện", full=f"UBND huyện {d}", place=d, valid_from=e.valid_from,
                    valid_to=min(e.valid_to, REFORM.toordinal()))
    for kind, name, _ in CENTRAL:
        add(kind=kind, issuer=name, parent=None, entity=-1, code="", short=name, full=name, place="Hà Nội",
            valid_from=0, valid_to=_ORD_MAX)
    for b in bodies:
        b.canonical = canonical_issuer(b.issuer, b.parent, b.place) or b.issuer
        b.pool = "c" if b.entity < 0 else (f"d:{b.id}" if b.kind == "ubnd_d" else f"p:{b.entity}")
    return ents, bodies


# -- the generator -------------------------------------------------------------------------------
class _Pool:
    """Documents citable from a jurisdiction, in date order, with cumulative popularity."""

    __slots__ = ("idx", "dates", "cum")

    def __init__(self):
        self.idx: list[int] = []
        self.dates: list[int] = []
        self.cum: list[float] = []

    def add(self, i: int, date: int, w: float) -> None:
        self.idx.append(i)
        self.dates.append(date)
        self.cum.append((self.cum[-1] if self.cum else 0.0) + w)

    def sample(self, rng: random.Random, before: int) -> int | None:
        n = bisect.bisect_left(self.dates, before)  # documents dated strictly before
        if n == 0:
            return None
        r = rng.random() * self.cum[n - 1]
        return self.idx[min(bisect.bisect_right(self.cum, r, 0, n), n - 1)]

    def weight(self, before: int) -> float:
        n = bisect.bisect_left(self.dates, before)
        return self.cum[n - 1] if n else 0.0


SKELETON_SCHEMA = pa.schema([("body", pa.int32()), ("series", pa.int32()), ("doc_type", pa.string()),
                             ("number", pa.string()), ("date", pa.int32()), ("node_id", pa.string()),
                             ("ingested", pa.bool_()), ("weight", pa.float64()), ("cited", pa.int32()),
                             ("normative", pa.bool_())])
TRUTH_SCHEMA = pa.schema([("doc_id", pa.string()), ("start", pa.int64()), ("variant", pa.string()),
                          ("true_target", pa.string()), ("ingested", pa.bool_()), ("law", pa.bool_()),
                          ("relation", pa.string())])


class _Generator:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.seed = seed
        self.ents, self.bodies = build_bodies()
        # as the pipeline resolves a cited issuer (document.py): from the header issuer and its parent
        self.where = {b.id: jurisdiction_of(b.issuer, b.parent) for b in self.bodies}
        self.districts: dict[int, list[int]] = {}
        for b in self.bodies:
            if b.kind == "ubnd_d":
                self.districts.setdefault(b.entity, []).append(b.id)
        # skeleton: one entry per issued document (ingested or not)
        self.sk_body: list[int] = []
        self.sk_series: list[int] = []
        self.sk_type: list[str] = []
        self.sk_number: list[str] = []
        self.sk_date: list[int] = []
        self.sk_node: list[str] = []
        self.sk_ingested: list[bool] = []
        self.sk_weight: list[float] = []
        self.sk_cited: list[int] = []
        self.sk_norm: list[bool] = []
        self.pools: dict[str, _Pool] = {}
        self.last: dict[tuple[int, int, int], int] = {}  # (body, year, series) → last number
        self.serial = 0  # distinguishes doc ids across runs of one seed
        self.counts: dict[str, int] = {}
        self._eras: dict[int, tuple] = {}

    # -- state ----------------------------------------------------------------------------------
    def save(self, d: Path, extra: dict) -> None:
        d.mkdir(parents=True, exist_ok=True)
        t = pa.table({"body": self.sk_body, "series": self.sk_series, "doc_type": self.sk_type,
                      "number": self.sk_number, "date": self.sk_date, "node_id": self.sk_node,
                      "ingested": self.sk_ingested, "weight": self.sk_weight, "cited": self.sk_cited,
                      "normative": self.sk_norm}, schema=SKELETON_SCHEMA)
        pq.write_table(t, d / "skeleton.parquet.tmp", compression="zstd")
        (d / "skeleton.parquet.tmp").replace(d / "skeleton.parquet")
        state = dict(extra, seed=self.seed, serial=self.serial)
        (d / "state.json").write_text(json.dumps(state, ensure_ascii=False, indent=1))

    def load(self, d: Path) -> dict:
        state = json.loads((d / "state.json").read_text())
        t = pq.read_table(d / "skeleton.parquet").to_pydict()
        self.sk_body, self.sk_series, self.sk_type = t["body"], t["series"], t["doc_type"]
        self.sk_number, self.sk_date, self.sk_node = t["number"], t["date"], t["node_id"]
        self.sk_ingested, self.sk_weight, self.sk_cited = t["ingested"], t["weight"], t["cited"]
        self.sk_norm = t["normative"]
        order = sorted(range(len(self.sk_date)), key=lambda i: self.sk_date[i])
        for i in order:
            self._pool(self.bodies[self.sk_body[i]].pool).add(i, self.sk_date[i], self.sk_weight[i])
            if self.sk_norm[i] or self.sk_type[i] in {"Quyết định", "Nghị quyết"}:
                self._pool(f"b:{self.sk_body[i]}").add(i, self.sk_date[i], self.sk_weight[i])
        for i in range(len(self.sk_body)):
            if self.sk_series[i] < 0:
                continue
            y = dt.date.fromordinal(self.sk_date[i]).year
            k = (self.sk_body[i], y, self.sk_series[i])
            n = _leading(self.sk_number[i])
            if n > self.last.get(k, 0):
                self.last[k] = n
        self.serial = state.get("serial", 0)
        return state

    def _pool(self, key: str) -> _Pool:
        p = self.pools.get(key)
        if p is None:
            p = self.pools[key] = _Pool()
        return p

    # -- issuing ----------------------------------------------------------------------------------
    def _era(self, date: int) -> tuple:
        """Bodies valid on a date, grouped by kind; cached per era (the valid set changes twice)."""
        key = 0 if date < HUE.toordinal() else (1 if date < REFORM.toordinal() else 2)
        if key not in self._eras:
            by_kind: dict[str, list[Body]] = {}
            for b in self.bodies:
                if b.valid_from <= date < b.valid_to:
                    by_kind.setdefault("central" if b.entity < 0 else b.kind, []).append(b)
            shares = KIND_SHARE_OLD if key < 2 else KIND_SHARE_NEW
            self._eras[key] = (by_kind, shares)
        return self._eras[key]

    def pick_body(self, date: int) -> Body:
        by_kind, shares = self._era(date)
        r = self.rng.random()
        for kind, s in shares:
            r -= s
            if r <= 0:
                break
        if kind == "central":
            r = self.rng.random()
            for k, _, s in CENTRAL:
                r -= s
                if r <= 0:
                    break
            return next(b for b in by_kind["central"] if b.kind == k)
        return self.rng.choice(by_kind[kind])

    def issue(self, body: Body, date: int, ingested: bool, popularity: float = 1.0) -> int:
        """A new document of `body` on `date`: its series, number (restarting each year) and node id."""
        rng = self.rng
        series = SERIES[body.kind]
        r = rng.random()
        si = 0
        for si, (_, _, share, _, _) in enumerate(series):
            r -= share
            if r <= 0:
                break
        doc_type, pattern, _, volume, normative = series[si]
        d = dt.date.fromordinal(date)
        doy = d.timetuple().tm_yday
        k = (body.id, d.year, si)
        n = max(math.ceil(doy / 366 * volume * rng.uniform(0.85, 1.0)), self.last.get(k, 0) + 1)
        self.last[k] = n
        symbol = pattern.format(c=body.code, d=rng.choice(DEPARTMENTS.get(body.kind, ["VP"])))
        number = f"{n}/{d.year}/{symbol}" if normative else f"{n}/{symbol}"
        canonical = canonical_issuer(body.issuer, body.parent, body.place, d) or body.issuer
        node = node_key(number, d, d.year, canonical)
        cat = _category(doc_type, symbol, normative, body.entity < 0)
        w = popularity * POPULARITY.get(cat, 1.0) * rng.paretovariate(1.1)
        i = len(self.sk_body)
        self.sk_body.append(body.id)
        self.sk_series.append(si)
        self.sk_type.append(doc_type)
        self.sk_number.append(number)
        self.sk_date.append(date)
        self.sk_node.append(node)
        self.sk_ingested.append(ingested)
        self.sk_weight.append(w)
        self.sk_cited.append(0)
        self.sk_norm.append(normative)
        self._pool(body.pool).add(i, date, w)
        if normative or doc_type in {"Quyết định", "Nghị quyết"}:
            self._pool(f"b:{body.id}").add(i, date, w)  # what the body may later amend or replace
        return i

    def seed_central(self) -> None:
        """Central documents of 2008–2017 (none ingested): what every province cites as basis."""
        central = [b for b in self.bodies if b.entity < 0]
        pending = []
        for y in range(2008, 2018):
            for b in central:
                for _ in range({"cp": 6, "ttg": 3, "byt": 2}[b.kind]):
                    pending.append((dt.date(y, 1, 1).toordinal() + self.rng.randrange(365), b.id))
        for day, bid in sorted(pending):
            self.issue(self.bodies[bid], day, ingested=False, popularity=0.3)
        # a famous one, as in the brief: Nghị định 56/2017/NĐ-CP of 9 May 2017, cited everywhere
        cp = next(b for b in central if b.kind == "cp")
        d = dt.date(2017, 5, 9)
        i = len(self.sk_body)
        w = 60.0 * POPULARITY["norm_c"]
        for lst, v in ((self.sk_body, cp.id), (self.sk_series, -1), (self.sk_type, "Nghị định"),
                       (self.sk_number, "56/2017/NĐ-CP"), (self.sk_date, d.toordinal()),
                       (self.sk_node, node_key("56/2017/NĐ-CP", d, 2017, cp.canonical)), (self.sk_ingested, False),
                       (self.sk_weight, w), (self.sk_cited, 0), (self.sk_norm, True)):
            lst.append(v)
        # keep the pool in date order: 56/2017 goes before the documents of late 2017
        pool = self._pool("c")
        items = sorted(zip(pool.dates + [d.toordinal()], pool.idx + [i],
                           [self.sk_weight[j] for j in pool.idx] + [w]))
        pool.idx, pool.dates, pool.cum = [], [], []
        for dd, j, ww in items:
            pool.add(j, dd, ww)

    # -- citing -----------------------------------------------------------------------------------
    def _choose_pool(self, body: Body, date: int) -> _Pool | None:
        rng = self.rng
        r = rng.random()
        if body.entity < 0 or r < CENTRAL_RATE:
            return self.pools.get("c")
        ent = self.ents[body.entity]
        if r < CENTRAL_RATE + 0.05:  # another province valid at the time
            for _ in range(8):
                p = self.pools.get(f"p:{rng.randrange(len(self.ents))}")
                if p is not None and p.dates and p.dates[0] < date:
                    return p
            return self.pools.get(f"p:{body.entity}")
        if body.kind == "ubnd_d" and r < 0.65:
            return self.pools.get(body.pool)
        if body.kind != "ubnd_d" and r < CENTRAL_RATE + 0.08 and ent.valid_to != _ORD_MAX:  # a district of the province
            ds = [p for p in (self.pools.get(f"d:{b}") for b in self.districts.get(body.entity, ())) if p]
            if ds:
                return rng.choice(ds)
        if ent.predecessors and r < 0.55:  # after a merger: the old provinces, by their weight
            ps = [(p, p.weight(date)) for p in (self.pools.get(f"p:{j}") for j in ent.predecessors) if p]
            tot = sum(w for _, w in ps)
            if tot > 0:
                x = rng.random() * tot
                for p, w in ps:
                    x -= w
                    if x <= 0:
                        return p
        return self.pools.get(f"p:{body.entity}")

    def _raw_issuer(self, target: Body, citing: Body) -> str:
        """The cited issuer as a citing document writes it."""
        rng = self.rng
        if target.entity < 0:
            return target.issuer
        te, ce = self.ents[target.entity], (self.ents[citing.entity] if citing.entity >= 0 else None)
        if target.kind == "ubnd_d":
            return target.short if target.id == citing.id else target.full
        same = citing.entity == target.entity
        if same and citing.kind != "ubnd_d":
            if target.kind == "so" and rng.random() < 0.2:
                return target.full
            return target.short if rng.random() < 0.8 else target.short.replace("UBND", "Ủy ban nhân dân")
        if same:  # a district names its province; one time in ten it writes the bare "UBND tỉnh"
            return target.short if rng.random() < 0.1 else target.full
        if ce is not None and target.entity in ce.predecessors:
            if te.name == ce.name:
                return target.short
            return target.full + " (cũ)"
        return target.full

    def _relation(self, cat: str, target: Body, citing: Body, citing_type: str) -> str:
        rng = self.rng
        r = rng.random()
        rel = "mentions"
        for rel, p in RELATIONS[cat]:
            r -= p
            if r <= 0:
                break
        if rel in ACTING and (target.id != citing.id or citing_type not in {"Quyết định", "Nghị quyết"}):
            rel = "mentions" if rng.random() < 0.5 else "basis"
        if rel == "report" and citing_type != "Báo cáo":
            rel = "implements"
        elif citing_type == "Báo cáo" and cat in {"kh", "qd", "cv"} and rng.random() < 0.5:
            rel = "report"
        return rel

    def citations(self, body: Body, doc_type: str, date: int, k: int) -> tuple[list[Citation], list[tuple], list[str]]:
        """k citations of earlier documents; with their truth rows and the text lines that hold them."""
        rng = self.rng
        where = self.where[body.id]
        cits: list[Citation] = []
        truth: list[tuple] = []
        seen: dict[int, Citation] = {}
        lines: list[str] = []
        for _ in range(k):
            if rng.random() < LAW_RATE:
                laws = [x for x in LAWS if x[1].toordinal() < date]
                name, ld = rng.choice(laws)
                rel = self._relation("law", body, body, doc_type)
                with_year = rng.random() < 0.8
                mention = f"{name} ngày {ld.day:02d} tháng {ld.month} năm {ld.year}" if with_year else name
                c = Citation(mention=mention, start=0, end=0, cited_type="Luật", cited_name=name,
                             cited_date=ld if with_year else None, cited_year=ld.year if with_year else None,
                             relation=rel, relation_cue=CUES[rel])
                cits.append(c)
                truth.append(("law", None, False, True, rel))
                lines.append(CUES[rel])
                continue
            own = doc_type in {"Quyết định", "Nghị quyết"} and rng.random() < OWN_RATE
            for _ in range(3):  # a document cites another once; a repeat is a short form
                pool = self.pools.get(f"b:{body.id}") if own else self._choose_pool(body, date)
                i = pool.sample(rng, date) if pool else None
                if i is None:
                    i = self.pools["c"].sample(rng, date)
                if i not in seen:
                    break
            if i is None:
                continue
            target = self.bodies[self.sk_body[i]]
            if i in seen or (cits and rng.random() < SHORT_RATE and seen):
                # a short form repeating an earlier full citation: date and issuer inherited
                if i not in seen:
                    i = rng.choice(list(seen))
                    target = self.bodies[self.sk_body[i]]
                full = seen[i]
                self.sk_cited[i] += 1
                mention = f"{full.cited_type} số {full.cited_number}"
                c = Citation(mention=mention, start=0, end=0, cited_type=full.cited_type,
                             cited_number=full.cited_number, cited_date=full.cited_date, cited_year=full.cited_year,
                             cited_issuer=full.cited_issuer, cited_issuer_raw=full.cited_issuer_raw,
                             relation=full.relation, relation_cue=None, short_form=True)
                cits.append(c)
                truth.append(("short", self.sk_node[i], self.sk_ingested[i], False, full.relation))
                lines.append("Các nội dung khác theo")
                continue
            self.sk_cited[i] += 1
            number = self.sk_number[i]
            ttype = self.sk_type[i]
            tdate = dt.date.fromordinal(self.sk_date[i])
            norm = self.sk_norm[i]
            cat = _category(ttype, number, norm, target.entity < 0)
            rel = self._relation(cat, target, body, doc_type)
            variant = "none"
            r = rng.random()
            for v, p in VARIANTS:
                r -= p
                if r <= 0:
                    variant = v
                    break
            if variant == "none" and _leading(number) < 10 and rng.random() < ZERO_PAD_RATE:
                variant = "zero_pad"
            written = number
            if variant == "space":
                written = _with_space(number, rng)
            elif variant == "typo":
                written = _typo(number, rng)
            elif variant == "zero_pad":
                written = "0" + number
            raw = None if variant == "missing_issuer" else self._raw_issuer(target, body)
            date_ok = variant != "missing_date"
            if date_ok:
                if norm and target.entity < 0 or rng.random() < 0.3:
                    ds = f"ngày {tdate.day:02d} tháng {tdate.month} năm {tdate.year}"
                elif rng.random() < 0.5:
                    ds = f"ngày {tdate.day}/{tdate.month}/{tdate.year}"
                else:
                    ds = f"ngày {tdate:%d/%m/%Y}"
            mention = f"{ttype} số {written}" + (f" {ds}" if date_ok else "") + (f" của {raw}" if raw else "")
            c = Citation(mention=mention, start=0, end=0, cited_type=ttype, cited_number=written,
                         cited_date=tdate if date_ok else None, cited_year=tdate.year if date_ok else None,
                         cited_issuer=resolve_issuer(raw, where) if raw else None, cited_issuer_raw=raw,
                         relation=rel, relation_cue=CUES[rel],
                         part=("Điều " + str(rng.randint(1, 12))) if rel in ACTING and rng.random() < 0.3 else None)
            cits.append(c)
            seen[i] = c
            truth.append((variant, self.sk_node[i], self.sk_ingested[i], False, rel))
            lines.append(CUES[rel])
        return cits, truth, lines

    # -- records ----------------------------------------------------------------------------------
    def record(self, i: int, k: int) -> tuple[DocumentRecord, list[dict]]:
        """The DocumentRecord of skeleton entry i with k citations, annotated; and its truth rows."""
        rng = self.rng
        body = self.bodies[self.sk_body[i]]
        date = self.sk_date[i]
        d = dt.date.fromordinal(date)
        doc_type, number = self.sk_type[i], self.sk_number[i]
        cits, truth, cues = self.citations(body, doc_type, date, k)
        subject = f"{rng.choice(TOPICS)} năm {d.year}"
        head = body.issuer.upper()
        num_line = f"Số: {number}"
        date_line = f"{body.place}, ngày {d.day:02d} tháng {d.month:02d} năm {d.year}"
        parts = [head, "\n", num_line, "\n", date_line, "\n", doc_type.upper(), "\n", "Về việc ", subject, "\n"]
        off = header_len = sum(len(p) for p in parts)
        number_span = Span(len(head) + 1 + 5, len(head) + 1 + len(num_line))
        date_start = len(head) + 1 + len(num_line) + 1
        for c, cue in zip(cits, cues):
            prefix = cue + " "
            c.start = off + len(prefix)
            c.end = c.start + len(c.mention)
            line = prefix + c.mention + ";\n"
            parts.append(line)
            off += len(line)
        text = "".join(parts)
        self.serial += 1
        sha = hashlib.sha256(f"vanban-synth:{self.seed}:{self.serial}:{i}".encode()).hexdigest()
        doc_id = doc_id_from_sha(sha)
        y = d.year
        signer = f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
        title = {"ubnd_p": "Chủ tịch", "ubnd_d": "Chủ tịch", "hdnd": "Chủ tịch", "so": "Giám đốc",
                 "cp": "Thủ tướng", "ttg": "Thủ tướng", "byt": "Bộ trưởng"}[body.kind]
        deputy = rng.random() < 0.6
        rec = DocumentRecord(
            doc_id=doc_id, source_path=f"synth/{body.place}/{y}/{number.replace('/', '_')}.txt",
            source_sha256=sha, kind="txt", pages=[Page(1, text, 0)],
            header=Header(doc_type=doc_type, doc_type_span=None, number=number, symbol=number.split("/")[-1],
                          number_span=number_span, issue_date=d, issue_year=y,
                          date_span=Span(date_start, date_start + len(date_line)), place=body.place,
                          issuer=body.issuer, issuer_parent=body.parent, issuer_span=Span(0, len(head)),
                          issuer_confidence=1.0, issuer_source="header", subject=f"Về việc {subject}",
                          body_start=header_len),
            signature=Signature(signer=signer, signer_title=("Phó " if deputy else "") + title,
                                authority="KT." if deputy else "TM.", recipients=["Như trên"],
                                filing=["VT"]),
            citations=cits)
        annotate(rec)
        if rec.node_id != self.sk_node[i]:  # the identity rule decides; keep the skeleton consistent
            self.sk_node[i] = rec.node_id
        rows = [{"doc_id": doc_id, "start": c.start, "variant": t[0], "true_target": t[1], "ingested": t[2],
                 "law": t[3], "relation": t[4]} for c, t in zip(cits, truth)]
        return rec, rows


def _leading(number: str) -> int:
    n = 0
    for ch in number:
        if not ch.isdigit():
            break
        n = n * 10 + ord(ch) - 48
    return n


def _symbol_bounds(number: str) -> tuple[int, int]:
    start = number.rfind("/") + 1
    return start, len(number)


def _with_space(number: str, rng: random.Random) -> str:
    """"92/KH-UBND" → "92/KH- UBND" or "92/KH-UB ND"."""
    s, e = _symbol_bounds(number)
    if "-" in number[s:e] and rng.random() < 0.6:
        p = number.index("-", s) + 1
    else:
        p = rng.randrange(s + 1, e) if e - s > 1 else e
    return number[:p] + " " + number[p:]


_ASCII = "ABCDEFGHIKLMNOPQRSTUVX"


def _typo(number: str, rng: random.Random) -> str:
    """One letter of the symbol replaced by another (an ASCII capital: the key differs by one)."""
    s, e = _symbol_bounds(number)
    pos = [j for j in range(s, e) if "A" <= number[j] <= "Z"]
    if not pos:
        return number
    j = rng.choice(pos)
    c = rng.choice([x for x in _ASCII if x != number[j]])
    return number[:j] + c + number[j + 1:]


def _citation_counts(rng: random.Random, total_docs: int, total_cits: int):
    """Per document citation counts around the mean (±4), summing exactly to total_cits."""
    cum = 0
    for i in range(total_docs):
        if i == total_docs - 1:
            yield max(total_cits - cum, 0)
            return
        target = round((i + 1) * total_cits / total_docs)
        k = max(target - cum + (rng.randint(-4, 4) if total_cits >= 4 * total_docs else 0), 0)
        cum += k
        yield k


def _write(ds: Dataset, records: list[DocumentRecord], truth: list[dict], synth: Path, part: int) -> None:
    ds.write_batch(records, [])
    tdir = synth / "truth"
    tdir.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist(truth, schema=TRUTH_SCHEMA), tdir / f"part-{part:06d}.parquet",
                   compression="zstd")


def make_archive(out_dir, n_docs: int = 100_000, n_citations: int = 1_000_000, seed: int = 0,
                 batch_size: int = 1000) -> dict:
    """Write a synthetic archive of `n_docs` DocumentRecords holding `n_citations` citations to the
    dataset at `out_dir`, one batch of `batch_size` records at a time. Returns counts and seconds."""
    t0 = time.perf_counter()
    out = Path(out_dir)
    synth = out / SYNTH_DIR
    g = _Generator(seed)
    g.seed_central()
    span = END.toordinal() - START.toordinal()
    counts = _citation_counts(random.Random(seed + 1), n_docs, n_citations)
    written = cits = phantoms = part = 0
    variants: dict[str, int] = {}
    relations: dict[str, int] = {}
    external_cits = 0
    batch: list[DocumentRecord] = []
    truth: list[dict] = []
    with Dataset(out) as ds:
        while written < n_docs:
            date = START.toordinal() + (written * span) // max(n_docs, 1)
            body = g.pick_body(date)
            phantom = g.rng.random() < (CENTRAL_PHANTOM_RATE if body.entity < 0 else PHANTOM_RATE)
            i = g.issue(body, date, ingested=not phantom)
            if phantom:
                phantoms += 1
                continue
            rec, rows = g.record(i, next(counts))
            written += 1
            cits += len(rec.citations)
            for r in rows:
                variants[r["variant"]] = variants.get(r["variant"], 0) + 1
                relations[r["relation"]] = relations.get(r["relation"], 0) + 1
                external_cits += not r["ingested"]
            batch.append(rec)
            truth.extend(rows)
            if len(batch) >= batch_size:
                _write(ds, batch, truth, synth, part)
                part += 1
                batch, truth = [], []
        if batch:
            _write(ds, batch, truth, synth, part)
            part += 1
    max_cited = max(g.sk_cited) if g.sk_cited else 0
    info = {"documents": written, "citations": cits, "not_ingested_documents": sum(1 for x in g.sk_ingested if not x),
        "external_citations": external_cits, "batches": part,
        "variants": variants, "relations": relations, "max_cited": max_cited,
        "bodies": len(g.bodies), "seed": seed}
    g.save(synth, {"n_docs": n_docs, "n_citations": n_citations, "end": END.isoformat(), "parts": part,
                   "mean_citations": n_citations / max(n_docs, 1)})
    info["seconds"] = round(time.perf_counter() - t0, 2)
    return info


def add_documents(out_dir, n: int = 1000, seed: int = 1, revive: float = 0.2, batch_size: int = 1000) -> dict:
    """Append `n` later documents (after the archive's last date) to the dataset at `out_dir`: most
    are new and cite old documents; a share `revive` are documents that old citations pointed to as
    external (not ingested until now), most cited first. Returns counts, the node ids of the revived
    documents and of the new ones, and seconds."""
    t0 = time.perf_counter()
    out = Path(out_dir)
    synth = out / SYNTH_DIR
    g = _Generator(seed)
    state = g.load(synth)
    g.rng = random.Random(seed * 7919 + state.get("serial", 0))
    end = dt.date.fromisoformat(state.get("end", END.isoformat()))
    start = end.toordinal() + 1
    stop = max(LATE_END.toordinal(), start + 30)
    mean = state.get("mean_citations", 10.0)
    # documents old citations pointed to as external, most cited first (central ones before 2018 stay out)
    ext = [i for i in range(len(g.sk_body)) if not g.sk_ingested[i] and g.sk_cited[i] > 0
           and g.sk_date[i] >= START.toordinal() and g.sk_series[i] >= 0]
    ext.sort(key=lambda i: (-g.sk_cited[i], i))
    n_rev = min(int(n * revive), len(ext))
    revived = ext[:n_rev]
    counts = _citation_counts(g.rng, n, round(mean * n))
    part = state.get("parts", 0)
    batch: list[DocumentRecord] = []
    truth: list[dict] = []
    revived_nodes, new_nodes = [], []
    cits = 0
    with Dataset(out) as ds:
        for j in range(n):
            if j < n_rev:
                i = revived[j]
                g.sk_ingested[i] = True
            else:
                date = start + ((j - n_rev) * (stop - start)) // max(n - n_rev, 1)
                i = g.issue(g.pick_body(date), date, ingested=True)
            rec, rows = g.record(i, next(counts))
            (revived_nodes if j < n_rev else new_nodes).append(rec.node_id)
            cits += len(rec.citations)
            batch.append(rec)
            truth.extend(rows)
            if len(batch) >= batch_size:
                _write(ds, batch, truth, synth, part)
                part += 1
                batch, truth = [], []
        if batch:
            _write(ds, batch, truth, synth, part)
            part += 1
    last = max(g.sk_date[i] for i in range(len(g.sk_date)) if g.sk_ingested[i])
    state.update(parts=part, end=dt.date.fromordinal(max(last, end.toordinal())).isoformat())
    g.save(synth, state)
    return {"documents": n, "citations": cits, "revived": len(revived_nodes), "revived_nodes": revived_nodes,
            "new_nodes": new_nodes, "seconds": round(time.perf_counter() - t0, 2)}


def truth_table(out_dir) -> str:
    """The glob of the ground-truth parts (for DuckDB): doc_id, start, variant, true_target, ingested."""
    return str(Path(out_dir) / SYNTH_DIR / "truth" / "*.parquet")


__all__ = ["make_archive", "add_documents", "build_bodies", "truth_table"]
