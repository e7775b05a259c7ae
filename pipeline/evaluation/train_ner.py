"""Train a compact spaCy NER (ORG, PER, LOC, TITLE) on silver labels from the rules.

Data: every `.txt` of `corpus/samples`, `../shared/corpus/local` and `../shared/corpus/dev`, except
the documents of the entity gold (`corpus/gold/entities/*.json`, held out for evaluation) and the
OCR'd price tables over 200,000 characters. Each document goes through the text path (normalise,
header, signature) and `extract.entities.find_entities`; its lines become training examples with
the rules' spans as labels (the silver). spaCy's NER is flat: where a TITLE holds the body it heads
("Phó Chủ tịch UBND tỉnh"), the example keeps the body as ORG and the position alone as TITLE, and
`extract.entities.model_entities` rebuilds the nesting after prediction.

Model: `spacy.blank("xx")` with the tokenizer of `extract.entities.make_tokenizer` (keeps
76/KH-UBND and 26/3/2024 whole), a small hash-embedding tok2vec (width 96, depth 2) and the
transition-based `ner`, CPU only, a fixed seed. Written to `models/ner` (or `--out`), with the
training figures in `training.json` beside it.

Command line: `python -m pipeline.evaluation.train_ner [--out DIR] [--epochs 8] [--max-docs N]`, then
`python -m pipeline.evaluation.evaluate_entities --model DIR --ocr` to compare it with the rules.

Result so far (6 epochs, 220 documents, seed 0; silver dev F 0.96): the model scored below the
rules on every label of the entity gold, on the text path and on OCR'd renders, and runs about 100x
slower than the text path, so it is not shipped (no `models/ner`). The code stays to re-run the
comparison when the gold or the rules change.
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

from .evaluate import REPO, shared_corpus

GOLD_DIR = REPO / "corpus" / "gold" / "entities"
MAX_CHARS = 200_000

CONFIG = """
[nlp]
lang = "xx"
pipeline = ["tok2vec","ner"]
batch_size = 256

[components]

[components.tok2vec]
factory = "tok2vec"

[components.tok2vec.model]
@architectures = "spacy.Tok2Vec.v2"

[components.tok2vec.model.embed]
@architectures = "spacy.MultiHashEmbed.v2"
width = 96
attrs = ["NORM","PREFIX","SUFFIX","SHAPE"]
rows = [5000,1000,2500,1000]
include_static_vectors = false

[components.tok2vec.model.encode]
@architectures = "spacy.MaxoutWindowEncoder.v2"
width = 96
depth = 2
window_size = 1
maxout_pieces = 3

[components.ner]
factory = "ner"

[components.ner.model]
@architectures = "spacy.TransitionBasedParser.v2"
state_type = "ner"
extra_state_tokens = false
hidden_width = 64
maxout_pieces = 2
use_upper = true
nO = null

