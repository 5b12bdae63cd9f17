"""Checks for the exercises of chapter 5, "Do they count?".

PyTorch is imported inside the check that needs it, so that ``lessons_src.checks`` loads without it.
"""

from ..counting import accuracy_by_n, gradient_norms
from ..data import EOS, Vocabulary
from ..language import FIRST, MIDDLE, counting_sequence
from ._core import RuleModel, run_cases

_VOCAB = Vocabulary([FIRST, MIDDLE, EOS])     # a=0, b=1, EOS=2, UNK=3


def _counting_model(name, b_count=lambda n: n, a_count=lambda n: n, ends=True):
    """A model that completes a^n b with ``b`` runs and ``a`` runs of its own choosing.

    After the prompt a^n b it writes ``b_count(n)`` ``b`` in all, then
    ``a_count(n)`` ``a``, then ``EOS`` if ``ends`` (else more ``a``).
    """

    def next_id(ids):
        middle = _VOCAB.index[MIDDLE]
        n = ids.index(middle) if middle in ids else len(ids)
        written = [FIRST] * n + [MIDDLE] * b_count(n) + [FIRST] * a_count(n) + ([EOS] if ends else [])
        return _VOCAB.index[written[len(ids)]] if len(ids) < len(written) else _VOCAB.index[FIRST]

    return RuleModel(name, next_id)


def check_accuracy_by_n(student_accuracy_by_n):
    """``accuracy_by_n(model, vocab, ns)`` -> array of 1.0 (exact greedy completion) or 0.0, one per n."""
    models = [
        (_counting_model("a model that counts"), [1, 2, 3, 7]),
        (_counting_model("a model that counts up to 4", lambda n: min(n, 4), lambda n: min(n, 4)), [1, 2, 3, 4, 5, 6, 8]),
        (_counting_model("a model that never writes EOS", ends=False), [1, 2, 5]),
        (_counting_model("a model that writes one a too many", a_count=lambda n: n + 1), [1, 3, 4]),
        (_counting_model("a model that writes one b too few", b_count=lambda n: n - 1 if n > 2 else n), [1, 2, 3, 6]),
    ]
    cases = [((model, _VOCAB, ns), accuracy_by_n(model, _VOCAB, ns)) for model, ns in models]
    run_cases("accuracy_by_n", student_accuracy_by_n, cases)


def check_gradient_norms(student_gradient_norms):
    """``gradient_norms(module, vocab, tokens)`` -> norms of dL/dh_{T-k}, k = 0 ... T - 1 (float64 modules)."""
    import torch

    from ..torch_models import LSTMLanguageModel, RNNLanguageModel

    cases = []
    for model_class, hidden_size, seed, tokens in [
        (RNNLanguageModel, 5, 0, counting_sequence(3)),
        (RNNLanguageModel, 3, 1, ["a", "b", "a", EOS]),
        (LSTMLanguageModel, 4, 2, counting_sequence(4)),
        (LSTMLanguageModel, 6, 3, ["a", "a", "b", "b"]),
    ]:
        torch.manual_seed(seed)
        module = model_class(len(_VOCAB), hidden_size).double()
        cases.append(((module, _VOCAB, tokens), gradient_norms(module, _VOCAB, tokens)))
    run_cases("gradient_norms", student_gradient_norms, cases, rtol=1e-6, atol=0.0)
