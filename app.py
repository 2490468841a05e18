"""msa_demo dashboard: why does the model think this post, face and voice are positive / neutral / negative?

Layout and event wiring only; handlers live in ``msa_demo/ui/``, views in ``msa_demo/views/``, the JSON / MCP tools in
``msa_demo/api.py``.
Run: ``python app.py [--preset hub|hub-face|lite|FILE|DIR] [--port 7860] [--mcp]`` (env ``MSA_PRESET``, default ``hub``).
"""

from __future__ import annotations

import argparse
import functools
import gc
import json
import os
import sys
import warnings
from pathlib import Path


def arguments() -> argparse.ArgumentParser:
    """The command line ``main`` reads (stdlib only: read before gradio and torch are imported)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default=os.environ.get("MSA_PRESET", "hub"),
                        help="hub, hub-face, lite, a preset JSON/YAML file, or a folder `python -m msa_demo train` wrote "
                             "(its trained head as the fusion) (default: env MSA_PRESET or hub)")
    parser.add_argument("--also", default=os.environ.get("MSA_ALSO_PRESETS"),
                        help="more presets to offer in the picker, comma-separated (default: the other built-ins)")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", os.environ.get("GRADIO_SERVER_PORT",
                                                                                                 7860))))
    parser.add_argument("--host", default=os.environ.get("GRADIO_SERVER_NAME", "127.0.0.1"))
    parser.add_argument("--device", default=None, help="auto, cpu, cuda or mps")
    parser.add_argument("--mcp", action=argparse.BooleanOptionalAction, default=mcp_default(),
                        help="serve the predict and explain tools over MCP at /gradio_api/mcp/ "
                             "(default: on on a Hugging Face Space)")
    return parser


def mcp_default() -> bool:
    """MCP on by default on a Hugging Face Space (it only adds routes) when the mcp package is installed."""
    import importlib.util

    return bool(os.environ.get("SPACE_ID")) and importlib.util.find_spec("mcp") is not None


def preset_or_port_refusal(preset: str, host: str, port: int) -> str | None:
    """A preset that is neither built in nor a file or folder there, or a port in use, in one line (None: neither);
    stdlib and msa_demo.config only, so ``python app.py`` says it before importing gradio and torch."""
    import socket

    from msa_demo.config import load_preset
    from msa_demo.errors import MsaError

    try:
        load_preset(preset)  # the preset's description only: nothing is downloaded or loaded
    except MsaError as exc:
        return str(exc)
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # a port in TIME_WAIT is free to listen on
        try:
            probe.bind((host, port))
        except OSError as exc:
            return (f"cannot listen on {host}:{port} ({exc.strerror or exc}): another app may be running there; "
                    "pass --port or set GRADIO_SERVER_PORT.")
    return None


if __name__ == "__main__":  # MSA_PRESET=Lite was refused after 13-40 s on a busy machine: importing gradio (15 s)
    # and torch (5 s) came first (python -X importtime app.py); a mistyped preset or a taken port is said at once
    from msa_demo.settings import server_refusal as _settings_refusal  # (an MSA_* setting: said first, as main does)

    _args = arguments().parse_args()
    if _refused := _settings_refusal() or preset_or_port_refusal(_args.preset, _args.host, _args.port):
        arguments().exit(2, f"msa_demo: {_refused}\n")

import gradio as gr  # noqa: E402  (after the refusal above)

from msa_demo import api, i18n, ui, views  # noqa: E402
from msa_demo.kinds import video as video_kind  # noqa: E402
from msa_demo.model import limit_heaps  # noqa: E402
from msa_demo.settings import server_refusal  # noqa: E402
from msa_demo.ui.options import folder_named  # noqa: E402

HERE = Path(__file__).resolve().parent
EXAMPLES = HERE / "examples" / "examples.json"
MAX_FILE_SIZE = "100mb"  # a phone's 30 s of 1080p is 40 to 60 MB (25 MB refused it); only what a preset reads is
# decoded (its seconds, frames at its rate), so a large file costs its upload, not memory
COMPARED = ("compare.fused_a", "compare.fused_b", "compare.words_a", "compare.words_b")  # shown once a comparison
# fills them (its download too: ``Dashboard.compare`` shows it)
demo: gr.Blocks | None = None  # the page ``main`` launches, a global of ``__main__`` as Gradio's reloader on a Space
# looks for it ("Launching demo not found in __main__", and the Space's hot reload had no page to swap)
# the Compare tab: two ways to compare (its Chinese in the engine's table, ``msa_demo.i18n.ZH``)
COMPARE_INTRO = ("### Side by side\nThe inputs and settings of the **Explain** tab, compared two ways: **another model**, "
                 "explained by its preset (A) and a second one (B) toward A's class: both verdicts, both summaries, and "
                 "how far their maps agree (a preset not loaded yet is loaded on first use); or **another text**: type "
                 "B's text, and A's model explains it beside the Explain tab's text (the other inputs alike): both "
                 "verdicts, the change in each class, and each word's score, what you changed in bold.")
B_TEXT = "B's text: a second text, read by A's model with the same other inputs (leave empty to compare two models)"
WORKED_EXAMPLE = "Cross-modal conflict"  # the page opens on it, explained (env MSA_WORKED_EXAMPLE; "" for none)
CSS = """
#trust table th, #trust table td {white-space: nowrap; word-break: keep-all}
#trust {overflow-x: auto}
@media (max-width: 1100px) {#trust table th, #trust table td {white-space: normal}}  /* tablets too: it was cut */
#freshness p {background: #fff4d6; border-left: 4px solid #e0a000; padding: .4em .6em}
#freshness p, #freshness p * {color: #3d2e00}  /* dark on its cream in a dark theme too */
/* the what-if's edited text as the report draws it: a struck Chinese word was nearly invisible (the strike on the
   characters' own strokes); dark on its pink and green in a dark theme too */
#what-if-panel del {background: #f4c7c3; color: #3d0a06}
#what-if-panel ins {background: #c8e6c9; color: #0d2b0f; text-decoration: none}
#transcript sub {color: #595959}  /* 7:1 on white at 10.5 px (#777 was 4.48:1) */
#examples button, #examples td {white-space: normal !important; overflow: visible !important}
.gradio-container {overflow: clip !important}
html {scroll-padding-bottom: 110px}  /* a control reached by Tab is scrolled clear of the #actions bar */
/* where the keyboard is: Gradio draws no ring on a focused tick box or radio button, a pale shadow on a text box
   (its own rule outranked an earlier one here) and the browser's on a button, white on the white page round the
   Explain button; one ring on all, dark blue (6.7:1 on white), light blue in a dark theme (10:1 on its ground) */
.gradio-container :is(button, a, summary, [role=tab], textarea, input, select):focus-visible {
  outline: 3px solid #1d4ed8 !important; outline-offset: 2px !important}
.dark .gradio-container :is(button, a, summary, [role=tab], textarea, input, select):focus-visible {
  outline-color: #93c5fd !important}
.gradio-container:has(#freshness .stale-verdicts) :is(#fused, [id^="own-"], #notices h3) {opacity: .85;
  filter: grayscale(1)}  /* out of date: drained of colour, its text still 4.5:1 (at .4 it was #a8a8a9, 2.4:1) */
:is(#words .sr-category, #msa-live) {position: absolute; width: 1px; height: 1px; overflow: hidden;
  clip: rect(0 0 0 0); white-space: nowrap}  /* a chip's category, the verdict's sentence: for a screen reader */
/* a chip's push seen without its colour (red and green look alike to many): the legend's ▲ / ▼ beside the word */
#words .token[data-mark]::after {content: attr(data-mark); font-size: .6em; vertical-align: .35em; margin-left: 1px;
  letter-spacing: -.1em}
/* a phone: the charts' tools came over their titles ("… modalities disagree" covered); there, the chart alone */
@media (max-width: 700px) {.js-plotly-plot .modebar-container {display: none !important}}
/* a finger, not a mouse: what is tapped at least 44 px high (the examples were 30, the "use" boxes 20, the
   accordions' heads 20) */
@media (pointer: coarse) {
  #examples button, #tabs [role=tab], #language label, .gradio-container button.label-wrap {min-height: 44px}
  .gradio-container label:has(> input[type=checkbox]) {min-height: 44px; display: flex; align-items: center}
  .gradio-container input[type=checkbox] {width: 22px; height: 22px}
  /* and every other control a finger taps (a phone measured them: the settings' and the Dataset tab's choices 35 px,
     Predict, Explain and the downloads 40, Dataset's two downloads 26, a number's reset 22, "details" heads 20, the
     footer's links 21); not a word's chip, the words' legend or a probability bar, which are read, not pressed */
  .gradio-container label:has(> input[type=radio]) {min-height: 44px; display: flex; align-items: center}
  .gradio-container button:not(.token, .legend-item, .confidence-set, .icon, .icon-button) {min-height: 44px}
  .gradio-container summary {min-height: 44px; padding-block: 12px; box-sizing: border-box}
  footer :is(a, button) {display: inline-flex; align-items: center; min-height: 44px}
  /* an icon (a box's tools, its sources, a player's controls: 18 to 32 px) is drawn at its size and answers a tap
     on 44 × 44 px round it (drawn at 44 px, the player's icons tripled and the tools covered the box's name) */
  .gradio-container :is(button.icon, button.icon-button, .icon-button-wrapper a[href]) {position: relative}
  .gradio-container :is(button.icon, button.icon-button, .icon-button-wrapper a[href])::before {content: "";
    position: absolute; left: 50%; top: 50%; width: max(100%, 44px); height: max(100%, 44px);
    transform: translate(-50%, -50%)}
  /* each icon's 44 px its own: side by side 4 px apart (a box's tools, 18 px), touching (its sources, 22 px) or 38
     px apart (the player's), two icons' areas overlapped by 6 to 20 px and the later one took the shared part */
  .gradio-container .icon-button-wrapper {gap: 26px}
  .gradio-container .source-selection {gap: 20px}
  .gradio-container [data-testid=waveform-controls] :is(.control-wrapper, .play-pause-wrapper) {gap: 7px}
  .gradio-container [data-testid=waveform-controls] .settings-wrapper {gap: 20px}
  /* and a box's name beside its tools, now wider, in two lines rather than under them ("… 30 s are use") */
  .gradio-container .block:has(.icon-button-wrapper.top-panel) > [data-testid=block-label] {
    max-width: calc(100% - 116px); height: auto}
}
#msa-jump {display: none}
@media (max-width: 700px) {  /* a phone: the verdict's link at the top of the inputs (DESCRIBED) */
  #msa-jump:not([hidden]) {display: block; padding: 10px 12px; border-radius: var(--radius-lg); font-weight: 600;
    background: var(--background-fill-secondary); color: var(--body-text-color); text-decoration: none}
}
.legend-item {cursor: default}  /* a legend, not buttons (DESCRIBED) */
#share-btn[data-copied]::after {content: attr(data-copied); margin-left: .4em; font-weight: normal}
#share-link[data-local]::after {content: attr(data-local); display: block; color: #8a5a00;
  margin-top: .3em}
