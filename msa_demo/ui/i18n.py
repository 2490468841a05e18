"""The dashboard's own words in English and Simplified Chinese (Gradio's ``gr.I18n``: the browser's language
chooses, and the page footer's Settings switch it).

A key is the English text itself: :func:`tr` marks a label, a button or a static Markdown for translation, and a
text without a Chinese entry shows in English (a plug-in modality's own labels, say). What the server writes
per request (the summary sentence, the notices, the trust table, the report), the settings' help lines and the
Dataset tab's lines that carry numbers or paths are English for now.
"""

from __future__ import annotations

from typing import Any

ZH: dict[str, str] = {
    # the page
    "# Why this sentiment?\nGive a post, a face and/or a voice clip. The model says whether they are **positive, "
    "neutral or negative**, then shows which words, regions and moments made it think so — and how far to trust "
    "that.": "# 为什么是这种情绪？\n给出一段文字、一张人脸和/或一段语音。模型会判断它们是**正面、中性还是负面**，"
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
    "Words: green pushes toward the explained class, red pushes away; stronger colour, stronger push":
        "词语：绿色推向被解释的类别，红色推离；颜色越深，推力越强",
    "Original picture": "原图",
    "Heat maps": "热力图",
    "Audio segments": "音频片段",
    "The clip as the model heard it": "模型听到的片段",
    "the clip on one time axis": "同一时间轴上的片段",
    "Frames (pick one to see it large; the key frame with its heat map)": "帧（点选一帧放大；关键帧附热力图）",
    # the Compare tab
    "### Two models side by side\nThe inputs and settings of the **Explain** tab, explained by its preset (A) and "
    "a second one (B) toward A's class: both verdicts, both summaries, and how far their maps agree. A preset not "
    "loaded yet is loaded on first use.": "### 两个模型并排对比\n用“解释”页的输入和设置，分别由其预设（A）和第二个预设（B）"
                                         "朝 A 的类别解释：两个结论、两段摘要，以及两者的归因图有多一致。尚未加载的预设在首次使用时加载。",
    "B: the second preset (a name, or a preset file a `train` run wrote)": "B：第二个预设（名称，或 `train` 生成的预设文件）",
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
    "…or a manifest on the server (inside the data folder), explained into the results folder above":
        "……或服务器上的清单（在数据文件夹内），解释结果写入上面的结果文件夹",
    "Explain these rows": "解释这些行",
    "Download report.html": "下载 report.html",
    "The set by slice: the confusion matrix; accuracy, macro F1 and reliance per modalities used, language, "
    "conflict and label": "按切片看数据集：混淆矩阵；按所用模态、语言、冲突与标签分组的准确率、宏 F1 与依赖程度",
    "Show": "显示",
    "Rows: click one to open its explanation · click a header to sort": "行：点击一行打开其解释 · 点击表头排序",
}

EN: dict[str, str] = {key: key for key in ZH}
USED: set[str] = set()  # every key the page asked for (a test checks each has its Chinese)


def i18n():
    """The page's translations, for ``demo.launch(i18n=...)``."""
    import gradio as gr

    return gr.I18n(en=EN, **{"zh-CN": ZH, "zh": ZH})


def tr(text: str) -> Any:
    """``text`` marked for translation (a label, a button's or a Markdown's value)."""
    import gradio as gr

    USED.add(text)
    return gr.I18n(en=EN)(text)


__all__ = ["EN", "USED", "ZH", "i18n", "tr"]
