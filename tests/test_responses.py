"""Response tracking on the bundled samples: KH 76/2024 of UBND tỉnh Quảng Ngãi asks the districts for
a plan before 20/4/2024 and a report before 10/6; Sở Y tế for a report before 30/6/2024. The samples
were written so that Bình Sơn's plan is on time, Đức Phổ's answer is late, Mộ Đức reports on time
and Sở Y tế never reports."""
from __future__ import annotations

import datetime as dt

import pytest

from pipeline.cli import main
from pipeline.errors import ExitCode
from pipeline.graph.query import Graph
from pipeline.ingest import ingest

KEY = "KH 76/2024 Quảng Ngãi"


@pytest.fixture(scope="module")
def data(tmp_path_factory, ):
    from pathlib import Path

    out = tmp_path_factory.mktemp("resp") / "out"
    ingest([str(Path(__file__).resolve().parent.parent / "corpus" / "samples")], str(out))
    return out


def _by(rows, assignee_start: str, responder: str | None = None, deadline: str | None = None):
    return [r for r in rows if r["assignee"].startswith(assignee_start)
            and (responder is None or (r["responder"] or "").endswith(responder))
            and (deadline is None or str(r["deadline"]) == deadline)]


def test_on_time_late_and_missing(data):
    with Graph(data) as g:
        rows = g.responses(KEY, as_of=dt.date(2024, 7, 20))
    plan = "2024-04-20"
    assert [r["status"] for r in _by(rows, "Ủy ban nhân dân các huyện", "huyện Bình Sơn", plan)] == ["on_time"]
    assert [r["status"] for r in _by(rows, "Ủy ban nhân dân các huyện", "thị xã Đức Phổ", plan)] == ["late"]
    report = _by(rows, "Ủy ban nhân dân các huyện", "huyện Mộ Đức", "2024-06-10")
    assert [r["status"] for r in report] == ["on_time"] and report[0]["response_number"] == "187/BC-UBND"
    assert [r["status"] for r in _by(rows, "Sở Y tế", deadline="2024-06-30")] == ["missing"]


def test_not_yet_due_and_answers_after_the_date_unknown(data):
    with Graph(data) as g:
        rows = g.responses(KEY, as_of=dt.date(2024, 4, 10))
    # Bình Sơn's plan of 15/4 did not exist on 10/4: the districts' plan is simply not yet due
    plan = _by(rows, "Ủy ban nhân dân các huyện", deadline="2024-04-20")
    assert [r["status"] for r in plan] == ["not_yet_due"] and plan[0]["responder"] is None
    assert [r["status"] for r in _by(rows, "Sở Y tế", deadline="2024-06-30")] == ["not_yet_due"]


def test_cli_and_table(data, capsys):
    assert main(["responses", KEY, "--data", str(data), "--as-of", "2024-07-20", "--json"]) == ExitCode.ok
    assert '"late"' in capsys.readouterr().out
    import duckdb

    n = duckdb.connect().execute(f"SELECT count(*) FROM read_parquet('{data}/responses/*.parquet') WHERE status IS NOT NULL").fetchone()[0]
    assert n > 0
