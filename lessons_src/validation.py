"""How the book's functions check their arguments.

Every public function of ``lessons_src`` checks what it is given before it
computes anything, so that a mistake shows up where it is made, in a message
that names the argument, says what was expected and what was given::

    hidden_size: expected a positive integer; got 2.5 (float)

A value of the wrong kind (a wrong type, or an array of the wrong dtype)
raises ``TypeError``; a value of the right kind that
does not fit (a size below 1, a wrong shape, a missing key) raises
``ValueError``. This module holds the checks that several modules share; a
check that only one function needs stays next to that function. It imports
nothing from the rest of the package, so that every module can import it.
"""

from numbers import Integral, Real

import numpy as np


def require_type(name, value, types, expected):
    """Raise TypeError unless ``value`` is an instance of ``types`` (bools never count as numbers)."""
    allowed = types if isinstance(types, tuple) else (types,)
    if not isinstance(value, allowed) or (isinstance(value, bool) and bool not in allowed):
        raise TypeError(f"{name}: expected {expected}; got {_kind(value)}")


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


def require_sizes(vocab_size, hidden_size):
    """Check the two sizes of a model: ``vocab_size`` (V) and ``hidden_size`` (H), both positive integers."""
    require_positive_int("vocab_size", vocab_size)
    require_positive_int("hidden_size", hidden_size)


def require_positive_number(name, value, allow_none=False):
    """Check that ``value`` is a finite number above 0 (a learning rate, a norm), or None if ``allow_none``."""
    if allow_none and value is None:
        return
    expected = "a positive number or None" if allow_none else "a positive number"
    if not isinstance(value, Real) or isinstance(value, bool):
        raise TypeError(f"{name}: expected {expected}; got {value!r} ({type(value).__name__})")
    if not value > 0 or not np.isfinite(value):
        raise ValueError(f"{name}: expected {expected}; got {value!r}")


def require_share(name, value):
    """Check that ``value`` is a number from 0 to 1 (a share, a probability)."""
    if not isinstance(value, Real) or isinstance(value, bool):
        raise TypeError(f"{name}: expected a number between 0 and 1; got {value!r} ({type(value).__name__})")
    if not 0 <= value <= 1:
        raise ValueError(f"{name}: expected a number between 0 and 1; got {value!r}")


def require_dict(name, value, expected):
    """Check that ``value`` is a non-empty dict; ``expected`` describes it for the message."""
    if not isinstance(value, dict):
        raise TypeError(f"{name}: expected {expected}; got {type(value).__name__}")
    if not value:
        raise ValueError(f"{name}: expected {expected}; got an empty dict")


def require_function(name, value, expected="a function"):
    """Check that ``value`` can be called; ``expected`` says what kind of function, for the message."""
    if not callable(value):
        raise TypeError(f"{name}: expected {expected}; got {type(value).__name__}")


def all_arrays(*values):
    """True when every value is a NumPy array: the quick test a step function runs before its full checks."""
    return all(isinstance(value, np.ndarray) for value in values)


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


def as_float_array(name, value):
    """``value`` (an array, a list of numbers or a number) as a float64 array; TypeError if it holds no numbers."""
    if isinstance(value, np.ndarray) and value.dtype == np.float64:
        return value
    if isinstance(value, (str, bytes, dict)) or value is None:
        raise TypeError(f"{name}: expected an array of numbers; got {_kind(value)}")
    try:
        return np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise TypeError(f"{name}: expected an array of numbers; got {_kind(value)} ({error})") from None


def require_array(name, value, shape, axes="", dtype=np.float64):
    """Check that ``value`` is a NumPy array of ``shape``; return it as ``dtype`` (no copy if it already is).

    shape: a tuple whose entries are sizes or None (any size); ``axes`` names
    the axes for the message, such as ``"(T, B, V)"``. ``dtype`` None returns
    the array as it is.
    """
    if not isinstance(value, np.ndarray):
        raise TypeError(f"{name}: expected {_array_of(shape, axes)}; got {_kind(value)}")
    if value.ndim != len(shape) or any(size is not None and size != got for size, got in zip(shape, value.shape)):
        raise ValueError(f"{name}: expected {_array_of(shape, axes)}; got shape {value.shape}")
    return value if dtype is None else value.astype(dtype, copy=False)


def check_params(params, shapes_for, anchor):
    """Check the names, types and shapes of a model's parameters; return ``(vocab_size, hidden_size)``.

    shapes_for: a function ``(vocab_size, hidden_size) -> {name: shape}``
                giving every parameter of the model, such as
                ``rnn.rnn_parameter_shapes``.
    anchor:     the name of a weight matrix of shape (H, V), from which the
                sizes are read (``"W_xh"`` for the RNN, ``"W_xi"`` for the LSTM);
                every other shape must then agree with them.
    """
    require_arrays("params", params)
    anchor_shape = params[anchor].shape if anchor in params else (1, 1)
    if len(anchor_shape) != 2 or 0 in anchor_shape:
        raise ValueError(f"params[{anchor!r}]: expected a 2-D array (H, V); got shape {anchor_shape}")
    hidden_size, vocab_size = anchor_shape
    shapes = shapes_for(vocab_size, hidden_size)
    if params.keys() != shapes.keys():
        missing = [name for name in shapes if name not in params]
        unexpected = sorted(set(params) - set(shapes), key=str)
        raise ValueError(f"params: expected the keys {list(shapes)}; got {sorted(params, key=str)} "
                         f"(missing {missing}, unexpected {unexpected})")
    for name, shape in shapes.items():
        if params[name].shape != shape:
            raise ValueError(f"params[{name!r}]: expected shape {shape} (V={vocab_size}, H={hidden_size} from "
                             f"{anchor}); got {params[name].shape}")
    return vocab_size, hidden_size


