"""Re-run nbval over every chapter as if on other CPUs: other kernels and other thread counts.

    python scripts/check_other_cpus.py [pytest arguments, e.g. book/05_do_they_count.ipynb]

The stored outputs were produced on one computer; a reader's computer may pick
other floating-point kernels (by CPU feature) or another number of threads, and
every compared output must stay the same. Each variant below re-runs
``python -m pytest book -n 2 --dist loadfile`` (nbval over every chapter) with
environment variables that make NumPy and PyTorch choose what such a computer
would choose. The variants and what they simulate are listed in README.md.
Exits with 1 if any variant fails.
"""

import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def numpy_dispatch_targets():
    """The SIMD targets this NumPy may choose at run time (e.g. X86_V3 ~ AVX2, X86_V4 ~ AVX-512)."""
    code = "from numpy._core._multiarray_umath import __cpu_dispatch__ as d; print(' '.join(d))"
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()


def cpu_flags():
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("flags"):
                return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def threads(n):
    """NumPy's BLAS (OpenBLAS), PyTorch's OpenMP pool and MKL on n threads (where a chapter does not fix them)."""
    return {"OPENBLAS_NUM_THREADS": str(n), "OMP_NUM_THREADS": str(n), "MKL_NUM_THREADS": str(n)}


def variants():
    """(name, what it simulates, environment) for every variant this computer can run; then the skipped ones."""
    if platform.machine() not in ("x86_64", "AMD64"):
        return [("1 thread", "this CPU's kernels, 1 thread", threads(1)),
                ("2 threads", "this CPU's kernels, 2 threads", threads(2))], [
            "the kernel variants (they select x86-64 kernels; this is " + platform.machine() + ")"]
    targets = numpy_dispatch_targets()
    above_avx2 = [t for t in targets if t.startswith(("X86_V4", "AVX512"))]
    runnable = [
        ("default, 1 thread",
         "a CPU whose kernels all differ from ours (x86-64 without AVX2; stands in for ARM, e.g. Apple laptops): "
         "PyTorch's portable kernels, NumPy's baseline SIMD, MKL's compatible code path; 1 thread",
         {"ATEN_CPU_CAPABILITY": "default", "NPY_DISABLE_CPU_FEATURES": " ".join(targets),
          "MKL_CBWR": "COMPATIBLE", "ONEDNN_MAX_CPU_ISA": "SSE41", **threads(1)}),
        ("avx2, 2 threads",
         "an x86-64 CPU with AVX2 but no AVX-512 (most laptops and desktops): AVX2 kernels in PyTorch, NumPy and "
         "oneDNN; 2 threads",
         {"ATEN_CPU_CAPABILITY": "avx2", "NPY_DISABLE_CPU_FEATURES": " ".join(above_avx2),
          "ONEDNN_MAX_CPU_ISA": "AVX2", **threads(2)}),
    ]
    skipped = []
    if "avx512f" in cpu_flags():
        runnable.append(("avx512, 1 thread", "a CPU with AVX-512 (many servers, Binder's machines): "
                         "PyTorch's AVX-512 kernels; 1 thread", {"ATEN_CPU_CAPABILITY": "avx512", **threads(1)}))
    else:
        skipped.append("avx512, 1 thread (this CPU has no avx512f)")
    return runnable, skipped


def main(pytest_args):
    runnable, skipped = variants()
    command = [sys.executable, "-m", "pytest", "-n", "2", "--dist", "loadfile", "-q", *(pytest_args or ["book"])]
    print("variants:", "; ".join(name for name, _, _ in runnable), flush=True)
    for name in skipped:
        print("skipped:", name, flush=True)
    results, start = [], time.monotonic()
    for name, simulates, env in runnable:
        print(f"\n== {name}: {simulates}\n   {' '.join(f'{k}={v!r}' for k, v in env.items())}", flush=True)
        began = time.monotonic()
        code = subprocess.run(command, cwd=ROOT, env={**os.environ, **env}).returncode
        results.append((name, code, time.monotonic() - began))
    print(f"\n== simulated CPUs ({time.monotonic() - start:.0f} s in all)")
    for name, code, seconds in results:
        print(f"   {name:<18} {'passed' if code == 0 else 'FAILED'} ({seconds:.0f} s)")
    for name in skipped:
        print(f"   skipped: {name}")
    return 0 if all(code == 0 for _, code, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
