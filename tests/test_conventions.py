"""One validation convention, true everywhere: every public function of lessons_src, called with one argument
of the wrong kind, raises TypeError, and with one argument of the right kind but a wrong value, ValueError;
each message names the argument and says what was expected and what was given.

The table below lists every public function and class; a new one must be added to it
(``test_the_table_lists_every_public_function``; modules whose name starts with ``_`` are a package's
private helpers and are left out). Where a function cannot be given a wrong value, or
where a wrong value is not an error by design, the reason stands in ``NO_WRONG_VALUE``.
"""

import importlib
import inspect
import json
import pkgutil

import numpy as np
import pytest
import torch

import lessons_src
from lessons_src import assignments, checks, counting, data, functional, generate, gradcheck, gru, init, language, lstm
from lessons_src import optim, plots, rnn, show, timing, torch_data, torch_gru, torch_lstm, torch_models, torch_train, train
from lessons_src import char_units, perplexity, sampling, text, torch_charlm, torch_tbptt
from lessons_src import validation

V, H, B, T = 4, 3, 2, 5
VOCAB = data.Vocabulary(["a", "b", "EOS"])
SEQUENCES = [["a", "b", "a", "EOS"], ["a", "a", "b", "b", "a", "a", "EOS"]]
INPUTS = np.eye(V)[np.zeros((T, B), dtype=int)]
RNN = rnn.init_rnn(V, H)
GRU = gru.init_gru(V, H)
_, GRU_CACHE = gru.gru_forward(GRU, INPUTS)
GRU_WEIGHTS = gru.stack_gates(GRU)
_, GRU_STEP = gru.gru_step(GRU_WEIGHTS, INPUTS[0], np.zeros((B, H)))
LSTM = lstm.init_lstm(V, H)
WEIGHTS = lstm.stack_gates(LSTM)
_, RNN_CACHE = rnn.rnn_forward(RNN, INPUTS)
_, LSTM_CACHE = lstm.lstm_forward(LSTM, INPUTS)
_, _, LSTM_STEP = lstm.lstm_step(WEIGHTS, INPUTS[0], np.zeros((B, H)), np.zeros((B, H)))
_, RNN_STEP = rnn.rnn_step(RNN, INPUTS[0], np.zeros((B, H)))
STATE = np.zeros((B, H))
NOTEBOOK = {"cells": [{"cell_type": "markdown", "source": "# A chapter", "metadata": {}}], "metadata": {},
            "nbformat": 4, "nbformat_minor": 5}
HISTORY = {"train_loss": [1.0], "val_loss": [1.0]}
TIMES = [{"numpy": 1.0, "torch float64": 1.0, "torch float32": 1.0}]
STUDENT = lambda *args: None  # noqa: E731  (any function, as a student's answer)


TEXT = "abc ab\nca bc"
CHARS = text.char_vocabulary(TEXT)
IDS = text.encode_text(TEXT, CHARS)


def char_model():
    return torch_charlm.CharLanguageModel(len(CHARS), 3, 4)


def module():
    torch.manual_seed(0)
    return torch_models.LSTMLanguageModel(V, H)


def tmp_file(tmp, text="{}", name="notes.ipynb"):
    path = tmp / name
    path.write_text(text)
    return path