[components.ner.model.tok2vec]
@architectures = "spacy.Tok2VecListener.v1"
width = 96
upstream = "*"
"""


def gold_sources() -> set[str]:
    from .evaluate import resolve_source

    out = set()
    for f in GOLD_DIR.glob("*.json"):
        try:
            data = json.loads(f.read_text(encoding="utf-8"))
            out.add(str(resolve_source(data["source"]).resolve()))
        except Exception:
            continue
    return out


def corpus_files(max_docs: int | None = None, seed: int = 0) -> list[Path]:
    roots = [REPO / "corpus" / "samples", shared_corpus() / "local", shared_corpus() / "dev"]
    held = gold_sources()
    files = []
    for r in roots:
        files += sorted(p for p in r.glob("*.txt") if str(p.resolve()) not in held and p.name != "README.md")
    files = [p for p in files if p.stat().st_size < MAX_CHARS * 3]
    if max_docs and len(files) > max_docs:
        rnd = random.Random(seed)
        files = sorted(rnd.sample(files, max_docs))
    return files


def flat_spans(ents) -> list[tuple[int, int, str]]:
    """Non-overlapping spans for a flat NER: a TITLE that holds an ORG keeps only its position words."""
    orgs = [e for e in ents if e.label != "TITLE"]
    out = [(e.start, e.end, e.label) for e in orgs]
    for t in (e for e in ents if e.label == "TITLE"):
        inner = [o for o in orgs if t.start <= o.start and o.end <= t.end]
        end = min((o.start for o in inner), default=t.end)
        # the position words only ("Phó Chủ tịch" of "Phó Chủ tịch UBND tỉnh")
        while end > t.start and not end == t.start and t.text[: end - t.start].endswith((" ", "\t", "\n")):
            end -= 1
        if end > t.start and not any(s < end and t.start < e for s, e, _ in out):
            out.append((t.start, end, "TITLE"))
    return sorted(out)


def silver_examples(files: list[Path], nlp) -> list:
    """(Doc, spans) per non-empty line of every document: the rules' entities as labels."""
    from spacy.training import Example

    from ..document import extract
    from ..extract.entities import find_entities
    from ..models import DocumentRecord, Page
    from ..text.clean import normalize_text

    examples = []
    for f in files:
        raw = f.read_text(encoding="utf-8-sig")
        if len(raw) > MAX_CHARS:
            continue
        text, _ = normalize_text(raw, strip_boilerplate=True)
        rec = DocumentRecord(doc_id="x", source_path=str(f), source_sha256="", kind="txt", pages=[Page(1, text)])
        try:
            extract(rec, text)
        except Exception:
            continue
        spans = flat_spans(find_entities(text, rec.header, rec.signature))
        pos = 0
        for line in text.split("\n"):
            a, b = pos, pos + len(line)
            pos = b + 1
            if not line.strip() or len(line) > 3000:
                continue
            ls = [(s - a, e - a, lab) for s, e, lab in spans if a <= s and e <= b]
            if not ls and random.random() < 0.7:
                continue  # keep some lines without entities, not all
            doc = nlp.make_doc(line)
            ents = []
            for s, e, lab in ls:
                sp = doc.char_span(s, e, label=lab, alignment_mode="expand")
                if sp is not None and not any(sp.start < x.end and x.start < sp.end for x in ents):
                    ents.append(sp)
            try:
                examples.append(Example.from_dict(doc, {"entities": [(x.start_char, x.end_char, x.label_) for x in ents]}))
            except Exception:
                continue
    return examples


def train(out: Path, epochs: int = 8, max_docs: int | None = None, seed: int = 0, dev_share: float = 0.1) -> dict:
    import spacy
    from spacy.util import minibatch
    from thinc.api import Config, fix_random_seed

    from ..extract.entities import make_tokenizer

    fix_random_seed(seed)
    random.seed(seed)
    nlp = spacy.util.load_model_from_config(Config().from_str(CONFIG), auto_fill=True, validate=True)
    nlp.tokenizer = make_tokenizer(nlp)
    nlp.max_length = 10_000_000
    files = corpus_files(max_docs, seed)
    t0 = time.perf_counter()
    examples = silver_examples(files, nlp)
    random.shuffle(examples)
    n_dev = max(1, int(len(examples) * dev_share))
    dev, tr = examples[:n_dev], examples[n_dev:]
    for lab in ("ORG", "PER", "LOC", "TITLE"):
        nlp.get_pipe("ner").add_label(lab)
    optimizer = nlp.initialize(lambda: tr)
    log = []
    for ep in range(epochs):
        random.shuffle(tr)
        losses: dict = {}
        for batch in minibatch(tr, size=64):
            nlp.update(batch, sgd=optimizer, drop=0.15, losses=losses)
        scores = nlp.evaluate(dev)
        log.append({"epoch": ep + 1, "loss": round(losses.get("ner", 0.0), 1), "silver_dev_f": round(float(scores["ents_f"]), 4)})
        print(f"epoch {ep + 1}: loss {losses.get('ner', 0.0):.0f}, silver dev F {scores['ents_f']:.3f}", flush=True)
    out.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(out)
    info = {"documents": len(files), "examples": len(tr), "dev_examples": len(dev), "epochs": epochs, "seed": seed,
            "seconds": round(time.perf_counter() - t0, 1), "log": log,
            "per_label_silver_dev": {k: {m: round(float(v), 4) for m, v in d.items()} for k, d in
                                     (nlp.evaluate(dev).get("ents_per_type") or {}).items()}}
    (out / "training.json").write_text(json.dumps(info, ensure_ascii=False, indent=1), encoding="utf-8")
    return info


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=str(REPO / "models" / "ner"))
    ap.add_argument("--epochs", type=int, default=8)
    ap.add_argument("--max-docs", type=int, default=None)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args(argv)
    info = train(Path(a.out), a.epochs, a.max_docs, a.seed)
    print(json.dumps({k: v for k, v in info.items() if k != "log"}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
