"""The Dashboard: the loaded presets and the event handlers ``app.py`` wires to the page."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import logging
import tempfile
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from msa_demo.errors import ADD_INPUTS, InputError, MsaError, NoFace
from msa_demo.explain.forward import REPLACED, Replaced
from msa_demo import i18n, registry
from msa_demo.i18n import t
from msa_demo.inputs import empty_text
from msa_demo.language import language_name, preset_languages
from msa_demo.model import no_sound_to_read, nothing_read, release_memory
from msa_demo.modalities import OFFLINE_HINT
from msa_demo.registry import get, names
from msa_demo.ui.fields import Request, bind, panel_placement, rendered, switch, write_whole
from msa_demo.ui.options import (CONTROLS, Settings, data_folder, env_flag, in_folder, max_seconds, preset_path,
                               read_settings, settings_values, folder_named, within_limit)
from msa_demo.ui.shelf import GONE, Shelf
from msa_demo.ui.widgets import (ALL_OFF, COMPARE_NO_INPUT, COPIES_KEPT, NO_INPUT, TICK_ANYWAY, explained_stamp,
                                 explanation_views,
                                 gradio, one_line, page_gone, progress_adapter, rows_progress, same_clip, stale_parts,
                                 user_error, verdicts_shown, warm_up)
from msa_demo.views import (compare_markdown, empty_prediction_views, md, notices_markdown, prediction_views,
                            whatif_markdown)

SHARED_NOTE = ("**A shared explanation**, read-only, made with the '{preset}' preset. Its inputs are in the boxes: "
               "**Explain** makes a new one here.")

log = logging.getLogger("msa_demo.ui")
EXPLAINED_KEPT = 16
WITHOUT_IT = "To go on without the {modality}, remove it or untick “use {modality}”."  # after a refusal of one input
CLIP_CONVERTED = ("Browsers do not play this clip's format, so it was converted to one they do (H.264); the "
                  "converted copy is what is shown and read.")
READ_KEPT = 4  # requests read by ``check``, kept for the explanation that follows it
COPY_WAIT = 60.0  # seconds a click waits for its clip's browser copy (0.05 to 2.7 s on this 2-core machine)
# the header's folded details: a preset, or one of its models, that could not be loaded, and why ('why' alone had
# read as a puzzle on a page that ran lite as asked, the Hub preset offered beside it not loaded)
WHAT_DID_NOT_LOAD = "what did not load, and why"
# under load, an explanation's time budget is cut so that every explanation waiting behind it can still be done
# within this many seconds of its click, had each the same share (each at least MIN_SHARE): the last of a crowd is
# not kept waiting for the full budget of every one before it (``Dashboard.shared_budget``)
QUEUE_WAIT = 15.0
MIN_SHARE = 1.0
PAGES_KEPT = 256  # pages whose explanation lock is kept (one not held is dropped past this)
STOPPED_BEFORE = "Stopped before it started: nothing was explained."


def brought(given: Iterable[str]) -> set[str]:
    """The inputs those given may bring along (a clip: its sound track, as the audio): the audio switched on alone
    for a clip is no input switched off, reading it tells (a clip without sound says so)."""
    return {c for m in given if m in names() for c in get(m).carries}


# Compare's refusals: nothing to compare with (one model here, no B's text), B's text with no text of A's, the same text
ONE_MODEL = ("Compare needs a second model or a second text, and no other preset is loaded here: type B's text to "
             "compare two texts, or a preset file or the folder a train run wrote in B (inside the data folder, "
             "{folder}) to compare two models.")
NO_TEXT_A = ("B's text is compared with the text on the Explain tab, and there is none there: type one on the Explain "
             "tab (its 'use text' box ticked).")
SAME_TEXT = "B's text is the text on the Explain tab again: change a word in B's text to compare two texts."


def read_given(model, request: Request):
    """The inputs given, read by ``model``; one switched off that cannot be read is left unread (a damaged clip
    refused the text beside it even once its "use" box was unticked). An input switched on that cannot be read
    raises its reader's :class:`InputError`."""
    given = dict(request.given)
    while True:
        try:
            return model.read_inputs(**given)
        except InputError as exc:
            if exc.modality not in given or exc.modality in request.switched_on:
                raise
            del given[exc.modality]


def all_off(inputs, use: Iterable[str], lang: str = "en") -> str:
    """Why nothing switched on can be read: every input given is switched off, or, with the audio on, the clip
    given has no sound (the switch the user turned on was not the cause)."""
    why = no_sound_to_read(inputs, use, inputs.present())
    return i18n.said(why, lang) if why else t(ALL_OFF, lang)


