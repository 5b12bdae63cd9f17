"""The checks of chapter 7 pass right answers and reject typical wrong ones, naming the failing case.

Each answer is defined the way a notebook defines it, in a namespace named
``__main__`` (a check grades the student's own definition only).
"""

import textwrap

import numpy as np
import pytest

from student_code import as_student
from lessons_src.checks import (check_chunked_loss_and_gradient, check_embedding_backward, check_predictions,
                                check_trigram_perplexity)

pytestmark = pytest.mark.usefixtures("one_torch_thread")

HEADER = """
import numpy as np
import torch
import torch.nn.functional as F
from lessons_src.torch_charlm import flat_gradient
"""


def notebook_function(source, name):
    """The function ``name`` defined by ``source`` in a namespace of its own (``grade`` makes it a student's)."""
    namespace = {"__name__": "answers"}
    exec(HEADER + textwrap.dedent(source), namespace)
    return namespace[name]


def unfinished(name, arguments):
    return notebook_function(f"def {name}({arguments}):\n    raise NotImplementedError()\n", name)


PREDICTIONS = {
    "right": "def predictions(V):\n    return {'uniform_perplexity': V, 'entropy_hot': np.log(V), 'entropy_cold': 0.0}",
    "bits": "def predictions(V):\n    return {'uniform_perplexity': V, 'entropy_hot': np.log2(V), 'entropy_cold': 0.0}",
    "swapped": "def predictions(V):\n    return {'uniform_perplexity': V, 'entropy_hot': 0.0, 'entropy_cold': np.log(V)}",
    "perplexity as a loss": "def predictions(V):\n    return {'uniform_perplexity': np.log(V), 'entropy_hot': np.log(V), 'entropy_cold': 0.0}",
}

EMBEDDING = {
    "right": """
        def embedding_backward(ids, d_vectors, vocab_size):
            grad = np.zeros((vocab_size, d_vectors.shape[1]))
            np.add.at(grad, ids, d_vectors)
            return grad""",
    "assignment loses repeats": """
        def embedding_backward(ids, d_vectors, vocab_size):
            grad = np.zeros((vocab_size, d_vectors.shape[1]))
            grad[ids] += d_vectors
            return grad""",
    "transposed": """
        def embedding_backward(ids, d_vectors, vocab_size):
            grad = np.zeros((d_vectors.shape[1], vocab_size))
            np.add.at(grad.T, ids, d_vectors)
            return grad""",
    "one-hot product": """
        def embedding_backward(ids, d_vectors, vocab_size):
            return np.eye(vocab_size)[ids].T @ d_vectors""",
}

TRIGRAM = {
    "right": """
        def trigram_perplexity(train_ids, val_ids, vocab_size, smoothing):
            counts = np.full((vocab_size, vocab_size, vocab_size), smoothing)
            np.add.at(counts, (train_ids[:-2], train_ids[1:-1], train_ids[2:]), 1.0)
            p = counts / counts.sum(axis=2, keepdims=True)
            return float(np.exp(-np.log(p[val_ids[:-2], val_ids[1:-1], val_ids[2:]]).mean()))""",
    "normalised over the wrong axis": """
        def trigram_perplexity(train_ids, val_ids, vocab_size, smoothing):
            counts = np.full((vocab_size, vocab_size, vocab_size), smoothing)
            np.add.at(counts, (train_ids[:-2], train_ids[1:-1], train_ids[2:]), 1.0)
            p = counts / counts.sum(axis=0, keepdims=True)
            return float(np.exp(-np.log(p[val_ids[:-2], val_ids[1:-1], val_ids[2:]]).mean()))""",
    "smoothing forgotten": """
        def trigram_perplexity(train_ids, val_ids, vocab_size, smoothing):
            counts = np.zeros((vocab_size, vocab_size, vocab_size))
            np.add.at(counts, (train_ids[:-2], train_ids[1:-1], train_ids[2:]), 1.0)
            p = counts / np.maximum(counts.sum(axis=2, keepdims=True), 1)
            with np.errstate(divide="ignore"):
                return float(np.exp(-np.log(p[val_ids[:-2], val_ids[1:-1], val_ids[2:]]).mean()))""",
    "the mean of the probabilities": """
        def trigram_perplexity(train_ids, val_ids, vocab_size, smoothing):
            counts = np.full((vocab_size, vocab_size, vocab_size), smoothing)
            np.add.at(counts, (train_ids[:-2], train_ids[1:-1], train_ids[2:]), 1.0)
            p = counts / counts.sum(axis=2, keepdims=True)
            return float(1 / p[val_ids[:-2], val_ids[1:-1], val_ids[2:]].mean())""",
}

