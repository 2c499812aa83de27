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
# # 10 · The dilation diffusion path
#
# **Paper.** Omar Chehab, Anna Korba. *A Practical Diffusion Path for Sampling.* ICML 2024
# Workshop on Structured Probabilistic Inference & Generative Modeling (SPIGM).
# [arXiv:2406.14040](https://arxiv.org/abs/2406.14040) {cite}`chehab2024dilation`. (The seminar
# notes list it as ICML 2024.)
#
# **Summary.** To sample from a density known up to a constant, annealed Langevin dynamics follows
# a path of distributions from an easy one to the target, but the scores of the usual diffusion
# path must be estimated by Monte Carlo. The paper takes the proposal of that path to be a point
# mass, which turns the path into a pure dilation of the target whose score is a rescaled copy of
# the target's own score, and reports that Langevin dynamics along it finds the modes of
# multimodal targets better than classical alternatives.
#
# **What the seminar notes claim.** The score of every intermediate distribution is explicit, a
# linear transformation of the target's score (or of a fitted score network), and the main gain
# is fast coverage of the modes: four distances between the samples and the target (KL through a
# kernel density estimate, the kernel Stein discrepancy, Sinkhorn optimal transport and MMD) fall
# quickly. The notes add two observations: the starting distribution matters, since plain Langevin
# started at the origin collapses onto the mode closest to the origin (in an MNIST example, the
# digit "1"), and the adaptive step size shifts the distribution.
#
# **What this chapter adds.** We could not read the paper's own step-size rule, so this chapter
# tests the method under two rules and works out, in closed form, what each one does. A step
# proportional to the dilation factor turns the method into plain Langevin from the origin; a
# fixed step turns it into Langevin whose step size decreases over the run. The mode coverage
# reproduces only in the second case, in a narrow window of step sizes, and for a reason that has
# to do with time discretisation rather than with the path: plain Langevin given the same steps
# does as well, while the geometric path does not.
#
# **Run time:** about 25 s in fast mode and 60 s in full mode on a 2-core CPU (measured values are
# in the {doc}`scoreboard <../book/scoreboard>`).

# %% [markdown]
# ## Learning objectives
#
# After this chapter you can:
#
# 1. derive the density and the score of the dilation path from a change of variables, and check
#    a closed-form score against automatic differentiation;
# 2. implement unadjusted Langevin (ULA) and annealed Langevin along the dilation and geometric
#    paths, and compare samplers at equal cost on a target with exact samples;
# 3. rescale an annealed Langevin scheme to see which plain Langevin chain it really is, and use
#    ULA's stability limit to predict when it will cover the modes;
# 4. measure sample quality with mode weights, MMD, optimal transport, KL through a kernel density
#    estimate and the kernel Stein discrepancy, and say what each one can and cannot see.

# %% [markdown]
# ## Background and theory
#
# ### Langevin dynamics and its failure on separated modes
#
# We want samples of a target $\pi(x) \propto e^{-V(x)}$ on $\mathbb R^d$ whose normalising
# constant is unknown. Its **score** $s(x) = \nabla \log \pi(x) = -\nabla V(x)$ does not need the
# constant. The unadjusted Langevin algorithm (ULA) is the Euler–Maruyama scheme of the Langevin
# diffusion $\mathrm dX = s(X)\,\mathrm dt + \sqrt 2\,\mathrm dW$, whose stationary law is $\pi$
# {cite}`roberts1996exponential`:
#
# ```{math}
# :label: eq-ula
# x_{k+1} = x_k + h\, s(x_k) + \sqrt{2h}\,\xi_k, \qquad \xi_k \sim \mathcal N(0, I).
# ```
#
# For a small step $h$ its stationary law is close to $\pi$. For a target with well separated
# modes it is still useless in practice: a particle that falls into one mode needs a time that
# grows exponentially with the height of the barrier around it to leave it
# {cite}`bovier2004metastability`. Particles then stay where they first landed, and the mode
# weights are set by the starting point rather than by $\pi$.
#
# ### Annealing along a path of distributions
#
# Annealed Langevin moves particles along a path $(\mu_t)_{t\in[0,1]}$ from an easy $\mu_0$ to
# $\mu_1 = \pi$, taking Langevin steps on $\mu_{t_k}$ at step $k$
# {cite}`song2019generative`. Two paths are classical. The **geometric path** between a proposal $\nu$
# (here $\mathcal N(0, I)$) and the target,
#
# ```{math}
# :label: eq-geometric
# \mu_\beta \propto \nu^{1-\beta}\,\pi^{\beta}, \qquad
# \nabla \log \mu_\beta(x) = (1-\beta)\nabla\log\nu(x) + \beta\, s(x),
# ```
#
# has an explicit score, but its intermediate distributions can put almost no mass on distant
# modes {cite}`chehab2025provable` (Exercise 3 below computes how little). The
# **convolution path** of diffusion models, $X_t = \sqrt{\lambda_t}\,X + \sqrt{1-\lambda_t}\,Z$ with
# $X\sim\pi$ and $Z\sim\nu$ independent, smooths the target, but its score is a conditional
# expectation over $X$ that must be estimated by Monte Carlo for a general $\pi$; the paper's
# starting point is that this estimation is expensive or noisy.
#
# ### The dilation path
#
# Take the proposal to be a point mass at the origin, $\nu = \delta_0$. The convolution path becomes
# a pure **dilation**, $X_t = \sqrt{\lambda_t}\, X$ with $\lambda_t$ growing from a small $\lambda_0$
# to 1. A change of variables gives its density, and the chain rule its score:
#
# ```{math}
# :label: eq-dilation-density
# \mu_\lambda(x) = \lambda^{-d/2}\, \pi\!\left(\frac{x}{\sqrt\lambda}\right),
# ```
#
# ```{math}
# :label: eq-dilation-score
# \nabla \log \mu_\lambda(x) = \frac{1}{\sqrt\lambda}\; s\!\left(\frac{x}{\sqrt\lambda}\right).
# ```
#
# The score is explicit: the target's score, evaluated at a stretched point and scaled down. No
# Monte Carlo is needed, and a learned score network can be used in place of $s$ unchanged.
# Starting the particles at the origin (the point mass), annealed Langevin along the path is
#
# ```{math}
# :label: eq-dilation-langevin
# x_{k+1} = x_k + \frac{h_k}{\sqrt{\lambda_k}}\, s\!\left(\frac{x_k}{\sqrt{\lambda_k}}\right)
# + \sqrt{2h_k}\,\xi_k, \qquad x_0 = 0,
# ```
#
# with $\lambda_k$ increasing from $\lambda_0$ to 1 over the $K$ steps. The paper uses "adaptive"
# step sizes $h_k$. Its exact rule is not confirmed here, so we study two natural ones below.
#
# ### What the dilation does to a Langevin chain
#
# Write the particles in the target's own coordinates, $y = x/\sqrt{\lambda_k}$. Dividing
# {eq}`eq-dilation-langevin` by $\sqrt{\lambda_k}$ gives
#
# ```{math}
# :label: eq-rescaled
# y_k' = y_k + \frac{h_k}{\lambda_k}\, s(y_k) + \sqrt{\frac{2h_k}{\lambda_k}}\;\xi_k,
# \qquad y_{k+1} = \sqrt{\frac{\lambda_k}{\lambda_{k+1}}}\; y_k' .
# ```
#
# The first equation is one ULA step {eq}`eq-ula` **on the target itself**, with the effective
# step $\eta_k = h_k/\lambda_k$. The second is a shrink toward the origin by a factor below 1,
# because the next distribution on the path is a little wider. Two rules for $h_k$ follow:
#
# - **Step proportional to $\lambda$**, $h_k = h\lambda_k$. This is the natural adaptive rule: if
#   $s$ is $L$-Lipschitz, the score {eq}`eq-dilation-score` is $(L/\lambda)$-Lipschitz, and
#   $h_k \propto \lambda_k$ keeps $h_k L/\lambda_k$ fixed. Then $\eta_k = h$ for all $k$: the
#   scheme **is ULA on $\pi$ from the origin, plus shrinks toward the origin.** It cannot cover
#   modes that ULA from the origin does not.
# - **Fixed step**, $h_k = h$. Then $\eta_k = h/\lambda_k$: ULA on $\pi$ with a step that starts
#   $1/\lambda_0$ times larger and falls to $h$, plus the shrinks.
#
# One more fact limits what the path itself can do. Log-density differences are unchanged by a
# dilation, $\log\mu_\lambda(x) - \log\mu_\lambda(x') = \log\pi(x/\sqrt\lambda) - \log\pi(x'/\sqrt\lambda)$,
# so **every intermediate distribution has exactly the target's barriers**. A Gaussian
# convolution path lowers them (Exercise 4 below explores it); the dilation does not. Nor does
# the dilation buy time: in continuous time, Langevin on $\mu_\lambda$ is Langevin on $\pi$ with
# its clock sped up by $1/\lambda$ (the rescaling above with $h_k \to 0$), a factor of at most
# $1/\lambda_0$, while the time to cross a barrier grows exponentially with its height.
# If the dilation path covers modes, the help must come from the time discretisation.
#
# ### ULA's stability limit, and the edge of stability
#
# Around a Gaussian mode $\mathcal N(m, \sigma^2 I)$ the score is $-(y-m)/\sigma^2$, and one ULA
# step of size $\eta$ is
#
# ```{math}
# :label: eq-ula-gaussian
# y' - m = \left(1 - \frac{\eta}{\sigma^2}\right)(y - m) + \sqrt{2\eta}\,\xi .
# ```
#
# It contracts only if $|1 - \eta/\sigma^2| < 1$, that is $\eta < 2\sigma^2$; above, the chain
# diverges. Below the limit, ULA's stationary spread is wider than $\sigma^2$ and grows without
# bound as $\eta \to 2\sigma^2$ (Exercise 1 below asks by how much). At $\eta = 2\sigma^2$
# exactly, {eq}`eq-ula-gaussian` reflects $y$ through $m$ and adds noise of variance
# $4\sigma^2$ per coordinate: the distance to the mode performs a random walk, with no pull back.
# A fixed-step dilation path started at $\lambda_0 = h/(2\sigma^2)$ begins exactly there, so we
# **conjecture** that its particles spread out like a hot chain and then freeze, as $\eta_k$ falls,
# into whatever basin they reached. The experiment tests this.
#
# ### Measuring a cloud of particles against the target
#
# The seminar notes track four distances; we add the mode weights, the most direct measure on a
# mixture. All are in `utils/distances.py`, which later chapters reuse, with unit tests against
# POT, scipy, autograd and closed forms.
#
# - **Mode weights**: the fraction of particles nearest each mode centre.
# - **MMD** {cite}`gretton2012kernel` with the Gaussian kernel $k(a,b)=e^{-|a-b|^2/2\ell^2}$ compares
#   the particles $x$ with exact samples $y$ of $\pi$:
#   $\mathrm{MMD}^2 = \mathbb E\,k(x,x') + \mathbb E\,k(y,y') - 2\,\mathbb E\,k(x,y)$.
# - **Optimal transport**: the 2-Wasserstein distance, and its entropic (Sinkhorn) version
#   {cite}`cuturi2013sinkhorn`, computed with POT {cite}`flamary2021pot`.
# - **KL** $(\mu\,\|\,\pi)$, estimated by $\frac1n\sum_i \log\hat\mu(x_i) - \log\pi(x_i)$ with a
#   Gaussian kernel density estimate $\hat\mu$ of the particles (scipy's `gaussian_kde`, or a
#   kernel of fixed width, as discussed in the experiment). If all particles sit in one of four
#   equal modes, with the right shape, it is about $\log 4 \approx 1.39$.
# - **Kernel Stein discrepancy** {cite}`liu2016kernelized,gorham2017measuring` needs only the score of
#   $\pi$, not its samples:
#
# ```{math}
# :label: eq-ksd
# \mathrm{KSD}^2 = \mathbb E_{x,x'\sim\mu}\big[u_\pi(x,x')\big],\quad
# u_\pi(a,b) = s(a)^{\top}s(b)\,k(a,b) + s(a)^{\top}\nabla_b k + s(b)^{\top}\nabla_a k
# + \operatorname{tr}\nabla_a\nabla_b k .
# ```
#
# We use the inverse multiquadric kernel $k(a,b) = (1+|a-b|^2/\ell^2)^{-1/2}$ recommended by
# {cite}`gorham2017measuring`. Because the KSD sees $\pi$ only through its score, it cannot see
# how much mass sits in each of several well separated modes {cite}`wenliang2020blindness`; the
# experiment measures how much that matters here.
#
# Chapter 09 introduces Langevin dynamics and its step sizes; this chapter needs only
# {eq}`eq-ula`.