def check_one_hot_inputs(inputs, vocab_size):
    """Check a batch of one-hot inputs (T, B, V) with V = ``vocab_size``, T, B > 0; return it as float64."""
    inputs = require_array("inputs", inputs, (None, None, vocab_size), "(T, B, V)")
    if 0 in inputs.shape[:2]:
        raise ValueError(f"inputs: expected at least one time step and one sequence (T, B > 0); got {inputs.shape}")
    return inputs


def check_initial_state(name, state, batch, hidden_size, parts=("h0",), array_type=np.ndarray):
    """Check a model's initial state; return it as a tuple of arrays (B, H), or None when ``state`` is None.

    The one check of every initial state in the book: a single array (B, H)
    when ``parts`` holds one name (the RNN's ``h0``), a pair ``(h0, c0)`` when
    it holds two (the LSTM's). ``name`` is the argument's name;
    ``array_type`` is ``np.ndarray`` for the NumPy models and ``torch.Tensor``
    for the PyTorch ones.
    """
    if state is None:
        return None
    shape = (batch, hidden_size)
    kind = "a NumPy array" if array_type is np.ndarray else f"a {array_type.__name__}"
    if len(parts) == 1:
        values, expected = (state,), f"None or {kind} of shape (B, H) = {shape}"
    else:
        expected = f"None or ({', '.join(parts)}), each {kind} of shape (B, H) = {shape}"
        if not isinstance(state, (tuple, list)):
            raise TypeError(f"{name}: expected {expected}; got {_kind(state)}")
        if len(state) != len(parts):
            raise ValueError(f"{name}: expected {expected}; got {len(state)} parts")
        values = tuple(state)
    for part, value in zip(parts, values):
        which = f"{part} is" if len(parts) > 1 else "got"
        if not isinstance(value, array_type):
            raise TypeError(f"{name}: expected {expected}; {which} {_kind(value)}")
        if tuple(value.shape) != shape:
            raise ValueError(f"{name}: expected {expected}; {which.replace(' is', ' has')} shape {tuple(value.shape)}")
    return values


def check_step_backward_args(dh, cache, names):
    """Check the gradient ``dh`` (B, H) and a step's ``cache`` (a dict holding ``names``) of a step backward."""
    require_type("cache", cache, dict, "the dict returned by the step function")
    missing = [name for name in names if name not in cache]
    if missing:
        raise ValueError(f"cache: expected the step's cache with {list(names)}; {missing} missing")
    require_array("dh", dh, cache["h_prev"].shape, "(B, H) like the step's h_prev", dtype=None)


def check_backward_args(params, cache, dlogits, check_model_params, hidden_key, keys=()):
    """Check the arguments of a model's backward pass; return ``dlogits`` (T, B, V) as float64.

    check_model_params: the model's check of its parameters, such as ``rnn.check_rnn_params``;
    hidden_key:         the key of the hidden states (…, B, H) in the forward pass's ``cache``;
    keys:               what else the ``cache`` must hold besides ``"inputs"``.
    """
    vocab_size, hidden_size = check_model_params(params)
    require_type("cache", cache, dict, "the dict returned by the forward pass")
    missing = [key for key in ("inputs", hidden_key, *keys) if key not in cache]
    if missing:
        raise ValueError(f"cache: expected the cache of the forward pass; {missing} missing")
    if cache["inputs"].shape[2] != vocab_size or cache[hidden_key].shape[2] != hidden_size:
        raise ValueError(f"cache: expected a cache made with these params (V={vocab_size}, H={hidden_size}); got "
                         f"V={cache['inputs'].shape[2]}, H={cache[hidden_key].shape[2]}")
    return require_array("dlogits", dlogits, cache["inputs"].shape, "(T, B, V) like the logits")


def require_sequences(name, sequences, with_targets=False):
    """Check a non-empty list of sequences, each a list of token strings (not one string).

    with_targets: each sequence must also hold at least 2 tokens, so that it
    gives at least one input and its target (the next token).
    """
    if isinstance(sequences, (str, dict)) or not hasattr(sequences, "__len__"):
        raise TypeError(f"{name}: expected a list of token lists; got {type(sequences).__name__}")
    if len(sequences) == 0:
        raise ValueError(f"{name}: expected at least one sequence; got an empty list")
    for i, sequence in enumerate(sequences):
        require_tokens(f"{name}[{i}]", sequence, minimum=2 if with_targets else 0)


def require_tokens(name, tokens, minimum=1):
    """Check one sequence: a list or tuple of token strings, at least ``minimum`` of them."""
    if not isinstance(tokens, (list, tuple)):
        raise TypeError(f"{name}: expected a list of token strings; got {_kind(tokens)}")
    if len(tokens) < minimum:
        what = "an input and its target" if minimum == 2 else "a prefix to extend"
        raise ValueError(f"{name}: expected at least {minimum} token{'s' if minimum > 1 else ''} ({what}); "
                         f"got {list(tokens)!r}")


def _array_of(shape, axes):
    sizes = "(" + ", ".join("any" if size is None else str(size) for size in shape) + ("," if len(shape) == 1 else "") + ")"
    return f"a NumPy array {axes + ' ' if axes else ''}of shape {sizes}"


def _kind(value):
    """How a message names what it got: a string is quoted, anything else named by its type."""
    if isinstance(value, str):
        return f"the string {value!r:.60}"
    return type(value).__name__
