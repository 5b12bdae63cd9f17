"""Real text for a character language model: the corpus, its split, its characters, streams and chunks.

A text is a Python string; its characters are the tokens. Shapes (time first,
like the rest of the book):

- the ids of a text: ``(N,)`` int64
- a text cut into B parallel streams: ``(L, B)``, column b the b-th piece of the text
- a chunk of streams for truncated backpropagation through time: inputs ``(k, B)``
  and targets ``(k, B)``, the targets one character further on
"""

import hashlib
import json
import re
from pathlib import Path

import numpy as np

from .data import UNK, Vocabulary, require_vocabulary
from .validation import require_positive_int, require_type

CORPUS = Path(__file__).resolve().parent.parent / "book" / "data" / "corpus.txt"
"""The corpus of chapter 7, written by ``scripts/make_corpus.py``; ``corpus.json`` beside it describes it."""

REPLACEMENT = "\N{REPLACEMENT CHARACTER}"
"""How ``decode_text`` writes the id of ``UNK``: one character, so a decoded text keeps its length."""


def load_corpus(path=CORPUS):
    """The text of the corpus file ``path``, checked against the description written beside it.

    ``path`` is a UTF-8 text file; ``path.with_suffix(".json")`` records its
    ``characters`` and ``sha256`` (``scripts/make_corpus.py`` writes both).
    Returns the text (a str). Raises ValueError if the file is not the one
    described, so a chapter can never silently train on another text.
    """
    require_type("path", path, (str, Path), "a path to the corpus file")
    path = Path(path)
    if not path.is_file() or not path.with_suffix(".json").is_file():
        raise ValueError(f"path: expected a corpus file with its description {path.with_suffix('.json').name} beside it; "
                         f"got {path}")
    data = path.read_bytes()
    description = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    digest = hashlib.sha256(data).hexdigest()
    if digest != description["sha256"]:
        raise ValueError(f"path: expected the corpus with sha256 {description['sha256']} ({path.with_suffix('.json').name}); "
                         f"got {digest}: remake both with scripts/make_corpus.py")
    text = data.decode("utf-8")
    if len(text) != description["characters"]:
        raise ValueError(f"path: expected {description['characters']} characters; got {len(text)}")
    return text


def split_text(text, p_val=0.1):
    """Cut ``text`` by position: the first ``1 - p_val`` of its characters for training, the rest for validation.

    Not at random: neighbouring characters depend on each other, so a random
    split would put half of every word in each part. Returns ``(train, val)``,
    two strings, both non-empty.
    """
    require_text("text", text)
    if not isinstance(p_val, float):
        raise TypeError(f"p_val: expected a float between 0 and 1; got {p_val!r} ({type(p_val).__name__})")
    cut = round(len(text) * (1.0 - p_val))
    if not 0.0 < p_val < 1.0 or not 0 < cut < len(text):
        raise ValueError(f"p_val: expected a share that leaves both parts of the {len(text)} characters non-empty; "
                         f"got {p_val}")
    return text[:cut], text[cut:]


def char_vocabulary(text):
    """The ``Vocabulary`` of chapter 1 over the characters of ``text``, most frequent first, ``UNK`` last."""
    require_text("text", text)
    return Vocabulary.from_sequences([list(text)])


def encode_text(text, vocab, unknown="error"):
    """The ids of the characters of ``text``, shape ``(len(text),)`` int64.

    unknown: what to do with a character the vocabulary does not hold:
             ``"error"`` raises ValueError naming it and its position;
             ``"unk"`` encodes it as ``vocab.unk_index`` (chapter 1's rule).
    """
    require_text("text", text)
    require_vocabulary(vocab)
    require_type("unknown", unknown, str, "'error' or 'unk'")
    if unknown not in ("error", "unk"):
        raise ValueError(f"unknown: expected 'error' or 'unk'; got {unknown!r}")
    ids = vocab.encode(list(text))
    if unknown == "error":
        outside = np.flatnonzero(ids == vocab.unk_index)
        if outside.size:
            position = int(outside[0])
            raise ValueError(f"text: expected characters of the vocabulary; got {text[position]!r} at position "
                             f"{position} ({outside.size} such characters in all)")
    return ids


def decode_text(ids, vocab):
    """The string of the ids ``ids``; ``UNK`` is written as ``REPLACEMENT`` ("\N{REPLACEMENT CHARACTER}")."""
    return "".join(REPLACEMENT if token == UNK else token for token in vocab.decode(ids))


def text_streams(ids, batch_size):
    """Cut the ids of a text into ``batch_size`` parallel streams of equal length, one per column.

    ids: (N,) integer ids. Stream b is ``ids[b * L:(b + 1) * L]`` with
    ``L = N // batch_size``; the last ``N % batch_size`` ids are dropped.
    Returns an ``(L, batch_size)`` array. A hidden state carried down a column
    reads that part of the text in order.
    """
    ids = _require_ids("ids", ids)
    require_positive_int("batch_size", batch_size)
    length = len(ids) // batch_size
    if length < 2:
        raise ValueError(f"batch_size: expected at most {len(ids) // 2} streams of at least 2 ids from {len(ids)} ids; "
                         f"got {batch_size}")
    return ids[: length * batch_size].reshape(batch_size, length).T.copy()


def chunks(streams, chunk_length):
    """Cut ``(L, B)`` streams into consecutive chunks of ``chunk_length`` steps for truncated BPTT.

    Chunk j has inputs ``streams[j*k:(j+1)*k]`` and targets one step further,
    ``streams[j*k+1:(j+1)*k+1]`` (k = ``chunk_length``), so every id but the
    first of each stream is a target exactly once; the last chunk may be
    shorter. Returns a list of ``(inputs, targets)`` pairs, each ``(k, B)``.
    """
    streams = _require_ids("streams", streams, ndim=2)
    require_positive_int("chunk_length", chunk_length)
    steps = len(streams) - 1
    if steps < 1:
        raise ValueError(f"streams: expected at least 2 steps (an input and its target); got shape {streams.shape}")
    return [(streams[start:min(start + chunk_length, steps)], streams[start + 1:start + chunk_length + 1])
            for start in range(0, steps, chunk_length)]


def known_word_share(sample, text):
    """The share of the words of ``sample`` (runs of two or more letters) that also occur in ``text``; 0 if none."""
    require_text("sample", sample)
    require_text("text", text)
    words = re.findall(r"[A-Za-z]{2,}", sample)
    known = set(re.findall(r"[A-Za-z]{2,}", text))
    return sum(word in known for word in words) / len(words) if words else 0.0


def require_text(name, text):
    """Check that ``text`` is a non-empty string."""
    if not isinstance(text, str):
        raise TypeError(f"{name}: expected a string; got {type(text).__name__}")
    if not text:
        raise ValueError(f"{name}: expected a non-empty string; got ''")


def _require_ids(name, ids, ndim=1):
    if not isinstance(ids, np.ndarray):
        raise TypeError(f"{name}: expected a NumPy array of integer ids; got {type(ids).__name__}")
    if not np.issubdtype(ids.dtype, np.integer):
        raise TypeError(f"{name}: expected integer ids; got dtype {ids.dtype}")
    if ids.ndim != ndim:
        raise ValueError(f"{name}: expected a {ndim}-D array of ids; got shape {ids.shape}")
    return ids