# %%
import math

import matplotlib.pyplot as plt
import numpy as np
import torch
from scipy.special import logsumexp

import utils
from utils.diffusion import GaussianMixture
from utils.distances import kl_kde, ksd, ksd2, median_bandwidth, mmd, mmd2, sinkhorn, wasserstein

info = utils.setup()
seed = info.seed

# %% [markdown]
# ## Implementation from scratch
#
# ### The target: four separated Gaussian modes
#
# The target is an equal-weight mixture of four isotropic Gaussians of standard deviation
# $\sigma = 0.5$ in 2-D. One mode sits next to the origin and three far from it, so a sampler
# started at the origin has a nearest mode to collapse onto. The score of a mixture is the
# responsibility-weighted average of the component scores, and exact samples are easy to draw,
# so every sampler can be judged against the truth.

# %%
SIGMA = 0.5
MEANS = np.array([[1.0, 1.0], [6.0, 0.0], [0.0, -7.0], [-8.0, 3.0]])  # (K, d)
WEIGHTS = np.full(len(MEANS), 1 / len(MEANS))
NEAREST = int(np.argmin(np.linalg.norm(MEANS, axis=1)))  # the mode closest to the origin


def log_target(x):
    """log pi(x) of the mixture, normalised; x (n, d) -> (n,)."""
    sq = ((x[:, None, :] - MEANS[None]) ** 2).sum(-1)  # (n, K)
    log_comp = -sq / (2 * SIGMA**2) - math.log(2 * math.pi * SIGMA**2) + np.log(WEIGHTS)
    return logsumexp(log_comp, axis=1)


def score_target(x):
    """The score grad log pi(x), shape (n, d): responsibilities times component scores."""
    diff = x[:, None, :] - MEANS[None]  # (n, K, d)
    log_comp = -(diff**2).sum(-1) / (2 * SIGMA**2) + np.log(WEIGHTS)  # (n, K)
    resp = np.exp(log_comp - logsumexp(log_comp, axis=1, keepdims=True))
    return -(resp[..., None] * diff).sum(1) / SIGMA**2


def sample_target(n, rng):
    """n exact samples of the mixture, shape (n, d)."""
    comp = rng.choice(len(MEANS), size=n, p=WEIGHTS)
    return MEANS[comp] + SIGMA * rng.standard_normal((n, 2))


def mode_weights(x):
    """Fraction of particles nearest each mode centre, shape (K,)."""
    nearest = ((x[:, None, :] - MEANS[None]) ** 2).sum(-1).argmin(1)
    return np.bincount(nearest, minlength=len(MEANS)) / len(x)


n_particles = utils.pick(500, 1000)
n_steps = utils.pick(1000, 2000)
rng_data = np.random.default_rng(1000 + seed)
exact = sample_target(n_particles, rng_data)  # the reference sample for MMD and OT
exact_again = sample_target(n_particles, rng_data)  # a second exact draw: the noise floor
print(
    f"{n_particles} particles, {n_steps} steps; exact mode weights {mode_weights(exact).round(3)}"
)

# %% [markdown]
# Before trusting any result on this target, look at it: the log-density, a set of exact samples,
# and the origin where the samplers start.

# %%
grid = np.linspace(-11, 9, 201)
grid_x, grid_y = np.meshgrid(grid, grid)
grid_log_pi = log_target(np.stack([grid_x.ravel(), grid_y.ravel()], 1)).reshape(grid_x.shape)


def draw_target(ax, alpha=1.0):
    """Contours of log pi at 2, 4 and 6 nats below each mode's peak."""
    levels = grid_log_pi.max() - np.array([6.0, 4.0, 2.0])
    ax.contour(
        grid_x, grid_y, grid_log_pi, levels=levels, colors="0.6", linewidths=0.7, alpha=alpha
    )
    ax.set_xlim(-11, 9)
    ax.set_ylim(-10, 6)
    ax.set_aspect("equal")


fig, ax = plt.subplots(figsize=(4.8, 4.0))
draw_target(ax)
ax.scatter(*exact.T, s=3, color="C0", label="exact samples")
ax.scatter(0, 0, marker="x", s=60, color="k", label="origin (start)")
for k, m in enumerate(MEANS):
    ax.annotate(f"mode {k}", m + [0.6, 0.6], fontsize=8)
ax.set_xlabel("$x_1$")
ax.set_ylabel("$x_2$")
ax.set_title("Target: four modes, σ = 0.5, equal weights")
ax.legend(loc="lower right")
plt.show()
gaps = [np.linalg.norm(MEANS[i] - MEANS[j]) for i in range(4) for j in range(i + 1, 4)]
segment = MEANS[0] + np.linspace(0, 1, 501)[:, None] * (MEANS[1] - MEANS[0])  # mode 0 to mode 1
barrier = log_target(MEANS[:1])[0] - log_target(segment).min()
print(f"distances between mode centres: {min(gaps):.1f} to {max(gaps):.1f}")
print(
    f"drop of log pi along the segment from mode 0 to mode 1 (the closest pair): {barrier:.1f} nats"
)

# %% [markdown]
# The four modes are tight ($\sigma = 0.5$) and 5 to 14 units apart. Even between the closest two,
# $\log\pi$ drops by about 12 nats (printed above). The time a Langevin diffusion needs to cross
# such a barrier grows like $e^{12} \approx 1.6\times 10^5$ times a prefactor
# {cite}`bovier2004metastability`, far beyond the total time of every run below (at most a few
# hundred in the target's own coordinates, printed with the samplers). Mode 0 is
# $\sqrt2 \approx 1.4$ from the origin; the others are 6, 7 and 8.5 away.
#
# ### Scores along the two paths
#
# The dilation score is {eq}`eq-dilation-score`, the geometric one {eq}`eq-geometric` with
# $\nu = \mathcal N(0, I)$, whose score is $-x$.


# %%
def dilation_score(x, lam):
    """Score of the dilation path mu_lambda, eq. (4): s(x / sqrt(lam)) / sqrt(lam)."""
    return score_target(x / math.sqrt(lam)) / math.sqrt(lam)


def geometric_score(x, beta):
    """Score of the geometric path nu^(1 - beta) pi^beta with nu = N(0, I), eq. (2)."""
    return beta * score_target(x) - (1 - beta) * x


# %% [markdown]
# ### One loop for every sampler
#
# Every sampler below is the same loop: at step $k$, one score evaluation at the current path
# point, a step of size $h_k$, and Gaussian noise. `annealed_langevin` takes the score of the path
# as a function of $(x, k)$ and the array of step sizes, so ULA is the special case of a constant
# score and constant steps. All runs of a comparison use the same random number stream (common
# random numbers), so their differences come from the methods, not from the noise. The loop
# also stores the particles at a few checkpoints, so that the distances can be tracked over the
# iterations.


