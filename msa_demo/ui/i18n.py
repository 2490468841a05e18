"""The dashboard's languages, English and Simplified Chinese.

Two halves, because Gradio translates only in the browser and only whole keys:

- **The page's own words** (labels, buttons, static Markdown, the settings' names and help): :func:`tr` marks
  them with ``gr.I18n``; the browser translates them by its language, the footer's Settings → Language or the
  page's switch (:data:`SET_PAGE_LOCALE`). A key
  is the English text itself; a text without a Chinese entry shows in English (a plug-in modality's own labels).
- **What the server writes per request** (the summary, verdicts, notices, trust table, what-ifs, the report):
  the handlers write it in the page's language, :func:`page_language`: the language picked with the page's
  switch (:func:`language_switch`, kept per browser session, as the footer's Settings never tell the server), else
  the first language of the request's Accept-Language header. :func:`in_page_language` hands it to a handler as
  ``lang``; the words themselves are in :mod:`msa_demo.i18n` (the report and the command line use them too).
"""

from __future__ import annotations

import inspect
import json
import threading
from collections import OrderedDict
from typing import Any, Callable

from msa_demo.i18n import LANGUAGES, lang_of, said as engine_said, t

ZH: dict[str, str] = {
    # the page
    "# Why this sentiment?\nGive a post, a face, a voice clip and/or a video of someone talking. The model says "
    "whether they are **positive, neutral or negative**, then shows which words, regions and moments made it think "
    "so — and how far to trust that.": "# 为什么是这种情绪？\n给出一段文字、一张人脸、一段语音和/或一段有人说话的视频。"
    "模型会判断它们是**正面、中性还是负面**，"
             "再指出是哪些词语、图像区域和时刻让它这样判断——以及这个解释有多可信。",
    "Preset": "预设模型",
    "Explain": "解释",
    "Compare": "对比",
    "Dataset": "数据集",
    "Advanced": "高级设置",
    "Predict": "预测",
    "Examples: click one, then Explain": "示例：点选一个，再点“解释”",
    "What each example shows": "每个示例展示什么",
    "Fused sentiment": "融合后的情绪",
    "Fused sentiment: too close to call": "融合后的情绪：难分高下",
    "Modality contributions (Shapley) and what-ifs": "各模态的贡献（Shapley 值）与反事实",
    "Download report (HTML)": "下载报告（HTML）",
    "Download explanation JSON": "下载解释 JSON",
    "Copy link": "复制链接",
    "Link to this explanation (read-only; anyone who can reach this server opens it)":
        "此解释的链接（只读；能访问本服务器的人都能打开）",
    # the inputs and their verdicts
    "Text (a post, a caption, a message)": "文字（帖子、说明或消息）",
    "Image (a face or a scene)": "图片（人脸或场景）",
    "Audio (a voice; at most 30 s are used)": "音频（人声；最多使用 30 秒）",
    "Video (a face over time; its sound feeds the audio)": "视频（随时间变化的人脸；其声音作为音频）",
    "use text": "使用文字", "use image": "使用图片", "use audio": "使用音频", "use video": "使用视频",
    "Text alone": "仅文字", "Image alone": "仅图片", "Audio alone": "仅音频", "Video alone": "仅视频",
    # the panels
    "Original picture": "原图",
    "Heat maps": "热力图",
    "Audio segments": "音频片段",
    "The clip as the model heard it": "模型听到的片段",
    "the clip on one time axis": "同一时间轴上的片段",
    "Frames: the face's push, relative to the strongest (★ the key frame); pick one to see it large":
        "帧：人脸的推力，相对于最强者（★ 关键帧）；点选一帧放大",
    # the Compare tab
    "### Two models side by side\nThe inputs and settings of the **Explain** tab, explained by its preset (A) and "
    "a second one (B) toward A's class: both verdicts, both summaries, and how far their maps agree. A preset not "
    "loaded yet is loaded on first use.": "### 两个模型并排对比\n用“解释”页的输入和设置，分别由其预设（A）和第二个预设（B）"
                                         "朝 A 的类别解释：两个结论、两段摘要，以及两者的归因图有多一致。尚未加载的预设在首次使用时加载。",
    "B: the second preset (a name, a preset file, or the folder a train run wrote)": "B：第二个预设（名称、预设文件，或 train 生成的文件夹）",
    "A: fused": "A：融合结果", "B: fused": "B：融合结果", "A: words": "A：词语", "B: words": "B：词语",
    "Download both (HTML)": "下载两者（HTML）",
    # the Advanced settings (their help stays in English)
    "Explain which class": "解释哪个类别", "Text method": "文字方法", "Text baseline": "文字基线",
    "Image method": "图片方法", "Image baseline": "图片基线", "Image regions": "图片区域", "Image grid": "图片网格",
    "Number of superpixels": "超像素数量", "Audio method": "音频方法", "Audio baseline": "音频基线",
    "Audio segment length": "音频片段长度", "IG steps": "IG 步数", "Seed": "随机种子", "Sanity check": "合理性检验",
    "Read a picture without a face as a face": "把没有人脸的图片当作人脸读取", "Audio level": "音频层级",
    "Deletion steps": "删除曲线点数", "IG start steps": "IG 起始步数", "Time budget": "时间预算",
    "What-if": "反事实", "What-if forwards": "反事实前向次数", "Robustness check": "稳健性检验",
    "How it sounds": "听起来如何", "Video methods": "视频方法",
    # the Dataset tab
    "### Explain a whole test set\nRun the curated examples, upload a manifest, or open a results folder written by "
    "`python -m msa_demo explain-batch`. Click a row to open its explanation in the **Explain** tab; the folder's "
    "`report.html` holds the set's figures for stakeholders.":
        "### 解释整个测试集\n运行精选示例、上传清单，或打开 `python -m msa_demo explain-batch` 写出的结果文件夹。"
        "点击一行，在“解释”页打开它的解释；文件夹里的 `report.html` 汇总整个数据集的数字，供相关人员查看。",
    "Run the curated examples": "运行精选示例",
    "Results folder (pick a recent one or type a path inside the data folder)": "结果文件夹（选最近的一个，或输入数据文件夹内的路径）",
    "Open": "打开",
    "Upload: CSV, JSONL, Parquet or .zip": "上传：CSV、JSONL、Parquet 或 .zip",
    "rows": "行数",
    "Explain the upload": "解释上传的文件",
    "Stop after this row": "在这一行之后停止",
    "text encoding": "文本编码",
    "only the split": "仅此划分",
    "numbered labels' names, in order from 0": "数字标签的名称，从 0 起依次",
    "your columns, if named otherwise (such as text=sentence,label=stars)": "你的列（如果名称不同，例如 "
                                                                            "text=sentence,label=stars）",
    "…or a manifest on the server (inside the data folder), explained into the results folder above":
        "……或服务器上的清单（在数据文件夹内），解释结果写入上面的结果文件夹",
    "Explain these rows": "解释这些行",
    "Download report.html": "下载 report.html",
    "The set by slice: the confusion matrix; accuracy, macro F1 and reliance by modalities used, language, "
    "group, conflict, label and verdict": "按切片看数据集：混淆矩阵；按所用模态、语言、分组、冲突、标签与判定分组的准确率、宏 F1 与依赖程度",
    "Show": "显示",
    # the table's filters (the modalities' "<m> alone wrong" ones are made with them: dataset_tab.filter_choices)
    "all rows": "全部行", "wrong (prediction ≠ label)": "错误（预测 ≠ 标签）", "conflict": "模态冲突",
    "unfaithful map": "不可信的归因图", "failed rows": "失败的行",
    "Rows: click one to open its explanation · click a header to sort": "行：点击一行打开其解释 · 点击表头排序",
    # the Advanced settings' help lines (each setting's option(), shown under its name)
    "the class the maps explain: the predicted one, or another": "归因图所解释的类别：预测的类别，或另一个类别",
    "which text attributions run (integrated_gradients: Layer IG on the token embeddings; occlusion: word ablation; "
    "shapley_value_sampling: sampled word Shapley values)": "运行哪些文字归因方法（integrated_gradients：在词元嵌入上做层积分梯度；"
                                                          "occlusion：逐词消融；shapley_value_sampling：采样估计词的 Shapley 值）",
    "what replaces a word: the PAD, MASK or UNK token (special tokens are always kept)":
        "用什么替换一个词：PAD、MASK 或 UNK 词元（特殊词元始终保留）",
    "which image attributions run": "运行哪些图片归因方法",
    "what replaces an image region": "用什么替换一个图片区域",
    "image regions: a square grid, or SLIC superpixels on the picture drawn on the model input":
        "图片区域：方形网格，或在模型输入图片上划分的 SLIC 超像素",
    "regions per side on the model input (regions=grid)": "模型输入上每边的区域数（regions=grid 时）",
    "target number of SLIC superpixels (regions=superpixels); SLIC may return fewer":
        "SLIC 超像素的目标数量（regions=superpixels 时）；SLIC 可能返回更少",
    "which audio attributions run (integrated_gradients: IG on the waveform)":
        "运行哪些音频归因方法（integrated_gradients：在波形上做积分梯度）",
    "what replaces an audio segment: silence, or low noise (seeded)": "用什么替换一个音频片段：静音，或（固定种子的）低噪声",
    "length of an audio segment, in seconds; word segments where words are recognised":
        "音频片段的长度（秒）；识别出词语时按词切分",
    "adaptive IG's most steps (8, 16, 32, ... until |delta| < tolerance x |f(x) - f(baseline)|)":
        "自适应 IG 的最多步数（8、16、32……直到 |delta| < 容差 × |f(x) - f(baseline)|）",
    "seed of every random choice (noise baseline, random deletion order)": "所有随机选择的种子（噪声基线、随机删除顺序）",
    "model-randomisation check (Adebayo et al. 2018); costs one more map per method":
        "模型随机化检验（Adebayo 等，2018）；每种方法多算一张归因图",
    "otherwise the face model abstains": "否则人脸模型弃权",
    "audio occlusion replaces latent frames or waveform samples (auto: latent where the model's feature encoder "
    "normalises each frame alone, so that it matches the waveform's map)":
        "音频遮挡替换的是潜在帧还是波形采样（auto：当模型的特征编码器逐帧单独归一化时用潜在帧，使其与波形上的归因图一致）",
    "points on the deletion / AOPC curve": "删除曲线 / AOPC 曲线上的点数",
    "adaptive IG's first step count (it starts higher where the same model last needed more steps on an input of "
    "that size)": "自适应 IG 的起始步数（若同一模型上次在同样大小的输入上需要更多步数，则从更高处开始）",
    "seconds the maps may take (0: no limit; on a CPU the dashboard starts at 5): IG steps, the grid, segments and "
    "curve points are chosen to fit, and each map says what it gave up":
        "归因图可用的秒数（0：不限；在 CPU 上仪表盘默认 5）：IG 步数、网格、片段和曲线点数据此选择，每张图会说明它放弃了什么",
    "what would change its mind: the fewest words, regions or segments whose removal (text: also their replacement "
    "by an antonym or a neutral word) flips the fused verdict, searched from each map's ranking and checked by the "
    "model": "什么会改变它的判断：去掉后（文字还可换成反义词或中性词）能翻转融合结论的最少的词、区域或片段，"
             "从每张归因图的排名开始搜索，并经模型核实",
    "model rows each what-if search may spend (per modality and per text edit)": "每次反事实搜索可用的模型计算行数（按模态和文字修改方式分别计）",
    "how much each map changes under small input noise (Captum's sensitivity_max over a few noisy copies); costs "
    "that many more maps per method": "微小输入噪声下每张归因图变化多少（Captum 的 sensitivity_max，基于几份加噪副本）；"
                                     "每种方法要多算同样多张图",
    "how it sounds: the clip said higher or lower, faster or slower, quieter or louder, or in noise (torchaudio), "
    "and how far each moves the fused verdict; not for an audio model that reads only words":
        "听起来如何：把片段变高或变低、变快或变慢、变轻或变响，或加入噪声（torchaudio），看每种变化让融合结论变动多少；"
        "不适用于只读词语的音频模型",
    # the curated examples (examples/examples.json): names and notes
    "Clearly positive": "明显正面", "Clearly negative": "明显负面", "Cross-modal conflict": "跨模态冲突",
    "Text only": "仅文字", "Image only": "仅图片", "Audio only": "仅音频", "Neutral": "中性",
    "Chinese text, positive": "中文文字，正面", "Video clip": "视频片段",
    "All three agree: positive words, a smiling face, a positive spoken sentence.":
        "三者一致：正面的文字、微笑的人脸、正面的口语句子。",
    "All three modalities agree: negative words, a grimacing face (the astronaut photo with its smile flipped into a "
    "frown), a negative spoken sentence.": "三种模态一致：负面的文字、一张苦脸（宇航员照片，笑容被翻转成皱眉）、负面的口语句子。",
    "Kind words in the text, but a grimacing face and an angry spoken sentence (\"this is awful, I am furious\"): "
    "shows how the fusion weighs inputs that disagree. The lite preset judges the recognised words of the clip, not "
    "its tone of voice.": "文字里是友善的话，但人脸是苦脸，口语句子也很愤怒（“this is awful, I am furious”）："
                          "展示融合如何权衡彼此矛盾的输入。lite 预设判断的是片段中识别出的词语，而不是语气。",
    "Only the text modality is given.": "只给出文字模态。",
    "Only the face image is given (NASA astronaut portrait, smiling).": "只给出人脸图片（NASA 宇航员肖像，面带微笑）。",
    "Only the speech clip is given. The lite preset transcribes it and judges the words (the transcript is shown "
    "under the audio plot); the hub preset judges the tone of voice.":
        "只给出语音片段。lite 预设先转写再判断词语（转写文字显示在音频图下方）；hub 预设判断的是语气。",
    "A factual sentence, a photo without a face (a cup of coffee) and a neutral spoken sentence. The lite face model "
    "finds no face and abstains, so the picture is not used; the hub preset's CLIP reads the scene.":
        "一句陈述事实的话、一张没有人脸的照片（一杯咖啡）和一句中性的口语句子。lite 的人脸模型找不到人脸而弃权，"
        "因此图片未被使用；hub 预设的 CLIP 会读取场景。",
    "A Chinese review (\"this phone's quality is very good, delivery was fast too, I'm very satisfied!\") and a "
    "smiling face. The words panel groups the Chinese characters into words.":
        "一条中文评价（“这个手机质量非常好，物流也很快，我很满意！”）和一张微笑的人脸。词语面板会把汉字组合成词。",
    "A made-up talking clip (4.5 s): a frown for 2 s, then a smile, while a synthetic voice says a positive "
    "sentence. Its sound track is the audio; the timeline shows when the face and the words moved the verdict.":
        "一段合成的说话片段（4.5 秒）：前 2 秒皱眉，然后微笑，同时一个合成的声音说出一句正面的话。片段的声音就是音频；"
        "时间轴显示人脸和词语在什么时候推动了结论。",
    # the language switch
    "Language of the explanations": "解释所用的语言",
    # fix-crowd
    "Stop": "停止",
}

