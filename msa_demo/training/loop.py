"""The training loop of a fusion head: seeded, class-weighted, best epoch on the validation rows.

:func:`train_head` fits a :class:`~msa_demo.fusion.FusionNet` on extracted features (rows served by a
:class:`Batcher`); :func:`train_on_features` / :func:`predict_features` do the same straight on tensors.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np
import torch
from torch import nn

from msa_demo.fusion import FusionNet
from msa_demo.training.metrics import compute_metrics

def seed_everything(seed: int) -> None:
    """Seed Python's, numpy's and torch's generators (a seeded run gives the same head twice)."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def class_weights(y: Sequence[int], num: int) -> torch.Tensor:
    """Inverse class frequency, mean 1 over the classes seen."""
    counts = torch.bincount(torch.as_tensor(list(y), dtype=torch.long), minlength=num).float()
    w = torch.where(counts > 0, counts.sum() / (num * counts.clamp_min(1)), torch.zeros_like(counts))
    return w


class Batcher:
    """Builds model inputs for a list of row indices from extracted feature data.

    ``batcher(idx, net, device) -> (features {m: [B, D_m]}, mask [B, M] bool)``; token states (text with
    fine-tuned top layers) are run through ``net.encoder`` here.
    """

    def __init__(self, data: dict[str, Any], modalities: list[str], dims: dict[str, int]) -> None:
        self.data, self.modalities, self.dims = data, modalities, dims
        self.lengths = None  # per row token count, when a modality feeds token states
        for m in modalities:
            if "tokens" in data[m]:
                pos = data[m]["row"]
                self.lengths = torch.where(pos >= 0, data[m]["lengths"][pos.clamp_min(0)], torch.zeros_like(pos))

    def __call__(self, idx: Sequence[int], net: FusionNet, device) -> tuple[dict[str, torch.Tensor], torch.Tensor]:
        idx_t = torch.as_tensor(list(idx), dtype=torch.long)
        feats, cols = {}, []
        for m in self.modalities:
            d = self.data[m]
            pos = d["row"][idx_t]
            present = pos >= 0
            cols.append(present)
            if "tokens" in d:  # text with fine-tuned top layers: run them on cached lower-layer states
                sel = pos.clamp_min(0)
                lens, offs = d["lengths"][sel], d["offsets"][sel]
                t_max = int(lens.max()) if len(lens) else 1
                hid = torch.zeros(len(idx_t), t_max, d["tokens"].shape[1])
                msk = torch.zeros(len(idx_t), t_max, dtype=torch.long)
                for j in range(len(idx_t)):
                    n, o = int(lens[j]), int(offs[j])
                    hid[j, :n] = d["tokens"][o:o + n].float()
                    msk[j, :n] = 1
                feats[m] = net.encoder(hid.to(device), msk.to(device))
            else:
                f = d["features"][pos.clamp_min(0)] if len(d["features"]) else torch.zeros(len(idx_t), self.dims[m])
                feats[m] = f.to(device)
        return feats, torch.stack(cols, 1).to(device)


def predict_rows(net: FusionNet, batcher: Batcher, idx: Sequence[int], device, batch_size: int = 256) -> torch.Tensor:
    """Probabilities [len(idx), len(labels)] for the given rows (eval mode, no gradients)."""
    net.eval()
    out = []
    with torch.no_grad():
        for s in range(0, len(idx), batch_size):
            f, mk = batcher(idx[s:s + batch_size], net, device)
            out.append(net(f, mk).exp().cpu())
    return torch.cat(out) if out else torch.zeros(0, len(net.labels))


class Threads:
    """Temporarily set torch's CPU threads (small heads run fastest on one thread; no oversubscription).

    ``n <= 0`` leaves the current setting; the old one is restored on exit either way.
    """

    def __init__(self, n: int) -> None:
        self.n, self.old = n, torch.get_num_threads()

    def __enter__(self):
        if self.n > 0:
            torch.set_num_threads(self.n)

    def __exit__(self, *exc):
        torch.set_num_threads(self.old)


@dataclass
class FitSettings:
    """How a head is fitted (the ``train`` command's --epochs, --lr, ... ; ``encoder_lr`` for fine-tuned layers)."""

    epochs: int = 20
    lr: float = 1e-3
    encoder_lr: float = 5e-5
    batch_size: int = 64  # DEFAULT_BATCH
    weight_decay: float = 0.01
    modality_dropout: float = 0.0  # chance of hiding a present modality in a training row (never all of them)
    seed: int = 0


DEFAULT_BATCH = 64  # rows a step when --batch-size is not given and the training rows are many
EPOCH_STEPS = 4  # the fewest optimiser steps an epoch takes at the default batch size (when the rows allow)
SMALLEST_BATCH = 8  # the default batch size is cut no lower than this


