# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # How to use this book
#
# Every chapter of this book is a notebook that you can read on the website, run on a
# laptop CPU, tweak with sliders, and hand out as coursework. This page shows, on a toy
# problem, each mechanism the thirteen chapters use: the run-time set-up, the claim check,
# the explorer widget and its website counterpart, and an exercise with a hidden solution
# and an automatic check.
#
# **Run time:** about 6 s in fast mode and about 6 s in full mode on a 2-core CPU
# (measured values are in the {doc}`scoreboard <../book/scoreboard>`).

# %% [markdown] tags=["book-only"]
# ## Running the book
#
# From a fresh clone of the book's repository, two commands set everything up (they create
# `.venv` and install the pinned environment the first time):
#
# ```bash
# make book   # builds the website into _build/html
# make test   # runs every test, including every notebook in fast mode
# ```

# %% [markdown]
# ## Running a chapter
#
# `make lab` opens JupyterLab on the chapters (it creates `.venv` first if needed). Each chapter
# exists twice: `notebooks/NN_slug.py` is the source, and `notebooks/NN_slug.ipynb` is its executed
# pair; JupyterLab keeps the two in step through jupytext, so edit whichever you like.
#
# Three environment variables control a run:
#
# | variable | default | effect |
# | --- | --- | --- |
# | `BOOK_FAST` | `0` | `1` runs a chapter's quick version: at most 60 s on a 2-core CPU (the tests use it) |
# | `BOOK_SEED` | `0` | seeds Python, NumPy and PyTorch; every claim check must hold for other seeds too |
# | `BOOK_THREADS` | `1` | PyTorch threads; the book's models are small, and one thread is often fastest |
#
# Every chapter starts by calling `utils.setup()`, which applies these settings and the
# book's plot style, picks the GPU when there is one (none is needed), and prints what it chose.

# %%
import math

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np

import utils

info = utils.setup()

# %% [markdown]
# `utils.pick(fast, full)` is how a chapter sizes its experiments: the first value in fast
# mode, the second otherwise.

# %%
n_samples = utils.pick(200, 2000)
print(f"n_samples = {n_samples}")

# %% [markdown]
# ## A toy claim: Monte Carlo error falls like $1/\sqrt{n}$
#
# To show the mechanisms we need a claim with a number. Estimate
# $\pi$ by throwing $n$ uniform points into the unit square and counting those inside the
# quarter disc,
#
# ```{math}
# :label: eq-mc-pi
# \hat\pi_n = \frac{4}{n} \sum_{i=1}^{n} \mathbf{1}\{x_i^2 + y_i^2 \le 1\},
# \qquad
# \operatorname{sd}(\hat\pi_n) = 4\sqrt{\frac{p(1-p)}{n}},
# ```
#
# where $p = \pi/4$ is the probability that a point lands inside.
#
# Equation {eq}`eq-mc-pi` predicts that the root-mean-square error halves each time $n$
# grows fourfold, a slope of $-1/2$ on a log–log plot {cite}`robert2004monte`.


# %%
def mc_pi(n: int, rng: np.random.Generator) -> float:
    """Monte Carlo estimate of pi from n uniform points in the unit square."""
    points = rng.random((n, 2))
    return 4.0 * np.mean((points**2).sum(axis=1) <= 1.0)


rng = np.random.default_rng(info.seed)
sizes = np.array([100, 400, 1600, 6400, 25600])
repeats = utils.pick(50, 200)
rms_error = np.array(
    [np.sqrt(np.mean([(mc_pi(n, rng) - math.pi) ** 2 for _ in range(repeats)])) for n in sizes]
)
slope = np.polyfit(np.log(sizes), np.log(rms_error), 1)[0]
predicted = 4 * np.sqrt((math.pi / 4) * (1 - math.pi / 4) / sizes)

# %% [markdown]
# The figure compares the measured error with the prediction of {eq}`eq-mc-pi`. Its code only
# draws, so the website folds it behind a "Show code" button (the cell is tagged `hide-input`); the
# algorithm above stays in view.

# %% tags=["hide-input"]
fig, ax = plt.subplots()
ax.loglog(sizes, rms_error, "o-", label=f"measured (slope {slope:.2f})")
ax.loglog(sizes, predicted, "--", label="theory, slope −1/2")
ax.set_xlabel("number of samples $n$")
ax.set_ylabel("RMS error of $\\hat\\pi_n$")
ax.set_title("Monte Carlo error against the number of samples")
ax.legend()
plt.show()