EN: dict[str, str] = {key: key for key in ZH}
USED: set[str] = set()  # every key the page asked for (a test checks each has its Chinese)


# Keys Gradio's own frontend asks for but its locales lack: its status tracker announces a finished or failed run
# to screen readers as ``common.complete`` / ``common.error``, which read out (and showed in the page's text) as
# the raw key. Given here as translations of the page, which Gradio adds to its own.
GRADIO_GAPS: dict[str, dict[str, str]] = {
    "en": {"common.complete": "Complete", "common.error": "Error"},
    "zh": {"common.complete": "完成", "common.error": "错误"},
}


def i18n():
    """The page's translations, for ``demo.launch(i18n=...)``."""
    import gradio as gr

    zh = {**ZH, **GRADIO_GAPS["zh"]}
    return gr.I18n(en={**EN, **GRADIO_GAPS["en"]}, **{"zh-CN": zh, "zh": zh})


def examples_markdown(examples: list[dict]) -> Any:
    """The examples' notes as one Markdown ("- **name**: note" a line), marked for translation: its Chinese is
    made from each name's and note's (a name or note without one stays English)."""
    from msa_demo.views import md

    def lines(words: dict[str, str]) -> str:
        return "\n".join(f"- **{md(words.get(e['name'], e['name']))}**: {md(words.get(e['note'], e['note']))}"
                         for e in examples if e["note"])

    return tr_made(lines({}), lines(ZH).replace("**: ", "**："))


