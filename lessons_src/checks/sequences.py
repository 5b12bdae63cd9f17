"""Checks for the exercises of chapter 1, "Representing sequences".

Every expected answer is computed here from the book's own functions
(``make_batch``, ``Vocabulary``), never from a copy of the answer; each
check recognises the usual mistakes and says what to look at.
"""

import ast
import inspect
import textwrap

import numpy as np

from ..data import Vocabulary, make_batch
from ..language import counting_sequence
from ._core import require_student_function
from ._hints import run_cases_with_hints

_TOY_VOCAB = Vocabulary(["a", "b", "EOS"])


def check_batch_shape(batch_shape):
    """``batch_shape(counts, vocab_size)`` -> ``((T, B, V), real)``: what ``make_batch`` gives for those counts."""
    cases = []
    for counts, vocab_size in [((1, 3, 2), 4), ((5,), 4), ((2, 2), 4), ((1, 5, 1, 5), 4), ((4, 1), 10), ((3,) * 6, 7)]:
        vocab = Vocabulary([f"w{k}" for k in range(vocab_size - 3)] + ["a", "b"]) if vocab_size != 4 else _TOY_VOCAB
        inputs, _, mask = make_batch([counting_sequence(n) for n in counts], vocab)
        cases.append(((counts, vocab_size), (inputs.shape, int(mask.sum()))))

    def one_token_too_many(counts, vocab_size):
        return (3 * max(counts) + 1, len(counts), vocab_size), sum(3 * n + 1 for n in counts)

    def padding_counted(counts, vocab_size):
        return (3 * max(counts), len(counts), vocab_size), 3 * max(counts) * len(counts)

    def batch_first(counts, vocab_size):
        return (len(counts), 3 * max(counts), vocab_size), 3 * sum(counts)

    run_cases_with_hints("batch_shape", batch_shape, cases, [
        ("a sentence of 3n + 1 tokens gives 3n input steps: its last token is only a target", one_token_too_many),
        ("the padded positions of the shorter sentences are not real: count 3n per sentence", padding_counted),
        ("the batch is time-major: T comes first, then B", batch_first),
    ])


def check_unknown_share(unknown_share):
    """``unknown_share(train_sequences, new_sequences, k)`` -> the share of new tokens a top-k vocabulary calls UNK."""
    train = [["the", "cat", "sat", "EOS"], ["the", "dog", "sat", "EOS"], ["a", "cat", "ran", "EOS"]]
    new = [["the", "cat", "ran", "EOS"], ["a", "bird", "sat", "on", "the", "mat", "EOS"]]
    toy_train = [counting_sequence(n) for n in (1, 2, 3)]
    toy_new = [counting_sequence(n) for n in (2, 4)] + [["a", "c", "EOS"]]
    inputs = [(train, new, 1), (train, new, 2), (train, new, 4), (train, new, 100), (train, train, 3),
              (toy_train, toy_new, 2), (toy_train, toy_new, 3)]

    def share(vocab, sequences):
        ids = np.concatenate([vocab.encode(sequence) for sequence in sequences])
        return float(np.mean(ids == vocab.unk_index))

    def right(train_sequences, new_sequences, k):
        return share(Vocabulary.from_sequences(train_sequences, max_size=k), new_sequences)

    def vocabulary_of_the_new_text(train_sequences, new_sequences, k):
        return share(Vocabulary.from_sequences(new_sequences, max_size=k), new_sequences)

    def sequences_not_tokens(train_sequences, new_sequences, k):
        vocab = Vocabulary.from_sequences(train_sequences, max_size=k)
        return float(np.mean([any(token not in vocab for token in sequence) for sequence in new_sequences]))

    def distinct_words(train_sequences, new_sequences, k):
        vocab = Vocabulary.from_sequences(train_sequences, max_size=k)
        words = {token for sequence in new_sequences for token in sequence}
        return len([word for word in words if word not in vocab]) / len(words)

    cases = [(args, right(*args)) for args in inputs]
    run_cases_with_hints("unknown_share", unknown_share, cases, [
        ("build the vocabulary from the training sequences: the new text is what it "
         "has not seen", vocabulary_of_the_new_text),
        ("count tokens, not sequences: each token of the new text weighs the same", sequences_not_tokens),
        ("count every token of the new text, repeated words as often as they occur, not the "
         "distinct words", distinct_words),
    ])


