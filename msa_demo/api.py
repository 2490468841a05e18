"""``predict`` and ``explain`` for code and agents: plain JSON in and out.

The app (``app.py``) declares both with ``gr.api``, so they are named endpoints for ``gradio_client``
(``/predict_json``, ``/explain_json``) and, with ``--mcp``, the MCP tools ``predict`` and ``explain``: Gradio
describes each tool from the type hints and the docstring below, so the docstrings are written for the
caller. Pictures and clips arrive as files uploaded to the app, as http(s) URLs, or as ``data:`` URIs.
Both answer JSON text (``json.loads`` it): an MCP tool's answer is text.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from gradio import FileData

from msa_demo.cli import clip_span, cut_clips
from msa_demo.config import CLIP_SPAN, MODALITIES, SENTIMENTS
from msa_demo.errors import InputError, MsaError, NoFace
from msa_demo.explain.result import HEATMAPS
from msa_demo import registry
from msa_demo.ui.options import (CONTROLS, IMAGE_METHODS, Control, choices_text, max_seconds, read_settings,
                                 within_limit)
from msa_demo.ui.widgets import user_error as _error  # one line in the log, no traceback

log = logging.getLogger("msa_demo.api")

FILE_ROUTE = "/gradio_api/file="
# a URL of this app's own file route that names a file not uploaded to it (/gradio_api/file=/etc/passwd)
NOT_UPLOADED = ("The {kind} URL names a file of this app that was not uploaded to it; upload the file first, or give "
                "a public http(s) URL or a data: URI.")


def _why_not(exc: Exception) -> str:
    """Why a URL was not downloaded, in words (Gradio's SSRF-protected download says it in its own)."""
    text = str(exc)
    status = getattr(getattr(exc, "response", None), "status_code", None)
    if status:
        return f"the server answered {status}"
    if "failed validation" in text:
        return "it is not a public address (only public http(s) addresses are fetched)"
    if "resolve hostname" in text:
        return "its host name was not found (no network here, or a typo)"
    if "timed out" in text.lower() or "timeout" in type(exc).__name__.lower():
        return "the download timed out"
    return f"the download failed ({type(exc).__name__})"


def _check_data_uri(value: str, kind: str) -> None:
    """A ``data:`` URI whose base64 is not valid, or holds nothing, said so: Gradio decodes it leniently, and
    "data:image/png;base64,!!!!" became an empty 'file.png' the caller never named."""
    import base64
    import binascii

    head, comma, payload = value.partition(",")
    if not comma or not head.endswith(";base64"):
        raise InputError(f"The {kind} data URI must be base64 (data:<type>;base64,<data>).")
    try:
        data = base64.b64decode(payload.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise InputError(f"The {kind} data URI could not be decoded: its base64 is not valid.") from None
    if not data:
        raise InputError(f"The {kind} data URI holds no data.")


def _nearby(host: str | None) -> bool:
    """Whether a URL's host is this machine or its network (loopback, private): a ``/gradio_api/file=`` URL there
    is this app's own, said missing as such when its file is gone (it is never downloaded: not a public host)."""
    import ipaddress

    if not host or host == "localhost":
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_private


def local_file(value: Any, kind: str) -> str | None:
    """A server-side path for an uploaded file, an http(s) URL or a ``data:`` URI; None for no input.

    Only files inside Gradio's upload folder are read: a caller can't name any other path on the server.
    A URL of this app's own ``/gradio_api/file=`` route is the uploaded file it names; other URLs (another
    Gradio app's file among them) are fetched through Gradio's SSRF-protected download (public hosts only).
    """
    import gradio.processing_utils as pu
    from gradio.utils import get_upload_folder, is_in_or_equal

    if value in (None, "", {}):
        return None
    upload = get_upload_folder()
    if isinstance(value, dict):
        value = value.get("path") or value.get("url") or ""
    if not isinstance(value, str):
        raise InputError(f"The {kind} must be an uploaded file or an http(s) URL.")
    path: str | None = None
    own = None  # the path a URL of this app's own file route names
    if value.startswith("data:"):
        _check_data_uri(value, kind)
        try:
            path = pu.save_base64_to_cache(value, upload)
        except Exception:  # noqa: BLE001
            raise InputError(f"The {kind} data URI could not be decoded.") from None
    elif value.startswith(("http://", "https://")):
        url = urlparse(value)
        own = unquote(url.path.split(FILE_ROUTE, 1)[1]) if FILE_ROUTE in url.path else None
        if own is not None and (Path(own).is_file() or _nearby(url.hostname)):
            path = own  # (another Gradio app's URL names one here only for the same bytes: uploads are kept by hash)
        else:  # any other URL, another Gradio app's file among them, is downloaded
            try:
                path = pu.ssrf_protected_download(value, upload)
            except Exception as exc:  # noqa: BLE001
                raise InputError(f"The {kind} could not be downloaded from {value[:200]}: {_why_not(exc)}.") \
                    from None
    else:
        path = value
    if not is_in_or_equal(Path(path).resolve(), Path(upload).resolve()):
        if own is not None and path == own:  # an http URL all the same: "must be ... an http(s) URL" was wrong
            raise InputError(NOT_UPLOADED.format(kind=kind))
        raise InputError(f"The {kind} must be uploaded to this app or given as an http(s) URL or a data: URI.")
    return path


class CodeApi:
    """The JSON endpoints, bound to a loaded :class:`msa_demo.ui.Dashboard` (its presets and notices)."""

    def __init__(self, dash) -> None:
        self.dash = dash

    def _model_and_inputs(self, preset, use, values: dict, span: tuple, cuts: contextlib.ExitStack):
        """(model, inputs, modalities to use, the notices of the span read) from each registered modality's value
        by name; a modality whose values are files (``manifest_file``) takes an upload, a URL or a ``data:`` URI.
        ``span``: the (start, end) given (``config.CLIP_SPAN``), each clip and sound cut to it as the command line's
        ``--start`` / ``--end`` cut it, into ``cuts`` (an ExitStack: the cut is removed when it closes); a span that
        cannot be read is its one line, in the arguments' names."""
        model = self.dash.model(preset or None)
        unknown = sorted(set(values) - set(registry.names()))
        if unknown:
            raise _error(f"Unknown input(s) {', '.join(unknown)}; use {registry.choices()}.")
        try:
            wanted = registry.use_names(str(use or ",".join(registry.names())))
            raw = {}
            for kind in registry.kinds():
                value = values.get(kind.name)
                value = local_file(value, kind.name) if kind.manifest_file else value
                if value is not None and not (isinstance(value, str) and value == ""):
                    raw[kind.name] = value
        except MsaError as exc:
            raise _error(str(exc)) from None
        try:
            raw, cut = cuts.enter_context(cut_clips(raw, clip_span(*seconds_of(span), raw)))
        except MsaError as exc:
            raise _error(in_arguments(str(exc))) from None
        try:
            inputs = model.read_inputs(**raw)
        except MsaError as exc:
            raise _error(str(exc)) from None
        if not inputs.present():
            raise _error(f"Give at least one input: {registry.choices('or')}.")
        return model, inputs, wanted, [in_arguments(n) for n in cut]

    @staticmethod
    def _said(exc: MsaError) -> str:
        """``exc``'s one line; a faceless picture alone (``errors.NoFace``, from the prediction's face check) in this
        endpoint's words for reading it as a face all the same (``face_anyway=true``)."""
        return exc.said(READ_ANYWAY) if isinstance(exc, NoFace) else str(exc)

    def _json(self, result: dict, model) -> str:
        """The answer of ``model`` as JSON text (an MCP tool's answer is text, and Gradio would write a dict as
        Python), with the loading notices that hold for it (not another preset's)."""
        result["notices"] = list(dict.fromkeys([*self.dash.notices_for(model), *(result.get("notices") or [])]))
        return json.dumps(result, ensure_ascii=False)

    def predict(self, text: str = "", image: FileData | None = None, audio: FileData | None = None,
                use: str = "text,image,audio", preset: str = "", face_anyway: bool = False, *span: Any,
                **more: Any) -> str:
        """Say whether a post, a picture of a face or scene and/or a voice clip are negative, neutral or positive.

        Give any one input or several together; what the model says about each alone comes back too.

        Args:
            text: the words to judge (a post, a caption, a message; most languages). Empty for no text.
            image: a picture (PNG, JPEG, WebP, GIF, BMP or TIFF), as an http(s) URL, a data: URI (base64) or a file uploaded to this app. Empty for no picture.
            audio: a voice clip (WAV, FLAC, OGG, MP3, Opus, M4A / AAC, WebM or a video file's sound; at most 30 s are used), as an http(s) URL, a data: URI (base64) or a file uploaded to this app. Empty for no clip.
            use: which of the given inputs to use, comma-separated from text, image, audio. Default: all.
            preset: which loaded model set to use (for example hub or lite). Empty for the app's default.
            face_anyway: {face_anyway}
{span_args}
        A picture in which the face model finds no face is not used (it abstains, as on the dashboard); a notice says so.
        Returns:
            JSON text of an object: label (negative, neutral or positive: the fused verdict), probs (the probability of each), too_close (true where the top two are within 5 points: no verdict to headline), modalities (for each input used: its own label, probs, too_close, the model's own labels and the model id; for words, their language, the languages the model was trained on and whether they include it: language, languages, language_covered; and the languages found in a substantial part of the words besides it: other_languages), used, switched_off (inputs given but left out by use), abstained (inputs given and switched on but not read because their model abstains: a picture without a face, a clip with no words heard; a notice says why), notices (plain-language lines, e.g. a trimmed clip or a model that could not be loaded), preset, fusion, fused_features (the numbers the fusion read its verdict from; explain-batch maps its rows by them).
        """
        span = taken_span(span, more)
        with contextlib.ExitStack() as cuts:  # a clip cut to start / end: read from its cut, then removed
            model, inputs, use_list, cut = self._model_and_inputs(preset, use, dict(text=text, image=image,
                                                                                    audio=audio, **more), span, cuts)
            try:  # a picture without a face: left out by the prediction itself, unless face_anyway
                pred = model.predict(inputs=inputs, use=use_list, face_anyway=bool(face_anyway))
            except MsaError as exc:
                raise _error(self._said(exc)) from None
            except Exception as exc:  # noqa: BLE001 - keep serving; say what failed in one line
                log.exception("prediction failed")
                raise _error(f"The prediction failed ({type(exc).__name__}).") from None
        result = pred.to_dict()  # which span of which file was read (start / end), as the command line says it
        result["notices"] = list(dict.fromkeys([*cut, *(result.get("notices") or [])]))
        return self._json(result, model)

    def explain(self, text: str = "", image: FileData | None = None, audio: FileData | None = None,
                use: str = "text,image,audio", preset: str = "", target: str = "", image_method: str = "both",
                regions: str = "grid", ig_steps: int = 64, seed: int = 0, heatmaps: bool = False,
                *more: Any, **named: Any) -> str:
        """Explain the fused sentiment: which modality, which words, which picture regions and which moments of the clip drove it, and how far to trust each map.

        Args:
            text: the words to judge. Empty for no text.
            image: a picture, as an http(s) URL, a data: URI (base64) or a file uploaded to this app. Empty for no picture.
            audio: a voice clip, as an http(s) URL, a data: URI (base64) or a file uploaded to this app. Empty for no clip.
            use: which of the given inputs to use, comma-separated from text, image, audio. Default: all.
            preset: which loaded model set to use (for example hub or lite). Empty for the app's default.
            target: the class to explain: negative, neutral or positive. Empty for the predicted class.
            image_method: {image_method}.
            regions: image regions: grid (a square grid) or superpixels (regions that follow edges).
            ig_steps: the most integrated-gradients steps to take (2 to 1024).
            seed: the random seed (the deletion check's random order, the noise baseline).
            heatmaps: {heatmaps}
{more_args}
{span_args}
        Returns:
            JSON text of an object: prediction (as predict returns it), target, modalities (exact Shapley contribution of each input, pairwise interactions, what-ifs without each input, a conflict flag), maps (one per modality and method: labels such as words, regions or time segments, a score per label where positive pushes toward the target, the integrated-gradients completeness gap, a deletion check, trust: the map's verdict as the page gives it (mark: ✓ holds up, ✗ read with care, ? cannot tell, ⚠ outside the model's languages or unsure words, null for no check; verdict: one line; checks: each check's mark and reason), and the cost), what_if (with what_if on: per modality, the fewest words, regions or segments whose removal, or for text whose replacement by an antonym or a neutral word, flips the fused verdict, checked by the model, as one sentence with the edited input and its cost; or that none was found within the forwards allowed), tone (with tone on: how far a higher or lower pitch, a slower or faster rate, a quieter or louder clip and added noise move the fused verdict, or a note when the audio model reads only the words), models, options, cost and notices.
        """
        kinds = {k: named.pop(k) for k in list(named) if k in registry.names()}  # a further modality's input
        # in the declared order (Gradio passes them so): the Advanced settings, the face switch, the clip's span
        takes = [c.name for c in MORE_SETTINGS] + ["face_anyway"] + [spec.name for spec in CLIP_SPAN]
        settings = dict(zip(takes, more))
        unknown = sorted(set(named) - set(takes))
        if len(more) > len(takes) or unknown:
            raise _error(f"Unknown explanation setting(s) {', '.join(unknown) or 'beyond the last'}; use "
                         f"{', '.join(takes)}.")
        settings.update(named)
        face_anyway = bool(settings.pop("face_anyway", False))
        span = tuple(settings.pop(spec.name, None) for spec in CLIP_SPAN)
        with contextlib.ExitStack() as cuts:  # a clip cut to start / end: read from its cut, then removed
            return self._explain(preset, use, dict(text=text, image=image, audio=audio, **kinds), span, cuts,
                                 target, image_method, regions, ig_steps, seed, heatmaps, face_anyway, settings)

    def _explain(self, preset, use, values, span, cuts, target, image_method, regions, ig_steps, seed, heatmaps,
                 face_anyway, settings) -> str:
        """:meth:`explain` once its arguments are sorted, with its clip's cuts kept in ``cuts`` until it is done."""
        from msa_demo.explain import explain
        from msa_demo.explain.result import answered, every_notice
        from msa_demo.views.story import with_trust

        model, inputs, use_list, cut = self._model_and_inputs(preset, use, values, span, cuts)
        tgt = (target or "").strip() or None
        if tgt is not None and tgt not in SENTIMENTS:
            raise _error(f"The target must be one of {', '.join(SENTIMENTS)}, or empty for the predicted class.")
        try:
            options = read_settings(image_method=image_method, regions=regions, ig_steps=ig_steps, seed=seed,
                                    **{k: v for k, v in settings.items() if v is not None}).options
        except MsaError as exc:
            raise _error(str(exc)) from None
        except (TypeError, ValueError, OverflowError) as exc:
            raise _error(f"These explanation settings cannot be used: {str(exc).splitlines()[0][:200]}") from None
        options, limited = within_limit(options)
        try:
            exp = explain(model, inputs, target=tgt, use=use_list, options=options, face_anyway=face_anyway,
                          limit=max_seconds() or None, crowd=self.dash.crowd)
            if limited:
                exp.notices.append(limited)
            exp.notices[:0] = [n for n in cut if n not in exp.notices]  # which span of which file was read
            result = exp.to_dict()
        except MsaError as exc:
            raise _error(self._said(exc)) from None
        except Exception as exc:  # noqa: BLE001
            log.exception("explanation failed")
            raise _error(f"The explanation failed ({type(exc).__name__}).") from None
        result = with_trust(answered(result, bool(heatmaps)))  # the heat maps and inputs are as large as the uploads
        result["notices"] = every_notice(result)  # the prediction's too (a text cut): the page shows them all
        return self._json(result, model)

    def register(self) -> None:
        """Declare both as API endpoints (and MCP tools) of the Blocks being built. Declare them before the
        dashboard's own events: an MCP tool is named after its function, and the first of a name keeps it."""
        import gradio as gr

        from msa_demo.ui import explain_lanes, zero_gpu

        gr.api(zero_gpu(with_further_modalities(self.predict), 30), api_name="predict_json")
        # the page's explanation lanes, shared: one at a time had kept three short texts 16 s behind a long one
        gr.api(zero_gpu(with_further_modalities(self.explain), 120), api_name="explain_json", concurrency_id="explain",
               concurrency_limit=explain_lanes())


def _more_settings() -> tuple[Control, ...]:
    """The Advanced settings ``explain`` takes after ``heatmaps``: every control but the five it names itself
    and the dashboard's own face switch, in the dashboard's order (an option added there appears here)."""
    own = ("target", "image_method", "regions", "ig_steps", "seed", "face_anyway")
    return tuple(c for c in CONTROLS if c.name not in own)


MORE_SETTINGS = _more_settings()


def _setting_type(control: Control) -> type:
    return type(control.initial) if isinstance(control.initial, (bool, int, float, str)) else str


def _describe(control: Control) -> str:
    spec = control.spec
    words = (control.info or spec.help).rstrip(".")
    choices = list(control.choices) if control.choices else list(spec.choices)
    if choices:
        words += f" (one of {', '.join(map(str, choices))})"
    elif spec.bounds:
        lo, hi = spec.bounds
        words += f" ({lo} to {hi})" if hi is not None else f" (at least {lo})"
    return f"{words}. Default: {control.initial}."


def _declare_more_settings(fn) -> None:
    """``explain``'s signature and docstring with every setting of ``MORE_SETTINGS`` as a named, typed argument
    (Gradio and MCP read both), so a setting is declared once, in ``ui.options.CONTROLS``."""
    import inspect

    sig = inspect.signature(fn)
    fixed = [p for p in sig.parameters.values() if p.kind is not inspect.Parameter.VAR_POSITIONAL
             and p.kind is not inspect.Parameter.VAR_KEYWORD]
    extra = [inspect.Parameter(c.name, inspect.Parameter.POSITIONAL_OR_KEYWORD, default=c.initial,
                               annotation=_setting_type(c)) for c in MORE_SETTINGS]
    extra.append(inspect.Parameter("face_anyway", inspect.Parameter.POSITIONAL_OR_KEYWORD, default=False,
                                   annotation=bool))  # the dashboard's face switch, last (``predict`` has it too)
    fn.__signature__ = sig.replace(parameters=fixed + extra)
    fn.__annotations__ = {**fn.__annotations__, **{c.name: _setting_type(c) for c in MORE_SETTINGS},
                          "face_anyway": bool}
    fn.__annotations__.pop("more", None)
    fn.__annotations__.pop("named", None)
    fn.__doc__ = fn.__doc__.replace("{image_method}", choices_text(IMAGE_METHODS)).replace("{more_args}", "\n".join(
        [f"            {c.name}: {_describe(c)}" for c in MORE_SETTINGS] + [f"            face_anyway: {FACE_ANYWAY}"]))


def in_arguments(line: str) -> str:
    """A line the command line says of a clip's span ("--end (4 s) is not after --start (5 s).", "... were read
    (--start and --end)", "give --audio or --video with them") in the endpoints' words: their arguments' names."""
    flags = [(spec.flag, spec.name) for spec in CLIP_SPAN] + [(k.flag, k.name) for k in registry.kinds()]
    for flag, name in flags:
        line = re.sub(rf"(?<![\w-]){re.escape(flag)}\b", name, line)
    return line


def taken_span(given: tuple, named: dict) -> tuple:
    """(start, end) as an endpoint was given them: by position after its other arguments (Gradio passes them so)
    or by name (taken out of ``named``)."""
    if len(given) > len(CLIP_SPAN):
        raise _error(f"Too many arguments: {', '.join(spec.name for spec in CLIP_SPAN)} come last.")
    span = dict(zip((spec.name for spec in CLIP_SPAN), given))
    span.update({spec.name: named.pop(spec.name) for spec in CLIP_SPAN if spec.name in named})
    return tuple(span.get(spec.name) for spec in CLIP_SPAN)


def seconds_of(span: tuple) -> tuple:
    """The (start, end) given, as numbers of seconds (None: not given, an empty string too), or the one line of one
    that is not a number, as the command line says it."""
    from msa_demo.cli import SPAN_FLAG_NOT_A_NUMBER

    out = []
    for spec, value in zip(CLIP_SPAN, span):
        if value is None or (isinstance(value, str) and not value.strip()):
            out.append(None)
            continue
        try:
            if isinstance(value, bool):
                raise TypeError
            out.append(spec.kind(value))
        except (TypeError, ValueError):
            raise InputError(SPAN_FLAG_NOT_A_NUMBER.format(flag=spec.flag, value=str(value)[:40])) from None
    return tuple(out)


def _span_args() -> str:
    """The docstring's lines of ``start`` and ``end``, from their declaration (``config.CLIP_SPAN``)."""
    return "\n".join(f"            {spec.name}: {in_arguments(spec.help)}; in seconds, {spec.span}, or empty. Only "
                     "that span is read, and a notice says which." for spec in CLIP_SPAN)


def _declare_span(fn) -> None:
    """``fn``'s signature (Gradio and MCP read it) with ``start`` and ``end`` last, as ``config.CLIP_SPAN`` declares
    them: optional numbers of seconds; its ``*span`` and ``**more`` left out."""
    import inspect

    sig = inspect.signature(fn)
    fixed = [p for p in sig.parameters.values() if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
             and p.name not in {spec.name for spec in CLIP_SPAN}]
    span = [inspect.Parameter(spec.name, inspect.Parameter.POSITIONAL_OR_KEYWORD, default=spec.default,
                              annotation=spec.kind | None) for spec in CLIP_SPAN]
    fn.__signature__ = sig.replace(parameters=fixed + span)
    fn.__annotations__ = {**{k: v for k, v in fn.__annotations__.items() if k not in ("span", "more", "named")},
                          **{spec.name: spec.kind | None for spec in CLIP_SPAN}}
    fn.__doc__ = fn.__doc__.replace("{span_args}", _span_args())


# the dashboard's switch "Read a picture without a face as a face", as the JSON endpoints (and MCP tools) take it,
# and how their no-face refusal ends
READ_ANYWAY = "Add text, audio or video, or give face_anyway=true to read it as a face all the same."
FACE_ANYWAY = ("true to read a picture in which the face model finds no face as a face all the same (otherwise it "
               "is not used, and a notice says so). Default: False.")
CodeApi.predict.__doc__ = CodeApi.predict.__doc__.replace("{face_anyway}", FACE_ANYWAY)
_declare_span(CodeApi.predict)
_declare_more_settings(CodeApi.explain)
_declare_span(CodeApi.explain)
CodeApi.explain.__doc__ = CodeApi.explain.__doc__.replace("{heatmaps}", f"true to {HEATMAPS.help}. Default: False.")


def with_further_modalities(fn):
    """``fn`` as Gradio and MCP should see it now: with a named text argument for each registered modality beyond
    the built-ins (its value as its ``read`` takes it, a file's as an upload or URL), and ``use`` defaulting to
    every one; ``fn`` itself when only the built-ins are registered."""
    import functools
    import inspect

    further = [k for k in registry.kinds() if k.name not in MODALITIES]
    if not further:
        return fn
    sig = inspect.signature(fn)
    params = [p.replace(default=",".join(registry.names())) if p.name == "use" else p
              for p in sig.parameters.values() if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    params += [inspect.Parameter(k.name, inspect.Parameter.POSITIONAL_OR_KEYWORD, default="",
                                 annotation=FileData | None if k.manifest_file else str) for k in further]
    new_sig = sig.replace(parameters=params)

    @functools.wraps(fn)
    def call(*args: Any, **kwargs: Any) -> str:
        return fn(**new_sig.bind(*args, **kwargs).arguments)

    call.__signature__ = new_sig
    call.__annotations__ = {**getattr(fn, "__annotations__", {}), **{p.name: p.annotation for p in params}}
    lines = "\n".join(f"            {k.name}: {k.cli_help or k.title}. Empty for none." for k in further)
    doc = (call.__doc__ or "").replace("comma-separated from text, image, audio",
                                       f"comma-separated from {', '.join(registry.names())}")
    # the first line names every input it takes ('predict' had said "a post, a picture ... and/or a voice clip" and
    # "any one, two or all three inputs" beside its video argument)
    doc = doc.replace(" and/or a voice clip", ", a voice clip" + "".join(
        f"{' and/or' if i == len(further) - 1 else ','} a {k.name}" for i, k in enumerate(further)), 1)
    call.__doc__ = doc.replace("        Returns:", lines + "\n        Returns:", 1)
    return call


def keep_out_of_mcp(demo, api_names=("predict", "explain", "report", "compare")) -> None:
    """Leave the dashboard's own endpoints (their outputs are widgets: labels, plots, galleries) out of the MCP
    tool list, so agents see only the JSON tools. They stay API endpoints for ``gradio_client``. Gradio lists
    as tools the functions whose ``_mcp_type`` is unset or "tool"."""
    for block_fn in demo.fns.values():
        if block_fn.api_name in api_names and block_fn.fn is not None:
            target = getattr(block_fn.fn, "__func__", block_fn.fn)
            try:
                target._mcp_type = "view"
            except AttributeError:  # a builtin or a C-level callable: stays listed, harmless
                pass


__all__ = ["CodeApi", "in_arguments", "keep_out_of_mcp", "local_file", "seconds_of", "taken_span",
           "with_further_modalities"]
