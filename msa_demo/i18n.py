"""What the server writes, in English or Simplified Chinese: the summary sentence, the verdicts, the notices, the
trust table, the what-ifs, the report and the command line's words.

One place to translate: :func:`t` takes the English text as the key (a format string: the numbers and names go
in by field, so they stay where each language puts them) and the language (``"en"`` or ``"zh"``; :func:`lang_of`
reads ``zh-CN``, ``zh_CN.UTF-8``, an Accept-Language header ...). A key without a Chinese entry stays English; a
test renders the dashboard's and the report's text in Chinese and checks every key it used has one.

The bottom of the house (it imports nothing of the project), so the views, the report and the command line use it
without the dashboard; the page's own labels (``gr.I18n``) are in :mod:`msa_demo.ui.i18n`. The explanation's JSON
stays English: it is read by programs.
"""

from __future__ import annotations

import threading
from typing import Any, Iterable

LANGUAGES = {"en": "English", "zh": "简体中文"}  # what the page's switch offers
USED: set[str] = set()  # every key :func:`t` was asked for (a test checks each has its Chinese)


def lang_of(value: str | None) -> str:
    """``"zh"`` when ``value`` (a locale, a language tag, an Accept-Language header, the switch's value) puts
    Chinese first, else ``"en"``."""
    first = str(value or "").split(",")[0].split(";")[0].strip().lower().replace("_", "-")
    return "zh" if first == "zh" or first.startswith(("zh-", "简体", "中文")) else "en"


def t(text: str, lang: str | None = "en", /, **fields: Any) -> str:
    """``text`` (English, a format string when ``fields`` are given) in ``lang``, its fields filled in."""
    USED.add(text)
    pattern = ZH.get(text, text) if lang == "zh" else text
    return pattern.format(**fields) if fields else pattern


def said(text: str, lang: str | None = "en") -> str:
    """A line the engine wrote in English (a notice, with its numbers in it) in ``lang``: its key's Chinese when it
    is one, else the Chinese of the key whose pattern it fills ("Audio: only the first {max} s of {seconds} s
    were used."), each field as it was (a modality's or a class's name translated); else as it is."""
    if lang != "zh":
        return text
    if text in ZH:
        return t(text, lang)
    for key, pattern in _patterns():
        found = pattern.fullmatch(text)
        if found:
            USED.add(key)
            return ZH[key].format(**{k: v if k in VERBATIM else _word(v) for k, v in found.groupdict().items()})
    return text


def _word(value: str, depth: int = 0) -> str:
    """A field of an engine line in Chinese: a name, a line of its own, or a list of them ("a; b", "x: a, b")."""
    found = ZH.get(value) or MODALITY_NAMES.get(value) or CLASSES.get(value) or LANGUAGE_NAMES.get(value)
    if found or depth > 3:
        return found or value
    if value.endswith("."):  # a sentence of its own (the reason a row failed), before it is cut at its commas
        whole = said(value, "zh")
        if whole != value:
            return whole
    if "; " in value:
        return "；".join(_word(v, depth + 1) for v in value.split("; "))
    head, colon, rest = value.partition(": ")
    if colon:
        return _word(head, depth + 1) + "：" + _word(rest, depth + 1)
    if ", " in value:
        return "、".join(_word(v, depth + 1) for v in value.split(", "))
    for conj, joiner in ((" and/or ", "和/或"), (" or ", "或"), (" and ", "和")):  # "audio or video": names joined
        parts = value.split(conj)
        told = [_word(v, depth + 1) for v in parts]
        # only when every name has its Chinese (a command-line flag, "--video", is its own)
        if len(parts) > 1 and all(a != b or a.startswith("--") for a, b in zip(told, parts)):
            return joiner.join(told)
    return said(value, "zh")


_PATTERNS: list = []
_PATTERNS_LOCK = threading.Lock()


COUNTS = ("n", "k")  # fields that hold a number in every key
# fields kept as they are: names a user types (a manifest's columns, a file, a flag's value), not words to translate
VERBATIM = ("column", "columns", "encoding", "flag", "folder", "have", "manifest", "part", "path")


def _patterns() -> list:
    """Every key with fields as a regular expression (each field any text), made once. Published whole: the first
    Chinese page and the worked example's Chinese report, said at once in two threads, had one of them read the
    list while the other was still filling it ("too many values to unpack" in place of the page)."""
    import re
    import string

    if _PATTERNS:
        return _PATTERNS
    with _PATTERNS_LOCK:
        if _PATTERNS:
            return _PATTERNS
        made = []
        for key in ZH:
            parts = list(string.Formatter().parse(key))
            literal = "".join(lit for lit, _name, _spec, _conv in parts)
            # a key with fields and words of its own ("pitch {n} semitones"; not "{modality} {method}")
            if not any(name for _lit, name, _spec, _conv in parts) or not re.search(r"[A-Za-z]{2,}", literal):
                continue
            seen: set[str] = set()
            regex = ""
            for lit, name, _spec, _conv in parts:  # a field named twice must be the same text twice
                # a count ({n}, {k}) is a number: "{n} of {k}" must not read any sentence with "of" in it
                field = r"[-+−]?\d[\d.,]*" if name in COUNTS else ".+?"
                group = "" if not name else f"(?P={name})" if name in seen else f"(?P<{name}>{field})"
                regex += re.escape(lit) + group
                seen.add(name or "")
            made.append((key, re.compile(regex, re.S), len(literal)))
        # the most words of its own first: a line two keys fill is the more specific one's ("...: they took {took}
        # s." before "...: {parts}.")
        _PATTERNS[:] = [(k, r) for k, r, _n in sorted(made, key=lambda kp: -kp[2])]  # (one step: whole or empty)
    return _PATTERNS


def joined(items: Iterable[str], lang: str | None = "en") -> str:
    """"a, b and c" / "a、b和c"."""
    items = [str(i) for i in items]
    if len(items) <= 1:
        return "".join(items)
    if lang == "zh":
        return "、".join(items[:-1]) + "和" + items[-1]
    return ", ".join(items[:-1]) + " and " + items[-1]


def listed(items: Iterable[str], lang: str | None = "en") -> str:
    """"a, b" / "a、b": a plain list."""
    return ("、" if lang == "zh" else ", ").join(str(i) for i in items)


def sep(lang: str | None, en: str = "; ") -> str:
    """A clause separator: "; " / "；", ", " / "，", ": " / "："."""
    if lang != "zh":
        return en
    return {"; ": "；", ", ": "，", ": ": "：", ". ": "。", " · ": " · "}.get(en, en)


def stop(lang: str | None) -> str:
    return "。" if lang == "zh" else "."


def label(name: Any, lang: str | None = "en") -> str:
    """A class name (positive, neutral, negative) as the language says it; another name as it is."""
    name = str(name or "")
    return CLASSES.get(name.lower(), name) if lang == "zh" else name


def modality(name: Any, lang: str | None = "en") -> str:
    """A modality's name (text, image, audio, video); a plug-in's as it is."""
    name = str(name or "")
    return MODALITY_NAMES.get(name, name) if lang == "zh" else name


def language(name: str, lang: str | None = "en") -> str:
    """A language's English name ("French", as ``msa_demo.language`` gives it) in ``lang``."""
    return LANGUAGE_NAMES.get(name, name) if lang == "zh" else name


CLASSES = {"positive": "正面", "neutral": "中性", "negative": "负面"}
MODALITY_NAMES = {"text": "文字", "image": "图片", "audio": "音频", "video": "视频"}
LANGUAGE_NAMES = {"English": "英语", "Chinese": "中文", "Japanese": "日语", "Korean": "韩语", "Russian": "俄语",
                  "Arabic": "阿拉伯语", "Greek": "希腊语", "Hebrew": "希伯来语", "Hindi": "印地语", "Thai": "泰语",
                  "French": "法语", "German": "德语", "Spanish": "西班牙语", "Italian": "意大利语",
                  "Portuguese": "葡萄牙语", "Dutch": "荷兰语", "Indonesian": "印尼语", "Malay": "马来语",
                  "an unknown language": "未知语言"}


def region_words(label: str, lang: str = "en") -> str:
    """A grid region's label as a reader says it: "r5c5" -> "r5c5 (row 5, column 5)"; a superpixel's as it is."""
    import re

    got = re.fullmatch(r"r(\d+)c(\d+)", str(label))
    return t("{label} (row {r}, column {c})", lang, label=label, r=got[1], c=got[2]) if got else str(label)


def grid_words(params: dict | None, lang: str = "en") -> str:
    """Where a map's grid regions lie, after their names: " of the 7×7 grid over the face" (the face that was
    found: counted over the whole picture, row 5 of a grid over the face was the torso) or " of the 7×7 grid over
    the picture" (in Chinese, before them: "脸部 7×7 网格中的"); "" for superpixels or a map that does not say."""
    grid, over = (params or {}).get("grid"), (params or {}).get("grid_over")
    if (params or {}).get("regions", "grid") != "grid" or not grid or over not in ("face", "picture"):
        return ""
    return t(" of the {g}×{g} grid over the " + over, lang, g=grid)


# a what-if search with no time left for it (the panels before it took the what-ifs' share of the time budget)
WHAT_IF_NOT_TRIED = ("{name}: not tried; the what-ifs' time (half the time budget) had run out. A larger time budget "
                     "leaves time for it.")
# the same for a text's word swaps alone ("antonyms", "neutral words", or both: the panel says them in one line)
WHAT_IF_SWAPS_NOT_TRIED = ("{name}: {swaps} not tried; the what-ifs' time (half the time budget) had run out. A larger "
                           "time budget leaves time for them.")
SWAPS = {"antonym": "antonyms", "neutral": "neutral words"}
# a text in a language the word table (``explain.lexicon.LANGUAGES``) holds no words of: no word swap is searched
SWAPS_NOT_OFFERED = ("{name}: word swaps (antonyms, neutral words) are offered for {languages} texts only, so none was "
                     "tried.")
# a removal that flips the verdict only once most of a modality's units are out: "without picture regions r6c3, ...
# and 39 more of the 7×7 grid over the face it reads positive" was the face taken away, which explains nothing
MOST_TAKEN = ("Only taking out most of {whole} ({k} of the {n} {what}s) changes the verdict (it then reads {reads}): "
              "no small part of {noun} decides it.")
ALL_TAKEN = ("Only taking out all of {whole} (the {n} {what}s) changes the verdict (it then reads {reads}): no part of "
             "{noun} decides it alone.")
# a picture refused for having no face, with how it was read (a 10000×200 strip downscaled to 1024×20, an animated
# GIF's first frame alone): "no face" alone told a person whose file has one that it has none
HOW_READ = "{refusal} How it was read: {how}"


def with_reading(refusal: str, notices) -> str:
    """``refusal`` (a picture with no face) followed by how the picture was read, when its reader said anything."""
    notices = [str(n) for n in notices or ()]
    return HOW_READ.format(refusal=refusal, how=" ".join(notices)) if notices else refusal
# after "without all 12 words it still reads positive (69 %)": every unit removed is not the modality left out, which
# the contributions chart's "no text" is (it read 100 % beside that 69 %): the model still reads what is left (a
# blanked picture or clip, a text's punctuation)
BLANKED = (" Taking out every {what} is not leaving the {name} out (the chart's 'no {name}'): its model still reads "
           "what is left.")

