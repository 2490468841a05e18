"""The image modality: a picture in; regions are explained (``explain.regions``); the report overlays them."""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass
from typing import Any, Mapping

from msa_demo import views
from msa_demo.explain.methods import METHODS
from msa_demo.explain.options import option
from msa_demo.inputs import ImageInput, load_image
from msa_demo.i18n import label, t
from msa_demo.registry import ModalityKind
from msa_demo.views import esc as _e


@dataclass
class ImageOptions:
    """The picture's settings (publicly ``image_methods``, ``image_baseline``, and ``grid``, ``regions``,
    ``superpixels`` by their own names)."""

    methods: tuple = option(
        ("integrated_gradients", "occlusion"), "which image attributions run",
        label="image methods", choices=METHODS, min_count=1)
    baseline: str = option(
        "blur", "what replaces an image region",
        label="image baseline", choices=("black", "blur", "mean"))
    grid: int = option(
        7, "regions per side on the model input (regions=grid)",
        label="the image grid", bounds=(2, 64), unit=" cells a side", bare=True)
    regions: str = option(
        "grid", "image regions: a square grid, or SLIC superpixels on the picture drawn on the model input",
        label="image regions", choices=("grid", "superpixels"), bare=True)
    superpixels: int = option(
        50, "target number of SLIC superpixels (regions=superpixels); SLIC may return fewer",
        label="the number of superpixels", bounds=(4, 400), bare=True)


def read(value: Any, model) -> ImageInput | None:
    return load_image(value, model.preset.max_image_side)


def families() -> Mapping[str, type]:
    from msa_demo.modalities import image

    return image.FAMILIES


def explain(model, inputs, target: str, options, used) -> list:
    from msa_demo.explain.regions import attribute_regions

    return attribute_regions(model, inputs, target, options, use=used)


def widget(**kwargs):
    """The dashboard's picture input: an upload, the webcam or the clipboard. The file is handed on as it was
    uploaded (``image_mode=None``): Gradio's own conversion to RGB would make a transparent background black
    and clip a 16-bit picture to white before ``inputs.load_image`` reads it."""
    from msa_demo.ui.widgets import image_input

    return image_input(type="filepath", image_mode=None, sources=["upload", "webcam", "clipboard"], height=260,
                       **kwargs)


PANEL_HIGH = 320  # the picture and its heat maps, side by side (at 420 a square picture left 170 px empty under them)


def view() -> dict:
    """The picture as the model read it beside its heat maps, and the heat maps' colour legend below."""
    import gradio as gr

    from msa_demo.ui.i18n import tr

    with gr.Row():
        picture = gr.Image(label=tr("Original picture"), interactive=False, elem_id="orig-image", height=PANEL_HIGH,
                           scale=1, visible=False)
        heat_maps = gr.Gallery(label=tr("Heat maps"), elem_id="overlays", height=PANEL_HIGH, columns=2, scale=2,
                               format="png",  # downloaded as they are named (``named_files``), not as .webp
                               interactive=False, object_fit="contain", visible=False)
    legend = gr.Markdown(elem_id="heatmap-legend", visible=False)
    return {"picture": picture, "heat_maps": heat_maps, "legend": legend}


def render(exp: dict, lang: str = "en") -> dict:
    return {"picture": views.original_image(exp), "heat_maps": named_files(views.image_overlays(exp, lang), exp),
            "legend": views.heatmap_legend(exp, lang)}


SAVED_KEPT = 64  # the heat maps' folders kept (one an explanation shown), the oldest deleted past this
_saved: list = []


def named_files(overlays: list | None, exp: dict) -> list | None:
    """The heat maps as PNG files named for what they show ("heat-map-1_integrated-gradients_toward-negative.png"),
    with their captions: the gallery's "Download All" gave two hash-named .webp files, which a colleague who
    was sent them could not tell apart or place."""
    if not overlays:
        return overlays
    import re
    import shutil
    import tempfile
    from pathlib import Path

    folder = Path(tempfile.mkdtemp(prefix="msa_heat_maps_"))
    _saved.append(folder)
    while len(_saved) > SAVED_KEPT:
        shutil.rmtree(_saved.pop(0), ignore_errors=True)
    toward = re.sub(r"\W+", "-", str(exp.get("target") or "")).strip("-")
    maps = [m for m in views.maps_for(exp, "image") if m.get("heatmap")]  # image_overlays' maps, in its order
    out = []
    for i, ((image, caption), m) in enumerate(zip(overlays, maps), 1):
        method = re.sub(r"\W+", "-", str(m.get("method", ""))).strip("-")
        path = folder / f"heat-map-{i}_{method}_toward-{toward}.png"
        image.save(path, format="PNG")
        out.append((str(path), caption))
    return out


def record(value: ImageInput | None) -> dict[str, Any]:
    """The picture as PNG (lossless)."""
    if value is None:
        return {"image_png_b64": None}
    buf = io.BytesIO()
    value.image.save(buf, format="PNG")
    return {"image_png_b64": base64.b64encode(buf.getvalue()).decode("ascii")}


def replay(record: Mapping[str, Any]) -> bytes | None:
    return base64.b64decode(record["image_png_b64"]) if record.get("image_png_b64") else None


HEAT_ALT = ("{caption}: heat map over the picture, green where it pushed toward '{target}', red where it pushed away; "
            "the deeper the colour, the stronger")


def report(exp: dict, lang: str = "en") -> str:
    """The picture and its heat maps (or why it was not used)."""
    from msa_demo.views import png_uri

    img = views.original_image(exp)
    if img is None:
        return ""
    pred = exp.get("prediction") or {}
    if "image" not in (pred.get("used") or []):
        why = t("no face: the face model abstained" if "image" in views.abstained(pred, exp.get("reading"))
                else "switched off", lang)
        return (f'<h2>{t("Image", lang)}</h2><p>{_e(t("Given but not used ({why}).", lang, why=why))}</p>'
                f'<div class="imgs"><figure><img alt="{_e(t("The picture given, not used", lang))}" '
                f'src="{png_uri(img, 160)}"></figure></div>')
    figs = [f'<figure><img alt="{_e(t("The picture given", lang))}" src="{png_uri(img)}"><figcaption>'
            f'{t("original", lang)}</figcaption></figure>']
    maps = [m for m in views.maps_for(exp, "image") if m.get("heatmap")]  # image_overlays' maps, in its order
    for i, ((ov, caption), m) in enumerate(zip(views.image_overlays(exp, lang=lang) or [], maps), 1):
        # said whole, as the page says it: which map (its full caption) and what its colours mean
        alt = t(HEAT_ALT, lang, caption=f"{i}. {views.map_caption(m, lang)}", target=label(exp.get("target"), lang))
        figs.append(f'<figure><img alt="{_e(alt)}" src="{png_uri(ov)}"><figcaption>{_e(caption)}'
                    "</figcaption></figure>")
    legend = views.heatmap_legend(exp, lang).split("\n\n")[0]  # the shared colour bar (already escaped)
    return f'<h2>{t("Image", lang)}</h2><p>{legend}</p><div class="imgs">{"".join(figs)}</div>'


KIND = ModalityKind(
    name="image", noun="the picture",
    read=read, families=families, explain=explain, panel="image regions", record=record,
    replay=replay, report=report, cli_help="a picture (PNG, JPEG, WebP, ...)", cli_metavar="PATH",
    manifest_file=True, label="Image (a face or a scene)", widget=widget, view=view, render=render,
    options=ImageOptions,
    given_parts=("picture",),  # the picture is shown also when the face model abstains on it
)
