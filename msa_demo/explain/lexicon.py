"""The small word table the text what-if replaces words from (``explain.whatif``): for each sentiment word, an
antonym and a neutral word of the same part of speech, in English and Chinese.

Source: written by hand for this project (common sentiment adjectives, verbs and adverbs of product reviews and
posts; the antonym pairs are the usual dictionary ones, e.g. WordNet's for the English adjectives). It is a
probe, not a thesaurus: a word it does not list is only removed, never replaced. A Chinese neutral word takes the
place its word had after 很, 太 or 对…很 ("很失望" → "很惊讶", "很喜欢" → "很熟悉"; "知道" and "看到" had made
"很知道", "了解" made "真的非常了解", "定价" and "按时" made "太定价了" and "很按时").

Chinese is cut into words by jieba, which keeps a degree adverb and a particle with the word they go with ("太差",
"太棒了", "非常好"): a word the table lists is also found inside such a word (:data:`DEGREE`, :data:`PARTICLES`),
and only that core is replaced ("太差了" → "太好了").
"""

from __future__ import annotations

import unicodedata

# the languages the table holds words of (ISO 639-1): the what-if swaps words only in a text told to be in one of them
# (a Spanish review's 'terrible' had been swapped for 'great' inside the Spanish sentence)
LANGUAGES = ("en", "zh")

# word -> (antonym, neutral word)
ENGLISH: dict[str, tuple[str, str]] = {
    "good": ("bad", "ordinary"), "bad": ("good", "ordinary"),
    "great": ("terrible", "ordinary"), "terrible": ("great", "ordinary"),
    "excellent": ("awful", "average"), "awful": ("wonderful", "average"),
    "wonderful": ("awful", "average"), "horrible": ("lovely", "average"),
    "lovely": ("horrible", "plain"), "nice": ("nasty", "plain"), "nasty": ("nice", "plain"),
    "amazing": ("dreadful", "average"), "dreadful": ("amazing", "average"),
    "fantastic": ("awful", "average"), "brilliant": ("dismal", "average"), "dismal": ("brilliant", "average"),
    "perfect": ("flawed", "usual"), "flawed": ("perfect", "usual"),
    "best": ("worst", "usual"), "worst": ("best", "usual"), "better": ("worse", "different"),
    "worse": ("better", "different"),
    "happy": ("sad", "calm"), "sad": ("happy", "calm"), "glad": ("sorry", "aware"), "sorry": ("glad", "aware"),
    "angry": ("pleased", "calm"), "furious": ("delighted", "calm"), "pleased": ("annoyed", "informed"),
    "delighted": ("furious", "informed"), "annoyed": ("pleased", "informed"), "upset": ("content", "calm"),
    "love": ("hate", "see"), "loved": ("hated", "saw"), "hate": ("love", "see"), "hated": ("loved", "saw"),
    "like": ("dislike", "notice"), "liked": ("disliked", "noticed"), "enjoy": ("detest", "attend"),
    "enjoyed": ("detested", "attended"),
    "beautiful": ("ugly", "plain"), "ugly": ("beautiful", "plain"), "boring": ("exciting", "long"),
    "exciting": ("boring", "long"), "fun": ("dull", "long"), "dull": ("lively", "long"),
    "friendly": ("rude", "formal"), "rude": ("friendly", "formal"), "helpful": ("useless", "present"),
    "useless": ("helpful", "present"), "fresh": ("stale", "warm"), "stale": ("fresh", "warm"),
    "delicious": ("disgusting", "warm"), "disgusting": ("delicious", "warm"), "tasty": ("bland", "warm"),
    "cheap": ("overpriced", "priced"), "overpriced": ("cheap", "priced"), "fast": ("slow", "timed"),
    "slow": ("fast", "timed"), "clean": ("dirty", "used"), "dirty": ("clean", "used"),
    "well": ("badly", "so"), "badly": ("well", "so"), "poor": ("fine", "ordinary"), "fine": ("poor", "ordinary"),
    "disappointing": ("satisfying", "ordinary"), "satisfying": ("disappointing", "ordinary"),
    "disappointed": ("satisfied", "informed"), "satisfied": ("disappointed", "informed"),
    "recommend": ("discourage", "mention"), "broken": ("working", "used"), "working": ("broken", "used"),
}

CHINESE: dict[str, tuple[str, str]] = {
    "好": ("差", "一般"), "差": ("好", "一般"), "很好": ("很差", "一般"), "很差": ("很好", "一般"),
    "不错": ("糟糕", "一般"), "糟糕": ("不错", "一般"), "满意": ("失望", "惊讶"), "失望": ("满意", "惊讶"),
    "喜欢": ("讨厌", "熟悉"), "讨厌": ("喜欢", "熟悉"), "开心": ("难过", "平静"), "难过": ("开心", "平静"),
    "高兴": ("生气", "平静"), "生气": ("高兴", "平静"), "愤怒": ("愉快", "平静"), "愉快": ("愤怒", "平静"),
    "漂亮": ("难看", "普通"), "难看": ("漂亮", "普通"), "好吃": ("难吃", "普通"), "难吃": ("好吃", "普通"),
    "便宜": ("贵", "适中"), "贵": ("便宜", "适中"), "快": ("慢", "正常"), "慢": ("快", "正常"),
    "干净": ("脏", "普通"), "脏": ("干净", "普通"), "推荐": ("不推荐", "提到"), "完美": ("糟糕", "普通"),
    "垃圾": ("精品", "东西"), "精品": ("垃圾", "东西"), "棒": ("烂", "一般"), "烂": ("棒", "一般"),
    "热情": ("冷淡", "正常"), "冷淡": ("热情", "正常"), "爱": ("恨", "熟悉"), "恨": ("爱", "熟悉"),
}

