"""Run-time set-up: fast mode, seeds, threads and device, read from the environment."""

from __future__ import annotations

import os
import random
from dataclasses import dataclass

import numpy as np

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"", "0", "false", "no", "off"}


def fast_mode() -> bool:
    """Return True when BOOK_FAST asks for the quick (test) run of a chapter."""
    raw = os.environ.get("BOOK_FAST", "").strip().lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise ValueError(f"BOOK_FAST={raw!r} is not understood: set it to 1 (fast mode) or 0 (full mode).")


def in_ipython() -> bool:
    """Return True inside an IPython kernel or shell, where rich output (tables, widgets) is shown."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    return get_ipython() is not None


def pick(fast, full):
    """Return `fast` in fast mode and `full` otherwise (e.g. `n_epochs = pick(5, 50)`)."""
    return fast if fast_mode() else full


def book_seed() -> int:
    """Return the seed from BOOK_SEED (default 0)."""
    raw = os.environ.get("BOOK_SEED", "0").strip()
    try:
        seed = int(raw)
    except ValueError:
        raise ValueError(f"BOOK_SEED={raw!r} is not an integer: set it to e.g. 0, 1, 2.") from None
    if seed < 0:
        raise ValueError(f"BOOK_SEED={seed} is negative: use a seed >= 0.")
    return seed


def seed_everything(seed: int | None = None) -> int:
    """Seed Python, NumPy and torch (if installed); return the seed used (BOOK_SEED when None)."""
    if seed is None:
        seed = book_seed()
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}.")
    seed = int(seed)
    random.seed(seed)
    np.random.seed(seed % 2**32)
    try:
        import torch
    except ImportError:
        return seed
    torch.manual_seed(seed)
    return seed


def get_device(prefer_gpu: bool = True) -> str:
    """Return "cuda" when a GPU is present and wanted, else "cpu"; the book never requires a GPU."""
    if not isinstance(prefer_gpu, bool):
        raise TypeError(f"prefer_gpu must be True or False, got {prefer_gpu!r}.")
    try:
        import torch
    except ImportError:
        return "cpu"
    return "cuda" if prefer_gpu and torch.cuda.is_available() else "cpu"


@dataclass(frozen=True)
class RunInfo:
    """What `setup` chose: printed at the top of every chapter."""

    fast: bool
    seed: int
    device: str
    threads: int

    def __str__(self) -> str:
        mode = "fast" if self.fast else "full"
        return f"mode: {mode} | seed: {self.seed} | device: {self.device} | torch threads: {self.threads}"


def setup(threads: int | None = None, prefer_gpu: bool = True) -> RunInfo:
    """Seed everything, choose threads and device, apply the book's plot style; return what was chosen.

    `threads` defaults to BOOK_THREADS, else 1: the book's models are small, and on a
    busy 2-core machine one torch thread was measured faster than two.
    """
    if threads is None:
        raw = os.environ.get("BOOK_THREADS", "1")
        try:
            threads = int(raw)
        except ValueError:
            raise ValueError(f"BOOK_THREADS={raw!r} is not an integer: set it to e.g. 1 or 2.") from None
    if not isinstance(threads, int) or isinstance(threads, bool) or threads < 1:
        raise ValueError(f"threads must be a positive integer, got {threads!r}.")
    from utils.plotting import install_figure_formatter, use_book_style

    use_book_style()
    install_figure_formatter()
    seed = seed_everything()
    try:
        import torch

        torch.set_num_threads(threads)
    except ImportError:
        pass
    info = RunInfo(fast=fast_mode(), seed=seed, device=get_device(prefer_gpu), threads=threads)
    print(info)
    return info