/* the queue counter and timer ("queue: 5/5 | 12.3/52.2s") were drawn over the what-if and trust texts it greys
   while it waits; the map panels beside them show the same counter */
:is(#what-if-panel, #trust) :is(.meta-text, .meta-text-center) {display: none !important}
/* Stop: only while an explanation runs (from the click until it ends) */
#actions:not(:has(#explain-btn.msa-busy)) #stop-btn {display: none !important}
/* Explain clicked: a spinner on it from the click (the clip read before a run starts took seconds, showing nothing) */
#explain-btn.msa-busy::after {content: ""; display: inline-block; width: .8em; height: .8em; margin-left: .5em;
  border: 2px solid currentColor; border-right-color: transparent; border-radius: 50%; vertical-align: -.1em;
  animation: msa-spin .8s linear infinite}
@keyframes msa-spin {to {transform: rotate(360deg)}}
@media (prefers-reduced-motion: reduce) {#explain-btn.msa-busy::after {animation: none}}
/* a toast's heading in the page's language: Gradio 6.31 writes its type ("Error") and drops the title it is given */
html:lang(zh) .toast-title {font-size: 0 !important}
html:lang(zh) .toast-title::before {font-size: var(--text-lg)}
html:lang(zh) .toast-title .toast-count {font-size: var(--text-lg)}
html:lang(zh) .toast-title.error::before {content: "<Error>"}
html:lang(zh) .toast-title.warning::before {content: "<Warning>"}
html:lang(zh) .toast-title.info::before {content: "<Note>"}
/* in front of what scrolls under it: Gradio's block labels sit at --layer-4 (40), its menus and modals above 50 */
#actions {position: sticky; bottom: 0; z-index: 45; background: var(--background-fill-primary);
          padding: 6px 0; box-shadow: 0 -8px 8px -8px rgba(0, 0, 0, .25)}
/* a heat map never wider than the panel is high, so that it is seen whole with its caption (a wide screen
   cropped it); on a phone one under the other, each drawn large */
#overlays .thumbnail-item {width: min(100%, 270px); justify-self: center}
@media (max-width: 600px) {
  #overlays, #overlays .grid-wrap {height: auto !important; max-height: none !important}
  #overlays .grid-container {grid-template-columns: 1fr !important}
  #overlays .thumbnail-item {width: min(100%, 340px)}
}
/* a tablet (up to 1100 px): the picture above its heat maps, each as wide as the column (side by side in a 368-px
   column the maps were 100-px thumbnails, the second clipped, the picture's label under its buttons); the maps one
   or two a row, whole, the panel as high as they are */