def example_names(examples: list[dict], lang: str = "en") -> list[str]:
    """The examples' names in ``lang`` (their buttons: Gradio's Examples do not translate their labels)."""
    return [ZH.get(e["name"], e["name"]) if lang == "zh" else e["name"] for e in examples]


def tr(text: str) -> Any:
    """``text`` marked for translation (a label, a button's or a Markdown's value)."""
    import gradio as gr

    USED.add(text)
    return gr.I18n(en=EN)(text)


def tr_made(english: str, chinese: str) -> Any:
    """``english`` marked for translation, with its Chinese made when the page is built (a text that holds a path,
    a number or the registered modalities, which no fixed key can)."""
    ZH.setdefault(english, chinese)
    EN.setdefault(english, english)
    return tr(english)


# the language each browser session picked with the switch, by Gradio's session hash (the most recent kept)
CHOSEN: OrderedDict[str, str] = OrderedDict()
CHOSEN_KEPT = 10_000
_LOCK = threading.Lock()


def page_language(request: Any = None) -> str:
    """The language of what the server writes for this request ("en" or "zh"): the session's pick on the switch,
    else the one picked on it on an earlier visit (its cookie), else the browser's first language
    (Accept-Language), else English (an API call without the header)."""
    session = getattr(request, "session_hash", None)
    with _LOCK:
        picked = CHOSEN.get(session) if session else None
    if picked:
        return picked
    try:
        kept = (getattr(request, "cookies", None) or {}).get(KEPT_COOKIE)
        if kept in LOCALES:  # picked on the switch before this page was opened (``SET_PAGE_LOCALE`` keeps it)
            return kept
        return lang_of((getattr(request, "headers", None) or {}).get("accept-language"))
    except (AttributeError, TypeError):
        return "en"


