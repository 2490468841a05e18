"""The ``train`` command as five small stages: plan -> encode -> fit -> evaluate -> save.

Each stage takes what the previous ones returned (typed dataclasses) and does one thing:

* :func:`plan`: read the manifest, its labels and the preset; check the choices; split the rows.
* :func:`encode`: the frozen encoders' features for every row, through the on-disk cache.
* :func:`fit`: build the head (fine-tuned text layers start from the pretrained ones) and train it.
* :func:`evaluate`: held-out metrics (overall, binary, per group) and the run's summary.
* :func:`save`: config.json + model.safetensors + preset.json + metrics.json, loadable with ``load_fusion``.

:func:`run_training` runs them in order, as ``python -m msa_demo train`` does.
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from msa_demo.config import Preset, load_preset, save_preset
from msa_demo.dataset.report import IDS_REPEATED, ids_named, labels_read, renamed_ids
from msa_demo.errors import InputError
from msa_demo.fusion import FusionNet
from msa_demo.i18n import modality as modality_name, said, t
from msa_demo.labels import parse_label_names
from msa_demo.registry import choices, names
from msa_demo.model import pick_device
from msa_demo.training.data import (LABEL_SETS, TEST_PARTS, Split, fetched, labelled_rows, parse_bins, read_manifest,
                                    row_named, split_rows)
from msa_demo.training.features import carriers, extract_features
from msa_demo.training.loop import (DEFAULT_BATCH, Batcher, FitSettings, Threads, batch_size_for, predict_rows, seed_everything,
                                    train_head)
from msa_demo.training.metrics import binary_metrics, compute_metrics, format_metrics, group_metrics


@dataclass
class TrainingPlan:
    """What is trained on what: the rows and their labels, the preset, the modalities, the head and the split."""

    args: argparse.Namespace  # every setting of the command (see msa_demo.training.cli)
    rows: list[dict[str, Any]]
    labels: list[str]  # the head's classes (2 or 3 sentiments)
    y: list[int]  # each row's class index
    bins: list[float] | None
    preset: Preset
    modalities: list[str]
    head: str
    split: Split
    # the manifest's rows (0-based) whose file was not there, read without that input
    not_found: dict[str, list[int]] = field(default_factory=dict)
    left_out: dict[int, str] = field(default_factory=dict)  # the manifest's rows (0-based) without a usable label: why
    positions: list[int] = field(default_factory=list)  # each of ``rows``' place in the manifest (0-based)
    unlabelled_test: int = 0  # rows of the split column's test part left out for want of a label (GLUE's test splits)
    two_way: bool = False  # --labels not given and no row neutral: the head has two classes
    ids: list[str] = field(default_factory=list)  # each manifest row's id ("" where it has none), to name it
    # the manifest's rows (0-based) whose file given as a URI could not be read: why (read without that input)
    unfetched: dict[str, dict[int, str]] = field(default_factory=dict)
    folder: Any = None  # the files read from URIs (a TemporaryDirectory: removed with the plan)
    # the manifest's text under a name of its own ('sentence') beside other inputs: read without it, said
    # (``manifest.text_hint``), as explain-batch says it
    text_hint: str = ""


@dataclass
class EncodedRows:
    """Every row's features per modality (see ``extract_features``) and the head's input sizes."""

    data: dict[str, Any]
    encoded_now: dict[str, int]  # items encoded in this run; the rest came from the cache
    dims: dict[str, int]
    encoder_config: dict | None  # the text encoder's config when its top layers are fine-tuned
    first_layer: int  # the first fine-tuned layer (-1: none)
    seconds: float
    modalities: list[str]  # the head's inputs: the plan's, less one only brought along that no file brought


@dataclass
class FittedHead:
    net: FusionNet
    batcher: Batcher
    history: list[dict[str, Any]]
    class_weights: list[float]
    seconds: float
    kept_epoch: int = 0  # the epoch whose weights the head holds (from 1; see ``train_head``)
    batch_size: int = 0  # rows a step (``--batch-size``, or sized to the training rows: ``batch_size_for``)


def plan(args: argparse.Namespace) -> TrainingPlan:
    """Read and check everything before any model runs: a bad choice fails here, in one line."""
    from msa_demo.dataset.manifest import label_hint, missing_files, none_found, parse_columns, text_hint
    from msa_demo.dataset.rows import unique_ids

    rows = read_manifest(args.manifest, parse_columns(args.columns), args.encoding)
    if not rows:
        raise InputError("The manifest has no rows.")
    # a repeated id names its later rows 'r005#2', 'r005#3' ..., said, as explain-batch names and says them (train
    # had taken them silently, two rows named alike in what it said)
    ids = unique_ids([str(r.get("id") or "").strip() for r in rows])
    for r, rid in zip(rows, ids):
        if rid:
            r["id"] = rid
        for m in names():  # a blank value ("   ") is no input, as the row's no-input check and the reader take it:
            if isinstance(r.get(m), str) and not r[m].strip():  # it had been counted in the "encoding text" bar
                r.pop(m)  # (57) and not in "text: 56 items"
    not_found = missing_files(rows)
    missing = none_found(rows, not_found)
    if missing:
        raise InputError(missing)
    for m, (gone, _named) in not_found.items():  # read as rows without that input (the head masks it)
        for i in gone:
            rows[i].pop(m)
    preset = load_preset(args.preset)
    wanted = asked_modalities(args.modalities)
    # files given as URIs, read now (a folder kept while the plan is): one that cannot be read is said, as a missing one
    folder = tempfile.TemporaryDirectory(prefix="msa_train_")
    rows, unfetched = fetched(rows, [k for k in names() if k in wanted or any(
        k in carriers(m, preset, args.finetune_layers) for m in wanted if m in preset.modalities)], folder.name)
    bins = parse_bins(args.bins)
    labels, y, left_out = labelled_rows(rows, args.labels or "3", bins,
                                        parse_label_names(getattr(args, "label_names", None)))
    # --labels not given and no labelled row neutral (IMDb, SST-2, Yelp polarity): two classes, not a third that no
    # row teaches (it had held out "neutral" with none, scored macro F1 0.42 where --labels 2 scored 1.0, and its head
    # read "The concert was wonderful." 36 % positive)
    two_way = args.labels is None and bins is None and len(labels) == 3 and bool(y) and 1 not in y
    if two_way:
        labels, y = LABEL_SETS["2"], [0 if v == 0 else 1 for v in y]
    columns = dict.fromkeys(k for r in rows for k in r)
    if not y:
        hint = label_hint(columns) if bins is None else ""
        raise InputError(hint or f"No row has a label to train on. The first: {next(iter(left_out.values()))}")
    # every row with the text in a column of its own name has another input: trained without the text, said
    unread_text = text_hint(columns) if "text" in wanted else ""
    if len(set(y)) < 2:  # a head of one class learns nothing (a set whose other class's labels were not read)
        why = f"; {len(left_out)} left out, the first: {next(iter(left_out.values())).rstrip('.')}" if left_out else ""
        raise InputError(f"Every labelled row is {labels[y[0]]} ({len(y)} rows{why}): a head needs rows of two "
                         "classes or more to learn from.")
    labelled = [i for i in range(len(rows)) if i not in left_out]
    for j in reversed(range(len(labelled))):  # a row with no input left (none given, or its files missing): said
        r = rows[labelled[j]]
        if not any(str(r.get(m) or "").strip() for m in names()):
            left_out[labelled[j]] = f"Row {labelled[j] + 1}{row_named(r)} has no input ({choices('or')})."
            del y[j]
    left_out = dict(sorted(left_out.items()))
    positions = [i for i in range(len(rows)) if i not in left_out]  # rows without a usable label: said, not trained
    unlabelled_test = sum(str(rows[i].get("split") or "").strip().lower() in TEST_PARTS for i in left_out)
    rows = [rows[i] for i in positions]
    mods = [m for m in wanted if any(m in r for r in rows)]
    if not mods:
        present = [m for m in names() if any(m in r for r in rows)]
        if args.modalities and present:  # --modalities image on a text-only manifest
            raise InputError(f"No row has {' or '.join(wanted)} (--modalities {args.modalities}); the manifest's rows "
                             f"have {', '.join(present)}.")
        raise InputError(f"No row has {choices('or')}.")
    kind = args.head
    if kind != "head":  # what a row's files bring along, read as the dashboard reads it (a video's sound track)
        mods = [m for m in wanted if m in mods or (m in preset.modalities and any(
            c in mods for c in carriers(m, preset, args.finetune_layers)))]
    if kind == "head" and len(mods) != 1:
        raise InputError(f"--head head trains on one modality; this manifest has {', '.join(mods)} "
                         "(choose one with --modalities).")
    if args.finetune_layers and mods != ["text"]:
        raise InputError("--finetune-layers is supported for a text-only head (--modalities text --head head).")
    if args.finetune_layers and kind != "head":
        raise InputError("--finetune-layers needs --head head.")
    split = split_rows(rows, y, args.test_size, args.val_size, args.seed)
    if not split.train:  # --test-size 1.5, --val-size 1: a head trained on nothing had been saved
        by = "the split column" if any(r.get("split") for r in rows) else (
            f"--test-size {args.test_size}, --val-size {args.val_size}")
        raise InputError(f"No row is left to train on: of {len(rows)} labelled rows, {len(split.test)} are held out "
                         f"and {len(split.val)} pick the epoch ({by}); hold fewer out, or give more rows.")
    return TrainingPlan(args, rows, labels, y, bins, preset, mods, kind, split,
                        {m: gone for m, (gone, _named) in not_found.items()}, left_out, positions, unlabelled_test,
                        two_way, ids, unfetched, folder, unread_text)


def row_said(p: TrainingPlan, i: int) -> str:
    """The manifest's row ``i`` (0-based) as the run names it: "9 ('r008')", its number and its id where it has one."""
    return f"{i + 1} ('{p.ids[i]}')" if i < len(p.ids) and p.ids[i] else str(i + 1)