# %%
def annealed_langevin(x0, score_at, steps, rng, checkpoints=()):
    """Run x <- x + h_k score_at(x, k) + sqrt(2 h_k) xi for k < len(steps).

    Returns the final particles (n, d) and a dict {k: particles before step k} at the checkpoints
    (k = len(steps) means the end).
    """
    x = np.array(x0, dtype=float)
    saved = {}
    for k, h_k in enumerate(steps):
        if k in checkpoints:
            saved[k] = x.copy()
        noise = rng.standard_normal(x.shape)
        x = x + h_k * score_at(x, k) + math.sqrt(2 * h_k) * noise
    if len(steps) in checkpoints:
        saved[len(steps)] = x.copy()
    return x, saved


def lambda_schedule(lam_0, n):
    """n values of lambda from lam_0 up to 1, evenly spaced in log(lambda)."""
    return np.geomspace(lam_0, 1.0, n)


# %% [markdown]
# The schedule spaces $\lambda$ evenly in $\log\lambda$, since $\lambda$ is a scale: as many steps
# go from $\lambda_0$ to $\sqrt{\lambda_0}$ as from $\sqrt{\lambda_0}$ to 1. With the ULA step
# $h = 0.05 = 0.2\,\sigma^2$, well inside the stability limit $2\sigma^2 = 0.5$, the samplers are:

# %%
STEP = 0.05  # h: the ULA step, and the fixed step of the dilation path
EDGE = 2 * SIGMA**2  # ULA's stability limit for every mode of this target
LAM_0 = STEP / EDGE  # the fixed-step dilation path starts exactly at the edge: eta_0 = 2 sigma^2
lam = lambda_schedule(LAM_0, n_steps)
beta = np.linspace(0.0, 1.0, n_steps)  # the geometric path goes from nu (beta = 0) to pi

origin = np.zeros((n_particles, 2))
gaussian_start = np.random.default_rng(2000 + seed).standard_normal((n_particles, 2))
SAMPLERS = {
    # name: (start, score at (x, k), step sizes)
    "ULA from origin": (origin, lambda x, k: score_target(x), np.full(n_steps, STEP)),
    "ULA from N(0, I)": (gaussian_start, lambda x, k: score_target(x), np.full(n_steps, STEP)),
    "geometric path": (
        gaussian_start,
        lambda x, k: geometric_score(x, beta[k]),
        np.full(n_steps, STEP),
    ),
    "dilation, step ∝ λ": (origin, lambda x, k: dilation_score(x, lam[k]), STEP * lam),
    "dilation, fixed step": (
        origin,
        lambda x, k: dilation_score(x, lam[k]),
        np.full(n_steps, STEP),
    ),
    "ULA, step h/λ (no path)": (origin, lambda x, k: score_target(x), STEP / lam),
}
print(
    f"lambda_0 = h / (2 sigma^2) = {LAM_0:.3f}; "
    f"effective first step h / lambda_0 = {STEP / LAM_0:.3f}"
)
print(
    f"total time in the target's coordinates: constant step {n_steps * STEP:.0f}, "
    f"steps h / lambda_k {np.sum(STEP / lam):.0f}"
)

# %% [markdown]
# The last sampler is the control that the rescaling {eq}`eq-rescaled` suggests: plain ULA on the
# target with the fixed-step dilation path's effective steps $\eta_k = h/\lambda_k$ and no path at
# all. Every sampler makes $K$ score evaluations on $n$ particles, so all cost the same.

# %% [markdown]
# ## Cross-check
#
# ### The closed-form score against autograd
#
# `utils.diffusion.GaussianMixture` (written for chapter 11) computes the log-density of
# $\alpha X + \sigma_{\text{noise}}\,\varepsilon$ for a mixture $X$ with torch's
# `MultivariateNormal`. With $\alpha = \sqrt\lambda$ and no noise that is exactly $\log\mu_\lambda$,
# an implementation independent of ours, and autograd differentiates it. The closed form
# {eq}`eq-dilation-score` must agree to rounding error at every $\lambda$.

# %%
mixture = GaussianMixture(WEIGHTS, MEANS, np.stack([SIGMA**2 * np.eye(2)] * len(MEANS)))
probe = np.random.default_rng(3).uniform(-4, 4, size=(200, 2))  # points between and near modes
score_errors = []
for lam_probe in (0.01, 0.1, 0.5, 1.0):
    x_t = torch.tensor(probe, requires_grad=True)
    log_mu = mixture.log_prob(x_t, alpha=math.sqrt(lam_probe), sigma=0.0)
    (autograd_score,) = torch.autograd.grad(log_mu.sum(), x_t)
    closed_form = dilation_score(probe, lam_probe)
    error = (
        np.abs(closed_form - autograd_score.numpy()).max() / np.abs(autograd_score.numpy()).max()
    )
    score_errors.append(error)
    print(f"lambda = {lam_probe:<5}: max |closed form - autograd| / max |score| = {error:.1e}")
score_error = max(score_errors)
assert score_error < 1e-10

# %% [markdown]
# ### The step-∝-λ scheme is ULA plus shrinks
#
# The rescaling {eq}`eq-rescaled` says that with $h_k = h\lambda_k$ the dilation path started at
# the origin is ULA with step $h$ on $y = x/\sqrt\lambda$, followed at each step by the shrink
# $\sqrt{\lambda_k/\lambda_{k+1}}$. Below, that second algorithm is written out on its own and
# fed the same noise; the two must agree to rounding error.


# %%
def ula_with_shrinks(n, steps_h, lams, rng):
    """ULA on pi with constant step h from y = 0, shrinking y by sqrt(lam_k / lam_{k+1}) each step.

    Returns x = sqrt(lam_K-1) y, to compare with the dilation path's particles.
    """
    y = np.zeros((n, 2))
    for k in range(len(lams)):
        y = y + steps_h * score_target(y) + math.sqrt(2 * steps_h) * rng.standard_normal(y.shape)
        if k + 1 < len(lams):
            y = math.sqrt(lams[k] / lams[k + 1]) * y
    return math.sqrt(lams[-1]) * y


short = 300  # steps: enough to reach the end of the path with a coarse grid
lam_short = lambda_schedule(LAM_0, short)
x_dilation, _ = annealed_langevin(
    np.zeros((200, 2)),
    lambda x, k: dilation_score(x, lam_short[k]),
    STEP * lam_short,
    np.random.default_rng(4),
)
x_shrunk_ula = ula_with_shrinks(200, STEP, lam_short, np.random.default_rng(4))
equivalence_gap = np.abs(x_dilation - x_shrunk_ula).max()
print(
    f"max |dilation (step ∝ λ) - (ULA + shrinks)| over 200 particles, {short} steps: "
    f"{equivalence_gap:.1e}"
)
assert equivalence_gap < 1e-9

# %% [markdown]
# ### The distances against closed forms
#
# `utils/distances.py` is tested against POT, scipy, autograd and closed forms in
# `tests/test_distances.py`. Two of those checks are repeated here on Gaussians, where the
# expectations in the definitions are known. For $x \sim \mathcal N(\mu, I)$ against the target
# $\mathcal N(0, I)$, the score difference is the constant $-\mu$, so with the Gaussian kernel of
# width $\ell$, $\mathrm{KSD}^2 = |\mu|^2\,(\ell^2/(\ell^2+2))^{d/2}$, and
# $\mathrm{MMD}^2 = 2(\ell^2/(\ell^2+2))^{d/2}\,(1 - e^{-|\mu|^2/2(\ell^2+2)})$. The exact OT
# distance of POT's network simplex must lie below the entropic one, and the KL estimate of
# $\mathcal N(0, I)$ against $\mathcal N(\mu, I)$ must be near $|\mu|^2/2$. We take $\mu = (1.6, 0)$
# for KSD and MMD: over independent draws of 2000 points their relative sampling error then has a
# standard deviation of about 4 % and 5 % (measured while writing this check), so the tolerance of
# 15 % is three standard deviations wide and an estimator wrong by a fifth would fail it. The KL
# check uses $\mu = (0.8, 0)$, where the kernel estimate's bias is small.

# %%
rng_check = np.random.default_rng(5)
shift, width = np.array([0.8, 0.0]), 1.5  # the KL and OT checks
big_shift = np.array([1.6, 0.0])  # the KSD and MMD checks: a larger signal than their noise
dim = 2
kernel_mean = (width**2 / (width**2 + 2)) ** (dim / 2)
x_shifted = shift + rng_check.standard_normal((2000, 2))
x_centred = rng_check.standard_normal((2000, 2))
x_far = big_shift + rng_check.standard_normal((2000, 2))
ksd_exact = big_shift @ big_shift * kernel_mean
ksd_measured = ksd2(x_far, lambda z: -z, width, kernel="rbf")
mmd_exact = 2 * kernel_mean * (1 - math.exp(-(big_shift @ big_shift) / (2 * (width**2 + 2))))
mmd_measured = mmd2(x_far, x_centred, width)
w2_exact, w2_entropic = (
    wasserstein(x_centred[:500], x_shifted[:500]),
    sinkhorn(x_centred[:500], x_shifted[:500], 0.1),
)
kl_measured = kl_kde(
    x_centred, log_prob=lambda z: -((z - shift) ** 2).sum(1) / 2 - math.log(2 * math.pi)
)
print(
    f"KSD^2: {ksd_measured:.4f} (closed form {ksd_exact:.4f})   "
    f"MMD^2: {mmd_measured:.4f} (closed form {mmd_exact:.4f})"
)
print(
    f"W2 exact {w2_exact:.3f} <= Sinkhorn {w2_entropic:.3f};   "
    f"KL {kl_measured:.3f} (closed form {shift @ shift / 2:.3f})"
)
distance_check = max(abs(ksd_measured / ksd_exact - 1), abs(mmd_measured / mmd_exact - 1))
assert (
    distance_check < 0.15
    and w2_exact <= w2_entropic
    and abs(kl_measured - shift @ shift / 2) < 0.08
)