CHUNKED = """
    def chunked_loss_and_gradient(model, ids, k):
        model.zero_grad()
        ids = torch.from_numpy(ids)
        count, total, state = len(ids) - 1, 0.0, None
        for start in range(0, count, k):
            inputs, targets = ids[start:start + k], ids[start + 1:start + k + 1]
            {reset}
            logits, state = model(inputs[:len(targets), None], state)
            loss = {loss}
            loss.backward()
            total += loss.item()
            {detach}
        return total, flat_gradient(model)"""
RIGHT_PARTS = dict(reset="", loss='F.cross_entropy(logits[:, 0], targets, reduction="sum") / count', detach="state = tuple(s.detach() for s in state)")
BUGHUNT = {
    "right": RIGHT_PARTS,
    "the planted bug: a fresh state for every chunk": dict(RIGHT_PARTS, reset="state = None"),
    "the state not detached": dict(RIGHT_PARTS, detach=""),
    "the mean of each chunk, summed": dict(RIGHT_PARTS, loss="F.cross_entropy(logits[:, 0], targets)"),
}


@pytest.mark.parametrize("check, name, arguments, answers, message", [
    (check_predictions, "predictions", "V", {key: value for key, value in PREDICTIONS.items()},
     r"predictions\(\d+\) returned .*; expected .*at key"),
    (check_embedding_backward, "embedding_backward", "ids, d_vectors, vocab_size",
     {key: textwrap.dedent(value) for key, value in EMBEDDING.items()}, r"embedding_backward\(\["),
    (check_trigram_perplexity, "trigram_perplexity", "train_ids, val_ids, vocab_size, smoothing",
     {key: textwrap.dedent(value) for key, value in TRIGRAM.items()}, r"trigram_perplexity\(\["),
    (check_chunked_loss_and_gradient, "chunked_loss_and_gradient", "model, ids, k",
     {key: textwrap.dedent(CHUNKED).format(**parts) for key, parts in BUGHUNT.items()},
     r"chunked_loss_and_gradient\(CharLanguageModel"),
], ids=["predictions", "embedding_backward", "trigram_perplexity", "chunked_loss_and_gradient"])
def test_each_check_passes_the_right_answer_and_rejects_wrong_ones(grade, check, name, arguments, answers, message):
    functions = {key: notebook_function(source, name) for key, source in answers.items()}
    right = functions.pop("one-hot product", None)      # another right answer, for embedding_backward
    if right is not None:
        check(as_student(right))
    wrongs = [function for key, function in functions.items() if key != "right"]
    assert len(wrongs) >= 2
    grade(check, functions["right"], wrongs, unfinished(name, arguments), match=message)


def test_the_bug_hunt_reports_a_state_that_is_not_detached_as_the_error_it_raises():
    not_detached = as_student(notebook_function(textwrap.dedent(CHUNKED).format(**dict(RIGHT_PARTS, detach="")),
                                     "chunked_loss_and_gradient"))
    with pytest.raises(AssertionError, match=r", 1\) raised RuntimeError: Trying to backward through the graph a second"):
        check_chunked_loss_and_gradient(not_detached)


def test_a_wrong_embedding_gradient_is_named_with_its_case():
    wrong = as_student(notebook_function(textwrap.dedent(EMBEDDING["assignment loses repeats"]), "embedding_backward"))
    with pytest.raises(AssertionError, match=r"embedding_backward\(\[1, 3, 1\], .*, 5\) returned .*differs most at index \(1,"):
        check_embedding_backward(wrong)