def asked_modalities(given: str | None) -> list[str]:
    """``--modalities``: the names it gives (every registered one when not given); one not registered refused."""
    if not given:
        return list(names())
    wanted = [m.strip() for m in given.split(",") if m.strip()]
    unknown = [m for m in wanted if m not in names()]
    if unknown or not wanted:
        said = f"{', '.join(repr(m) for m in unknown)} is not a modality" if unknown else "names none"
        raise InputError(f"--modalities: {said}; the known ones are {', '.join(names())}.")
    return wanted


def encode(p: TrainingPlan) -> EncodedRows:
    """Features of every row from the preset's frozen encoders (cached on disk; see ``extract_features``)."""
    args = p.args
    t0 = time.time()
    data, stats = extract_features(p.rows, p.preset, p.modalities, args.cache_dir, device=args.device,
                                   finetune_layers=args.finetune_layers, max_length=args.max_length,
                                   progress=not args.quiet)
    seconds = time.time() - t0
    mods = [m for m in p.modalities if m in data]
    if not args.quiet:
        lang = printed_language(args)
        for m in p.modalities:
            name = modality_name(m, lang)
            if m not in data:
                print(t("{modality}: none of the rows' files brings one along, so the head is trained without "
                        "{modality}", lang, modality=name))
                continue
            n = int(data[m]["present"].sum())
            brought = "".join(t(" ({n} of them from the {files} files)", lang, n=k, files=modality_name(c, lang))
                              for c, k in data[m]["brought"].items())
            print(t("{modality}: {n} items{brought}, {now} encoded now ({cached} from the cache)", lang,
                    modality=name, n=n, brought=brought, now=stats[m], cached=n - stats[m]))
            gone = data[m]["abstained"]
            by_why: dict[str, list[int]] = {}  # left out of their rows, as a prediction leaves them out (it had
            for i, why in sorted(gone.items()):  # trained on them); the rows named, as a missing file's are
                by_why.setdefault(why, []).append(i)
            for why, which in by_why.items():
                print(t("{modality}: {n} item(s) left out of their rows, as a prediction leaves them out: {why}; "
                        "row(s) {rows}", lang, modality=name, n=len(which), why=said(why, lang),
                        rows=ids_named([row_said(p, p.positions[i]) for i in which], lang)))
    dims, enc_cfg, first_layer = {}, None, -1
    for m in mods:
        d = data[m]
        if "tokens" in d:  # fine-tuned text: the head holds the top layers, fed with cached lower states
            enc = d["encoder"]
            dims[m] = int(d["tokens"].shape[1])
            enc_cfg = json.loads(enc.model.config.to_json_string())
            first_layer = enc.num_layers - args.finetune_layers
        else:
            dims[m] = int(d["features"].shape[1])
    return EncodedRows(data, stats, dims, enc_cfg, first_layer, seconds, mods)


