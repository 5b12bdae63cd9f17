"""How long one training step takes: our NumPy LSTM and GRU against torch.nn.LSTM and torch.nn.GRU on the CPU.

Run from the repository's top folder:

    python benchmarks/step_time.py              # both models, one thread for NumPy and for PyTorch
    python benchmarks/step_time.py --threads 2  # let both libraries use two threads
    python benchmarks/step_time.py --model gru  # the GRU only

A step is forward pass + cross-entropy + backward pass on the same random
batch (``lessons_src.timing.time_training_step``,
``lessons_src.timing.time_gru_training_step``). Each table gives the
milliseconds per step and the ratio NumPy / PyTorch for PyTorch in float64
(the same arithmetic as ours) and in float32 (what one trains with).
The book's budget: at batch 32, hidden 50, T = 16, NumPy within 2x of PyTorch's float32 step.
"""

import argparse
import os

SIZES = [  # (batch, hidden, T): the budget's size first, then one change at a time
    (32, 50, 16),
    (1, 50, 16), (8, 50, 16), (128, 50, 16),
    (32, 20, 16), (32, 100, 16), (32, 200, 16),
    (32, 50, 4), (32, 50, 64),
]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, default=1, help="threads for NumPy's BLAS and for PyTorch (default 1)")
    parser.add_argument("--repeats", type=int, default=5, help="timing runs per size; the best is kept (default 5)")
    parser.add_argument("--model", choices=("lstm", "gru", "both"), default="both",
                        help="which model to time (default both)")
    arguments = parser.parse_args()
    # BLAS reads its thread count when NumPy is first imported, so set it before.
    for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[variable] = str(arguments.threads)

    import torch

    from lessons_src.timing import time_gru_training_step, time_training_step

    timers = {"lstm": ("LSTM", time_training_step), "gru": ("GRU", time_gru_training_step)}
    chosen = ["lstm", "gru"] if arguments.model == "both" else [arguments.model]
    torch.set_num_threads(arguments.threads)
    # Warm up once, untimed. In a fresh process glibc's malloc gives the top of its heap back to the system after
    # every NumPy step and takes it again in the next one; the page faults make the NumPy step up to 1.7x slower
    # (measured here at batch 32, H = 50). Once PyTorch's larger buffers have been freed, malloc's thresholds are
    # higher and this stops. A NumPy-only process can stay in the slow state (MALLOC_TOP_PAD_=100000000 in the
    # environment avoids it); this script times both libraries in the fast state.
    for model in chosen:
        timers[model][1](32, 50, 16, number=10, repeats=1)
    for model in chosen:
        name, timer = timers[model]
        print(f"{name}: one training step (forward + loss + backward), {arguments.threads} thread(s), "
              f"best of {arguments.repeats} runs")
        print(f"{'batch':>5} {'hidden':>6} {'T':>3} | {'NumPy ms':>8} {'torch64 ms':>10} {'torch32 ms':>10} | "
              f"{'NumPy/torch64':>13} {'NumPy/torch32':>13}")
        for batch_size, hidden_size, steps in SIZES:
            times = timer(batch_size, hidden_size, steps, repeats=arguments.repeats)
            numpy_ms, float64_ms, float32_ms = (1e3 * times[key] for key in ("numpy", "torch float64", "torch float32"))
            print(f"{batch_size:>5} {hidden_size:>6} {steps:>3} | {numpy_ms:8.2f} {float64_ms:10.2f} {float32_ms:10.2f} | "
                  f"{numpy_ms / float64_ms:13.2f} {numpy_ms / float32_ms:13.2f}")
        print()


if __name__ == "__main__":
    main()
