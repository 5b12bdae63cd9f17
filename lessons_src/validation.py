"""How the book's functions check their arguments.

Every public function of ``lessons_src`` checks what it is given before it
computes anything, so that a mistake shows up where it is made, in a message
that names the argument, says what was expected and what was given::

    hidden_size: expected a positive integer; got 2.5 (float)

A value of the wrong kind raises ``TypeError``; a value of the right kind that
does not fit (a size below 1, a wrong shape, a missing key) raises
``ValueError``. This module holds the checks that several modules share; a
check that only one function needs stays next to that function.
"""

from numbers import Integral, Real

import numpy as np


def require_int(name, value, minimum):
    """Check that ``value`` is an integer (not a bool) of at least ``minimum``.

    A minimum of 1 is called "a positive integer" in the messages.
    """
    expected = "a positive integer" if minimum == 1 else f"an integer >= {minimum}"
    if not isinstance(value, Integral) or isinstance(value, bool):
        raise TypeError(f"{name}: expected {expected}; got {value!r} ({type(value).__name__})")
    if value < minimum:
        raise ValueError(f"{name}: expected {expected}; got {value}")


def require_positive_int(name, value):
    """Check that ``value`` is an integer of at least 1: a size, a count, a number of epochs."""
    require_int(name, value, minimum=1)


def require_positive_number(name, value, allow_none=False):
    """Check that ``value`` is a finite number above 0 (a learning rate, a norm), or None if ``allow_none``."""
    if allow_none and value is None:
        return
    expected = "a positive number or None" if allow_none else "a positive number"
    if not isinstance(value, Real) or isinstance(value, bool):
        raise TypeError(f"{name}: expected {expected}; got {value!r} ({type(value).__name__})")
    if not value > 0 or not np.isfinite(value):
        raise ValueError(f"{name}: expected {expected}; got {value!r}")


def require_function(name, value, expected="a function"):
    """Check that ``value`` can be called; ``expected`` says what kind of function, for the message."""
    if not callable(value):
        raise TypeError(f"{name}: expected {expected}; got {type(value).__name__}")


def require_arrays(name, arrays):
    """Check that ``arrays`` is a non-empty ``dict[str, np.ndarray]`` (parameters or gradients)."""
    if not isinstance(arrays, dict):
        raise TypeError(f"{name}: expected a dict of NumPy arrays; got {type(arrays).__name__}")
    if not arrays:
        raise ValueError(f"{name}: expected a non-empty dict of NumPy arrays; got an empty dict")
    for key, value in arrays.items():
        if not isinstance(value, np.ndarray):
            raise TypeError(f"{name}[{key!r}]: expected a NumPy array; got {type(value).__name__}")


def require_like(name, arrays, reference_name, reference):
    """Check that ``arrays`` has the keys of the dict ``reference``, each array with the same shape.

    For gradients: ``require_like("grads", grads, "params", params)``.
    """
    require_arrays(reference_name, reference)
    require_arrays(name, arrays)
    if set(arrays) != set(reference):
        raise ValueError(f"{name}: expected the keys of {reference_name} {sorted(reference)}; got {sorted(arrays)}")
    for key, array in reference.items():
        if arrays[key].shape != array.shape:
            raise ValueError(f"{name}[{key!r}]: expected shape {array.shape} like {reference_name}[{key!r}]; "
                             f"got {arrays[key].shape}")


def check_params(params, shapes_for, anchor):
    """Check the names, types and shapes of a model's parameters; return ``(vocab_size, hidden_size)``.

    shapes_for: a function ``(vocab_size, hidden_size) -> {name: shape}``
                giving every parameter of the model, such as
                ``rnn.rnn_parameter_shapes``.
    anchor:     the name of a weight matrix of shape (H, V), from which the
                sizes are read (``"W_xh"`` for the RNN, ``"W_xi"`` for the LSTM);
                every other shape must then agree with them.
    """
    names = list(shapes_for(1, 1))
    require_arrays("params", params)
    missing = [name for name in names if name not in params]
    unexpected = sorted(set(params) - set(names), key=str)
    if missing or unexpected:
        raise ValueError(f"params: expected the keys {names}; got {sorted(params, key=str)} "
                         f"(missing {missing}, unexpected {unexpected})")
    if params[anchor].ndim != 2:
        raise ValueError(f"params[{anchor!r}]: expected a 2-D array (H, V); got shape {params[anchor].shape}")
    hidden_size, vocab_size = params[anchor].shape
    for name, shape in shapes_for(vocab_size, hidden_size).items():
        if params[name].shape != shape:
            raise ValueError(f"params[{name!r}]: expected shape {shape} (V={vocab_size}, H={hidden_size} from "
                             f"{anchor}); got {params[name].shape}")
    return vocab_size, hidden_size


def check_one_hot_inputs(inputs, vocab_size):
    """Check a batch of one-hot inputs (T, B, V) with V = ``vocab_size``, T, B > 0; return it as float64."""
    if not isinstance(inputs, np.ndarray):
        raise TypeError(f"inputs: expected a NumPy array (T, B, V); got {type(inputs).__name__}")
    if inputs.ndim != 3 or inputs.shape[2] != vocab_size:
        raise ValueError(f"inputs: expected shape (T, B, V) with V={vocab_size}; got {inputs.shape}")
    if 0 in inputs.shape[:2]:
        raise ValueError(f"inputs: expected at least one time step and one sequence (T, B > 0); got {inputs.shape}")
    return inputs.astype(np.float64, copy=False)


def require_sequences(name, sequences, with_targets=False):
    """Check a non-empty list of sequences, each a list of token strings (not one string).

    with_targets: each sequence must also hold at least 2 tokens, so that it
    gives at least one input and its target (the next token).
    """
    if isinstance(sequences, str) or not hasattr(sequences, "__len__"):
        raise TypeError(f"{name}: expected a list of token lists; got {type(sequences).__name__}")
    if len(sequences) == 0:
        raise ValueError(f"{name}: expected at least one sequence; got an empty list")
    for i, sequence in enumerate(sequences):
        if isinstance(sequence, str):
            raise TypeError(f"{name}[{i}]: expected a list of tokens; got the string {sequence!r}")
        if with_targets and len(sequence) < 2:
            raise ValueError(f"{name}[{i}]: expected at least 2 tokens (an input and its target); "
                             f"got {list(sequence)!r}")


def check_training_arguments(vocab, train_sequences, val_sequences, epochs, batch_size, lr, max_norm):
    """Check the arguments that both training loops, ``train.train`` and ``torch_lstm.train_torch``, take."""
    require_vocabulary(vocab)
    require_sequences("train_sequences", train_sequences, with_targets=True)
    require_sequences("val_sequences", val_sequences, with_targets=True)
    require_positive_int("epochs", epochs)
    require_positive_int("batch_size", batch_size)
    require_positive_number("lr", lr)
    require_positive_number("max_norm", max_norm, allow_none=True)


def require_vocabulary(vocab):
    """Check that ``vocab`` is a ``data.Vocabulary``."""
    from .data import Vocabulary  # imported here: data.py itself imports this module

    if not isinstance(vocab, Vocabulary):
        raise TypeError(f"vocab: expected a Vocabulary; got {type(vocab).__name__}")