def build_head(p: TrainingPlan, enc: EncodedRows) -> FusionNet:
    """A fresh, seeded head; fine-tuned text layers start from the pretrained encoder's weights."""
    args = p.args
    seed_everything(args.seed)
    net = FusionNet(kind=p.head, modalities=enc.modalities, dims=enc.dims, labels=p.labels, hidden=args.hidden,
                    dropout=args.dropout, input_dim=enc.dims[enc.modalities[0]] if p.head == "head" else 0,
                    encoder_config=enc.encoder_config, first_layer=enc.first_layer)
    if enc.encoder_config is not None:
        pre = {f"encoder.{k}": v for k, v in enc.data["text"]["encoder"].model.state_dict().items()}
        own = net.state_dict()
        net.load_state_dict({**own, **{k: pre[k] for k in own if k.startswith("encoder.")}})
    return net


def fit(p: TrainingPlan, enc: EncodedRows) -> FittedHead:
    """Train the head on the training rows; the validation rows pick the epoch."""
    args = p.args
    device = pick_device(args.device)
    net = build_head(p, enc).to(device)
    batcher = Batcher(enc.data, enc.modalities, enc.dims)
    batch = batch_size_for(len(p.split.train), getattr(args, "batch_size", None))
    settings = FitSettings(epochs=args.epochs, lr=args.lr, encoder_lr=args.encoder_lr, batch_size=batch,
                           weight_decay=args.weight_decay,
                           modality_dropout=args.modality_dropout if p.head != "head" else 0.0, seed=args.seed)
    t0 = time.time()
    # small heads: one thread (fastest, reproducible); fine-tuned layers: torch's default unless --threads
    with Threads(args.threads if args.threads else (0 if enc.encoder_config is not None else 1)):
        out = train_head(net, batcher, p.y, p.split.train, p.split.val, settings, device, progress=not args.quiet)
    return FittedHead(net, batcher, out["history"], out["class_weights"], time.time() - t0, out["kept_epoch"], batch)


