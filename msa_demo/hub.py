"""What a preset would download from the Hugging Face Hub, and, when the Hub answers, whether it is there.

``python -m msa_demo check-preset hub`` prints, per modality, the model id, the revision, the files the entry
expects and its licence. Online, each entry is checked against the Hub: the revision resolves (to the
commit hash worth pinning), every expected file is there, and the model card states the same licence.
Offline it says it cannot verify and exits cleanly.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from msa_demo.config import ModalitySpec, Preset

SAFE_WEIGHTS, BIN_WEIGHTS = "model.safetensors", "pytorch_model.bin"


@dataclass
class EntryCheck:
    """One modality's model: what would be downloaded and what the Hub said about it."""

    modality: str
    model_id: str
    revision: str
    files: list[str]
    licence: str
    weights: str
    where: str  # "hub", or "local" for a directory / a file shipped in a package
    pinned: bool  # a 40-hex commit hash (a branch or a PR ref can move)
    sha: str = ""  # the commit the revision resolved to (online)
    hub_licence: str = ""
    problems: list[str] = field(default_factory=list)
    verified: bool = False
    notes: list[str] = field(default_factory=list)  # read here, without the network: worth a look, not an error


@dataclass
class PresetCheck:
    preset: str
    fallback: str
    entries: list[EntryCheck]
    verified: bool
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def ok(self) -> bool:
        return not any(e.problems for e in self.entries)


def plan(spec: ModalitySpec, modality: str) -> EntryCheck:
    """What loading this entry would fetch (no network), and what can be told of it here: a folder that is not
    there, a model of another kind than its family reads, weights it would not read, label_map keys the model has
    not, a revision a folder cannot have or the cache does not hold."""
    from msa_demo.modalities import (
        BIN_HINT, cached_revisions, is_pinned, label_keys_unmatched, looks_like_path, model_config,
        model_families, no_folder, pickled_only, resolve_path, unused_revision, wrong_kind)

    try:
        path = resolve_path(spec.model_id)
    except Exception:  # noqa: BLE001 - a package that is not installed is still "local", and says so below
        path = Path(".")
    missing = path is None and looks_like_path(spec.model_id)
    entry = EntryCheck(modality, spec.model_id, spec.revision, list(spec.files), spec.licence, spec.weights,
                       "local" if path is not None or missing else "hub", is_pinned(spec.revision))
    if missing:
        entry.problems.append(no_folder(spec.model_id))
        return entry
    fams = model_families()
    cls = fams.get(spec.family)
    if cls is not None and not cls.model_types:  # a family that reads through another (a video's frames)
        cls = fams.get(str(spec.options.get("frames")), cls)
    config = model_config(spec)
    if cls is not None:
        wrong = wrong_kind(cls, spec, modality, config)
        entry.problems += [wrong] if wrong else []
        unmatched = label_keys_unmatched(cls, spec, config) if not wrong else []
        if unmatched:
            labels = ", ".join(map(str, config["id2label"].values()))
            entry.notes.append(f"label_map keys the model has no label for (ignored): "
                               f"{', '.join(repr(k) for k in unmatched)}; its labels: {labels}.")
    pickled = pickled_only(path) if path is not None and spec.weights == "safetensors" else ""
    if pickled:
        entry.problems.append(f"it holds {pickled} and no safetensors file; {BIN_HINT}")
    if path is not None:
        told = unused_revision(spec, modality)
        entry.notes += [told[len(modality) + 2:]] if told else []
    elif config is None:
        held = cached_revisions(spec.model_id)
        if held:
            entry.notes.append(f"revision {spec.revision} is not in the cache here, which holds {', '.join(held)}.")
    return entry