def batch_size_for(n_train: int, asked: int | None = None, default: int = DEFAULT_BATCH) -> int:
    """The batch size a run uses: ``asked`` (``--batch-size``) when given; else ``default``, cut for a small set so
    an epoch takes ``EPOCH_STEPS`` steps (but no fewer than ``SMALLEST_BATCH`` rows a batch).

    Why: 42 training rows at 64 a batch made every epoch one step, 20 steps in all with the one-cycle schedule's
    warm-up taking 2 of them; the validation rows then pick among barely trained heads. Cut to 11 the run takes 80
    steps; a large set (256 rows or more) keeps 64."""
    if asked:
        return asked
    return max(1, min(default, max(SMALLEST_BATCH, -(-n_train // EPOCH_STEPS))))


def _standardise(net: FusionNet, batcher: Batcher, train_idx: Sequence[int], device) -> None:
    """Per-modality feature mean / std from the training rows, stored in the net (fusion heads only)."""
    stats = {}
    for m in net.modalities:
        d = batcher.data[m]
        rows = [int(d["row"][i]) for i in train_idx if int(d["row"][i]) >= 0]
        if rows and "features" in d:
            f = d["features"][rows].float()
            stats[m] = (f.mean(0), f.std(0) if len(rows) > 1 else torch.ones(f.shape[1]))
    net.set_normalization({m: (a.to(device), b.to(device)) for m, (a, b) in stats.items()})


def _optimiser(net: FusionNet, fit: FitSettings, steps: int):
    """AdamW (fine-tuned encoder layers at their own rate) with a one-cycle schedule over ``steps``."""
    enc_params = list(net.encoder.parameters()) if hasattr(net, "encoder") else []
    enc_ids = {id(p) for p in enc_params}
    groups = [{"params": [p for p in net.parameters() if id(p) not in enc_ids], "lr": fit.lr}]
    if enc_params:
        groups.append({"params": enc_params, "lr": fit.encoder_lr})
    opt = torch.optim.AdamW(groups, weight_decay=fit.weight_decay)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=[g["lr"] for g in groups], total_steps=steps,
                                                pct_start=0.1)
    return opt, sched


def _epoch_batches(train_idx: Sequence[int], batcher: Batcher, batch_size: int,
                   gen: torch.Generator) -> list[list[int]]:
    """One epoch's batches in a seeded random order; token inputs are batched by similar length (less padding)."""
    perm = [train_idx[i] for i in torch.randperm(len(train_idx), generator=gen).tolist()]
    batches = [perm[s:s + batch_size] for s in range(0, len(perm), batch_size)]
    if batcher.lengths is not None:
        batches = []
        for c in range(0, len(perm), batch_size * 50):
            chunk = sorted(perm[c:c + batch_size * 50], key=lambda i: int(batcher.lengths[i]))
            batches += [chunk[s:s + batch_size] for s in range(0, len(chunk), batch_size)]
        batches = [batches[i] for i in torch.randperm(len(batches), generator=gen).tolist()]
    return batches


def _hide_modalities(mask: torch.Tensor, chance: float, gen: torch.Generator) -> torch.Tensor:
    """Modality dropout: hide each present modality with ``chance``, but keep a row's mask if all would go."""
    drop = (torch.rand(mask.shape, generator=gen) < chance).to(mask.device) & mask
    keep_one = (mask & ~drop).any(1, keepdim=True)
    return torch.where(keep_one, mask & ~drop, mask)


def train_head(net: FusionNet, batcher: Batcher, y: Sequence[int], train_idx: list[int], val_idx: list[int],
               fit: FitSettings, device, progress: bool = True) -> dict[str, Any]:
    """Fit ``net`` in place; with validation rows, keep the epoch of best macro-F1 on them, and among epochs that
    tie on it the one of lowest validation loss (else the last epoch).

    Why the tie-break: a few validation rows give macro-F1 only a handful of values, so epochs tie on it for most of
    a run (6 rows: epochs 3 to 20 all at 0.822); the first of them, kept before, was a head two steps past its
    start ("Terrible service, I waited an hour." 40 % negative). The validation loss, on the same rows, goes on
    falling while the head grows surer of the answers it gets right and rises once it grows sure of wrong ones, so
    it picks the surest epoch that has not yet overfitted; the last of the tied epochs could be one that has.

    Returns {"history": [per epoch: train_loss (+ val_macro_f1, val_accuracy, val_loss)], "class_weights": [...],
    "kept_epoch": the epoch whose weights the net holds (from 1)}.
    """
    from tqdm.auto import tqdm

    y_t = torch.as_tensor(list(y), dtype=torch.long)
    if net.kind != "head":
        _standardise(net, batcher, train_idx, device)
    weights = class_weights([y[i] for i in train_idx], len(net.labels)).to(device)
    steps = fit.epochs * max(1, (len(train_idx) + fit.batch_size - 1) // fit.batch_size)
    opt, sched = _optimiser(net, fit, steps)
    loss_fn = nn.NLLLoss(weight=weights)
    gen = torch.Generator().manual_seed(fit.seed)
    best, best_state, kept, history = None, None, fit.epochs, []
    bar = tqdm(total=steps, desc=f"training {net.kind}", disable=not progress)
    for epoch in range(fit.epochs):
        net.train()
        total = 0.0
        for b in _epoch_batches(train_idx, batcher, fit.batch_size, gen):
            feats, mask = batcher(b, net, device)
            if fit.modality_dropout > 0 and mask.shape[1] > 1:
                mask = _hide_modalities(mask, fit.modality_dropout, gen)
            loss = loss_fn(net(feats, mask), y_t[b].to(device))
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(net.parameters(), 1.0)
            opt.step()
            sched.step()
            total += float(loss.detach()) * len(b)
            bar.update(1)
        rec: dict[str, Any] = {"epoch": epoch + 1, "train_loss": total / max(1, len(train_idx))}
        if val_idx:
            p = predict_rows(net, batcher, val_idx, device)
            vm = compute_metrics([y[i] for i in val_idx], p.argmax(1).tolist(), net.labels)
            # the training loss (class-weighted) on the validation rows: ties on macro-F1 are broken by it
            val_loss = float(nn.functional.nll_loss(p.clamp_min(1e-12).log(), torch.as_tensor(
                [y[i] for i in val_idx], dtype=torch.long), weight=weights.cpu()))
            rec["val_macro_f1"], rec["val_accuracy"], rec["val_loss"] = vm["macro_f1"], vm["accuracy"], val_loss
            if best is None or (vm["macro_f1"], -val_loss) > best:
                best, kept = (vm["macro_f1"], -val_loss), epoch + 1
                best_state = {k: v.detach().clone() for k, v in net.state_dict().items()}
        bar.set_postfix(loss=f"{rec['train_loss']:.3f}", val_f1=f"{rec.get('val_macro_f1', float('nan')):.3f}")
        history.append(rec)
    bar.close()
    if best_state is not None:
        net.load_state_dict(best_state)
    net.eval()
    return {"history": history, "class_weights": weights.tolist(), "kept_epoch": kept}


def train_on_features(features: dict[str, torch.Tensor], y: Sequence[int], labels: Sequence[str], kind: str,
                      present: dict[str, torch.Tensor] | None = None, train_idx: Sequence[int] | None = None,
                      val_idx: Sequence[int] = (), epochs: int = 20, lr: float = 1e-3, hidden: int = 64,
                      batch_size: int = 64, modality_dropout: float = 0.0, seed: int = 0,
                      progress: bool = False) -> FusionNet:
    """Train a head straight on feature tensors ({m: [N, D]}; ``present[m]``: [N] bool, default all True)."""
    seed_everything(seed)
    n = len(y)
    mods = list(features)
    data = {}
    for m, f in features.items():
        pres = present[m] if present and m in present else torch.ones(n, dtype=torch.bool)
        row = torch.full((n,), -1, dtype=torch.long)
        row[pres] = torch.arange(int(pres.sum()))
        data[m] = {"features": f[pres].float(), "row": row, "present": pres}
    dims = {m: int(f.shape[1]) for m, f in features.items()}
    net = FusionNet(kind=kind, modalities=mods, dims=dims, labels=list(labels), hidden=hidden,
                    input_dim=dims[mods[0]] if kind == "head" else 0)
    fit = FitSettings(epochs=epochs, lr=lr, encoder_lr=lr, batch_size=batch_size, weight_decay=0.01,
                      modality_dropout=modality_dropout, seed=seed)
    with Threads(1):
        train_head(net, Batcher(data, mods, dims), list(y), list(train_idx if train_idx is not None else range(n)),
                   list(val_idx), fit, torch.device("cpu"), progress=progress)
    return net


def predict_features(net: FusionNet, features: dict[str, torch.Tensor]) -> torch.Tensor:
    """Probabilities [N, len(labels)] for feature tensors of every modality the net knows (all present)."""
    n = next(iter(features.values())).shape[0]
    mask = torch.ones(n, len(net.modalities), dtype=torch.bool)
    with torch.no_grad():
        return net.eval()({m: features[m].float() for m in net.modalities}, mask).exp()


__all__ = ["DEFAULT_BATCH", "Batcher", "FitSettings", "Threads", "batch_size_for", "class_weights", "predict_features", "predict_rows", "seed_everything",
           "train_head", "train_on_features"]
