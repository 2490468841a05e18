"""Encode every text of a lite-head manifest once: the mean-pooled e5 output of each of its windows, cached.

A text is read exactly as the lite text model reads it (``E5WithHead``): the whole text tokenized with the
``passage:`` prefix; up to ``window`` (128) tokens in one piece, a longer one in overlapping windows of 128
(``window_index``). The encoder is multilingual-e5-small with the fine-tuned top layers of the head directory
given (its ``encoder.*`` weights; those are kept in the new head unchanged). Output: ``CACHE/<source>.pt`` =
{"keys": sha1 of each text, "feats": list of [windows, 384] float32 tensors}; texts already in it are not encoded
again.

    usage: python scripts/lite_text_encode.py MANIFEST CACHE_DIR [ENCODER_HEAD_DIR] [--threads 2]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from dataclasses import replace
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout: the msa_demo beside it

SHIPPED = Path(__file__).resolve().parents[1] / "msa_demo" / "weights" / "lite_text_head"


def key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def load_model(head_dir: Path):
    from msa_demo.config import LITE
    from msa_demo.modalities.text import E5WithHead

    spec = LITE.modalities["text"]
    spec = replace(spec, options={**spec.options, "head": str(head_dir)})
    mod = E5WithHead(spec, torch.device("cpu"), torch.float32)
    if not hasattr(mod, "encoder"):
        mod.load()
    return mod


def encode(mod, texts: list[str], budget: int = 4096) -> list[torch.Tensor]:
    """[windows, H] pooled outputs per text, windows as ``E5WithHead._run`` cuts them."""
    from msa_demo.modalities import mean_pool
    from msa_demo.modalities.text import window_index

    tok = mod.tokenizer
    ids = [tok(t, truncation=False)["input_ids"] for t in texts]
    pieces = []  # (text index, window number, token ids)
    for i, x in enumerate(ids):
        if len(x) <= mod.window:
            pieces.append((i, 0, x))
        else:
            for w, row in enumerate(window_index(len(x), mod.window, mod.prefix_tokens, mod.overlap).tolist()):
                pieces.append((i, w, [x[j] for j in row]))
    order = sorted(range(len(pieces)), key=lambda k: len(pieces[k][2]))
    out: dict[tuple[int, int], torch.Tensor] = {}
    pad = tok.pad_token_id
    s = 0
    with torch.no_grad():
        while s < len(order):
            e = s
            while e < len(order) and (e - s + 1) * len(pieces[order[e]][2]) <= budget:
                e += 1
            e = max(e, s + 1)
            batch = [pieces[k] for k in order[s:e]]
            L = max(len(p[2]) for p in batch)
            inp = torch.full((len(batch), L), pad, dtype=torch.long)
            mask = torch.zeros((len(batch), L), dtype=torch.long)
            for r, p in enumerate(batch):
                inp[r, :len(p[2])] = torch.tensor(p[2])
                mask[r, :len(p[2])] = 1
            h = mod.encoder(input_ids=inp, attention_mask=mask).last_hidden_state
            pooled = mean_pool(h, mask).float()
            for r, p in enumerate(batch):
                out[(p[0], p[1])] = pooled[r].clone()
            s = e
    feats = []
    for i in range(len(texts)):
        w = 0
        rows = []
        while (i, w) in out:
            rows.append(out[(i, w)])
            w += 1
        feats.append(torch.stack(rows))
    return feats


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("manifest", type=Path)
    ap.add_argument("cache", type=Path)
    ap.add_argument("encoder_head", type=Path, nargs="?", default=SHIPPED)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--block", type=int, default=2000, help="texts encoded between two saves of the cache")
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    rows = [json.loads(line) for line in args.manifest.read_text(encoding="utf-8").split("\n") if line.strip()]
    rows = [r for r in rows if r.get("split") != "unused"]  # beyond a source's cap (lite_text_sources.py)
    args.cache.mkdir(parents=True, exist_ok=True)
    mod = None
    for source in dict.fromkeys(r["source"] for r in rows):
        path = args.cache / f"{source}.pt"
        have = torch.load(path) if path.is_file() else {"keys": [], "feats": []}
        known = dict(zip(have["keys"], have["feats"]))
        texts = list(dict.fromkeys(r["text"] for r in rows if r["source"] == source and key(r["text"]) not in known))
        if texts:
            mod = mod or load_model(args.encoder_head)
            t0 = time.time()
            for s in range(0, len(texts), args.block):  # saved as it goes: an interrupted run resumes
                part = texts[s:s + args.block]
                for t, f in zip(part, encode(mod, part)):
                    known[key(t)] = f
                torch.save({"keys": list(known), "feats": list(known.values())}, path)
                print(f"{source}: {min(s + args.block, len(texts))}/{len(texts)} texts encoded ({time.time() - t0:.0f} s)",
                      flush=True)
        n_win = sum(known[key(r['text'])].shape[0] for r in rows if r["source"] == source)
        print(f"{source}: {sum(r['source'] == source for r in rows)} rows, {n_win} windows", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