def choose_language(value: Any, request: Any = None) -> str:
    """Keep the switch's pick for this browser session; the language picked ("en" or "zh")."""
    lang = lang_of(value)
    session = getattr(request, "session_hash", None)
    if session:
        with _LOCK:
            CHOSEN[session] = lang
            CHOSEN.move_to_end(session)
            while len(CHOSEN) > CHOSEN_KEPT:
                CHOSEN.popitem(last=False)
    return lang


# Gradio's locale for each of the switch's languages (the keys ``i18n()`` gives its translations under)
LOCALES = {"en": "en", "zh": "zh-CN"}
# the cookie that keeps the switch's pick for the browser's next visits (a reload, a new tab), a year
KEPT_COOKIE = "msa_lang"

# The switch turns the page's own words too (labels, buttons: Gradio's I18n, which the browser translates by its
# language), not only what the server writes. Gradio's frontend offers no call for it but the footer's Settings →
# Language, which calls its i18n module's changeLocale: the module (core-<hash>.js, which the page has loaded) is
# found among the page's resources and the same function called. Where it is not found (another Gradio build),
# nothing changes: the labels stay in the browser's language, as before. Gradio loads a language's words when it
# is first chosen; the function returns once they are on the page (the Explain button reads them; at most 10 s),
# as the tabs' names are sent again after it and a name sent before the words arrived stayed English for good
# (seen on a busy machine).
_PAGE_LOCALE = """async (choice) => {
  %s
  const locales = %s, marks = %s;
  const modules = performance.getEntriesByType('resource').map(e => e.name).filter(n => /\\/core-[\\w-]+\\.js/.test(n));
  for (const url of modules) {
    try {
      const core = await import(url);
      if (typeof core.changeLocale === 'function') { core.changeLocale(locales[choice] || 'en'); break; }
    } catch (e) {}
  }
  document.documentElement.lang = locales[choice] || 'en';  // what the page's own CSS reads (a toast's heading)
  const words = %s, to = words[choice] || words.en, known = new Map();
  for (const lang in words) words[lang].forEach((word, i) => known.set(word, i));
  for (const box of document.querySelectorAll('[data-testid="upload-text"]')) {  // see UPLOAD_WORDS
    const walk = document.createTreeWalker(box, NodeFilter.SHOW_TEXT);
    for (let node; (node = walk.nextNode()); ) {
      const word = node.nodeValue.trim();
      if (known.has(word)) node.nodeValue = node.nodeValue.replace(word, to[known.get(word)]);
    }
  }
  const mark = marks[choice] || marks.en;
  for (let i = 0; i < 200; i++) {
    const button = document.querySelector('#explain-btn');
    if (!button || button.innerText.includes(mark)) break;
    await new Promise(done => setTimeout(done, 50));
  }
  return [];
}"""
# Gradio's own words in an empty upload box (its en and zh-CN locales'): its boxes write them once, as they open, in
# the language of that moment, and keep them when the language changes (Gradio 6.31); the switch sets them itself.
UPLOAD_WORDS = {"en": ["Drop Image Here", "Drop Audio Here", "Drop Video Here", "- or -", "Click to Upload"],
                "zh": ["将图像拖放到此处", "将音频拖放到此处", "将视频拖放到此处", "- 或 -", "点击上传"]}