def evaluate(p: TrainingPlan, enc: EncodedRows, head: FittedHead) -> dict[str, Any]:
    """The run's summary (what metrics.json holds): the plan, the history, and the held-out metrics."""
    args, test_idx = p.args, p.split.test
    device = next(head.net.parameters()).device
    probs = predict_rows(head.net, head.batcher, test_idx, device)
    y_test = [p.y[i] for i in test_idx]
    pred = probs.argmax(1).tolist() if len(test_idx) else []
    summary: dict[str, Any] = {
        "manifest": str(args.manifest), "preset": p.preset.name, "head": p.head, "modalities": enc.modalities,
        "labels": p.labels, "bins": p.bins, "seed": args.seed, "n_train": len(p.split.train),
        "n_val": len(p.split.val), "n_test": len(test_idx),
        "class_counts": {lab: int(sum(1 for v in p.y if v == i)) for i, lab in enumerate(p.labels)},
        "finetune_layers": args.finetune_layers, "encoded_now": enc.encoded_now,
        "seconds": {"encode": round(enc.seconds, 1), "train": round(head.seconds, 1)},
        "history": head.history, "class_weights": head.class_weights,
        # the epoch the saved head is (the best validation macro-F1, ties to the lowest validation loss; without
        # validation rows the last): it had been said nowhere, and was an early one on 6 validation rows
        "kept_epoch": head.kept_epoch, "epochs": len(head.history),
        # rows a step, and whether --batch-size gave it (None: sized to the training rows, said when cut)
        "batch_size": head.batch_size, "batch_size_asked": getattr(args, "batch_size", None),
        "split_from": "the split column" if any(r.get("split") for r in p.rows) else (
            f"a stratified split, seed {args.seed}"),
        "not_found": {m: [i + 1 for i in gone] for m, gone in p.not_found.items()},  # row numbers, from 1
        "left_out": {i + 1: why for i, why in p.left_out.items()}, "unlabelled_test": p.unlabelled_test,
        "two_way": p.two_way, "test_size": args.test_size,
        "unreadable": _unreadable(p, enc),
        "abstained": {m: {p.positions[i] + 1: why for i, why in sorted(enc.data[m]["abstained"].items())}
                      for m in enc.modalities if enc.data[m].get("abstained")},  # row numbers, from 1: why
        "brought": {m: enc.data[m]["brought"] for m in enc.modalities if enc.data[m].get("brought")},
        "row_ids": {},  # the ids of the rows named above, by number (filled below)
        "labels_read": "" if p.bins else labels_read(
            [{"label": p.labels[y], "label_given": r.get("label")} for r, y in zip(p.rows, p.y)]),
        "text_hint": p.text_hint,
        "ids_repeated": renamed_ids(p.ids),  # the rows renamed 'id#2' ... for an id an earlier row has
    }
    named = {n for numbers in summary["not_found"].values() for n in numbers} | {
        n for whys in summary["unreadable"].values() for n in whys}
    summary["row_ids"] = {n: p.ids[n - 1] for n in sorted(named) if n - 1 < len(p.ids) and p.ids[n - 1]}
    if test_idx:
        summary["test"] = compute_metrics(y_test, pred, p.labels)
        summary["test_binary"] = binary_metrics(y_test, probs, p.labels)
        by_group = group_metrics([p.rows[i].get("group") for i in test_idx], y_test, pred, probs, p.labels)
        if by_group:
            summary["test_by_group"] = by_group
    return summary