EDITS = ("antonym", "neutral")

# The listed words that say something good; every other word listed says something bad. A word is replaced only
# where it says what the verdict says (``explain.whatif``): on a weak map of a long review, 'excellent' ranked
# toward negative was swapped for 'awful', and the what-if read more negative, not less.
POSITIVE = frozenset({
    "good", "great", "excellent", "wonderful", "lovely", "nice", "amazing", "fantastic", "brilliant", "perfect",
    "best", "better", "happy", "glad", "pleased", "delighted", "love", "loved", "like", "liked", "enjoy", "enjoyed",
    "beautiful", "exciting", "fun", "friendly", "helpful", "fresh", "delicious", "tasty", "cheap", "fast", "clean",
    "well", "fine", "satisfying", "satisfied", "recommend", "working",
    "好", "很好", "不错", "满意", "喜欢", "开心", "高兴", "愉快", "漂亮", "好吃", "便宜", "快", "干净", "推荐", "完美",
    "精品", "棒", "热情", "爱",
})


# what jieba keeps with a Chinese sentiment word: degree adverbs before it, particles and degree complements after
DEGREE = ("太", "很", "非常", "真", "真的", "真是", "好", "超", "超级", "特别", "十分", "挺", "极", "最", "更", "比较",
          "相当", "蛮", "实在", "有点", "有些", "如此", "这么", "那么", "多么", "越来越")
PARTICLES = ("了", "极了", "死了", "透了", "得很", "的", "啊", "呀", "啦", "哦", "吧", "呢", "哈")


def _punct(ch: str) -> bool:
    return unicodedata.category(ch).startswith("P")


def _core(word: str) -> tuple[str, str, str]:
    """(leading punctuation, the word, trailing punctuation): "awful," -> ("", "awful", ",")."""
    a, b = 0, len(word)
    while a < b and _punct(word[a]):
        a += 1
    while b > a and _punct(word[b - 1]):
        b -= 1
    return word[:a], word[a:b], word[b:]


def core_span(word: str) -> tuple[int, int]:
    """Where the word is in ``word``, its punctuation aside ("disappointed。" -> (0, 12)); (0, 0) for punctuation
    alone ("。"), which is no word."""
    lead, core, _ = _core(word)
    return (len(lead), len(lead) + len(core)) if core else (0, 0)


def _listed(core: str) -> tuple[str, tuple[str, str]] | None:
    """(the table's key, its entry) for a word without its punctuation: English by its lower case; None when the
    table does not list it."""
    if core.lower() in ENGLISH:
        return core.lower(), ENGLISH[core.lower()]
    return (core, CHINESE[core]) if core in CHINESE else None


def _found(core: str) -> tuple[int, int, str, tuple[str, str]] | None:
    """(start, end, key, entry): the listed word in ``core``, the whole of it, or for Chinese the longest listed
    word left between a degree adverb and a particle ("太差了" -> (1, 2, "差", ...)); None when there is none."""
    listed = _listed(core)
    if listed is not None:
        return 0, len(core), *listed
    best = None
    for head in ("", *DEGREE):
        if not core.startswith(head):
            continue
        for tail in ("", *PARTICLES):
            if len(core) - len(head) - len(tail) <= 0 or not core.endswith(tail) or not (head or tail):
                continue
            mid = core[len(head):len(core) - len(tail)]
            if mid in CHINESE and mid != head and (best is None or len(mid) > best[1] - best[0]):
                best = (len(head), len(head) + len(mid), mid, CHINESE[mid])
    return best


def says(word: str) -> str | None:
    """What a listed word says: "positive" or "negative" (its punctuation and capital aside); None when the table
    does not list it."""
    found = _found(_core(word)[1])
    return None if found is None else "positive" if found[2] in POSITIVE else "negative"


def swap(word: str, edit: str) -> tuple[int, int, str] | None:
    """(start, end, new): the part of ``word`` that ``edit`` ("antonym" or "neutral") replaces, and what it puts in
    ("awful," -> (0, 5, "wonderful"), "太差了" -> (1, 2, "好")); its punctuation, capital, degree adverb and
    particle kept. None when the table does not list it."""
    lead, core, _ = _core(word)
    found = _found(core)
    if found is None:
        return None
    a, b, _key, entry = found
    new = entry[EDITS.index(edit)]
    if core[a:a + 1].isupper():
        new = new[:1].upper() + new[1:]
    return len(lead) + a, len(lead) + b, new


def replacement(word: str, edit: str) -> str | None:
    """The word put in for ``word`` by ``edit`` ("antonym" or "neutral"), its punctuation and capital kept
    ("太差了" -> "太好了"); None when the table does not list it."""
    cut = swap(word, edit)
    return None if cut is None else word[:cut[0]] + cut[2] + word[cut[1]:]


__all__ = ["CHINESE", "DEGREE", "EDITS", "ENGLISH", "LANGUAGES", "PARTICLES", "POSITIVE", "core_span", "replacement", "says", "swap"]
