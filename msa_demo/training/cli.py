"""``python -m msa_demo train``: the command's flags and its entry point (the work is in ``pipeline``)."""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from msa_demo.errors import InputError, MsaError
from msa_demo.fusion import HEADS
from msa_demo.training.data import LABEL_SETS
from msa_demo.training.loop import DEFAULT_BATCH


@dataclass(frozen=True)
class Number:
    """A number flag: its type, default, help and range: ``low`` and ``high`` inclusive, unless ``above`` (more
    than ``low``) or ``below`` (under ``high``); None: no bound on that side."""

    kind: type
    default: int | float
    help: str = ""
    low: float | None = None
    high: float | None = None
    below: bool = False
    above: bool = False
    sized: bool = False  # not given: None, and the command sizes it (``default`` is what it is at most; help says how)

    @property
    def span(self) -> str:
        """The range in words: "at least 1", "more than 0", "0 to 1", "at least 0 and under 1"."""
        if self.low is not None and self.high is not None and not (self.above or self.below):
            return f"{self.low} to {self.high}"
        low = f"{'more than' if self.above else 'at least'} {self.low}" if self.low is not None else ""
        high = f"{'under' if self.below else 'at most'} {self.high}" if self.high is not None else ""
        return " and ".join(filter(None, (low, high)))

    def holds(self, value) -> bool:  # NaN holds no range
        return (self.low is None or (value > self.low if self.above else value >= self.low)) and (
            self.high is None or (value < self.high if self.below else value <= self.high))


# Every number flag of ``train``, declared once: argparse's type, default and help, and the range that
# ``check_numbers`` holds it to before anything is read (--epochs 0 had been a ValueError from the optimiser's
# schedule, --batch-size 0 a ZeroDivisionError, --test-size 1.5 a head trained on no row and saved)
NUMBERS: dict[str, Number] = {
    "--finetune-layers": Number(int, 0, "fine-tune the top N text encoder layers", 0),
    "--epochs": Number(int, 20, low=1),
    "--batch-size": Number(int, DEFAULT_BATCH, "rows a step; not given: 64, or fewer when the training rows are few, so that an "
                                    "epoch takes 4 steps (no fewer than 8 rows)", low=1, sized=True),
    "--lr": Number(float, 1e-3, "the head's learning rate", 0, above=True),
    "--encoder-lr": Number(float, 5e-5, "the fine-tuned layers' learning rate", 0, above=True),
    "--weight-decay": Number(float, 0.01, low=0),
    "--hidden": Number(int, 128, "hidden width (0: a linear head for --head head)", 0),
    "--dropout": Number(float, 0.1, low=0, high=1, below=True),
    "--modality-dropout": Number(float, 0.1, "training-time chance of hiding a present modality (teaches the "
                                             "missing case)", 0, 1),
    "--test-size": Number(float, 0.15, "stratified held-out share", 0, 1, True),
    "--val-size": Number(float, 0.1, "share of training rows used to pick the epoch", 0, 1, True),
    "--max-length": Number(int, 128, "text tokens read per item, with --finetune-layers only (without it the "
                                     "preset's own text model reads the texts, as a prediction does)", 2, 512),
    "--seed": Number(int, 0, low=0, high=2 ** 32 - 1),
    "--threads": Number(int, 0, "torch CPU threads (0: torch's default)", 0),
}


def _number(p: argparse.ArgumentParser, flag: str) -> None:
    n = NUMBERS[flag]
    said = f"{n.help}; " if n.help else ""
    p.add_argument(flag, type=n.kind, default=None if n.sized else n.default,
                   help=f"{said}{n.span}" + ("" if n.sized else f" (default {n.default})"))


def check_numbers(args: argparse.Namespace) -> None:
    """Refuse, in one line, a number flag outside its range (``NUMBERS``), before any model loads."""
    for flag, n in NUMBERS.items():
        value = getattr(args, flag[2:].replace("-", "_"), None)
        if value is not None and not n.holds(value):
            raise InputError(f"{flag} must be {n.span} (got {value}).")


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
    _number(p, "--finetune-layers")
    _number(p, "--epochs")
    _number(p, "--batch-size")
    _number(p, "--lr")
    _number(p, "--encoder-lr")
    _number(p, "--weight-decay")
    _number(p, "--hidden")
    _number(p, "--dropout")
    _number(p, "--modality-dropout")
    _number(p, "--test-size")
    _number(p, "--val-size")
    _number(p, "--max-length")
    p.add_argument("--cache-dir", default=str(Path.home() / ".cache" / "msa_demo" / "features"))
    _number(p, "--seed")
    p.add_argument("--device", default="cpu")
    _number(p, "--threads")
    p.add_argument("--quiet", action="store_true",
                   help="no progress bars and no metrics printed (metrics.json has them); only where the head was saved")
    from msa_demo.cli import add_lang_flag

    add_lang_flag(p, "metrics.json stays English")  # the lines printed


def cmd_train(args: argparse.Namespace) -> int:
    from msa_demo.training.pipeline import run_training

    check_numbers(args)  # --epochs 0, --test-size 1.5 ...: one line each, before anything is read
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
    args = p.parse_args(list(argv))
    check_numbers(args)
    return args


def main(argv: Sequence[str] | None = None) -> int:  # pragma: no cover - convenience entry
    try:
        return cmd_train(parse_args(sys.argv[1:] if argv is None else argv))
    except MsaError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


__all__ = ["NUMBERS", "Number", "add_arguments", "add_command", "check_numbers", "cmd_train", "parse_args"]

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
