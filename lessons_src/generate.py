"""Greedy completion: let a trained model write the rest of a sequence.

A *model* here is any function that maps one-hot inputs (T, B, V) (NumPy
float64) to logits (T, B, V); ``numpy_predictor`` makes one from a NumPy
model, ``torch_train.torch_predictor`` from a PyTorch module. Nothing here
knows the book's language: the prompt of a sequence comes from a function,
by default ``language.prompt_of``.
"""

import numpy as np

from .data import EOS, one_hot, require_vocabulary
from .language import prompt_of
from .validation import require_arrays, require_function, require_positive_int, require_sequences, require_tokens


def numpy_predictor(forward, params):
    """The model ``inputs (T, B, V) -> logits (T, B, V)`` of a NumPy forward pass and its params."""
    _check_predictor_args(forward, params)

    def model(inputs):
        logits, _ = forward(params, inputs)
        return logits

    return model


def complete(model, vocab, prefix_tokens, max_len=50):
    """Extend ``prefix_tokens`` greedily, one most likely token at a time.

    At each step the model reads the whole sequence so far (tokens it does not
    know become ``UNK``) and the token with the highest logit at the last
    position is appended. Stops after ``EOS`` or when the sequence holds
    ``max_len`` tokens.

    Returns the prefix (as given) followed by the generated tokens.
    """
    _check_complete_args(model, vocab, prefix_tokens, max_len)
    tokens = list(prefix_tokens)
    while len(tokens) < max_len and tokens[-1] != EOS:
        inputs = one_hot(vocab.encode(tokens), len(vocab))[:, None, :]     # (T, 1, V)
        logits = np.asarray(model(inputs))
        if logits.shape != inputs.shape:
            raise ValueError(f"model: expected logits of shape {inputs.shape}; got {logits.shape}")
        tokens.append(vocab.tokens[int(np.argmax(logits[-1, 0]))])
    return tokens


def completion_accuracy(model, vocab, sequences, max_len=None, prompt=prompt_of):
    """The share of ``sequences`` that the model completes exactly from their prompt.

    ``prompt(sequence)`` gives the tokens the model starts from (by default
    ``language.prompt_of``: up to and including the first ``b``); the
    completion counts as right only if ``complete`` returns the whole
    sequence, ``EOS`` included. ``max_len`` None allows each sequence its own
    length (a right answer never needs more).

    Returns a float between 0 and 1.
    """
    _check_accuracy_args(sequences, max_len, prompt)
    correct = 0
    for sequence in sequences:
        limit = len(sequence) if max_len is None else max_len
        correct += complete(model, vocab, prompt(sequence), limit) == list(sequence)
    return correct / len(sequences)


def _check_predictor_args(forward, params):
    require_function("forward", forward)
    require_arrays("params", params)


def _check_complete_args(model, vocab, prefix_tokens, max_len):
    require_function("model", model, "a function from inputs (T, B, V) to logits")
    require_vocabulary(vocab)
    require_tokens("prefix_tokens", prefix_tokens)
    require_positive_int("max_len", max_len)


def _check_accuracy_args(sequences, max_len, prompt):
    require_sequences("sequences", sequences)
    if max_len is not None:
        require_positive_int("max_len", max_len)
    require_function("prompt", prompt, "a function sequence -> prompt tokens")
