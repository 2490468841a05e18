"""msa_demo dashboard: why does the model think this post, face and voice are positive / neutral / negative?

Layout and event wiring only; handlers live in ``msa_demo/ui/``, views in ``msa_demo/views/``, the JSON / MCP tools in
``msa_demo/api.py``.
Run: ``python app.py [--preset hub|hub-face|lite|FILE] [--port 7860] [--mcp]`` (env ``MSA_PRESET``, default ``hub``).
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings
from pathlib import Path

import gradio as gr

from msa_demo import api, ui, views

HERE = Path(__file__).resolve().parent
EXAMPLES = HERE / "examples" / "examples.json"
MAX_FILE_SIZE = "25mb"
CSS = """
#trust table th, #trust table td {white-space: nowrap; word-break: keep-all}
#freshness p {background: #fff4d6; border-left: 4px solid #e0a000; padding: .4em .6em}
#transcript sub {color: #777}
#examples button, #examples td {white-space: normal !important; overflow: visible !important}
"""


def build_demo(dash: ui.Dashboard, examples_path: Path = EXAMPLES) -> gr.Blocks:
    presets = dash.preset_names
    with gr.Blocks(title="Why this sentiment? — multimodal explanations") as demo:
        api.CodeApi(dash).register()  # JSON endpoints /predict_json, /explain_json = MCP tools predict, explain
        gr.Markdown("# Why this sentiment?\nGive a post, a face and/or a voice clip. The model says whether they "
                    "are **positive, neutral or negative**, then shows which words, regions and moments made it "
                    "think so — and how far to trust that.")
        gr.HTML(f"<style>{CSS}</style>", padding=False)
        header = gr.Markdown(dash.header_markdown(), elem_id="header")
        preset = gr.Dropdown(presets, value=dash.default, label="Preset", visible=len(presets) > 1,
                             elem_id="preset")
        with gr.Tabs(elem_id="tabs") as tabs, gr.Tab("Explain", id="explain"), gr.Row():
            with gr.Column(scale=1):
                values, switches = ui.input_widgets()  # each registered modality's input and its "use" switch
                with gr.Accordion("Advanced", open=False, elem_id="advanced"):
                    advanced = ui.advanced_widgets()  # one per ExplainOptions field shown, by name
                with gr.Row():
                    predict_btn = gr.Button("Predict", elem_id="predict-btn")
                    explain_btn = gr.Button("Explain", variant="primary", elem_id="explain-btn")
                examples = views.load_examples(examples_path)
                if examples:
                    gr.Examples([[e["text"], e["image"], e["audio"]] for e in examples], ui.ordered(values)[0],
                                example_labels=[e["name"] for e in examples],
                                label="Examples: click one, then Explain", elem_id="examples")
                    with gr.Accordion("What each example shows", open=False):
                        gr.Markdown("\n".join(f"- **{views.md(e['name'])}**: {views.md(e['note'])}"
                                               for e in examples if e["note"]), elem_id="example-notes")
            with gr.Column(scale=2):
                fused = gr.Label(label="Fused sentiment", elem_id="fused")
                with gr.Row():
                    own, own_more = ui.ordered(ui.alone_labels())  # the built-ins', then any other modality's
                notices = gr.Markdown(elem_id="notices")
                what_if = gr.Markdown(elem_id="what-if")  # what would change its mind (Advanced: what-if)
                fresh = gr.Markdown(elem_id="freshness")
                contrib = gr.Plot(label="Modality contributions (Shapley) and what-ifs", show_label=False,
                                  elem_id="contrib")
                words = gr.HighlightedText(label=f"Words: {views.LEGEND_TEXT}", color_map=views.WORD_LEGEND,
                                           show_legend=True, elem_id="words")
                with gr.Row():
                    orig = gr.Image(label="Original picture", interactive=False, elem_id="orig-image", height=420,
                                    scale=1)
                    overlays = gr.Gallery(label="Heat maps", elem_id="overlays", height=420, columns=2, scale=2,
                                          interactive=False, object_fit="contain")
                legend = gr.Markdown(elem_id="heatmap-legend")
                audio_plot = gr.Plot(label="Audio segments", show_label=False, elem_id="audio-plot")
                heard = gr.Markdown(elem_id="transcript")
                clip = gr.Audio(label="The clip as the model heard it", interactive=False, elem_id="clip")
                more_panels = [c for panel in ui.panels().values() for c in panel]  # any other modality's map
                trust = gr.Markdown(elem_id="trust")
                state, stamp = gr.State(None), gr.State(None)
                with gr.Row():
                    report_btn = gr.DownloadButton("Download report (HTML)", elem_id="report-btn", interactive=False)
                    json_btn = gr.DownloadButton("Download explanation JSON", elem_id="json-btn", interactive=False)
                    if hasattr(gr, "DeepLinkButton") and os.environ.get("SPACE_ID"):
                        gr.DeepLinkButton()  # a share link exists only on Spaces

        # every handler takes its values by name (inputs_kwargs), in the order of the endpoints' parameters
        pred_ins = ui.named_inputs(preset, values, switches, {"face_anyway": advanced["face_anyway"]})
        exp_ins = ui.named_inputs(preset, values, switches, advanced)
        pred_outs = [fused, *own, notices, *own_more]
        panel_outs = [fused, *own, notices, contrib, words, orig, overlays, audio_plot, clip, trust, legend, heard,
                      fresh, stamp, state, report_btn, json_btn, what_if]  # the built-ins' panels (a saved row fills them)
        exp_outs = panel_outs + [*own_more, *more_panels]
        with tabs, gr.Tab("Dataset", id="dataset"):  # a whole test set; a row click opens in the Explain tab
            ui.build_dataset_tab(dash, preset, panel_outs, tabs, inputs=[values[m] for m in ("text", "image", "audio")])

        def explain(progress=gr.Progress(), **values):
            yield from dash.explain_panels(progress=progress, **values)

        def duration(**values):  # ZeroGPU: seconds from the requested work
            return ui.gpu_duration(ui.requested_options(**values))

        predict_btn.click(ui.zero_gpu(ui.optional_further(dash.predict), 30), None, pred_outs, api_name="predict",
                          inputs_kwargs=pred_ins)
        # a request that cannot run gives one message (and touches no panel) before any work starts
        explain_btn.click(dash.check, None, [report_btn, json_btn], api_name=False, show_progress="hidden",
                          inputs_kwargs=exp_ins).success(
            ui.zero_gpu(ui.optional_further(explain), duration), None, exp_outs, api_name="explain",
            inputs_kwargs=exp_ins).then(
            dash.downloads, state, [report_btn, json_btn], api_name=False, show_progress="hidden")
        for box in (*switches.values(), advanced["face_anyway"]):
            box.change(dash.on_toggle, None, pred_outs, api_name=False, show_progress="minimal",
                       inputs_kwargs=pred_ins)
        fused.change(ui.fused_label, fused, fused, api_name=False, show_progress="hidden")  # no coin-flip headline
        for widget in exp_ins.values():  # panels made for other inputs or settings: out of date
            widget.change(dash.freshness, [stamp], [fresh, report_btn, json_btn], api_name=False,
                          show_progress="hidden", inputs_kwargs=exp_ins)
        preset.change(lambda p: dash.header_markdown() + f"\n\n**Selected:** {views.md(p)} on "
                      f"{views.md(dash.device_of(p))}", preset, header, api_name=False)
        hidden_report = gr.File(visible=False)
        gr.Button("report", visible=False).click(dash.report, state, hidden_report, api_name="report")

    api.keep_out_of_mcp(demo)
    return demo


def mcp_default() -> bool:
    """MCP on by default on a Hugging Face Space (it only adds routes) when the mcp package is installed."""
    import importlib.util

    return bool(os.environ.get("SPACE_ID")) and importlib.util.find_spec("mcp") is not None


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default=os.environ.get("MSA_PRESET", "hub"),
                        help="hub, hub-face, lite, or a preset JSON/YAML file (default: env MSA_PRESET or hub)")
    parser.add_argument("--also", default=os.environ.get("MSA_ALSO_PRESETS"),
                        help="more presets to offer in the picker, comma-separated (default: the other built-ins)")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", os.environ.get("GRADIO_SERVER_PORT",
                                                                                                 7860))))
    parser.add_argument("--host", default=os.environ.get("GRADIO_SERVER_NAME", "127.0.0.1"))
    parser.add_argument("--device", default=None, help="auto, cpu, cuda or mps")
    parser.add_argument("--mcp", action=argparse.BooleanOptionalAction, default=mcp_default(),
                        help="serve the predict and explain tools over MCP at /gradio_api/mcp/ "
                             "(default: on on a Hugging Face Space)")
    args = parser.parse_args(argv)
    also = ([a.strip() for a in args.also.split(",") if a.strip()] if args.also is not None
            else [p for p in ("hub", "lite") if p != args.preset])
    dash = ui.Dashboard.load(args.preset, also=also, fallback="lite", device=args.device)
    for line in dash.notices + [f"preset '{n}' not loaded: {dash.reason(n)}" for n in dash.failures
                                if n != dash.replaced]:
        print(f"msa_demo: {line}", file=sys.stderr)
    demo = build_demo(dash)
    demo.queue(default_concurrency_limit=1, max_size=32)
    # the one endpoint with a gr.State input (/report) is kept out of the MCP tools: its warning does not apply
    warnings.filterwarnings("ignore", message="This MCP server includes a tool that has a gr.State input")
    demo.launch(server_name=args.host, server_port=args.port, max_file_size=MAX_FILE_SIZE, mcp_server=args.mcp)


if __name__ == "__main__":
    main()