@dataclass
class Dashboard:
    """The loaded presets (each loaded and warmed once) and the app's event handlers."""

    models: dict[str, Any] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)
    notices: list[str] = field(default_factory=list)
    default: str | None = None
    replaced: str | None = None  # the preset asked for, which could not be loaded (a notice says why)
    report_dir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="msa_reports_")))
    # the one folder a visitor may name files in (``options.data_folder``): a preset typed as Compare's B
    folder: Path = field(default_factory=data_folder)
    # the last explanations made, by what they were made for (a repeated click or a toggle back is instant)
    explained: OrderedDict = field(default_factory=OrderedDict)
    # the worked example the page opens on: its handler values, and the panels its explanation left
    opening_ready: threading.Event = field(default_factory=threading.Event)
    opening_shown: tuple | None = None
    opening_values: dict | None = None
    shelf: Shelf = field(default_factory=Shelf)  # the explanations shared by link
    # what ``check`` read (decoded, validated, the face found or not), by request: the explanation that follows
    # starts from it instead of reading the same uploads again
    read_once: OrderedDict = field(default_factory=OrderedDict)
    read_ahead_last: str | None = None  # what :meth:`read_ahead` read last (the same request is not read twice)
    # an uploaded clip browsers do not play -> the copy the page shows (:meth:`playable_clip`), an Event while it
    # is made: what every handler reads in the clip's place (:meth:`_as_shown`)
    shown_copy: OrderedDict = field(default_factory=OrderedDict, repr=False)
    # the requests being read now (``_reading``): a click while its upload is read ahead waits for that reading
    reading_now: set = field(default_factory=set, repr=False)
    _reading_changed: threading.Condition = field(default_factory=threading.Condition, repr=False)
    # the seconds each explanation waiting behind the one starting has waited, oldest first (app.py: Gradio's queue
    # for the Explain event, ``widgets.queued``)
    waiting: Callable[[], list[float]] = field(default=lambda: [], repr=False)
    # one lock per page (session hash), most recent last: a page's explanations run one after the other
    page_locks: OrderedDict = field(default_factory=OrderedDict, repr=False)
    _page_locks_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    # per page (session hash), most recent last: [the number of its newest explanation asked for, the newest its
    # Stop stopped] (:meth:`ask`, :meth:`stop_asked`)
    tickets: OrderedDict = field(default_factory=OrderedDict, repr=False)
    # per page (session hash), most recent last: the words of its last refused Compare click (:meth:`check_compare`),
    # said again where the comparison would have come (:meth:`compare_refusal`)
    compare_refused: OrderedDict = field(default_factory=OrderedDict, repr=False)

    # ------------------------------------------------------------------ start-up

    @classmethod
    def load(cls, primary: str, also: Iterable[str] = (), fallback: str | None = "lite",
             device: str | None = None, warm: bool = True) -> "Dashboard":
        """Load ``primary``; on failure fall back to ``fallback`` with a notice. ``also`` adds more to pick from."""
        from msa_demo.model import MultimodalSentimentModel

        dash = cls()
        wanted = [str(primary)] + [str(a) for a in also if str(a) != str(primary)]
        for name in wanted:
            dash._try_load(MultimodalSentimentModel, name, device, warm)
        if str(primary) not in dash.models and fallback and fallback not in dash.models:
            dash._try_load(MultimodalSentimentModel, fallback, device, warm)
        if str(primary) in dash.models:
            dash.default = str(primary)
        elif dash.models:
            dash.default, dash.replaced = next(iter(dash.models)), str(primary)
            dash.notices.append(
                f"The '{primary}' preset could not be loaded ({dash.reason(str(primary))}); "
                f"using '{dash.default}' instead."
            )
        return dash

    def _try_load(self, cls, name: str, device, warm: bool) -> None:
        try:
            model = cls.from_preset(name, device=device)
            if warm:
                warm_up(model)
            key = model.preset.name if name in ("hub", "lite") else name
            self.models[key] = model
            # a modality served by a stand-in (or switched off) is said once, here and on the terminal
            self.notices.extend(n if not self.models.keys() - {key} else f"{key}: {n}" for n in model.notices)
        except MsaError as exc:
            self.failures[name] = one_line(str(exc))
        except Exception as exc:  # noqa: BLE001 - a broken preset must not stop the others loading
            log.exception("preset %s failed to load", name)
            self.failures[name] = one_line(f"{type(exc).__name__}: {exc}")

    @property
    def preset_names(self) -> list[str]:
        """The loaded presets as the page names them (:meth:`shown_name`): the preset menu's choices."""
        return [self.shown_name(k) for k in self.models]

    def shown_name(self, key: str | None) -> str:
        """A loaded preset as the page and its messages name it: its own name ("tiny", "mine"), or, where two loaded
        presets share it, its path relative to the data folder (a train run's "head_tiny", as Compare's B takes it),
        else its file's name; never the server's absolute path (the menu, the header's "Selected:" and "Pick one of:"
        had named /tmp/…/mine.yaml). ``MSA_SHOW_PATHS=1`` (a private dashboard) names a clash's path whole."""
        key = str(key if key is not None else self.default or "")
        model = self.models.get(key)
        own = str(getattr(getattr(model, "preset", None), "name", "") or "")
        if model is None or not own or key == own:
            return key
        mates = [k for k, m in self.models.items()
                 if k != key and own in (k, getattr(getattr(m, "preset", None), "name", None))]
        if not mates:
            return own
        path = in_folder(key, self.folder)
        if path is not None and path != Path(self.folder).resolve():
            return path.relative_to(Path(self.folder).resolve()).as_posix()
        return key if env_flag("MSA_SHOW_PATHS") else Path(key).name

    def preset_key(self, preset: str | None) -> str | None:
        """The loaded preset a name asks for: the menu's name (:meth:`shown_name`), the preset's own name ("mine", as
        its file says it) or the path it was loaded from; the default for none; None for one not loaded (/predict_json
        and the MCP tool had refused ``preset="mine"``, the preset's own name)."""
        if preset in (None, ""):
            return self.default
        preset = str(preset).strip()
        if preset in self.models:
            return preset
        for k in self.models:
            if self.shown_name(k) == preset:
                return k
        owned = [k for k, m in self.models.items() if getattr(getattr(m, "preset", None), "name", None) == preset]
        return owned[0] if len(owned) == 1 else None

    def model(self, preset: str | None):
        if not self.models:
            raise user_error("No model could be loaded, so nothing can be predicted. " + self.failure_text())
        key = self.preset_key(preset)
        if key not in self.models:
            raise user_error(f"The preset '{preset}' is not loaded. Pick one of: {', '.join(self.preset_names)}.")
        return self.models[key]

    def _own_notices(self) -> list[str]:
        """The dashboard's notices that no loaded model gave (the requested preset failed, another serves)."""
        own = {x for key, m in self.models.items() for n in getattr(m, "notices", ()) for x in (n, f"{key}: {n}")}
        return [n for n in self.notices if n not in own]

    @property
    def fell_back(self) -> bool:
        """Did the requested preset fail to load, so that another serves? (a notice that no model gave)"""
        return bool(self._own_notices())

    def notices_for(self, model) -> list[str]:
        """The loading notices that hold for an answer from ``model``: the dashboard's own and that model's (a
        stand-in serving one of its modalities), not another preset's."""
        return [*self._own_notices(), *getattr(model, "notices", ())]

    def failure_text(self) -> str:
        return " ".join(f"{n}: {self.reason(n)}" for n in self.failures)

    def reason(self, name: str) -> str:
        """Why a preset did not load, with advice that fits what runs: the command-line hint to work offline
        becomes nothing when the lite preset already serves (or a head a train run made on it: MSA_PRESET=<its
        folder>, whose preset is 'lite+<folder>'; it had been told to pick 'lite' to work offline), and the Preset
        menu when it is one pick away."""
        text = self.failures.get(name, "unknown reason")
        serving = getattr(getattr(self.models.get(self.default), "preset", None), "name", "") or ""
        if OFFLINE_HINT in text and (self.default == "lite" or serving.split("+")[0] == "lite"):
            text = text.replace(OFFLINE_HINT, "")
        elif OFFLINE_HINT in text and "lite" in self.models:
            text = text.replace(OFFLINE_HINT, " Pick 'lite' in the Preset menu to work offline.")
        return text

    def header_markdown(self, lang: str = "en", preset: str | None = None) -> str:
        """One short line on the preset in use (``preset``, the menu's pick; the default for none); a fallback's
        reasons and presets that did not load sit behind a details toggle."""
        lines, details = [], []
        if self.models:
            key = self.preset_key(preset) or self.default
            key = key if key in self.models else self.default
            m = self.models[key]
            desc = m.describe()
            line = t("**Preset:** {preset} · **Device:** {device} ({dtype})", lang, preset=md(self.shown_name(key)),
                     device=md(desc["device"]), dtype=md(desc["dtype"]))
            # as the preset declares them
            langs = [i18n.language(language_name(c), lang) for c in preset_languages(m.preset)]
            if langs:
                line += t(" · **Reads:** {languages}", lang, languages=md(i18n.listed(langs, lang)))
            if self.fell_back and key == self.default:  # what serves in the asked-for one's place
                only = t(", {languages} only", lang, languages=md(i18n.joined(langs, lang))) if langs else ""
                line = (t("**Running offline: lite models{only}** ({device})", lang, only=only,
                          device=md(desc["device"])) if desc["preset"] == "lite"
                        else t("**Running the '{preset}' preset instead**", lang, preset=md(desc["preset"])))
            elif desc.get("stand_ins") or desc.get("switched_off"):
                parts = [t("{modality}: offline stand-in", lang, modality=i18n.modality(m, lang))
                         for m in desc.get("stand_ins") or []]
                parts += [t("{modality}: switched off", lang, modality=i18n.modality(m, lang))
                          for m in desc.get("switched_off") or []]
                line += (" · **" + md(i18n.sep(lang).join(parts)) + "**"
                         + t(" (its Hub model could not be loaded)", lang))
            lines.append(line)
            details += [md(i18n.said(n, lang)) for n in self.notices]  # the fallback's why, in the page's language
        others = [n for n in self.failures if n != self.replaced]  # the replaced one's notice says why, once
        if others:
            details.append(t("Presets that did not load: {presets}", lang, presets="; ".join(
                f"{md(n)} — {md(i18n.said(self.reason(n), lang))}" for n in others)))
        if not self.models:
            lines.append(t("**No preset could be loaded; the app cannot predict.**", lang))
        if details:
            lines.append(f"<details><summary>{t(WHAT_DID_NOT_LOAD, lang)}</summary>\n\n" + "\n\n".join(details)
                         + "\n\n</details>")
        return "\n\n".join(lines)

    def selected_markdown(self, preset: str | None, lang: str = "en") -> str:
        """The header once a preset is picked in the menu: it names that one, its device and languages (it had kept
        "Preset: tiny" above a second line "Selected: /tmp/…/mine.yaml on CPU")."""
        return self.header_markdown(lang, preset)

    # ------------------------------------------------------------------ handlers

    def _read(self, request: Request, face_anyway=False, inputs=None, lang: str = "en", no_input: str = NO_INPUT):
        """(model, inputs, modalities to use, reading): the face model abstains on a picture without a face.
        ``inputs``: the values read already (not decoded again); ``no_input``: what nothing given is told."""
        from msa_demo.explain import reading_record

        model = self.model(request.preset)
        try:
            inputs = inputs if inputs is not None else read_given(model, request)
        except InputError as exc:
            said = i18n.said(str(exc), lang)
            others = [m for m in request.given if m != exc.modality and m in request.switched_on]
            if exc.modality in request.given and others:  # the rest can be read without it: how
                said += " " + t(WITHOUT_IT, lang, modality=i18n.modality(exc.modality, lang))
            raise user_error(said) from None
        except MsaError as exc:
            raise user_error(i18n.said(str(exc), lang)) from None
        present = inputs.present()
        if not present:
            raise user_error(t(no_input, lang))
        use = request.switched_on
        if not set(present) & set(use):
            raise user_error(all_off(inputs, use, lang))
        try:
            reading = reading_record(model, inputs, [m for m in present if m in use])  # nothing switched off
            # a picture without a face: left out by the model's own rule (the prediction's), unless ticked in Advanced
            faceless, _said = model.face_check(inputs, use, face_anyway)
        except MsaError as exc:
            raise user_error(said_on_page(exc, lang)) from None
        use = [m for m in use if m not in faceless]
        why = nothing_read(inputs, use)  # a clip with no face and nothing else: refused before any panel is placed
        if why:
            raise user_error(i18n.said(why, lang))
        return model, inputs, use, reading

    def _predict(self, model, inputs, use, lang: str = "en", face_anyway: bool = False):
        try:
            return model.predict(inputs=inputs, use=use, face_anyway=face_anyway)
        except MsaError as exc:
            raise user_error(said_on_page(exc, lang)) from None
        except Exception as exc:  # noqa: BLE001 - keep serving; say what failed in one line
            log.exception("prediction failed")
            raise user_error(f"The prediction failed ({type(exc).__name__}: {one_line(str(exc))}).") from None

    def _bind(self, args, named, tail=(), read: bool = True) -> tuple[Request, dict]:
        """(Request, the other keywords) from a handler's arguments; ``read``: the request is to be read, so a clip
        is its browser copy once one is made (:meth:`_as_shown`). A stamp (``read=False``) needs no copy: on
        screen the copy is the clip (``same_clip``), and a freshness line had waited for the copy to be made."""
        try:
            request, rest = bind(args, named, tail)
        except TypeError as exc:
            raise user_error(f"These inputs cannot be read: {exc}.") from None
        return (self._as_shown(request) if read else request), rest

    def _as_shown(self, request: Request) -> Request:
        """The request with an uploaded clip's browser copy in its place, once :meth:`playable_clip` made one
        (waiting for it while it is made): a click in the second after a MOV's upload read the MOV (no "converted"
        notice, negative 86 %), the next click its copy (the notice, 88 %): two readings of one clip on screen."""
        value = request.values.get("video")
        path = value.get("path") if isinstance(value, dict) else value
        shown = self.shown_copy.get(path) if isinstance(path, str) else None
        if isinstance(shown, threading.Event):
            shown.wait(COPY_WAIT)
            shown = self.shown_copy.get(path)
        if not isinstance(shown, str) or not Path(shown).is_file():
            return request
        copy = {**value, "path": shown} if isinstance(value, dict) else shown
        return replace(request, values={**request.values, "video": copy})

    def predict(self, *args, lang: str = "en", **named) -> dict:
        """Fused probabilities, each modality's own prediction, and the summary with what could not be read, by
        name (``views.prediction_views``). Arguments by name (``preset``, each modality's input and ``use_<name>``
        switch, ``face_anyway``), or positionally as (preset, text, image, audio, use_text, use_image, use_audio,
        face_anyway). ``lang``: the language of what it says ("en", "zh")."""
        request, rest = self._bind(args, named, ("face_anyway",))
        face = self._face(rest)
        model, inputs, use, reading = self._read(request, **face, lang=lang)
        pred, models = self._predict(model, inputs, use, lang, **face).to_dict(), families(model)
        return {**prediction_views(pred, (), reading, models, lang=lang),
                "verdicts_for": predicted_for(request, pred, reading, models)}

    def read_ahead(self, *args, changed: str | None = None, lang: str = "en", **named) -> None:
        """An input changed: read it, run every modality's model and the fusion on it, and (under a time budget)
        price the maps' rows now, on a CPU, so that the click that follows finds all of it done and shows the
        prediction at once. Quiet, but for a file that cannot be read (``changed``: the modality whose widget
        changed, when its input is a file): said at once as a warning (an empty .wav had shown a 0:00 player and
        been refused only at the click), and again by the click. Arguments as :meth:`explain_panels`'s."""
        try:
            request, advanced = self._bind(args, named)
            settings = read_settings(**advanced)
            read_key = self._read_key(request, settings)  # (its files hashed once)
            key = json.dumps([read_key, settings_values(**advanced)], default=str)
            if key == self.read_ahead_last:  # an example fills several boxes at once: one change event each
                return
            self.read_ahead_last = key
            with self._reading(read_key):  # kept for the click (``check``)
                kept = self.read_once.get(read_key)  # (the click read it first)
                if kept is None:
                    try:
                        read = read_given(self.model(request.preset), request)
                    except MsaError as exc:
                        if changed in names() and get(changed).manifest_file and \
                                request.values.get(changed) is not None:
                            # a file: said now, not only at the click; kept as a refusal is (``user_error``)
                            gradio().Warning(i18n.said(str(exc), lang), duration=None, title=t("Warning", lang))
                        return
                    kept = self._read(request, settings.face_anyway, inputs=read)
                    self._keep_read(read_key, kept)
            model, inputs, use, _reading = kept
            if model.device.type != "cpu":  # a GPU's first part is quick; a ZeroGPU Space lends one only to a click
                return
            pred = model.predict(inputs=inputs, use=use, face_anyway=settings.face_anyway)
            if settings.options.budget > 0 and pred.used:
                from msa_demo.explain import panel_workers
                from msa_demo.explain.budget import fit

                fit(model, inputs, pred.used, settings.options, workers=panel_workers(model))
        except (MsaError, TypeError, gradio().Error):  # the click says what is wrong
            return
        except Exception:  # noqa: BLE001 - a head start is a courtesy, never a failure
            log.warning("reading the inputs ahead failed", exc_info=True)

    def on_toggle(self, *args, stamp: dict | None = None, state: dict | None = None, lang: str = "en",
                  **named) -> dict:
        """A 'use' box changed: re-predict from cached encoder outputs; with no input, quietly show nothing.
        Arguments as :meth:`predict`'s, and the Advanced controls by name. ``stamp`` and ``state``: the page's
        explanation and what it was made for; a switch turned back to it shows that explanation's verdicts and
        summary again (its "mostly because of …", not the prediction-only sentence)."""
        if stamp and state and state.get("prediction") and not self._changed(stamp, args, named):
            return {**self.explained_verdicts(state, lang), "verdicts_for": None}
        request, rest = self._bind(args, named, ("face_anyway",))
        model = self.model(request.preset)
        try:
            inputs = read_given(model, request)
        except MsaError:
            return verdicts_shown(empty_prediction_views())
        if not inputs.present():
            return verdicts_shown(empty_prediction_views())
        face = self._face({k: v for k, v in rest.items() if k not in {c.name for c in CONTROLS} - {"face_anyway"}})
        if not set(inputs.present()) & set(request.switched_on):  # said calmly: the panels are out of date
            return verdicts_shown({**empty_prediction_views(),
                                   "notices": f"### {all_off(inputs, request.switched_on, lang)}"})
        model, inputs, use, reading = self._read(request, inputs=inputs, **face, lang=lang)  # decoded once
        pred, models = self._predict(model, inputs, use, lang, **face).to_dict(), families(model)
        return {**verdicts_shown(prediction_views(pred, (), reading, models, lang=lang)),
                "verdicts_for": predicted_for(request, pred, reading, models)}

    @staticmethod
    def explained_verdicts(exp: dict, lang: str = "en") -> dict:
        """The verdict boxes and the summary of an explanation (``Explanation.to_dict()``) as its last step left
        them: the summary with the contributions, a cut-short explanation said under it."""
        pred, reading = exp["prediction"], exp.get("reading") or {}
        cut = [exp["cut_short"]] if exp.get("cut_short") else []  # said under the verdict, not only in the notes
        return {**verdicts_shown(prediction_views(pred, (), reading, exp.get("models"), lang=lang)),
                "notices": notices_markdown(pred, cut, reading, exp.get("models"), exp, lang=lang)}

    @staticmethod
    def _face(rest: dict) -> dict:
        unknown = sorted(set(rest) - {"face_anyway"})
        if unknown:
            raise user_error(f"Unknown input(s) {', '.join(unknown)}; use preset, "
                             f"{', '.join(n for m in names() for n in (m, switch(m)))} and face_anyway.")
        return {"face_anyway": bool(rest.get("face_anyway") or False)}

    def check(self, *args, lang: str = "en", session: str | None = None, **named) -> dict:
        """Refuse an explanation that cannot run with one clear message, before any panel is touched; when it
        can run, disable the downloads until it is done and place the panels it will fill (:meth:`placement`).
        What it read is kept for the explanation that follows (:meth:`explain_panels` does not read it again).
        The inputs as :meth:`predict`'s; the Advanced controls by name (``options.CONTROLS``). ``session``: the
        page's; when it can run, it is the page's newest explanation from now (:meth:`ask`), and an older one
        still running stops: the page sends the newer one only once the older has ended (its ``always_last``)."""
        request, advanced = self._bind(args, named)
        settings = self.settings(**advanced)
        key = self._read_key(request, settings)  # (its files hashed once)
        with self._reading(key):  # (a reading ahead of the same: waited for, taken)
            read = self.read_once.get(key) or self._read(request, settings.face_anyway, lang=lang)  # (:meth:`refuse`'s)
            self._keep_read(key, read)
        _model, inputs, use, _reading = read
        given = [m for m in inputs.present() if m in request.switched_on]
        shown = [m for m in use if m in given and not getattr(inputs.get(m), "abstains", False)]  # no empty panels
        self.ask(session)
        return {**self.downloads(None), **self.placement(given, shown)}

    def refuse(self, *args, lang: str = "en", explain: bool = False, **named) -> None:
        """A click's refusal alone, in a step with no output; nothing when the click can run. A step with outputs
        that refuses gets Gradio's red "Error" badge over each of them: "Every input you gave is switched off"
        was half hidden by one on the line that says it. ``explain``: every check of :meth:`check` (the inputs
        read, kept for the steps that follow); else (a prediction) what needs no reading: nothing given, every
        input given switched off. Arguments as :meth:`check`'s (``explain``) or :meth:`predict`'s."""
        if explain:
            self.check(*args, lang=lang, **named)
            return None
        request, _rest = self._bind(args, named)
        given = [m for m, v in request.given.items() if not (isinstance(v, str) and not v.strip())]
        if not given:  # text typed that is only spaces: said what it holds, not that nothing was given
            raise user_error(i18n.said(empty_text(request.given.get("text")) or NO_INPUT, lang))
        if not (set(given) | brought(given)) & set(request.switched_on):
            raise user_error(t(ALL_OFF, lang))
        return None

    @contextlib.contextmanager
    def _reading(self, key: str):
        """Read the request of ``key`` alone: a click on a clip whose upload was still being read ahead read it
        again beside that reading (the face search, the speech recognition, twice on 2 cores: 20 s before the run
        began); it now waits for it and takes what it read (``read_once``)."""
        with self._reading_changed:
            while key in self.reading_now:
                self._reading_changed.wait()
            self.reading_now.add(key)
        try:
            yield
        finally:
            with self._reading_changed:
                self.reading_now.discard(key)
                self._reading_changed.notify_all()

    def _read_key(self, request: Request, settings: Settings) -> str:
        return json.dumps([explained_stamp(request, as_seen=False), settings.face_anyway], sort_keys=True,
                          default=str)  # (a clip read ahead is not its browser copy read)

    def _keep_read(self, key: str, read: tuple) -> None:
        """Keep what was read under its request's key (:meth:`_read_key`), the oldest going past ``READ_KEPT``."""
        self.read_once[key] = read
        while len(self.read_once) > READ_KEPT:
            self.read_once.popitem(last=False)

    def _read_request(self, request: Request, settings: Settings, lang: str = "en") -> tuple:
        """(model, inputs, use, reading) for an explanation or a comparison: what ``check`` (``check_compare``) read
        for the same request, else read now."""
        kept = self.read_once.pop(self._read_key(request, settings), None)
        return kept if kept is not None else self._read(request, settings.face_anyway, lang=lang)

    def place(self, *args, **named) -> dict:
        """Before a prediction: the verdict boxes it will fill shown, the others hidden (:meth:`placement`'s
        verdicts); never refuses (the prediction that follows says what is wrong). Arguments as :meth:`predict`'s."""
        try:
            request, _rest = bind(args, named, ("face_anyway",))
        except TypeError:
            return {}  # every box as it is
        given = [m for m in request.given if m in request.switched_on]
        return {n: v for n, v in self.placement(given, given).items() if n == "fused" or n.startswith("own.")}

    @staticmethod
    def placement(given: Iterable[str], used: Iterable[str]) -> dict:
        """Which panels are on the page (``gr.update(visible=...)``, values untouched), by name: the fused
        verdict, each modality's own verdict when it was ``given``, the contributions, and each modality's panel
        parts when it is ``used`` (``fields.panel_placement``: the picture already when given). The API's
        endpoints return plain values; the page places its panels with this, before they fill."""
        gr = gradio()
        given = set(given)
        return {"fused": gr.update(visible=True), **{f"own.{m}": gr.update(visible=m in given) for m in names()},
                "contrib": gr.update(visible=True),
                **{n: gr.update(visible=v) for n, v in panel_placement(given, used).items()}}

    def downloads(self, exp) -> dict:
        """The two download buttons: enabled exactly when there is an explanation to download."""
        gr = gradio()
        return {"report": gr.DownloadButton(interactive=bool(exp)), "json": gr.DownloadButton(interactive=bool(exp))}

    @staticmethod
    def settings(**advanced) -> Settings:
        """The Advanced controls' values by name -> Settings; a bad value is one clear message."""
        try:
            return read_settings(**advanced)
        except MsaError as exc:
            raise user_error(str(exc)) from None

    def explain_panels(self, *args, progress=None, lang: str = "en", session: str | None = None,
                       checked: bool = False, replaced_said: bool = True, **named) -> Iterator[dict]:
        """Stream the Explain outputs by name: the prediction first (``views.prediction_views``; the panels of
        the previous explanation emptied), then each explanation part as it finishes (the contributions, each
        modality's panel parts ``<modality>.<part>``, the trust table, the what-ifs), then the stamp of what is
        explained, the explanation itself (``state``) and the two files to download (``report``, ``json``: the
        buttons are enabled by :meth:`downloads`). The summary on top is redone with the modality contributions.
        The inputs as :meth:`predict`'s; the Advanced controls by name (``options.CONTROLS``: target, ig_steps,
        image_method, ...); a name not given takes its default. ``lang``: the language of what it says and of the
        report ("en", "zh"; the JSON is the same in both). ``session``: the page's (Gradio's session hash); the
        explanations of one page are made one after the other, in the order asked, while those of different pages
        may run at once (``explain_lanes``): a second click never has its panels overwritten by the first's. A
        newer explanation asked for by the same page (or API session) replaces an older one still waiting or
        running: it stops at its next model call (three users' four clicks each had all been made, while others'
        were cut). ``checked``: the page's click, whose :meth:`check` has already asked (:meth:`ask`); else (an API
        call) it asks here. ``replaced_said``: when it is replaced, say so in one line (an API client's job has no
        result else); the page, where the newer one's panels follow at once, ends it quietly. Stopped on the page
        (:meth:`stop_asked`), it ends with what was finished and says so."""
        request, advanced = self._bind(args, named)
        settings = self.settings(**advanced)
        stamp = explained_stamp(request, settings_values(**advanced))
        ticket = self.ask(session, again=checked)
        wants = functools.partial(self.wanted, session, ticket)
        lock = self._page_lock(session)
        with lock:  # released when the stream ends, fails or is dropped (a page closed: Gradio closes the generator)
            try:
                if wants() == "stopped":  # stopped while it waited: nothing made, said in one line
                    yield {"fresh": md(t(STOPPED_BEFORE, lang))}
                    return
                if wants() == "replaced":
                    raise Replaced(REPLACED)
                yield from self._stream(request, settings, stamp, progress=progress, lang=lang, asked=wants)
            except Replaced:
                if replaced_said:
                    raise user_error(t(REPLACED, lang)) from None
            finally:  # however it ended (done, stopped, replaced, failed, its page or client gone): what its
                # batches, panels and report freed goes back to the system (an explanation's own trim was skipped
                # when it ended early, and its report and last panels are made after it)
                release_memory(force=True)

    def ask(self, session: str | None, again: bool = False) -> int:
        """A new explanation asked for by the page ``session``: its number (the page's newest; an older one still
        waiting or running stops, :meth:`wanted`). ``again``: the page's check already asked (:meth:`check`), this
        is the same one (its number as it was). 0 for no session."""
        if not session:
            return 0
        with self._page_locks_lock:
            held = self.tickets.pop(session, None) or [0, 0]
            if not again or not held[0]:
                held[0] += 1
            self.tickets[session] = held  # the latest last
            while len(self.tickets) > PAGES_KEPT:
                self.tickets.popitem(last=False)
            return held[0]

    def stop_asked(self, session: str | None) -> None:
        """The page's Stop: its newest explanation (waiting or running) stops, what was finished kept."""
        if not session:
            return
        with self._page_locks_lock:
            held = self.tickets.get(session)
            if held:
                held[1] = held[0]

    def wanted(self, session: str | None, ticket: int) -> str | None:
        """What the page wants now of its explanation number ``ticket``: "replaced" (it asked for a newer one),
        "stopped" (its Stop) or None (go on)."""
        held = self.tickets.get(session) if session and ticket else None
        if not held:
            return None
        if held[0] > ticket:
            return "replaced"
        return "stopped" if held[1] >= ticket else None

    def _page_lock(self, session: str | None):
        """The lock that keeps one page's explanations one after the other (a fresh one for no session)."""
        if not session:
            return threading.Lock()
        with self._page_locks_lock:
            lock = self.page_locks.pop(session, None) or threading.Lock()
            self.page_locks[session] = lock  # the latest last
            while len(self.page_locks) > PAGES_KEPT:
                old, held = next(iter(self.page_locks.items()))
                if held.locked():
                    break
                del self.page_locks[old]
            return lock

    def _stream(self, request: Request, settings: Settings, stamp: dict, progress=None,
                lang: str = "en", asked=None) -> Iterator[dict]:
        """The Explain outputs by name, step by step; the report is written after the last panel."""
        model, inputs, use, reading = self._read_request(request, settings, lang)
        pred = self._predict(model, inputs, use, lang, settings.face_anyway)
        yield {**prediction_views(pred.to_dict(), (), reading, families(model), lang=lang),
               **explanation_views({"reading": reading}, lang=lang), "trust": "", "fresh": "", "stamp": None,
               "state": None, "verdicts_for": None,
               "report": None, "json": None, "what_if": ""}
        from msa_demo.explain import explain_iter

        options, limited = within_limit(settings.options)
        options, shared = self.shared_budget(options)
        tgt = settings.target
        abstained = abstained_of(request, inputs, use)
        key = explained_key(model, inputs, use, options, tgt, abstained)
        cached = self.kept(key)
        if cached is not None:  # the same inputs, switches and settings: the same explanation, at once
            exp = cached
            yield self._final(exp, stamp, *self.write_report(exp, lang), lang=lang)  # written once per language
            return
        exp: dict = {}  # Explanation.to_dict(), kept up to date part by part (each map converted once)
        converted: dict[int, dict] = {}  # id(map) -> its dict: the maps arrive as their panels finish
        whole = True  # not cut short (a cut one is not kept for the next request of the same)
        try:
            for kind, part in explain_iter(model, inputs, target=tgt, use=use, options=options,
                                           progress=progress_adapter(progress, lang),
                                           on_rows=rows_progress(progress, lang=lang), abstained=abstained,
                                           limit=max_seconds() or None, crowd=self.crowd, gone=page_gone(),
                                           asked=asked, face_anyway=settings.face_anyway):
                changed: set[str] = set()
                if kind == "explanation":
                    exp, changed, made = part.to_dict(), {"modalities"}, part
                    exp["notices"].extend(n for n in (limited, shared) if n)
                elif kind == "map":
                    converted[id(part)] = part.to_dict()
                    exp["maps"] = [converted[id(m)] for m in made.maps if id(m) in converted]  # its order
                    # and the panels that show it too: a clip's timeline has lanes for the voice and words it
                    # carries (drawn before their maps had landed, the first run's lacked the voice lane for good)
                    changed = {part.modality} | {k.name for k in registry.kinds() if part.modality in k.carries}
                elif kind == "notices":  # said once more, or in place of one said before ("instead_of")
                    if part.get("instead_of") in exp["notices"]:
                        exp["notices"].remove(part["instead_of"])
                    exp["notices"].extend(part["notices"])
                    if part.get("cut_short"):
                        exp["cut_short"], whole = part["notices"][0], False
                elif kind == "what_if":
                    exp["what_if"] = [c.to_dict() for c in made.what_if]  # in panel order
                elif kind == "tone":
                    exp["tone"], exp["tone_note"] = [e.to_dict() for e in made.tone], made.tone_note
                elif kind == "cost":
                    exp["cost"] = part.to_dict()
                # the final views follow, with the report files and the cost: a step for the cost alone would only
                # make Gradio rebuild every output it leaves unchanged (a gr.skip() is a prop update to it)
                if kind not in ("done", "cost"):
                    yield {**explanation_views(exp, changed=changed, lang=lang), "what_if": whatif_markdown(exp, lang)}
        except Replaced:
            raise
        except MsaError as exc:
            raise user_error(i18n.said(str(exc), lang)) from None
        except Exception as exc:  # noqa: BLE001
            log.exception("explanation failed")
            raise user_error(f"The explanation failed ({type(exc).__name__}: {one_line(str(exc))}). "
                             "The prediction above still holds.") from None
        html_path, json_path = self.write_report(exp, lang)
        if whole:
            self.keep(key, exp)
        # every panel once more, whole: a streamed update can still be lost in the browser (Gradio 6.31; an audio
        # map stayed blank, the explanation done, in 1 full browser run of 4 with the panels kept built,
        # fields.HIDDEN), and this last one, seconds later, puts it right
        yield self._final(exp, stamp, html_path, json_path, changed=None, lang=lang)

    def kept(self, key: str) -> dict | None:
        """The explanation kept under ``key`` (:func:`explained_key`), or None."""
        exp = self.explained.get(key)
        if exp is not None:
            try:
                self.explained.move_to_end(key)
            except KeyError:  # dropped meanwhile by another page's explanation (two run at once)
                pass
        return exp

    def keep(self, key: str, exp: dict) -> None:
        """Keep an explanation (``Explanation.to_dict()``) for the next request of the same; the oldest go past
        ``EXPLAINED_KEPT``."""
        self.explained[key] = exp
        while len(self.explained) > EXPLAINED_KEPT:
            self.explained.popitem(last=False)

    @staticmethod
    def _final(exp: dict, stamp: dict, html_path, json_path, changed: Iterable[str] | None = None,
               lang: str = "en") -> dict:
        """The last Explain outputs: the panels (those ``changed``; None: all), the trust table, the summary
        redone with the contributions and the verdict boxes beside it (sent in the first step only, the boxes had
        shown the previous post's verdict beside this one's summary in a run of posts on a busy machine: the
        boxes now come in the same update as the summary), the files."""
        return {**explanation_views(exp, final=True, changed=changed, lang=lang), "what_if": whatif_markdown(exp, lang),
                **Dashboard.explained_verdicts(exp, lang), "fresh": "",
                "stamp": stamp, "state": exp, "report": str(html_path), "json": str(json_path)}

    # ------------------------------------------------------------------ two models side by side

    def other_model(self, name: str | None, lang: str = "en", a: str | None = None):
        """The preset to compare with: a loaded one, or loaded now (once, kept; a failure is one clear line).
        ``a``: the page's preset (none other loaded: the message says how to give one)."""
        name = str(name or "").strip()
        a = self.preset_key(a) or self.default
        if not name:
            if not [n for n in self.models if n != a]:  # offline: the Hub preset did not load, so B offers none
                raise user_error(t(ONE_MODEL, lang, folder=folder_named(self.folder, lang)))
            raise user_error(t("Choose a second preset (B) to compare with, or type a preset file.", lang))
        key = self.preset_key(name) or self._visitor_preset(name, lang)  # a loaded one by its name too
        if key not in self.models:
            from msa_demo.model import MultimodalSentimentModel

            t0 = time.perf_counter()
            self._try_load(MultimodalSentimentModel, key, None, warm=False)
            if key not in self.models:  # said to this visitor only: the page's header lists start-up's failures
                why = self.reason(key)
                self.failures.pop(key, None)
                raise user_error(t("The preset '{name}' could not be loaded for the comparison: {why}", lang,
                                   name=name, why=i18n.said(why, lang)))
            log.info("loaded preset %s for a comparison in %.1f s", key, time.perf_counter() - t0)
        return self.models[key]

    def _visitor_preset(self, name: str, lang: str = "en") -> str:
        """A preset a visitor typed -> what to load: a built-in name as it is, a path (relative to the data folder,
        or absolute inside it) resolved; a path outside the data folder, hidden, or not what a preset can be (a
        .json / .yaml / .yml file, a folder a train run wrote: ``options.preset_path``) is refused in the same
        words whether it exists or not, unread (a visitor would learn which files the server has, and the server
        would read them)."""
        from msa_demo.config import PRESETS

        if name in PRESETS:
            return name
        path = preset_path(name, self.folder)  # only what a preset can be; the rest refused alike, unopened
        if path is not None:
            return str(path)
        if in_folder(name.strip(), self.folder) is None:  # outside: said as such, with how to allow it (it had read
            # as a name not known, the folder's rule and MSA_DATASET_ROOT unsaid); whether the path exists is not said
            raise user_error(t("The preset '{name}' could not be loaded for the comparison: {why}", lang, name=name,
                               why=t("it is outside the data folder ({folder}), and Compare reads a preset file or a "
                                     "train folder only inside it. Start the app with MSA_DATASET_ROOT set to a folder "
                                     "that holds it (or copy it into {folder}), or give a built-in preset ({known}).",
                                     lang, known=", ".join(sorted(PRESETS)), folder=folder_named(self.folder, lang))))
        raise user_error(t("The preset '{name}' could not be loaded for the comparison: {why}", lang, name=name,
                           why=t("give a built-in preset ({known}), or a preset file or folder a train run wrote "
                                 "inside the data folder ({folder}).", lang, known=", ".join(sorted(PRESETS)),
                                 folder=folder_named(self.folder, lang))))

    @staticmethod
    def _second_text(request: Request, other_text: str | None, lang: str = "en") -> str | None:
        """B's text, when one is typed (a comparison of two texts on A's model), checked against A's: refused in
        one line where the Explain tab has no text to compare it with or it is A's text again; None: none typed
        (a comparison of two models)."""
        other_text = str(other_text or "").strip()
        if not other_text:
            return None
        mine = request.values.get("text")
        if not isinstance(mine, str) or not mine.strip() or "text" not in request.switched_on:
            raise user_error(t(NO_TEXT_A, lang))
        if mine.split() == other_text.split():
            raise user_error(t(SAME_TEXT, lang))
        return other_text

    def check_compare(self, *args, other: str | None = None, other_text: str | None = None, lang: str = "en",
                      session: str | None = None, **named) -> dict:
        """Refuse a comparison that cannot run with one clear message before any panel is touched (as
        :meth:`check` does for an explanation): no input, no second preset, or one that cannot be loaded (it is
        loaded here, on its first use). Nothing to change when it can run; what A read is kept for the comparison
        that follows, as :meth:`check` keeps it for the explanation. ``session``: the page's (Gradio's session
        hash); its refusal is kept for :meth:`compare_refusal`."""
        if session:
            self.compare_refused.pop(session, None)
        try:
            request, advanced = self._bind(args, named)
            settings = self.settings(**advanced)
            read = self._read(request, settings.face_anyway, lang=lang, no_input=COMPARE_NO_INPUT)
            text_b = self._second_text(request, other_text, lang)
            if text_b is None:
                self.other_model(other, lang, request.preset)
            else:  # read as A's text is (a text the reader refuses: said now)
                try:
                    self.model(request.preset).read_inputs(text=text_b)
                except MsaError as exc:
                    raise user_error(i18n.said(str(exc), lang)) from None
        except gradio().Error as exc:
            if session:
                self.compare_refused[session] = one_line(getattr(exc, "message", None) or str(exc))
                while len(self.compare_refused) > PAGES_KEPT:
                    self.compare_refused.popitem(last=False)
            raise
        self._keep_read(self._read_key(request, settings), read)
        return {}

    def compare_refusal(self, session: str | None = None) -> dict:
        """The page's last refused Compare click (:meth:`check_compare`) said where its comparison would have come,
        by name: ``compare.summary`` (one line: what is missing), the comparison shown before taken away (its
        verdicts and words are the page's to hide; its state, its download and its out-of-date line here). With
        only 'lite' loaded and B empty, a click had shown nothing where the result goes (its message was a toast
        at the page's corner). Nothing without a refusal."""
        why = self.compare_refused.pop(session, None) if session else None
        if why is None:
            return {}
        return {"compare.summary": f"### ⚠ {md(why)}", "compare.fresh": "", "compare.state": None, "compare.made": None,
                "compare.stamp": None,
                "compare.report": gradio().DownloadButton(value=None, interactive=False, visible=False)}

    def compare(self, *args, other: str | None = None, other_text: str | None = None, progress=None,
                lang: str = "en", **named) -> dict:
        """The same input explained by the page's preset (A) and ``other`` (B), toward A's class, side by side
        (``explain.compare``): by name, ``compare.summary`` (both verdicts, both summaries, the agreement of
        their maps), ``compare.fused_a`` / ``compare.fused_b``, ``compare.words_a`` / ``compare.words_b`` and
        ``compare.report`` (one HTML page with both). The inputs and settings as :meth:`explain_panels`'.
        ``other_text``: B's text: then the page's inputs and the same with B's text in place of A's are compared on
        A's model (``explain.compare_texts``; ``other`` is not read), its download the two texts side by side."""
        from msa_demo.explain import explain
        from msa_demo.explain.compare import compare, compare_texts

        request, advanced = self._bind(args, named)
        settings = self.settings(**advanced)
        model_a, inputs_a, use, _reading = self._read_request(request, settings, lang)
        text_b = self._second_text(request, other_text, lang)
        request_b = request if text_b is None else replace(request, values={**request.values, "text": text_b})
        model_b = model_a if text_b is not None else self.other_model(other, lang, request.preset)
        try:
            inputs_b = read_given(model_b, request_b)  # each model reads with its own limits
            tell = progress_adapter(progress, lang)

            def explained(model, inputs, target, request=request):  # kept: A is usually what Explain has just shown
                abstained = abstained_of(request, inputs, use)
                key = explained_key(model, inputs, use, settings.options, target, abstained)
                exp = self.kept(key)
                if exp is None:
                    exp = explain(model, inputs, target=target, use=use, options=settings.options,
                                  progress=tell, abstained=abstained, face_anyway=settings.face_anyway).to_dict()
                    self.keep(key, exp)
                return exp

            exp_a = explained(model_a, inputs_a, settings.target)
            exp_b = explained(model_b, inputs_b, exp_a["target"], request_b)
        except MsaError as exc:  # (B's face model may find no face where A's found one)
            raise user_error(said_on_page(exc, lang)) from None
        except Exception as exc:  # noqa: BLE001
            log.exception("comparison failed")
            raise user_error(f"The comparison failed ({type(exc).__name__}: {one_line(str(exc))}).") from None
        stamp = {**explained_stamp(request, settings_values(**advanced)), "B": str(other or "").strip(),
                 "B text": text_b or ""}
        texts = text_b is not None  # two texts, one model: the sentence and the words
        cmp = compare_texts(exp_a, exp_b) if texts else compare(exp_a, exp_b)
        same = not texts and model_b is model_a  # B is A (by its name, its path or its menu name): said, not
        # refused (the comparison's own check: the two agree by construction)
        views_of = self._compare_views(exp_a, exp_b, cmp, same, lang, texts=texts)
        return {**views_of,
                "compare.report": gradio().DownloadButton(value=views_of["compare.report"], interactive=True,
                                                          visible=True),
                "compare.state": cmp, "compare.made": {"a": exp_a, "b": exp_b, "same": same, "texts": texts},
                "compare.fresh": "", "compare.stamp": stamp}

    def _compare_views(self, exp_a: dict, exp_b: dict, cmp: dict, same: bool, lang: str = "en",
                       texts: bool = False) -> dict:
        """The Compare tab's parts in ``lang`` for two explanations (``cmp``: :func:`compare` of them; ``same``: B
        is A's own preset): the summary, both verdicts and word maps, and the report's path (written once a
        language). ``texts``: two texts on one model (``cmp``: ``compare_texts`` of them)."""
        from msa_demo.report import compare_html
        from msa_demo.views import label_value, summary_sentence
        from msa_demo.views.compare import texts_markdown

        def words(exp):  # the text kind's own panel value (its legend in ``lang``)
            return rendered(registry.get("text"), exp, lang).get("text.words")

        digest = hashlib.sha256(json.dumps([exp_a, exp_b], sort_keys=True, default=str).encode()).hexdigest()[:10]
        folder = self.report_dir / f"compare-{digest}" / lang
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / ("msa_compare_texts.html" if texts else "msa_compare.html")
        if not path.is_file():
            write_whole(path, compare_html(exp_a, exp_b, cmp, lang, texts=texts).encode("utf-8"))
        if texts:
            return {"compare.summary": texts_markdown(cmp, lang),
                    "compare.fused_a": label_value(exp_a["prediction"]["probs"], lang),
                    "compare.fused_b": label_value(exp_b["prediction"]["probs"], lang),
                    "compare.words_a": words(exp_a), "compare.words_b": words(exp_b), "compare.report": str(path)}

        summaries = tuple(summary_sentence(e["prediction"], e, e.get("reading"), lang) for e in (exp_a, exp_b))
        itself = t("*B is A's own preset: the two agree by construction (a check of the comparison itself). Pick "
                   "another preset, a preset file or a train folder to compare two models.*", lang) + "\n\n"
        return {"compare.summary": (itself if same else "") + compare_markdown(cmp, summaries, lang),
                # the classes and the words' categories named in ``lang``, as the Explain tab names them
                "compare.fused_a": label_value(exp_a["prediction"]["probs"], lang),
                "compare.fused_b": label_value(exp_b["prediction"]["probs"], lang),
                "compare.words_a": words(exp_a), "compare.words_b": words(exp_b), "compare.report": str(path)}

    def compare_retold(self, made: dict | None, cmp: dict | None, lang: str = "en") -> dict:
        """The comparison on the Compare tab told again in ``lang`` (the language switch; ``made``: its two
        explanations, ``cmp``: their comparison, both kept on the page): it had stayed in the language it was made
        in, under the other's labels. Nothing without a comparison; its download button left as it is (out of date
        stays off)."""
        if not made or not cmp:
            return {}
        return self._compare_views(made["a"], made["b"], cmp, made["same"], lang, texts=bool(made.get("texts")))

    # ------------------------------------------------------------------ the page opens on a worked example

    def prepare_opening(self, values: dict[str, Any]) -> threading.Thread:
        """Explain the worked example in the background, once, as the Explain button would (``values``: every
        handler keyword, as the page's widgets start, with the example's inputs); :meth:`opening` shows it to
        each page that opens."""
        self.opening_values = values

        def run():
            try:
                *_, last = self.explain_panels(**values)
                self.opening_shown = self.saved_panels(last["state"], stamp=last["stamp"],
                                                       files=(last["report"], last["json"]))
            except Exception:  # noqa: BLE001 - the page then opens empty, as it did before
                log.exception("the worked example could not be explained")
            finally:
                self.opening_ready.set()

        thread = threading.Thread(target=run, name="msa-worked-example", daemon=True)
        thread.start()
        return thread

    def opening(self, wait: float = 600.0, shared: str | None = None, lang: str = "en") -> Iterator[dict]:
        """What a page shows as it opens, by name: the inputs in their boxes (``input.<modality>``), then the
        Explain outputs. ``shared``: the id of a shared explanation (the link's ``?x=``), shown read-only, or one
        clear line when it is gone. Else the worked example: while start-up is still explaining it, the inputs
        come first with a line that says so; nothing changes when there is none. ``lang``: the language of its
        words (the worked example, explained in English at start-up, is told again in it)."""
        if shared is not None:
            yield self.open_shared(shared, lang)
            return
        values = self.opening_values
        if values is None:
            yield {}
            return
        inputs = {f"input.{m}": values.get(m) for m in names() if values.get(m) is not None}
        if not self.opening_ready.is_set():
            yield {**inputs, "notices": t("*Explaining a worked example for you — one moment…*", lang)}
            self.opening_ready.wait(wait)
        if self.opening_shown is None:
            yield inputs
            return
        # a fresh copy of each update for each page: Gradio takes the value out of an update dict it sends
        shown = {n: dict(v) if isinstance(v, dict) else v for n, v in self.opening_shown.items()}
        if lang != "en":
            told = self.retold(self.opening_shown["state"], lang)
            shown.update({**told, "report": gradio().DownloadButton(value=told["report"], interactive=True)})
        yield {**inputs, **shown}

    # ------------------------------------------------------------------ saved and shared explanations

    def saved_panels(self, exp: dict, note: str = "", stamp: dict | None = None,
                     files: tuple | None = None, lang: str = "en") -> dict:
        """The Explain outputs by name (as :meth:`explain_panels` leaves them at its end) for a saved explanation
        (``Explanation.to_dict()``), each panel placed, ``note`` above its summary, the downloads enabled;
        ``stamp``: what the inputs on the page are (None: nothing on the page was explained); ``files``: its
        report and JSON when they are written already."""
        gr = gradio()
        pred, reading, models = exp.get("prediction") or {}, exp.get("reading") or {}, exp.get("models") or {}
        notices = (note + "\n\n" if note else "") + notices_markdown(pred, (), reading, models, exp, lang=lang)
        html_path, json_path = files or self.write_report(exp, lang)
        return {**verdicts_shown(prediction_views(pred, (), reading, models, lang=lang)), "notices": notices,
                **explanation_views(exp, final=True, placed=True, lang=lang), "fresh": "", "stamp": stamp,
                "verdicts_for": None, "state": exp, "report": gr.DownloadButton(value=str(html_path), interactive=True),
                "json": gr.DownloadButton(value=str(json_path), interactive=True),
                "what_if": whatif_markdown(exp, lang)}

    def retold(self, exp: dict | None, lang: str = "en", predicted: dict | None = None) -> dict:
        """An explanation's panels told again in ``lang``, by name (the language switch; a page opening in Chinese
        on the worked example): the verdicts, summary and notices, each panel, the trust table, the what-ifs and
        the report's file (its button left as it is); nothing when there is no explanation yet. ``predicted``:
        the verdicts a Predict has shown since (:func:`predicted_for`), told again in their place (the switch put
        the explanation's back, for other inputs)."""
        out = {}
        if exp:
            html_path, _json = self.write_report(exp, lang)
            kept = ("state", "stamp", "verdicts_for", "fresh", "json", "report")  # what the language does not change
            out = {**{n: v for n, v in self.saved_panels(exp, files=(html_path, _json), lang=lang).items()
                      if n not in kept}, "report": str(html_path)}
        if predicted:
            out.update(verdicts_shown(prediction_views(predicted["pred"], (), predicted["reading"],
                                                       predicted["models"], lang=lang)))
        return out

    @staticmethod
    def saved_inputs(exp: dict, folder: Path) -> dict:
        """A saved explanation's inputs for their boxes, by name (``input.<modality>``): a text as it is, a file
        (picture, clip, video) written into ``folder``; a modality without an input clears its box."""
        from msa_demo.explain import recorded_inputs

        raw = recorded_inputs(exp.get("inputs") or {})
        out: dict[str, Any] = {}
        for m in names():
            value = raw.get(m)
            if isinstance(value, (bytes, bytearray)) and value:
                path = folder / f"input-{m}{_suffix(bytes(value[:16]))}"
                write_whole(path, bytes(value))  # the same link opened twice: never a file cut short
                out[f"input.{m}"] = str(path)
            elif value is None or isinstance(value, str):
                out[f"input.{m}"] = value or (None if m != "text" else "")
        return out

    def share(self, exp: dict | None, stamp=None, *args, lang: str = "en", **named) -> str:
        """Put the explanation on the shelf; its id (the link is the page's address with ``?x=<id>``). Given the
        ``stamp`` and the inputs and settings on screen (as :meth:`freshness`), an explanation made before they
        changed is not shared: the link would open what the page no longer shows, as the downloads are disabled."""
        if not exp:
            raise user_error(t("There is no explanation to share yet: click 'Explain' first.", lang))
        if stamp and (args or named) and self._changed(stamp, args, named):
            raise user_error(t("The explanation below was made before your changes: click Explain to bring it up to "
                               "date, then copy its link.", lang))
        try:
            return self.shelf.put(exp)
        except MsaError as exc:
            raise user_error(str(exc)) from None
        except OSError as exc:
            log.error("sharing failed: %s", exc)
            raise user_error("The explanation could not be stored for sharing on this server; download the "
                             "report instead.") from None

    def open_shared(self, key: str, lang: str = "en") -> dict:
        """The page for a shared link, by name: the inputs in their boxes and the explanation read-only; a link
        that is gone is one clear line where the summary goes (and nothing else changes)."""
        from msa_demo.explain.result import Explanation

        try:
            exp = Explanation.from_dict(self.shelf.get(key)).to_dict()
            folder = Path(self.report_dir) / "shared" / str(key)
            folder.mkdir(parents=True, exist_ok=True)
            inputs = self.saved_inputs(exp, folder)
        except (MsaError, ValueError, TypeError, KeyError, AttributeError) as exc:
            return {"notices": f"### ⚠ {str(exc) if isinstance(exc, MsaError) else GONE}"}
        note = t(SHARED_NOTE, lang, preset=md(str(exp.get("preset") or "?")))
        return {**inputs, **self.saved_panels(exp, note, lang=lang)}

    def crowd(self) -> int:
        """How many explanations wait in the queue (the page's and the JSON endpoint's share its lanes)."""
        return len(self.waiting())

    def shared_budget(self, options):
        """(options, a notice or None): with explanations waiting behind this one, its time budget is cut to the
        share that lets each of them still be done within ``QUEUE_WAIT`` seconds of its click, had every one
        before it the same share: for the one waiting at place k (from 1) that has waited w seconds, (QUEUE_WAIT
        - w) / (k + 1); the least of these, and at least ``MIN_SHARE``. So a crowd that arrives at once gets
        QUEUE_WAIT / (n + 1) each, and those who have already waited long get the least, not the most, as the
        queue empties. A budget less than the share is kept; no budget (0: full quality, a GPU's default) is
        left as it is."""
        try:
            ages = [float(a) for a in self.waiting()]
        except Exception:  # noqa: BLE001 - the queue is a courtesy, never a failure
            ages = []
        if options.budget <= 0 or not ages:
            return options, None
        share = max(MIN_SHARE, min((QUEUE_WAIT - age) / (k + 1) for k, age in enumerate(ages, start=1)))
        if share >= options.budget:
            return options, None
        waiting = len(ages)
        people = "explanation was" if waiting == 1 else "explanations were"
        return replace(options, budget=round(share, 1)), (
            f"{waiting} more {people} waiting, so this one had a {share:.1f} s share of the "
            f"{options.budget:g} s time budget (Advanced → time budget).")

    def playable_clip(self, video, preset: str | None = None, lang: str = "en"):
        """A clip just uploaded in a form browsers do not play (an AVI, MPEG-4 Part 2, HEVC ...): a copy they play,
        made over the span the preset reads (``modalities.video.browser_copy``; the reading then says it was
        converted), for the video box, said in one calm line; else the box is left as it is."""
        from msa_demo.modalities.video import browser_copy, video_options

        gr = gradio()
        path = video.get("path") if isinstance(video, dict) else video
        if not path:
            return gr.skip()
        try:
            opts = video_options(self.model(preset).preset.modalities.get("video"))
        except MsaError:
            opts = video_options(None)
        made = self.shown_copy[path] = threading.Event()  # a click meanwhile waits for the copy (``_as_shown``)
        copy = None
        try:
            copy = browser_copy(path, float(opts["max_seconds"]), int(opts["max_side"]))
        finally:
            if copy is None:
                self.shown_copy.pop(path, None)
            else:
                self.shown_copy[path] = str(copy)
                while len(self.shown_copy) > COPIES_KEPT:
                    self.shown_copy.popitem(last=False)
            made.set()
        if copy is None:
            return gr.skip()
        same_clip(copy, path)  # on screen, the copy is the clip: an explanation of either is of both
        # kept until closed or the next run starts, as a refusal is: a message that fades takes the others with it
        # (Gradio's toasts: the timer of the first group closed the refusal beside it, 10 s after the upload)
        gr.Info(t(CLIP_CONVERTED, lang), duration=None, title=t("Note", lang))
        return str(copy)

    def _changed(self, stamp: dict, args, named, now: dict | None = None) -> list[str]:
        """What on screen (the inputs as :meth:`predict`'s, the Advanced controls by name) is no longer what the
        explanation of ``stamp`` was made for, in the words of the screen. ``now``: the screen's stamp
        (:meth:`_now`), when it is made already."""
        return stale_parts(stamp, now if now is not None else self._now(args, named))

    def _now(self, args, named) -> dict:
        """The stamp of what is on screen (its files hashed: made once for both tabs' freshness lines)."""
        request, advanced = self._bind(args, named, read=False)
        return explained_stamp(request, settings_values(**advanced))

    @staticmethod
    def _changed_words(changed: list[str], lang: str) -> str:
        """What changed, as the freshness lines name it ("text, the image switch")."""
        return i18n.listed((i18n.modality(n, lang) if n in names() else i18n.said(n, lang) for n in changed), lang)

    def freshness(self, stamp, *args, compared: dict | None = None, predicted: dict | None = None,
                  lang: str = "en", **named) -> dict:
        """The freshness line and the two download buttons (``fresh``, ``report``, ``json``): when the inputs,
        switches or settings on screen are no longer those the panels were explained for, say so and disable the
        downloads (they would not match). The inputs as :meth:`predict`'s; the Advanced controls by name.
        ``compared``: the stamp of the comparison on the Compare tab, told the same way
        (:meth:`compare_freshness`). ``predicted``: what a Predict made the verdicts on screen for, since the
        explanation (:func:`predicted_for`; None: the verdicts are the explanation's)."""
        now = self._now(args, named) if stamp or compared else None
        out = self.compare_freshness(compared, *args, lang=lang, now=now, **named) if compared else {}
        if not stamp:
            return out
        changed = self._changed(stamp, args, named, now)
        if not changed:
            return {**out, "fresh": "", **self.downloads(True)}
        verdicts_changed = changed if not predicted else self._changed(predicted["stamp"], args, named, now)
        return {**out, "fresh": self._out_of_date(changed, lang, verdicts_changed), **self.downloads(None)}

    def compare_freshness(self, compared: dict | None, *args, other: str | None = None,
                          other_text: str | None = None, lang: str = "en", now: dict | None = None, **named) -> dict:
        """The Compare tab's freshness line and its download (``compare.fresh``, ``compare.report``): when the
        inputs, switches or settings on screen, or the second preset (``other``, when given), are no longer those
        the comparison was made for (``compared``: its stamp), say so and disable the download. Nothing without a
        comparison. ``now``: the screen's stamp, when made already (:meth:`freshness`). ``other_text``: B's text
        (two texts on one model: ``other`` is not theirs)."""
        if not compared:
            return {}
        changed = self._changed({k: v for k, v in compared.items() if k not in ("B", "B text")}, args, named, now)
        if other_text is not None and str(other_text or "").strip() != compared.get("B text", ""):
            changed.append("B's text")
        elif other is not None and not compared.get("B text") and str(other or "").strip() != compared.get("B"):
            changed.append("the second preset (B)")
        gr = gradio()
        if not changed:
            return {"compare.fresh": "", "compare.report": gr.DownloadButton(interactive=True)}
        return {"compare.fresh": t("⚠ **Out of date:** this comparison was made before you changed {what}. Click "
                                   "**Compare** to bring it up to date.", lang, what=self._changed_words(changed, lang)),
                "compare.report": gr.DownloadButton(interactive=False)}

    def _out_of_date(self, changed: list[str], lang: str, verdicts_changed: list[str] | None = None) -> str:
        """The Explain tab's freshness line for what ``changed`` since the explanation (:meth:`freshness`);
        ``verdicts_changed``: since the verdicts on screen were made (a Predict since: they are current, and the
        line speaks of the explanation below only; default: ``changed``)."""
        what = self._changed_words(changed, lang)
        if any(n in names() or n == "preset" for n in (changed if verdicts_changed is None else verdicts_changed)):
            # a switch is read again at once; an input is not: the verdicts above are as old as the panels (an
            # example clicked left "negative 62 %" on top), and the page greys them (STALE_VERDICTS)
            line = t("⚠ **Out of date:** the verdicts and the explanation were made before you changed {what}. Click "
                     "**Explain** to bring them up to date.", lang, what=what) + STALE_VERDICTS
        else:
            line = t("⚠ **Out of date:** the explanation below was made before you changed {what}. Click **Explain** "
                     "to bring it up to date.", lang, what=what)
        return line

    def write_report(self, exp: dict, lang: str = "en") -> tuple[Path, Path]:
        """The report (in ``lang``) and the JSON of an explanation, each written once (a folder per content)."""
        from msa_demo.report import report_file_name, to_html

        text = json.dumps(exp, ensure_ascii=False, default=str)  # it names the folder
        digest = hashlib.sha256(text.encode()).hexdigest()[:10]
        folder = self.report_dir / digest
        # named by its verdict and time (every download had been "msa_report.html")
        html_path = (folder if lang == "en" else folder / lang) / report_file_name(exp, lang)
        html_path.parent.mkdir(parents=True, exist_ok=True)
        if not html_path.is_file():  # written whole: a second request meanwhile never hands out half a page
            write_whole(html_path, to_html(exp, lang).encode("utf-8"))
        json_path = folder / report_file_name(exp, kind="msa_explanation", suffix=".json")  # "Download explanation
        # JSON", named as the report is (it was always "msa_explanation.json"); each map with its trust verdict, as
        # /explain_json and ``explain --json`` give it (the download had the figures and no ✓ / ✗)
        if not json_path.is_file():
            from msa_demo.views.story import with_trust

            write_whole(json_path, json.dumps(with_trust(exp), ensure_ascii=False, default=str).encode("utf-8"))
        return html_path, json_path

    def report(self, exp: dict | None):
        """The self-contained HTML report of the last explanation (API: ``report``)."""
        if not exp:
            raise user_error("There is no explanation yet: click 'Explain' first, then download the report.")
        html_path, _ = self.write_report(exp)
        return str(html_path)