# name -> ((call with a wrong type, its argument), (call with a wrong value, its argument)); each call gets (f, tmp)
TABLE = {
    # validation: the checks themselves (the "argument" is the value they are asked to check)
    "validation.require_type": ((lambda f, tmp: f("x", 3, str, "a string"), "x"), None),
    "validation.require_int": ((lambda f, tmp: f("n", 2.5, 1), "n"), (lambda f, tmp: f("n", 0, 1), "n")),
    "validation.require_positive_int": ((lambda f, tmp: f("n", "3"), "n"), (lambda f, tmp: f("n", -1), "n")),
    "validation.require_sizes": ((lambda f, tmp: f(4, 2.5), "hidden_size"), (lambda f, tmp: f(0, 3), "vocab_size")),
    "validation.require_positive_number": ((lambda f, tmp: f("lr", "0.1"), "lr"), (lambda f, tmp: f("lr", 0), "lr")),
    "validation.require_share": ((lambda f, tmp: f("p", None), "p"), (lambda f, tmp: f("p", 1.5), "p")),
    "validation.require_dict": ((lambda f, tmp: f("d", [], "a dict"), "d"), (lambda f, tmp: f("d", {}, "a dict"), "d")),
    "validation.require_function": ((lambda f, tmp: f("f", 3), "f"), None),
    "validation.all_arrays": None,  # a test that answers True or False for any values
    "validation.require_arrays": ((lambda f, tmp: f("grads", [1]), "grads"), (lambda f, tmp: f("grads", {}), "grads")),
    "validation.require_like": ((lambda f, tmp: f("grads", {"W": [1]}, "params", {"W": np.zeros(1)}), "grads"),
                                (lambda f, tmp: f("grads", {"W": np.zeros(2)}, "params", {"W": np.zeros(1)}), "grads")),
    "validation.as_float_array": ((lambda f, tmp: f("x", "abc"), "x"), None),
    "validation.require_array": ((lambda f, tmp: f("x", [1.0], (1,)), "x"), (lambda f, tmp: f("x", np.zeros(2), (1,)), "x")),
    "validation.check_params": ((lambda f, tmp: f([], rnn.rnn_parameter_shapes, "W_xh"), "params"),
                                (lambda f, tmp: f({"W_xh": np.zeros((3, 4))}, rnn.rnn_parameter_shapes, "W_xh"), "params")),
    "validation.check_one_hot_inputs": ((lambda f, tmp: f(INPUTS.tolist(), V), "inputs"),
                                        (lambda f, tmp: f(INPUTS, V + 1), "inputs")),
    "validation.check_initial_state": ((lambda f, tmp: f("h0", [[0.0]], B, H), "h0"),
                                       (lambda f, tmp: f("h0", np.zeros((B, H + 1)), B, H), "h0")),
    "validation.check_step_backward_args": ((lambda f, tmp: f(STATE, [], ("h_prev",)), "cache"),
                                            (lambda f, tmp: f(STATE, {}, ("h_prev",)), "cache")),
    "validation.check_backward_args": ((lambda f, tmp: f(RNN, [], np.zeros((T, B, V)), rnn.check_rnn_params, "hidden"), "cache"),
                                       (lambda f, tmp: f(RNN, RNN_CACHE, np.zeros((T, B)), rnn.check_rnn_params, "hidden"),
                                        "dlogits")),
    "validation.require_sequences": ((lambda f, tmp: f("sequences", "a b"), "sequences"),
                                     (lambda f, tmp: f("sequences", []), "sequences")),
    "validation.require_tokens": ((lambda f, tmp: f("tokens", "a b"), "tokens"), (lambda f, tmp: f("tokens", []), "tokens")),
    # data and the language
    "data.Vocabulary": ((lambda f, tmp: f("a b"), "tokens"), (lambda f, tmp: f(["a", "a"]), "tokens")),
    "data.split_dataset": ((lambda f, tmp: f(SEQUENCES, "0.8"), "p_train"), (lambda f, tmp: f(SEQUENCES, 0.5), "p_train")),
    "data.one_hot": ((lambda f, tmp: f([0.5], V), "ids"), (lambda f, tmp: f([V], V), "ids")),
    "data.make_batch": ((lambda f, tmp: f(SEQUENCES, ["a"]), "vocab"), (lambda f, tmp: f([["a"]], VOCAB), "sequences[0]")),
    "data.require_vocabulary": ((lambda f, tmp: f({"a": 0}), "vocab"), None),
    "data.require_training_sequences": ((lambda f, tmp: f("s", SEQUENCES, None), "vocab"),
                                        (lambda f, tmp: f("s", [], VOCAB), "s")),
    "language.counting_sequence": ((lambda f, tmp: f("3"), "n"), (lambda f, tmp: f(0), "n")),
    "language.generate_dataset": ((lambda f, tmp: f(2.5), "num_sequences"), (lambda f, tmp: f(4, max_n=1, min_n=2), "max_n")),
    "language.prompt_of": ((lambda f, tmp: f("a b"), "sequence"), (lambda f, tmp: f(["a", "a"]), "sequence")),
    "language.next_token": ((lambda f, tmp: f("a"), "prefix"), (lambda f, tmp: f([]), "prefix")),
    "language.count_signal": ((lambda f, tmp: f("aab"), "tokens"), (lambda f, tmp: f([]), "tokens")),
    # the NumPy models
    "functional.sigmoid": ((lambda f, tmp: f("1"), "x"), None),
    "functional.tanh": ((lambda f, tmp: f(None), "x"), None),
    "functional.softmax": ((lambda f, tmp: f({}), "x"), None),
    "functional.log_softmax": ((lambda f, tmp: f("x"), "x"), None),
    "functional.cross_entropy": ((lambda f, tmp: f(INPUTS, np.zeros((T, B))), "targets"),
                                 (lambda f, tmp: f(INPUTS, np.full((T, B), V)), "targets")),
    "functional.check_cross_entropy_args": ((lambda f, tmp: f([1.0], np.zeros((T, B), int), None), "logits"),
                                            (lambda f, tmp: f(INPUTS, np.zeros((T, B), int), np.zeros((T, B))), "mask")),
    "init.orthogonal": ((lambda f, tmp: f(3, 4, 0), "rng"), (lambda f, tmp: f(0, 4, np.random.default_rng()), "rows")),
    "init.init_parameters": ((lambda f, tmp: f([(3, 4)]), "shapes"), (lambda f, tmp: f({"W": (1, 2, 3)}), "shapes['W']")),
    "rnn.rnn_parameter_shapes": ((lambda f, tmp: f(4.0, 3), "vocab_size"), (lambda f, tmp: f(4, 0), "hidden_size")),
    "rnn.init_rnn": ((lambda f, tmp: f("4", 3), "vocab_size"), (lambda f, tmp: f(4, -3), "hidden_size")),
    "rnn.rnn_step": ((lambda f, tmp: f(RNN, INPUTS[0].tolist(), STATE), "x"), (lambda f, tmp: f(RNN, INPUTS[0], np.zeros((B, 1))), "h_prev")),
    "rnn.rnn_step_backward": ((lambda f, tmp: f(RNN, STATE, (1, 2)), "cache"), (lambda f, tmp: f(RNN, np.zeros((1, H)), RNN_STEP), "dh")),
    "rnn.rnn_forward": ((lambda f, tmp: f(list(RNN.values()), INPUTS), "params"), (lambda f, tmp: f(RNN, INPUTS, np.zeros((1, H))), "h0")),
    "rnn.rnn_backward": ((lambda f, tmp: f(RNN, RNN_CACHE, "d"), "dlogits"), (lambda f, tmp: f(RNN, RNN_CACHE, np.zeros((T, B))), "dlogits")),
    "rnn.check_rnn_params": ((lambda f, tmp: f(None), "params"), (lambda f, tmp: f(LSTM), "params")),
    "rnn.check_rnn_args": ((lambda f, tmp: f(RNN, "x", None), "inputs"), (lambda f, tmp: f(RNN, INPUTS[:, :, :2], None), "inputs")),
    "rnn.check_rnn_step_args": ((lambda f, tmp: f(RNN, INPUTS[0], "h"), "h_prev"), (lambda f, tmp: f(RNN, INPUTS[0, :, :2], STATE), "x")),
    "rnn.check_rnn_step_backward_args": ((lambda f, tmp: f(RNN, "dh", RNN_STEP), "dh"), (lambda f, tmp: f(RNN, STATE, {}), "cache")),
    "lstm.GateWeights": None,  # a NamedTuple: stack_gates makes it
    "lstm.lstm_parameter_shapes": ((lambda f, tmp: f(None, 3), "vocab_size"), (lambda f, tmp: f(4, 0), "hidden_size")),
    "lstm.init_lstm": ((lambda f, tmp: f(4, "3"), "hidden_size"), (lambda f, tmp: f(0, 3), "vocab_size")),
    "lstm.stack_gates": ((lambda f, tmp: f(RNN_CACHE["hidden"]), "params"), (lambda f, tmp: f(RNN), "params")),
    "lstm.unstack_gates": ((lambda f, tmp: f([1, 2]), "stacked"), (lambda f, tmp: f({"W_x": np.zeros((4, 1))}), "stacked")),
    "lstm.lstm_step": ((lambda f, tmp: f(LSTM, INPUTS[0], STATE, STATE), "weights"),
                       (lambda f, tmp: f(WEIGHTS, INPUTS[0], STATE, np.zeros((B, H + 1))), "c_prev")),
    "lstm.lstm_step_backward": ((lambda f, tmp: f(WEIGHTS, STATE, STATE, "cache"), "cache"),
                                (lambda f, tmp: f(WEIGHTS, STATE, np.zeros((B, 1)), LSTM_STEP), "dc")),
    "lstm.lstm_forward": ((lambda f, tmp: f(LSTM, INPUTS, STATE), "state"), (lambda f, tmp: f(LSTM, INPUTS, (STATE,)), "state")),
    "lstm.lstm_backward": ((lambda f, tmp: f(LSTM, (1,), INPUTS), "cache"), (lambda f, tmp: f(LSTM, RNN_CACHE, INPUTS), "cache")),
    "lstm.check_lstm_params": ((lambda f, tmp: f("params"), "params"), (lambda f, tmp: f(RNN), "params")),
    "lstm.check_lstm_args": ((lambda f, tmp: f(LSTM, INPUTS, [STATE, "c"]), "state"), (lambda f, tmp: f(LSTM, INPUTS[:0], None), "inputs")),
    "lstm.check_lstm_step_args": ((lambda f, tmp: f(WEIGHTS, INPUTS[0], STATE, None), "c_prev"),
                                  (lambda f, tmp: f(WEIGHTS, INPUTS[0, :, :1], STATE, STATE), "x")),
    "lstm.check_lstm_step_backward_args": ((lambda f, tmp: f(WEIGHTS, STATE, STATE, None), "cache"),
                                           (lambda f, tmp: f(WEIGHTS, STATE, STATE, {"h_prev": STATE}), "cache")),
    "gru.GateWeights": None,  # a NamedTuple: stack_gates makes it
    "gru.gru_parameter_shapes": ((lambda f, tmp: f(4, None), "hidden_size"), (lambda f, tmp: f(-4, 3), "vocab_size")),
    "gru.init_gru": ((lambda f, tmp: f(4, 3, seed="0"), "seed"), (lambda f, tmp: f(4, 0), "hidden_size")),
    "gru.stack_gates": ((lambda f, tmp: f("params"), "params"), (lambda f, tmp: f(LSTM), "params")),
    "gru.unstack_gates": ((lambda f, tmp: f([1, 2]), "stacked"), (lambda f, tmp: f({"W_x": np.zeros((3, 1))}), "stacked")),
    "gru.gru_step": ((lambda f, tmp: f(GRU, INPUTS[0], STATE), "weights"),
                     (lambda f, tmp: f(GRU_WEIGHTS, INPUTS[0], np.zeros((B, 1))), "h_prev")),
    "gru.gru_step_backward": ((lambda f, tmp: f(GRU_WEIGHTS, STATE, "cache"), "cache"),
                              (lambda f, tmp: f(GRU_WEIGHTS, np.zeros((1, H)), GRU_STEP), "dh")),
    "gru.cho_gru_step": ((lambda f, tmp: f(GRU, "x", STATE), "x"), (lambda f, tmp: f(GRU, INPUTS[0], np.zeros((B, 1))), "h_prev")),
    "gru.gru_forward": ((lambda f, tmp: f(GRU, INPUTS, [0.0]), "h0"), (lambda f, tmp: f(GRU, INPUTS, np.zeros((1, H))), "h0")),
    "gru.gru_backward": ((lambda f, tmp: f(GRU, GRU_CACHE, INPUTS, step_backward="f"), "step_backward"),
                         (lambda f, tmp: f(GRU, GRU_CACHE, INPUTS[:, :, :1]), "dlogits")),
    "gru.check_gru_params": ((lambda f, tmp: f(None), "params"), (lambda f, tmp: f(RNN), "params")),
    "gru.check_gru_args": ((lambda f, tmp: f(GRU, "x", None), "inputs"), (lambda f, tmp: f(GRU, INPUTS, np.zeros((B, 1))), "h0")),
    "gru.check_gru_step_args": ((lambda f, tmp: f(GRU_WEIGHTS, INPUTS[0], "h"), "h_prev"),
                                (lambda f, tmp: f(GRU_WEIGHTS, INPUTS[0, :, :1], STATE), "x")),
    "gru.check_gru_step_backward_args": ((lambda f, tmp: f(GRU_WEIGHTS, STATE, None), "cache"),
                                         (lambda f, tmp: f(GRU_WEIGHTS, STATE, {"h_prev": STATE}), "cache")),
    "optim.clip_grad_norm": ((lambda f, tmp: f({"W": np.ones(2)}, "1"), "max_norm"), (lambda f, tmp: f({"W": np.ones(2)}, -1.0), "max_norm")),
    "optim.sgd_step": ((lambda f, tmp: f(RNN, RNN, None), "lr"), (lambda f, tmp: f(RNN, {"W": np.zeros(1)}, 0.1), "grads")),
    "optim.Adam": ((lambda f, tmp: f(RNN, betas=0.9), "betas"), (lambda f, tmp: f(RNN, betas=(0.9, 1.0)), "betas")),
    "gradcheck.numerical_gradient": ((lambda f, tmp: f(lambda: 0.0, [1.0]), "array"), (lambda f, tmp: f(lambda: 0.0, np.zeros(2), eps=0.0), "eps")),
    "gradcheck.relative_error": ((lambda f, tmp: f("a", np.zeros(2)), "analytic"), (lambda f, tmp: f(np.zeros(2), np.zeros(3)), "numerical")),
    "gradcheck.gradient_check": ((lambda f, tmp: f(3.0, RNN, RNN), "forward_loss"), (lambda f, tmp: f(lambda: 0.0, RNN, LSTM), "grads")),
    "train.evaluate": ((lambda f, tmp: f(rnn.rnn_forward, RNN, SEQUENCES, VOCAB, batch_size="8"), "batch_size"),
                       (lambda f, tmp: f(rnn.rnn_forward, RNN, [], VOCAB), "sequences")),
    "train.train": ((lambda f, tmp: f(rnn.rnn_forward, rnn.rnn_backward, RNN, SEQUENCES, SEQUENCES, VOCAB, epochs=1, lr=0.1, optimizer=None), "optimizer"),
                    (lambda f, tmp: f(rnn.rnn_forward, rnn.rnn_backward, RNN, SEQUENCES, SEQUENCES, VOCAB, epochs=0, lr=0.1), "epochs")),
    "train.check_training_arguments": ((lambda f, tmp: f(VOCAB, SEQUENCES, SEQUENCES, 1, 8, 0.1, "adam", "5"), "max_norm"),
                                       (lambda f, tmp: f(VOCAB, SEQUENCES, SEQUENCES, 1, 8, 0.1, "rmsprop", 5.0), "optimizer")),
    "generate.numpy_predictor": ((lambda f, tmp: f("forward", RNN), "forward"), (lambda f, tmp: f(rnn.rnn_forward, {}), "params")),
    "generate.complete": ((lambda f, tmp: f(STUDENT, VOCAB, "a b"), "prefix_tokens"), (lambda f, tmp: f(STUDENT, VOCAB, ["a"], max_len=0), "max_len")),
    "generate.completion_accuracy": ((lambda f, tmp: f(STUDENT, VOCAB, SEQUENCES, prompt="b"), "prompt"),
                                     (lambda f, tmp: f(STUDENT, VOCAB, SEQUENCES, max_len=-1), "max_len")),
    # PyTorch
    "torch_models.RecurrentLanguageModel": ((lambda f, tmp: f("4", 3), "vocab_size"), (lambda f, tmp: f(0, 3), "vocab_size")),
    "torch_models.LSTMLanguageModel": ((lambda f, tmp: f(4, 2.5), "hidden_size"), (lambda f, tmp: f(4, 0), "hidden_size")),
    "torch_models.RNNLanguageModel": ((lambda f, tmp: f(None, 3), "vocab_size"), (lambda f, tmp: f(4, -1), "hidden_size")),
    "torch_models.GRULanguageModel": ((lambda f, tmp: f(4.0, 3), "vocab_size"), (lambda f, tmp: f(4, 0), "hidden_size")),
    "torch_models.check_language_module": ((lambda f, tmp: f(LSTM, "lstm", torch.nn.LSTM), "module"),
                                           (lambda f, tmp: f(module(), "gru", torch.nn.GRU), "module")),
    "torch_models.float64_bias": ((lambda f, tmp: f(np.zeros(3), 3), "tensor"), (lambda f, tmp: f(None, 0), "size")),
    "torch_gru.gru_to_torch": ((lambda f, tmp: f([]), "params"), (lambda f, tmp: f(LSTM), "params")),
    "torch_gru.gru_from_torch": ((lambda f, tmp: f(GRU), "module"), (lambda f, tmp: f(module()), "module")),
    "torch_gru.gru_grads_from_torch": ((lambda f, tmp: f(None), "module"), (lambda f, tmp: f(torch_models.GRULanguageModel(V, H)), "module")),
    "timing.time_model_step": ((lambda f, tmp: f("lstm", 2, 3, 2, 4, 1, 1, 0), "model"),
                               (lambda f, tmp: f((len, len), 2, 3, 2, 4, 1, 1, 0), "model")),
    "timing.time_gru_training_step": ((lambda f, tmp: f(steps=1.5), "steps"), (lambda f, tmp: f(vocab_size=0), "vocab_size")),
    "torch_lstm.lstm_to_torch": ((lambda f, tmp: f(None), "params"), (lambda f, tmp: f(RNN), "params")),
    "torch_lstm.lstm_from_torch": ((lambda f, tmp: f(LSTM), "module"), (lambda f, tmp: f(torch_models.RNNLanguageModel(V, H)), "module")),
    "torch_lstm.lstm_grads_from_torch": ((lambda f, tmp: f("module"), "module"), (lambda f, tmp: f(module()), "module")),
    "torch_data.SequenceDataset": ((lambda f, tmp: f("a b", VOCAB), "sequences"), (lambda f, tmp: f([["a"]], VOCAB), "sequences[0]")),
    "torch_data.pad_collate": ((lambda f, tmp: f("items"), "items"), (lambda f, tmp: f([]), "items")),
    "torch_train.evaluate_torch": ((lambda f, tmp: f(LSTM, SEQUENCES, VOCAB), "model"), (lambda f, tmp: f(module(), [], VOCAB), "sequences")),
    "torch_train.train_torch": ((lambda f, tmp: f(module(), SEQUENCES, SEQUENCES, VOCAB, epochs="1", lr=0.1), "epochs"),
                                (lambda f, tmp: f(module(), SEQUENCES, SEQUENCES, VOCAB, epochs=1, lr=-0.1), "lr")),
    "torch_train.torch_predictor": ((lambda f, tmp: f(lstm.lstm_forward), "module"), (lambda f, tmp: f(torch.nn.Tanh()), "module")),
    "timing.time_training_step": ((lambda f, tmp: f(batch_size=2.0), "batch_size"), (lambda f, tmp: f(hidden_size=0), "hidden_size")),
    "timing.time_packing": ((lambda f, tmp: f(torch.nn.LSTM(V, H), []), "module"), (lambda f, tmp: f(module(), []), "batches")),
    "counting.accuracy_by_n": ((lambda f, tmp: f(STUDENT, VOCAB, "123"), "ns"), (lambda f, tmp: f(STUDENT, VOCAB, [0]), "ns")),
    "counting.written_counts": ((lambda f, tmp: f(STUDENT, VOCAB, 3), "ns"), (lambda f, tmp: f(STUDENT, VOCAB, []), "ns")),
    "counting.unroll": ((lambda f, tmp: f(LSTM, INPUTS), "module"), (lambda f, tmp: f(module(), torch.zeros(2, 1, V + 1)), "inputs")),
    "counting.gradient_norms": ((lambda f, tmp: f(module(), VOCAB, "ab"), "tokens"), (lambda f, tmp: f(module(), VOCAB, ["a"]), "tokens")),
    "counting.count_like_units": ((lambda f, tmp: f(None, ["a", "b"]), "states"), (lambda f, tmp: f(np.zeros((2, 3)), ["a", "b"], k=4), "k")),
    "counting.count_readout": ((lambda f, tmp: f(np.zeros((4, 3)), [1, 2]), "states"),
                               (lambda f, tmp: f([np.zeros((2, 3)), np.zeros((3, 3))], [1, 2]), "states")),
    # chapter 7: a character language model
    "text.load_corpus": ((lambda f, tmp: f(3), "path"), (lambda f, tmp: f(tmp_file(tmp, "x", "c.txt")), "path")),
    "text.split_text": ((lambda f, tmp: f(TEXT, p_val="0.1"), "p_val"), (lambda f, tmp: f(TEXT, p_val=0.0), "p_val")),
    "text.char_vocabulary": ((lambda f, tmp: f(["a"]), "text"), (lambda f, tmp: f(""), "text")),
    "text.encode_text": ((lambda f, tmp: f(TEXT, CHARS, unknown=None), "unknown"), (lambda f, tmp: f("xyz", CHARS), "text")),
    "text.decode_text": ((lambda f, tmp: f("ab", CHARS), "ids"), (lambda f, tmp: f(np.array([99]), CHARS), "ids")),
    "text.text_streams": ((lambda f, tmp: f(IDS, "2"), "batch_size"), (lambda f, tmp: f(IDS, 100), "batch_size")),
    "text.chunks": ((lambda f, tmp: f(IDS[None], 2.0), "chunk_length"), (lambda f, tmp: f(IDS, 2), "streams")),
    "text.require_text": ((lambda f, tmp: f("text", b"abc"), "text"), (lambda f, tmp: f("text", ""), "text")),
    "text.known_word_share": ((lambda f, tmp: f(["a"], TEXT), "sample"), (lambda f, tmp: f("ab", ""), "text")),
    "perplexity.perplexity": ((lambda f, tmp: f("1.0"), "mean_cross_entropy"), (lambda f, tmp: f(-1.0), "mean_cross_entropy")),
    "perplexity.unigram_probabilities": ((lambda f, tmp: f(IDS, len(CHARS), smoothing="1"), "smoothing"),
                                         (lambda f, tmp: f(IDS, len(CHARS), smoothing=0.0), "smoothing")),
    "perplexity.bigram_probabilities": ((lambda f, tmp: f(list(IDS), len(CHARS)), "ids"), (lambda f, tmp: f(IDS[:1], len(CHARS)), "ids")),
    "perplexity.baseline_perplexities": ((lambda f, tmp: f(IDS, IDS.astype(float), len(CHARS)), "val_ids"),
                                         (lambda f, tmp: f(IDS, IDS, 1), "train_ids")),
    "sampling.softmax_with_temperature": ((lambda f, tmp: f(np.zeros(3), "1"), "temperature"), (lambda f, tmp: f(np.zeros(3), 0.0), "temperature")),
    "sampling.entropy": ((lambda f, tmp: f("p"), "probabilities"), (lambda f, tmp: f(np.array([0.5, 0.6])), "probabilities")),
    "sampling.draw": ((lambda f, tmp: f(np.array([0.5, 0.5]), 3), "rng"), (lambda f, tmp: f(np.array([0.5, -0.5]), np.random.default_rng()), "probabilities")),
    "sampling.repetition_period": ((lambda f, tmp: f(TEXT, "2"), "window"), (lambda f, tmp: f(TEXT, 100), "window")),
    "sampling.generate": ((lambda f, tmp: f(STUDENT, CHARS, "ab", "3"), "length"), (lambda f, tmp: f(STUDENT, CHARS, "ab", 3, temperature=-1.0), "temperature")),
    "torch_charlm.CharLanguageModel": ((lambda f, tmp: f(4, 3, "4"), "hidden_size"), (lambda f, tmp: f(4, 0, 4), "embedding_size")),
    "torch_charlm.evaluate_perplexity": ((lambda f, tmp: f(char_model(), IDS, chunk_length=None), "chunk_length"),
                                         (lambda f, tmp: f(char_model(), IDS[:1]), "ids")),
    "torch_charlm.stepper": ((lambda f, tmp: f("model"), "model"), (lambda f, tmp: f(torch.nn.Linear(2, 2)), "model")),
    "torch_charlm.lstm_states": ((lambda f, tmp: f(char_model(), list(IDS)), "ids"), (lambda f, tmp: f(char_model(), IDS[:1]), "ids")),
    "torch_charlm.flat_gradient": ((lambda f, tmp: f(None), "model"), (lambda f, tmp: f(char_model()), "model")),
    "torch_charlm.ids_tensor": ((lambda f, tmp: f("abc"), "ids"), (lambda f, tmp: f(IDS[:1]), "ids")),
    "torch_tbptt.detach": ((lambda f, tmp: f("state"), "state"), (lambda f, tmp: f((torch.zeros(1),)), "state")),
    "torch_tbptt.train_tbptt": ((lambda f, tmp: f(char_model(), IDS, IDS, steps=1, batch_size=1, chunk_length=2, lr="0.1"), "lr"),
                                (lambda f, tmp: f(char_model(), IDS, IDS, steps=0, batch_size=1, chunk_length=2, lr=0.1), "steps")),
    "torch_tbptt.truncated_gradient": ((lambda f, tmp: f(char_model(), IDS, 2.5), "chunk_length"), (lambda f, tmp: f(char_model(), IDS, 0), "chunk_length")),
    "torch_tbptt.cosine_similarity": ((lambda f, tmp: f("a", np.ones(2)), "a"), (lambda f, tmp: f(np.ones(2), np.ones(3)), "b")),
    "char_units.text_features": ((lambda f, tmp: f(3), "text"), (lambda f, tmp: f(""), "text")),
    "char_units.unit_correlations": ((lambda f, tmp: f("states", np.ones(2)), "states"), (lambda f, tmp: f(np.ones((2, 3)), np.ones(5)), "feature")),
    "char_units.tracking_units": ((lambda f, tmp: f(np.ones((2, 3)), [1, 2]), "features"), (lambda f, tmp: f(np.ones((2, 3)), {}), "features")),
    "plots.charlm.plot_perplexity": ((lambda f, tmp: f([1], {}), "history"), (lambda f, tmp: f({"step": [1]}, {}), "history")),
    "plots.charlm.plot_truncation": ((lambda f, tmp: f([1, 2], [0.1, 0.2]), "errors"), (lambda f, tmp: f([1, 2], {}), "errors")),
    "plots.charlm.plot_temperature_entropy": ((lambda f, tmp: f("T", [1.0], 4), "temperatures"), (lambda f, tmp: f([1.0, 2.0], [1.0], 4), "entropies")),
    "plots.charlm.plot_unit_text": ((lambda f, tmp: f(3, [1.0]), "text"), (lambda f, tmp: f("ab", [1.0]), "values")),
    "versions.installed_version": ((lambda f, tmp: f(3), "package"), (lambda f, tmp: f(""), "package")),
    "versions.print_versions": ((lambda f, tmp: f(3), "packages"), (lambda f, tmp: f("scipy"), "packages")),
    # figures
    "plots.sequences.plot_one_hot": ((lambda f, tmp: f("encoded", ["a"], ["a"]), "encoded"), (lambda f, tmp: f(np.eye(2), ["a"], ["a", "b"]), "encoded")),
    "plots.training.plot_losses": ((lambda f, tmp: f([HISTORY]), "histories"), (lambda f, tmp: f({"RNN": {}}), "histories['RNN']")),
    "plots.rnn.plot_gradient_check_errors": ((lambda f, tmp: f("1e-6", {"W": [1.0, 1.0]}), "eps_values"),
                                             (lambda f, tmp: f([1e-2, 1e-4], {"W": [1.0]}), "errors['W']")),
    "plots.gates.plot_gates": ((lambda f, tmp: f(LSTM_CACHE["c"], ["a"] * T), "cache"), (lambda f, tmp: f(LSTM_CACHE, ["a"]), "tokens")),
    "plots.gates.plot_counter": ((lambda f, tmp: f(np.zeros(3), ["x"], 0), "cell_states"), (lambda f, tmp: f([np.zeros(3)], [], 0), "labels")),
    "plots.torch_lstm.plot_lstm_layout": ((lambda f, tmp: f(LSTM), "module"), (lambda f, tmp: f(torch_models.RNNLanguageModel(V, H)), "module")),
    "plots.torch_lstm.plot_step_times": ((lambda f, tmp: f([1]), "panels"), (lambda f, tmp: f({"batch": ([8, 16], TIMES)}), "panels['batch']")),
    "plots.counting.plot_accuracy_by_n": ((lambda f, tmp: f([1], [1], {"x": np.ones((1, 1))}, 1), "accuracies"),
                                          (lambda f, tmp: f([1], {"x": np.ones((1, 2))}, {"x": np.ones((1, 1))}, 1), "accuracies['x']")),
    "plots.counting.plot_count_units": ((lambda f, tmp: f({"RNN": 1}, ["a"]), "panels"), (lambda f, tmp: f([], ["a"]), "panels")),
    "plots.counting.plot_count_readout": ((lambda f, tmp: f([1, 2], {"RNN": 1}), "panels"), (lambda f, tmp: f([1, 2], []), "panels")),
    "plots.counting.plot_gradient_norms": ((lambda f, tmp: f(None), "panels"), (lambda f, tmp: f({}), "panels")),
    "checks.counting.counting_model": ((lambda f, tmp: f(3), "name"), (lambda f, tmp: f(""), "name")),
    "show.show_source": ((lambda f, tmp: f("rnn_step"), "obj"), (lambda f, tmp: f(_no_source()), "obj")),
    # the exercise checks: a wrong value (a wrong answer) fails with AssertionError by design (NO_WRONG_VALUE)
    **{f"checks.{module_name}.{name}": ((lambda f, tmp: f("my answer"), None), None)
       for module_name, names in {"sequences": ["check_batch_shape", "check_unknown_share", "check_make_mask", "check_decode_batch",
                                                "check_time_major_ids"],
                                  "rnn": ["check_stable_log_softmax", "check_context_free_loss", "check_gradient_ratio",
                                          "check_complete_with_state"],
                                  "rnn_backward": ["check_rnn_step_backward", "check_backprop_through_time",
                                                   "check_fixed_backward"],
                                  "lstm": ["check_steps_to_forget", "check_lstm_parameter_count", "check_lstm_step_backward",
                                           "check_backward_through_time", "check_fixed_lstm_backward"],
                                  "torch_lstm": ["check_stacked_lstm_parameter_count", "check_set_forget_bias", "check_collate",
                                                 "check_last_states"],
                                  "counting": ["check_steps_to_shrink", "check_accuracy_by_n", "check_readout_score",
                                               "check_rnn_gradient_norms"],
                                  "charlm": ["check_predictions", "check_embedding_backward", "check_trigram_perplexity",
                                             "check_chunked_loss_and_gradient"],
                                  "gru": ["check_gru_parameter_count", "check_update_gate_steps", "check_cho_step_backward",
                                          "check_gru_step_backward"]}.items()
       for name in names},
    # the instructors' tools
    "assignments.convention.ExerciseFormatError": None,   # an exception class
    "assignments.convention.Exercise": None,               # a frozen record that find_exercises makes
    "assignments.convention.find_chapters": ((lambda f, tmp: f(3), "book_dir"), (lambda f, tmp: f(tmp_file(tmp)), "book_dir")),
    "assignments.convention.as_path": ((lambda f, tmp: f("path", 3), "path"), None),
    "assignments.convention.require_notebook": ((lambda f, tmp: f("nb"), "notebook"), (lambda f, tmp: f({}), "notebook")),
    "assignments.convention.require_source": ((lambda f, tmp: f(["x"]), "source"), None),
    "assignments.convention.cell_source": ((lambda f, tmp: f("x = 1"), "cell"), (lambda f, tmp: f({"cell_type": "code"}), "cell")),
    "assignments.convention.chapter_title": ((lambda f, tmp: f([]), "notebook"), (lambda f, tmp: f({"cells": None}), "notebook")),
    "assignments.convention.chapter_name": ((lambda f, tmp: f(1, NOTEBOOK), "path"), (lambda f, tmp: f("intro.ipynb", NOTEBOOK), "path")),
    "assignments.convention.find_exercises": ((lambda f, tmp: f("notebook"), "notebook"), (lambda f, tmp: f({}), "notebook")),
    "assignments.convention.directives": ((lambda f, tmp: f(["```{exercise}"]), "source"), None),
    "assignments.convention.solution_lines": ((lambda f, tmp: f(None), "source"),
                                              (lambda f, tmp: f("### BEGIN SOLUTION\nx = 1"), "source")),
    "assignments.convention.stub_solutions": ((lambda f, tmp: f(1), "source"), (lambda f, tmp: f("### END SOLUTION"), "source")),
    "assignments.nbgrader.nbgrader_metadata": ((lambda f, tmp: f(None), "notebook"), (lambda f, tmp: f({"metadata": {}}), "notebook")),
    "assignments.nbgrader.stamp_nbgrader": ((lambda f, tmp: f([]), "notebook"), (lambda f, tmp: f({"cells": "x"}), "notebook")),
    "assignments.nbgrader.stamp_notebook_file": ((lambda f, tmp: f(None), "path"), (lambda f, tmp: f(tmp / "missing.ipynb"), "path")),
    "assignments.students.make_student_notebook": ((lambda f, tmp: f("nb"), "notebook"), (lambda f, tmp: f({}), "notebook")),
    "assignments.students.shown_names": ((lambda f, tmp: f(["show_source(f)"]), "source"), None),
    "assignments.safe_paths.UnsafeTargetError": None,        # an exception class
    "assignments.edition.secret_lines": ((lambda f, tmp: f("book/01.ipynb"), "chapters"),
                                         (lambda f, tmp: f([tmp / "none.ipynb"]), "chapters")),
    "assignments.edition.solution_leaks": ((lambda f, tmp: f(3, []), "site_dir"), (lambda f, tmp: f(tmp_file(tmp), []), "site_dir")),
    "assignments.edition.build_student_edition": ((lambda f, tmp: f(3), "out_dir"),
                                                  (lambda f, tmp: f(tmp / "book" / "x", tmp / "book"), "OUT_DIR")),
    "assignments.safe_paths.check_targets": ((lambda f, tmp: f(3, [], tmp), "OUT_DIR"),
                                             (lambda f, tmp: f(tmp, ["../x.ipynb"], tmp / "book"), "OUT_DIR")),
    "assignments.safe_paths.write_files": ((lambda f, tmp: f(tmp / "out", ["a"], tmp / "book"), "contents"),
                                           (lambda f, tmp: f(tmp_file(tmp), {"a": ""}, tmp / "book"), "OUT_DIR")),
    "assignments.students.write_student_notebooks": ((lambda f, tmp: f(5, []), "out_dir"),
                                                     (lambda f, tmp: f(tmp_file(tmp), []), "OUT_DIR")),
    "assignments.table.exercise_table": ((lambda f, tmp: f("book/01.ipynb"), "chapters"), (lambda f, tmp: f([tmp / "none.ipynb"]), "chapters")),
    "assignments.table.task_summary": ((lambda f, tmp: f(None), "markdown"), None),
    "assignments.table.toc_files": ((lambda f, tmp: f(3.0), "book_root"), (lambda f, tmp: f(tmp_file(tmp)), "book_root")),
    "assignments.table.update_exercise_table": ((lambda f, tmp: f(None, []), "page"), (lambda f, tmp: f(tmp_file(tmp, "text", "page.md"), []), "page")),
    "assignments.table.table_in_page": ((lambda f, tmp: f(1), "page"), (lambda f, tmp: f(tmp_file(tmp, "no table", "page.md")), "page")),
}

