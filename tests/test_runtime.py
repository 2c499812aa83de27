import random

import numpy as np
import pytest
import torch

from utils import runtime


def test_fast_mode_reads_the_environment(monkeypatch):
    monkeypatch.setenv("BOOK_FAST", "1")
    assert runtime.fast_mode() and runtime.pick("f", "F") == "f"
    monkeypatch.setenv("BOOK_FAST", "0")
    assert not runtime.fast_mode() and runtime.pick("f", "F") == "F"
    monkeypatch.delenv("BOOK_FAST")
    assert not runtime.fast_mode()


def test_fast_mode_rejects_nonsense(monkeypatch):
    monkeypatch.setenv("BOOK_FAST", "maybe")
    with pytest.raises(ValueError, match="BOOK_FAST"):
        runtime.fast_mode()


def test_seed_everything_makes_all_generators_repeat(monkeypatch):
    monkeypatch.setenv("BOOK_SEED", "7")
    assert runtime.seed_everything() == 7
    first = (random.random(), np.random.rand(), torch.rand(1).item())
    runtime.seed_everything(7)
    assert (random.random(), np.random.rand(), torch.rand(1).item()) == first
    runtime.seed_everything(8)
    assert torch.rand(1).item() != first[2]


@pytest.mark.parametrize("bad", ["x", "-1", "1.5"])
def test_book_seed_must_be_a_non_negative_integer(monkeypatch, bad):
    monkeypatch.setenv("BOOK_SEED", bad)
    with pytest.raises(ValueError, match="BOOK_SEED"):
        runtime.book_seed()


def test_seed_everything_rejects_bad_arguments():
    with pytest.raises(ValueError):
        runtime.seed_everything(-3)
    with pytest.raises(ValueError):
        runtime.seed_everything("0")


def test_device_is_cpu_without_gpu_or_when_not_wanted():
    assert runtime.get_device(prefer_gpu=False) == "cpu"
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert runtime.get_device() == expected
    with pytest.raises(TypeError):
        runtime.get_device("yes")


def test_setup_applies_threads_and_reports(monkeypatch, capsys):
    monkeypatch.setenv("BOOK_SEED", "3")
    monkeypatch.setenv("BOOK_FAST", "1")
    info = runtime.setup(threads=1)
    assert (info.seed, info.fast, info.threads) == (3, True, 1)
    assert torch.get_num_threads() == 1
    assert "mode: fast | seed: 3" in capsys.readouterr().out


def test_setup_validates_threads(monkeypatch):
    with pytest.raises(ValueError, match="threads"):
        runtime.setup(threads=0)
    monkeypatch.setenv("BOOK_THREADS", "two")
    with pytest.raises(ValueError, match="BOOK_THREADS"):
        runtime.setup()


def test_in_ipython_is_false_in_plain_python():
    assert runtime.in_ipython() is False