_MARKS = json.dumps({lang: ZH["Explain"] if lang == "zh" else "Explain" for lang in LOCALES}, ensure_ascii=False)
# Gradio's own words that its locales do not hold (6.31 writes them in English in its code, whatever the language):
# the icons' names a screen reader says and a pointer's tooltip shows, the players' and charts' buttons, the table's
# search box. GRADIO_WORDS_SAID puts them in the page's language (its ``lang``) as they are drawn and redrawn
GRADIO_WORDS = {
    "Adjust volume": "调节音量", "Autoscale": "自动缩放", "Capture from camera": "用摄像头拍摄",
    "Copy table data": "复制表格数据", "Download All": "全部下载", "Download plot as a PNG": "将图表下载为 PNG",
    "Empty value": "空值", "File upload": "文件上传",
    "Fullscreen": "全屏", "Gradio footer navigation": "Gradio 页脚导航", "High volume": "高音量", "Low volume": "低音量",
    "Muted": "静音", "More tabs": "更多标签页", "Pan": "平移", "Paste from clipboard": "从剪贴板粘贴",
    "Record audio": "录制音频", "Remove Image": "移除图片", "Reset audio": "重置音频", "Reset axes": "重置坐标轴",
    "Search...": "搜索…", "Stop Recording": "停止录制", "Trim audio to selection": "将音频裁剪到所选部分",
    "Upload file": "上传文件", "Zoom": "缩放", "Zoom in": "放大", "Zoom out": "缩小", "undo": "撤销",
    # the footer's link to the runs this browser kept (Gradio's Chinese has no words for it)
    "Runs": "运行记录", "View runs saved in this browser": "查看此浏览器保存的运行记录",
}
# the same, with a number in them: (English pattern, Chinese with $1, $2 for its numbers)
GRADIO_PATTERNS = [
    (r"^Adjust playback speed to ([\d.]+)x$", "播放速度调为 $1x"),
    (r"^Skip backwards by ([\d.]+) seconds$", "后退 $1 秒"),
    (r"^Skip forward by ([\d.]+) seconds$", "前进 $1 秒"),
    (r"^Thumbnail (\d+) of (\d+)$", "缩略图 $1/$2"),
]
GRADIO_WORDS_SAID = """
{
const WORDS = %s, PATTERNS = %s.map(([en, zh]) => [new RegExp(en), zh]);
const ATTRIBUTES = ['aria-label', 'title', 'alt', 'placeholder'];
const inChinese = (said) => {
  if (WORDS[said] !== undefined) return WORDS[said];
  for (const [en, zh] of PATTERNS) if (en.test(said)) return said.replace(en, zh);
  return null;
};
const put = new WeakMap();  // element -> {attribute (or '#title'): [the English, the Chinese put there]}
const turn = () => {
  const zh = (document.documentElement.lang || 'en').startsWith('zh');
  const said = (e, key, now, set) => {
    const kept = put.get(e) || {}, was = kept[key];
    if (zh) {
      const chinese = now && now !== (was && was[1]) ? inChinese(now) : null;
      if (chinese) { kept[key] = [now, chinese]; put.set(e, kept); set(chinese); }
    } else if (was && now === was[1]) { delete kept[key]; set(was[0]); }  // back to Gradio's English
  };
  for (const e of document.querySelectorAll('[aria-label], [title], [alt], [placeholder]')) {
    for (const name of ATTRIBUTES) {
      if (e.hasAttribute(name)) said(e, name, e.getAttribute(name), (v) => e.setAttribute(name, v));
    }
  }
  for (const e of document.querySelectorAll('svg title')) {  // an icon's tooltip
    said(e, '#title', e.textContent.trim(), (v) => { e.textContent = v; });
  }
  for (const link of document.querySelectorAll('footer a')) {  // the footer's words ("Runs")
    for (const node of link.childNodes) {
      if (node.nodeType === Node.TEXT_NODE && node.textContent.trim())
        said(node, '#text', node.textContent.trim(), (v) => { node.textContent = v + ' '; });
    }
  }
};
let queued = false;
const soon = () => { if (!queued) { queued = true; requestAnimationFrame(() => { queued = false; turn(); }); } };
turn();
new MutationObserver(soon).observe(document.body, {childList: true, subtree: true, attributes: true,
                                                   attributeFilter: ATTRIBUTES});
new MutationObserver(soon).observe(document.documentElement, {attributes: true, attributeFilter: ['lang']});
}
""" % (json.dumps(GRADIO_WORDS, ensure_ascii=False), json.dumps(GRADIO_PATTERNS, ensure_ascii=False))
# the switch: the page's words in the language picked, kept in a cookie for the browser's next visits
SET_PAGE_LOCALE = _PAGE_LOCALE % (
    f"document.cookie = '{KEPT_COOKIE}=' + choice + '; path=/; max-age=31536000; SameSite=Lax';",
    json.dumps(LOCALES), _MARKS, json.dumps(UPLOAD_WORDS, ensure_ascii=False))