NO_WRONG_VALUE = {
    "validation.require_type": "it checks a type only",
    "validation.require_function": "it checks a type only",
    "validation.as_float_array": "any array of numbers is a right value",
    "data.require_vocabulary": "it checks a type only",
    "functional.sigmoid": "defined for every real number (and NaN passes through)",
    "functional.tanh": "defined for every real number",
    "functional.softmax": "defined for every real array",
    "functional.log_softmax": "defined for every real array",
    "assignments.convention.directives": "any markdown text is a right value",
    "assignments.convention.as_path": "it checks a type only",
    "assignments.convention.require_source": "it checks a type only",
    "assignments.table.task_summary": "any markdown text is a right value",
    "assignments.students.shown_names": "any source is a right value (a cell that does not parse shows nothing)",
    **{name: "a wrong answer fails with AssertionError by design: the check grades it"
       for name in TABLE if name.startswith("checks.") and name.rsplit(".", 1)[1].startswith("check_")},
}


def _no_source():
    namespace = {}
    exec("def made_at_run_time():\n    pass", namespace)
    return namespace["made_at_run_time"]


def public_names():
    names = set()
    for info in pkgutil.walk_packages(lessons_src.__path__, "lessons_src."):
        if info.name.rpartition(".")[2].startswith("_"):      # __main__, and a package's private helpers
            continue
        module_object = importlib.import_module(info.name)
        for name, value in vars(module_object).items():
            if not name.startswith("_") and (inspect.isfunction(value) or inspect.isclass(value)) \
                    and value.__module__ == info.name:
                names.add(f"{info.name.removeprefix('lessons_src.')}.{name}")
    return names


