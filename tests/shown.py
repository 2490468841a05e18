"""What a handler's output puts on the page: a panel's value and whether it is shown (``gr.update`` or plain)."""

from __future__ import annotations


def value(out):
    """The value of one output, whether the handler gave it plain or as ``gr.update(value=..., visible=...)``."""
    return out.get("value") if isinstance(out, dict) and out.get("__type__") == "update" else out


def visible(out) -> bool | None:
    """Whether the output shows its panel (None: it does not say, the panel stays as it was)."""
    return out.get("visible") if isinstance(out, dict) and out.get("__type__") == "update" else None
