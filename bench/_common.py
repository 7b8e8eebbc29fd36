"""Shared set-up of the timing benchmarks: one thread, one core, median timing.

Import this module *before* numpy (or pandas): it fixes the BLAS/OpenMP thread
count at import, and that only takes effect before the BLAS pool is started.
It also puts the repository root on ``sys.path`` so ``model``/``ui`` import.
"""
from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

# Threads must be fixed before numpy is imported, or the BLAS pool is already running.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ[_var] = "1"

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def pin_to_one_core() -> str:
    """Pin this process to one CPU if the OS allows it; returns a description."""
    try:
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
        return f"pinned to CPU {sorted(os.sched_getaffinity(0))[0]}"
    except (AttributeError, OSError) as exc:  # macOS/Windows, or a restricted container
        return f"not pinned ({exc.__class__.__name__})"


def median_time(fn: Callable[[int], object], n: int, warmup: int = 2) -> float:
    """Median wall time of ``fn(i)`` for i in 0..n-1, in seconds (after ``warmup`` calls fn(0), fn(1), …)."""
    for i in range(warmup):
        fn(i)
    times = []
    for i in range(n):
        t0 = time.perf_counter()
        fn(i)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)