# the page as it opens: the language picked on an earlier visit, if one was (the server reads the same cookie)
KEPT_PAGE_LOCALE = _PAGE_LOCALE % (
    f"choice = (document.cookie.match(/(?:^|; ){KEPT_COOKIE}=(\\w+)/) || [])[1]; if (!choice) return [];",
    json.dumps(LOCALES), _MARKS, json.dumps(UPLOAD_WORDS, ensure_ascii=False))


def language_switch():
    """The page's visible switch: English / 简体中文 (its value set from the browser's language as the page
    opens)."""
    import gradio as gr

    return gr.Radio([(name, code) for code, name in LANGUAGES.items()], value="en",
                    label=tr("Language of the explanations"), elem_id="language", container=False)


def in_page_language(fn: Callable) -> Callable:
    """``fn`` (a handler that takes ``lang=``, or one that does not) as Gradio calls it: with the request
    (``gr.Request``) first, whose :func:`page_language` it is given as ``lang``; a refusal it raises (``gr.Error``)
    is said in that language too (``told``). Its other parameters (read by the endpoints) are kept; a generator
    stays one."""
    import gradio as gr

    sig = inspect.signature(fn)
    rest = [q for q in sig.parameters.values() if q.name != "lang"]
    request = inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=gr.Request)
    takes = "lang" in sig.parameters

    def given(lang: str) -> dict:
        return {"lang": lang} if takes else {}

    if inspect.isgeneratorfunction(fn):
        def call(request, *args, **named):
            lang = page_language(request)
            try:
                yield from fn(*args, **given(lang), **named)
            except gr.Error as exc:
                raise told(exc, lang) from None
    else:
        def call(request, *args, **named):
            lang = page_language(request)
            try:
                return fn(*args, **given(lang), **named)
            except gr.Error as exc:
                raise told(exc, lang) from None

    call.__name__ = getattr(fn, "__name__", "handler")
    call.__doc__ = fn.__doc__
    call.__signature__ = sig.replace(parameters=[request, *rest])
    call.__annotations__ = {"request": gr.Request}  # Gradio finds the request by this annotation
    return call


