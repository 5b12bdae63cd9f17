"""Tests of lessons_src.text and of chapter 7's corpus: the snapshot is what its description says."""

import hashlib
import importlib.util
import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from lessons_src.data import Vocabulary
from lessons_src.text import (CORPUS, REPLACEMENT, char_vocabulary, chunks, decode_text, encode_text, known_word_share,
                              load_corpus, split_text, text_streams)

ROOT = Path(__file__).resolve().parent.parent


def make_corpus_module():
    spec = importlib.util.spec_from_file_location("make_corpus", ROOT / "scripts" / "make_corpus.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# The corpus file


def test_the_corpus_is_the_file_its_description_records():
    data = CORPUS.read_bytes()
    description = json.loads(CORPUS.with_suffix(".json").read_text(encoding="utf-8"))
    assert hashlib.sha256(data).hexdigest() == description["sha256"]
    assert len(data) == description["bytes"] >= 50_000
    text = data.decode("utf-8")
    assert len(text) == description["characters"]
    assert len(set(text)) == description["distinct_characters"]
    assert description["sources"] == list(make_corpus_module().SOURCES)
    assert not description["sources_modified"]
    assert load_corpus() == text


def test_the_corpus_is_plain_text_of_the_book():
    text = load_corpus()
    assert text.startswith("# RNNs and LSTMs from scratch\n") and text.endswith("\n")
    assert all(character == "\n" or character.isprintable() for character in text)
    assert "\r" not in text and "\t" not in text
    assert '"cell_type"' not in text and "import numpy" not in text  # Markdown only: no notebook JSON, no code cells


def test_a_changed_corpus_is_refused(tmp_path):
    copy = tmp_path / "corpus.txt"
    shutil.copy(CORPUS, copy)
    shutil.copy(CORPUS.with_suffix(".json"), copy.with_suffix(".json"))
    assert load_corpus(copy) == load_corpus()
    copy.write_bytes(copy.read_bytes() + b"x")
    with pytest.raises(ValueError, match="path: expected the corpus with sha256"):
        load_corpus(copy)


def test_the_script_joins_the_markdown_of_pages_and_notebooks_in_order(tmp_path):
    script = make_corpus_module()
    (tmp_path / "book").mkdir()
    (tmp_path / "book" / "page.md").write_text("\n# A page\n\nText.\n\n", encoding="utf-8")
    notebook = {"cells": [{"cell_type": "markdown", "source": ["## One\n", "two"]},
                          {"cell_type": "code", "source": ["print('left out')"]},
                          {"cell_type": "markdown", "source": []},
                          {"cell_type": "markdown", "source": ["three $x$\n"]}]}
    (tmp_path / "book" / "chapter.ipynb").write_text(json.dumps(notebook), encoding="utf-8")
    text = script.corpus_text(tmp_path, ("book/page.md", "book/chapter.ipynb"))
    assert text == "# A page\n\nText.\n\n## One\ntwo\n\nthree $x$\n"
    assert script.corpus_text(tmp_path, ("book/page.md", "book/chapter.ipynb")) == text  # the same bytes again


# Splitting, vocabulary, encoding


def test_split_text_cuts_by_position():
    text = "abcdefghij" * 10
    train, val = split_text(text)
    assert (train, val) == (text[:90], text[90:])
    assert split_text("abcd", p_val=0.5) == ("ab", "cd")


def test_char_vocabulary_is_chapter_1s_vocabulary_over_characters():
    vocab = char_vocabulary("abracadabra")
    assert isinstance(vocab, Vocabulary)
    assert vocab.tokens == ["a", "b", "r", "c", "d", "UNK"]


def test_encode_and_decode_are_inverse():
    vocab = char_vocabulary("hello world\n")
    ids = encode_text("low\nhold", vocab)
    assert ids.dtype == np.int64 and ids.shape == (8,)
    assert decode_text(ids, vocab) == "low\nhold"


def test_a_character_outside_the_vocabulary_is_an_error_or_unk():
    vocab = char_vocabulary("hello")
    with pytest.raises(ValueError, match=r"text: expected characters of the vocabulary; got 'x' at position 2 \(2 such"):
        encode_text("hex!", vocab)
    ids = encode_text("hex!", vocab, unknown="unk")
    assert ids.tolist()[2:] == [vocab.unk_index] * 2
    assert decode_text(ids, vocab) == "he" + REPLACEMENT * 2


def test_streams_and_chunks_read_every_target_once_in_order():
    ids = np.arange(23)
    streams = text_streams(ids, 3)
    assert streams.shape == (7, 3)
    assert streams[:, 1].tolist() == list(range(7, 14))           # column b: the b-th piece of the text
    pieces = chunks(streams, 3)
    assert [inputs.shape for inputs, _ in pieces] == [(3, 3), (3, 3)]
    targets = np.concatenate([t for _, t in pieces])
    inputs = np.concatenate([i for i, _ in pieces])
    assert np.array_equal(targets, streams[1:]) and np.array_equal(inputs, streams[:-1])
    assert [i.shape for i, _ in chunks(streams, 4)] == [(4, 3), (2, 3)]   # the last chunk is shorter
    assert len(chunks(streams, 100)) == 1


def test_known_word_share_counts_words_of_two_letters_or_more():
    text = "the cat sat on the mat"
    assert known_word_share("the dog sat", text) == pytest.approx(2 / 3)
    assert known_word_share("a b c 1 2", text) == 0.0               # no word of two letters
    assert known_word_share("thecat, mat!", text) == 0.5


@pytest.mark.parametrize("call, error, message", [
    (lambda: split_text(""), ValueError, "text: expected a non-empty string"),
    (lambda: split_text(["a", "b"]), TypeError, "text: expected a string; got list"),
    (lambda: split_text("abc", p_val=1.0), ValueError, "p_val: expected a share"),
    (lambda: split_text("ab", p_val=0.1), ValueError, "p_val: expected a share"),
    (lambda: split_text("abc", p_val="0.1"), TypeError, "p_val: expected a float"),
    (lambda: char_vocabulary(""), ValueError, "text: expected a non-empty string"),
    (lambda: encode_text("", char_vocabulary("a")), ValueError, "text: expected a non-empty string"),
    (lambda: encode_text("a", ["a"]), TypeError, "vocab: expected a Vocabulary"),
    (lambda: encode_text("a", char_vocabulary("a"), unknown="skip"), ValueError, "unknown: expected 'error' or 'unk'"),
    (lambda: text_streams(np.arange(10), 0), ValueError, "batch_size: expected a positive integer"),
    (lambda: text_streams(np.arange(10), 6), ValueError, "batch_size: expected at most 5 streams"),
    (lambda: text_streams(list(range(10)), 2), TypeError, "ids: expected a NumPy array"),
    (lambda: text_streams(np.linspace(0, 1, 10), 2), TypeError, "ids: expected integer ids"),
    (lambda: chunks(np.zeros((5, 2), dtype=int), 0), ValueError, "chunk_length: expected a positive integer; got 0"),
    (lambda: chunks(np.zeros((5, 2), dtype=int), -3), ValueError, "chunk_length: expected a positive integer"),
    (lambda: chunks(np.zeros((5, 2), dtype=int), 2.0), TypeError, "chunk_length: expected a positive integer"),
    (lambda: chunks(np.zeros((1, 2), dtype=int), 2), ValueError, "streams: expected at least 2 steps"),
    (lambda: chunks(np.zeros(5, dtype=int), 2), ValueError, "streams: expected a 2-D array"),
    (lambda: known_word_share("", "text"), ValueError, "sample: expected a non-empty string"),
    (lambda: known_word_share("a sample", None), TypeError, "text: expected a string"),
])
def test_bad_input_is_refused_naming_the_argument(call, error, message):
    with pytest.raises(error, match=message):
        call()