# %% [markdown]
# All agree within the tolerances, which are about three standard deviations of their sampling
# error at $n = 2000$.

# %% [markdown]
# ## Experiment
#
# ### Running the samplers at equal cost
#
# Six samplers, each with $K$ score evaluations on the same number of particles and the same
# noise stream. The distances are computed at 16 checkpoints on the first 300 particles (the full
# set at the end):
#
# - MMD with two kernel widths: $\ell = 2\sigma = 1$, between the modes' width and their
#   separation, and the usual default, the median distance between exact samples;
# - the exact 2-Wasserstein distance $W_2$ to the exact samples (POT's network simplex; at a
#   thousand points it is faster here than its entropic approximation, which the cross-check
#   compared with it);
# - KL through an isotropic kernel density estimate of width $\sigma/2$, fixed so that estimates
#   for different clouds compare (scipy's `gaussian_kde` scales its kernel with the spread of the
#   cloud, which makes a cloud spread over four modes look smoother than it is);
# - KSD with the inverse multiquadric kernel of width 1, averaged over all pairs of particles
#   (the V-statistic, always positive, with a small positive bias that is the same for exact
#   samples).
#
# A note on the MMD width. We first planned the median width alone, and fixed the threshold of
# the MMD row of the claim check (halving) with it in mind. The table below shows why we report
# the narrower width as well and use it in that row: the median width is as large as the
# distances between the modes, so that kernel barely sees which mode a particle is in.

# %%
checkpoints = sorted(set(np.linspace(0, n_steps, 16).astype(int)))
MODE_SCALE = 2 * SIGMA  # an MMD kernel width between the modes' width and their separation
bandwidth = median_bandwidth(exact)  # the usual default: the median distance between samples
n_track = 300  # particles used for the distance curves


def distances(x, n_use=None):
    """Mode weights and the four distances of particles x to the target."""
    x = x[:n_use] if n_use else x
    ref = exact[:n_use] if n_use else exact
    return {
        "weights": mode_weights(x),
        "MMD": mmd(x, ref, MODE_SCALE),
        "MMD (median width)": mmd(x, ref, bandwidth),
        "W2": wasserstein(x, ref),
        "KL": kl_kde(x, log_prob=log_target, bandwidth=SIGMA / 2),
        "KSD": ksd(x, score_target, 1.0, kernel="imq", unbiased=False),
    }


runs, curves, final = {}, {}, {}
for name, (start, score_at, steps) in SAMPLERS.items():
    x_end, saved = annealed_langevin(
        start, score_at, steps, np.random.default_rng(seed), checkpoints
    )
    runs[name] = x_end
    curves[name] = {k: distances(saved[k], n_track) for k in checkpoints}
    final[name] = distances(x_end)
final["N(0, I), no sampling"] = distances(gaussian_start)
final["exact (second draw)"] = distances(exact_again)
floor_tracked = distances(exact_again, n_track)  # the noise floor of the curves (300 particles)

# %% [markdown]
# First the particles themselves, at the end of each run, over the target's contours.

# %%
fig, axes = plt.subplots(2, 3, figsize=(6.8, 4.9), sharex=True, sharey=True)
for ax, (name, x_end) in zip(axes.ravel(), runs.items()):
    draw_target(ax, alpha=0.6)
    ax.scatter(*x_end.T, s=2, color="C3")
    weights_text = np.array2string(final[name]["weights"], precision=2, floatmode="fixed")
    ax.set_title(f"{name}\nweights {weights_text}", fontsize=8)
for ax in axes[1]:
    ax.set_xlabel("$x_1$")
for ax in axes[:, 0]:
    ax.set_ylabel("$x_2$")
fig.suptitle(f"Particles after {n_steps} steps (red) over the target's contours", fontsize=10)
fig.tight_layout()
plt.show()

# %% [markdown]
# The three baselines end almost entirely in mode 0, the mode next to the origin, as the notes
# observed: ULA from the origin, ULA from $\mathcal N(0, I)$ and the geometric path. The
# dilation path with a step proportional to $\lambda$ does exactly the same, as the rescaling
# predicts. The fixed-step dilation path puts particles in three modes, but mode 3, the one
# farthest from the origin, stays nearly empty. ULA with the same effective steps and no path
# (bottom right) gives the same picture.
#
# The table lists the mode weights and the four distances at the end, with two reference rows:
# the starting cloud $\mathcal N(0, I)$ (no sampling at all) and a second exact draw (the floor
# that finite samples allow).

# %% tags=["hide-input"]
names = list(final)
print(f"{'':<50s}{'MMD':>7s}{'MMD':>8s}")
print(
    f"{'sampler':<26s}{'mode weights':<24s}{'ℓ = 1':>7s}{'median':>8s}"
    f"{'W2':>7s}{'KL':>6s}{'KSD':>7s}"
)
for name in names:
    r = final[name]
    weights_text = np.array2string(r["weights"], precision=2, floatmode="fixed")
    print(
        f"{name:<26s}{weights_text:<24s}{r['MMD']:7.3f}{r['MMD (median width)']:8.3f}"
        f"{r['W2']:7.2f}{r['KL']:6.2f}{r['KSD']:7.3f}"
    )

# %%
ratio_median = (
    final["dilation, fixed step"]["MMD (median width)"]
    / final["ULA from origin"]["MMD (median width)"]
)
missing = 0.25 - final["dilation, fixed step"]["weights"][3]  # target mass mode 3 lacks
gap = np.linalg.norm(MEANS[3] - MEANS[:3], axis=1).min() - 2 * SIGMA  # from 1 sigma out of mode k
print(f"median width {bandwidth:.1f} (mode centres are {min(gaps):.1f} to {max(gaps):.1f} apart)")
print(f"MMD at the median width: fixed-step dilation / ULA from origin = {ratio_median:.2f}")
print(
    f"rough W2 bound from the empty mode 3: sqrt({missing:.2f} x {gap:.1f}^2) = "
    f"{math.sqrt(missing) * gap:.1f}"
)

# %% [markdown]
# Each distance tells a different part of the story.
#
# - **MMD at $\ell = 1$ and KL** agree with the pictures: they rank the fixed-step dilation path
#   (and its no-path twin) far ahead of the collapsed samplers, whose KL sits near
#   $\log 4 \approx 1.39$, the value for a cloud confined to one of four equal modes.
# - **MMD at the median width** shrinks much less (ratio printed below), and it even ranks the
#   untouched $\mathcal N(0, I)$ cloud ahead of the collapsed samplers: with a kernel as wide as
#   the gaps between modes, a cloud near the origin looks like a blurred version of the mixture.
# - **$W_2$** falls by only about a quarter. Optimal transport must bring a quarter of the mass to
#   the nearly empty mode 3 from another mode, at least about 8 units away, which by itself costs
#   about 4 units of $W_2$ (the rough bound printed below).
# - **KSD** barely tells the samplers apart. The collapsed runs and the fixed-step run sit within a
#   factor of about two of the value for exact samples and close to each other, while the
#   untouched $\mathcal N(0, I)$ cloud, whose particles sit where the score is large, is far above.
#   A cloud that fills one mode with the right shape satisfies the target's Stein identity
#   wherever it lives, and the score carries no information about the mass of modes the cloud
#   never visits {cite}`wenliang2020blindness`. What the KSD does see is the shape inside the
#   modes: ULA at a fixed step samples a slightly too wide cloud (Exercise 1 asks how wide), which
#   is a plausible reason for the gap to exact samples.
#
# How fast do the distances fall? The next figure tracks them over the iterations (first 300
# particles).

# %% tags=["hide-input"]
fig, axes = plt.subplots(2, 2, figsize=(6.8, 5.8), sharex=True)
for ax, metric in zip(axes.ravel(), ["MMD", "W2", "KL", "KSD"]):
    for i, name in enumerate(SAMPLERS):
        values = [curves[name][k][metric] for k in checkpoints]
        style = "--" if name.startswith("ULA, step") else "-"
        ax.plot(checkpoints, values, style, color=f"C{i}", label=name, lw=1.4)
    ax.axhline(floor_tracked[metric], color="k", lw=0.8, ls=":", label="exact samples")
    ax.set_title(metric if metric != "MMD" else "MMD (ℓ = 1)", fontsize=10)
    if metric == "KSD":
        ax.set_yscale("log")
        ax.yaxis.set_minor_formatter(plt.NullFormatter())
        ax.set_yticks([0.2, 0.5, 1, 2, 5], labels=["0.2", "0.5", "1", "2", "5"])
for ax in axes[1]:
    ax.set_xlabel("iteration $k$")
handles, labels = axes[0, 0].get_legend_handles_labels()
fig.legend(handles, labels, loc="lower center", ncol=3, fontsize=8)
fig.suptitle("Distances to the target over the iterations", fontsize=10)
fig.tight_layout(rect=(0, 0.1, 1, 1))
plt.show()

