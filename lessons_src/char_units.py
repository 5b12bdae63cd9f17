"""What a unit of a character model follows: simple features of a text, and the units that track them.

A feature gives one number per character of a text: its value once that
character has been read, like the state of a model after reading it. The
units of a state are ranked by how closely they follow a feature (Pearson
correlation), as Karpathy, Johnson and Fei-Fei (2015) looked for cells that
track quotes, brackets and the position in a line.
"""

import numpy as np

from .text import require_text
from .validation import as_float_array, require_dict

FEATURES = {
    "position in the line": "characters read since the last newline (0 at a newline)",
    "position in the word": "characters read since the last space or newline (0 at one)",
    "inside `code`": "1 between an opening backtick and the next one on the same line, else 0",
    "inside $math$": "1 between an opening $ and the next one on the same line, else 0",
    "inside (brackets)": "how many ( are open in the paragraph (a blank line closes them)",
}
"""The features ``text_features`` computes: name -> what it counts."""


def text_features(text):
    """Every feature of ``FEATURES`` for each character of ``text``: name -> (N,) float array.

    Entry t is the feature's value once characters 0 ... t have been read.
    """
    require_text("text", text)
    values = {name: np.zeros(len(text)) for name in FEATURES}
    position = word = code = math = depth = 0
    previous = ""
    for t, character in enumerate(text):
        if character == "\n":
            position = word = code = math = 0
            if previous == "\n":
                depth = 0                      # a blank line ends the paragraph
        else:
            position += 1
            word = 0 if character == " " else word + 1
            code ^= character == "`"
            math ^= character == "$"
            depth = max(depth + (character == "(") - (character == ")"), 0)
        previous = character
        for name, value in zip(FEATURES, (position, word, code, math, depth)):
            values[name][t] = value
    return values


def unit_correlations(states, feature):
    """The Pearson correlation of each unit of ``states`` (N, H) with ``feature`` (N,): an (H,) array.

    A unit that never changes gets 0.
    """
    states, feature = as_float_array("states", states), as_float_array("feature", feature)
    if states.ndim != 2:
        raise ValueError(f"states: expected an (N, H) array of states; got shape {states.shape}")
    if feature.shape != (len(states),):
        raise ValueError(f"feature: expected shape ({len(states)},) to match states (N, H) {states.shape}; "
                         f"got {feature.shape}")
    centred, feature = states - states.mean(axis=0), feature - feature.mean()
    if not feature.any():
        raise ValueError("feature: expected a feature that changes along the text; got a constant")
    spread = np.sqrt((centred ** 2).sum(axis=0) * (feature ** 2).sum())
    return np.divide(centred.T @ feature, spread, out=np.zeros(states.shape[1]), where=spread > 0)


def tracking_units(states, features):
    """For each feature, the unit that follows it most closely: a list of ``(feature, unit, r)``.

    ``r`` is that unit's correlation (its sign says whether the unit rises or
    falls with the feature); the list is sorted by ``|r|``, largest first.
    Features that never change in the text are left out.
    """
    require_dict("features", features, "a dict name -> (N,) feature")
    rows = []
    for name, feature in features.items():
        if np.ptp(feature) == 0:
            continue
        r = unit_correlations(states, feature)
        unit = int(np.argmax(np.abs(r)))
        rows.append((name, unit, float(r[unit])))
    return sorted(rows, key=lambda row: -abs(row[2]))
