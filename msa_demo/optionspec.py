"""One setting as declared (:class:`OptionSpec`): its default, kind, range or choices, label and help, read by the
validator, the command line, the dashboard and the JSON API. The ground floor (the standard library and
``msa_demo.errors`` only), so that a declaration the command line checks before it imports torch (a clip's
``--start`` / ``--end``, ``config.CLIP_SPAN``) is the same one the rest reads; the explanation's settings are made
with :func:`msa_demo.explain.options.option`."""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import Any

from msa_demo.errors import InputError


@dataclass(frozen=True)
class OptionSpec:
    """One explanation setting as declared with :func:`option` (read by the validator, the CLI, the UI).

    name: the public name (flag, JSON key, keyword). owner: the modality kind that declares it ("" for a shared
    setting); attr: its field name there (``methods`` for ``text_methods``).
    kind: the type of the default: ``bool``, ``int``, ``float``, ``str``, or ``tuple`` (several of ``choices``).
    label: the setting's name in messages and on widgets ("IG steps").
    bounds: (low, high) for numbers, inclusive (exclusive when ``exclusive``); None on a side = unbounded.
    """

    name: str
    default: Any
    kind: type
    help: str = ""
    label: str = ""
    choices: tuple = ()
    bounds: tuple | None = None
    exclusive: bool = False
    unit: str = ""
    min_count: int = 0  # tuple options: how many choices at least
    owner: str = ""
    attr: str = ""

    @property
    def flag(self) -> str:
        """The command-line flag: ``--`` + the name with dashes."""
        return "--" + self.name.replace("_", "-")

    @property
    def title(self) -> str:
        """A widget's label: "the image grid" -> "Image grid"."""
        text = self.label or self.name.replace("_", " ")
        text = text[4:] if text.startswith("the ") else text
        return text[:1].upper() + text[1:]

    def check(self, value: Any) -> Any:
        """The value, normalised (a string or list for a tuple option -> tuple); InputError with one line if bad."""
        if self.kind is tuple:
            value = tuple([value] if isinstance(value, str) else value)
            if len(value) < self.min_count or not all(v in self.choices for v in value):
                self._fail(f"must be chosen from {', '.join(self.choices)}")
            return value
        if self.kind is bool:
            if not isinstance(value, bool):
                self._fail("must be true or false")
            return value
        if self.kind is str:
            if not isinstance(value, str) or (self.choices and value not in self.choices):
                self._fail(f"must be one of {', '.join(self.choices)}" if self.choices else "must be text")
            return value
        if self.kind not in (int, float):  # a field declared without a checkable kind
            return value
        number = isinstance(value, numbers.Integral if self.kind is int else numbers.Real)
        if not number or isinstance(value, bool):
            what = "a whole number" if self.kind is int else "a number"
            self._fail(f"must be {self.span} ({what})" if self.span else f"must be {what}")
        lo, hi = self.bounds or (None, None)
        if self.exclusive:
            ok = (lo is None or value > lo) and (hi is None or value < hi)
        else:
            ok = (lo is None or value >= lo) and (hi is None or value <= hi)
        if not ok:
            self._fail(f"must be {self.span}")
        if self.kind is int:
            return int(value)  # numpy integers too
        return value if isinstance(value, (int, float)) else float(value)

    @property
    def span(self) -> str:
        """The allowed range in words ("2 to 64 cells a side", "between 0 and 1", "at least 2"); "" if none."""
        lo, hi = self.bounds or (None, None)
        if lo is not None and hi is not None:
            text = f"between {lo} and {hi}" if self.exclusive else f"{lo} to {hi}"
        elif lo is not None:
            text = f"more than {lo}" if self.exclusive else f"at least {lo}"
        elif hi is not None:
            text = f"less than {hi}" if self.exclusive else f"at most {hi}"
        else:
            return ""
        return text + self.unit

    def _fail(self, what: str) -> None:
        raise InputError(f"Explanation option: {self.label or self.name} {what}.")


__all__ = ["OptionSpec"]