# %% [markdown]
# For the dilation paths the distances stay large until late by construction: the particles
# follow $\mu_{\lambda_k}$, a shrunken copy of the target, and reach the target's scale only as
# $\lambda_k \to 1$. The baselines reach their collapsed state within the first checkpoints and
# stay there. The fixed-step dilation path ends far below them on MMD and KL, and somewhat below
# on $W_2$. Its no-path twin (dashed) ends at the same values but gets there within the first few
# hundred steps, because it lives at the target's scale all along: the two clouds are nearly the
# same up to the factor $\sqrt{\lambda_k}$. So the paper's "distances fall fast" holds for the fixed-step
# dilation path in the sense that it ends lower at the same cost; ULA with the same decreasing
# steps gets there sooner.
#
# ### Where does the coverage come from?
#
# The conjecture of the theory section: while $\eta_k = h/\lambda_k$ is near $2\sigma^2$, the
# rescaled chain is a random walk that spreads the particles over several basins; once $\eta_k$
# has fallen well below the limit, they freeze where they are. The left panel shows the effective
# step against the limit; the right one the root-mean-square distance of the particles (in the
# target's coordinates $y = x/\sqrt{\lambda_k}$) to their nearest mode centre, for the fixed-step
# run and for ULA.


# %%
def rms_to_nearest_mode(y):
    """Root-mean-square distance of particles y (n, d) to their nearest mode centre."""
    return math.sqrt(((y[:, None, :] - MEANS[None]) ** 2).sum(-1).min(1).mean())


x_fixed_end, saved_fixed = annealed_langevin(
    *SAMPLERS["dilation, fixed step"], np.random.default_rng(seed), range(n_steps + 1)
)
fixed_end_weights = mode_weights(x_fixed_end)
_, saved_ula = annealed_langevin(
    *SAMPLERS["ULA from origin"], np.random.default_rng(seed), range(0, n_steps + 1, 10)
)
# Particles before step k follow mu at lambda_(k-1): divide by its square root.
spread_fixed = [
    rms_to_nearest_mode(saved_fixed[k] / math.sqrt(lam[max(k - 1, 0)]))
    for k in range(0, n_steps + 1, 10)
]
spread_ula = [rms_to_nearest_mode(saved_ula[k]) for k in range(0, n_steps + 1, 10)]
k_freeze = int(np.argmax(STEP / lam < 0.5 * EDGE))  # first step with eta_k below half the limit
# Basins in the target's coordinates y = x / sqrt(lambda), where the mode centres are MEANS.
basins_then = mode_weights(saved_fixed[k_freeze] / math.sqrt(lam[k_freeze - 1]))


def basin_labels(y):
    """Index of the nearest mode centre for each particle of y (n, d)."""
    return ((y[:, None, :] - MEANS[None]) ** 2).sum(-1).argmin(1)


