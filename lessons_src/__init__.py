"""The code the chapters of "RNNs and LSTMs from scratch" import."""
