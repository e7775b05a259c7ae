"""Scan-like copies of some of the bundled samples, made when `make run` needs them (never
committed as blobs): a signed-and-sealed PDF, a skewed low-resolution JPEG photo of a one-page
letter, a photocopied multi-page TIFF. `make run` ingests them beside the text samples, so the
main job exercises the OCR stage and the graph sees a scan and a text of the same document as one.

    python tests/make_scans.py OUTDIR
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import scanlike as sl  # noqa: E402

SAMPLES = Path(__file__).resolve().parent.parent / "corpus" / "samples"

# (sample, output name, format, degradation)
PLAN = [
    ("02_qd_1234-qd-ubnd.txt", "02_qd_1234_scan_seal.pdf", "pdf", {"seal": True, "signature_ink": True}),
    ("09_tb_188-tb-ubnd.txt", "09_tb_188_photo.jpg", "jpg",
     {"skew_deg": 2.0, "scale": 0.5, "jpeg_quality": 30, "noise": 0.02}),
    ("07_bc_215-bc-ubnd.txt", "07_bc_215_photocopy.tif", "tiff-multi", {"photocopy": True, "skew_deg": 1.0}),
]


def main(argv: list[str] | None = None) -> int:
    out = Path((argv or sys.argv[1:])[0])
    out.mkdir(parents=True, exist_ok=True)
    for i, (sample, name, fmt, params) in enumerate(PLAN):
        target = out / name
        if target.exists():
            continue
        r = sl.degrade(sl.render((SAMPLES / sample).read_text(encoding="utf-8"), seed=i), seed=i, **params)
        if fmt == "pdf":
            sl.to_pdf(r, target)
        elif fmt == "jpg":
            r = sl.Rendered(r.pages[:1], r.reference[:1], r.dpi, r.regions[:1] if r.regions else [], r.issuer)
            r.pages[0].convert("RGB").save(target, quality=85, dpi=(r.dpi, r.dpi))
        else:
            first, *rest = [p.convert("RGB") for p in r.pages]
            first.save(target, save_all=True, append_images=rest, compression="tiff_lzw", dpi=(r.dpi, r.dpi))
        print(f"{target} ({len(r.pages)} page(s), {', '.join(params) or 'clean'})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
