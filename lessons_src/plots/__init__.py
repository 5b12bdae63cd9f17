"""The book's figures, drawn with matplotlib; each function returns its Figure."""

from .counting import plot_accuracy_by_n, plot_count_readout, plot_count_units, plot_gradient_norms
from .gates import plot_counter, plot_gates
from .sequences import plot_one_hot
from .training import plot_losses
from .rnn import plot_gradient_check_errors
from .torch_lstm import plot_lstm_layout, plot_step_times
from .charlm import plot_perplexity, plot_temperature_entropy, plot_truncation, plot_unit_text