def compare(spec: ModalitySpec, files: list[str], licence: str, sha: str, modality: str = "") -> EntryCheck:
    """Set what the Hub lists at the revision against what the entry expects."""
    entry = plan(spec, modality)
    entry.sha, entry.hub_licence, entry.verified = sha, licence or "", True
    present = set(files)
    for name in spec.files:
        if name in present:
            continue
        if name == SAFE_WEIGHTS and spec.weights == "bin" and BIN_WEIGHTS in present:
            continue  # opted into weights-only .bin loading
        hint = ""
        if name == SAFE_WEIGHTS and BIN_WEIGHTS in present:
            hint = (f" (only {BIN_WEIGHTS}: pin a revision that holds a safetensors conversion, or opt this "
                    "entry into weights: bin)")
        entry.problems.append(f"{name} is not at revision {spec.revision}{hint}")
    want, got = spec.licence.strip().lower(), (licence or "").strip().lower()
    if not got:
        entry.problems.append("the model card states no licence")
    elif want != got:
        entry.problems.append(f"the licence on the Hub is '{got}', the preset says '{want}'")
    return entry


def _verify(spec: ModalitySpec, modality: str) -> EntryCheck:
    from huggingface_hub import HfApi

    try:
        info = HfApi().model_info(spec.model_id, revision=spec.revision)
    except Exception as exc:  # noqa: BLE001 - a missing repo / revision becomes a problem line
        entry = plan(spec, modality)
        entry.verified = True
        text = str(exc).strip().splitlines()
        entry.problems.append(f"the Hub could not resolve it: {text[0][:200] if text else type(exc).__name__}")
        return entry
    files = [s.rfilename for s in (info.siblings or [])]
    card = getattr(info, "card_data", None) or {}
    licence = card.get("license") if hasattr(card, "get") else getattr(card, "license", "")
    if isinstance(licence, list):
        licence = ",".join(licence)
    return compare(spec, files, str(licence or ""), info.sha or "", modality)


def check_preset(preset: Preset, online: bool | None = None) -> PresetCheck:
    """The plan for every entry; verified against the Hub when ``online`` (default: when it can be reached)."""
    from msa_demo.modalities import hub_reachable

    needs_hub = [m for m, s in preset.modalities.items() if plan(s, m).where == "hub"]
    online = hub_reachable() if online is None else online
    entries = []
    for m, spec in preset.modalities.items():
        entries.append(_verify(spec, m) if online and m in needs_hub else plan(spec, m))
    if not needs_hub:
        note = "Nothing is downloaded: every model is local or shipped in a package."
    elif online:
        note = "Verified against the Hugging Face Hub."
    else:
        note = ("Cannot verify: the Hugging Face Hub cannot be reached from here (or HF_HUB_OFFLINE is set). "
                "This is the plan only.")
    return PresetCheck(preset.name, preset.fallback, entries, bool(online and needs_hub), note)


def format_check(check: PresetCheck) -> str:
    lines = [f"Preset {check.preset}" + (f" (a modality that cannot load falls back to {check.fallback})"
                                         if check.fallback else "")]
    for e in check.entries:
        pin = "" if e.pinned or e.where == "local" else "  [not a commit hash: it can move]"
        lines.append(f"{e.modality:>6}: {e.model_id} @ {e.revision}{pin}")
        lines.append(f"        from: {'the Hugging Face Hub' if e.where == 'hub' else 'this machine'}"
                     f"   licence: {e.licence or 'unknown'}   weights: {e.weights}")
        if e.files:
            lines.append(f"        files: {', '.join(e.files)}")
        if e.verified:
            if e.sha:
                lines.append(f"        resolves to commit {e.sha}   card licence: {e.hub_licence or 'none'}")
            lines.extend(f"        PROBLEM: {p}" for p in e.problems)
            if not e.problems:
                lines.append("        ok: every expected file is there and the licence matches")
        else:
            lines.extend(f"        PROBLEM: {p}" for p in e.problems)
        lines.extend(f"        note: {n}" for n in e.notes)
    lines.append(check.note)
    return "\n".join(lines)


__all__ = ["EntryCheck", "PresetCheck", "check_preset", "compare", "format_check", "plan"]
