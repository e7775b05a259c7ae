import json

import pandas as pd

from pipeline.cli import main
from pipeline.document import extract
from pipeline.errors import ExitCode
from pipeline.models import DocumentRecord, Page
from pipeline.text.clean import normalize_text


def test_show_prints_json_with_evidence(samples, capsys):
    code = main(["show", str(samples / "04_kh_76-kh-ubnd.txt")])
    assert code == ExitCode.ok
    out = json.loads(capsys.readouterr().out)
    assert out["header"]["number"] == "76/KH-UBND"
    assert out["header"]["number_span"]["text"].endswith("76/KH-UBND")
    assert out["citations"] and all(c["evidence"] == c["mention"] for c in out["citations"])


def test_show_bad_input_is_a_clear_error(tmp_path, capsys):
    f = tmp_path / "empty.txt"
    f.write_bytes(b"")
    assert main(["show", str(f)]) == ExitCode.all_failed
    assert json.loads(capsys.readouterr().out)["error"] == "empty file"


def test_ingest_exit_codes(tmp_path, samples):
    assert main(["ingest", str(samples), "--out", str(tmp_path / "o")]) == ExitCode.ok
    assert main(["ingest", str(tmp_path / "missing"), "--out", str(tmp_path / "o")]) == ExitCode.input_missing
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "x.txt").write_bytes(b"")
    assert main(["ingest", str(bad), "--out", str(tmp_path / "o2")]) == ExitCode.all_failed
    assert main(["nonsense"]) == ExitCode.bad_args
    edges = pd.read_parquet(tmp_path / "o" / "edges")
    nodes = pd.read_parquet(tmp_path / "o" / "nodes")
    ingested = set(nodes[nodes.kind == "ingested"].node_id)
    # the sample archive cites itself: the district plan implements the provincial one
    assert ((edges.relation == "implements") & edges.source.isin(ingested) & edges.target.isin(ingested)).any()


def test_eval_check_exit_code(tmp_path):
    floors = tmp_path / "floors.json"
    floors.write_text(json.dumps({"references": 1.01}))
    assert main(["eval", "--check", str(floors)]) == ExitCode.quality_regression


def test_bench_writes_the_text_path_report(tmp_path, samples, capsys):
    """`vanban bench` prints the text path's figures and writes them as JSON (`make bench` keeps
    reports/bench-text.json); the figures themselves are the bench's, not asserted here."""
    report = tmp_path / "bench-text.json"
    assert main(["bench", str(samples), "--text-report", str(report)]) == ExitCode.ok
    r = json.loads(report.read_text(encoding="utf-8"))
    assert r["files"] == len(list(samples.rglob("*.txt"))) > 0
    assert r["mb_per_s_cpu"] > 0 and r["process_failures"] == 0
    assert set(r["stages_cpu_s"]) >= {"citations", "entities", "tasks", "normalise", "signature", "header"}
    assert f"{r['mb_per_s_cpu']:.2f} MB/s CPU time" in capsys.readouterr().out
    # the items the stage costs are divided by are what extraction makes of these files
    made = {"citations": 0, "entities": 0, "tasks": 0, "lines": 0}
    for f in sorted(samples.rglob("*.txt")):
        norm, _ = normalize_text(f.read_text(encoding="utf-8"))
        rec = DocumentRecord(doc_id="x", source_path="x", source_sha256="x", kind="txt", pages=[Page(1, norm)])
        extract(rec, norm)
        for k, n in (("citations", len(rec.citations)), ("entities", len(rec.entities)),
                     ("tasks", len(rec.tasks)), ("lines", norm.count("\n") + 1)):
            made[k] += n
    assert r["items"] == made
    assert set(r["stage_us_per_item"]) == {"citations per citation", "entities per entity", "tasks per line"}


def test_ingest_links_under_the_memory_limit_it_is_given(tmp_path, samples, monkeypatch):
    """`--link-memory-limit` reaches the link after the run (DuckDB's limit); a size DuckDB would
    refuse is refused at the command line, before any document is read."""
    import pipeline.graph.link as L

    limits = []
    real = L.Linker.__init__

    def spy(self, root, memory_limit="512MB", threads=None):
        limits.append(memory_limit)
        real(self, root, memory_limit=memory_limit, threads=threads)

    monkeypatch.setattr(L.Linker, "__init__", spy)
    out = tmp_path / "o"
    assert main(["ingest", str(samples), "--out", str(out), "--no-ocr", "-q", "--link-memory-limit", "160MB"]) == ExitCode.ok
    assert limits == ["160MB"] and len(pd.read_parquet(out / "nodes")) > 0
    assert main(["ingest", str(samples), "--out", str(tmp_path / "o2"), "--link-memory-limit", "lots"]) == ExitCode.bad_args
    assert not (tmp_path / "o2").exists()


def test_eval_tasks_scores_another_gold_folder(tmp_path, capsys):
    # a folder with one gold file of a team sample (two tasks the sample assigns, one of them wrong)
    from pipeline.evaluation.evaluate import REPO

    gold = REPO / "corpus" / "gold" / "tasks" / "samples_04_kh_76-kh-ubnd.json"
    d = json.loads(gold.read_text(encoding="utf-8"))
    assert d["tasks"], "the sample's gold assigns tasks"
    d["tasks"] = d["tasks"][:1] + [dict(d["tasks"][0], assignee="Ban Không Có Thật")]
    (tmp_path / "one.json").write_text(json.dumps(d, ensure_ascii=False), encoding="utf-8")
    assert main(["eval-tasks", "--gold", str(tmp_path), "--errors"]) == ExitCode.ok
    out = capsys.readouterr().out
    assert "tasks on 1 gold documents (" in out and str(tmp_path) in out
    assert "Ban Không Có Thật".casefold() in out.casefold()  # listed as a miss
    assert main(["eval-tasks", "--gold", str(tmp_path / "missing")]) == ExitCode.bad_args


def test_eval_scores_one_batch(capsys):
    assert main(["eval", "--only", "samples_04_"]) == ExitCode.ok
    assert "documents scored: 1" in capsys.readouterr().out
