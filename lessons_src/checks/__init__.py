"""One ``check_<exercise>(student_function)`` per exercise of the book.

Each runs the student's function on several cases against the reference in
lessons_src and prints one line of success, or raises ``AssertionError``
naming the case, the expected and the received value.
"""

from .sequences import (check_batch_shape, check_decode_batch, check_make_mask, check_time_major_ids,
                        check_unknown_share)
from .lstm import (check_backward_through_time, check_fixed_lstm_backward, check_lstm_parameter_count,
                   check_lstm_step_backward, check_steps_to_forget)
from .torch_lstm import (check_collate, check_last_states, check_set_forget_bias,
                         check_stacked_lstm_parameter_count)
from .rnn import check_complete_with_state, check_context_free_loss, check_gradient_ratio, check_stable_log_softmax
from .rnn_backward import check_backprop_through_time, check_fixed_backward, check_rnn_step_backward
from .counting import (check_accuracy_by_n, check_readout_score, check_rnn_gradient_norms, check_steps_to_shrink,
                       counting_model)
from .charlm import (check_chunked_loss_and_gradient, check_embedding_backward, check_predictions,
                     check_trigram_perplexity)
from .gru import check_cho_step_backward, check_gru_parameter_count, check_gru_step_backward, check_update_gate_steps