@media (max-width: 1100px) {
  .row:has(> #overlays) > :is(#orig-image, #overlays) {min-width: 100% !important; flex-basis: 100% !important}
  #overlays, #overlays .grid-wrap {height: auto !important; max-height: none !important}
  #overlays .grid-container {grid-template-columns: repeat(auto-fit, minmax(min(100%, 260px), 1fr)) !important}
  #overlays .thumbnail-item {width: min(100%, 340px)}
}
/* the filmstrip on a phone: its label above the frames (it wrapped over their tops), the six frames in two rows
   of three (three showed, the rest off to the right), the box as high as they are */
@media (max-width: 600px) {
  #video-frames > label[data-testid=block-label] {position: static; margin-bottom: 4px}
  #video-frames, #video-frames .grid-wrap {height: auto !important; max-height: none !important}
  #video-frames .grid-container {grid-template-columns: repeat(3, minmax(0, 1fr)) !important}
  #video-frames .thumbnail-item {width: 100%}
}
/* ---- fix-colour: small text, marks, forced colours, reduced motion (a low-vision audit) ---- */
/* a panel Gradio is updating was faded to .2 (its text 1.5:1 on white): drained of colour instead, and dimmed no
   further than its text keeps 4.5:1 (STALE_OPACITY) */
.gradio-container .pending {opacity: .85 !important; filter: grayscale(1)}
/* the small print (a what-if's "(7 model runs, 0.10 s)", its note, the heard words' timings, a map's caption) was
   10.5 px, the words' legend 12 px: at least 13 px */
.gradio-container :is(sub, small) {font-size: max(13px, .8em)}
.gradio-container sub {vertical-align: baseline}
#words :is(.legend-item, label) {font-size: max(14px, 1em)}  /* the legend, and the words' sentence above it */
/* a chip's ▲ / ▼ mark at 8 px: as large as the word's own letters, nearly */
#words .token[data-mark]::after {font-size: .85em; vertical-align: .2em; letter-spacing: 0}
/* forced colours (Windows high contrast): the tabs and the sticky bar's buttons kept no border, the selected tab
   looked like the others, Predict and Explain read as plain text */
@media (forced-colors: active) {
  .gradio-container button:not(.token) {border: 1px solid ButtonText !important}
  .gradio-container [role=tab] {border: 1px solid ButtonText !important}
  .gradio-container [role=tab][aria-selected=true] {border: 3px solid Highlight !important; font-weight: 700}
  #actions button {border-width: 2px !important}
}
/* asked for less motion: no tab fade-grow, no progress bar sliding, no spinner */
@media (prefers-reduced-motion: reduce) {
  .gradio-container *, .gradio-container *::before, .gradio-container *::after {
    animation-duration: 0s !important; animation-iteration-count: 1 !important; transition-duration: 0s !important;
    scroll-behavior: auto !important}
}
/* the verdict's headline read "NEGᴀTIVE": Gradio 6.31's Source Sans Pro SemiBold (weight 600, its headings) holds
   55 glyphs, of the letters only A and B, so every other letter came from the fallback font, larger; the full Bold
   face it ships stands in for 600 */
@font-face {font-family: 'Source Sans Pro'; font-weight: 600; font-style: normal;
  src: url('static/fonts/SourceSansPro/SourceSansPro-Bold.woff2') format('woff2')}
/* ---- end fix-colour ---- */
"""
for _word in ("Error", "Warning", "Note"):  # as the server's messages name them (``i18n.ZH``)
    CSS = CSS.replace(f"<{_word}>", i18n.t(_word, "zh"))

# after a click that runs (its check passed), messages of earlier refusals are closed and the verdict is brought
# into view when it is not in view: the button
# stays at the foot of the screen while the inputs scroll (#actions), and the verdict sits at the top of the other
# column, a screen above where a person who scrolled down to the button is (seen at 1280x800 and 1920x1080)
SHOW_VERDICT = """() => {
  // a run starts: an earlier refusal's message (kept until closed) has had its answer
  document.querySelectorAll('.toast-close').forEach(close => close.click());
  const verdict = document.querySelector('#fused') || document.querySelector('#own-text')?.parentElement;
  if (!verdict) return;
  const top = verdict.getBoundingClientRect().top;
  const still = matchMedia('(prefers-reduced-motion: reduce)').matches;  // asked for less motion: no glide
  if (top < 0 || top > window.innerHeight * 0.5) verdict.scrollIntoView({behavior: still ? 'auto' : 'smooth', block: 'start'});
}"""

# Explain shows it is working from the click (BUSY) until its run ends or the click is refused (IDLE): reading a new
# clip before the run starts took seconds, with nothing on the page to say so
BUSY = """() => { const b = document.querySelector('#explain-btn'); b?.classList.add('msa-busy');
  b?.setAttribute('aria-busy', 'true'); window.msaSayStage?.('working'); }"""
IDLE = """() => { const b = document.querySelector('#explain-btn'); b?.classList.remove('msa-busy');
  b?.removeAttribute('aria-busy'); }"""

# "Copy link" can be clicked when there is an explanation to share: when the report can be downloaded (it answered
# "no explanation to share yet" beside two greyed download buttons)
SHARE_WITH_REPORT = """
const shareable = () => {
  const report = document.querySelector('#report-btn'), share = document.querySelector('#share-btn');
  if (report && share && share.disabled !== report.disabled) share.disabled = report.disabled;
};
shareable();
new MutationObserver(shareable).observe(document.body, {subtree: true, childList: true, attributes: true,
                                                        attributeFilter: ['disabled']});
"""

# Gradio gathers the messages of a page into one toast; the same message twice (Explain clicked again before
# the cause is fixed) is shown once
ONE_TOAST_PER_CAUSE = """
// a clip the browser cannot play is shown as a copy it can (the server converts it on upload): the browser's own
// "Video not playable" about the original is not shown, and a toast left with nothing else is hidden
const MOOT = 'Video not playable';
// a GIF dropped on the Video box: Gradio's own refusal (its box takes video files only) is said as where it can go
const GIF_REFUSED = /^Invalid file type: (.+\.gif)\. Only video\/x-m4v,video\/\* allowed\.$/i;
const GIF_SAID = {en: <GIF_EN>, zh: <GIF_ZH>};
// a file over the upload limit: Gradio's 'File(s) exceed the maximum allowed size of 100.0 Mb: "a.mp4"', and what to do
// another file a box does not take ("Invalid file type: a.mp4. Only audio/aac,...,audio/* allowed."): where it goes
const WRONG_BOX = /^Invalid file type: (.+?)\. Only (audio|image|video)\/.*allowed\.$/i;
const WRONG_SAID = <WRONG>;
// a sound file among them, on the Image box: said as a sound file and where it goes (its line named only what the box
// takes). Gradio's Image box says a file it does not take as an error, and marks the box "Error", where its Audio and
// Video boxes say theirs as a warning: said as they say it, a warning, and the box left unmarked
const SOUND_SUFFIXES = <SOUND_SUFFIXES>;
const soundFile = name => SOUND_SUFFIXES.some(s => name.toLowerCase().endsWith(s));
const SOUND_SAID = <SOUND>;
const WARNING_ICON = 'M12 9v3.75m-9.303 3.376c-.866 1.5.217 3.374 1.948 3.374h14.71c1.73 0 2.813-1.874 1.948-3.374' +
  'L13.949 3.378c-.866-1.5-3.032-1.5-3.898 0L2.697 16.126zM12 15.75h.007v.008H12v-.008z';
const asWarning = (said, box) => {
  const item = said.closest('.toast-message-item'), body = said.closest('.toast-body');
  [item, said].forEach(e => e?.classList.replace('error', 'warning'));
  document.querySelectorAll(`#${box}-input .error`).forEach(e => { e.style.display = 'none'; });
  if (!body || !body.classList.contains('error') || body.querySelector('.toast-message-item.error')) return;
  [body, ...body.querySelectorAll('.error')].forEach(e => e.classList.replace('error', 'warning'));
  const title = body.querySelector('.toast-title');
  const words = title && [...title.childNodes].find(n => n.nodeType === 3 && n.textContent.trim());
  if (words) words.textContent = 'Warning ';
  body.querySelector('.toast-icon path')?.setAttribute('d', WARNING_ICON);
};
const TOO_BIG = /^File\(s\) exceed the maximum allowed size of /i;
const TOO_BIG_SAID = {en: <BIG_EN>, zh: <BIG_ZH>};
const tidy = () => document.querySelectorAll('.toast-messages').forEach(list => {
  const seen = new Set();
  let shown = false;
  list.querySelectorAll('.toast-message-text').forEach(said => {
    const gif = said.innerText.trim().match(GIF_REFUSED);
    const lang = (document.documentElement.lang || 'en').startsWith('zh') ? 'zh' : 'en';
    const wrong = gif ? null : said.innerText.trim().match(WRONG_BOX);
    if (gif) said.textContent = GIF_SAID[lang].replace('{name}', gif[1]);
    else if (wrong) {
      const box = wrong[2].toLowerCase();
      said.textContent = (box === 'image' && soundFile(wrong[1]) ? SOUND_SAID : WRONG_SAID[box])[lang]
        .replace('{name}', wrong[1]);
      asWarning(said, box);
    }
    else if (TOO_BIG.test(said.innerText.trim()) && !said.dataset.hinted) {
      said.dataset.hinted = '1';
      said.textContent = said.innerText.trim() + ' ' + TOO_BIG_SAID[lang];
    }
  });
  list.querySelectorAll('.toast-message-item').forEach(item => {
    const text = item.innerText.trim();
    const hide = seen.has(text) || text === MOOT;
    if (text !== MOOT) seen.add(text);
    item.style.display = hide ? 'none' : '';
    const line = item.previousElementSibling;  // the rule between two shown messages only
    if (line && line.classList.contains('toast-separator')) line.style.display = hide || !shown ? 'none' : '';
    shown = shown || !hide;
  });
  const body = list.closest('.toast-body');
  const count = body?.querySelector('.toast-count');
  if (count) count.style.display = seen.size > 1 ? '' : 'none';
  const toast = body?.closest('.toast-item') || body;
  if (toast) toast.style.display = seen.size ? '' : 'none';
  // and closed: a toast's timer (10 s for Gradio's own message) closes every message that joins it later, and a
  // refusal that stays until closed went with the hidden "Video not playable" after 10 s
  if (!seen.size) body?.querySelector('.toast-close')?.click();
});
new MutationObserver(tidy).observe(document.body, {childList: true, subtree: true, characterData: true});
"""

ONE_TOAST_PER_CAUSE = ONE_TOAST_PER_CAUSE.replace("<WRONG>", json.dumps(
    {box: {"en": said, "zh": i18n.t(said, "zh")} for box, said in ui.widgets.WRONG_BOX.items()}, ensure_ascii=False))
ONE_TOAST_PER_CAUSE = ONE_TOAST_PER_CAUSE.replace("<SOUND_SUFFIXES>", json.dumps(ui.widgets.SOUND_SUFFIXES)).replace(
    "<SOUND>", json.dumps({"en": ui.widgets.SOUND_ON_IMAGE, "zh": i18n.t(ui.widgets.SOUND_ON_IMAGE, "zh")},
                          ensure_ascii=False))
for _key, _said in (("GIF", video_kind.GIF_NOT_IN_BOX), ("BIG", ui.TOO_BIG)):
    ONE_TOAST_PER_CAUSE = ONE_TOAST_PER_CAUSE.replace(f"<{_key}_EN>", json.dumps(_said)).replace(
        f"<{_key}_ZH>", json.dumps(i18n.t(_said, "zh"), ensure_ascii=False))

# a new click or a changed input closes the messages about earlier ones, before its own message comes: a refusal
# joined the old toast ("Error (3)", still led by a picture already removed), and the sentence said at upload
# ("Warning") showed again beside the same one at the click ("Error"); so does another tab or language (Compare's
# refusal stayed over the Explain tab, its heading turned to 错误 and its words English)
CLOSE_OLD_MESSAGES = """
const INPUTS = '[id$="-input"], [id^="use-"], #advanced, #examples, #preset';
const closeMessages = () => document.querySelectorAll('.toast-close').forEach(close => close.click());
document.addEventListener('click', e => {
  if (e.target.closest?.('#predict-btn, #explain-btn, #compare-btn, #examples, [role=tab], #language')) closeMessages();
  else if (e.target.closest?.('button') && e.target.closest(INPUTS)) closeMessages();  // a picture cleared ...
}, true);
for (const kind of ['input', 'change', 'drop', 'paste'])
  document.addEventListener(kind, e => { if (e.target.closest?.(INPUTS)) closeMessages(); }, true);
"""

# what the page shows by colour or as a picture, said in words to a screen reader: each word chip's category (its
# colour's name in the legend, also as a tooltip, and its mark beside it), the verdict's sentence as it comes (a
# live region), the pictures' alt texts (Gradio 6.31 writes the input picture's
# and the "Original picture"'s empty, a heat map's as its caption alone)
DESCRIBED = """
const ALT = {
  en: {given: 'The picture given', read: 'The picture as the model read it', see: ' — see why ↓',
       heat: (caption, legend) => caption + ': heat map over the picture, blue where it pushed toward '
                                  + ((legend.match(/'[^']+'/) || [])[0] || 'the explained class')
                                  + ', orange where it pushed away; the deeper the colour, the stronger'},
  zh: {given: '输入的图片', read: '模型读到的图片', see: ' — 查看原因 ↓',
       heat: (caption, legend) => caption + '：叠在图片上的热力图，蓝色处推向'
                                  + ((legend.match(/“[^”]+”/) || [])[0] || '所解释的类别') + '，橙色处推离；颜色越深，推力越强'},
};
const toResults = () => {  // the verdict, or where a link that is gone says so
  const fused = document.querySelector('#fused');
  (fused && fused.offsetParent ? fused : document.querySelector('#notices'))?.scrollIntoView({block: 'start'});
};
const setAlt = (img, alt) => { if (img && alt && img.alt !== alt) img.alt = alt; };
// the page's one polite live region, made the first time it is asked for (ANNOUNCED says its lines through it too)
const liveRegion = () => {
  let live = document.querySelector('#msa-live');
  if (!live) {
    live = document.createElement('div');
    live.id = 'msa-live';
    live.setAttribute('role', 'status');
    live.setAttribute('aria-live', 'polite');
    document.body.append(live);
  }
  return live;
};
// a legend is read, not used: a HighlightedText legend's item, reached by Tab or under the mouse, showed its category
// alone (every other word lost its colour, its ▲/▼ mark and its said category); its focus and hover stop above it
['focus', 'mouseenter'].forEach(type => document.addEventListener(type, e => {
  if (e.target instanceof Element && e.target.matches('.legend-item')) e.stopImmediatePropagation();
}, true));
const describe = () => {
  const said = ALT[(document.documentElement.lang || 'en').startsWith('zh') ? 'zh' : 'en'];
  document.querySelectorAll('.legend-item').forEach(item => {  // not in the Tab order, said as a list's item
    if (item.tabIndex !== -1) item.tabIndex = -1;
    if (item.getAttribute('role') !== 'listitem') item.setAttribute('role', 'listitem');
    if (item.parentElement?.getAttribute('role') !== 'list') item.parentElement?.setAttribute('role', 'list');
  });
  const words = document.querySelector('#words');
  if (words) {
    const named = new Map([...words.querySelectorAll('.legend-item')].map(b => [b.style.backgroundColor,
                                                                                  b.innerText.trim()]));
    words.querySelectorAll('.textfield .token').forEach(token => {
      const kind = token.classList.contains('highlighted') ? named.get(token.style.backgroundColor) || '' : '';
      let note = token.querySelector(':scope > .sr-category');
      const mark = (kind.match(/^[▲▼]+/) || [''])[0];  // seen, not only heard: the legend's mark beside the word
      if (mark ? token.dataset.mark !== mark : 'mark' in token.dataset) {
        if (mark) token.dataset.mark = mark; else delete token.dataset.mark;
      }
      if (!kind) {
        note?.remove();
        if (token.hasAttribute('title')) token.removeAttribute('title');
        return;
      }
      if (token.title !== kind) token.title = kind;
      if (!note) {
        note = document.createElement('span');
        note.className = 'sr-category';
        token.append(note);
      }
      if (note.textContent !== ' (' + kind + ')') note.textContent = ' (' + kind + ')';
    });
  }
  // the verdict's sentence, said to a screen reader when it comes (nothing announced it: focus stays on Explain)
  const headline = document.querySelector('#notices h3')?.innerText.trim() || '';
  const live = liveRegion();
  if (headline && live.dataset.said !== headline) {
    live.dataset.said = headline;
    (window.msaSay || (text => { live.textContent = text; }))(headline);
  }
  // the Compare and Dataset tabs' results, said in the same region as they come (Compare's run said only
  // "Complete", a set's run stopped at "explaining rows: 8 / 9 rows"): what a result's first line says when it
  // changes, not what a tab held when the page opened
  const heard = window.msaHeard = window.msaHeard || {};
  [['compare', '#compare-summary h3'], ['dataset', '#dataset-summary p']].forEach(([key, where]) => {
    const text = document.querySelector(where)?.innerText.trim().replace(/\\s+/g, ' ') || '';
    if (text && key in heard && heard[key] !== text) (window.msaSay || (said => { live.textContent = said; }))(text);
    heard[key] = text;
  });
  // on a phone the results come under every input box (a page holding an explanation looked like an empty form,
  // a shared link's too): a link at the top of the inputs says the verdict and goes to it; a shared link goes there
  const inputs = document.querySelector('#text-input')?.closest('.column');
  let jump = document.querySelector('#msa-jump');
  if (!jump && inputs) {
    jump = document.createElement('a');
    jump.id = 'msa-jump';
    jump.href = '#notices';
    jump.addEventListener('click', e => { e.preventDefault(); toResults(); });
    inputs.prepend(jump);
  }
  if (jump) {
    const text = headline ? headline + said.see : '';
    if (jump.textContent !== text) jump.textContent = text;
    if (jump.hidden !== !headline) jump.hidden = !headline;
  }
  if (headline && !window.msaSharedShown && new URLSearchParams(location.search).has('x')) {
    window.msaSharedShown = true;
    if (window.matchMedia('(max-width: 700px)').matches) setTimeout(toResults, 300);
    setTimeout(() => window.msaFocusVerdict?.(), 350);  // the keyboard starts there too, not at the page's top
  }
  // a chart said as what it shows (its title, then each series' values), one image to a screen reader: its own
  // text was read out as a jumble ("…modalities disagreeOpposite signals…")
  document.querySelectorAll('.js-plotly-plot').forEach(chart => {
    if (!Array.isArray(chart.data) || !chart.layout) return;
    const plain = (html) => String(html || '').replace(/<br\s*\/?>/g, ' ').replace(/<[^>]+>/g, '').trim();
    // a number as a person says it: the audio chart's times were read "0.21000000000000002 is"
    const spoken = (v) => typeof v === 'number' ? String(Math.round(v * 100) / 100) : plain(v);
    const series = chart.data.filter(d => Array.isArray(d.x) && d.x.length && d.x.length <= 40).map(d => {
      const values = d.x.map((x, i) => spoken(x) + ' ' + spoken(Array.isArray(d.text) ? d.text[i] : d.y?.[i]));
      return (d.name ? plain(d.name) + ': ' : '') + values.join(', ');
    });
    // a chart that says itself (layout.meta.spoken: the audio chart's pushes, strongest first) is said so: its
    // bars' x are times, not what they show
    const own = plain(chart.layout.meta?.spoken);
    const label = [plain(chart.layout.title?.text ?? chart.layout.title), ...(own ? [own] : series)]
      .filter(Boolean).join('. ');
    if (label && chart.getAttribute('aria-label') !== label) {
      chart.setAttribute('role', 'img');
      chart.setAttribute('aria-label', label);
    }
  });
  document.querySelectorAll('#image-input img').forEach(img => setAlt(img, said.given));
  document.querySelectorAll('#orig-image img').forEach(img => setAlt(img, said.read));
  const legend = document.querySelector('#heatmap-legend p')?.innerText.trim().replace(/\\s+/g, ' ') || '';
  // each map's own text alternative, as the report's (kinds/image.py writes them unseen under the legend): where it
  // pushed most, besides what its colours mean; a map is found by its caption's number ("2. occlusion")
  const alts = [...document.querySelectorAll('#heatmap-legend .heat-alt')].map(s => s.textContent.trim());
  document.querySelectorAll('#overlays .thumbnail-item, #overlays .preview').forEach(item => {
    const caption = item.querySelector('.caption-label')?.innerText.trim() || item.getAttribute('aria-label') || '';
    item.querySelectorAll('img').forEach(img => {
      if (!img.dataset.caption || !img.alt.startsWith(img.dataset.caption)) img.dataset.caption = img.alt || caption;
      setAlt(img, alts[parseInt(img.dataset.caption, 10) - 1] || said.heat(img.dataset.caption, legend));
    });
  });
};
describe();
new MutationObserver(describe).observe(document.body, {childList: true, subtree: true, characterData: true,
                                                       attributes: true, attributeFilter: ['style', 'src', 'lang']});
"""

# a chart's words over its bars, as wide as the chart is drawn: the audio chart's were chosen for 700 px of plot
# (views.fitting_labels), so that on a phone's 246 px "is" sat on "the" and "I" under "am". A word whose box runs
# into a stronger bar's word is hidden (its hover text still names it), after each drawing of the chart (a resize)
FITTED_WORDS = """
const fitWords = (chart) => {
  const words = [...chart.querySelectorAll('.bartext-outside')].filter(t => t.textContent.trim())
    .map(t => ({t, push: Math.abs(t.closest('.point')?.__data__?.s || 0), r: t.getBoundingClientRect()}))
    .sort((a, b) => b.push - a.push);
  const kept = [];
  for (const w of words) {
    const fits = kept.every(k => w.r.right + 2 <= k.r.left || k.r.right + 2 <= w.r.left || w.r.bottom <= k.r.top
                                  || k.r.bottom <= w.r.top);
    if (fits) kept.push(w);
    if (fits ? w.t.hasAttribute('visibility') : w.t.getAttribute('visibility') !== 'hidden') {
      if (fits) w.t.removeAttribute('visibility'); else w.t.setAttribute('visibility', 'hidden');
    }
  }
};
const fitCharts = () => document.querySelectorAll('.js-plotly-plot').forEach(chart => {
  if (typeof chart.on !== 'function' || chart.msaFits) return;
  chart.msaFits = true;
  chart.on('plotly_afterplot', () => fitWords(chart));
  fitWords(chart);
});
fitCharts();
new MutationObserver(fitCharts).observe(document.body, {childList: true, subtree: true});
"""

# the link of a shared explanation: this page's address with ?x=<id>, copied where the browser allows it; the
# button says for 3 s whether it was copied or is to be copied from the box below it (a mark beside its label, as
# Gradio owns the label's text)
COPY_LINK = """(id) => {
  const url = new URL(window.location.href);
  url.search = '?x=' + id;
  url.hash = '';
  const button = document.querySelector('#share-btn');
  const zh = (button?.innerText || '').includes('复制');
  const mark = (said) => {
    if (!button) return;
    button.dataset.copied = said;
    clearTimeout(button.copiedTimer);
    button.copiedTimer = setTimeout(() => delete button.dataset.copied, 3000);
  };
  // a page served at a loopback address: its link opens on this computer only (a link mailed from it was dead; a
  // teacher's 127.0.0.1 link handed to students' phones opened nowhere): said plainly, with the ways to share
  const box = document.querySelector('#share-link');
  const host = url.hostname;
  const local = ['localhost', '[::1]', '0.0.0.0'].includes(host) || host.endsWith('.localhost')
    || /^127\\.\\d+\\.\\d+\\.\\d+$/.test(host);
  if (box && local) box.dataset.local = zh
    ? `⚠ 此链接只能在这台电脑上打开：应用运行在本机地址（${host}）上，其他电脑和手机都打不开。要分享，请发送下载的报告，`
      + '或把应用放到别人能访问的地方：部署为 Hugging Face Space（见 README 的“Deploy on Hugging Face Spaces”），'
      + '或在共用的网络上用 python app.py --host 0.0.0.0 启动；再用这台电脑的网络地址打开页面，在那里复制链接。'
    : `⚠ This link opens on this computer only: the app runs at a local address (${host}), which no other computer `
      + 'or phone can reach. To share it, send the downloaded report, or serve the app where others can reach it: '
      + 'a Hugging Face Space (README: "Deploy on Hugging Face Spaces"), or python app.py --host 0.0.0.0 on a network '
      + 'you share; then open the page at this computer’s network address and copy the link there.';
  else if (box) delete box.dataset.local;
  const copied = navigator.clipboard ? navigator.clipboard.writeText(url.toString()) : Promise.reject();
  copied.then(() => mark(zh ? '✓ 已复制' : '✓ copied'), () => mark(zh ? '（请从下方复制）' : '(copy it from below)'));
  // heard as well as seen: the mark beside the button is not read out, and the box below is out of sight
  copied.then(() => window.msaSayLink?.(true, local), () => window.msaSayLink?.(false, local));
  return url.toString();
}"""


# fix-announce: what changes on the page, heard; the keyboard's ways through it. One voice (window.msaSay) writes
# into the polite live region made as the page opens (#msa-live, DESCRIBED), joining what changes at once: the
# verdict's sentence with the "Out of date" line a switch brings, a message about a file (a toast inserted new with
# role=status was often not read), Copy link's outcome (its mark beside the button is not read, its box is below the
# fold), Explain's start and end (Gradio says only "Loading" and "Complete"). Skip links at the top (44 Tab stops
# to Explain, 84 to the report), the two columns as named regions, the verdicts' bars (Gradio's Label draws each as
# a button that does nothing) as meters out of the Tab order, each verdict box's heading with its name ("Text alone:
# negative"), the language switch one radio group (Gradio names each of its buttons apart: two Tab stops, arrows
# did nothing), and the keyboard kept in an input box whose focused button went away (Remove Image, an upload).
ANNOUNCE_SAID = {
    "copied": "Link copied. It is also shown below the buttons.",
    "below": "The link is shown below the buttons: copy it from there.",
    "local": "It opens on this computer only; the note under it says how to share it.",
    "working": "Explaining: the verdict comes first, then the maps.",
    "done": "Explanation finished.",
    "skips": "Skip links",
    "toExplain": "Skip to the Explain button",
    "toVerdict": "Skip to the verdict",
    "inputs": "Inputs",
    "results": "Results",
}
ANNOUNCED = """
{
const SAID = <ANNOUNCE_SAID>;
const words = () => SAID[(document.documentElement.lang || 'en').startsWith('zh') ? 'zh' : 'en'];
const region = liveRegion;  // (DESCRIBED's, which comes before it in the page's script)
const set = (e, name, value) => { if (e.getAttribute(name) !== value) e.setAttribute(name, value); };
let pending = [], saying = null;
const bare = t => t.replace(/^[^\\p{L}\\p{N}]+/u, '');  // "⚠ The preset …" and "The preset …" are one message
window.msaSay = (text) => {
  text = String(text || '').replace(/\\s+/g, ' ').trim();
  if (!text || pending.some(p => bare(p).includes(bare(text)))) return;  // a message and its copy in a box: said once
  pending = pending.filter(p => !bare(text).includes(bare(p)));
  pending.push(text);
  clearTimeout(saying);
  saying = setTimeout(() => {
    const live = region(), said = pending.join(' ');
    pending = [];
    live.textContent = live.textContent === said ? said + '\\u00a0' : said;  // the same words again: a change
  }, 200);
};
window.msaSayLink = (copied, local) => msaSay(words()[copied ? 'copied' : 'below'] + (local ? ' ' + words().local : ''));
window.msaSayStage = (stage) => msaSay(words()[stage]);
const verdictBox = () => {
  const fused = document.querySelector('#fused'), notices = document.querySelector('#notices');
  if (fused && fused.offsetParent) return fused;
  return notices && notices.offsetParent && notices.innerText.trim() ? notices : null;
};
window.msaFocusVerdict = () => {
  const box = verdictBox();
  if (!box) return;
  set(box, 'tabindex', '-1');  // focusable by a script, not a Tab stop (a div's tabIndex reads -1 without it)
  box.focus();
};
const skipLinks = () => {
  let nav = document.querySelector('#msa-skip');
  if (!nav) {
    nav = document.createElement('nav');
    nav.id = 'msa-skip';
    for (const key of ['toExplain', 'toVerdict']) {
      const link = document.createElement('a');
      link.href = '#';
      link.dataset.key = key;
      link.addEventListener('click', e => {
        e.preventDefault();
        if (key === 'toVerdict') window.msaFocusVerdict();
        else document.querySelector('#explain-btn')?.focus();
      });
      nav.append(link);
    }
    document.body.prepend(nav);
  }
  const said = words();
  set(nav, 'aria-label', said.skips);
  nav.querySelectorAll('a').forEach(link => { if (link.textContent !== said[link.dataset.key]) link.textContent = said[link.dataset.key]; });
  const toVerdict = nav.querySelector('[data-key=toVerdict]'), none = !verdictBox();
  if (toVerdict.hidden !== none) toVerdict.hidden = none;
};
let heardFresh = null, lastFocus = null, lastBox = null;
const toasts = new WeakSet();
document.addEventListener('focusin', e => {
  lastFocus = e.target;
  lastBox = e.target.closest?.('[id$="-input"]') || null;
}, true);
const tend = () => {
  const said = words();
  skipLinks();
  [['#inputs-column', 'inputs'], ['#results-column', 'results']].forEach(([where, key]) => {
    const column = document.querySelector(where);
    if (column) { set(column, 'role', 'region'); set(column, 'aria-label', said[key]); }
  });
  document.querySelectorAll('.confidence-set').forEach(bar => {  // read, not pressed
    if (bar.tabIndex !== -1) bar.tabIndex = -1;
    const pct = bar.querySelector('dd')?.innerText.trim() || '';
    set(bar, 'role', 'meter');
    set(bar, 'aria-label', bar.querySelector('dt')?.innerText.trim() || '');
    set(bar, 'aria-valuemin', '0');
    set(bar, 'aria-valuemax', '100');
    set(bar, 'aria-valuenow', String(parseInt(pct, 10) || 0));
    set(bar, 'aria-valuetext', pct);
    const drawn = bar.querySelector('.inner-wrap');  // its own meter and words: said once, by the bar
    if (drawn) set(drawn, 'aria-hidden', 'true');
  });
  document.querySelectorAll('h2.output-class').forEach(heading => {  // "Text alone: negative", one heading
    const label = heading.closest('.block')?.querySelector('[data-testid=block-label]');
    const title = label?.innerText.trim() || '';
    let name = heading.querySelector(':scope > .msa-sr');
    if (!title) { name?.remove(); return; }
    if (!name) {
      name = document.createElement('span');
      name.className = 'msa-sr';
      heading.prepend(name);
    }
    if (name.textContent !== title + ': ') name.textContent = title + ': ';
    set(label, 'aria-hidden', 'true');
  });
  document.querySelectorAll('#language input[type=radio]').forEach(radio => { if (radio.name !== 'msa-language') radio.name = 'msa-language'; });
  const fresh = {};
  for (const where of ['#freshness', '#compare-fresh'])
    fresh[where] = [...document.querySelectorAll(where + ' p')].map(p => p.innerText).join(' ').replace(/\\s+/g, ' ').trim();
  if (heardFresh) for (const where in fresh) if (fresh[where] && fresh[where] !== heardFresh[where]) msaSay(fresh[where]);
  heardFresh = fresh;
  document.querySelectorAll('.toast-message-item').forEach(item => {  // once told apart and reworded (tidy)
    if (toasts.has(item)) return;
    toasts.add(item);
    setTimeout(() => { if (item.isConnected && item.offsetParent !== null) msaSay(item.innerText); }, 0);
  });
  const lost = !document.activeElement || document.activeElement === document.body;
  if (lost && lastFocus && !lastFocus.isConnected && lastBox?.isConnected) {
    const next = [...lastBox.querySelectorAll('button, input, textarea, a[href], [tabindex="0"]')]
      .find(e => e.offsetParent !== null && !e.disabled && e.tabIndex >= 0);
    lastFocus = null;
    next?.focus();
  }
};
let tending = false;
const soon = () => { if (!tending) { tending = true; setTimeout(() => { tending = false; tend(); }, 0); } };
tend();
new MutationObserver(soon).observe(document.body, {childList: true, subtree: true, characterData: true,
  attributes: true, attributeFilter: ['name', 'style', 'lang', 'hidden', 'class']});
}
""".replace("<ANNOUNCE_SAID>", json.dumps({lang: {k: i18n.t(v, lang) for k, v in ANNOUNCE_SAID.items()}
                                           for lang in ("en", "zh")}, ensure_ascii=False))
DONE = """() => { const b = document.querySelector('#explain-btn'); b?.classList.remove('msa-busy');
  b?.removeAttribute('aria-busy'); window.msaSayStage?.('done'); }"""
CSS += """
/* fix-announce: said, not seen; the skip links seen when focused */
.msa-sr, #msa-skip a:not(:focus) {position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0);
  white-space: nowrap}
#msa-skip a:focus {position: fixed; left: 8px; top: 8px; z-index: 1000; padding: 10px 14px; border-radius: 6px;
  background: #fff; color: #1d4ed8; font-weight: 600; outline: 3px solid #1d4ed8; outline-offset: 2px}
#words .token[data-mark]::after {content: attr(data-mark) / ""}  /* the mark seen; heard once, in its category */
/* fix-announce end */
"""
# end fix-announce


def said_here(text: str):
    """A page's words marked for translation, with the Chinese the engine's table holds (``msa_demo.i18n.ZH``)."""
    return ui.tr_made(text, i18n.t(text, "zh"))


def build_demo(dash: ui.Dashboard, examples_path: Path = EXAMPLES, worked: str | None = None) -> gr.Blocks:
    """The page. ``worked``: the name of the example the page opens on, already explained (explained once, in
    the background, from start-up; None: the page opens empty)."""
    presets = dash.preset_names
    with gr.Blocks(title="Why this sentiment? — multimodal explanations") as demo:
        api.CodeApi(dash).register()  # JSON endpoints /predict_json, /explain_json = MCP tools predict, explain
        gr.Markdown(ui.tr("# Why this sentiment?\nGive a post, a face, a voice clip and/or a video of someone talking. "
                          "The model says whether they are **positive, neutral or negative**, then shows which words, "
                          "regions and moments made it think so — and how far to trust that."))
        gr.HTML(f"<style>{CSS}</style>", padding=False,
                js_on_load=ONE_TOAST_PER_CAUSE + SHARE_WITH_REPORT + CLOSE_OLD_MESSAGES + DESCRIBED + ANNOUNCED
                + FITTED_WORDS + ui.GRADIO_WORDS_SAID)
        laid_out = dash.header_markdown()  # the page is laid out in English
        header = gr.Markdown(laid_out, elem_id="header")
        language = ui.language_switch()  # English / 简体中文: what the server writes (the browser's language first)
        # the visitor's token, kept in their browser (Dataset tab: their runs are theirs alone); out of the tabs, which
        # mount their parts when first shown: inside one, the page's opening read no token and made a new one
        visitor = gr.BrowserState(None)
        # a name no choice holds (an API client's typo) reaches the handler, which says which presets are loaded in
        # one line: Gradio's own check answered with its list and wrote a traceback to the server log
        preset = gr.Dropdown(presets, value=dash.shown_name(dash.default), label=ui.tr("Preset"), visible=len(presets) > 1,
                             elem_id="preset", allow_custom_value=True)
        with gr.Tabs(elem_id="tabs") as tabs, gr.Tab(ui.tr("Explain"), id="explain") as explain_tab, gr.Row():
            with gr.Column(scale=1, elem_id="inputs-column"):  # a region to a screen reader (ANNOUNCED)
                above = gr.Column()  # the examples, filled in below once the inputs they fill exist
                values, switches = ui.input_widgets()  # each registered modality's input and its "use" switch
                with gr.Accordion(ui.tr("Advanced"), open=False, elem_id="advanced"):
                    advanced = ui.advanced_widgets()  # one per ExplainOptions field shown, by name
                with gr.Row(elem_id="actions"):  # kept at the foot of the screen while the inputs scroll
                    predict_btn = gr.Button(ui.tr("Predict"), elem_id="predict-btn", min_width=120)
                    explain_btn = gr.Button(ui.tr("Explain"), variant="primary", elem_id="explain-btn", min_width=120)
                    # seen only while an explanation runs (CSS): it stops there, what was finished kept
                    stop_btn = gr.Button(ui.tr("Stop"), variant="stop", elem_id="stop-btn", min_width=80)
                examples = views.load_examples(examples_path)
            shelf = shown_examples = None  # the examples' buttons (their names follow the page's language)
            with above:
                if examples:  # each example fills the boxes of the modalities it names (text, image, audio ...)
                    cols = [m for m in values if any(m in e for e in examples)]
                    shown_examples = gr.Examples([[e.get(m) for m in cols] for e in examples],
                                                 [values[m] for m in cols], example_labels=[e["name"] for e in examples],
                                                 label=ui.tr("Examples: click one, then Explain"), elem_id="examples")
                    shelf = shown_examples.dataset
                    with gr.Accordion(ui.tr("What each example shows"), open=False):
                        gr.Markdown(ui.examples_markdown(examples), elem_id="example-notes")
            with gr.Column(scale=2, elem_id="results-column"):
                # every panel is hidden until it has something to show (an explanation places them); each part
                # has a name (fields.Page): the handlers return values by these names
                page = ui.Page({f"input.{m}": w for m, w in values.items()})
                page.parts["fused"] = gr.Label(label=ui.tr("Fused sentiment"), elem_id="fused",
                                               visible=False)
                with gr.Row():
                    page.parts.update({f"own.{m}": box for m, box in ui.alone_labels().items()})
                page.parts["notices"] = gr.Markdown(elem_id="notices")
                # "Out of date" shows above the what-ifs (a switch re-predicts the summary at once, the what-ifs stay
                # those of the explanation), but keeps its place among the parts (the endpoints' outputs, in order)
                fresh = gr.Markdown(elem_id="freshness")
                page.parts["what_if"] = gr.Markdown(elem_id="what-if-panel")  # what would change its mind (what-if)
                page.parts["fresh"] = fresh
                page.parts["contrib"] = gr.Plot(label=ui.tr("Modality contributions (Shapley) and what-ifs"),
                                                show_label=False, elem_id="contrib", visible=False)
                page.parts.update(ui.panels())  # each modality's explanation panel, in registry order
                page.parts["trust"] = gr.Markdown(elem_id="trust")
                page.parts["state"], page.parts["stamp"] = gr.State(None), gr.State(None)
                # what a Predict since the explanation made the verdicts on screen of (``Dashboard.predicted_for``)
                page.parts["verdicts_for"] = gr.State(None)
                with gr.Row():
                    page.parts["report"] = gr.DownloadButton(ui.tr("Download report (HTML)"), elem_id="report-btn",
                                                             interactive=False)
                    page.parts["json"] = gr.DownloadButton(ui.tr("Download explanation JSON"), elem_id="json-btn",
                                                           interactive=False)
                    share_btn = gr.Button(ui.tr("Copy link"), elem_id="share-btn")
                shared_id = gr.Textbox(visible=False, elem_id="shared-id")  # the shelf's id; the page makes the link
                link = gr.Textbox(label=ui.tr("Link to this explanation (read-only; anyone who can reach this server "
                                               "opens it)"), visible=False, interactive=False, buttons=["copy"],
                                  elem_id="share-link")
        parts = page.parts
        page.parts["tabs"] = tabs

        # every handler takes its values by name (inputs_kwargs), in the order of the endpoints' parameters, and
        # returns them by name (page.keyed); the endpoints return them in ui.output_order
        pred_ins = ui.named_inputs(preset, values, switches, {"face_anyway": advanced["face_anyway"]})
        exp_ins = ui.named_inputs(preset, values, switches, advanced)
        verdicts = page.order(lambda n: n == "fused" or n.startswith("own."), ui.PREDICT_OUTPUTS)
        own = [n for n in verdicts if n.startswith("own.")]
        pred_outs = page.outputs(page.order(lambda n: n in verdicts or n in ("notices", "verdicts_for"),
                                            ui.PREDICT_OUTPUTS))
        explained = page.order(lambda n: not n.startswith(("input.", "compare.")) and n != "tabs")
        # the same inputs, a second preset, side by side
        with tabs, gr.Tab(ui.tr("Compare"), id="compare") as compare_tab:
            gr.Markdown(said_here(COMPARE_INTRO))
            with gr.Row():
                # a built-in that could not be loaded at start (no Hub) is not offered (it can still be typed)
                offered = [p for p in dict.fromkeys([*presets, "lite", "hub"]) if p not in dash.failures]
                shown_a = dash.shown_name(dash.default)  # the presets by name, as the menu above (no server path)
                other = gr.Dropdown(offered, value=next((p for p in offered if p != shown_a), None), scale=3,
                                    allow_custom_value=True, elem_id="compare-preset",
                                    label=ui.tr("B: the second preset (a name, a preset file, or the folder a train run wrote)"))
                # or a second text, on A's model (the preset beside it then not read): LIT's two datapoints
                other_text = gr.Textbox(label=said_here(B_TEXT), scale=3, lines=1, elem_id="compare-text")
                compare_btn = gr.Button(ui.tr("Compare"), variant="primary", scale=1, elem_id="compare-btn")
            only_one = None
            if not [p for p in offered if p != shown_a]:  # one model here (offline): said before a click is
                here, zh = folder_named(dash.folder), folder_named(dash.folder, "zh")  # by name, not "(.)"
                only_one = gr.Markdown(ui.tr_made(  # refused with it
                    f"Only one model is loaded here ('{shown_a}'): to compare two texts, type B's text; to compare "
                    f"two models, type in B a preset file or the folder a `train` run wrote, inside the data folder "
                    f"({here}).",
                    f"这里只加载了一个模型（“{shown_a}”）：要对比两段文字，请输入 B 的文字；要对比两个模型，请在 B "
                    f"中输入数据文件夹（{zh}）内的预设文件，或 `train` 运行写出的文件夹。"), elem_id="compare-one")
            page.parts["compare.fresh"] = gr.Markdown(elem_id="compare-fresh")  # made before the inputs changed
            page.parts["compare.summary"] = gr.Markdown(elem_id="compare-summary")
            with gr.Row():  # each hidden until a comparison fills it (four empty boxes said nothing)
                page.parts["compare.fused_a"] = gr.Label(label=ui.tr("A: fused"), elem_id="compare-a", visible=False)
                page.parts["compare.fused_b"] = gr.Label(label=ui.tr("B: fused"), elem_id="compare-b", visible=False)
            with gr.Row():
                page.parts["compare.words_a"] = gr.HighlightedText(label=ui.tr("A: words"), color_map=views.WORD_LEGEND,
                                                                   elem_id="compare-words-a", visible=False)
                page.parts["compare.words_b"] = gr.HighlightedText(label=ui.tr("B: words"), color_map=views.WORD_LEGEND,
                                                                   elem_id="compare-words-b", visible=False)
            page.parts["compare.report"] = gr.DownloadButton(ui.tr("Download both (HTML)"), interactive=False,
                                                             elem_id="compare-report", visible=False)
            page.parts["compare.state"] = gr.State(None)
            page.parts["compare.made"] = gr.State(None)  # its two explanations: the language switch tells it again
            page.parts["compare.stamp"] = gr.State(None)  # what it was made for (the inputs, settings and B)
        # a whole test set; a row click opens in the Explain tab
        with tabs, gr.Tab(ui.tr("Dataset"), id="dataset") as dataset_tab:
            ui.build_dataset_tab(dash, preset, page, tabs, language=language, demo=demo, visitor=visitor)
        page.keep_mounted()  # a part hidden now is on the page, unseen, when a stream fills it (fields.HIDDEN)

        def explain(request: gr.Request, progress=gr.Progress(), **values):
            lang, last = ui.page_language(request), {}
            code = from_code(request)  # the page's click was checked (and numbered) first; a client's was not
            for last in dash.explain_panels(progress=progress, lang=lang, checked=not code, replaced_said=code,
                                            session=getattr(request, "session_hash", None), **values):
                yield last
            if from_code(request) and last.get("state"):  # a client keeps the last step only: every part in it
                yield ui.plain(dash.saved_panels(last["state"], stamp=last["stamp"],
                                                 files=(last["report"], last["json"]), lang=lang))

        def check(request: gr.Request, **values):  # the page's newest explanation: an older one still running stops
            return ui.in_page_language(functools.partial(dash.check, session=getattr(request, "session_hash", None)))(
                request, **values)

        def duration(**values):  # ZeroGPU: seconds from the requested work
            return ui.gpu_duration(ui.requested_options(**values))

        def compare(request: gr.Request, other=None, other_text=None, progress=gr.Progress(), **values):
            made = dash.compare(other=other, other_text=other_text, progress=progress, lang=ui.page_language(request),
                                **values)
            if from_code(request):
                return ui.plain(made)  # a client reads values, not widget updates
            # the verdicts, the words and the download: shown once there is a comparison (words: where there is text)
            return {**made, **{n: visible(made[n]) for n in COMPARED}}

        def visible(value):  # a part's value, or its update (the words', with their legend), made visible
            update = value if isinstance(value, dict) and value.get("__type__") == "update" else gr.update(value=value)
            return {**update, "visible": update.get("value") is not None}

        def check_compare(request: gr.Request, other=None, other_text=None, **values) -> None:  # a refusal alone
            dash.check_compare(other=other, other_text=other_text, lang=ui.page_language(request),
                               session=getattr(request, "session_hash", None), **values)

        def compare_refused(request: gr.Request):  # ... said again where the comparison would be, its old one hidden
            said = dash.compare_refusal(getattr(request, "session_hash", None))
            return {**said, **{n: gr.update(visible=False) for n in COMPARED}} if said else {}

        # the page places its panels (shown only where there will be something) before the endpoint fills them
        def is_placed(name: str) -> bool:  # the verdicts, the contributions, each modality's panel, the downloads
            return name in verdicts or name in ("contrib", "report", "json") or (
                "." in name and not name.startswith(("own.", "input.")))

        placed = page.outputs(page.order(is_placed))
        fresh_outs = [parts[n] for n in ("fresh", "report", "json", "compare.fresh", "compare.report")]

        fresh_ins = {**exp_ins, "compared": parts["compare.stamp"], "predicted": parts["verdicts_for"]}

        def said_out_of_date(event) -> None:
            event.then(page.keyed(ui.in_page_language(dash.freshness)), [parts["stamp"]], fresh_outs,
                       api_name=False, show_progress="hidden",
                       inputs_kwargs=fresh_ins)
        # a click that cannot run is refused in a step of its own, with no output: a refusal puts Gradio's red
        # "Error" badge over each output of its step (the verdicts, the line that says why)
        shown_verdicts = predict_btn.click(ui.in_page_language(dash.refuse), None, None, api_name=False,
                                           show_progress="hidden", inputs_kwargs=pred_ins).success(
            ui.optional_further(page.keyed(dash.place)), None, page.outputs(verdicts), api_name=False,
            show_progress="hidden", inputs_kwargs=pred_ins)
        shown_verdicts.then(None, None, None, js=SHOW_VERDICT, api_name=False, show_progress="hidden")
        shown_verdicts.then(
            ui.zero_gpu(ui.optional_further(page.keyed(ui.in_page_language(dash.predict))), 30), None, pred_outs,
            api_name="predict",
            inputs_kwargs=pred_ins).then(  # a verdict another input brought (a clip's sound track) is shown too
            ui.held_verdicts, [parts[n] for n in own], [parts[n] for n in own], api_name=False,
            show_progress="hidden").then(  # verdicts made now: the freshness line speaks of the explanation only
            page.keyed(ui.in_page_language(dash.freshness)), [parts["stamp"]], fresh_outs, api_name=False,
            show_progress="hidden", inputs_kwargs=fresh_ins)
        # a request that cannot run gives one message (and touches no panel) before any work starts
        explain_btn.click(None, None, None, js=BUSY, api_name=False, show_progress="hidden", queue=False)
        refused = explain_btn.click(ui.in_page_language(functools.partial(dash.refuse, explain=True)), None, None,
                                    api_name=False, show_progress="hidden", inputs_kwargs=exp_ins)
        refused.failure(None, None, None, js=IDLE, api_name=False, show_progress="hidden")
        checked = refused.success(page.keyed(check), None, placed, api_name=False,
                                  show_progress="hidden", inputs_kwargs=exp_ins)
        checked.failure(None, None, None, js=IDLE, api_name=False, show_progress="hidden")
        checked.success(None, None, None, js=SHOW_VERDICT, api_name=False, show_progress="hidden")
        # a click while an explanation runs is run after it (Gradio's default for a click dropped it, and the page
        # showed the old explanation beside the new inputs); what changed meanwhile is said once it lands

        # its progress on the panels it is making, not over the verdicts and the summary it has given (a long text's
        # verdicts were hidden under a bar, greyed, for most of the wait)
        working = page.outputs(n for n in explained if n not in verdicts and n not in (
            "notices", "fresh", "stamp", "state", "report", "json", "verdicts_for"))
        landed = checked.success(
            ui.zero_gpu(ui.optional_further(page.keyed(explain)), duration), None, page.outputs(explained),
            api_name="explain", inputs_kwargs=exp_ins, concurrency_id="explain", show_progress_on=working,
            concurrency_limit=ui.explain_lanes(), trigger_mode="always_last").then(
            page.keyed(dash.downloads), parts["state"], [parts["report"], parts["json"]], api_name=False,
            show_progress="hidden")
        landed.then(None, None, None, js=DONE, api_name=False, show_progress="hidden")
        def stop(request: gr.Request) -> None:  # this page's explanation, waiting or running
            dash.stop_asked(getattr(request, "session_hash", None))

        stop_btn.click(stop, None, None, api_name=False, show_progress="hidden", queue=False)  # not behind the queue
        said_out_of_date(landed)
        compare_ins = {**exp_ins, "other": other, "other_text": other_text}
        for field in (other, other_text):
            field.change(page.keyed(ui.in_page_language(dash.compare_freshness)), [parts["compare.stamp"]],
                         [parts["compare.fresh"], parts["compare.report"]], api_name=False, show_progress="hidden",
                         inputs_kwargs=compare_ins)
        compared = compare_btn.click(check_compare, None, None, api_name=False,
                                     show_progress="hidden", inputs_kwargs=compare_ins)
        refused_outs = ("compare.summary", "compare.fresh", "compare.state", "compare.made", "compare.stamp",
                        "compare.report", *COMPARED)
        compared.failure(page.keyed(compare_refused), None, page.outputs(refused_outs), api_name=False,
                         show_progress="hidden")
        made = compared.success(
            ui.zero_gpu(ui.optional_further(page.keyed(compare)),
                        lambda other=None, other_text=None, **v: 2 * duration(**v)), None,
            page.outputs(n for n in page.parts if n.startswith("compare.")), api_name="compare",
            inputs_kwargs=compare_ins, concurrency_id="explain",
            concurrency_limit=ui.explain_lanes(), trigger_mode="always_last")  # the same lanes (Gradio keeps the least)
        said_out_of_date(made)
        if only_one is not None:  # a second model is loaded now: "Only one model is loaded here" no longer holds (two
            # texts compared on the one: it still does)
            made.success(lambda kept: gr.Markdown(visible=bool((kept or {}).get("texts"))), parts["compare.made"],
                         only_one, api_name=False, show_progress="hidden")
        for box in (*switches.values(), advanced["face_anyway"]):
            # (with the page's explanation: a switch turned back to what it was made for shows its summary again)
            box.change(page.keyed(ui.in_page_language(dash.on_toggle)), None, pred_outs, api_name=False,
                       show_progress="minimal",
                       inputs_kwargs={**exp_ins, "stamp": parts["stamp"], "state": parts["state"]})
        # no coin-flip headline on a verdict box (the fused one, a modality's own: "Video alone" at 51 / 47,
        # Compare's: "A: fused" headed 'negative' at 49.9 / 49.2): each is headed in the update that gives it its
        # value (page.keyed: ui.headed), never by a change listener a state behind its bars
        inputs = set(map(id, values.values()))
        for widget in exp_ins.values():  # panels made for other inputs or settings: out of date; a new input is
            # then read and run at once, so the click finds it done. One change listener a widget: with two on a
            # picture or a clip, Gradio's page took each value it sent as a change, and sent them again, for ever
            stale = widget.change(page.keyed(ui.in_page_language(dash.freshness)), [parts["stamp"]], fresh_outs,
                                  api_name=False, show_progress="hidden", inputs_kwargs=fresh_ins,
                                  trigger_mode="always_last")
            if id(widget) in inputs:  # (a file that cannot be read is said at once, as a warning)
                changed = next(m for m, w in values.items() if w is widget)
                stale.then(ui.in_page_language(functools.partial(dash.read_ahead, changed=changed)), None, None,
                           api_name=False, show_progress="hidden", inputs_kwargs=exp_ins,
                           concurrency_id="read-ahead")
        if "video" in values:  # a clip browsers do not play (AVI, HEVC ...) is shown, and read, as a copy they do
            clip_shown = [values["video"].upload]  # an upload, or an example's clip (the curated one: MPEG-4 Part 2)
            if shown_examples:
                clip_shown.append(shown_examples.load_input_event.then)
            for event in clip_shown:
                event(ui.in_page_language(dash.playable_clip), [values["video"], preset], values["video"],
                      api_name=False, show_progress="minimal")
        preset.change(ui.in_page_language(dash.selected_markdown), preset, header, api_name=False)
        opening = next((e for e in examples if e["name"] == worked), None) if worked else None
        if opening:  # the page opens on it: its inputs in the boxes, its explanation on the panels
            start = {name: widget.value for name, widget in exp_ins.items()}
            dash.prepare_opening({**start, **{m: opening[m] for m in values if m in opening}})

        def on_open(request: gr.Request):  # a shared link (?x=<id>) opens its explanation, else the worked one
            yield from dash.opening(shared=request.query_params.get("x") if request else None,
                                    lang=ui.page_language(request))

        def in_language(request: gr.Request):  # the switch, the header, the examples in the page's language
            lang = ui.page_language(request)
            if lang != "en":
                return lang, *worded(lang)
            # as laid out: nothing to send but a header that changed since (a preset that failed later). Sending the
            # switch its value anyway would undo a click on it made while the page loads (slow on a busy CPU): the
            # page's words would turn and at once turn back
            now = dash.header_markdown()
            return gr.skip(), now if now != laid_out else gr.skip(), gr.skip()

        def worded(lang: str, picked: str | None = None) -> list:  # what the page's table cannot reach: the header
            # (on the preset picked: it had gone back to the default's), the examples' names
            names = gr.Dataset(sample_labels=ui.example_names(examples, lang)) if shelf else gr.skip()
            return [dash.header_markdown(lang, picked), names]

        def pick_language(choice, exp, predicted, request: gr.Request):  # the switch: what is on the page, told
            # again (the verdicts a Predict made since the explanation, not the explanation's)
            return dash.retold(exp, ui.choose_language(choice, request), predicted)

        shown = [header, shelf or gr.State()]
        demo.load(in_language, None, [language, *shown], api_name=False, show_progress="hidden")
        retold = page.order(lambda n: not n.startswith(("input.", "compare.")) and n not in (
            "tabs", "state", "stamp", "fresh", "json", "verdicts_for"))
        language.input(page.keyed(pick_language), [language, parts["state"], parts["verdicts_for"]],
                       page.outputs(retold), api_name=False,
                       show_progress="hidden")
        language.input(lambda choice, picked: worded(ui.choose_language(choice), picked), [language, preset], shown,
                       api_name=False,
                       show_progress="hidden")
        compared_told = page.order(lambda n: n in ("compare.summary", "compare.fused_a", "compare.fused_b",
                                                   "compare.words_a", "compare.words_b", "compare.report"))

        def compare_in_language(choice, made, cmp, request: gr.Request):  # the comparison too (it stayed in its own)
            return dash.compare_retold(made, cmp, ui.choose_language(choice, request))

        language.input(page.keyed(compare_in_language), [language, parts["compare.made"], parts["compare.state"]],
                       page.outputs(compared_told), api_name=False, show_progress="hidden")
        # the page's own words too; the tabs' names again, as the tabs not shown keep the names they were given
        tab_names = {explain_tab: "Explain", compare_tab: "Compare", dataset_tab: "Dataset"}
        def tabs_named():
            return [gr.Tab(label=ui.tr(n)) for n in tab_names.values()]

        language.input(None, language, None, js=ui.SET_PAGE_LOCALE, api_name=False).then(
            tabs_named, None, list(tab_names), api_name=False, show_progress="hidden")
        # a language picked on an earlier visit: the page's own words turn to it as the page opens
        demo.load(None, None, None, js=ui.KEPT_PAGE_LOCALE, api_name=False).then(
            tabs_named, None, list(tab_names), api_name=False, show_progress="hidden")

        demo.load(page.keyed(on_open), None, page.outputs(page.order(lambda n: n != "tabs" and not n.startswith(
            "compare."))), api_name=False,
                  show_progress="minimal")
        share_btn.click(ui.in_page_language(lambda exp, stamp, lang="en", **on_screen: (
            dash.share(exp, stamp, lang=lang, **on_screen), gr.Textbox(visible=True))), [parts["state"], parts["stamp"]],
                        [shared_id, link], inputs_kwargs=exp_ins,
                        api_name=False, show_progress="hidden").success(
            None, shared_id, link, api_name=False, js=COPY_LINK)
        # a new explanation (its stamp changes with it): the old link is not its link. Listening to the small stamp,
        # not the explanation itself: Gradio hashes a listened-to State before and after every streamed step, and
        # hashing a whole explanation took 8 % of a 16-user run's CPU (py-spy)
        parts["stamp"].change(lambda _: gr.Textbox(visible=False, value=""), parts["stamp"], link, api_name=False,
                              show_progress="hidden")
        hidden_report = gr.File(visible=False)
        gr.Button("report", visible=False).click(dash.report, parts["state"], hidden_report, api_name="report")

    dash.waiting = lambda: ui.queued(demo, "explain")  # those waiting share the time budget
    api.keep_out_of_mcp(demo)
    return demo


def from_code(request) -> bool:
    """A request made by ``gradio_client`` (or Gradio's MCP server), not by the page."""
    headers = getattr(request, "headers", None) or {}
    return headers.get("x-gradio-user") in ("api", "mcp")


def startup_refusal(preset: str, host: str, port: int) -> str | None:
    """Why the app cannot start as asked, in one line, before any model loads; None when it can: an MSA_* setting
    it cannot use, a preset that is neither built in nor a file or folder there (a typo, not a network failure to
    fall back from), a port in use."""
    if refused := server_refusal():  # an MSA_* setting the server cannot use
        return refused
    return preset_or_port_refusal(preset, host, port)


def left_out(dash, name: str) -> str:
    """The start-up line for a preset offered beside the one served (``--also``, the other built-ins) that did not
    load: calm and short, for it was not asked for. "preset 'hub', offered beside 'lite', not loaded (the picker
    leaves it out): Cannot load ..." read like an error to someone who had asked for lite offline."""
    why = dash.failures.get(name, "")
    served = f"serving '{dash.default}'; '{name}' is left out of the preset picker"
    if "cannot be reached" in why:  # offline: the Hub's models, nothing wrong with them or here
        return f"{served}: the Hugging Face Hub cannot be reached."
    return f"{served}, as it could not be loaded: {dash.reason(name)}"


def main(argv: list[str] | None = None) -> None:
    global demo
    parser = arguments()
    args = parser.parse_args(argv)
    refused = startup_refusal(args.preset, args.host, args.port)
    if refused:  # a mistyped preset served another with a notice; a taken port was Gradio's traceback after loading
        parser.exit(2, f"msa_demo: {refused}\n")
    limit_heaps()  # before the models' and the requests' threads: they share 2 C heaps, not one each
    also = ([a.strip() for a in args.also.split(",") if a.strip()] if args.also is not None
            else [p for p in ("hub", "lite") if p != args.preset])
    dash = ui.Dashboard.load(args.preset, also=also, fallback="lite", device=args.device)
    for line in dash.notices + [f"preset '{n}' not loaded: {dash.reason(n)}" if n == args.preset else
                                left_out(dash, n) for n in dash.failures if n != dash.replaced]:
        print(f"msa_demo: {line}", file=sys.stderr)
    demo = build_demo(dash, worked=os.environ.get("MSA_WORKED_EXAMPLE", WORKED_EXAMPLE) or None)
    demo.queue(default_concurrency_limit=1, max_size=128)  # 32 people with a few events each: none lost
    # what start-up made (the models, torch, gradio: ~620,000 objects) lives as long as the app: out of the garbage
    # collector's sight, a full collection no longer walks it (0.3 s with the GIL held, every few explanations)
    if ui.options.gc_freeze():
        gc.collect()
        gc.freeze()
    # the one endpoint with a gr.State input (/report) is kept out of the MCP tools: its warning does not apply
    warnings.filterwarnings("ignore", message="This MCP server includes a tool that has a gr.State input")
    demo.launch(server_name=args.host, server_port=args.port, max_file_size=MAX_FILE_SIZE, mcp_server=args.mcp,
                i18n=ui.i18n())  # English and Chinese: the browser's language, or the footer's Settings


if __name__ == "__main__":
    main()
