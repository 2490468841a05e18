"""The small word table the text what-if replaces words from (``explain.whatif``): for each sentiment word, an
antonym and a neutral word of the same part of speech, in English and Chinese.

Source: written by hand for this project (common sentiment adjectives, verbs and adverbs of product reviews and
posts; the antonym pairs are the usual dictionary ones, e.g. WordNet's for the English adjectives). It is a
probe, not a thesaurus: a word it does not list is only removed, never replaced. A Chinese neutral word takes the
place its word had after 很 or 对…很 ("很失望" → "很了解", "很喜欢" → "很熟悉"; "知道" and "看到" had made "很知道").
"""

from __future__ import annotations

import unicodedata

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
    "不错": ("糟糕", "一般"), "糟糕": ("不错", "一般"), "满意": ("失望", "了解"), "失望": ("满意", "了解"),
    "喜欢": ("讨厌", "熟悉"), "讨厌": ("喜欢", "熟悉"), "开心": ("难过", "平静"), "难过": ("开心", "平静"),
    "高兴": ("生气", "平静"), "生气": ("高兴", "平静"), "愤怒": ("愉快", "平静"), "愉快": ("愤怒", "平静"),
    "漂亮": ("难看", "普通"), "难看": ("漂亮", "普通"), "好吃": ("难吃", "普通"), "难吃": ("好吃", "普通"),
    "便宜": ("贵", "定价"), "贵": ("便宜", "定价"), "快": ("慢", "按时"), "慢": ("快", "按时"),
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


def _core(word: str) -> tuple[str, str, str]:
    """(leading punctuation, the word, trailing punctuation): "awful," -> ("", "awful", ",")."""
    def punct(ch: str) -> bool:
        return unicodedata.category(ch).startswith("P")

    a, b = 0, len(word)
    while a < b and punct(word[a]):
        a += 1
    while b > a and punct(word[b - 1]):
        b -= 1
    return word[:a], word[a:b], word[b:]


def _listed(core: str) -> tuple[str, tuple[str, str]] | None:
    """(the table's key, its entry) for a word without its punctuation: English by its lower case; None when the
    table does not list it."""
    if core.lower() in ENGLISH:
        return core.lower(), ENGLISH[core.lower()]
    return (core, CHINESE[core]) if core in CHINESE else None


def says(word: str) -> str | None:
    """What a listed word says: "positive" or "negative" (its punctuation and capital aside); None when the table
    does not list it."""
    listed = _listed(_core(word)[1])
    return None if listed is None else "positive" if listed[0] in POSITIVE else "negative"


def replacement(word: str, edit: str) -> str | None:
    """The word put in for ``word`` by ``edit`` ("antonym" or "neutral"), its punctuation and capital kept;
    None when the table does not list it."""
    lead, core, tail = _core(word)
    listed = _listed(core)
    if listed is None:
        return None
    new = listed[1][EDITS.index(edit)]
    if core[:1].isupper():
        new = new[:1].upper() + new[1:]
    return lead + new + tail


__all__ = ["CHINESE", "EDITS", "ENGLISH", "POSITIVE", "replacement", "says"]
