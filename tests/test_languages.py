"""Words in a language the model was not trained on reach every screen: the prediction (its JSON and its notice),
the dashboard's notes and trust table, the report, the command line, and the header names what the preset reads.

The tiny preset stands in for lite here: the check reads the preset's declared languages and tells the words'
language without a model, so a random text model declared to read English and Chinese (as lite's is) is enough.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from msa_demo import language, report, views
from msa_demo.explain import explain
from msa_demo.views import story

FRENCH = "Je ne suis pas content, le service est très mauvais"
NOTICE = ("Text: French is outside this model's languages (English, Chinese); its verdict on this text is not "
          "reliable.")


def _declaring(tiny_preset_path, path: Path, languages_: list[str], name: str | None = None) -> Path:
    data = json.loads(Path(tiny_preset_path).read_text(encoding="utf-8"))
    data["modalities"]["text"].setdefault("options", {})["languages"] = languages_
    if name:
        data["name"] = name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def en_zh_path(tiny_preset_path, tmp_path_factory):
    """The tiny preset, its text model declared to read English and Chinese (as the lite preset's is)."""
    return _declaring(tiny_preset_path, tmp_path_factory.mktemp("en_zh") / "tiny_en_zh.json", ["en", "zh"])


@pytest.fixture(scope="module")
def en_zh(en_zh_path):
    from msa_demo.model import MultimodalSentimentModel

    return MultimodalSentimentModel.from_preset(str(en_zh_path), device="cpu")


def _fast(**more):
    return {"text_methods": ("occlusion",), "deletion_steps": 2, **more}


def test_the_prediction_records_the_language_and_says_when_it_is_not_covered(en_zh):
    pred = en_zh.predict(text=FRENCH)
    text = pred.to_dict()["modalities"]["text"]
    assert (text["language"], text["languages"], text["language_covered"]) == ("fr", ["en", "zh"], False)
    assert pred.notices.count(NOTICE) == 1
    english = en_zh.predict(text="I am really disappointed with this phone")
    assert english.modalities["text"].language_covered is True and not english.notices
    chinese = en_zh.predict(text="这家餐厅的服务太糟糕了，我再也不来了")
    assert chinese.modalities["text"].language == "zh" and chinese.modalities["text"].language_covered is True


def test_a_head_that_learned_neutral_from_some_languages_says_so_in_the_others():
    """``language.neutral_notice``: a Chinese text (or transcript: the language Whisper heard) read by a head whose
    "neutral" was learned from English only gets one line (in Chinese on a Chinese page); English, a language
    outside the model's own (that has its own notice), a head that does not say, and words too few to tell get
    none."""
    from types import SimpleNamespace

    from msa_demo.i18n import said

    spec = SimpleNamespace(options={"languages": ["en", "zh"]})

    def line(text, learned, spec=spec, modality="text"):
        return language.neutral_notice(modality, language.check("text", {"text": text}, spec), learned)

    zh = line("这本书有三百页。", ["en"])
    assert zh == ('Text: this model learned "neutral" from English texts only; in Chinese it reads a text as '
                  "positive or negative even when it takes no side.")
    assert said(zh, "zh") == "文字：此模型只从英语文本中学过“中性”；读中文时，即使没有立场，它也会判为正面或负面。"
    heard = language.check("audio", {"transcript": "会议十点开始", "language": "zh"}, spec)
    transcript = language.neutral_notice("audio", heard, ["en"])
    assert transcript == zh.replace("Text:", "Transcript:")
    assert said(transcript, "zh").startswith("转写文字：此模型只从英语文本")
    assert line("This book has three hundred pages.", ["en"]) is None
    assert line(FRENCH, ["en"]) is None
    assert line("这本书有三百页。", None) is None
    assert line("这本书有三百页。", ["en", "zh"]) is None
    assert line("123 !", ["en"]) is None
    assert line("这本书有三百页。", ["en"], SimpleNamespace(options={})) is not None


def test_a_model_without_declared_languages_is_not_checked(tiny_model):
    pred = tiny_model.predict(text=FRENCH)
    assert pred.modalities["text"].language == "fr" and pred.modalities["text"].language_covered is None
    assert not any(language.OUTSIDE_LANGUAGES in n for n in pred.notices)


def test_explanation_marks_the_text_maps_and_every_view_says_it_once(en_zh):
    exp = explain(en_zh, en_zh.read_inputs(text=FRENCH), options=_fast())
    d = exp.to_dict()
    assert d["reading"]["text"]["language_covered"] is False and NOTICE in d["prediction"]["notices"]
    assert [m["caveat"] for m in d["maps"]] == [language.OUTSIDE_LANGUAGES]  # the JSON's verdict on the map
    (row,) = views.trust_rows(d)
    assert row["mark"] == "⚠" and row["verdict"] == language.OUTSIDE_LANGUAGES
    notes = views.notices_markdown(d["prediction"], (), d["reading"], d["models"], d)
    assert notes.count("French is outside") == 1 and "⚠ Text: French" in notes  # a warning, not also a note
    html = report.to_html(d).split('<script type="application/json"')[0]  # what the page shows
    assert html.count("French is outside") == 1 and "⚠ " + language.OUTSIDE_LANGUAGES.replace("'", "&#x27;") in html
    # a file saved before maps carried the caveat still gets the verdict, from the prediction's own record
    for m in d["maps"]:
        m.pop("caveat")
    d.pop("reading")
    assert views.trust_rows(d)[0]["mark"] == "⚠"


def test_the_dashboard_shows_the_warning_and_the_trust_verdict(en_zh_path):
    from msa_demo import ui

    dash = ui.Dashboard.load(str(en_zh_path), fallback=None, device="cpu", warm=False)
    notes = dash.predict(None, FRENCH, None, None)["notices"]
    assert notes.count("French is outside") == 1
    last = list(dash.explain_panels(None, FRENCH, None, None, text_method="occlusion", deletion_steps=2))[-1]
    notes, trust = last["notices"], last["trust"]
    assert notes.count("French is outside") == 1
    assert "| ⚠ outside this model's languages |" in trust and "✓" not in trust


@pytest.mark.spawns  # runs the command line
def test_the_command_line_prints_the_notice_and_the_verdict(en_zh_path, tmp_path):
    def run(*args):
        res = subprocess.run([sys.executable, "-m", "msa_demo", *args, "--preset", str(en_zh_path), "--text", FRENCH],
                             capture_output=True, text=True, timeout=300)
        assert res.returncode == 0, res.stderr
        return res.stdout

    out = json.loads(run("predict", "--json"))
    assert out["modalities"]["text"]["language"] == "fr" and out["modalities"]["text"]["language_covered"] is False
    assert NOTICE in out["notices"]
    saved = tmp_path / "exp.json"
    text = run("explain", "--text-methods", "occlusion", "--deletion-steps", "2", "--out", str(saved))
    assert f"note: {NOTICE}" in text and f"verdict: ⚠ {language.OUTSIDE_LANGUAGES}" in text
    assert json.loads(saved.read_text(encoding="utf-8"))["maps"][0]["caveat"] == language.OUTSIDE_LANGUAGES


def test_the_header_names_the_languages_the_preset_declares(tiny_preset_path, tmp_path):
    from msa_demo import ui
    from msa_demo.model import MultimodalSentimentModel

    path = _declaring(tiny_preset_path, tmp_path / "lite_like.json", ["en", "ja"], name="lite")
    model = MultimodalSentimentModel.from_preset(str(path), device="cpu")
    assert model.preset.name == "lite"
    plain = ui.Dashboard(models={"lite": model}, default="lite").header_markdown()
    assert "**Reads:** English, Japanese" in plain
    fell_back = ui.Dashboard(models={"lite": model}, default="lite",
                             notices=["The 'hub' preset could not be loaded (no network); using 'lite' instead."])
    first = fell_back.header_markdown().split("\n\n", 1)[0]
    assert "Running offline: lite models, English and Japanese only" in first and "English only" not in first


def test_every_language_speech_recognition_can_report_has_a_name():
    """Whisper reports any of its 100 languages; each is named in a notice, not shown as its code ("te")."""
    from transformers.models.whisper.tokenization_whisper import LANGUAGES

    assert language.language_name("te") == "Telugu" and language.language_name("fr") == "French"
    assert language.language_name("yue") == "Cantonese"
    assert all(language.language_name(code) != code for code in LANGUAGES)
    assert language.language_name("xx") == "xx" and language.language_name(None) == "an unknown language"
    line = language.notice("audio", {"language": "te", "languages": ["en", "zh"], "language_covered": False})
    assert line.startswith("Transcript: Telugu is outside this model's languages (English, Chinese)")


MIXED = "El producto es muy malo y llegó tarde, but the delivery guy was nice."
PART_NOTICE = ("Text: part of it is Spanish, outside this model's languages (English, Chinese); its verdict on this "
               "text is not reliable.")


def test_part_of_a_text_in_another_language_is_found_and_english_with_borrowed_words_is_not():
    """``language.other_languages``: a run of words with several function words of another language and none of
    English's, covering a quarter of the text, is that language; an English text quoting a phrase is not."""
    mixed = {"The delivery was rápida pero el producto es muy malo, honestly disappointed 😡": ["es"],
             MIXED: ["es"], "Yeh phone bahut accha hai yaar, totally worth it": ["hi"],
             "Honestly the food was okay, mais le service était vraiment nul et très lent": ["fr"],
             "Bought it for my son, maar het is van slechte kwaliteit en niet stevig": ["nl"],
             "Das Produkt ist nicht gut und ich bin sehr enttäuscht, but the box was nice": ["de"]}
    for text, found in mixed.items():
        assert language.detect_language(text) == "en", text  # as a whole: English (it had read no further)
        assert language.other_languages(text, "en") == found, text
    english = ["C'est la vie, I guess the movie was just not for me", "Hasta la vista baby, this phone is going back",
               "I ordered the pollo con queso and it was delicious", "Die hard fans will love it, no doubt die die die",
               "Per the manual, the unit should be charged for a day", "The film noir was a tour de force",
               "I am really disappointed with this phone", "这家餐厅的服务太糟糕了", "",
               # a long review that quotes a French title is not "part French"
               "I saw it twice. " * 10 + "La vie est un long fleuve tranquille. " + "The cast is great. " * 10]
    assert [language.other_languages(t, language.detect_language(t)) for t in english] == [[]] * len(english)
    assert language.other_languages("Le service est très lent et je ne suis pas content", "fr") == []  # its own
    # the record names the language found, and only one outside the declared ones makes the model's verdict unsure
    spec = SimpleNamespace(options={"languages": ["en", "zh"]})
    record = language.check("text", {"text": MIXED}, spec)
    assert record == {"language": "en", "languages": ["en", "zh"], "language_covered": True,
                      "other_languages": ["es"]}
    assert language.outside(record) and language.notice("text", record) == PART_NOTICE
    covered = language.check("text", {"text": MIXED}, SimpleNamespace(options={"languages": ["en", "es"]}))
    assert covered["other_languages"] == ["es"] and not language.outside(covered)
    assert language.notice("text", covered) is None
    assert language.check("text", {"text": MIXED}, SimpleNamespace(options={}))["language_covered"] is None
    assert story.language_notice("text", record, "zh") == (
        "文字：其中一部分是西班牙语，超出此模型的语言范围（英语、中文），它对这段文字的判断不可靠。")


def test_a_text_partly_in_another_language_gets_the_notice_on_every_screen(en_zh, en_zh_path):
    """As a text wholly in another language: the prediction's notice and record, the maps' caveat, the trust table,
    the notes, the report (in English and Chinese) and the dashboard."""
    pred = en_zh.predict(text=MIXED)
    text = pred.to_dict()["modalities"]["text"]
    assert (text["language"], text["language_covered"], text["other_languages"]) == ("en", True, ["es"])
    assert pred.notices.count(PART_NOTICE) == 1
    assert en_zh.predict(text="I am really disappointed with this phone").modalities["text"].other_languages == []
    d = explain(en_zh, en_zh.read_inputs(text=MIXED), options=_fast()).to_dict()
    assert d["reading"]["text"]["other_languages"] == ["es"] and PART_NOTICE in d["prediction"]["notices"]
    assert [m["caveat"] for m in d["maps"]] == [language.OUTSIDE_LANGUAGES]
    (row,) = views.trust_rows(d)
    assert row["mark"] == "⚠" and row["verdict"] == language.OUTSIDE_LANGUAGES
    assert "(part of it is Spanish)" in views.trust_verdicts(d)[0][1]
    assert "（其中一部分是西班牙语）" in views.trust_verdicts(d, "zh")[0][1]
    notes = views.notices_markdown(d["prediction"], (), d["reading"], d["models"], d)
    assert notes.count("part of it is Spanish") == 1 and f"⚠ {PART_NOTICE}" in notes
    zh_notes = views.notices_markdown(d["prediction"], (), d["reading"], d["models"], d, lang="zh")
    assert zh_notes.count("其中一部分是西班牙语") == 1
    assert views.summary_sentence(d["prediction"], d, d["reading"]).endswith(
        f"(the words: {language.OUTSIDE_LANGUAGES}).")
    html = report.to_html(d).split('<script type="application/json"')[0]
    assert html.count("part of it is Spanish, outside") == 1 and "(part of it is Spanish)" in html and "⚠ " + language.OUTSIDE_LANGUAGES.replace("'", "&#x27;") in html
    zh_html = report.to_html(d, lang="zh").split('<script type="application/json"')[0]
    assert zh_html.count("其中一部分是西班牙语，超出") == 1 and "（其中一部分是西班牙语）" in zh_html
    from msa_demo import ui

    dash = ui.Dashboard.load(str(en_zh_path), fallback=None, device="cpu", warm=False)
    assert dash.predict(None, MIXED, None, None)["notices"].count("part of it is Spanish") == 1


def test_a_hashtag_is_one_word_and_emoji_stand_apart_from_punctuation():
    """A moderator reads hashtags first: "#周末vlog#" had been three words ("#" / "周末" / "vlog#"), "#正能量" two,
    and "😀😀，" one (the emoji's score mixed with the comma's). A word with letters keeps its punctuation ("great,"),
    as before."""
    from msa_demo.language import word_spans

    def words(text):
        return [text[a:b] for a, b in word_spans(text)]

    assert words("#周末vlog# 去了")[0] == "#周末vlog#"
    assert words("#正能量 #探店 #weekend") == ["#正能量", "#探店", "#weekend"]
    assert words("太好了😀😀，下次再来！") == ["太好了", "😀😀", "，", "下次", "再", "来", "！"]
    assert words("The food was great, #win! ok.") == ["The", "food", "was", "great,", "#win", "!", "ok."]
    assert words("# alone") == ["#", "alone"]


def test_a_chart_note_keeps_a_number_with_its_unit_and_a_chinese_word_whole():
    """The contributions chart's note, wrapped for plotly, had cut "(100 / %)" and "66 / 个百分点" apart, and a
    Chinese sentence inside a word ('使“负 / 面”')."""
    from msa_demo.views.figures import wrapped

    zh = ("去掉文字后，模型对“负面”更有把握（66 % 对 64 %，全部输入时）：与其他输入相比，这个输入对它没有帮助。"
          "文字和图片相互重叠：两者一起使“负面”移动的幅度比各自效果相加少 16 个百分点。")
    lines = wrapped(zh, 24).split("<br>")
    assert all(len(line) <= 24 for line in lines) and "".join(lines).replace("\u00a0", " ") == zh.replace(" 16", "16")
    assert not any(line.endswith(("“负", "66", "64", "16")) for line in lines), lines
    assert "16\u00a0个百分点。" in lines[-1]
    en = wrapped("Without the words the model is even surer of 'negative' (98 % against 97 % with everything)", 48)
    assert "(98\u00a0% against 97\u00a0% with everything)" in en.replace("<br>", " ")
