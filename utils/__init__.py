"""Helpers shared by the chapters of *Scientific Computing & Flow-based Generative Models*.

Small and boring on purpose: run-time set-up, plot style, the claim check,
widgets with a kernel-free website counterpart, and exercise checks.
"""

from utils.claims import Claim, check_claims
from utils.exercises import check_array, check_function, check_that, check_value
from utils.runtime import fast_mode, get_device, pick, seed_everything, setup
from utils.widgets import explore

__all__ = [
    "Claim",
    "check_array",
    "check_claims",
    "check_function",
    "check_that",
    "check_value",
    "explore",
    "fast_mode",
    "get_device",
    "pick",
    "seed_everything",
    "setup",
]