def resolve(dotted):
    module_name, _, name = dotted.rpartition(".")
    return getattr(importlib.import_module(f"lessons_src.{module_name}"), name)


def test_the_table_lists_every_public_function():
    assert public_names() == set(TABLE), "add the new function to TABLE (or remove the old one)"
    exempt = {name for name, calls in TABLE.items() if calls is not None and calls[1] is None}
    assert exempt == set(NO_WRONG_VALUE), "every function without a wrong-value call says why in NO_WRONG_VALUE"


# Calls that do not follow the convention yet, each with the helper who owns the module. Strict: when the module
# is fixed the test passes unexpectedly and fails, so the entry must go.
NOT_YET = {
    "cpu (lessons_src.versions landed while the convention was being made true everywhere)": [
        "versions.installed_version-TypeError", "versions.installed_version-ValueError",
        "versions.print_versions-TypeError",
    ],
}
_NOT_YET = {case: owner for owner, cases in NOT_YET.items() for case in cases}
CALLS = [pytest.param(name, kind, calls[index], id=f"{name}-{kind.__name__}",
                      marks=[pytest.mark.xfail(strict=True, reason=f"not yet: {_NOT_YET[f'{name}-{kind.__name__}']}")]
                      if f"{name}-{kind.__name__}" in _NOT_YET else [])
         for name, calls in sorted(TABLE.items()) if calls is not None
         for index, kind in enumerate((TypeError, ValueError)) if calls[index] is not None]


@pytest.mark.parametrize("name, error, call", CALLS)
def test_a_wrong_argument_raises_the_right_error_naming_it(name, error, call, tmp_path):
    make_call, argument = call
    with pytest.raises(error) as raised:
        make_call(resolve(name), tmp_path)
    assert type(raised.value) is error or issubclass(type(raised.value), error)
    message = str(raised.value)
    if argument is not None:
        assert message.startswith(argument) or f" {argument}" in message.split(":")[0], message
        assert "expected" in message, message
