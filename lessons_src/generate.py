"""Greedy completion: let a trained model write the rest of a sequence.

A *model* here is any function that maps one-hot inputs (T, B, V) (NumPy
float64) to logits (T, B, V); ``predictor`` makes one from a NumPy model,
``torch_lstm.predictor`` from a PyTorch module.
"""

import numpy as np

from .data import EOS, one_hot
from .validation import require_arrays, require_function, require_positive_int, require_sequences, require_vocabulary

PROMPT_END = "b"


def predictor(forward, params):
    """The model ``inputs (T, B, V) -> logits (T, B, V)`` of a NumPy forward pass and its params."""
    require_function("forward", forward)
    require_arrays("params", params)

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
    require_function("model", model, "a function from inputs (T, B, V) to logits")
    require_vocabulary(vocab)
    if isinstance(prefix_tokens, str) or not isinstance(prefix_tokens, (list, tuple)):
        raise TypeError(f"prefix_tokens: expected a list of token strings; got {prefix_tokens!r}")
    if len(prefix_tokens) == 0:
        raise ValueError("prefix_tokens: expected at least one token; got an empty list")
    require_positive_int("max_len", max_len)

    tokens = list(prefix_tokens)
    while len(tokens) < max_len and tokens[-1] != EOS:
        inputs = one_hot(vocab.encode(tokens), len(vocab))[:, None, :]     # (T, 1, V)
        logits = np.asarray(model(inputs))
        if logits.shape != inputs.shape:
            raise ValueError(f"model: expected logits of shape {inputs.shape}; got {logits.shape}")
        tokens.append(vocab.tokens[int(np.argmax(logits[-1, 0]))])
    return tokens


def prompt_of(sequence):
    """The tokens of ``sequence`` up to and including its first ``b``."""
    if PROMPT_END not in sequence:
        raise ValueError(f"sequence: expected a sequence containing {PROMPT_END!r}; got {list(sequence)!r}")
    return list(sequence[:list(sequence).index(PROMPT_END) + 1])


def completion_accuracy(model, vocab, sequences, max_len=None):
    """The share of ``sequences`` that the model completes exactly from their prompt.

    The prompt of a sequence is its tokens up to and including the first
    ``b``; the completion counts as right only if ``complete`` returns the
    whole sequence, ``EOS`` included. ``max_len`` None allows each sequence
    its own length (a right answer never needs more).

    Returns a float between 0 and 1.
    """
    require_sequences("sequences", sequences)
    correct = 0
    for i, sequence in enumerate(sequences):
        if PROMPT_END not in sequence:
            raise ValueError(f"sequences[{i}]: expected a sequence containing {PROMPT_END!r}; got {list(sequence)!r}")
        limit = len(sequence) if max_len is None else max_len
        correct += complete(model, vocab, prompt_of(sequence), limit) == list(sequence)
    return correct / len(sequences)