changed = np.mean(
    basin_labels(saved_fixed[k_freeze] / math.sqrt(lam[k_freeze - 1])) != basin_labels(x_fixed_end)
)
early = slice(1, k_freeze // 10)  # the recorded points before k_freeze (every 10th step)
print(
    f"mean RMS distance to the nearest mode before step {k_freeze}: "
    f"fixed-step dilation {np.mean(spread_fixed[early]):.2f}, ULA {np.mean(spread_ula[early]):.2f}"
)
print(f"at the end: fixed-step dilation {spread_fixed[-1]:.2f}, ULA {spread_ula[-1]:.2f}")
print(f"eta_k falls below sigma^2 (half the limit) at step {k_freeze} of {n_steps}")
print(
    f"mode weights (target coordinates) then: {basins_then.round(3)}, "
    f"at the end: {fixed_end_weights.round(3)}"
)
print(f"particles whose nearest mode changed after step {k_freeze}: {100 * changed:.1f} %")

# %% tags=["hide-input"]
fig, axes = plt.subplots(1, 2, figsize=(6.8, 2.9))
ax = axes[0]
ax.plot(STEP / lam, color="C4", label="fixed step: $h/\\lambda_k$")
ax.axhline(STEP, color="C0", label="ULA and step ∝ λ: $h$")
ax.axhline(EDGE, color="k", ls=":", label="stability limit $2\\sigma^2$")
ax.set_yscale("log")
ax.set_xlabel("iteration $k$")
ax.set_ylabel("effective step $\\eta_k$")
ax.set_title("Effective ULA step on the target", fontsize=10)
ax.legend(fontsize=7)
ax = axes[1]
iters = range(0, n_steps + 1, 10)
ax.plot(iters, spread_fixed, color="C4", label="dilation, fixed step")
ax.plot(iters, spread_ula, color="C0", label="ULA from origin")
ax.axhline(SIGMA * math.sqrt(2), color="k", ls=":", label="exact: $\\sigma\\sqrt{2}$")
ax.axvline(k_freeze, color="0.5", lw=0.8)
ax.set_xlabel("iteration $k$")
ax.set_ylabel("RMS distance to nearest mode")
ax.set_title("Spread in the target's coordinates", fontsize=10)
ax.legend(fontsize=7)
fig.tight_layout()
plt.show()

# %% [markdown]
# The fixed-step run starts at the stability limit. In the target's coordinates its particles
# stay on average about twice as far from their nearest mode centre as ULA's (printed above) while
# $\eta_k$ is large, instead of settling at the exact value $\sigma\sqrt2 \approx 0.71$: the
# random walk of {eq}`eq-ula-gaussian` at work. The spread falls back to ULA's as $\eta_k$ falls,
# and at the step marked in grey, where $\eta_k$ drops below half the limit, the mode weights
# printed above are already within about 0.01 of the final ones. A few per cent of the particles
# at most (printed above) changed basin after that, in both directions, although the path still
# had most of its steps to go; the large early steps did the work. This supports the conjecture.
#
# ### The baselines with the same steps
#
# The comparison above gives the baselines the small constant step $h$, while the fixed-step
# dilation path runs, in the target's coordinates, with steps $h/\lambda_k$ that start at the
# stability limit, a schedule tuned with the known $\sigma$. A fair comparison gives the
# classical samplers the same schedule. Below, ULA from $\mathcal N(0, I)$ and the geometric path
# run with the steps $h/\lambda_k$ (same cost, same noise).

# %%
SAME_STEPS = {
    "ULA from N(0, I), steps h/λ": (
        gaussian_start,
        lambda x, k: score_target(x),
        STEP / lam,
    ),
    "geometric path, steps h/λ": (
        gaussian_start,
        lambda x, k: geometric_score(x, beta[k]),
        STEP / lam,
    ),
}
for name, (start, score_at, steps) in SAME_STEPS.items():
    x_end, _ = annealed_langevin(start, score_at, steps, np.random.default_rng(seed))
    final[name] = distances(x_end)
for name in ["dilation, fixed step", *SAME_STEPS]:
    r = final[name]
    weights_text = np.array2string(r["weights"], precision=2, floatmode="fixed")
    print(f"{name:<28s} weights {weights_text}   MMD {r['MMD']:.3f}   KL {r['KL']:.2f}")

# %% [markdown]
# ULA from $\mathcal N(0, I)$ with the same steps ends where the fixed-step dilation path ends,
# on mode weights, MMD and KL: against a classical sampler given the same step schedule, the path
# brings nothing here. The geometric path still collapses with those steps. Exercise 3 below shows
# why: its intermediate laws put almost all their mass on mode 0 until $\beta$ is close to 1, so
# its particles are already trapped when the target's other modes gain weight. Against the
# geometric path, then, the dilation path's advantage survives equal steps; against ULA it does not.
#
# ### The step-size window
#
# If the coverage comes from running at the edge of stability, it should depend sharply on
# $\eta_0 = h/\lambda_0$ relative to $2\sigma^2$. Below we vary $\lambda_0$ at fixed $h = 0.05$,
# for both step rules, and record the mode weights, the MMD and the largest $|x|$ reached
# during the run (a sign of divergence). These smaller runs (400 particles) also feed the
# explorer further down.

# %%
lam0_values = [0.05, 0.08, 0.09, 0.1, 0.11, 0.125, 0.15, 0.2, 0.3, 0.5, 1.0]
step_rules = ["fixed step", "step ∝ λ"]
n_window = 400
window = {}
for rule in step_rules:
    for lam_0 in lam0_values:
        lams = lambda_schedule(lam_0, n_steps)
        steps = np.full(n_steps, STEP) if rule == "fixed step" else STEP * lams
        with np.errstate(over="ignore", invalid="ignore"):  # runs far past the limit overflow
            x_end, saved = annealed_langevin(
                np.zeros((n_window, 2)),
                lambda x, k, lams=lams: dilation_score(x, lams[k]),
                steps,
                np.random.default_rng(seed),
                checkpoints=range(0, n_steps, 25),
            )
            largest = max(np.abs(v).max() for v in saved.values())
        diverged = not np.all(np.isfinite(x_end))
        weights = np.full(len(MEANS), np.nan) if diverged else mode_weights(x_end)
        window[(rule, lam_0)] = {
            "x": x_end,
            "diverged": diverged,
            "weights": weights,
            "third": np.sort(weights)[-3],
            "MMD": np.nan if diverged else mmd(x_end, exact[:n_window], MODE_SCALE),
            "largest": np.inf if diverged else largest,
        }
# The same fixed-step run at lambda_0 = h / 2 sigma^2 on a grid linear in lambda, for comparison.
lam_linear = np.linspace(LAM_0, 1.0, n_steps)
x_linear, _ = annealed_langevin(
    np.zeros((n_window, 2)),
    lambda x, k: dilation_score(x, lam_linear[k]),
    np.full(n_steps, STEP),
    np.random.default_rng(seed),
)

# %% tags=["hide-input"]
fig, axes = plt.subplots(1, 2, figsize=(6.8, 2.9))
for i, rule in enumerate(step_rules):
    for ax, key in zip(axes, ["third", "MMD"]):
        values = [window[(rule, v)][key] for v in lam0_values]
        ax.semilogx(lam0_values, values, "o-", color=f"C{i + 3}", label=rule)
diverged = [v for v in lam0_values if window[("fixed step", v)]["diverged"]]
for ax in axes:
    ax.axvline(LAM_0, color="k", ls=":", lw=0.8, label="$\\lambda_0 = h/2\\sigma^2$")
    ax.set_xlabel("$\\lambda_0$ (fixed $h = 0.05$)")
if diverged:
    axes[0].plot(diverged, np.zeros(len(diverged)), "x", color="C3", ms=9, label="diverged")
axes[0].axhline(0.25, color="0.5", lw=0.8, ls="--", label="exact: 0.25")
axes[0].set_ylabel("weight of 3rd-fullest mode")
axes[0].set_title("Mode coverage", fontsize=10)
axes[0].legend(fontsize=7)
axes[1].set_ylabel("MMD (ℓ = 1) to exact samples")
axes[1].set_title("MMD (exact samples: about 0)", fontsize=10)
fig.suptitle("Dilation path: fixed step vs step ∝ λ, over the start of the path", fontsize=10)
fig.tight_layout()
plt.show()
for lam_0 in lam0_values:
    r = window[("fixed step", lam_0)]
    print(
        f"fixed step, lambda_0 = {lam_0:<5}: eta_0 / 2 sigma^2 = {STEP / lam_0 / EDGE:5.2f}, "
        + (
            "diverged (overflow)"
            if r["diverged"]
            else f"weights {np.array2string(r['weights'], precision=2)}, "
            f"largest |x| {r['largest']:.2g}"
        )
    )
print(f"fixed step, lambda_0 = {LAM_0}, linear grid: weights {mode_weights(x_linear).round(2)}")

# %% [markdown]
# With a step proportional to $\lambda$ nothing depends on $\lambda_0$: the effective step is $h$
# throughout, and the particles collapse onto mode 0 at every setting. With a fixed step the
# coverage appears only near $\lambda_0 = h/(2\sigma^2) = 0.1$ (the dotted line), where the first
# effective step $\eta_0 = h/\lambda_0$ sits at the stability limit:
#
# - at half the limit or less ($\lambda_0 \ge 0.2$) the runs collapse like ULA, and already at
#   $\lambda_0 = 0.125$ the third mode is nearly empty;
# - at $\lambda_0 = 0.1$ and $0.09$ ($\eta_0$ at 1.0 and 1.1 times the limit) three modes fill and
#   mode 3 gets a few per cent;
# - further beyond the limit ($\lambda_0 \le 0.08$) the first steps are unstable: the particles
#   are flung out by many orders of magnitude and, with this many steps beyond the limit,
#   overflow (marked "diverged"). With fewer steps (fast mode) the run at 0.08 can come back, but
#   only because this target's score is linear far from its modes, so the blow-up is geometric
#   and reversible; a target with heavier tails would not forgive it.
#
# The useful window is narrow, and to find it one must know the curvature $1/\sigma^2$ of the
# narrowest mode, which is exactly what is unknown for a general target. The grid of $\lambda$
# matters too: a grid linear in $\lambda$ spends fewer steps near the limit than our log-uniform
# one, and its run (last line printed above) covers the modes less evenly.

# %% [markdown]
# ## Claim check
#
# The rows assert what held for seeds 0–4 in fast mode and 0–2 in full mode. Where the
# thresholds come from: a prototype of this experiment (not the paper) asked for three modes with
# at least 10 % each, ULA's collapse above 95 %, and an MMD cut of at least five times. Its MMD
# values look like squared MMDs; this chapter's cut is printed below on both scales, and on the
# MMD itself it is short of five times. The MMD and KL rows' thresholds (halving) were set by this
# chapter; the MMD row uses the kernel width $\ell = 1$ rather than the median width first planned,
# for the reason given with the table above (at the median width the MMD is not halved). The
# thresholds of the "instead" rows, and of the rows comparing with the same-step baselines, were
# set after the prototype or after a first look at two seeds, with a margin. The first row is the
# paper's claim in the only setting where it reproduces: a fixed step whose schedule starts at the
# edge of stability, which needs the known $\sigma$. The "paper" rows compare with the baselines
# at the base step $h$ and, fairly, with the geometric path at the same steps; the "instead" rows
# record that ULA with the same steps does as well, and why.

# %%
baselines = ["ULA from origin", "ULA from N(0, I)", "geometric path"]
fixed, prop = final["dilation, fixed step"], final["dilation, step ∝ λ"]
best_baseline_mmd = min(final[b]["MMD"] for b in baselines)
best_baseline_kl = min(final[b]["KL"] for b in baselines)
cut = best_baseline_mmd / fixed["MMD"]
print(f"MMD cut against the best base-step baseline: {cut:.1f}x on MMD, {cut**2:.0f}x on MMD^2")
twin_gap = np.abs(fixed["weights"] - final["ULA, step h/λ (no path)"]["weights"]).max()
utils.check_claims(
    "10",
    [
        utils.Claim(
            "Dilation, fixed step, lambda_0 = h/2sigma^2 (known sigma): 3rd-fullest mode's weight",
            "n/a (notes: fast mode coverage)",
            np.sort(fixed["weights"])[-3],
            ">=",
            0.10,
            kind="paper",
        ),
        utils.Claim(
            "MMD to exact samples: fixed-step dilation / best baseline at base step h (3 samplers)",
            "n/a (notes: distances fall fast)",
            fixed["MMD"] / best_baseline_mmd,
            "<=",
            0.5,
            kind="paper",
        ),
        utils.Claim(
            "KL(mu || pi) by kernel density: fixed-step dilation / best baseline at base step h",
            "n/a (notes: KL by KDE falls fast)",
            fixed["KL"] / best_baseline_kl,
            "<=",
            0.5,
            kind="paper",
        ),
        utils.Claim(
            "MMD: fixed-step dilation / geometric path with the same steps h/lambda_k",
            "n/a (paper: better than classical alternatives)",
            fixed["MMD"] / final["geometric path, steps h/λ"]["MMD"],
            "<=",
            0.5,
            kind="paper",
        ),
        utils.Claim(
            "ULA started at the origin: weight of the mode nearest the origin",
            "collapses onto the nearest mode (notes)",
            final["ULA from origin"]["weights"][NEAREST],
            ">=",
            0.95,
            kind="paper",
        ),
        utils.Claim(
            "Closed-form dilation score vs autograd of log mu_lambda: max relative error",
            "explicit score (abstract)",
            score_error,
            "<=",
            1e-10,
            kind="code",
        ),
        utils.Claim(
            "Step ∝ lambda dilation vs ULA + shrinks, same noise: max |x difference|",
            "n/a",
            equivalence_gap,
            "<=",
            1e-9,
            kind="code",
        ),
        utils.Claim(
            "Dilation path, step ∝ lambda (the natural adaptive step): weight of the nearest mode",
            "n/a (paper's step rule unconfirmed)",
            prop["weights"][NEAREST],
            ">=",
            0.95,
            kind="instead",
        ),
        utils.Claim(
            "ULA with steps h/lambda_k and no path vs fixed-step dilation: max mode-weight gap",
            "n/a",
            twin_gap,
            "<=",
            0.05,
            kind="instead",
        ),
        utils.Claim(
            "MMD: fixed-step dilation / ULA from N(0, I) with the same steps h/lambda_k",
            "n/a",
            fixed["MMD"] / final["ULA from N(0, I), steps h/λ"]["MMD"],
            ">=",
            0.8,
            kind="instead",
        ),
        utils.Claim(
            "Fixed step at lambda_0 = 0.2 (eta_0 = half the limit): weight of the nearest mode",
            "n/a",
            window[("fixed step", 0.2)]["weights"][NEAREST],
            ">=",
            0.9,
            kind="instead",
        ),
    ],
    headline=(
        "Langevin along the dilation path, whose score is explicit, covers the modes of a "
        "multimodal target better than classical alternatives"
    ),
    verdict="partly reproduced",
)

# %% [markdown]
# The explicit score is right, and the observation of the notes about ULA from the origin holds.
# The paper's comparison reproduces in one setting only: a fixed step whose first effective
# value sits near ULA's stability limit (within about 10 %), which we could place only because we
# know $\sigma$. There the dilation path beats ULA at the base step and the geometric path (at
# either step schedule) by a wide margin on mode weights, MMD and KL, and by less on $W_2$. With
# the step proportional to $\lambda$ it is ULA from the origin, and collapses with it; with a
# fixed step that starts at half the stability limit it collapses too. And where it works, plain
# ULA with the same decreasing steps works as well: the coverage comes from the step schedule,
# not from the path, so against ULA the paper's advantage does not survive a fair step. The
# verdict is therefore "partly reproduced": the explicit score and the win over the geometric path
# hold; the win over Langevin without a path holds only when Langevin is given the smaller step.

# %% [markdown]
# ## Explore
#
# The claim turns on one number: the first effective step $h/\lambda_0$ against the stability
# limit $2\sigma^2$. Move $\lambda_0$ at fixed $h = 0.05$ and switch between the two step rules.
# The left panel shows the particles at the end, the right one their mode weights against the
# exact $0.25$. The runs are the window study's above, so redrawing is instant.


# %%
def plot_window(lambda_0: float = 0.1, step_rule: str = "fixed step") -> plt.Figure:
    """Final particles and mode weights of the dilation path for one lambda_0 and step rule."""
    run = window[(step_rule, lambda_0)]
    fig, axes = plt.subplots(1, 2, figsize=(6.8, 2.7), gridspec_kw={"width_ratios": [1.3, 1]})
    ax = axes[0]
    draw_target(ax, alpha=0.6)
    if run["diverged"]:
        ax.text(
            -1, -2, "diverged:\nthe particles\noverflowed", ha="center", fontsize=10, color="C3"
        )
    else:
        ax.scatter(*run["x"].T, s=3, color="C3")
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    eta_ratio = STEP / lambda_0 / EDGE if step_rule == "fixed step" else STEP / EDGE
    ax.set_title(f"{step_rule}, λ0 = {lambda_0}: η0 / 2σ² = {eta_ratio:.2f}", fontsize=9)
    ax = axes[1]
    ax.bar(range(len(MEANS)), np.nan_to_num(run["weights"]), color="C3")
    ax.axhline(0.25, color="k", ls=":", label="exact")
    ax.set_xticks(range(len(MEANS)))
    ax.set_xlabel("mode")
    ax.set_ylabel("fraction of particles")
    ax.set_ylim(0, 1)
    mmd_text = "diverged" if run["diverged"] else f"MMD {run['MMD']:.3f}"
    ax.set_title(f"Mode weights ({mmd_text})", fontsize=9)
    ax.legend(fontsize=7)
    fig.tight_layout()
    return fig


plot_window()
plt.show()

# %%
explore_lam0 = [0.05, 0.08, 0.09, 0.1, 0.11, 0.125, 0.2, 0.5]  # a subset keeps the page small
utils.explore(plot_window, lambda_0=explore_lam0, step_rule=step_rules)

# %% [markdown]
# Things to try: with the fixed step, move $\lambda_0$ from 0.5 down to 0.1 and watch modes 1 and 2
# fill as $\eta_0$ approaches the limit; below 0.1 the first steps are unstable, and the runs
# overflow. Then switch to "step ∝ λ": every setting collapses onto mode 0.

# %% [markdown]
# ## Exercises
#
# ```{exercise}
# :label: ch10-ex1
#
# Take the 1-D target $\mathcal N(0, \sigma^2)$ and ULA {eq}`eq-ula` with step $0 < h < 2\sigma^2$.
# The chain's stationary law is Gaussian with mean 0. Find its variance as a function of
# $\sigma$ and $h$, and write `ula_stationary_variance(sigma, h)` returning it. How large is it at
# $h = 1.8\,\sigma^2$?
# ```
#
# ```{solution-start} ch10-ex1
# :class: dropdown
# ```


# %% tags=["solution"]
def ula_stationary_variance(sigma, h):
    """Stationary variance of ULA with step h on N(0, sigma^2)."""
    ### BEGIN SOLUTION
    # y' = a y + sqrt(2h) xi with a = 1 - h / sigma^2; stationarity: v = a^2 v + 2h.
    a = 1 - h / sigma**2
    return 2 * h / (1 - a**2)
    ### END SOLUTION


# %% [markdown]
# From {eq}`eq-ula-gaussian` with $m = 0$, $y' = a\,y + \sqrt{2h}\,\xi$ with $a = 1 - h/\sigma^2$.
# A stationary variance $v$ satisfies $v = a^2 v + 2h$, so
# $v = 2h/(1-a^2) = \sigma^2 / (1 - h/(2\sigma^2))$. It exceeds $\sigma^2$ for every $h > 0$ and
# blows up as $h \to 2\sigma^2$: at $h = 1.8\sigma^2$ it is $10\sigma^2$. On the mixture, that
# is the over-dispersion that lets the fixed-step dilation path reach distant modes.
#
# ```{solution-end}
# ```


# %% tags=["check", "remove-input"]
def _simulated_ula_variance(sigma, h, n=20000, steps=400):
    y = np.zeros(n)
    rng = np.random.default_rng(7)
    for _ in range(steps):
        y = y - h * y / sigma**2 + math.sqrt(2 * h) * rng.standard_normal(n)
    return float(y.var())


utils.check_that(
    "ch10-ex1",
    lambda: all(
        abs(float(ula_stationary_variance(s, f * s**2)) / _simulated_ula_variance(s, f * s**2) - 1)
        < 0.05
        for s, f in ((1.0, 0.3), (0.5, 1.2), (2.0, 1.6))
    ),
    "ula_stationary_variance agrees with long ULA simulations within 5 % at three settings",
)
### BEGIN HIDDEN TESTS
utils.check_function(
    "ch10-ex1",
    ula_stationary_variance,
    [
        ((s, h), s**2 / (1 - h / (2 * s**2)))
        for s, h in ((1.0, 0.1), (0.5, 0.3), (2.0, 7.0), (0.3, 0.01))
    ],
    rtol=1e-10,
)
### END HIDDEN TESTS

# %% [markdown]
# ```{exercise}
# :label: ch10-ex2
#
# The dilation path shrinks the target toward the origin, which is why its particles start
# there. Dilate around a point $c$ instead: $X_\lambda = c + \sqrt\lambda\,(X - c)$ with
# $X\sim\pi$. Derive the score of this path and write `centred_dilation_score(x, lam, c)` using
# `score_target` (inputs: `x` of shape `(n, 2)`, a number `lam`, `c` of shape `(2,)`). Then run the
# fixed-step sampler from $c$ = the average of the four mode centres, with $\lambda_0$ at the edge
# of stability, and report its mode weights in `centred_weights`. Does the centre matter?
# ```
#
# ```{solution-start} ch10-ex2
# :class: dropdown
# ```


# %% tags=["solution"]
def centred_dilation_score(x, lam, c):
    """Score of the path c + sqrt(lam) (X - c), X ~ pi, at x (n, d)."""
    ### BEGIN SOLUTION
    # Density: lam^(-d/2) pi(c + (x - c) / sqrt(lam)); chain rule gives the 1/sqrt(lam) factor.
    return score_target(c + (x - c) / math.sqrt(lam)) / math.sqrt(lam)
    ### END SOLUTION


### BEGIN SOLUTION
centre = MEANS.mean(0)
x_centred_run = annealed_langevin(
    np.tile(centre, (n_window, 1)),
    lambda x, k: centred_dilation_score(x, lam[k], centre),
    np.full(n_steps, STEP),
    np.random.default_rng(seed),
)[0]
centred_weights = mode_weights(x_centred_run)
### END SOLUTION
print(f"from the mixture's mean {MEANS.mean(0)}: mode weights {centred_weights.round(3)}")
print(f"from the origin (the experiment above): mode weights {fixed['weights'].round(3)}")

# %% [markdown]
# The change of variables gives $\mu_\lambda(x) = \lambda^{-d/2}\pi(c + (x-c)/\sqrt\lambda)$ and
# the score $\lambda^{-1/2}\,s(c + (x-c)/\sqrt\lambda)$. The rescaling argument carries over
# with $y = c + (x-c)/\sqrt\lambda$: ULA on $\pi$ with step $h/\lambda_k$, shrinking toward $c$.
# From the mixture's mean, $(-0.25, -0.75)$, the weights printed above differ from the origin's by
# at most several hundredths. With 400 particles a weight of about $0.25$ has a sampling error of
# $\sqrt{0.25 \cdot 0.75/400} \approx 0.02$, so the difference of two runs has an error of about
# 0.03 and differences up to about twice that are within noise; mode 3 stays nearly empty from
# either centre. Moving the centre does not fix the coverage: the step schedule decides it.
# (A centre far from every mode would behave differently; nothing in the method tells us where
# to put $c$ for a target we cannot see.)
#
# ```{solution-end}
# ```

# %% tags=["check", "remove-input"]
_x_probe = np.random.default_rng(8).uniform(-6, 6, size=(50, 2))
utils.check_that(
    "ch10-ex2",
    lambda: (
        np.allclose(
            centred_dilation_score(_x_probe, 1.0, np.array([3.0, -2.0])), score_target(_x_probe)
        )
        and np.allclose(
            centred_dilation_score(_x_probe, 0.3, np.zeros(2)), dilation_score(_x_probe, 0.3)
        )
    ),
    "at lambda = 1 the score is the target's for any centre, and at c = 0 it is the dilation score",
)
utils.check_that(
    "ch10-ex2",
    lambda: np.shape(centred_weights) == (4,) and abs(float(np.sum(centred_weights)) - 1) < 1e-9,
    "centred_weights holds four fractions that sum to 1",
)
### BEGIN HIDDEN TESTS
for _lam, _c in (
    (0.2, np.array([-0.25, -0.75])),
    (0.05, np.array([2.0, 1.0])),
    (0.7, np.array([-3.0, 4.0])),
):
    utils.check_array(
        "ch10-ex2",
        centred_dilation_score(_x_probe, _lam, _c),
        score_target(_c + (_x_probe - _c) / math.sqrt(_lam)) / math.sqrt(_lam),
        rtol=1e-10,
    )
_reference_run, _ = annealed_langevin(
    np.tile(MEANS.mean(0), (n_window, 1)),
    lambda x, k: (
        score_target(MEANS.mean(0) + (x - MEANS.mean(0)) / math.sqrt(lam[k])) / math.sqrt(lam[k])
    ),
    np.full(n_steps, STEP),
    np.random.default_rng(seed),
)
utils.check_array("ch10-ex2", centred_weights, mode_weights(_reference_run), atol=0.03)
### END HIDDEN TESTS

# %% [markdown]
# ```{exercise}
# :label: ch10-ex3
#
# Why does the geometric path {eq}`eq-geometric` with $\nu = \mathcal N(0, I)$ collapse? Its
# intermediate law $\mu_\beta \propto \nu^{1-\beta}\pi^\beta$ is again close to a mixture of four
# Gaussians when the modes are far apart (near mode $k$, $\pi \approx w_k\,\mathcal N(m_k,\sigma^2 I)$).
# Compute the weight of each of these four components in $\mu_\beta$ and write
# `geometric_mode_weights(beta)` returning them as an array of shape `(4,)` (use `MEANS`,
# `WEIGHTS` and `SIGMA`). Which modes hold the mass at $\beta = 0.5$?
# ```
#
# ```{solution-start} ch10-ex3
# :class: dropdown
# ```


# %% tags=["solution"]
def geometric_mode_weights(beta):
    """Weights of the four components of nu^(1 - beta) pi^beta for well separated modes."""
    ### BEGIN SOLUTION
    # Product of exp(-a|x|^2/2) and exp(-b|x - m|^2/2), a = 1 - beta, b = beta / sigma^2: a Gaussian
    # of precision a + b, times exp(-a b |m|^2 / (2 (a + b))); other factors are equal for all k.
    a, b = 1 - beta, beta / SIGMA**2
    log_w = beta * np.log(WEIGHTS) - a * b * (MEANS**2).sum(1) / (2 * (a + b))
    return np.exp(log_w - logsumexp(log_w))
    ### END SOLUTION


print("beta = 0.5:", geometric_mode_weights(0.5).round(6))
print("beta = 0.9:", geometric_mode_weights(0.9).round(6))

# %% [markdown]
# $\nu^{1-\beta}\,(w_k\mathcal N(m_k,\sigma^2 I))^\beta$ is, up to factors equal for all $k$,
# $w_k^\beta \exp\!\big(-\tfrac a2|x|^2 - \tfrac b2|x-m_k|^2\big)$ with $a = 1-\beta$ and
# $b = \beta/\sigma^2$. Completing the square, its integral is
# $w_k^\beta\,(2\pi/(a+b))^{d/2}\exp\!\big(-\tfrac{ab}{2(a+b)}|m_k|^2\big)$. The weights decay like a
# Gaussian in the distance of the mode from the proposal's centre: at $\beta = 0.5$ the factor is
# $e^{-0.2|m_k|^2}$, and modes 1–3, at $|m_k|^2 = 36, 49, 73$, get almost nothing. By the time
# $\beta$ is large enough to give them their share, the particles are already in mode 0 and
# cannot cross the barrier {cite}`chehab2025provable`.
#
# ```{solution-end}
# ```

# %% tags=["check", "remove-input"]
utils.check_that(
    "ch10-ex3",
    lambda: (
        np.shape(geometric_mode_weights(0.5)) == (4,)
        and all(abs(float(np.sum(geometric_mode_weights(b))) - 1) < 1e-9 for b in (0.2, 0.5, 0.8))
        and np.allclose(geometric_mode_weights(1.0), WEIGHTS)
    ),
    "the weights have shape (4,), sum to 1, and equal the target's weights at beta = 1",
)


### BEGIN HIDDEN TESTS
def _geometric_weights_by_quadrature(beta):
    """Weights of the components of nu^(1-beta) (w_k N_k)^beta by a fine grid sum."""
    g = np.linspace(-14, 12, 801)
    gx, gy = np.meshgrid(g, g)
    pts = np.stack([gx.ravel(), gy.ravel()], 1)
    out = []
    for m, w in zip(MEANS, WEIGHTS):
        log_f = -(1 - beta) * (pts**2).sum(1) / 2 + beta * (
            np.log(w) - ((pts - m) ** 2).sum(1) / (2 * SIGMA**2)
        )
        out.append(logsumexp(log_f))
    out = np.array(out)
    return np.exp(out - logsumexp(out))


utils.check_function(
    "ch10-ex3",
    geometric_mode_weights,
    [((b,), _geometric_weights_by_quadrature(b)) for b in (0.3, 0.6, 0.95)],
    rtol=1e-6,
    atol=1e-12,
)
### END HIDDEN TESTS

# %% [markdown]
# ```{exercise}
# :label: ch10-ex4
#
# (Open-ended.) The dilation path is the point-mass limit of the convolution path
# $X_t = \sqrt{\lambda_t}\,X + \sqrt{1-\lambda_t}\,Z$, $Z \sim \mathcal N(0, I)$, whose
# intermediate laws are smoothed versions of the target. For this mixture its score is known in
# closed form: `mixture.eps(x, alpha, sigma)` from `utils.diffusion` returns
# $-\sigma_{\text{noise}}\nabla\log p$ for $\alpha X + \sigma_{\text{noise}}\varepsilon$ (it takes
# and returns torch tensors). Run annealed Langevin along this path at the same cost (same $K$,
# same particles, $\lambda$ from $\lambda_0$ to 1), with a step proportional to the variance of the
# intermediate law's modes, $h_k = h\,(\lambda_k\sigma^2 + 1 - \lambda_k)/\sigma^2$, started from
# $\mathcal N(0, I)$. Does it cover the modes, with which weights, and for which $\lambda_0$ and
# $h$? Relate your answer to the barrier argument of the theory section, and say what this path
# would cost for a target whose score along the path is not known in closed form.
# ```
#
# ```{solution-start} ch10-ex4
# :class: dropdown
# ```


# %% tags=["solution"]
### BEGIN SOLUTION
def convolution_score(x, lam_k):
    """Score of sqrt(lam) X + sqrt(1 - lam) Z at x (n, 2), from the exact noise predictor."""
    noise = math.sqrt(1 - lam_k)
    if noise == 0:
        return score_target(x)
    eps = mixture.eps(torch.from_numpy(x), alpha=math.sqrt(lam_k), sigma=noise).numpy()
    return -eps / noise


for lam_0 in (1e-3, 1e-2):
    lams = lambda_schedule(lam_0, n_steps)
    steps = STEP * (lams * SIGMA**2 + 1 - lams) / SIGMA**2
    x_conv, _ = annealed_langevin(
        np.random.default_rng(9).standard_normal((n_window, 2)),
        lambda x, k, lams=lams: convolution_score(x, lams[k]),
        steps,
        np.random.default_rng(seed),
    )
    print(
        f"convolution path, lambda_0 = {lam_0}: mode weights {mode_weights(x_conv).round(3)}, "
        f"MMD {mmd(x_conv, exact[:n_window], MODE_SCALE):.3f}"
    )
### END SOLUTION

# %% [markdown]
# A good answer runs a few $(\lambda_0, h)$ settings and finds that the convolution path covers all
# four modes, with weights much closer to $0.25$ than the fixed-step dilation path, and without
# any tuning to a stability limit: at small $\lambda$ the law is nearly $\mathcal N(0, I)$ with
# four shallow bumps, the barriers between them are low, and the particles split between the
# modes before the barriers grow. That is the barrier argument: Gaussian smoothing lowers the
# barriers, a dilation keeps them. The price is the score: here it comes from a closed formula,
# but for a general target it is an expectation over $X$ given $X_t$, which must be estimated by
# importance sampling or an inner MCMC at every step, and the paper's point is that such estimates
# are costly or noisy. A full answer also notes where the step rule matters (a step kept fixed at
# $h$ is slow at small $\lambda$, where the law is wide).
#
# ```{solution-end}
# ```

# %% [markdown]
# ## Takeaways and limits
#
# - The dilation path $\sqrt{\lambda}X$ has the explicit score $\lambda^{-1/2}s(x/\sqrt\lambda)$
#   (checked against autograd to rounding error): any score function, exact or learned, gives a
#   whole annealing path for free.
# - Rescaled to the target's coordinates, annealed Langevin along it is ULA on the target with
#   the effective step $h_k/\lambda_k$, plus shrinks toward the origin. With a step proportional
#   to $\lambda$ it is ULA from the origin (asserted to rounding error) and collapses onto the
#   nearest mode, as ULA does; this may be what the notes mean by the adaptive step "shifting
#   the distribution" (a conjecture: we could not read the paper's rule).
# - With a fixed step whose first effective value sits at ULA's stability limit $2\sigma^2$, it
#   covers three of four modes and beats ULA and the geometric path by a wide margin on MMD and
#   KL (by less on $W_2$). ULA with the same decreasing steps and no path does equally well: the
#   coverage is a discretisation effect, and it needs the narrowest mode's curvature to tune.
#   The farthest mode stays almost empty, so the weights are not the target's. The geometric
#   path collapses even with the same decreasing steps.
# - The kernel Stein discrepancy, one of the four distances of the notes, cannot see missing
#   modes: it scores the collapsed samplers about as well as the fixed-step run. The MMD depends
#   on its kernel width: at the usual median width it barely sees the modes. Judge mode coverage
#   with mode weights, MMD at a width below the modes' separation, OT or KL.
# - What this laptop study cannot show: targets beyond a 2-D mixture with equal mode widths, such
#   as the paper's MNIST example, where (according to the notes) the score is a fitted network.
#   There the curvature differs from mode to mode, and we expect (a conjecture) that no single
#   step sits at the edge of stability for all of them. Nor could we confirm the paper's own step
#   rule. Where the paper goes further: it places the dilation path among the convolution paths,
#   whose scores would otherwise need Monte Carlo estimates.
#
# Related work: annealed Langevin with noise-conditional scores {cite}`song2019generative` made these
# paths popular in generative modelling; the geometric path's limitations are analysed by the same
# authors {cite}`chehab2025provable`. From the seminar's reading list, Denoising MCMC
# {cite}`kim2022dmcmc` runs MCMC on data and noise level jointly before solving a diffusion ODE,
# another way to let an MCMC chain travel where barriers are low. Chapter 09 studies adaptive
# step sizes for Langevin dynamics; the distances of `utils/distances.py` are shared with
# chapters 11–13.

# %% [markdown]
# ## References and further reading
#
# ```{bibliography}
# :filter: docname in docnames
# ```