def _unreadable(p: TrainingPlan, enc: EncodedRows) -> dict[str, dict[int, str]]:
    """Per kind, the manifest's rows (numbered from 1) whose file could not be read (a URI not fetched, a file its
    reader refused): why."""
    out = {m: {i + 1: why for i, why in whys.items()} for m, whys in p.unfetched.items()}
    for m in enc.modalities:
        for i, why in enc.data[m].get("unreadable", {}).items():
            out.setdefault(m, {})[p.positions[i] + 1] = why
    return {m: dict(sorted(whys.items())) for m, whys in out.items() if whys}


FEW_HELD_OUT = 30  # held-out rows under which the printed metrics say how little they measure


def save(p: TrainingPlan, head: FittedHead, summary: dict[str, Any], out: str | Path) -> Path:
    """The head (Hub mixin: config.json + model.safetensors), the preset it was trained on, metrics.json, and a
    README.md that says what it was trained on and how it did (the mixin's own card said it had been pushed to
    the Hub, "[More Information Needed]")."""
    out = Path(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
        head.net.cpu().save_pretrained(str(out))
        # safetensors writes a temporary file (mode 600) and renames it: given config.json's mode, which the umask
        # set as for every other file (it had been the one file another user could not read)
        (out / "model.safetensors").chmod((out / "config.json").stat().st_mode & 0o777)
        save_preset(p.preset, out / "preset.json")
        (out / "metrics.json").write_text(json.dumps(summary, indent=1))
        (out / "README.md").write_text(card(summary, out.name))
    except OSError as exc:  # the disk filled, the folder went away while training
        raise InputError(f"--output '{out}' could not be written ({exc.strerror or type(exc).__name__}).") from None
    return out


HEAD_FILES = ("config.json", "model.safetensors", "preset.json", "metrics.json", "README.md")  # what ``save`` writes


def held_head(output: str | Path) -> bool:
    """Whether ``--output`` holds a head a train run wrote (True: it is replaced, said once saved); an empty or new
    folder: False. A folder that holds anything else is refused in one line before any work, nothing written in it
    (it had been written into, the user's own files mixed with the head's, or a folder of theirs overwritten)."""
    p = Path(output)
    if not p.is_dir():
        return False
    try:
        held = sorted(q.name for q in p.iterdir())
    except OSError:
        return False  # output_folder says why it cannot be written
    if not held:
        return False
    others = [n for n in held if n not in HEAD_FILES]
    if not others and {"config.json", "model.safetensors", "metrics.json"} <= set(held):
        return True
    shown = ", ".join(others[:3] or held[:3]) + (" …" if len(others or held) > 3 else "")
    raise InputError(f"--output '{output}' is a folder that holds other files ({shown}), not a head a train run "
                     "wrote; give a new or empty folder (nothing was written).")


def card(summary: dict[str, Any], name: str) -> str:
    """The head's model card: the rows and manifest it learned from, its modalities and classes, the held-out
    figures (or why there are none), and how to use it."""
    test = summary.get("test")
    figures = (f"Held out: {test['n']} rows, accuracy {test['accuracy']:.3f}, macro F1 {test['macro_f1']:.3f}"
               + (f" (only {test['n']} rows: these figures say little)." if test["n"] < FEW_HELD_OUT else ".")
               if test else "No rows were held out, so there are no held-out figures.")
    layers = summary.get("finetune_layers") or 0
    if layers:  # a text model's head, not a preset: `--preset <this folder>` is refused (load_preset says so)
        encoders = (f"the `{summary.get('preset')}` preset's text encoder (preset.json), its top {layers} layer(s) "
                    f"fine-tuned (held here as `encoder.*`, beside the head's `head.*`)")
        use = ("Use it as the text model's head: in a preset file (a copy of preset.json), set the text model's "
               "options' \"head\" to this folder (`\"options\": {\"head\": \"<this folder>\"}`), then "
               "`python -m msa_demo predict --preset <that file> --text \"...\"` (or explain, explain-batch, the "
               "app's --preset); `--preset <this folder>` is refused. It was not uploaded anywhere.")
    else:
        encoders = f"the `{summary.get('preset')}` preset's (preset.json), frozen"
        use = ("Use it: `python -m msa_demo predict --preset <this folder> --text \"...\"` (or explain, explain-batch, "
               "the app's --preset). It was not uploaded anywhere.")
    return "\n".join([
        f"# {name}: a {'text model' if layers else 'fusion'} head trained by `msa_demo train`", "",
        f"- Trained on: `{summary.get('manifest')}` ({summary.get('n_train')} rows to train on, {summary.get('n_val')} "
        f"to pick the epoch, {summary.get('n_test')} held out), seed {summary.get('seed')}.",
        f"- Encoders: {encoders}; head: {summary.get('head')}.",
        *([f"- K{kept_line(summary)[1:]}; metrics.json's history has every epoch."] if kept_line(summary) else []),
        f"- Reads: {', '.join(summary.get('modalities') or [])}. Classes: {', '.join(summary.get('labels') or [])}.",
        f"- {figures} metrics.json has every figure.", "",
        use, ""])


def kept_line(summary: dict[str, Any], lang: str = "en") -> str:
    """Which epoch the saved head is and why, in one line (printed, and in the card): the best validation macro-F1
    and, where epochs tie on it, the lowest validation loss of those; without validation rows the last epoch."""
    history, kept = summary.get("history") or [], summary.get("kept_epoch")
    if not history or not kept:
        return ""
    rec, epochs = history[kept - 1], summary.get("epochs") or len(history)
    if "val_macro_f1" not in rec:
        return t("kept epoch {epoch} of {epochs}, the last (no validation rows to pick one)", lang, epoch=kept,
                 epochs=epochs)
    tied = sum(1 for r in history if r.get("val_macro_f1") == rec["val_macro_f1"])
    if tied > 1:
        return t("kept epoch {epoch} of {epochs} (the best validation macro F1, {f1}, which {n} epochs share; of "
                 "those the lowest validation loss, {loss})", lang, epoch=kept, epochs=epochs,
                 f1=f"{rec['val_macro_f1']:.3f}", n=tied, loss=f"{rec['val_loss']:.3f}")
    return t("kept epoch {epoch} of {epochs} (the best validation macro F1, {f1})", lang, epoch=kept, epochs=epochs,
             f1=f"{rec['val_macro_f1']:.3f}")


def batch_line(summary: dict[str, Any], lang: str = "en") -> str:
    """One line when the batch size is not simply what was asked for or the default: the default cut for a small
    set, or a --batch-size that holds every training row (an epoch of one step); else ""."""
    used, asked, n = summary.get("batch_size"), summary.get("batch_size_asked"), summary.get("n_train") or 0
    if not used or not n:
        return ""
    steps = -(-n // used)
    if asked is None and used < DEFAULT_BATCH:
        return t("batch size {batch}, not the default {default}: {n} training rows make {steps} steps an epoch "
                 "(--batch-size sets it)", lang, batch=used, default=DEFAULT_BATCH, n=n,
                 steps=steps)
    if asked is not None and steps == 1 and n > 1:
        return t("--batch-size {batch} holds all {n} training rows: an epoch is one step, {epochs} in all (a smaller "
                 "--batch-size takes more)", lang, batch=used, n=n, epochs=summary.get("epochs") or 0)
    return ""


def printed_language(args: argparse.Namespace) -> str:
    """"zh" or "en": the language ``train`` prints in (``--lang``, else the locale, as every command)."""
    from msa_demo.cli import output_language

    return output_language(getattr(args, "lang", None))


def print_summary(summary: dict[str, Any], output: str | None, lang: str = "en") -> None:
    """How the rows were split and their labels read, then the held-out metrics (overall, binary, per group), in
    ``lang``; metrics.json stays English."""
    print(t("rows: {train} to train on, {val} to pick the epoch, {test} held out ({split_from})", lang,
            train=summary["n_train"], val=summary["n_val"], test=summary["n_test"],
            split_from=said(summary["split_from"], lang)))
    if summary.get("ids_repeated"):
        print(t(IDS_REPEATED, lang, n=len(summary["ids_repeated"]), ids=ids_named(summary["ids_repeated"], lang)))
    if batch_line(summary, lang):
        print(batch_line(summary, lang))
    if kept_line(summary, lang):
        print(kept_line(summary, lang))
    left_out = summary.get("left_out", {})
    if left_out:
        print(t("{n} row(s) left out (no usable label, or no input):", lang, n=len(left_out)))
        for why in list(left_out.values())[:5]:
            print(f"  {said(why, lang)}")
        if len(left_out) > 5:
            print(t("  and {n} more (metrics.json lists them)", lang, n=len(left_out) - 5))
    ids = summary.get("row_ids") or {}

    def row(n) -> str:  # "7 ('vidC_2')": its number, and its id where it has one (as a left-out row is named)
        return f"{n} ('{ids[n]}')" if ids.get(n) else str(n)

    for m, numbers in summary.get("not_found", {}).items():
        shown = ", ".join(map(row, numbers[:10])) + (t(" and {n} more", lang, n=len(numbers) - 10)
                                                     if len(numbers) > 10 else "")
        print(t("{modality}: {n} file(s) not found, those rows read without their {modality}: row(s) {rows}", lang,
                modality=modality_name(m, lang), n=len(numbers), rows=shown))
    for m, whys in summary.get("unreadable", {}).items():
        print(t("{modality}: {n} file(s) could not be read, those rows read without their {modality}:", lang,
                modality=modality_name(m, lang), n=len(whys)))
        for n, why in list(whys.items())[:5]:
            print(t("  row {n}: {why}", lang, n=row(n), why=said(why, lang)))
        if len(whys) > 5:
            print(t("  and {n} more (metrics.json lists them)", lang, n=len(whys) - 5))
    if summary.get("labels_read"):
        print(said(summary["labels_read"], lang))
    if summary.get("text_hint"):
        print(said(summary["text_hint"], lang))
    if summary.get("two_way"):
        print(t("No labelled row is neutral, so the head has two classes, negative and positive (--labels 3 keeps "
                "three).", lang))
    if not summary["n_test"]:
        why = (t("--test-size 0 holds none out", lang) if summary.get("test_size") == 0 else t(
            "each class has too few rows for --test-size to hold one out", lang) if summary["split_from"] != (
            "the split column") else t("none of the split column's {n} test rows has a label (GLUE's test splits "
                                       "have none)", lang, n=summary["unlabelled_test"])
            if summary.get("unlabelled_test") else t("the split column names none test (or heldout)", lang))
        print(t("no held-out rows: {why}, so there are no held-out metrics", lang, why=why))
    if "test" in summary:
        print(format_metrics(t("held-out", lang), summary["test"], lang))
        n = summary["test"]["n"]
        if n < FEW_HELD_OUT:  # 2 rows printed "accuracy 1.000 ... F1 1.000" as if it were a measurement
            print(t("  only {n} held-out rows: one row moves accuracy by {step} points, so these figures say little "
                    "(more labelled rows, or --test-size, give a measure)", lang, n=n, step=f"{100 / n:.0f}"))
        if summary.get("test_binary") and "neutral" in summary["test"]["labels"]:  # a two-class head's is the same
            # the larger of negative and positive, neutral not a choice: a row the head called neutral can count as
            # right here, which the label says (it had not)
            print(format_metrics(t("held-out binary (non-neutral truth; the larger of negative and positive, neutral "
                                   "not a choice)", lang), summary["test_binary"], lang))
        for g, gm in summary.get("test_by_group", {}).items():
            b = gm["binary"]
            print(t("  {group}: accuracy {accuracy} macro-F1 {f1}", lang, group=g,
                    accuracy=f"{gm['metrics']['accuracy']:.3f}", f1=f"{gm['metrics']['macro_f1']:.3f}")
                  + (t("  binary accuracy {accuracy} (n={n})", lang, accuracy=f"{b['accuracy']:.3f}", n=b["n"])
                     if b else ""))
    if output:
        print(t("saved to {output} ({seconds} s)", lang, output=output, seconds=summary["seconds"]["total"]))
        if not summary.get("finetune_layers"):  # a fusion head: the folder is a preset
            print(t("use it: python -m msa_demo predict --preset {output} --text \"…\" (or explain, explain-batch, "
                    "the app's --preset)", lang, output=shlex.quote(str(output))))  # a path with a space, pasted


def run_training(args: argparse.Namespace) -> dict[str, Any]:
    """The whole ``train`` command; returns the summary it writes to metrics.json (plus ``"net"``: the head)."""
    from msa_demo.cli import output_folder, unmade

    t0 = time.time()
    lang = printed_language(args)
    # the folder the head goes to, made before the work (a file of that name had been a traceback after it)
    replacing = held_head(args.output) if args.output else False  # a folder of other files: refused, before the work
    made = output_folder(args.output, "--output") if args.output else []
    try:
        seed_everything(args.seed)
        if args.threads:
            torch.set_num_threads(args.threads)
        p = plan(args)
        enc = encode(p)
        head = fit(p, enc)
        summary = evaluate(p, enc, head)
    except KeyboardInterrupt:  # Ctrl-C (130, as every command) had ended without a word
        unmade(made)
        print(t("stopped; nothing saved", lang), file=sys.stderr)
        raise
    except BaseException:  # a refusal: no empty folder left behind
        unmade(made)
        raise
    summary["seconds"]["total"] = round(time.time() - t0, 1)
    if args.output:
        save(p, head, summary, args.output)
    if not args.quiet:
        print_summary(summary, args.output, lang)
    elif args.output:  # quiet: no bars, no metrics, the one line that says where the head is
        print(t("saved to {output} ({seconds} s)", lang, output=args.output, seconds=summary["seconds"]["total"]))
    if replacing:  # said, not silent: the head trained before in that folder is gone
        print(t("the head trained before in {output} was replaced", lang, output=args.output))
    if not args.output:  # metrics alone (comparing settings) are a run of their own; said, not silent
        print(t("not saved: give --output FOLDER to keep the head", lang))
    summary["net"] = head.net
    return summary


__all__ = ["EncodedRows", "FittedHead", "TrainingPlan", "asked_modalities", "build_head", "encode", "evaluate", "fit",
           "batch_line", "kept_line", "plan",
           "print_summary", "run_training", "save"]