# %% [markdown]
# The two lines lie on top of each other: the estimator behaves as predicted.
#
# ## The claim check
#
# Each chapter ends its experiment with **one** call to `utils.check_claims`. Each row says
# what is claimed, what the paper reports, what this run measured, and the honest threshold, and
# what kind of evidence it is: a test of the paper's claim (`"paper"`), a cross-check of the
# chapter's code against a library or an analytic answer (`"code"`), or what holds instead where
# the paper's claim does not reproduce at laptop scale (`"instead"`). The call also states the
# paper's claim in one line and the chapter's verdict: *reproduced*, *partly reproduced* or *not
# reproduced at this scale*. It shows the table, stores the record in the notebook (the
# {doc}`scoreboard <../book/scoreboard>` is built from it), and raises `AssertionError` if any row
# fails, so the tests catch a broken chapter. Thresholds are one-sided, with margin, and fixed
# before the numbers they judge are seen; each row is one that a broken implementation would fail.

# %%
utils.check_claims(
    "00",
    [
        utils.Claim(
            claim="Monte Carlo RMS error decays like n^(-1/2): fitted log-log slope",
            paper="-0.5 (central limit theorem)",
            measured=slope,
            op="<=",
            threshold=-0.4,
            kind="paper",
        ),
        utils.Claim(
            claim="Measured RMS error at the largest n, relative to the predicted one",
            paper="1.0",
            measured=rms_error[-1] / predicted[-1],
            op="<=",
            threshold=1.3,
            kind="code",
        ),
    ],
    headline="Monte Carlo error falls like one over the square root of the number of samples",
    verdict="reproduced",
)

# %% [markdown]
# ## Explore
#
# An interactive cell is written as a plain function that returns a figure. It is called once
# with its defaults, so the notebook runs headless, and then handed to `utils.explore` with
# the values each slider offers. In JupyterLab you get live sliders. On the website you get a
# kernel-free counterpart: every combination was drawn when the notebook was executed, and the
# sliders switch between the saved images.


# %%
def plot_mc_points(n: int = 400, seed: int = 0) -> plt.Figure:
    """Scatter n Monte Carlo points, coloured by whether they fall in the quarter disc."""
    points = np.random.default_rng(seed).random((n, 2))
    inside = (points**2).sum(axis=1) <= 1.0
    fig, ax = plt.subplots(figsize=(4, 4))
    ax.scatter(*points[inside].T, s=4, label="inside")
    ax.scatter(*points[~inside].T, s=4, label="outside")
    ax.set_aspect("equal")
    ax.set_title(f"n = {n}: estimate {4 * inside.mean():.3f} (π = {math.pi:.3f})")
    ax.set_xlabel("$x$")
    ax.set_ylabel("$y$")
    return fig


plot_mc_points()
plt.show()

# %%
utils.explore(plot_mc_points, n=[100, 400, 1600, 6400], seed=[0, 1, 2])

# %% [markdown]
# Widgets that need no Python at all keep working on the website too. Here a slider is linked to
# a progress bar inside the browser (`jslink`); the notebook saved the widgets' state when it ran,
# and the widget manager served with the site draws them.

# %%
percent = widgets.IntSlider(value=40, min=0, max=100, description="percent")
bar = widgets.IntProgress(value=40, min=0, max=100)
widgets.jslink((percent, "value"), (bar, "value"))
widgets.HBox([percent, bar])

# %% [markdown]
# ## Exercises
#
# Exercises run from easy to open-ended, and number from 1 in every chapter (`chNN-exK` is
# Exercise K). Each is followed by a worked solution, which the website folds into a dropdown and
# the student edition replaces with a stub, and, where the answer can be checked, by a check cell.
# What a student sees of a check tests a property of the answer (its type, a consequence) with
# `utils.check_that`; the expected value itself sits between nbgrader's hidden-test markers, which
# the student edition leaves out and nbgrader restores when it grades. The website shows a check
# cell's outcome, not its source (tag `remove-input`). Inside a solution cell, the lines between
# nbgrader's solution markers are what the student writes. The tests run every check against cheap
# wrong answers (zeros, a constant, a function that ignores its input, ...) and fail if one is
# accepted.
#
# ```{exercise}
# :label: ch00-ex1
#
# How many samples does the estimator {eq}`eq-mc-pi` need for its standard deviation to
# fall below $0.01$? Store the smallest such $n$ in `n_needed`.
# ```
#
# ```{solution-start} ch00-ex1
# :class: dropdown
# ```

# %% tags=["solution"]
# Smallest n with 4 * sqrt(p (1 - p) / n) < 0.01, where p = pi / 4.
### BEGIN SOLUTION
p = math.pi / 4
n_needed = math.floor(16 * p * (1 - p) / 0.01**2) + 1
### END SOLUTION