def current_language() -> str:
    """The page language of the request Gradio is handling now (its event's context), for a handler that is not
    handed the request; English outside an event."""
    try:
        from gradio.context import LocalContext

        return page_language(LocalContext.request.get(None))
    except Exception:  # noqa: BLE001 - Gradio's context is internal: English when it moves
        return "en"


def told(exc, lang: str):
    """A refusal (``gr.Error``) in the page's language: its message and title translated where the tables know
    them (an engine line with its numbers, a button's name), else as it was."""
    import gradio as gr

    message = getattr(exc, "message", None)
    if lang == "en" or not isinstance(message, str):
        return exc
    # its title in that language too, the message translated or not. Gradio 6.31 heads a toast with its type and
    # does not show the title: on the page, its CSS words the heading (app.CSS); the title is for clients that read it
    return gr.Error(engine_said(message, lang), duration=exc.duration, visible=exc.visible,
                    title=t(exc.title or "Error", lang), print_exception=exc.print_exception)


__all__ = ["CHOSEN", "EN", "GRADIO_WORDS", "GRADIO_WORDS_SAID", "LOCALES", "SET_PAGE_LOCALE", "USED", "ZH", "choose_language", "example_names", "examples_markdown", "i18n", "in_page_language", "told", "tr_made", "current_language", "language_switch",
           "page_language", "tr"]