ZH: dict[str, str] = {
    # the summary sentence
    "Too close to call: {a} {pa} vs {b} {pb}": "难分高下：{a} {pa}，{b} {pb}",
    "{label} ({p})": "{label}（{p}）",
    ", mostly because of {drivers}": "，主要因为{drivers}",
    ", every input moving it by about the same amount": "，每个输入的影响都差不多",
    ", as {agree} says": "，{agree}也这样判断",
    ", as {agree} say": "，{agree}也这样判断",
    "{noun} alone is too close to call": "单看{noun}难分高下", "{noun} alone are too close to call": "单看{noun}难分高下",
    "too close to call": "难分高下",
    "{noun} alone points {label}": "单看{noun}是{label}",
    "{noun} alone point {label}": "单看{noun}是{label}",
    "{noun}: {why}": "{noun}：{why}",
    " ({missing})": "（{missing}）",
    "the words": "文字", "the picture": "图片", "the voice": "声音", "the video": "视频",
    "no face": "没有人脸", "no words heard": "没有听到词语",
    "outside this model's languages": "超出此模型的语言范围",
    "the face pushed hardest {way} {target} at {a}–{b} s{when}": "人脸在 {a}–{b} 秒{way}“{target}”的推力最强{when}",
    "the face pushed hardest {way} {target} at {spans}, as hard each time": "人脸在 {spans}{way}“{target}”的推力最强，每次一样强",
    "{a}–{b} s": "{a}–{b} 秒", "{n} more moments": "另外 {n} 个时刻",
    "toward": "朝向", "away from": "背离",
    ", when '{said}' was said": "，当时说的是“{said}”",
    # what could not be read
    "{lead}: {language} is outside this model's languages ({languages}); its verdict on this {thing} is not "
    "reliable.": "{lead}：{language}超出此模型的语言范围（{languages}），它对这段{thing}的判断不可靠。",
    "{lead}: this model learned \"neutral\" from {learned} texts only; in {language} it reads a text as positive "
    "or negative even when it takes no side.": "{lead}：此模型只从{learned}文本中学过“中性”；读{language}时，即使没有立场，"
                                                "它也会判为正面或负面。",
    "Text": "文字", "Transcript": "转写文字", "text": "文字", "clip": "音频", "input": "输入",
    "No face was found in the picture, so the face model abstained: the picture was not used (Advanced → 'read a "
    "picture without a face as a face' to use it anyway).":
        "图片中没有找到人脸，人脸模型弃权：图片未被使用（如仍要使用，请在“高级设置”中勾选“把没有人脸的图片当作人脸读取”）。",
    # the notices under the summary
    "from {used}": "依据：{used}", "nothing": "无", " · switched off: {off}": " · 已关闭：{off}",
    "{modality} alone: **{label}** ({model})": "单看{modality}：**{label}**（{model}）",
    "*Note:* {note}": "*注：* {note}",
    "**Heard:** no words were recognised.": "**听到：** 没有识别出任何词语。",
    "**Heard** ({how}): “{transcript}”": "**听到**（{how}）：“{transcript}”",
    "speech recognition": "语音识别", "speech recognition, {language} (detected)": "语音识别，{language}（自动识别）",
    "{n} word(s) that speech recognition placed in the clip's last instant, with no time of their own, were left "
    "out: not heard.": "语音识别放在片段最后一刻、没有自身时长的 {n} 个词被略去：并未真正听到。",
    # the trust verdicts
    "{name}: outside this model's languages (it reads {language}); the map shows how the model reacted, not what "
    "the words mean.": "{name}：超出此模型的语言范围（它读到的是{language}）；这张图显示的是模型的反应，而不是词语的含义。",
    "{name}: deleting parts barely moves the score (AOPC {aopc}, random {rand}), so the deletion test cannot tell "
    "whether this map is right.": "{name}：删除部分内容几乎不改变分数（AOPC {aopc}，随机 {rand}），因此删除测试无法判断这张图是否正确。",
    "{name}: deleting the top-ranked parts first drops the score faster than deleting at random (AOPC gap "
    "{gap}).": "{name}：先删除排名靠前的部分，分数下降得比随机删除更快（AOPC 差 {gap}）。",
    "{name}: deleting the top-ranked parts first does not drop the score clearly faster than deleting at random "
    "(AOPC gap {gap}); read this map with care.":
        "{name}：先删除排名靠前的部分，分数下降得并不明显快于随机删除（AOPC 差 {gap}）；请谨慎解读这张图。",
    "{name} completeness: its scores miss the score change they should add up to by {miss} (too few integration "
    "steps); read it with care.": "{name} 完整性：其分数之和与应有的分数变化相差 {miss}（积分步数太少）；请谨慎解读。",
    "{name} sanity check: attributions on a randomised model differ (Spearman ρ = {rho}).":
        "{name} 合理性检验：在随机化模型上的归因明显不同（Spearman ρ = {rho}）。",
    "{name} sanity check: attributions on a randomised model barely differ (Spearman ρ = {rho}).":
        "{name} 合理性检验：在随机化模型上的归因几乎相同（Spearman ρ = {rho}）。",
    "{name} robustness: small input noise moves its scores by {sens}, but they barely move the score, so this "
    "cannot tell whether the map is stable.":
        "{name} 稳健性：微小的输入噪声使其分数变化 {sens}，但这些分数几乎不影响结果，因此无法判断这张图是否稳定。",
    "{name} robustness: small input noise barely changes the map (its scores move {sens} at most).":
        "{name} 稳健性：微小的输入噪声几乎不改变这张图（其分数最多变化 {sens}）。",
    "{name} robustness: small input noise changes the map a lot (its scores move {sens}); read it with care.":
        "{name} 稳健性：微小的输入噪声会大幅改变这张图（其分数变化 {sens}）；请谨慎解读。",
    "cannot tell: the deletion test has nothing to go on": "无法判断：删除测试没有可依据的东西",
    "{name}: it has one part only, so there is no ranking for the deletion test to check.":
        "{name}：它只有一个部分，所以没有可供删除测试检验的排序。",
    # the trust table
    "### Can you trust it?": "### 这个解释可信吗？", " (still computing…)": "（仍在计算……）",
    "map": "归因图", "verdict": "结论",
    "details: the figures behind the verdicts": "详情：结论背后的数字",
    "IG δ": "IG δ", "AOPC": "AOPC", "AOPC random": "AOPC（随机）", "sanity ρ": "合理性 ρ", "sensitivity": "敏感度",
    "passes": "前向次数", "seconds": "秒",
    "IG δ: how far integrated-gradient scores miss summing to the score change (smaller is better). AOPC: how fast "
    "the score drops when the top-ranked parts are deleted, against deleting at random. Sanity ρ: rank correlation "
    "with a randomised model's map (low is good). Sensitivity: the most the map's scores move under small input "
    "noise, as a share of their size (Captum's sensitivity_max; low is good).":
        "IG δ：积分梯度分数之和与分数变化的差距（越小越好）。AOPC：删除排名靠前的部分时分数下降得多快，与随机删除对比。"
        "合理性 ρ：与随机化模型归因图的秩相关（越低越好）。敏感度：微小输入噪声下归因图分数的最大变化，占其大小的比例"
        "（Captum 的 sensitivity_max；越低越好）。",
    "**Total:** {passes} forward passes, {seconds} s.": "**合计：** {passes} 次前向计算，{seconds} 秒。",
    "{modality} {method}": "{modality} {method}",
    "integrated gradients": "积分梯度", "layer integrated gradients": "层积分梯度", "word ablation": "逐词消融", "key frame occlusion": "关键帧遮挡",
    "all-MiniLM-L6-v2 with a sentiment head": "all-MiniLM-L6-v2 加情绪分类头",
    "multilingual-e5-small with a sentiment head": "multilingual-e5-small 加情绪分类头",
    "mini-XCEPTION facial expression (FER-2013)": "mini-XCEPTION 面部表情模型（FER-2013）",
    "Whisper base speech recognition, then multilingual-e5-small with a sentiment head":
        "Whisper base 语音识别，再由 multilingual-e5-small 加情绪分类头判断", "occlusion": "遮挡", "shapley value sampling": "Shapley 值采样",
    # the Dataset tab: the summary of a results folder, the set by slice, the map of its rows, the table
    "accuracy **{accuracy}** on {n} labelled rows · macro F1 {f1}": "{n} 个有标签的行上准确率 **{accuracy}** · 宏 F1 {f1}",
    "reliance (mean |Shapley|): {reliance}": "依赖程度（平均 |Shapley|）：{reliance}",
    "conflicts: {conflicts} · unfaithful maps: {unfaithful}": "模态冲突：{conflicts} · 不可信的归因图：{unfaithful}",
    "{modality} {n}": "{modality} {n}",
    "failed": "失败", "without {modalities}": "缺少{modalities}",
    # train's lines on the command line
    "{modality}: none of the rows' files brings one along, so the head is trained without {modality}":
        "{modality}：没有任何行的文件带有{modality}，因此训练的融合头不含{modality}",
    " ({n} of them from the {files} files)": "（其中 {n} 个来自{files}文件）",
    "{modality}: {n} items{brought}, {now} encoded now ({cached} from the cache)":
        "{modality}：{n} 项{brought}，本次编码 {now} 项（{cached} 项来自缓存）",
    "the split column": "split 列",
    "a stratified split, seed {seed}": "分层划分，种子 {seed}",
    "rows: {train} to train on, {val} to pick the epoch, {test} held out ({split_from})":
        "行：{train} 行用于训练，{val} 行用于选择轮次，{test} 行留出（{split_from}）",
    "{n} row(s) left out (no usable label, or no input):": "{n} 行未使用（没有可用的标签，或没有输入）：",
    "  and {n} more (metrics.json lists them)": "  另有 {n} 行（metrics.json 列出全部）",
    "{modality}: {n} file(s) not found, those rows read without their {modality}: row(s) {rows}":
        "{modality}：{n} 个文件未找到，这些行在没有{modality}的情况下读取：第 {rows} 行",
    "{modality}: {n} file(s) could not be read, those rows read without their {modality}:":
        "{modality}：{n} 个文件无法读取，这些行在没有{modality}的情况下读取：",
    "  row {n}: {why}": "  第 {n} 行：{why}",
    "each class has too few rows for --test-size to hold one out": "每个类别的行太少，--test-size 无法留出一行",
    "none of the split column's {n} test rows has a label (GLUE's test splits have none)":
        "split 列的 {n} 个 test 行都没有标签（GLUE 的测试集没有标签）",
    "the split column names none test (or heldout)": "split 列没有标为 test（或 heldout）的行",
    "no held-out rows: {why}, so there are no held-out metrics": "没有留出行：{why}，因此没有留出集指标",
    "'{name}' is not an explanation JSON file, nor a report that holds one.": "“{name}”不是解释的 JSON 文件，也不是包含解释的报告。",
    "held-out": "留出集",
    "⟪the text turns here⟫ ": "⟪文字在这里转折⟫ ",
    " ⟪the model stopped reading here; the rest was not read⟫ ": " ⟪模型读到这里为止；其余部分没有读取⟫ ",
    "No labelled row is neutral, so the head has two classes, negative and positive (--labels 3 keeps three).":
        "没有任何有标签的行是中性的，因此融合头只有两个类别：负面和正面（--labels 3 保留三个类别）。",
    "held-out binary (non-neutral truth)": "留出集二分类（真值非中性）",
    "{name}: n={n}  accuracy {accuracy}  macro P {p}  R {r}  F1 {f1}":
        "{name}：n={n}  准确率 {accuracy}  宏精确率 {p}  宏召回率 {r}  宏 F1 {f1}",
    "  confusion (rows = truth, cols = predicted): ": "  混淆矩阵（行 = 真值，列 = 预测）：",
    "  {group}: accuracy {accuracy} macro-F1 {f1}": "  {group}：准确率 {accuracy} 宏 F1 {f1}",
    "  only {n} held-out rows: one row moves accuracy by {step} points, so these figures say little (more labelled "
    "rows, or --test-size, give a measure)":
        "  只有 {n} 行留出数据：一行就让准确率变动 {step} 个百分点，因此这些数字说明不了多少（更多带标签的行或 --test-size 才能给出度量）",
    "  binary accuracy {accuracy} (n={n})": "  二分类准确率 {accuracy}（n={n}）",
    "saved to {output} ({seconds} s)": "已保存到 {output}（{seconds} 秒）",
    "use it: python -m msa_demo predict --preset {output} --text \"…\" (or explain, explain-batch, the app's --preset)":
        "使用方法：python -m msa_demo predict --preset {output} --text \"…\"（或 explain、explain-batch、应用的 --preset）",
    # explain-batch's lines on the command line
    ", {rate} rows/s": "，每秒 {rate} 行",
    " and {n} more": " 等另外 {n} 行",
    "The manifest '{manifest}' has none of the columns {columns} (it has: {have}). Map a column of yours: --columns "
    "text={column}.": "清单“{manifest}”没有 {columns} 中的任何一列（它有：{have}）。请映射你的列：--columns text={column}。",
    "The manifest '{manifest}' has none of the columns {columns} (it has: {have}). Map a column of yours: --columns "
    "text=COLUMN (or image=, audio=, video=).": "清单“{manifest}”没有 {columns} 中的任何一列（它有：{have}）。请映射你的列："
                                               "--columns text=列名（或 image=、audio=、video=）。",
    "The manifest '{manifest}' has none of the columns {columns} (it has: {have}). Its first line looks like a row, "
    "not a header: a CSV's first line names its columns (such as text,label), or name its columns by number: "
    "--columns {column}.":
        "清单“{manifest}”没有 {columns} 中的任何一列（它有：{have}）。它的第一行看起来是一行数据，而不是标题行：CSV 的第一行应"
        "给出各列的名称（例如 text,label），或按编号指定各列：--columns {column}。",
    "a comma": "逗号", "a semicolon": "分号", "a tab": "制表符",
    "'{file}' is {book}, not a CSV: {how} and give that file.": "“{file}”是{book}，不是 CSV：请{how}，然后提供那个文件。",
    "an Excel workbook": " Excel 工作簿", "an OpenDocument spreadsheet": " OpenDocument 电子表格",
    "a Numbers spreadsheet": " Numbers 电子表格",
    'save it as "CSV UTF-8" (File → Save As)': "将其另存为“CSV UTF-8”（文件 → 另存为）",
    'save it as "Text CSV" with the UTF-8 character set (File → Save As)':
        "将其另存为“文本 CSV”，字符集选 UTF-8（文件 → 另存为）",
    "export it as CSV with the UTF-8 text encoding (File → Export To → CSV)":
        "将其导出为 CSV，文本编码选 UTF-8（文件 → 导出为 → CSV）",
    "The column '{column}' holds records ({have}), not {what}: map one of its fields, such as {flag}.":
        "“{column}”列存放的是记录（{have}），不是{what}：请映射它的某个字段，例如 {flag}。",
    "The column '{column}' holds lists, not {what}: map a column that holds one {thing} per row.":
        "“{column}”列存放的是列表，不是{what}：请映射每行存放一个{thing}的列。",
    "file paths": "文件路径", "path": "路径",
    "The column '{column}' has no field '{part}' (its records' fields: {have}).":
        "“{column}”列没有字段“{part}”（它的记录的字段：{have}）。",
    "The column '{column}' holds no records, so it has no field '{part}'.":
        "“{column}”列不存放记录，因此没有字段“{part}”。",
    "The manifest '{manifest}' has {n} columns, so no column {k} (--columns counts them from 1).":
        "清单“{manifest}”只有 {n} 列，没有第 {k} 列（--columns 从 1 开始为各列编号）。",
    "The manifest '{manifest}' has no column '{column}' (it has: {have}).":
        "清单“{manifest}”没有“{column}”列（它有：{have}）。",
    "The manifest '{path}' does not exist.": "清单“{path}”不存在。",
    "'{name}' is not a manifest: it holds binary data (a picture, a clip or an archive?), not text; give a CSV (a "
    "header line), JSONL or Parquet file.": "“{name}”不是清单：它包含二进制数据（图片、片段或压缩包？），不是文本；请给出 "
                                            "CSV（带表头行）、JSONL 或 Parquet 文件。",
    "{n} row(s) of the results folder had the same id with other inputs (another manifest's rows, or files that "
    "changed): explained again, their earlier results replaced":
        "结果文件夹中有 {n} 行的 id 相同但输入不同（另一份清单的行，或文件已改变）：已重新解释，替换了之前的结果",
    "The manifest '{path}' does not exist in the data folder ({folder}).": "数据文件夹（{folder}）中不存在清单“{path}”。",
    "{flag} '{path}' is a folder; give the name of a file to write.": "{flag} “{path}”是一个文件夹；请给出要写入的文件名。",
    "{flag} '{path}': the folder '{folder}' does not exist.": "{flag} “{path}”：文件夹“{folder}”不存在。",
    "{flag} '{path}' could not be written ({why}).": "{flag} “{path}”无法写入（{why}）。",
    "The manifest '{manifest}' holds no rows.": "清单“{manifest}”中没有任何行。",
    "No label was read: the manifest has no 'label' column, and its column '{column}' looks like one; map it "
    "(label={column}) to score the set.": "没有读取到标签：清单没有“label”列，而它的“{column}”列看起来像标签列；"
                                          "映射它（label={column}）即可为该数据集评分。",
    "The one {modality} file the manifest names does not exist ('{path}'); paths are read from the manifest's folder.":
        "清单列出的唯一一个{modality}文件不存在（“{path}”）；路径从清单所在的文件夹读取。",
    "The manifest '{manifest}' has no split column for --split (map one: --columns split=mode).":
        "清单“{manifest}”没有可供 --split 使用的 split 列（可映射一列：--columns split=mode）。",
    "No row of the manifest '{manifest}' is in the split '{part}' (its splits: {have}).":
        "清单“{manifest}”中没有属于“{part}”划分的行（它的划分：{have}）。",
    "None of the {n} {modality} files the manifest names exists (the first: '{path}'); paths are read from the "
    "manifest's folder.": "清单列出的 {n} 个{modality}文件都不存在（第一个：“{path}”）；路径从清单所在的文件夹读取。",
    "Unknown encoding '{encoding}' (--encoding takes a name such as cp1252, gbk or latin-1).":
        "未知的编码“{encoding}”（--encoding 接受 cp1252、gbk 或 latin-1 等名称）。",
    "The manifest '{manifest}' could not be read ({why}).": "无法读取清单“{manifest}”（{why}）。",
    "--columns takes NAME=COLUMN pairs, comma-separated (such as text=sentence); '{part}' is not one.":
        "--columns 接受以逗号分隔的 名称=列名 对（例如 text=sentence）；“{part}”不是。",
    "--columns maps onto {columns}; '{column}' is none of them.": "--columns 只能映射到 {columns}；“{column}”不在其中。",
    "--columns names '{column}' twice.": "--columns 两次给出了“{column}”。",
    "numbered labels read as {pairs}, by the names --label-names gives them":
        "数字标签读作 {pairs}，依据 --label-names 给它们的名称",
    "numbered labels read as {pairs}, by the numbers the label column holds (to mean another reading, write "
    "negative, neutral or positive)": "数字标签读作 {pairs}，依据标签列所含的数字而定（如要其他读法，请写 negative、neutral "
                                      "或 positive）",
    "scores read as sentiments: below −{band} → {negative}, −{band} to {band} → {neutral}, above {band} → "
    "{positive} (the three classes of {sets}), by the scores the label column holds (to mean another reading, "
    "write negative, neutral or positive)":
        "分数读作情感：低于 −{band} → {negative}，−{band} 到 {band} → {neutral}，高于 {band} → {positive}（即 {sets} "
        "的三分类），依据标签列所含的分数而定（如要其他读法，请写 negative、neutral 或 positive）",
    "  {id}: {why}": "  {id}：{why}",
    "  and {n} more (report.html lists every row that could not be explained)":
        "  另有 {n} 行（report.html 列出了所有无法解释的行）",
    "results: {results}\nreport:  {report}\nmap:     {map} (the rows' fused features by PCA)":
        "结果：{results}\n报告：{report}\n分布图：{map}（各行融合特征的 PCA 投影）",
    # the Dataset report (report.html of a results folder)
    "Dataset explanations": "数据集解释", "Dataset explanations: {name}": "数据集解释：{name}",
    "Accuracy against the labels": "与标签对比的准确率",
    "{n} labelled rows: accuracy <b>{accuracy}</b>, macro precision {precision}, recall {recall}, F1 {f1}.":
        "{n} 个有标签的行：准确率 <b>{accuracy}</b>，宏精确率 {precision}，召回率 {recall}，F1 {f1}。",
    "truth: {label}": "真实：{label}", "predicted: {label}": "预测：{label}",
    "No row carries a label, so there is nothing to score.": "没有任何行带有标签，因此无从评分。",
    "Which modality the model relies on": "模型依赖哪个模态",
    "Across the set the prediction moves most with <b>{first}</b>{rest}: the mean size of each modality's Shapley "
    "value, the share of the predicted class's probability it accounts for (0 to 1).":
        "在整个数据集上，预测随 <b>{first}</b> 变化最大{rest}：这是每个模态 Shapley 值的平均大小，即它在预测类别的概率"
        "中所占的份额（0 到 1）。",
    ", then {modality}": "，其次是{modality}",
    "mean |Shapley value| (share of P(class))": "平均 |Shapley 值|（占 P(类别) 的份额）",
    "Mean |Shapley| per {what}": "按{what}的平均 |Shapley|", "predicted class": "预测类别",
    "No modality contributions were computed.": "没有计算模态贡献。",
    "Slices": "切片", "By {what}": "按{what}", "labelled": "有标签", "mean |Shapley| {modality}": "平均 |Shapley| {modality}",
    "The explained rows grouped by what they hold; accuracy and macro F1 (over the classes a slice's labels or "
    "predictions hold) on its labelled rows, and how much each modality moved the prediction there.":
        "已解释的行按其内容分组；在其有标签的行上的准确率和宏 F1（按该切片的标签或预测所含的类别计），以及每个模态在其中"
        "使预测变化了多少。",
    "Map of the rows": "各行的分布图",
    "Colour: the row's label; ×: a labelled row the model got wrong. Rows near each other were read alike; hover a "
    "point for its row, click it for its saved explanation.":
        "颜色：该行的标签；×：模型判断错误的有标签行。彼此靠近的行被读得相似；将鼠标悬停在点上可看其所在行，点击可打开"
        "其保存的解释。",
    " {drawn} of its {total} points are drawn (one row in {every}); map.json holds them all.":
        " 画出了其 {total} 个点中的 {drawn} 个（每 {every} 行取一行）；map.json 包含全部。",
    "Conflicts": "模态冲突", "The modalities disagree in {n} of {total} rows ({share}).":
        "在 {total} 行中有 {n} 行各模态意见不一（{share}）。",
    "In those rows the fused decision sides with:": "在这些行中，融合后的决定站在：", "share": "份额",
    "What carries the attribution across the set": "在整个数据集上承载归因的是什么",
    "Each row's top parts, scored relative to the row's strongest part (+1: pushes toward the explained class as hard "
    "as anything in the row; -1: as hard against it).":
        "每行最重要的部分，分数相对于该行最强的部分（+1：与该行中任何部分一样强地推向被解释的类别；-1：同样强地推离）。",
    "Image regions": "图片区域", "Audio segments": "音频片段", "Video moments": "视频时刻",
    "rows it is in the top of": "排在前列的行数", "total weight": "总权重", "mean score": "平均分数",
    "Maps that fail their faithfulness check": "未通过忠实度检验的归因图",
    "1 map: deleting its top-ranked parts first does not drop the score clearly faster than deleting at random.":
        "1 张归因图：先删除其排名靠前的部分，分数下降得并不明显快于随机删除。",
    "{n} maps: deleting their top-ranked parts first does not drop the score clearly faster than deleting at random.":
        "{n} 张归因图：先删除其排名靠前的部分，分数并不比随机删除下降得明显更快。",
    "row": "行", "None.": "无。", "Rows that could not be explained": "无法解释的行",
    "The row has no input: give at least one of {kinds}.": "该行没有输入：至少给出 {kinds} 之一。",
    "Tables list the first {n}; results.parquet holds all.": "表格只列出前 {n} 项；results.parquet 包含全部。",
    "The label was not used: {why}": "未使用该标签：{why}",
    "Label '{label}' is not one of {labels}.": "标签“{label}”不是 {labels} 之一。",
    "Label '{label}' is a score, and scores are read only from a label column that holds negative ones too (-1 to "
    "1 as CH-SIMS, -3 to 3 as CMU-MOSI); write negative, neutral or positive.":
        "标签“{label}”是一个分数；只有当标签列也含有负分时才按分数读取（-1 到 1 如 CH-SIMS，-3 到 3 如 CMU-MOSI）；"
        "请写 negative、neutral 或 positive。",
    "Label '{label}' is a number, and the label column's numbers {low} to {top} follow none of the numberings read "
    "(0 / 1, 1 / 2, 0 / 1 / 2, -1 / 0 / 1, 0 to 4, 1 to 5 stars, 1 to 10); name them with --label-names "
    "(FER2013's: angry,disgust,fear,happy,sad,surprise,neutral).":
        "标签“{label}”是一个数字，而标签列的数字 {low} 到 {top} 不符合所读取的任何编号方式（0 / 1、1 / 2、0 / 1 / 2、"
        "-1 / 0 / 1、0 到 4、1 到 5 星、1 到 10）；请用 --label-names 为它们命名（FER2013 的："
        "angry,disgust,fear,happy,sad,surprise,neutral）。",
    "Label '{label}' is a number --label-names does not name.": "标签“{label}”是一个 --label-names 没有命名的数字。",
    "*No row carries a label: nothing to score.*": "*没有任何行带有标签：无从评分。*",
    "*Every explained row falls in one slice of each kind.*": "*每个已解释的行在每种分组中都落在同一个切片里。*",
    "truth ↓ · predicted →": "真实 ↓ · 预测 →",
    "by slice": "切片", "rows": "行数", "accuracy": "准确率", "macro F1": "宏 F1",
    "relies most on (mean abs. Shapley)": "最依赖（平均绝对 Shapley）",
    "modalities used": "所用模态", "language": "语言", "conflict": "冲突", "label": "标签",
    "agreement": "一致", "one modality": "单一模态", "unlabelled": "无标签", "unknown": "未知", "none": "无",
    "id": "编号", "predicted": "预测", "P(predicted)": "P(预测)", "{modality} alone": "仅{modality}",
    "Shapley {modality}": "Shapley {modality}", "unfaithful maps": "不可信的归因图", "top words": "最重要的词",
    "error": "错误", "error or input not read": "错误或未读取的输入", "yes": "是",
    "Map of the rows: their fused features by PCA": "各行的分布图：其融合特征经 PCA 投影",
    "colour: label · ×: predicted wrong · click a point to open its row": "颜色：标签 · ×：预测错误 · 点击一个点打开其所在行",
    "label {label}": "标签 {label}", " · predicted wrong": " · 预测错误",
    "label: {label} · predicted: {predicted}": "标签：{label} · 预测：{predicted}",
    "{method} {axis} ({variance} of the variance)": "{method} {axis}（占方差的 {variance}）",
    "{kept} rows' fused features ({width} numbers each: what the fusion read its verdict from), projected by PCA onto "
    "their two main axes ({variance} of their variance){left_out}.":
        "{kept} 行的融合特征（每行 {width} 个数：融合据以得出结论的数值），经 PCA 投影到其两条主轴上（占其方差的 "
        "{variance}）{left_out}。",
    "; {n} explained rows carry none and are left out": "；{n} 个已解释的行没有融合特征，未画出",
    "No row was explained, so there is nothing to map.": "没有任何行被解释，因此无可绘制。",
    "No map: these rows were explained before explain-batch kept their fused features; explain them again into a new "
    "results folder to map them.": "无分布图：这些行在 explain-batch 保存融合特征之前就已解释；请将它们重新解释到一个"
                                    "新的结果文件夹中以绘制分布图。",
    "No map: {kept} explained rows carry fused features; a map needs at least {least}.":
        "无分布图：只有 {kept} 个已解释的行带有融合特征；分布图至少需要 {least} 行。",
    "No map: {kept} explained row carries fused features; a map needs at least {least}.":
        "无分布图：只有 {kept} 个已解释的行带有融合特征；分布图至少需要 {least} 行。",
    "Colour: the row's label; ×: a labelled row the model got wrong. Click a point to open its row in the **Explain** "
    "tab.": "颜色：该行的标签；×：模型判断错误的有标签行。点击一个点，在“解释”页打开其所在行。",
    "**Row '{row}' of {folder}**, as explain-batch saved it (preset {preset})":
        "**{folder} 中的行“{row}”**，即 explain-batch 保存时的样子（预设 {preset}）",
    " · label: **{label}**": " · 标签：**{label}**", " · **Explain** runs it again here": " · 点“解释”可在此重新运行",
    "reading the manifest": "正在读取清单", "explaining rows": "正在解释各行",
    "Stopped after {done} of {total} rows; the rows done are in {folder}.": "已在 {total} 行中的第 {done} 行后停止；"
    "已完成的行在 {folder} 中。",
    # the other choices of the Advanced panel (their values stay as the command line writes them)
    "both": "两者", "pad": "填充符", "mask": "掩码符", "unk": "未知词符", "black": "黑色", "blur": "模糊", "mean": "均值",
    "even vote": "均等一票",
    "no part moved the score by 0.01 %: none is coloured": "没有哪一部分让分数变动达到 0.01 %：都未着色",
    "silence": "静音", "auto": "自动", "latent": "潜在层",  # noise, waveform: below
    "pad token": "填充符", "mask token": "掩码符", "unk token": "未知词符",
    "gradient shap": "梯度 SHAP", "kernel shap": "Kernel SHAP", "lime": "LIME", "saliency": "显著性",
    "feature ablation": "特征消融", "grad cam": "Grad-CAM", "attention rollout": "注意力展开",
    # the what-ifs
    "What would change its mind?": "什么会改变它的判断？",
    "Each line was checked by the model: the edit was made and the fused verdict read again. The search starts from "
    "the map's ranking, grows the set until the verdict flips, then puts back every unit it can.":
        "每一行都经模型核实：做出修改后重新读取融合结论。搜索从归因图的排名开始，逐步扩大集合直到结论翻转，再放回所有可以放回的单元。",
    "{passes} model runs, {seconds} s": "模型运行 {passes} 次，{seconds} 秒",
    "{passes} model run, {seconds} s": "模型运行 {passes} 次，{seconds} 秒",
    "; not pruned to the fewest: its time ran out": "；未精简到最少：时间用完",
    "; not pruned to the fewest: its model runs ran out": "；未精简到最少：模型运行次数用完",
    "removed: {units}": "已移除：{units}",
    "Without {units} it reads {reads}.": "去掉{units}，结论变为{reads}。",
    "With {pairs} ({how}) it reads {reads}.": "换成{pairs}（{how}），结论变为{reads}。",
    "antonyms": "反义词", "neutral words": "中性词",
    "'{a}' → '{b}'": "“{a}”→“{b}”", "'{w}'": "“{w}”",
    "the spoken word {words}": "说出的词{words}", "the voice at {times}": "{times}处的声音",
    "picture region {regions}": "图片区域 {regions}", "the video moment {moments}": "视频时刻 {moments}",
    "{n} more": "另外 {n} 个",
    "{name}: no flip found before the what-if's time ran out": "{name}：反事实搜索的时间用完前没有找到翻转",
    " ({n} forwards)": "（{n} 次前向）",
    "{name}: no flip within {n} forwards": "{name}：{n} 次前向内没有翻转",
    "{name}: no flip": "{name}：没有翻转",
    "The explanation below was made before your changes: click Explain to bring it up to date, then copy its link.":
        "下面的解释是在你修改之前做出的：请点击“解释”使其更新，然后再复制链接。",
    " (nothing could be tried).": "（没有可以尝试的修改）。",
    HOW_READ: "{refusal}读取方式：{how}",
    BLANKED: "去掉每一个{what}并不等于不用{name}（图表中的“去掉{name}”才是）：它的模型仍会读取剩下的内容。",
    WHAT_IF_NOT_TRIED: "{name}：没有尝试；反事实分析的时间（时间预算的一半）已经用完。更大的时间预算可以留出时间。",
    WHAT_IF_SWAPS_NOT_TRIED: "{name}：没有尝试{swaps}；反事实分析的时间（时间预算的一半）已经用完。更大的时间预算可以留出时间。",
    "{name}: none of the words that push toward {label} is in the what-if's lexicon, so none was replaced.":
        "{name}：推向{label}的词都不在反事实词表中，因此没有替换任何词。",
    ", too close to call against {label} ({p})": "，与{label}（{p}）难分高下", " ({pairs})": "（{pairs}）",
    "{head}; {how} {which} it still reads {reads}.": "{head}；{how}{which}，结论仍是{reads}。",
    "without": "去掉", "with antonyms for": "把反义词换入", "with neutral words for": "把中性词换入",
    "all {k} {what}s": "全部 {k} 个{what}", "its only {what}": "它唯一的{what}", "the top {what}": "排名第一的{what}", "the top {k} {what}s": "排名前 {k} 的{what}",
    "word": "词", "region": "区域", "segment": "片段", "moment": "时刻", "unit": "单元", "spoken word": "说出的词",
    # how it sounds
    "How it sounds: none of these changes moves P({verdict}) by as much as half a point.":
        "听起来如何：这些变化都没有让 P({verdict}) 变动半个百分点。",
    "How it sounds: {top} moves P({verdict}) most (up to {points} points){tail}.":
        "听起来如何：{top}对 P({verdict}) 的影响最大（最多 {points} 个百分点）{tail}。",
    "; {flips} flips it": "；{flips}会翻转结论", "; none flips it": "；没有一种会翻转结论",
    "the clip with": "片段改为", "reads": "结论", "P({verdict}) moves (points)": "P({verdict}) 变化（百分点）",
    "How it sounds": "听起来如何", " (flips it)": "（翻转结论）",
    "How far each change of the sound moved P({verdict})": "每种声音变化让 P({verdict}) 变动多少",
    "How it sounds: this audio model judges the recognised words, not the tone of voice, so changing pitch, "
    "speaking rate, loudness or noise is not shown.": "听起来如何：这个音频模型判断的是识别出的词语，而不是语气，因此不展示"
                                                     "音高、语速、响度或噪声变化的影响。",
    "pitch": "音高", "rate": "语速", "loudness": "响度", "noise": "噪声",
    "pitch {n} semitones": "音高 {n} 个半音", "speaking rate ×{n}": "语速 ×{n}", "loudness {n} dB": "响度 {n} dB",
    "noise at {n} dB SNR": "信噪比 {n} dB 的噪声",
    # the engine's notices (the JSON keeps them in English)
    "Video: no face was found in any of the {total} frames read, so the face track abstains.":
        "视频：读取的 {total} 帧中都没有找到人脸，因此人脸轨道弃权。",
    "Nothing could be read, so there is no verdict: {why}, and no other input is given and switched on. {advice}":
        "没有可读取的内容，因此没有判断：{why}，而且没有给出并启用其他输入。{advice}",
    "Add text or audio, or give a clip that shows a face.": "请加上文字或音频，或给出一段露出人脸的视频。",
    "Add text or a picture, or give a clip in which someone speaks.": "请加上文字或图片，或给出一段有人说话的音频。",
    "no one speaks in the audio clip": "音频片段里没有人说话",
    "{why} (only its first {n} s of {k} s were heard)": "{why}（{k} 秒中只听了前 {n} 秒）",
    "no face was found in any of the {n} frames of the video (only its first {k} s of {seconds} s were read)":
        "视频的 {n} 帧中都没有找到人脸（{seconds} 秒中只读取了前 {k} 秒）",
    "no words were recognised in the audio clip": "音频片段里没有识别出任何词语",
    "speech recognition heard only the same words over and over in the audio clip":
        "语音识别在音频片段里只反复听到同样的词语",
    "no face was found in any of the {total} frames of the video": "视频的 {total} 帧中都没有找到人脸",
    "Browsers do not play this clip's format, so it was converted to one they do (H.264); the converted copy is "
    "what is shown and read.": "浏览器无法播放这段视频的格式，因此已转换为可播放的格式（H.264）；显示和读取的都是转换后的副本。",
    "Text: read whole, in {k} overlapping windows of {w} tokens ({n} tokens in all); {how}":
        "文字：完整读取，分成 {k} 个各 {w} 个词元的重叠窗口（共 {n} 个词元）；{how}",
    "the verdict pools the windows' verdicts, weighing most the windows that take a side.":
        "结论汇总各窗口的结论，立场鲜明的窗口权重最大。",
    "the verdict is the mean of the windows' verdicts.": "结论是各窗口结论的平均。",
    "The {name} explanation failed ({why}).": "{name}的解释失败了（{why}）。",
    "Time budget {budget} s for the maps: {parts}.": "归因图的时间预算 {budget} 秒：{parts}。",
    "every map": "每张图", "IG at most {n} steps (its completeness gap is shown)": "IG 最多 {n} 步（显示其完整性差距）",
    "a {a}×{b} grid": "{a}×{b} 网格", "segments of {n} s": "{n} 秒的片段",
    "occluded at the latent level (its map can differ from the waveform's)": "在潜在层遮挡（其归因图可能与波形上的不同）",
    "a {n}-point deletion curve": "{n} 点的删除曲线", "{method} only": "仅{method}",
    "Time budget {budget} s for the maps cannot be met (about {seconds} s at the least): {parts}. A larger time "
    "budget (0: no limit) gives finer maps.":
        "归因图的时间预算 {budget} 秒无法满足（至少约需 {seconds} 秒）：{parts}。更大的时间预算（0：不限）能给出更精细的归因图。",
    "Time budget {budget} s for the maps could not be met: they took {took} s with the least they can do: {parts}. A "
    "larger time budget (0: no limit) gives finer maps.":
        "归因图的时间预算 {budget} 秒未能满足：即使降到最低设置仍用了 {took} 秒：{parts}。更大的时间预算（0：不限）能给出更精细的归因图。",
    "Video: a face was found in {found} of {total} frames; only those were read.":
        "视频：{total} 帧中有 {found} 帧找到了人脸；只读取了这些帧。",
    "Video: its sound track was not used ({why})": "视频：未使用其音轨（{why}）",
    "Audio: the video's sound track (no audio clip was given).": "音频：视频的音轨（未给出音频片段）。",
    "Text: the words said in the video, as Whisper base speech recognition heard them (no text was given).":
        "文字：视频中说的话，由 Whisper base 语音识别听出（未给出文字）。",
    "Video: the words said in it were not read ({why})": "视频：未读取其中说的话（{why}）",
    "Audio: speech recognition was unsure of the words it heard (a very short or unclear clip is often misheard); "
    "check the transcript before trusting the voice's verdict.": "音频：语音识别对听到的词语没有把握（很短或不清晰的片段常被听错）；"
                                                                 "请先核对转写文字，再相信声音的判断。",
    "Audio: speech recognition heard the same words over and over (music, a tone, or speech it could not make out?), "
    "so lite audio has nothing to judge.":
        "音频：语音识别反复听到同样的词语（是音乐、单音，还是它听不清的语音？），因此 lite 音频模型无从判断。",
    "Video: speech recognition was unsure of the words it heard (music or noise?), so they were not read as the text.":
        "视频：语音识别对听到的话没有把握（音乐或噪声？），因此没有把它们当作文字读取。",
    "The {m} model could not be loaded, so the {m} was not used.": "{m}模型无法加载，因此未使用{m}。",
    "This preset has no {m} model, so the {m} was not used.": "此预设没有{m}模型，因此未使用{m}。",
    "The folder '{path}' holds no trained head (a `train` run writes preset.json and config.json into its folder): "
    "give one that does, a preset file, or one of {known}.":
        "文件夹“{path}”里没有训练好的融合头（`train` 会在其文件夹中写入 preset.json 和 config.json）：请给出这样的文件夹、"
        "一个预设文件，或 {known} 之一。",
    "No preset file or folder at '{path}': give a preset JSON/YAML file, a folder a `train` run wrote, or one of "
    "{known}.": "“{path}”处没有预设文件或文件夹：请给出一个 JSON/YAML 预设文件、`train` 写出的文件夹，或 {known} 之一。",
    "Unknown preset '{path}'. Use one of: {known}, the path of a preset JSON/YAML file, or a folder a `train` run "
    "wrote.": "未知的预设“{path}”。请使用 {known} 之一、一个 JSON/YAML 预设文件的路径，或 `train` 写出的文件夹。",
    "'{path}' is not a preset file: it does not read as {fmt} ({why}).": "“{path}”不是预设文件：无法按 {fmt} 读取（{why}）。",
    "This preset's trained fusion head reads only {reads}, so the {m} was not used.":
        "此预设训练的融合头只读取{reads}，因此未使用{m}。",
    "This preset's trained fusion head reads only {reads}, and none was given ({given}), so there is no verdict: "
    "give {reads}.": "此预设训练的融合头只读取{reads}，而所给输入（{given}）中没有，因此没有结论：请提供{reads}。",
    "This preset's trained fusion head knows only {labels}: its verdict is never {missing}.":
        "此预设训练的融合头只认识{labels}：其结论永远不会是{missing}。",
    "Image: no face was found, so the whole picture was read as a face.": "图片：没有找到人脸，因此把整张图片当作人脸读取。",
    "Audio: no words were recognised, so lite audio has nothing to judge.": "音频：没有识别出任何词语，因此 lite 音频模型无从判断。",
    "Audio: no one speaks in the clip (music, noise or a tone?), so lite audio has nothing to judge.":
        "音频：片段里没有人说话（是音乐、噪声或单音？），因此 lite 音频模型无从判断。",
    "Text: too long for the model; only the first {max} of {n} tokens were read.":
        "文字：对模型来说太长；{n} 个词元中只读取了前 {max} 个。",
    "Video: only the first {s} s{total} were used.": "视频：只使用了前 {s} 秒{total}。", " of {n} s": "（共 {n} 秒）",
    "Video: its sound track was not used either: the audio input is switched off.": "视频：也没有使用它的音轨：音频输入已关闭。",
    "Video: its sound track was not used; the audio clip given was read as the voice instead.":
        "视频：没有使用它的音轨；改为把给出的音频片段当作人声读取。",
    "{kind}: no file at '{path}', so the row was explained without it.": "{kind}：'{path}' 处没有文件，因此这一行在没有它的情况下解释。",
    "{kind}: could not be read ({why}), so the row was explained without it.":
        "{kind}：无法读取（{why}），因此这一行在没有它的情况下解释。",
    "{kind}: '{path}' is outside the dashboard's data folder, so it was not read; put it inside that folder to use it.":
        "{kind}：'{path}' 在仪表板数据文件夹之外，因此没有读取；把它放进那个文件夹才能使用。",
    "{kind}: the link '{link}' was not fetched (the dashboard reads only files in its data folder); explain-batch on "
    "the command line reads links.":
        "{kind}：没有获取链接 '{link}'（仪表板只读取其数据文件夹中的文件）；命令行的 explain-batch 可以读取链接。",
    "Video: only the first {s} s{total} of its pictures were read; its sound, the first {k} s.":
        "视频：画面只读取了前 {s} 秒{total}；声音读取了前 {k} 秒。",
    "The uploaded image": "上传的图片", "The uploaded video": "上传的视频", "The uploaded audio": "上传的音频",
    "Audio: the file has {n} sound tracks; track {k}, the loudest, was read.":
        "音频：该文件有 {n} 条音轨；读取了最响的第 {k} 条。",
    "Video: the file has {n} sound tracks; track {k}, the loudest, was read.":
        "视频：该文件有 {n} 条音轨；读取了最响的第 {k} 条。",
    "Video: its sound runs {n} s, past its pictures' {k} s; the sound after them was not read (give the file as "
    "audio to hear all of it).": "视频：它的声音长 {n} 秒，超过了画面的 {k} 秒；画面之后的声音没有读取（把该文件作为音频给出即可听完整段）。",
    "{file} is a HEIC picture (an iPhone's), which this installation cannot decode; export it as JPEG or PNG (or "
    "install pillow-heif).": "{file} 是 HEIC 图片（iPhone 拍摄的），本安装无法解码；请导出为 JPEG 或 PNG（或安装 pillow-heif）。",
    "Text: only the first {max} of {n} characters were used.": "文字：{n} 个字符中只使用了前 {max} 个。",
    "Text: {n} HTML tag taken out before it was read.": "文字：读取前去掉了 {n} 个 HTML 标签。",
    "Text: {n} HTML tags taken out before it was read.": "文字：读取前去掉了 {n} 个 HTML 标签。",
    "Text: it holds no words (only punctuation, symbols or emoji), so its verdict says how the model takes these "
    "marks, not what anyone meant.": "文字：其中没有词语（只有标点、符号或表情），因此它的结论只说明模型如何看待这些符号，"
                                     "而不是任何人想表达的意思。",
    "Text: {n} control character (not text) taken out before it was read.": "文字：读取前去掉了 {n} 个控制字符（不是文字）。",
    "Text: {n} control characters (not text) taken out before it was read.":
        "文字：读取前去掉了 {n} 个控制字符（不是文字）。",
    "Text: {n} invisible character (zero-width, soft hyphens) taken out before it was read.":
        "文字：读取前去掉了 {n} 个不可见字符（零宽字符、软连字符）。",
    "Text: {n} invisible characters (zero-width, soft hyphens) taken out before it was read.":
        "文字：读取前去掉了 {n} 个不可见字符（零宽字符、软连字符）。",
    "Image: downscaled from {a} to {b} pixels.": "图片：从 {a} 缩小到 {b} 像素。",
    "Image: an animated picture of {n} frames; only its first frame was read.": "图片：一张 {n} 帧的动图；只读取了第一帧。",
    "Image: a picture of {n} pages; only its first page was read.": "图片：一张 {n} 页的图片；只读取了第一页。",
    "Audio: its samples went beyond full scale (peak {n}); the clip was scaled down to fit.":
        "音频：它的采样超出了满刻度（峰值 {n}）；整段已按比例缩小。",
    "Audio: only the first {s} s of {total} s were used.": "音频：{total} 秒中只使用了前 {s} 秒。",
    "Audio: the file ends early (cut off or damaged): it says {total} s, and the {s} s it holds were read.":
        "音频：文件提前结束（被截断或已损坏）：它标明 {total} 秒，读取了其中实有的 {s} 秒。",
    "Audio: the clip is silent or nearly so.": "音频：片段是静音或几乎静音。",
    # the dashboard's lines
    "error: {message}": "错误：{message}",
    "The {kind} could not be downloaded from {url}: {why}.": "无法从 {url} 下载{kind}：{why}。",
    "it is not a public address (only public http(s) addresses are fetched)": "它不是公网地址（只获取公网 http(s) 地址）",
    "its host name was not found (no network here, or a typo)": "找不到其主机名（这里没有网络，或地址有误）",
    "the download timed out": "下载超时", "the server answered {status}": "服务器返回 {status}",
    "the download failed ({error})": "下载失败（{error}）",
    "The {kind} data URI must be base64 (data:<type>;base64,<data>).":
        "{kind}的 data URI 必须是 base64 编码（data:<类型>;base64,<数据>）。",
    "The {kind} data URI could not be decoded: its base64 is not valid.": "无法解码{kind}的 data URI：它的 base64 无效。",
    "The {kind} data URI holds no data.": "{kind}的 data URI 里没有数据。",
    "The {kind} data URI could not be decoded.": "无法解码{kind}的 data URI。",
    "Every input given is switched off ({off}), so there is no verdict: switch at least one on.":
        "给出的每个输入都已关闭（{off}），因此没有结论：请至少打开一个。",
    "No model of this preset reads the inputs given ({given}), so there is no verdict.":
        "此预设没有能读取所给输入（{given}）的模型，因此没有结论。",
    "Every input you gave is switched off. Tick at least one 'use' box to get a prediction.":
        "你给出的输入都已关闭。请至少勾选一个“使用”框以得到预测。",
    "Give at least one input: {flags} (or --from a saved explanation).": "请至少给出一个输入：{flags}（或 --from 一个保存的解释）。",
    "Give at least one input: {kinds}.": "请至少给出一个输入：{kinds}。",
    "Give at least one input: type some text, add a picture, or upload/record an audio or video clip.":
        "请至少给出一个输入：输入一段文字、添加一张图片，或上传/录制一段音频或视频。",
    "Compare explains the inputs on the Explain tab, and none is given there: type some text, add a picture, or "
    "upload/record an audio or video clip on the Explain tab.":
        "“对比”解释的是“解释”标签页上的输入，而那里没有任何输入：请在“解释”标签页输入一段文字、添加一张图片，或上传/录制一段音频或视频。",
    "No face was found in the picture, so the face model abstains, and nothing else is given to read.":
        "图片中没有找到人脸，因此人脸模型弃权，而且没有其他可读取的输入。",
    "No face was found in the picture, so the face model abstains, and nothing else is given to read. Add --text, "
    "--audio or --video, or give --face-anyway to read it as a face all the same.":
        "图片中没有找到人脸，因此人脸模型弃权，而且没有其他可读取的输入。请加上 --text、--audio 或 --video，"
        "或给出 --face-anyway 把它当作人脸读取。",
    "Image: no face was found, so the face model abstains and the picture is not used.":
        "图片：没有找到人脸，因此人脸模型弃权，没有使用这张图片。",
    "No face was found in the picture, so the face model abstains, and nothing else is given to read. Add text or "
    "audio, or tick 'read a picture without a face as a face' in Advanced.":
        "图片中没有找到人脸，人脸模型弃权，而且没有其他可读的输入。请添加文字或音频，或在“高级设置”中勾选“把没有人脸的图片当作人脸读取”。",
    "**Preset:** {preset} · **Device:** {device} ({dtype})": "**预设：** {preset} · **设备：** {device}（{dtype}）",
    " · **Reads:** {languages}": " · **可读语言：** {languages}", ", {languages} only": "，仅{languages}",
    "**Running offline: lite models{only}** ({device})": "**离线运行：lite 模型{only}**（{device}）",
    "**Running the '{preset}' preset instead**": "**改用“{preset}”预设运行**",
    "{modality}: offline stand-in": "{modality}：离线替代模型", "{modality}: switched off": "{modality}：已关闭",
    " (its Hub model could not be loaded)": "（其 Hub 模型无法加载）", "what did not load, and why": "哪些没有加载，以及原因", "why": "原因",
    "preset": "预设", "settings": "设置", "the {m} switch": "{m}开关",
    # a user's bad input (msa_demo.inputs), one line each
    "Error": "错误", "Warning": "注意", "Note": "提示",
    # the page's refusals (ui.Dashboard), said in the page's language by ui.i18n.told
    "There is no explanation to share yet: click 'Explain' first.": "还没有可以分享的解释：请先点击“解释”。",
    "The explanation could not be stored for sharing on this server; download the report instead.":
        "无法在此服务器上保存这个解释以供分享；请改为下载报告。",
    "There is no explanation yet: click 'Explain' first, then download the report.":
        "还没有解释：请先点击“解释”，再下载报告。",
    "The preset '{preset}' is not loaded. Pick one of: {names}.": "预设“{preset}”没有加载。请从这些中选择：{names}。",
    "The preset '{preset}' could not be loaded for the comparison: {why}":
        "无法为对比加载预设“{preset}”：{why}",
    "These inputs cannot be read: {why}.": "无法读取这些输入：{why}。",
    # the Dataset tab's refusals (ui.dataset_tab), a warning each
    "Type or pick a results folder first.": "请先输入或选择一个结果文件夹。",
    "Type or pick a manifest first.": "请先输入或选择一个清单文件。",
    "Only paths inside the dashboard's data folder ({root}) can be used here ('{text}' is outside it; set "
    "MSA_DATASET_ROOT when starting the app to choose that folder).":
        "这里只能使用仪表板数据文件夹（{root}）里的路径（“{text}”在它之外；启动应用时设置 MSA_DATASET_ROOT 来选择那个文件夹）。",
    "This dashboard ships no example manifest (examples/manifest.csv is missing).":
        "这个仪表板没有附带示例清单（缺少 examples/manifest.csv）。",
    "Upload a manifest first: a CSV, JSONL or Parquet file, or a .zip of a folder that holds one with its pictures "
    "and clips.": "请先上传一个清单：CSV、JSONL 或 Parquet 文件，或一个装有清单及其图片和音视频的文件夹的 .zip。",
    "'{name}' is not a manifest: upload a CSV, JSONL or Parquet file, or a .zip.":
        "“{name}”不是清单：请上传 CSV、JSONL 或 Parquet 文件，或一个 .zip。",
    "'{name}' unpacks to more than {mb} MB or {files} files; run explain-batch on the command line instead.":
        "“{name}”解压后超过 {mb} MB 或 {files} 个文件；请改在命令行运行 explain-batch。",
    "'{name}' holds a file outside its own folder ({member}).": "“{name}”含有一个位于其自身文件夹之外的文件（{member}）。",
    "'{name}' is not a readable .zip file.": "“{name}”不是可读取的 .zip 文件。",
    "'{name}' holds no manifest (a .csv, .jsonl or .parquet file).": "“{name}”里没有清单（.csv、.jsonl 或 .parquet 文件）。",
    "Run 1 to {n} rows here; explain-batch on the command line runs more.":
        "这里可以运行 1 到 {n} 行；在命令行运行 explain-batch 可以处理更多。",
    "Click a point of the map to open its row.": "点击地图上的一个点来打开它对应的行。",
    "'{folder}' holds no dataset results (no results.parquet).": "“{folder}”里没有数据集结果（没有 results.parquet）。",
    "'{folder}' holds no dataset results (no rows/ and no results.parquet).":
        "“{folder}”里没有数据集结果（没有 rows/，也没有 results.parquet）。",
    "There is no row '{row}' in {folder}.": "{folder} 中没有“{row}”这一行。",
    "Row '{row}' could not be explained: {why}": "“{row}”这一行无法解释：{why}",
    "Row '{row}' has no saved explanation in {folder}; run explain-batch on the folder again to write it.":
        "{folder} 中没有“{row}”这一行保存的解释；请对该文件夹再次运行 explain-batch 来写入它。",
    "The saved explanation of row '{row}' could not be read ({file}).": "无法读取“{row}”这一行保存的解释（{file}）。",
    "No image file was found at '{name}'.": "找不到图片文件“{name}”。",
    "'{path}' is a folder, not an image file; give the file itself.": "“{path}”是一个文件夹，不是图片文件；请给出文件本身。",
    "'{path}' is a folder, not an audio file; give the file itself.": "“{path}”是一个文件夹，不是音频文件；请给出文件本身。",
    "'{path}' is a folder, not a video file; give the file itself.": "“{path}”是一个文件夹，不是视频文件；请给出文件本身。",
    "No audio file was found at '{name}'.": "找不到音频文件“{name}”。",
    "No video file was found at '{name}'.": "找不到视频文件“{name}”。",
    "'{name}' is a video, not a picture: give it as a video.": "“{name}”是视频，不是图片：请作为视频给出。",
    "'{name}' is an audio clip, not a picture: give it as audio.": "“{name}”是音频，不是图片：请作为音频给出。",
    "'{name}' is a picture, not an audio clip: give it as an image.": "“{name}”是图片，不是音频：请作为图片给出。",
    "'{name}' is a picture, not a video: give it as an image.": "“{name}”是图片，不是视频：请作为图片给出。",
    "'{name}' is an audio clip, not a video: give it as audio.": "“{name}”是音频，不是视频：请作为音频给出。",
    "'{name}' is a URL, not a file on this machine: download it first (explain-batch reads URLs in a manifest).":
        "“{name}”是一个网址，不是本机上的文件：请先下载（explain-batch 可读取清单中的网址）。",
    "'{name}' is not a supported audio file; use WAV, FLAC, OGG, MP3, Opus, M4A / AAC, WebM or the sound of a video "
    "file.": "“{name}”不是支持的音频文件；请使用 WAV、FLAC、OGG、MP3、Opus、M4A / AAC、WebM 或视频文件的声音。",
    "{name} holds no sound (it is a video without a sound track).": "{name}没有声音（这是一个没有音轨的视频）。",
    "{name} holds no sound.": "{name}没有声音。",
    "{name} could not be read as a video. It may be damaged or not a video; use MP4, WebM, MOV, MKV, AVI or an "
    "animated GIF.": "{name}无法作为视频读取。它可能已损坏或不是视频；请使用 MP4、WebM、MOV、MKV、AVI 或 GIF 动图。",
    "{name} is empty (0 bytes): there is no video in it.": "{name}是空的（0 字节）：里面没有视频。",
    "{name} is a still picture, not a video: give it as an image.": "{name}是静止图片，不是视频：请作为图片给出。",
    "{name} is a still picture (a GIF of one frame), not a video: give it as an image.":
        "{name}是静止图片（只有一帧的 GIF），不是视频：请作为图片给出。",
    "{name} is not a supported video file; use MP4, WebM, MOV, MKV, AVI or an animated GIF.":
        "{name}不是支持的视频文件；请使用 MP4、WebM、MOV、MKV、AVI 或 GIF 动图。",
    "{name} holds no video frames (zero length).": "{name}没有视频帧（长度为零）。",
    "{name} has no decodable video stream (its frames could not be decoded).": "{name}没有可解码的视频流（其帧无法解码）。",
    "{name} has no video stream (it holds only sound: give it as audio).": "{name}没有视频流（只有声音：请作为音频给出）。",
    "{name} has no video stream.": "{name}没有视频流。",
    "{name} is too large to open safely (over 200 megapixels).": "{name}太大，无法安全打开（超过 2 亿像素）。",
    "{name} could not be read as a picture. It may be damaged or not an image; use PNG, JPEG, WebP, GIF, BMP or TIFF.":
        "{name}无法作为图片读取。它可能已损坏或不是图片；请使用 PNG、JPEG、WebP、GIF、BMP 或 TIFF。",
    "{name} could not be decoded. It may be damaged or in an unsupported format; use WAV, FLAC, OGG, MP3, Opus, "
    "M4A / AAC, WebM or the sound of a video file.":
        "{name}无法解码。它可能已损坏或格式不受支持；请使用 WAV、FLAC、OGG、MP3、Opus、M4A / AAC、WebM 或视频文件的声音。",
    "{name} cannot be used: the file is empty (0 bytes). Choose the {what} again.":
        "{name}无法使用：文件是空的（0 字节）。请重新选择{what}。",
    "picture": "图片",
    "The audio clip is empty: it holds no sound at all.": "音频片段是空的：其中没有任何声音。",
    "The audio clip is too short ({ms} ms); use at least 0.1 seconds.": "音频片段太短（{ms} 毫秒）；请至少使用 0.1 秒。",
    "The image is only {w}×{h} pixels; use one at least 8 pixels wide and tall.":
        "图片只有 {w}×{h} 像素；请使用宽和高都至少 8 像素的图片。",
    "The text is not valid UTF-8. Paste it as plain text.": "文字不是有效的 UTF-8。请以纯文本粘贴。",
    "{label} (row {r}, column {c})": "{label}（第 {r} 行第 {c} 列）",
    " of the {g}×{g} grid over the face": "脸部 {g}×{g} 网格中的",  # (before the regions in Chinese)
    " of the {g}×{g} grid over the picture": "整张图片 {g}×{g} 网格中的",
    "Video: the clip has no sound, so no voice was heard in it.": "视频：片段没有声音，因此没有从中听到人声。",
    "Time budget {budget} s for the maps: they took {took} s.": "归因图的时间预算 {budget} 秒：实际用了 {took} 秒。",
    "Time budget {budget} s: the {m} maps are not fitted to it; they run at their own settings.":
        "时间预算 {budget} 秒：{m}的解释图不按预算调整，按其自身设置运行。",
    "  {n} of the rows already done had failed; --retry-failed runs them again":
        "  已完成的行中有 {n} 行之前失败了；--retry-failed 会重新运行它们",
    "  {n} row(s) done before with other settings (preset, options, target, --use, --top or --face-anyway) were "
    "explained again": "  {n} 行之前用其他设置（预设、选项、目标类别、--use、--top 或 --face-anyway）完成，已重新解释",
    "stopped: {n} row(s) are done in {out}; run the same command again to go on from there":
        "已停止：{out} 中已完成 {n} 行；再次运行同一命令即可从那里继续",
    "*B is A's own preset: the two agree by construction (a check of the comparison itself). Pick another preset, a "
    "preset file or a train folder to compare two models.*":
        "*B 就是 A 自己的预设：两者必然一致（这是对比本身的检查）。要对比两个模型，请选择另一个预设、预设文件或 train 文件夹。*",
    "The preset '{name}' could not be loaded for the comparison: {why}": "无法加载用于对比的预设 '{name}'：{why}",
    "give a built-in preset ({known}), or a preset file or folder a train run wrote inside the data folder "
    "({folder}).": "请给出内置预设（{known}），或数据文件夹（{folder}）内的预设文件或 train 运行写出的文件夹。",
    "Presets that did not load: {presets}": "未能加载的预设：{presets}",
    "The '{preset}' preset could not be loaded ({why}); using '{used}' instead.":
        "无法加载预设“{preset}”（{why}）；改用“{used}”。",
    "'{name}' has a picture's name ({suffix}) but holds none; it may be damaged or another kind of file.":
        "'{name}' 的文件名是图片的（{suffix}），里面却没有图片；它可能已损坏，或是另一种文件。",
    "'{name}' has an audio clip's name ({suffix}) but holds none; it may be damaged or another kind of file.":
        "'{name}' 的文件名是音频的（{suffix}），里面却没有音频；它可能已损坏，或是另一种文件。",
    "'{name}' has a video's name ({suffix}) but holds none; it may be damaged or another kind of file.":
        "'{name}' 的文件名是视频的（{suffix}），里面却没有视频；它可能已损坏，或是另一种文件。",
    # why (``modalities.load_pretrained``), with the advice that fits what runs (``Dashboard.reason``)
    "Cannot load '{id}' (revision {rev}): the Hugging Face Hub cannot be reached and no cached copy exists.":
        "无法加载 '{id}'（版本 {rev}）：连不上 Hugging Face Hub，也没有缓存的副本。",
    "Cannot load '{id}' (revision {rev}): the Hugging Face Hub cannot be reached and no cached copy exists. Run "
    "with --preset lite to work offline.": "无法加载 '{id}'（版本 {rev}）：连不上 Hugging Face Hub，也没有缓存的副本。"
                                          "用 --preset lite 运行即可离线工作。",
    "Cannot load '{id}' (revision {rev}): the Hugging Face Hub cannot be reached and no cached copy exists. Pick "
    "'lite' in the Preset menu to work offline.": "无法加载 '{id}'（版本 {rev}）：连不上 Hugging Face Hub，也没有缓存的"
                                                 "副本。在“预设模型”菜单中选择 'lite' 即可离线工作。",
    "Cannot load '{id}' (revision {rev}): the Hugging Face Hub cannot be reached and no cached copy exists. There is "
    "a folder '{folder}' here, and no '{name}' in it: if the model is a folder on this machine, check its name.":
        "无法加载 '{id}'（版本 {rev}）：连不上 Hugging Face Hub，也没有缓存的副本。这里有文件夹 '{folder}'，里面却没有 "
        "'{name}'：如果模型是本机上的文件夹，请检查它的名字。",
    "Cannot load '{id}' (revision {rev}) from the Hugging Face Hub: {why}": "无法从 Hugging Face Hub 加载 '{id}'（版本 {rev}）：{why}",
    "**No preset could be loaded; the app cannot predict.**": "**没有任何预设能够加载；应用无法预测。**",
    # the progress bar
    "predicting": "正在预测", "explaining {names}": "正在解释{names}", "explained {name}": "已解释{name}",
    "what-if: {name}": "反事实：{name}", "how it sounds": "听起来如何", "done": "完成",
    "Maps, model rows done/planned: {rows}": "归因图，已完成/计划的模型计算行数：{rows}",
    "*Explaining a worked example for you — one moment…*": "*正在为你解释一个示例——请稍候……*",
    "⚠ **Out of date:** the explanation below was made before you changed {what}. Click **Explain** to bring it "
    "up to date.": "⚠ **已过时：** 下面的解释是在你更改{what}之前做出的。点击**解释**以更新。",
    "⚠ **Out of date:** the verdicts and the explanation were made before you changed {what}. Click **Explain** to "
    "bring them up to date.": "⚠ **已过时：** 判断和解释都是在你更改{what}之前做出的。点击**解释**以更新。",
    "⚠ **Out of date:** this comparison was made before you changed {what}. Click **Compare** to bring it up to "
    "date.": "⚠ **已过时：** 这次比较是在你更改{what}之前做出的。点击**比较**以更新。",
    "the second preset (B)": "第二个预设（B）",
    "**A shared explanation**, read-only, made with the '{preset}' preset. Its inputs are in the boxes: **Explain** "
    "makes a new one here.": "**一个分享的解释**，只读，由“{preset}”预设生成。它的输入已填入各框中：点击**解释**可在此重新生成。",
    # the report
    "Why '{label}'? — multimodal sentiment explanation": "为什么是“{label}”？——多模态情绪解释",
    "msa_demo report — {label}": "msa_demo 报告——{label}",
    "used: {used}": "使用：{used}", "; switched off: {off}": "；已关闭：{off}", "; not read: {gone}": "；未读取：{gone}",
    "{modality} ({why})": "{modality}（{why}）",
    "Preset <b>{preset}</b>; explained class <b>{target}</b>; {used}.":
        "预设 <b>{preset}</b>；被解释的类别 <b>{target}</b>；{used}。",
    "class": "类别", "probability": "概率", "alone says": "单独判断", "model": "模型", "language read": "读到的语言",
    "{why} (not used)": "{why}（未使用）", "{alone} — {why}": "{alone}——{why}",
    "Modality contributions": "各模态的贡献",
    "Modalities disagree: {detail}": "各模态意见不一：{detail}",
    "How much each input moved P({target}) (Shapley value)": "每个输入让 P({target}) 变动多少（Shapley 值）",
    "all": "全部", "without {name}": "去掉{name}",
    "P({target}) with everything, and without one input": "全部输入时、以及去掉一个输入时的 P({target})",
    "Pairwise interactions: {pairs}": "两两交互：{pairs}",
    "Total: {passes} forward passes, {seconds} s.": "合计：{passes} 次前向计算，{seconds} 秒。",
    "Reproduce": "复现",
    "Save the JSON and run <code>python -m msa_demo explain --from report.json</code>.":
        "保存 JSON 并运行 <code>python -m msa_demo explain --from report.json</code>。",
    "Download the explanation JSON": "下载解释 JSON",
    "Two models side by side": "两个模型并排对比", "msa_demo — two models side by side": "msa_demo——两个模型并排对比",
    "Opposite signals": "相反的信号", "Mixed signals": "混杂的信号", "{modality} says {label} ({p})": "{modality}判断为{label}（{p}）",
    "▲▲ strongly for": "▲▲ 强烈支持", "▲ for": "▲ 支持", "▼ against": "▼ 反对", "▼▼ strongly against": "▼▼ 强烈反对",
    # two models side by side
    "{rho} ({word})": "{rho}（{word}）", "alike": "相似", "partly alike": "部分相似", "different": "不同", "opposite": "相反",
    "{n} of {k}": "{k} 个中的 {n} 个",
    "they agree": "两者一致", "they disagree": "两者不一致",
    "modality": "模态", "A alone": "单看 A", "B alone": "单看 B", "method": "方法", "rank agreement": "排名一致度",
    "top features shared": "共有的靠前特征", "only A's top": "仅 A 靠前", "only B's top": "仅 B 靠前",
    "*Rank agreement*: Spearman's ρ of the two maps' scores over the features both score (1: the same order). *Top "
    "features shared*: of each map's strongest (by size).": "*排名一致度*：两张归因图在共同特征上分数的 Spearman ρ"
                                                          "（1：顺序相同）。*共有的靠前特征*：各图最强（按大小）的特征中共有的。",
    "No map was made by both models with the same method.": "两个模型没有用同一种方法做出的归因图。",
    # the figures
    "How much each input<br>moved P({target})": "每个输入让<br>P({target}) 变动多少",
    "P({target}) with all,<br>and without each": "全部输入时的 P({target})，<br>以及逐一去掉时",
    "Shapley value": "Shapley 值", "pairwise interactions: {pairs}": "两两交互：{pairs}", "no {name}": "去掉{name}",
    " — ⚠ modalities disagree": "——⚠ 各模态意见不一",
    "every input moved it by about the same amount: none stands out": "每个输入的影响都差不多：没有哪个特别突出",
    "waveform": "波形", "segment attribution": "片段归因", "amplitude": "振幅", "relative push": "相对推力",
    "Audio: {caption}": "音频：{caption}",
    "key frame {time} s": "关键帧 {time} 秒", "The clip on one time axis": "同一时间轴上的片段",
    # the maps' captions
    "away from '{target}' {bar} toward '{target}' (each map scaled to its own strongest regions)":
        "背离“{target}” {bar} 朝向“{target}”（每张图按其自身最强的区域缩放）",
    "baseline: {baseline}": "基线：{baseline}", "{name}: {value}": "{name}：{value}",
    "steps": "步数", "n steps": "步数", "grid": "网格", "superpixels": "超像素", "window": "窗口",
    "segment seconds": "片段秒数", "to fit the time budget: {what}": "为满足时间预算：{what}",
    "original": "原图", "Each segment's push on P({target})": "每个片段对 P({target}) 的推力",
    "the words heard, each coloured by its stretch of voice": "听到的词，各按其所在的声音片段着色",
    "Face": "人脸", "Voice": "声音", "no face in any frame: the face track abstained": "所有帧中都没有人脸：人脸轨道弃权",
    "no face: the face model abstained": "没有人脸：人脸模型弃权",
    "The most decisive frame ({time} s): where in it, {caption}.": "最具决定性的一帧（{time} 秒）：其中的位置，{caption}。",
    # the modalities' report sections
    "Words": "词语", "Image": "图片", "Audio": "音频", "Video": "视频",
    "How sure the model is of each class, all inputs together (the three add up to 100 %).":
        "模型对每个类别有多确定（综合所有输入；三者相加为 100%）。",
    "Given but not used ({why}).": "已给出但未使用（{why}）。", "switched off": "已关闭",
    # training's command line (range checks)
    "--test-size 0 holds none out": "--test-size 0 不留出任何行",
    "not saved: give --output FOLDER to keep the head": "未保存：给出 --output 文件夹 以保留训练好的头",
    "stopped; nothing saved": "已停止；未保存任何内容",
    # dataset mode (output folders)
    "The results folder '{folder}' could not be made or written ({why}); choose another one.":
        "无法创建或写入结果文件夹“{folder}”（{why}）；请换一个。",
    "The results folder '{folder}' holds the rows of another manifest ({manifest}); give a new results folder for "
    "'{name}', or run that manifest to go on with it.":
        "结果文件夹“{folder}”里是另一份清单（{manifest}）的行；请为“{name}”另给一个新的结果文件夹，或运行那份清单以接着做下去。",
    "{name} cannot be used: the file is empty (0 bytes). Replace the file, or the manifest's path to it.":
        "{name} 无法使用：文件是空的（0 字节）。请替换这个文件，或改掉清单里指向它的路径。",
    # the command line
    "Sentiment: {label}  (preset {preset}; explained class: {target}; used: {used})":
        "情绪：{label}（预设 {preset}；被解释的类别：{target}；使用：{used}）",
    "Modality contributions to P({target}) (Shapley; {none} with nothing -> {all} with all):":
        "各模态对 P({target}) 的贡献（Shapley；无输入时 {none} -> 全部输入时 {all}）：",
    "without {m}: P({target}) = {p}": "去掉{m}：P({target}) = {p}",
    "interaction {pair}: {value}": "交互 {pair}：{value}",
    "{modality} — {method} ({baseline} baseline)": "{modality}——{method}（{baseline}基线）",
    "top regions {top}": "排名靠前的区域 {top}", "top words {top}": "排名靠前的词 {top}",
    "top segments {top}": "排名靠前的片段 {top}",
    "top moments {top}": "排名靠前的时刻 {top}",
    "IG delta {delta} of the output change ({steps} steps)": "IG 偏差为输出变化的 {delta}（{steps} 步）",
    "AOPC {aopc} vs random {rand}": "AOPC {aopc}，随机 {rand}", "sanity ρ {rho}": "合理性 ρ {rho}",
    "sensitivity {sens} under noise": "噪声下敏感度 {sens}",
    "{passes} forward passes, {seconds} s": "{passes} 次前向计算，{seconds} 秒",
    "verdict: {mark} {verdict}": "结论：{mark} {verdict}",
    "What would change its mind (checked by the model):": "什么会改变它的判断（经模型核实）：",
    "edited: {text}": "修改后：{text}",
    "{change} reads {label} P({verdict}) {points} points": "{change} 结论 {label}，P({verdict}) {points} 个百分点",
    "Total: {passes} forward passes, {seconds} s": "合计：{passes} 次前向计算，{seconds} 秒",
    "note: {note}": "注：{note}",
    "saved: {out}  (reproduce: python -m msa_demo explain --from {out})":
        "已保存：{out}（复现：python -m msa_demo explain --from {out}）",
    "report: {path}": "报告：{path}",
    "Sentiment: {label}  (preset {preset}; used: {used})": "情绪：{label}（预设 {preset}；使用：{used}）",
    "{modality} alone: {label} ": "单看{modality}：{label} ", "switched off: {off}": "已关闭：{off}",
    # tie fixes (fix-tie)
    "{a}, {b}: {verdict}. Both explained toward '{target}'.": "{a}，{b}：{verdict}。两者都朝“{target}”解释。",
    "{side} ({preset}) says {label}": "{side}（{preset}）判断为{label}",
    "{side} ({preset}) finds it too close to call": "{side}（{preset}）难分高下",
    "Too close to call: {a} or {b}? — multimodal sentiment explanation": "难分高下：{a}还是{b}？——多模态情绪解释",
    "the face pushed {way} {target} over {a}–{b} s, no moment more than another":
        "人脸在 {a}–{b} 秒一直{way}“{target}”推动，没有哪个时刻更突出",
    # dataset-mode fixes (fix-ds)
    "The one {modality} file the manifest names does not exist ('{path}'); an uploaded manifest's paths are read "
    "from the data folder ('{folder}').": "清单列出的唯一一个{modality}文件不存在（“{path}”）；上传的清单中的路径从数据文件夹"
                                         "（“{folder}”）读取。",
    "None of the {n} {modality} files the manifest names exists (the first: '{path}'); an uploaded manifest's "
    "paths are read from the data folder ('{folder}').": "清单列出的 {n} 个{modality}文件都不存在（第一个：“{path}”）；"
                                                        "上传的清单中的路径从数据文件夹（“{folder}”）读取。",
    "  {n} rows were explained without an input they name (a file missing, unreadable or a link that could not be "
    "read): {ids}; each row's notices say why": "  {n} 行在缺少其所列输入的情况下解释（文件缺失、无法读取，或链接无法读取）："
                                                "{ids}；每行的提示说明原因",
    "{n} rows were explained without an input they name (a file missing, unreadable, outside the data folder or a "
    "link not fetched): {modalities} · {ids}; each row's notices say why":
        "{n} 行在缺少其所列输入的情况下解释（文件缺失、无法读取、在数据文件夹之外，或链接未获取）：{modalities} · "
        "{ids}；每行的提示说明原因",
    "{n} labelled row(s) could not be explained and are left out of the scores": "{n} 个有标签的行未能解释，未计入评分",
    "'{name}' holds {n} manifests ({manifests}); zip the folder of one of them, with its pictures and clips.":
        "“{name}”包含 {n} 份清单（{manifests}）；请只压缩其中一份所在的文件夹，连同它的图片和片段。",
    "{n} row(s) repeat an earlier row's id and are named with #2, #3 ...: {ids}":
        "{n} 行的 id 与前面的行重复，已以 #2、#3 … 命名：{ids}",
    # video fixes (fix-vid)
    "Video: the file ends early (cut off or damaged): it says {total} s, but its pictures end at {s} s; what it holds "
    "was read.": "视频：文件提前结束（被截断或已损坏）：它标明 {total} 秒，但画面在 {s} 秒处就结束了；读取了其中实有的内容。",
    "Audio: the video's sound track was not used: the audio input is switched off.": "音频：没有使用视频的音轨：音频输入已关闭。",
    "Text: the words said in the video were not used: the text input is switched off.":
        "文字：没有使用视频中说的话：文字输入已关闭。",
    "The video has no sound, so the audio switched on has nothing to read, and what was given is switched off ({off}): "
    "there is no verdict. Switch the video on, or give an audio clip.":
        "视频没有声音，因此已打开的音频无内容可读，而所给的输入已关闭（{off}）：没有结论。请打开视频，或给出一段音频。",
    "Video: this {kind} file was converted to MP4 (H.264) so browsers can play it; that copy was read.":
        "视频：这个 {kind} 文件已转换为 MP4（H.264），以便浏览器播放；读取的是转换后的副本。",
    "Video: this {kind} file ({codec}) was converted to MP4 (H.264) so browsers can play it; that copy was read.":
        "视频：这个 {kind} 文件（{codec}）已转换为 MP4（H.264），以便浏览器播放；读取的是转换后的副本。",
    # command-line fixes (fix-cli)
    "late fusion": "后期融合",
    "Explained with the preset <b>{preset}</b> (fusion: {fusion}).": "解释所用的预设：<b>{preset}</b>（融合：{fusion}）。",
    "The manifest '{name}' has no 'text' column, and its column '{column}' looks like the text: {n} row(s) have "
    "nothing else to read. Map it: --columns text={column}.":
        "清单“{name}”没有“text”列，而它的“{column}”列看起来就是文字：有 {n} 行没有别的可读。请映射它：--columns text={column}。",
    "No text was read: the manifest has no 'text' column, and its column '{column}' looks like one; map it "
    "(--columns text={column}) to read it.":
        "未读取文字：清单没有“text”列，而它的“{column}”列看起来就是；请映射它（--columns text={column}）以读取。",
    # training fixes (fix-train)
    "no face was found, so the face model abstains": "没有找到人脸，因此人脸模型弃权",
    "The trained fusion head reads features of other sizes than the models loaded give ({sizes}), so the modalities' "
    "sentiments are averaged (late fusion) instead.": "训练好的融合头读取的特征尺寸与已加载模型给出的不同（{sizes}），因此改为平均各模态的情感（后期融合）。",
    "the head trained before in {output} was replaced": "{output} 中之前训练的头已被替换",
    # training fixes 2 (fix-train2)
    "Cannot load '{id}' (revision {rev}): its cached copy has no safetensors weights (only {part}), and only "
    "safetensors are loaded; the Hugging Face Hub cannot be reached to fetch them.":
        "无法加载 '{id}'（版本 {rev}）：它缓存的副本没有 safetensors 权重（只有 {part}），而只会加载 safetensors；"
        "连不上 Hugging Face Hub，无法获取它们。",
    "Cannot load '{id}' (revision {rev}): its cached copy has no safetensors weights (only {part}), and only "
    "safetensors are loaded; the Hugging Face Hub cannot be reached to fetch them. Run with --preset lite to work "
    "offline.": "无法加载 '{id}'（版本 {rev}）：它缓存的副本没有 safetensors 权重（只有 {part}），而只会加载 "
                "safetensors；连不上 Hugging Face Hub，无法获取它们。用 --preset lite 运行即可离线工作。",
    "Cannot load '{id}' (revision {rev}): its cached copy has no safetensors weights (only {part}), and only "
    "safetensors are loaded; the Hugging Face Hub cannot be reached to fetch them. Pick 'lite' in the Preset menu "
    "to work offline.": "无法加载 '{id}'（版本 {rev}）：它缓存的副本没有 safetensors 权重（只有 {part}），而只会加载 "
                        "safetensors；连不上 Hugging Face Hub，无法获取它们。在“预设模型”菜单中选择 'lite' 即可离线工作。",
    # a refused input, and how to go on without it (stop 53)
    "To go on without the {modality}, remove it or untick “use {modality}”.":
        "要不用{modality}继续，请移除它，或取消勾选“使用{modality}”。",
    "Only the first seconds a preset reads are used: trim the clip to them, or export it smaller (720p is plenty), "
    "and upload it again.": "只会用到预设读取的前几秒：请把片段剪到这个长度，或导出得更小（720p 就足够），再上传一次。",
    # report provenance (fix-report)
    "Made by msa_demo {version} on {when}": "由 msa_demo {version} 生成于 {when}",
    "This report was made by msa_demo {version} on {when} (the explanation does not record when it was made)":
        "本报告由 msa_demo {version} 生成于 {when}（这份解释没有记录它的生成时间）",
    "preset {preset}": "预设 {preset}",
    "models: {models}": "模型：{models}",
    "The picture given": "输入的图片", "The picture given, not used": "输入的图片（未使用）",
    "Frame of the clip at {time} s": "视频在 {time} 秒处的画面",
    "The picture without those regions (greyed)": "去掉这些区域（灰色）后的图片",
    # video findings (fix-video)
    "'{name}' is a GIF, and the Video box takes video files only. Convert it to MP4 and drop that here, or give the "
    "GIF to the command line (--video), the /explain_json endpoint or a dataset folder, which read it whole as a "
    "clip; in the Image box only its first frame is read.":
        "“{name}”是 GIF，而视频框只接受视频文件。请把它转换为 MP4 再放到这里，或把 GIF 交给命令行（--video）、"
        "/explain_json 接口或数据集文件夹，它们会把它作为视频完整读取；放入图片框则只读取它的第一帧。",
    "'{name}' is not a sound file the Audio box takes. A video's voice is heard from the Video box (its sound "
    "track); or give the sound as WAV, MP3, M4A, OGG or FLAC.":
        "“{name}”不是音频框接受的声音文件。视频里的人声请从视频框给出（会听取它的音轨）；或把声音存为 WAV、MP3、M4A、OGG 或 FLAC 再给出。",
    "'{name}' is not a picture the Image box takes: give a PNG, JPEG, WebP, GIF, BMP or TIFF; a clip goes in the "
    "Video box.": "“{name}”不是图片框接受的图片：请给出 PNG、JPEG、WebP、GIF、BMP 或 TIFF；视频请放入视频框。",
    "'{name}' is not a video the Video box takes: give a video file (MP4, WebM, MOV, MKV, AVI ...); a sound file goes "
    "in the Audio box, a picture in the Image box.":
        "“{name}”不是视频框接受的视频：请给出视频文件（MP4、WebM、MOV、MKV、AVI 等）；声音文件请放入音频框，图片请放入图片框。",
    # dataset findings (fix-dataset)
    "the first {n} of {total} rows": "共 {total} 行中的前 {n} 行", "{n} of {total} rows": "共 {total} 行中的 {n} 行",
    "{n} rows": "{n} 行",
    "**{name}**: {rows} · {explained} explained · {failed} failed":
        "**{name}**：{rows} · 已解释 {explained} 行 · 失败 {failed} 行",
    "{rows}: {explained} explained, {failed} could not be explained.": "{rows}：已解释 {explained} 行，{failed} 行无法解释。",
    "{rows}: {explained} explained, {failed} failed, {skipped} already done ({seconds} s{rate})":
        "{rows}：已解释 {explained} 行，失败 {failed} 行，{skipped} 行此前已完成（{seconds} 秒{rate}）",
    "{n} row(s) of the manifest were left out by a limit on the rows run (--limit, or the Dataset tab's rows): every "
    "figure here is on the first {rows} only":
        "清单中有 {n} 行因运行行数的上限（--limit，或数据集页的“行数”）被略去：这里的每个数字都只基于前 {rows} 行",
    "{n} row(s) of the manifest are not explained yet: a run stopped before them (the same run again goes on from "
    "there)": "清单中有 {n} 行尚未解释：运行在它们之前停止了（再次运行同样的任务会从那里继续）",
    "  {n} row(s) of the manifest were left out by --limit {limit} (without it, every row is run)":
        "  清单中有 {n} 行因 --limit {limit} 被略去（不加它则运行每一行）",
    "{kind}: empty (only spaces, markup or invisible characters), so the row was explained without it.":
        "{kind}：为空（只有空格、标记或不可见字符），因此这一行在没有它的情况下解释。",
    "By label, each slice holds one true class: its accuracy is that class's recall, its precision is over every row "
    "predicted as that class, and macro F1 is left out (the slice's other classes would score 0).":
        "按标签分组时，每个切片只含一个真实类别：它的准确率就是该类别的召回率，精确率按全集中所有被预测为该类别的行计算，"
        "宏 F1 不予列出（切片中其他类别的得分都会是 0）。",
    "accuracy (its recall)": "准确率（即召回率）", "precision over the set": "全集上的精确率",
    "Precision over the set: {precision}.": "全集上的精确率：{precision}。",
    "Line {n} of the file '{manifest}' (data row {row}) has {k} fields where its header names {m} (data rows with more "
    "fields than the header: {count}): {what} inside a text that is not in double quotes? Put such texts in double "
    "quotes, as a spreadsheet's CSV does.":
        "文件“{manifest}”的第 {n} 行（第 {row} 个数据行）有 {k} 个字段，而它的标题行只有 {m} 个（字段多于标题行的数据行："
        "{count}）：文本中有不在双引号内的{what}？请把这样的文本放在双引号内，就像电子表格导出的 CSV 那样。",
    "The manifest '{name}' has a quote (\") on line {line} of the file (data row {row}) that is never closed, so "
    "everything after it was read as one value; close it or take it out.":
        "清单“{name}”文件第 {line} 行（第 {row} 个数据行）有一个没有闭合的引号（\"），因此其后的所有内容都被读成了一个值；"
        "请闭合它或删去它。",
    "The manifest '{name}' has a quote (\") on line {line} of the file (its header line) that is never closed, so "
    "everything after it was read as one value; close it or take it out.":
        "清单“{name}”文件第 {line} 行（标题行）有一个没有闭合的引号（\"），因此其后的所有内容都被读成了一个值；请闭合它或删去它。",
    "The manifest '{manifest}' is not UTF-8 text (line {n} of the file is not; a spreadsheet writes UTF-8 when saving "
    "as 'CSV UTF-8', or name its encoding: --encoding cp1252); give CSV (a header line), JSONL, Parquet or a saved "
    "datasets folder.": "清单“{manifest}”不是 UTF-8 文本（文件第 {n} 行不是；电子表格另存为“CSV UTF-8”时写出 UTF-8，或指明其"
                        "编码：--encoding gbk）；请给出 CSV（带标题行）、JSONL、Parquet 或保存的 datasets 文件夹。",
    "The manifest '{manifest}' is not UTF-8 text (line {n} of the file is not; a spreadsheet writes UTF-8 when saving "
    "as 'CSV UTF-8', or name its encoding: --encoding cp1252).":
        "清单“{manifest}”不是 UTF-8 文本（文件第 {n} 行不是；电子表格另存为“CSV UTF-8”时写出 UTF-8，或指明其编码：--encoding "
        "gbk）。",
    "The manifest '{manifest}' is not {encoding} text (line {n} of the file is not).":
        "清单“{manifest}”不是 {encoding} 文本（文件第 {n} 行不是）。",
    "Line {n} of the file '{manifest}' (data row {row}) is not JSON ({why}); JSONL holds one object per line.":
        "文件“{manifest}”的第 {n} 行（第 {row} 个数据行）不是 JSON（{why}）；JSONL 每行一个对象。",
    "Line {n} of the file '{manifest}' (data row {row}) is not a JSON object; JSONL holds one object per line.":
        "文件“{manifest}”的第 {n} 行（第 {row} 个数据行）不是 JSON 对象；JSONL 每行一个对象。",
    "  a worker stopped; {n} row(s) were run again: {ids}": "  有工作进程中途停止；{n} 行被重新运行：{ids}",
    # a server's limit on one explanation (MSA_MAX_SECONDS)
    "The explanation was stopped.": "解释已停止。",
    "The explanation was stopped: the page that asked for it was closed.": "解释已停止：请求它的页面已关闭。",
    "({n} of {rows} rows)": "（{rows} 行中的 {n} 行）",
    "This server explains within {limit} s (MSA_MAX_SECONDS), so the maps had a time budget of {budget} s.":
        "此服务器在 {limit} 秒内完成一次解释（MSA_MAX_SECONDS），因此各图的时间预算为 {budget} 秒。",
    # fix-lang: part of a text in a language the model was not trained on (language.PART_OUTSIDE, the trust verdict)
    "{lead}: part of it is {language}, outside this model's languages ({languages}); its verdict on this {thing} is "
    "not reliable.": "{lead}：其中一部分是{language}，超出此模型的语言范围（{languages}），它对这段{thing}的判断不可靠。",
    "{name}: outside this model's languages (part of it is {language}); the map shows how the model reacted, not "
    "what the words mean.": "{name}：超出此模型的语言范围（其中一部分是{language}）；这张图显示的是模型的反应，而不是词语的含义。",
    # fix-lang: the what-if's word swaps, offered for the word table's languages only
    SWAPS_NOT_OFFERED: "{name}：替换词语（反义词、中性词）只适用于{languages}文本，因此没有尝试。",
    # fix-cli
    "The {kind} URL names a file of this app that was not uploaded to it; upload the file first, or give a public "
    "http(s) URL or a data: URI.": "{kind}的 URL 指向本应用中一个并非上传给它的文件；请先上传该文件，或给出公网 http(s) URL "
                                   "或 data: URI。",
    "  1 row was explained without an input it names (a file missing, unreadable or a link that could not be read): "
    "{ids}; its notices say why": "  1 行在缺少其所列输入的情况下解释（文件缺失、无法读取，或链接无法读取）：{ids}；该行的提示说明原因",
    "1 row was explained without an input it names (a file missing, unreadable, outside the data folder or a link not "
    "fetched): {modalities} · {ids}; its notices say why":
        "1 行在缺少其所列输入的情况下解释（文件缺失、无法读取、在数据文件夹之外，或链接未获取）：{modalities} · {ids}；"
        "该行的提示说明原因",
    # fix-priv
    "'{text}' is not one of your runs: a visitor's runs are opened from their own page's list only.":
        "“{text}”不是你的运行结果：访客的运行结果只能从他们自己页面的列表中打开。",
    # fix-train
    "kept epoch {epoch} of {epochs}, the last (no validation rows to pick one)":
        "保留第 {epoch} 轮（共 {epochs} 轮），即最后一轮（没有验证行可用来挑选）",
    "kept epoch {epoch} of {epochs} (the best validation macro F1, {f1}, which {n} epochs share; of those the lowest "
    "validation loss, {loss})":
        "保留第 {epoch} 轮（共 {epochs} 轮）：验证集宏 F1 最高（{f1}，有 {n} 轮并列），其中验证损失最低（{loss}）",
    "kept epoch {epoch} of {epochs} (the best validation macro F1, {f1})":
        "保留第 {epoch} 轮（共 {epochs} 轮）：验证集宏 F1 最高（{f1}）",
    "batch size {batch}, not the default {default}: {n} training rows make {steps} steps an epoch (--batch-size sets "
    "it)": "批大小 {batch}，而非默认的 {default}：{n} 个训练行每轮分 {steps} 步（--batch-size 可设定）",
    "--batch-size {batch} holds all {n} training rows: an epoch is one step, {epochs} in all (a smaller --batch-size "
    "takes more)": "--batch-size {batch} 容纳全部 {n} 个训练行：每轮只有一步，共 {epochs} 步（更小的 --batch-size 步数更多）",
    "it is outside the data folder ({folder}), and Compare reads a preset file or a train folder only inside it. "
    "Start the app with MSA_DATASET_ROOT set to a folder that holds it (or copy it into {folder}), or give a built-in "
    "preset ({known}).": "它在数据文件夹（{folder}）之外，而对比只读取该文件夹内的预设文件或 train 文件夹。请在启动应用时把 "
                          "MSA_DATASET_ROOT 设为包含它的文件夹（或把它复制到 {folder} 中），或给出内置预设（{known}）。",
    "{modality}: {n} item(s) left out of their rows, as a prediction leaves them out: {why}; row(s) {rows}":
        "{modality}：{n} 项已从其所在行中去掉，与预测时的做法相同：{why}；行 {rows}",
    "held-out binary (non-neutral truth; the larger of negative and positive, neutral not a choice)":
        "留出集二分类（真值非中性；取负面与正面中较大者，中性不作选项）",
    # fix-batch
    "top words (🔊: heard)": "最重要的词（🔊：听到的）",
    "decided": "已判定",
    "{n} of {rows} explained rows were too close to call (the top two classes less than {gap} points apart, as the "
    "dashboard says it): {ids}": "已解释的 {rows} 行中有 {n} 行难分高下（前两个类别相差不到 {gap} 个百分点，与仪表盘的说法一致）：{ids}",
    "the scores above count each row's predicted class, theirs too; their accuracy, over the {n} labelled, is "
    "{accuracy} (the slices by verdict score the rows apart)":
        "上面的分数按每行的预测类别计算，这些行也不例外；其中 {n} 个有标签的行准确率为 {accuracy}（按结论划分的切片将它们分开计分）",
    "the scores above count each row's predicted class; none of these rows has a label":
        "上面的分数按每行的预测类别计算；这些行都没有标签",
    "Times in one clip are not times in another (second 2–3 of one clip has nothing to do with second 2–3 of the "
    "next), so they are not added up across rows: each row's strongest one is placed in its own clip, by the third "
    "of the clip's length it falls in.": "一个片段中的时间并不是另一个片段中的时间（某片段的第 2–3 秒与下一个片段的第 2–3 秒毫无关系），"
                                          "因此不跨行相加：每行最强的那一段按它落在自己片段长度的哪个三分之一来归类。",
    "Times in one clip are not times in another, so they are not added up across rows; no row here says where in its "
    "clip its strongest one falls (a folder written before that was kept, or maps in which nothing moved the "
    "verdict).": "一个片段中的时间并不是另一个片段中的时间，因此不跨行相加；这里没有哪一行记录其最强的一段落在片段中的什么位置"
                 "（该文件夹写于记录此项之前，或归因图中没有任何部分改变结论）。",
    "part of the clip": "片段中的位置", "rows whose strongest one falls there": "最强一段落在此处的行数",
    "start (first third)": "开头（前三分之一）", "middle": "中段", "end (last third)": "结尾（后三分之一）",
    # fix-faces
    "Image: {n} faces were found; the face model reads one face: the largest, {where} of the picture, was read, not "
    "the others.": "图片：找到了 {n} 张人脸；人脸模型只读取一张脸：读取了最大的那张（位于图片{where}），其余未读取。",
    "Image: {n} faces were found; the face model reads one face: of the {k} about as large, the leftmost, {where} of "
    "the picture, was read, not the others.":
        "图片：找到了 {n} 张人脸；人脸模型只读取一张脸：在 {k} 张大小相近的脸中读取了最左边的那张（位于图片{where}），其余未读取。",
    "at the top left": "左上方", "at the top": "上方", "at the top right": "右上方", "at the left": "左侧",
    "in the middle": "中间", "at the right": "右侧", "at the bottom left": "左下方", "at the bottom": "下方",
    "at the bottom right": "右下方",
    "Video: more than one face was found in {k} of {n} frames (up to {most} in one); the face model reads one face, "
    "so in each frame the largest was read (of faces about as large, the leftmost), not the others.":
        "视频：{n} 帧中有 {k} 帧找到了不止一张人脸（一帧中最多 {most} 张）；人脸模型只读取一张脸，因此每帧读取了最大的那张"
        "（大小相近时取最左边的），其余未读取。",
    "No face was found in the picture, so the face model abstains, and nothing else is given to read. Crop the "
    "picture to the face, or {add} instead: a face under {px} px across in a {size} picture is too small to find.":
        "图片中没有找到人脸，因此人脸模型弃权，而且没有提供其他可读取的内容。请把图片裁剪到人脸，或改为{add}：在 {size} "
        "的图片中，宽度不到 {px} 像素的人脸太小，无法找到。",
    "Image: no face was found, so the face model abstains and the picture is not used; a face under {px} px across "
    "in a {size} picture is too small to find: crop the picture to the face.":
        "图片：没有找到人脸，因此人脸模型弃权，未使用该图片；在 {size} 的图片中，宽度不到 {px} 像素的人脸太小，无法找到："
        "请把图片裁剪到人脸。",
    "No face was found in the picture, so the face model abstained: the picture was not used (a face under {px} px "
    "across in a {size} picture is too small to find: crop the picture to the face).":
        "图片中没有找到人脸，因此人脸模型弃权：未使用该图片（在 {size} 的图片中，宽度不到 {px} 像素的人脸太小，无法找到："
        "请把图片裁剪到人脸）。",
    "add text, audio or video": "添加文字、音频或视频", "add --text, --audio or --video": "添加 --text、--audio 或 --video",
    # fix-speech
    "Audio: the clip holds only {seconds} s of speech, too little for speech recognition to be sure of its words; "
    "check the transcript before trusting the voice's verdict.":
        "音频：片段里只有 {seconds} 秒的语音，太少，语音识别无法确定听到的词语；请先核对转写文字，再相信声音的判断。",
    "Audio: the clip lasts only {seconds} s, too short for speech recognition to make out words (it needs {least} s "
    "at least), so lite audio has nothing to judge.":
        "音频：片段只有 {seconds} 秒，太短，语音识别听不出词语（至少需要 {least} 秒），因此 lite 音频模型无从判断。",
    "the audio clip is too short for its words to be made out": "音频片段太短，听不出其中的词语",
    "{name}: speech recognition was unsure of the words it heard, so the map ranks words that may not have been said.":
        "{name}：语音识别对听到的词语没有把握，因此归因图排序的词语可能并没有被说过。",
    "unsure of the words: they may not have been said": "词语没有把握：可能并没有被说过",
    "The text holds only {what}, so there are no words to read: type some words, or give another input.":
        "文字里只有{what}，没有可读的词语：请输入一些词语，或给出其他输入。",
    "spaces": "空格", "control characters": "控制字符", "invisible characters": "不可见字符", "HTML tags": "HTML 标签",
    # fix-small
    "{a} {pa} vs {b} {pb}, {gap} points apart": "{a} {pa}，{b} {pb}，相差 {gap} 个百分点",
    "too close to call between": "难分高下的两类", "vs {label}, {gap} points": "与{label}相差 {gap} 个百分点",
    "  {id}: too close to call: {between}": "  {id}：难分高下：{between}",
    "  and {n} more too close to call (report.html lists them)": "  另有 {n} 行难分高下（report.html 列出全部）",
    "Text: the text given holds only {what}, so it was not read.": "文字：给出的文字里只有{what}，因此没有被读取。",
    "'{name}' is a sound file, not a picture: it goes in the Audio box. The Image box takes a PNG, JPEG, WebP, GIF, BMP "
    "or TIFF.": "“{name}”是声音文件，不是图片：请放进音频框。图片框接受 PNG、JPEG、WebP、GIF、BMP 或 TIFF。",
    # fix-a11y
    "{n} more, weaker": "另有 {n} 个，较弱", "{title}, strongest first: {pushes}": "{title}，从最强的开始：{pushes}",
    "row {row}, column {col}": "第 {row} 行第 {col} 列", "region {n}": "区域 {n}",
    "{region} ({place}), toward": "{region}（{place}），推向", "{region} ({place}), away": "{region}（{place}），推离",
    "the strongest regions: {regions}": "最强的区域：{regions}",
    # fix-presets
    "The preset's fallback '{name}' is not a preset: use one of {known}, a preset file that is there, or \"\" for no "
    "stand-ins.": "预设的 fallback '{name}' 不是预设：请使用 {known} 之一、一个存在的预设文件，或用 \"\" 表示不要替代模型。",
    "No folder {path}: the model_id '{id}' is a path on this machine, not a Hub id, and nothing is there; check its "
    "spelling.": "没有文件夹 {path}：model_id '{id}' 是本机上的路径，不是 Hub 模型 ID，而那里什么也没有；请检查拼写。",
    "The {modality} model '{id}' is a {kind} model ({arch}), which the {family} family cannot read: it needs {needs}.":
        "{modality}模型 '{id}' 是 {kind} 模型（{arch}），{family} 系列无法读取：它需要{needs}。",
    "a text classifier (a ...ForSequenceClassification model with its tokenizer)":
        "文本分类器（带分词器的 ...ForSequenceClassification 模型）",
    "a CLIP model (model_type clip: a picture and a text encoder)": "CLIP 模型（model_type 为 clip：图片编码器和文本编码器）",
    "an image classifier (a ...ForImageClassification model with its image processor)":
        "图像分类器（带图像处理器的 ...ForImageClassification 模型）",
    "an audio classifier (a ...ForAudioClassification model with its feature extractor)":
        "音频分类器（带特征提取器的 ...ForAudioClassification 模型）",
    "Cannot load the model at '{path}': it holds {part} and no safetensors file; give this entry \"weights\": \"bin\" in "
    "the preset to read it (weights only, never as an arbitrary pickle; see the README's Presets).":
        "无法加载 '{path}' 处的模型：其中只有 {part}，没有 safetensors 文件；在预设中为该条目设置 \"weights\": \"bin\" 即可读取"
        "（只读取权重，绝不作为任意 pickle 读取；见 README 的 Presets 一节）。",
    "Cannot load '{id}' (revision {rev}): the Hugging Face Hub cannot be reached and revision {rev} is not in the cache, "
    "which holds {held}: pin one of those as its revision.":
        "无法加载 '{id}'（版本 {rev}）：无法连接 Hugging Face Hub，而缓存中没有版本 {rev}，缓存中有 {held}：请把其中之一固定为它的版本。",
    "{name}: '{id}' is a folder on this machine, which has no revisions: its revision '{rev}' is not used.":
        "{name}：'{id}' 是本机上的文件夹，没有版本：它的版本 '{rev}' 未被使用。",
    # fix-ui
    "too close to call ({a} {pa} vs {b} {pb})": "难分高下（{a} {pa}，{b} {pb}）",
    "no part moved P('{target}') by 0.01 %, so none is listed": "没有任何部分让 P('{target}') 变化达到 0.01 %，因此一个也没有列出",
    "Every word moved P('{target}') by less than 0.01 %: no word mattered, so none is marked.":
        "每个词对 P（“{target}”）的改变都不到 0.01 %：没有哪个词起作用，所以都未标记。",
    "not used (see below)": "未使用（原因见下）",
    # fix-crowd
    "Cut short at this server's limit of {limit} s (MSA_MAX_SECONDS); left out: {left}. What was finished is shown. "
    "Ask for less (a time budget, fewer IG steps or what-if forwards) or run it on your own machine.":
        "已在此服务器的 {limit} 秒上限（MSA_MAX_SECONDS）处提前结束；未完成：{left}。这里显示已完成的部分。请少要一些（设定时间预算、"
        "减少 IG 步数或假设分析的前向次数），或在您自己的机器上运行。",
    "Cut short at {share} s, its share of this server's {limit} s limit (MSA_MAX_SECONDS) while {n} more waited; left "
    "out: {left}. What was finished is shown. Ask for less (a time budget, fewer IG steps or what-if forwards), try "
    "again later, or run it on your own machine.":
        "已在 {share} 秒处提前结束：还有 {n} 个在等待，这是它在此服务器 {limit} 秒上限（MSA_MAX_SECONDS）中的份额；未完成：{left}。"
        "这里显示已完成的部分。请少要一些（设定时间预算、减少 IG 步数或假设分析的前向次数），稍后再试，或在您自己的机器上运行。",
    "Stopped on the page; left out: {left}. What was finished is shown.": "已在页面上停止；未完成：{left}。这里显示已完成的部分。",
    "This explanation was stopped: a newer one was asked for from the same page or session.":
        "此解释已停止：同一页面或会话请求了一个更新的解释。",
    "the {modality} maps": "{modality}的图",
    "the {modality} what-ifs": "{modality}的假设分析",
    "Stopped before it started: nothing was explained.": "在开始之前已停止：没有做任何解释。",
    # fix-trust
    "Can you trust the highlighting?": "这些高亮标注可信吗？",
    "This rates the explanation (do the marked parts really drive the model?), not the answer: a model can be "
    "confidently wrong; sarcasm, for one, is a known weakness.":
        "这里评的是解释（标出的部分是否真的左右了模型？），而不是答案对不对：模型也可能很有把握地答错，比如反讽就是它已知的弱点。",
    "the highlighting holds up: its top parts matter most": "高亮经得起检验：排名靠前的部分确实最重要",
    "read the highlighting with care: its ranking is weak": "请谨慎看待高亮：其排序依据不足",
    "read the highlighting with care: its scores do not add up (too few steps)": "请谨慎看待高亮：分数加起来对不上（积分步数太少）",
    "These colours are rough: the map's scores miss the change they should add up to by {miss} (too few steps), so a "
    "colour may even be the wrong way round.":
        "这些颜色只是粗略的：图中分数之和与应有的变化相差 {miss}（积分步数太少），颜色甚至可能方向相反。",
    "▲▲ strongly toward '{target}'": "▲▲ 强烈推向“{target}”", "▲ toward '{target}'": "▲ 推向“{target}”",
    "▼ away from '{target}'": "▼ 推离“{target}”", "▼▼ strongly away from '{target}'": "▼▼ 强烈推离“{target}”",
    # fix-small
    "Time budget {budget} s for the maps: the estimate feared more (about {seconds} s at the least), so they gave up "
    "all they can: {parts}; they took {took} s, within the budget.":
        "归因图的时间预算 {budget} 秒：估计所需更多（至少约 {seconds} 秒），因此已降到最低设置：{parts}；实际用了 {took} 秒，在预算之内。",
    "the folder the app was started in, '{name}'": "启动应用时所在的文件夹“{name}”",
    "the app's folder, '{name}'": "应用所在的文件夹“{name}”",
    # fix-dsreport
    "group": "分组",
    "no group": "无分组",
    "too few to tell": "行数太少，无法判断",
    "A score over fewer than {n} labelled rows is marked “too few to tell”: one row more or less moves it by 10 points "
    "or more.": "有标签的行少于 {n} 行时，分数标为“行数太少，无法判断”：多一行或少一行就会让它变动 10 个百分点以上。",
    "{name} (outside this model's languages)": "{name}（不在此模型的语言之内）",
    "{name} ({n} of its rows outside this model's languages)": "{name}（其中 {n} 行不在此模型的语言之内）",
    "{n} maps fail a check of the dashboard's trust table (its ✗, “read with care”); why each fails, as the dashboard "
    "says it:": "{n} 张图未通过仪表盘可信度表中的某项检查（其 ✗，“谨慎看待”）；每张图未通过的原因，与仪表盘的说法相同：",
    "1 map fails a check of the dashboard's trust table (its ✗, “read with care”); why it fails, as the dashboard says "
    "it:": "1 张图未通过仪表盘可信度表中的某项检查（其 ✗，“谨慎看待”）；它未通过的原因，与仪表盘的说法相同：",
    "Read this first": "请先阅读",
    "{n} rows are in a language outside this model's languages ({languages}): their verdicts are not reliable (each "
    "row's notices say so), and the slices by language mark them.":
        "{n} 行的语言不在此模型的语言之内（{languages}）：它们的判断不可靠（每行的提示都这样说），按语言的切片也标出了它们。",
    "1 row is in a language outside this model's languages ({languages}): its verdict is not reliable (its notices say "
    "so), and the slices by language mark it.":
        "1 行的语言不在此模型的语言之内（{languages}）：它的判断不可靠（它的提示这样说），按语言的切片也标出了它。",
    "{n} row(s) hold no words in their text (only question marks, punctuation, symbols or emoji): {ids}; their "
    "verdicts say how the model takes those marks, not what anyone meant.":
        "{n} 行的文字中没有词语（只有问号、标点、符号或表情）：{ids}；它们的判断说明的是模型如何看待这些符号，而不是任何人的本意。",
    "{n} of them are question marks where characters were: most likely lost when the file was saved in a legacy "
    "encoding (Latin-1, Windows-1252) that cannot hold them (Chinese, emoji, accents); save it as UTF-8 and run it "
    "again.": "其中 {n} 行原本的字符变成了问号：很可能是文件以无法容纳这些字符（中文、表情、重音字母）的旧编码（Latin-1、"
              "Windows-1252）保存时丢失的；请把文件另存为 UTF-8 后再运行一次。",
    "The image model reads faces only: in {n} row(s) it found no face in the picture (a poster, a chart, a scene), so "
    "the picture was left out and the row explained from its other inputs.":
        "图片模型只读人脸：有 {n} 行的图片中没有找到人脸（海报、图表、场景），因此这些图片未被使用，这些行由其他输入来解释。",
    "Sarcasm and irony are a known blind spot: the text model reads words at face value, so a sarcastic post (“Thanks "
    "so much for the two-hour line”) is often read as the sentiment it pretends; check such posts by hand.":
        "讽刺和反语是已知的盲点：文字模型按字面意思读词语，因此讽刺的帖子（“太感谢这两个小时的排队了”）常被读成它表面上的情绪；"
        "请人工核对这类帖子。",
    # fix-labels
    "labels not read, explained without them: {n} · {values} · rows {ids}. Write negative, neutral or positive (or "
    "an emotion) in their place{numbers}.": "未读取的标签，这些行在无标签的情况下解释：{n} · {values} · 行 {ids}。请在该处改写为 "
                                            "negative、neutral 或 positive（或一种情绪）{numbers}。",
    "; name numbers with --label-names, such as 0=neutral": "；数字请用 --label-names 命名，例如 0=neutral",
    "'{label}' ({n} rows)": "“{label}”（{n} 行）",
    "'{label}' (1 row)": "“{label}”（1 行）",
    "Label '{label}' is a number among word labels (pos, neg ...), and which sentiment a number means there is not "
    "guessed; write negative, neutral or positive in its place, or name the numbers with --label-names (such as "
    "{number}=neutral).": "标签“{label}”是夹在文字标签（pos、neg ……）中的一个数字，它表示哪种情感不作猜测；请在该处改写为 "
                          "negative、neutral 或 positive，或用 --label-names 为这些数字命名（例如 {number}=neutral）。",
    "Label '{label}' is the label column's only number, and 0 alone does not tell which numbering it follows "
    "(negative in 0 / 1, neutral in -1 / 0 / 1); write negative, neutral or positive, or name it with --label-names "
    "(such as 0=neutral).": "标签“{label}”是标签列中唯一的数字，仅有 0 无法判断它遵循哪种编号方式（在 0 / 1 中为负面，在 "
                            "-1 / 0 / 1 中为中性）；请写 negative、neutral 或 positive，或用 --label-names 为它命名（例如 "
                            "0=neutral）。",
    "{kind}: '{path}' is a Windows path of another computer, so the row was explained without it; write the path "
    "relative to the manifest's folder (images/a.png), which works everywhere.":
        "{kind}：“{path}”是另一台电脑上的 Windows 路径，因此这一行在没有它的情况下解释；请写相对于清单所在文件夹的路径"
        "（images/a.png），这样在任何地方都能用。",
    "{kind}: no file at '{path}'; '{there}' is there: the case differs. The row was explained without it; write the "
    "name as the file has it.": "{kind}：“{path}”处没有文件；“{there}”在那里：大小写不同。这一行在没有它的情况下解释；"
                                "请按文件本身的大小写书写文件名。",
    "The rows were explained without their {kinds} files. To explain those too, upload a .zip of the folder that "
    "holds the manifest with them (as its paths name them from that folder).":
        "这些行在没有其{kinds}文件的情况下解释。如要连同这些文件一起解释，请上传一个 .zip：其中的文件夹包含清单和这些文件"
        "（位置与清单中的路径从该文件夹算起一致）。",
    "The rows have nothing else to explain them from: upload a .zip of the folder that holds the manifest with its "
    "files (as its paths name them from that folder).":
        "这些行没有其他可用于解释的输入：请上传一个 .zip：其中的文件夹包含清单及其文件（位置与清单中的路径从该文件夹算起一致）。",
    "⚠ Not explained: {why}": "⚠ 未解释：{why}",
    # inputs the rows name that a run did not use (dataset.report.NOT_USED)
    "The run used none of the rows' {modalities}: it explained them from their other inputs (--use on the command "
    "line; on the Dataset tab, a manifest uploaded without its files), and no figure here reads them.":
        "本次运行没有使用这些行的{modalities}：只用它们的其他输入来解释（命令行的 --use；或在数据集标签页上传清单时没有附带其文件），"
        "这里的任何数字都没有读取它们。",
    "{modality} ({n} rows)": "{modality}（{n} 行）",
    # fix-voice
    "Audio: speech recognition went round in a loop from {at} s (the same words over and over, not timed as "
    "speech); the {n} word(s) it put there were left out of the transcript and of what lite audio judged.":
        "音频：语音识别从 {at} 秒起陷入循环（反复出现同样的词语，且时间上与语音不符）；它在那里写出的 {n} 个词语已从转写文字"
        "和 lite 音频模型的判断中略去。",
    "the spoken words": "说出的话",
    "the words (written and spoken)": "文字（写下的与说出的）",
    ", as the words say, written and spoken (the voice is judged by its words alone)":
        "，文字这样判断（写下的与说出的；声音只按其中的话来判断）",
    ", mostly because of the words, written and spoken (the voice is judged by its words alone)":
        "，主要因为文字（写下的与说出的；声音只按其中的话来判断）",
    "Voice (words only)": "声音（仅其中的话）",
    "The voice is read only through its words (speech recognition, then the text model), not its tone: its verdict, "
    "its Shapley value and its lane are a reading of what was said.":
        "声音只通过其中的话来读取（先语音识别，再交给文字模型），不读语气：它的判断、Shapley 值和它的轨道都是对所说内容的读取。",
    "The voice is read only through its words (speech recognition, then the text model), not its tone: in the {n} "
    "row(s) with text and voice the words were read twice, as written and as heard ({alike} of them alike within a "
    "point), so the words count twice in the fused verdict, and the voice's verdict and Shapley value repeat the "
    "text's where the text is what was said.":
        "声音只通过其中的话来读取（先语音识别，再交给文字模型），不读语气：在同时有文字和声音的 {n} 行中，这些话被读了两次，"
        "一次按写下的、一次按听到的（其中 {alike} 行两者相差不到一个百分点），因此这些话在融合判断中算了两次；在文字就是所说"
        "内容的行中，声音的判断和 Shapley 值只是重复文字的。",
    # the scores over the rows read whole (dataset.report.WHOLE_ROWS)
    "on the {n} labelled rows read whole (every input they name read): accuracy {accuracy}, macro F1 {f1}; the others "
    "were explained without an input they name": "在读取完整的 {n} 个带标签行上（它们给出的每个输入都已读取）：准确率 {accuracy}，"
                                                 "宏 F1 {f1}；其余行在解释时缺少它们给出的某个输入",
    # fix-colour
    "blue pushes toward '{target}', orange away": "蓝色推向“{target}”，橙色推离",
    "blue pushes toward '{target}', orange away; each lane relative to its strongest":
        "蓝色推向“{target}”，橙色推离；每条轨道相对于其自身最强者",
    "The clip on one time axis: blue pushes toward '{target}', orange away.":
        "同一时间轴上的片段：蓝色推向“{target}”，橙色推离。",
    "Blue words pushed the model toward '{target}', orange words away from it: the colours are about this verdict, "
    "not about whether a word is kind or harsh.": "蓝色的词把模型推向“{target}”，橙色的词把它推离“{target}”：颜色说的是这个结论，"
                                                "不是这个词本身是好话还是坏话。",
    "{caption}; blue pushes toward '{target}', orange away.": "{caption}；蓝色推向“{target}”，橙色推离。",
    "{caption}: heat map over the picture, blue where it pushed toward '{target}', orange where it pushed away; the "
    "deeper the colour, the stronger": "{caption}：叠在图片上的热力图，蓝色处推向“{target}”，橙色处推离；颜色越深，推力越强",
    "The clip's waveform over its {n} segments, each coloured by its push: blue toward '{target}', orange away; the "
    "deeper the colour, the stronger": "片段的波形，分为 {n} 段，每段按其推力着色：蓝色推向“{target}”，橙色推离；颜色越深，推力越强",
    "The most decisive frame ({time} s), {caption}: heat map over it, blue where it pushed toward '{target}', orange "
    "where it pushed away; the deeper the colour, the stronger":
        "最具决定性的一帧（{time} 秒），{caption}：叠在画面上的热力图，蓝色处推向“{target}”，橙色处推离；颜色越深，推力越强",
    "Where this map starts: with every word blanked out the model already reads '{target}' {base} (with the words, "
    "{now}); the colours show how the words move it from there, so a word can be orange though the answer is "
    "'{target}'.": "这张图的起点：把每个词都遮掉时，模型就已判为“{target}” {base}（有这些词时为 {now}）；颜色表示这些词从那里把它"
                   "推向哪里，所以即使答案是“{target}”，某个词也可能是橙色。",
    "Words: blue pushes toward the explained class, orange pushes away; stronger colour, stronger push":
        "词语：蓝色推向被解释的类别，橙色推离；颜色越深，推力越强",
    # fix-announce
    "Link copied. It is also shown below the buttons.": "链接已复制，也显示在按钮下方。",
    "The link is shown below the buttons: copy it from there.": "链接显示在按钮下方：请从那里复制。",
    "It opens on this computer only; the note under it says how to share it.": "它只能在这台电脑上打开；链接下方的说明介绍了如何分享。",
    "Explaining: the verdict comes first, then the maps.": "正在解释：先给出结论，再给出归因图。",
    "Explanation finished.": "解释完成。",
    "Skip links": "跳转链接",
    "Skip to the Explain button": "跳到“解释”按钮",
    "Skip to the verdict": "跳到结论",
    "Inputs": "输入",
    "Results": "结果",
    # fix-cli
    "Out of memory: the models or the input did not fit in this machine's memory (or the GPU's); close other "
    "programs, or try a smaller input or --preset lite.":
        "内存不足：模型或输入放不进这台机器的内存（或 GPU 的显存）；请关闭其他程序，或换一个更小的输入，或使用 --preset lite。",
    # fix-segment
    "{what}: {start}-{end} s of {total} s were read (the row's start and end); its times count from {start} s.":
        "{what}：读取了 {total} 秒中的 {start}-{end} 秒（该行的 start 和 end）；其时间从 {start} 秒起算。",
    "The row's span {start}-{end} s starts past the end of {name} ({total} s long).":
        "该行的时间段 {start}-{end} 秒的开始超出了{name}的结尾（长 {total} 秒）。",
    "The row's span {start}-{end} s ends past the end of {name} ({total} s long).":
        "该行的时间段 {start}-{end} 秒的结束超出了{name}的结尾（长 {total} 秒）。",
    "{name} has no frame from {start} s on: the row's span starts past its pictures.":
        "{name}从 {start} 秒起没有画面：该行的时间段开始于其画面之后。",
    "{name} could not be decoded over {start}-{end} s (it may be damaged there).":
        "{name}在 {start}-{end} 秒之间无法解码（那里可能已损坏）。",
    "The row's {which} '{value}' is not a number of seconds.": "该行的 {which}“{value}”不是秒数。",
    "The row's start ({start} s) is negative: a span starts at 0 s or later.":
        "该行的 start（{start} 秒）为负数：时间段从 0 秒或之后开始。",
    "The row's end ({end} s) is not after its start ({start} s).": "该行的 end（{end} 秒）不在其 start（{start} 秒）之后。",
    "Start/end: the row has no clip or sound to cut, so its span {span} was not used.":
        "Start/end：该行没有可截取的视频或声音，因此没有使用其时间段 {span}。",
    "  {n} row(s) give a start and end but no clip or sound to cut, so their span was not used: {ids}":
        "  {n} 行给出了 start 和 end，但没有可截取的视频或声音，因此没有使用其时间段：{ids}",
    "{done}/{total} rows, {failed} failed, {seconds} s": "{done}/{total} 行，{failed} 行失败，{seconds} 秒",
    # fix-api
    "{head}; {how} {which} it reads {reads}.": "{head}；{how}{which}，结论是{reads}。",
    # fix-clip
    "{what}: {start}-{end} s of {name} ({total} s long) were read (--start and --end); its times count from {start} s.":
        "{what}：读取了{name}（长 {total} 秒）的 {start}-{end} 秒（--start 和 --end）；其时间从 {start} 秒起算。",
    "--start {start} s is past the end of {name} ({total} s long).": "--start {start} 秒超出了{name}的结尾（长 {total} 秒）。",
    "--end {end} s is past the end of {name} ({total} s long).": "--end {end} 秒超出了{name}的结尾（长 {total} 秒）。",
    "{flag} '{value}' is not a number of seconds.": "{flag}“{value}”不是秒数。",
    "{flag} ({value} s) is negative: a clip's span starts at 0 s or later.":
        "{flag}（{value} 秒）为负数：片段的时间段从 0 秒或之后开始。",
    "--end ({end} s) is not after --start ({start} s).": "--end（{end} 秒）不在 --start（{start} 秒）之后。",
    "--start and --end cut a clip: give {flags} with them.": "--start 和 --end 用于截取片段：请同时给出 {flags}。",
    "--start and --end cut a clip given with {flags}; a saved explanation (--from) is replayed as it was read.":
        "--start 和 --end 截取的是用 {flags} 给出的片段；保存的解释（--from）按其当时读取的内容重放。",
    # fix-story
    ", which {inputs} each say on their own": "，{inputs}各自单独也这样说",
    "Either {a} or {b} alone is enough for '{label}': take one away and the other still says it.":
        "{a}或{b}单独一个就足以得出“{label}”：去掉其中一个，另一个仍然这样说。",
    "Any one of {inputs} can be taken away and the others still say '{label}'.":
        "{inputs}中任意去掉一个，其余的仍然说“{label}”。",
    "Without {input} the model is even surer of '{label}' ({without} against {all} with everything): beside the "
    "other inputs, that input adds nothing to it.":
        "去掉{input}后，模型更确定是“{label}”（{without}，全部输入时为 {all}）：在其他输入旁边，它对此毫无增益。",
    "{a} and {b} overlap: together they move '{label}' {points} points less than their two effects would add up "
    "to, because they say the same thing.":
        "{a}和{b}相互重叠：两者一起让“{label}”变动的幅度比各自效果相加少 {points} 个百分点，因为它们说的是同一件事。",
    "{a} and {b} reinforce each other: together they move '{label}' {points} points more than their two effects "
    "would add up to.":
        "{a}和{b}相互加强：两者一起让“{label}”变动的幅度比各自效果相加多 {points} 个百分点。",
    "{a} and {b} add up: each moves '{label}' about as much with the other as without it.":
        "{a}和{b}的作用可以相加：有没有另一个，各自让“{label}”变动的幅度都差不多。",
    " points": " 个百分点",
    "How much each input moved the chance of '{target}', in points": "每个输入让“{target}”的可能性变动多少（百分点）",
    "Each bar is the input's fair share of the move from no input ({none}) to all of them ({all}): what it adds on "
    "average when it joins the others, in every order.":
        "每根条是该输入在从没有输入（{none}）到全部输入（{all}）这段变动中应得的份额：按各种顺序加入其他输入时，它平均带来的变化。",
    "The chance of '{target}' with everything, and without one input": "全部输入时，以及去掉一个输入时“{target}”的可能性",
    "details for specialists": "供专业人士参考的细节",
    "Shapley values (exact, over every subset of the inputs; they add up to P(all) − P(none) = {gap}): {values}.":
        "Shapley 值（精确计算，遍历输入的每个子集；总和等于 P(全部) − P(无) = {gap}）：{values}。",
    " (Shapley interaction index: what a pair adds together beyond each alone; negative when they overlap).":
        "（Shapley 交互指数：一对输入在各自作用之外共同带来的变化；两者重叠时为负）。",

    "{name}: no flip can be found by taking words out. Its model judges only the words said, and with all {k} of "
    "them blanked out {voice} gives it nothing to read: the {p} '{label}' it then gives is its reading of a row of "
    "blanks (padding tokens), not of anything said.":
        "{name}：去掉词语找不到翻转。它的模型只判断说出的话，{k} 个词全部被抹去后，{voice}已没有任何内容可读：此时的 {p}“{label}”"
        "是它对一串空白（填充标记）的读法，而不是对任何所说内容的判断。",
    "{name}: no flip can be found by taking words out. Its model judges only the words said, and with all {k} of "
    "them blanked out {voice} gives it nothing to read: the {p} '{label}' left is {others} read together with a "
    "row of blanks (padding tokens) in place of the words.":
        "{name}：去掉词语找不到翻转。它的模型只判断说出的话，{k} 个词全部被抹去后，{voice}已没有任何内容可读：剩下的 {p}“{label}”"
        "是{others}与一串代替这些词的空白（填充标记）一起读出的结果。",
    "the face pushed {way} {target} all through the clip": "人脸在整段视频中一直{way}“{target}”推动",
    "Blue pushes toward '{target}', orange away.": "蓝色推向“{target}”，橙色推离。",
    "How much each segment moved the chance of '{target}', in points": "每个片段让“{target}”的可能性变动多少（百分点）",
    # fix-words
    "These colours come from removing each word in turn (word ablation): on a text this long, read in windows, "
    "Integrated Gradients' colours disagreed with what removing a word does.":
        "这些颜色来自逐个去掉每个词（词消融）：这段文字很长、分窗口读取，积分梯度的颜色与去掉一个词的实际效果不一致。",
    "These colours come from removing each word in turn (word ablation): Integrated Gradients' scores missed the "
    "change they should add up to by {miss} (too few steps for the time budget).":
        "这些颜色来自逐个去掉每个词（词消融）：积分梯度的分数与应加总的变化相差 {miss}（时间预算下步数太少）。",
    "On a text this long (read in windows) a word's colour can disagree with what removing it does; with no time "
    "budget (Advanced: time budget 0) the map removes each word in turn instead, which takes longer.":
        "文字这么长（分窗口读取）时，一个词的颜色可能与去掉它的实际效果不一致；不设时间预算（高级：时间预算 0）时，"
        "解释会改为逐个去掉每个词，耗时更长。",
    # fix-heat
    "original, the face read in its box": "原图，读取的人脸在框中",
    "Choose a second preset (B) to compare with, or type a preset file.": "请选择用于对比的第二个预设（B），或输入一个预设文件。",
    # fix-gloss
    "The methods in plain words: {methods}.": "这些方法的通俗说法：{methods}。",
    "how much each part moves the score as it fades in from a blank version": "每一部分从空白版本逐渐显现时让分数变动多少",
    "how much each word moves the score as it fades in from a blank version": "每个词从空白版本逐渐显现时让分数变动多少",
    "how much the score changes when each part is covered up": "遮住每一部分时分数变动多少",
    "how much the score changes when each word is taken out": "去掉每个词时分数变动多少",
    "how much the score changes when each spoken word is blanked out": "抹去每个说出的词时分数变动多少",
    "how much the score changes when each patch of the key frame is covered up": "遮住关键帧的每一小块时分数变动多少",
    "each part's average effect, taken out in many random orders": "按许多随机顺序去掉各部分时，每一部分的平均作用",
    # fix-small
    MOST_TAKEN: "只有去掉{whole}的大部分（{n} 个{what}中的 {k} 个）才会改变判断（此时判为{reads}）：{noun}中没有哪一小部分能决定它。",
    ALL_TAKEN: "只有去掉{whole}的全部（共 {n} 个{what}）才会改变判断（此时判为{reads}）：{noun}中没有哪一部分能单独决定它。",
    "the face": "脸部",
    "The maps are drawn over the face that was found, at ({left}, {top}, {right}, {bottom}) of the whole {width} × "
    "{height} picture (left, top, right, bottom in pixels, as the JSON's face box), with a margin round it; the whole "
    "picture shows the face's box.":
        "热力图画在找到的人脸上（外加一圈边距），人脸位于整张 {width} × {height} 图片的 ({left}, {top}, {right}, {bottom})"
        "（左、上、右、下，单位为像素，与 JSON 中人脸框的写法相同）；整张图片上标出了人脸的框。",
    # fix-pair
    "Compare needs a second model or a second text, and no other preset is loaded here: type B's text to compare two "
    "texts, or a preset file or the folder a train run wrote in B (inside the data folder, {folder}) to compare two "
    "models.": "对比需要第二个模型或第二段文字，而这里没有加载其他预设：输入 B 的文字可对比两段文字；"
               "在 B 中输入预设文件或 train 运行写出的文件夹（在数据文件夹 {folder} 内）可对比两个模型。",
    "B's text is compared with the text on the Explain tab, and there is none there: type one on the Explain tab (its "
    "'use text' box ticked).": "B 的文字要与“解释”页上的文字对比，而那里没有文字：请在“解释”页输入一段（并勾选“使用文字”）。",
    "B's text is the text on the Explain tab again: change a word in B's text to compare two texts.":
        "B 的文字与“解释”页上的文字相同：请改动 B 的文字中的词，再对比两段文字。",
    "### Side by side\nThe inputs and settings of the **Explain** tab, compared two ways: **another model**, explained by "
    "its preset (A) and a second one (B) toward A's class: both verdicts, both summaries, and how far their maps agree "
    "(a preset not loaded yet is loaded on first use); or **another text**: type B's text, and A's model explains it "
    "beside the Explain tab's text (the other inputs alike): both verdicts, the change in each class, and each word's "
    "score, what you changed in bold.":
        "### 并排对比\n用“解释”页的输入和设置，有两种对比方式：**另一个模型**：由其预设（A）和第二个预设（B）朝 A 的类别解释："
        "两个结论、两段摘要，以及两者的归因图有多一致（尚未加载的预设在首次使用时加载）；或**另一段文字**：输入 B 的文字，"
        "由 A 的模型在“解释”页的文字旁解释它（其余输入相同）：两个结论、每个类别的变化，以及每个词的分数，改动之处以粗体标出。",
    "B's text: a second text, read by A's model with the same other inputs (leave empty to compare two models)":
        "B 的文字：第二段文字，由 A 的模型读取，其余输入相同（留空则对比两个模型）",
    "B's text": "B 的文字",
    "{n} edits": "{n} 处改动",
    "'{word}' added": "加上“{word}”",
    "'{word}' taken out": "去掉“{word}”",
    "{edits} moved '{target}' from {pa} to {pb}": "{edits}让“{target}”从 {pa} 变为 {pb}",
    "{edits} left '{target}' at {pa}": "{edits}后“{target}”仍为 {pa}",
    "both say {verdict}": "两者都判为{verdict}",
    "the verdict went from {va} to {vb}": "结论从{va}变为{vb}",
    "*Both read by the same model ({preset}), with the same other inputs.*": "*两段文字由同一个模型（{preset}）读取，其余输入相同。*",
    "change": "变化",
    "{n} points": "{n} 个百分点",
    "**Words**, each with its score toward '{target}' ({method}; + toward it, − away from it):":
        "**词语**，以及每个词朝“{target}”的分数（{method}；+ 为推向它，− 为推离它）：",
    "A's words": "A 的词语", "B's words": "B 的词语", "score": "分数",
    # compare-texts table of a longer text
    "{n} words the same": "{n} 个相同的词",
    # kinds/audio.py: a method lite audio cannot run
    "Audio method {asked}: this preset's audio is judged by its recognised words, so it is explained by removing "
    "words ({instead} on the waveform does not apply).":
        "音频方法 {asked}：此预设的音频只按识别出的词语判断，因此用去掉词语的方式解释（在波形上做{instead}不适用）。",
    # fix-faith
    "{name} single-word check: removing {word} alone lowers '{label}' by {points} points, but the map colours it away "
    "from '{label}'.":
        "{name} 单词检验：只去掉{word}会让“{label}”下降 {points} 个百分点，但图中把它标为推离“{label}”。",
    "{name} single-word check: removing {word} alone raises '{label}' by {points} points, but the map colours it "
    "toward '{label}'.":
        "{name} 单词检验：只去掉{word}会让“{label}”上升 {points} 个百分点，但图中把它标为推向“{label}”。",
    "{name} single-word check: removing {word} alone lowers '{label}' by {points} points, but the map gives it next "
    "to no weight.":
        "{name} 单词检验：只去掉{word}会让“{label}”下降 {points} 个百分点，但图中几乎没有给它分量。",
    "{name} single-word check: removing {word} alone raises '{label}' by {points} points, but the map gives it next "
    "to no weight.":
        "{name} 单词检验：只去掉{word}会让“{label}”上升 {points} 个百分点，但图中几乎没有给它分量。",
    " {n} more of its strongest words disagree too.": "另有 {n} 个最强的词也不一致。",
    "{name} single-word check: each of its strongest words ({k}), removed alone, moves '{label}' the way the map "
    "colours it, or too little to matter.":
        "{name} 单词检验：它最强的几个词（{k} 个）逐个单独去掉时，“{label}”的变化方向与图中颜色一致，或变化小到无关紧要。",
    "{name} what-if check: taking out {words} alone changes the verdict, though the map {how}.":
        "{name} 假设检验：只去掉{words}就改变了结论，而图中{how}。",
    "read the highlighting with care: removing a word alone disagrees with its colour":
        "请谨慎看待高亮：单独去掉一个词的效果与它的颜色不一致",
    "The map and this check disagree: taking out {words} alone changes the verdict, though the map {how}. The check "
    "is the model reading the edited text: go by it, not the colours, here.":
        "归因图与这项检验不一致：只去掉{words}就改变了结论，而图中{how}。这项检验是模型重新读了改过的文字：此处以它为准，而不是颜色。",
    "colours {word} away from '{label}'": "把{word}标为推离“{label}”",
    "colours {word} toward '{label}'": "把{word}标为推向“{label}”",
    "gives {word} next to no weight": "几乎没有给{word}分量",
    "ranks {word} number {rank}, not first": "把{word}排在第 {rank} 位，而不是第一",
    "Method changed: the words map is word ablation, not {method}, whose scores missed the change they should add up "
    "to by {miss} at {steps} steps (a time budget gives fewer steps on a busy machine); each word was removed in turn "
    "instead, and a run with more steps may map the same text by {method}, with other colours.":
        "方法已更换：词语归因图用的是词消融，而不是{method}：{method}在 {steps} 步时分数与应加总的变化相差 {miss}"
        "（机器繁忙时，时间预算给的步数更少），因此改为逐个去掉每个词；步数更多的一次运行可能会用{method}给同一段文字"
        "作图，颜色也会不同。",
    "Method changed: the words map is word ablation, not {method}: the text is read in windows, where the colours "
    "of {method} disagree with what removing a word does.":
        "方法已更换：词语归因图用的是词消融，而不是{method}：这段文字分窗口读取，此时{method}的颜色与去掉一个词的实际效果不一致。",
    # compare two texts: the download
    "Two texts side by side": "两段文字并排对比", "msa_demo — two texts side by side": "msa_demo——两段文字并排对比",
    "A's text": "A 的文字",
    # the command line: what lite's voice verdict rests on
    "Heard ({how}): “{transcript}”": "听到（{how}）：“{transcript}”",
    "Heard: no words were recognised.": "听到：没有识别出任何词语。",
    # fix-trust
    "{name} single-word check: removing any of its strongest words ({k}) alone moves '{label}' by {points} points at "
    "most, too little for this check to confirm its colours.":
        "{name} 单词检验：单独去掉它最强的任何一个词（共 {k} 个），“{label}”最多只变化 {points} 个百分点，太小，"
        "这项检验无法证实它的颜色。",
    "{name}: removing its parts, even all of them, moves '{label}' by under {n} points; there is nothing for a "
    "ranking to get right.":
        "{name}：去掉它的部分，哪怕全部去掉，“{label}”的变化也不到 {n} 个百分点；没有什么可供排名去排对的。",
    "{name}: removing half of its parts, the top-ranked first or at random, moves '{label}' by under {n} points; "
    "there is nothing for a ranking to get right.":
        "{name}：去掉一半的部分（先去排名靠前的，或随机去掉），“{label}”的变化都不到 {n} 个百分点；"
        "没有什么可供排名去排对的。",
    "{name}: its deletion curve has only {n} points (a time budget or few parts), too coarse to judge its ranking.":
        "{name}：它的删除曲线只有 {n} 个点（受时间预算限制或部分太少），太粗，无法判断其排名。",
    "{name}: deleting the top-ranked parts first drops the score faster than deleting at random (AOPC gap {gap}, "
    "more than the {spread} by which random orders differ).":
        "{name}：先删除排名靠前的部分，分数下降得比随机删除更快（AOPC 差 {gap}，超过随机顺序之间的差异 {spread}）。",
    "{name}: deleting the top-ranked parts first does not drop the score clearly faster than deleting at random "
    "(AOPC gap {gap}, within the {spread} by which random orders differ); read this map with care.":
        "{name}：先删除排名靠前的部分，分数下降得并不明显快于随机删除（AOPC 差 {gap}，在随机顺序之间的差异 {spread} "
        "以内）；请谨慎解读这张图。",
    "nothing to rank: removing its parts barely moves the answer": "没有可排名的：去掉它的部分几乎不改变结果",
    "cannot tell: its deletion curve is too coarse to judge": "无法判断：它的删除曲线太粗，无法据此判断",
    "The deletion test's rule: it holds up only with an AOPC gap over 0.01 and over the spread (standard deviation) "
    "of the random orders' own AOPCs; — where removing half the parts, top-ranked first or at random, moves the score "
    "under 2 points (nothing to rank); ? where the curve has fewer than 4 points. The single-word check holds up only "
    "where a word removed alone moves the score clearly (5 points, or 2 near certainty) the way its colour says.":
        "删除测试的规则：只有 AOPC 差超过 0.01，且超过各随机顺序自身 AOPC 的离散程度（标准差）时才算经得起检验；若去掉一半的部分"
        "（先去排名靠前的，或随机去掉）分数变化不到 2 个百分点，记为 —（没有可排名的）；曲线不足 4 个点时记为 ?。"
        "单词检验只有在单独去掉某个词使分数按其颜色所示方向明显变化（5 个百分点，接近确定时 2 个百分点）时才算经得起检验。",
    "{name}: its starting point, {noun} blanked out ({baseline} baseline), already reads '{label}' ({p}): the map "
    "explains only the {points} points between it and {noun}, of the {moves} points '{label}' owes to {noun} (its "
    "Shapley value); what removing its parts one at a time does says more.":
        "{name}：它的起点，即把{noun}全部抹去（{baseline}基线），已经读作“{label}”（{p}）：这张图只解释了它与{noun}"
        "之间的 {points} 个百分点，而“{label}”归功于{noun}的共有 {moves} 个百分点（其 Shapley 值）；"
        "逐个去掉其部分的效果更能说明问题。",
    "{name}: its starting point, {noun} blanked out ({baseline} baseline), already reads '{label}' ({p}): the map "
    "explains only the {points} points between it and {noun}, while removing {word} alone moves '{label}' by "
    "{moves} points; what removing its parts one at a time does says more.":
        "{name}：它的起点，即把{noun}全部抹去（{baseline}基线），已经读作“{label}”（{p}）：这张图只解释了它与{noun}"
        "之间的 {points} 个百分点，而单独去掉{word}就让“{label}”变化 {moves} 个百分点；逐个去掉其部分的效果更能说明问题。",
    "IG delta {delta} of a {points}-point output change ({steps} steps)":
        "IG 偏差为 {points} 个百分点输出变化的 {delta}（{steps} 步）",
    # fix-labels
    "{n} row(s) already done have other labels in the manifest now: their labels were updated and the scores are "
    "against them (their explanations were kept)":
        "{n} 行已完成的行在清单中的标签已不同：它们的标签已更新，评分按新标签计算（它们的解释保留不变）",
    "scores read as sentiments: below −{band} → {negative}, −{band} to {band} → {neutral}, above {band} → "
    "{positive} (the three classes of {sets}), by the scores the label column holds; if they are on another scale, "
    "say it: --label-scale {other}":
        "分数读作情感：低于 −{band} → {negative}，−{band} 到 {band} → {neutral}，高于 {band} → {positive}（即 {sets} "
        "的三分类），依据标签列所含的分数而定；如果它们是另一种刻度，请指明：--label-scale {other}",
    "scores read as sentiments: below −{band} → {negative}, −{band} to {band} → {neutral}, above {band} → "
    "{positive} (the three classes of {sets}), as --label-scale {scale} says":
        "分数读作情感：低于 −{band} → {negative}，−{band} 到 {band} → {neutral}，高于 {band} → {positive}（即 {sets} "
        "的三分类），按 --label-scale {scale} 所指明的刻度",
    "the label column's numbers are scores with none below 0, so their scale is not guessed and none was read: say "
    "it with --label-scale sims (-1 to 1, as CH-SIMS) or --label-scale mosi (-3 to 3, as CMU-MOSI / MOSEI)":
        "标签列的数字是分数且没有低于 0 的，因此不猜测其刻度，一个也没有读取：请用 --label-scale sims（-1 到 1，如 "
        "CH-SIMS）或 --label-scale mosi（-3 到 3，如 CMU-MOSI / MOSEI）指明",
    "; or say the scale of their scores with --label-scale": "；或用 --label-scale 指明其分数的刻度",
    "Label '{label}' is a score, and the label column's scores hold none below 0, so their scale is not guessed (0.4 "
    "is positive on CH-SIMS's -1 to 1, neutral on CMU-MOSI's -3 to 3); say it with --label-scale sims or "
    "--label-scale mosi, or write negative, neutral or positive.":
        "标签“{label}”是一个分数，而标签列的分数没有低于 0 的，因此不猜测其刻度（0.4 在 CH-SIMS 的 -1 到 1 上是正面，"
        "在 CMU-MOSI 的 -3 到 3 上是中性）；请用 --label-scale sims 或 --label-scale mosi 指明，或写 negative、"
        "neutral 或 positive。",
    "Label '{label}' lies beyond the scores' {scale}, so it is not read; say the scale its scores are on with "
    "--label-scale (mosi: -3 to 3, sims: -1 to 1).":
        "标签“{label}”超出了分数的 {scale} 范围，因此未读取；请用 --label-scale 指明其分数所用的刻度（mosi：-3 到 3，"
        "sims：-1 到 1）。",
    "--label-scale '{name}' is not one of {choices}.": "--label-scale “{name}”不是 {choices} 之一。",
    "of them, the {n} read whole (every input they name read; the others were explained without one): accuracy "
    "**{accuracy}** · macro F1 {f1}":
        "其中完整读取的 {n} 行（它们所列的每个输入都已读取；其余的行缺少某个输入）：准确率 **{accuracy}** · 宏 F1 {f1}",
    # fix-story2
    "too close to call between {a} ({pa}) and {b} ({pb})": "在{a}（{pa}）和{b}（{pb}）之间难分高下",
    "{head}; {how} {which} it is {close}.": "{head}；{how}{which}，结论{close}。",
    "Taking out {units} takes '{verdict}' from {before} to {after}: it is then {close}.":
        "去掉{units}后，“{verdict}”从 {before} 降到 {after}：此时结论{close}。",
    "Taking out {units} takes '{verdict}' down to {after}: it is then {close}.":
        "去掉{units}后，“{verdict}”降到 {after}：此时结论{close}。",
    "With {pairs} ({how}) '{verdict}' falls from {before} to {after}: it is then {close}.":
        "换成{pairs}（{how}）后，“{verdict}”从 {before} 降到 {after}：此时结论{close}。",
    "With {pairs} ({how}) '{verdict}' falls to {after}: it is then {close}.":
        "换成{pairs}（{how}）后，“{verdict}”降到 {after}：此时结论{close}。",
    "Only taking out most of {whole} ({k} of the {n} {what}s) changes the verdict (it is then {close}): no small "
    "part of {noun} decides it.":
        "只有去掉{whole}的大部分（{n} 个{what}中的 {k} 个）才会改变判断（此时结论{close}）：{noun}中没有哪一小部分能决定它。",
    "Only taking out all of {whole} (the {n} {what}s) changes the verdict (it is then {close}): no part of {noun} "
    "decides it alone.":
        "只有去掉{whole}的全部（共 {n} 个{what}）才会改变判断（此时结论{close}）：{noun}中没有哪一部分能单独决定它。",
    "Without {input} the model is even surer of '{label}' ({without} against {all} with everything): that input "
    "raises it on average (its bar), but beside all the other inputs it lowers it.":
        "去掉{input}后，模型更确定是“{label}”（{without}，全部输入时为 {all}）：这个输入平均而言提高了“{label}”的可能性"
        "（见它的条），但在其他所有输入旁边，它反而降低了这个可能性。",
    "Without {input} the model is surer of '{label}' ({without} against {all} with everything): that input pulls "
    "away from it.":
        "去掉{input}后，模型更确定是“{label}”（{without}，全部输入时为 {all}）：这个输入把结论推离“{label}”。",
    "{a} and {b} both pull away from '{label}' and overlap: together they take {points} points less off it than "
    "their two effects would add up to, because they say the same thing.":
        "{a}和{b}都把结论推离“{label}”，而且相互重叠：两者一起让它降低的幅度比各自效果相加少 {points} 个百分点，"
        "因为它们说的是同一件事。",
    "{a} and {b} both pull away from '{label}' and reinforce each other: together they take {points} points more "
    "off it than their two effects would add up to.":
        "{a}和{b}都把结论推离“{label}”，而且相互加强：两者一起让它降低的幅度比各自效果相加多 {points} 个百分点。",
    "{a} and {b} pull opposite ways ({a} toward '{label}', {b} away from it): together they leave '{label}' "
    "{points} points lower than their two effects would add up to.":
        "{a}和{b}方向相反（{a}推向“{label}”，{b}推离它）：两者一起时，“{label}”比各自效果相加低 {points} 个百分点。",
    "{a} and {b} pull opposite ways ({a} toward '{label}', {b} away from it): together they leave '{label}' "
    "{points} points higher than their two effects would add up to.":
        "{a}和{b}方向相反（{a}推向“{label}”，{b}推离它）：两者一起时，“{label}”比各自效果相加高 {points} 个百分点。",
    "{a} and {b} interact: together they leave '{label}' {points} points lower than their two effects would add up "
    "to.":
        "{a}和{b}相互影响：两者一起时，“{label}”比各自效果相加低 {points} 个百分点。",
    "{a} and {b} interact: together they leave '{label}' {points} points higher than their two effects would add up "
    "to.":
        "{a}和{b}相互影响：两者一起时，“{label}”比各自效果相加高 {points} 个百分点。",
    # fix-labels2
    "over the labels' 2 classes ({classes}), as binary benchmarks score: accuracy {accuracy}, macro precision "
    "{precision}, recall {recall}, F1 {f1} (a '{other}' verdict counts as wrong: {n} row(s)); the 3-class macro "
    "averages (F1 {f1_3}) include '{other}', which no label holds":
        "按标签的 2 个类别（{classes}），如二分类基准的计分方式：准确率 {accuracy}，宏精确率 {precision}，召回率 "
        "{recall}，F1 {f1}（判为“{other}”算作错误：{n} 行）；三分类的宏平均（F1 {f1_3}）包含了没有任何标签属于的"
        "“{other}”",
    "over the labels' 2 classes ({classes}), as binary benchmarks score: accuracy **{accuracy}** · macro F1 {f1} (a "
    "'{other}' verdict counts as wrong: {n} row(s)); the macro F1 above includes '{other}', which no label holds":
        "按标签的 2 个类别（{classes}），如二分类基准的计分方式：准确率 **{accuracy}** · 宏 F1 {f1}（判为“{other}”"
        "算作错误：{n} 行）；上面的宏 F1 包含了没有任何标签属于的“{other}”",
    "labels read as classes: {pairs} (an emotion as its sentiment, a word as the class it names; to mean another "
    "reading, write negative, neutral or positive)":
        "标签读作类别：{pairs}（情绪读作其情感，词语读作它所指的类别；如要另作解读，请写 negative、neutral 或 "
        "positive）",
    "{given} → {label} ({n} rows)": "{given} → {label}（{n} 行）",
    "{given} → {label} (1 row)": "{given} → {label}（1 行）",
    "{given} → {label} ({n})": "{given} → {label}（{n}）",
    # fix-long
    "These colours come from removing each phrase in turn (phrase ablation): on a text this long, read in windows "
    "under a time budget, removing each word would take too long and Integrated Gradients' colours can disagree "
    "with what removing a word does, so each phrase's colour is exactly what removing that phrase alone does. The "
    "what-if removes whole phrases too, and swaps no word (it swaps the words of a map of single words). For a "
    "colour per word, set no time budget (Advanced: time budget 0), which takes longer.":
        "这些颜色来自逐个去掉每个短语（短语消融）：这段文字很长、在时间预算下分窗口读取，逐个去掉每个词耗时太长，而积分梯度的"
        "颜色可能与去掉一个词的实际效果不一致，因此每个短语的颜色正是单独去掉该短语的效果。“如果……会怎样”也以整个"
        "短语为单位去掉，也不替换词语（它只替换单个词的归因图中的词）。如需每个词一个颜色，请不设时间预算（高级：时间预算 0），耗时更长。",
    "Method changed: the words map is phrase ablation, not {method}: the text is read in windows and a time budget "
    "leaves no time to remove each word, so each phrase was removed in turn; with no time budget each word gets its "
    "own colour.":
        "方法已更换：词语归因图用的是短语消融，而不是{method}：这段文字分窗口读取，时间预算内来不及逐个去掉每个词，因此逐个去掉了每个短语；"
        "不设时间预算时每个词都有自己的颜色。",
}

__all__ = ["LANGUAGES", "USED", "ZH", "joined", "label", "lang_of", "language", "listed", "modality", "said", "sep", "stop",
           "t"]