# %% [markdown]
# ```{solution-end}
# ```

# %% tags=["check", "remove-input"]
def sd_of_estimate(n):
    """Standard deviation of the estimate of pi from n points, eq. (1)."""
    return 4 * math.sqrt((math.pi / 4) * (1 - math.pi / 4) / n)


utils.check_that(
    "ch00-ex1",
    lambda: float(n_needed).is_integer()
    and sd_of_estimate(n_needed) < 0.01 <= sd_of_estimate(n_needed - 1),
    "n_needed is a whole number with standard deviation below 0.01, and n_needed - 1 is not",
)
### BEGIN HIDDEN TESTS
utils.check_value("ch00-ex1", n_needed, 26968)
### END HIDDEN TESTS

# %% [markdown]
# ```{exercise}
# :label: ch00-ex2
#
# Write `mc_integral(f, n, rng)`, the Monte Carlo estimate of $\int_0^1 f(x)\,dx$ from $n$
# uniform samples drawn with the NumPy generator `rng`.
# ```
#
# ```{solution-start} ch00-ex2
# :class: dropdown
# ```

# %% tags=["solution"]
def mc_integral(f, n, rng):
    """Monte Carlo estimate of the integral of f over [0, 1]."""
    ### BEGIN SOLUTION
    return float(np.mean(f(rng.random(n))))
    ### END SOLUTION


# %% [markdown]
# ```{solution-end}
# ```

# %% tags=["check", "remove-input"]
def spread_of(estimator, n, repeats=400):
    """Mean and variance of an estimator of the integral of x^2 over repeated seeds."""
    values = [estimator(np.square, n, np.random.default_rng(seed)) for seed in range(repeats)]
    return np.mean(values), np.var(values)


utils.check_that(
    "ch00-ex2",
    lambda: abs(spread_of(mc_integral, 100)[0] - 1 / 3) < 0.01,
    "averaged over many seeds, mc_integral(x^2, 100, rng) is close to the integral 1/3",
)
utils.check_that(
    "ch00-ex2",
    lambda: 0.6 < spread_of(mc_integral, 100)[1] / (4 / 45 / 100) < 1.5,
    "its variance over seeds matches Var(U^2) / n for uniform U (it really samples, n times)",
)
### BEGIN HIDDEN TESTS
utils.check_function(
    "ch00-ex2",
    lambda f, n: mc_integral(f, n, np.random.default_rng(1)),
    [((np.square, 200_000), 1 / 3), ((np.exp, 200_000), math.e - 1), ((np.sqrt, 200_000), 2 / 3)],
    rtol=1e-2,
    hint="average f over n uniform samples on [0, 1] drawn with rng.",
)
### END HIDDEN TESTS

# %% [markdown]
# ```{exercise}
# :label: ch00-ex3
#
# (Open-ended.) Antithetic sampling pairs each point $u$ with $1-u$. Does it reduce the
# variance of `mc_integral` for $f(x) = e^x$ at equal cost? By how much, and why does it work for
# monotone $f$? Is there an $f$ for which it makes things worse?
# ```
#
# ```{solution-start} ch00-ex3
# :class: dropdown
# ```

# %% tags=["solution"]
### BEGIN SOLUTION
rng = np.random.default_rng(0)
plain = [np.mean(np.exp(rng.random(1000))) for _ in range(500)]
antithetic = []
for _ in range(500):
    u = rng.random(500)
    antithetic.append(np.mean((np.exp(u) + np.exp(1 - u)) / 2))
print(f"variance ratio plain / antithetic at equal cost: {np.var(plain) / np.var(antithetic):.1f}")
### END SOLUTION

# %% [markdown]
# For a monotone $f$, $f(u)$ and $f(1-u)$ are negatively correlated, so their average varies
# less than the average of two independent draws; for $e^x$ the variance falls by the factor
# printed above. For an $f$ symmetric about $1/2$, such as $(x - 1/2)^2$, the pair is perfectly
# positively correlated and antithetic sampling doubles the variance at equal cost.
#
# ```{solution-end}
# ```

# %% [markdown]
# ## Takeaways
#
# - `utils.setup()` and `utils.pick` make every chapter fast in tests and complete on the website.
# - `utils.check_claims` turns a chapter's central number into a test and a scoreboard row.
# - `utils.explore` gives one plotting function a live widget and a kernel-free website twin.
# - Exercises carry their solutions once; the student edition and the checks are derived.
#
# ## References
#
# ```{bibliography}
# :filter: docname in docnames
# ```
