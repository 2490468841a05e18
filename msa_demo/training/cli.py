"""``python -m msa_demo train``: the command's flags and its entry point (the work is in ``pipeline``)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Sequence

from msa_demo.errors import MsaError
from msa_demo.fusion import HEADS
from msa_demo.training.data import LABEL_SETS


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The ``train`` flags (the manifest format is described in ``msa_demo.training.data``)."""
    from msa_demo.dataset.manifest import COLUMNS_HELP, ENCODING_HELP
    from msa_demo.labels import LABEL_NAMES_HELP

    p.add_argument("manifest", help="CSV, JSONL or Parquet with text / image / audio / video columns (a clip's sound "
                                    "track is its row's audio unless it gives one) and label or score")
    p.add_argument("--output", "--out", "-o", help="directory to write the trained head to")
    p.add_argument("--columns", default=None, metavar="NAME=COLUMN,...", help=COLUMNS_HELP)
    p.add_argument("--encoding", default=None, metavar="NAME", help=ENCODING_HELP)
    p.add_argument("--label-names", default=None, metavar="NAMES", help=LABEL_NAMES_HELP)
    p.add_argument("--preset", default="hub", help="preset whose frozen encoders give the features")
    p.add_argument("--modalities", help="comma-separated subset of text,image,audio,video (default: all present, and "
                                        "the audio a clip brings)")
    p.add_argument("--head", choices=HEADS, default="concat", help="fusion head (default concat)")
    p.add_argument("--labels", choices=sorted(LABEL_SETS), default=None,
                   help="label column: 2 (negative/positive), 3 (negative/neutral/positive; the default, but when no "
                        "row is neutral: 2), emotion7 "
                        "(anger,disgust,fear,sadness -> negative; joy -> positive; surprise,neutral -> neutral)")
    p.add_argument("--bins", help="bin a numeric 'score' column instead: 't' (2-way: < t negative) or "
                                  "'lo,hi' (3-way: <= lo negative, >= hi positive, else neutral)")
    p.add_argument("--finetune-layers", type=int, default=0, help="fine-tune the top N text encoder layers")
    p.add_argument("--epochs", type=int, default=20)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--encoder-lr", type=float, default=5e-5)
    p.add_argument("--weight-decay", type=float, default=0.01)
    p.add_argument("--hidden", type=int, default=128, help="hidden width (0: a linear head for --head head)")
    p.add_argument("--dropout", type=float, default=0.1)
    p.add_argument("--modality-dropout", type=float, default=0.1,
                   help="training-time chance of hiding a present modality (teaches the missing case)")
    p.add_argument("--test-size", type=float, default=0.15, help="stratified held-out share (default 0.15)")
    p.add_argument("--val-size", type=float, default=0.1, help="share of training rows used to pick the epoch")
    p.add_argument("--max-length", type=int, default=128, help="text tokens read per item")
    p.add_argument("--cache-dir", default=str(Path.home() / ".cache" / "msa_demo" / "features"))
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--device", default="cpu")
    p.add_argument("--threads", type=int, default=0, help="torch CPU threads (0: torch's default)")
    p.add_argument("--quiet", action="store_true",
                   help="no progress bars and no metrics printed (metrics.json has them); only where the head was saved")
    from msa_demo.cli import add_lang_flag

    add_lang_flag(p, "metrics.json stays English")  # the lines printed


def cmd_train(args: argparse.Namespace) -> int:
    from msa_demo.training.pipeline import run_training

    run_training(args)
    return 0


def add_command(subparsers) -> None:
    """Register ``train`` on the ``python -m msa_demo`` parser."""
    p = subparsers.add_parser("train", help="train a fusion head (or the lite text head) on frozen encoder features")
    add_arguments(p)
    p.set_defaults(func=cmd_train)


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    """The ``train`` flags alone (as ``run_training`` takes them)."""
    p = argparse.ArgumentParser(prog="python -m msa_demo train")
    add_arguments(p)
    return p.parse_args(list(argv))


def main(argv: Sequence[str] | None = None) -> int:  # pragma: no cover - convenience entry
    try:
        return cmd_train(parse_args(sys.argv[1:] if argv is None else argv))
    except MsaError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


__all__ = ["add_arguments", "add_command", "cmd_train", "parse_args"]

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