def check_make_mask(make_mask):
    """``make_mask(lengths)`` -> ``(T, B)`` float mask, 1.0 for the first ``lengths[b]`` steps of column b."""
    vocab = Vocabulary(["a"])
    cases = []
    for lengths in [[3], [3, 1, 2], [2, 2], [1, 4, 4, 2], [5, 1]]:
        # make_batch turns a sequence of length + 1 tokens into `length` steps: its mask is the answer.
        _, _, mask = make_batch([["a"] * (length + 1) for length in lengths], vocab)
        cases.append(((lengths,), mask))

    def transposed(lengths):
        return (np.arange(max(lengths))[:, None] < np.array(lengths)[None, :]).astype(float).T

    def one_step_too_many(lengths):
        return (np.arange(max(lengths))[:, None] <= np.array(lengths)[None, :]).astype(float)

    require_student_function("make_mask", make_mask)
    loops = _python_loops(make_mask)
    if loops:
        raise AssertionError(f"make_mask uses a Python loop ({', '.join(loops)}); the exercise asks for none. "
                             "Hint: compare the column of steps np.arange(T)[:, None] with the row of lengths")
    run_cases_with_hints("make_mask", make_mask, cases, [
        ("the mask is time-major, (T, B): one row per time step, one column per sequence", transposed),
        ("steps are counted from 0: sequence b is real at steps 0 to lengths[b] - 1", one_step_too_many),
    ])


_LOOPS = {ast.For: "for", ast.AsyncFor: "for", ast.While: "while", ast.ListComp: "a list comprehension",
          ast.SetComp: "a set comprehension", ast.DictComp: "a dict comprehension", ast.GeneratorExp: "a generator"}


def _python_loops(function):
    """The kinds of Python loop in ``function``'s source (``[]`` when there is none or the source is unknown).

    A notebook's cells are in ``linecache``, so ``inspect`` finds the source of a function defined in a notebook.
    """
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    except (OSError, TypeError, SyntaxError):
        return []
    return sorted({kind for node in ast.walk(tree) for loop, kind in _LOOPS.items() if isinstance(node, loop)})


def check_decode_batch(decode_batch):
    """``decode_batch(inputs, mask, vocab)`` -> the B lists of input tokens of a ``make_batch`` batch, no padding."""
    vocab = Vocabulary(["a", "b", "EOS"])
    batches = [[counting_sequence(1)], [counting_sequence(n) for n in (1, 3, 2)], [counting_sequence(2)] * 2,
               [counting_sequence(4), ["a", "c", "b", "EOS"], counting_sequence(1)],
               [["b", "a"], counting_sequence(2), ["EOS", "EOS", "a"]]]
    cases = []
    for batch in batches:
        inputs, _, mask = make_batch(batch, vocab)
        cases.append(((inputs, mask, vocab), [vocab.decode(vocab.encode(sequence[:-1])) for sequence in batch]))

    def padding_kept(inputs, mask, vocab):
        return [vocab.decode(column) for column in inputs.argmax(axis=-1).T]

    def rows_read_as_sequences(inputs, mask, vocab):
        return [vocab.decode(row) for row in inputs.argmax(axis=-1)]

    def last_step_dropped(inputs, mask, vocab):
        ids = inputs.argmax(axis=-1)
        return [vocab.decode(ids[:int(length) - 1, b]) for b, length in enumerate(mask.sum(axis=0))]

    run_cases_with_hints("decode_batch", decode_batch, cases, [
        ("at a padded step the input is all zeros, and the argmax of zeros is 0, the id of 'a': "
         "cut each column where its mask ends", padding_kept),
        ("inputs is time-major: sequence b is the column inputs[:, b], not a row", rows_read_as_sequences),
        ("the mask of sequence b sums to its number of real steps: keep all of them", last_step_dropped),
    ])


def check_time_major_ids(time_major_ids):
    """``time_major_ids(sequences, vocab, pad=-1)`` -> ``(L, B)`` ids, column b = sequence b, then ``pad``."""
    vocab = Vocabulary(["a", "b", "EOS"])
    batches = [[counting_sequence(1), counting_sequence(2)], [counting_sequence(n) for n in (3, 1, 2)],
               [counting_sequence(2)], [counting_sequence(1)] * 3, [["a", "z", "EOS"], counting_sequence(2)]]
    inputs = [(batch, vocab) for batch in batches] + [(batches[1], vocab, -7)]

    def rows(sequences, vocab, pad):
        length = max(len(sequence) for sequence in sequences)
        return np.array([np.concatenate([vocab.encode(s), np.full(length - len(s), pad)]) for s in sequences])

    def right(sequences, vocab, pad=-1):
        ids = np.full((max(len(s) for s in sequences), len(sequences)), pad, dtype=np.int64)
        for b, sequence in enumerate(sequences):
            ids[:len(sequence), b] = vocab.encode(sequence)
        return ids

    def reshaped(sequences, vocab, pad=-1):
        return rows(sequences, vocab, pad).reshape(-1, len(sequences))

    def batch_first(sequences, vocab, pad=-1):
        return rows(sequences, vocab, pad)

    def padded_with_zeros(sequences, vocab, pad=-1):
        return rows(sequences, vocab, 0).T

    cases = [(args, right(*args)) for args in inputs]
    run_cases_with_hints("time_major_ids", time_major_ids, cases, [
        ("the shape is right but the ids are in the wrong places: reshape(L, B) cuts the B rows, read one "
         "after the other, into L pieces; it does not turn rows into columns. Swap the axes with .T", reshaped),
        ("time first: the result is (L, B), one column per sequence", batch_first),
        ("pad with `pad` (-1 by default): 0 is the id of a word, so padding would pass for 'a'", padded_with_zeros),
    ])
