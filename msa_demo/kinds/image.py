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
from msa_demo.i18n import label, sep, t
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
    # each heat map's text alternative, as the report writes it, kept unseen under the legend: the page's script
    # (DESCRIBED in app.py) gives it to the map's picture
    alts = "".join(f'<span class="heat-alt" style="display:none">{_e(alt)}</span>' for alt in heat_alts(exp, lang))
    legend = views.heatmap_legend(exp, lang)
    # the whole picture, with the box of the face the maps are drawn over (where they are)
    return {"picture": views.picture_with_face(exp), "heat_maps": named_files(views.image_overlays(exp, lang), exp),
            "legend": legend + ("\n\n" + alts if legend and alts else "")}


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


HEAT_ALT = ("{caption}: heat map over the picture, blue where it pushed toward '{target}', orange where it pushed away; "
            "the deeper the colour, the stronger")
STRONGEST_SAID = 3  # regions named in a heat map's text alternative


def strongest_regions(m: dict, lang: str = "en", k: int = STRONGEST_SAID) -> str:
    """A heat map's strongest regions in words: where each lies in the area the map covers (its row and column on
    a grid) and whether it pushed toward the explained class or away. The maps' text alternatives had said only
    what their colours mean, not where they were."""
    import re

    from msa_demo.modalities.image import where

    scores = [float(v) for v in m.get("scores") or []]
    spans, labels = m.get("spans") or [], [str(lbl) for lbl in m.get("labels") or []]
    if not scores or len(spans) < len(scores) or not any(scores) or views.negligible(m):  # (none coloured)
        return ""
    left, top = min(b[0] for b in spans), min(b[1] for b in spans)
    size = (max(b[2] for b in spans) - left, max(b[3] for b in spans) - top)
    said = []
    for i in sorted(range(len(scores)), key=lambda i: -abs(scores[i]))[:k]:
        if scores[i] == 0:
            break
        box = spans[i]
        place = t(where((box[0] - left, box[1] - top, box[2] - left, box[3] - top), size), lang)
        cell = re.fullmatch(r"r(\d+)c(\d+)", labels[i] if i < len(labels) else "")
        region = (t("row {row}, column {col}", lang, row=cell.group(1), col=cell.group(2)) if cell
                  else t("region {n}", lang, n=i + 1))
        said.append(t("{region} ({place}), toward" if scores[i] > 0 else "{region} ({place}), away", lang,
                      region=region, place=place))
    return t("the strongest regions: {regions}", lang, regions=sep(lang, "; ").join(said)) if said else ""


def heat_alts(exp: dict, lang: str = "en") -> list[str]:
    """Each heat map's text alternative (page and report): which map, what its colours mean, where it pushed most."""
    maps = [m for m in views.maps_for(exp, "image") if m.get("heatmap")]  # image_overlays' maps, in its order
    out = []
    for i, m in enumerate(maps, 1):
        alt = t(HEAT_ALT, lang, caption=f"{i}. {views.map_caption(m, lang)}", target=label(exp.get("target"), lang))
        strongest = strongest_regions(m, lang)
        out.append(alt + sep(lang, "; ") + strongest if strongest else alt)
    return out


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
    face = views.face_line(exp, lang)  # the maps drawn over the face that was found: where it lies, its box drawn
    figs = [f'<figure><img alt="{_e(t("The picture given", lang))}" src="{png_uri(views.picture_with_face(exp))}">'
            f'<figcaption>{t("original, the face read in its box" if face else "original", lang)}</figcaption>'
            '</figure>']
    for (ov, caption), alt in zip(views.image_overlays(exp, lang=lang) or [], heat_alts(exp, lang)):
        # said whole, as the page says it: which map (its full caption), what its colours mean, where it pushed most
        figs.append(f'<figure><img alt="{_e(alt)}" src="{png_uri(ov)}"><figcaption>{_e(caption)}'
                    "</figcaption></figure>")
    legend = views.heatmap_legend(exp, lang).split("\n\n")[0]  # the shared colour bar (already escaped)
    face = f"<p>{_e(face)}</p>" if face else ""
    return f'<h2>{t("Image", lang)}</h2><p>{legend}</p>{face}<div class="imgs">{"".join(figs)}</div>'


KIND = ModalityKind(
    name="image", noun="the picture",
    read=read, families=families, explain=explain, panel="image regions", record=record,
    replay=replay, report=report, cli_help="a picture (PNG, JPEG, WebP, ...)", cli_metavar="PATH",
    manifest_file=True, label="Image (a face or a scene)", widget=widget, view=view, render=render,
    options=ImageOptions,
    given_parts=("picture",),  # the picture is shown also when the face model abstains on it
)