def predicted_for(request, pred: dict, reading: dict, models: dict) -> dict:
    """What a Predict (or a switch) made the verdicts on screen of, kept on the page (``verdicts_for``) until the
    next explanation: the inputs' stamp (:func:`explained_stamp`, no settings), so the freshness line does not grey
    current verdicts beside an older explanation, and what they show, so the language switch tells them again."""
    return {"stamp": explained_stamp(request), "pred": pred, "reading": reading, "models": models}


# the freshness line's mark when the verdicts are out of date too: the page's CSS greys them while it is there
STALE_VERDICTS = ' <span class="stale-verdicts"></span>'


def said_on_page(exc: MsaError, lang: str = "en") -> str:
    """``exc``'s one line in ``lang``; a picture without a face alone (``errors.NoFace``, the model's face check) in
    the page's words for reading it all the same (the tick box in Advanced)."""
    return i18n.said(exc.said(TICK_ANYWAY, ADD_INPUTS) if isinstance(exc, NoFace) else str(exc), lang)


def explained_key(model, inputs, use, options, target, abstained=()) -> str:
    """What an explanation is made of (the preset, each input's content, the switches, the options, the class
    explained, the inputs left out because their model abstains): the same key, the same explanation."""
    unread = list(getattr(inputs, "unread", None) or [])  # a text of spaces beside a clip: its notice is part of it
    return json.dumps([model.preset.name, [getattr(inputs, m).key for m in inputs.present()], use,
                       options.to_dict(), target, sorted(abstained), *([unread] if unread else [])], sort_keys=True,
                      default=str)


def abstained_of(request, inputs, use) -> list[str]:
    """The inputs switched on but left out of ``use`` (``Dashboard._read``: the face model found no face), as
    ``explain``'s ``abstained``: a picture switched off by hand does not abstain."""
    return [m for m in request.switched_on if m in inputs.present() and m not in use]


def _suffix(head: bytes) -> str:
    """A saved input file's extension, from its first bytes (the page's widgets tell formats by it)."""
    if head.startswith(b"\x89PNG"):
        return ".png"
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return ".wav"
    if head.startswith(b"\x1aE\xdf\xa3"):
        return ".webm"
    return ".mp4" if head[4:8] == b"ftyp" else ".bin"


def families(model) -> dict[str, dict[str, str]]:
    """{modality: {"family": ...}}: what the views need to name each model as people know it."""
    return {m: {"family": s.family, "options": {"frames": s.options.get("frames")}}
            for m, s in model.preset.modalities.items()}
