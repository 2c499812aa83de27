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
# # 11 · DPM-Solver
#
# **Paper.** Cheng Lu, Yuhao Zhou, Fan Bao, Jianfei Chen, Chongxuan Li, Jun Zhu.
# *DPM-Solver: A Fast ODE Solver for Diffusion Probabilistic Model Sampling in Around 10 Steps.*
# NeurIPS 2022. [arXiv:2206.00927](https://arxiv.org/abs/2206.00927) {cite}`lu2022dpmsolver`.
#
# **Summary.** Sampling a diffusion model means solving its probability-flow ODE; written in the
# log signal-to-noise ratio $\lambda$, the ODE's linear part integrates exactly, and only an
# exponentially weighted integral of the noise predictor is left to approximate. Taylor-expanding
# that integral gives solvers of order 1 (which is DDIM), 2 and 3, which the paper reports to sample
# well in 10 to 20 network evaluations and to beat Runge–Kutta methods of the same order.
#
# **What the seminar notes claim.** The notes single out the exponential-integrator rewrite: any
# probability-flow ODE with a linear drift can be put in an exact "variation of constants" form,
# and the paper's core formula is the truncated Taylor expansion of the noise predictor inside that
# integral, with an error of order $h^{k+1}$ per step.
#
# **How this chapter tests it.** Everything runs on 2-D problems with an exact noise predictor
# (a Gaussian, whose flow map is known, and mixtures of eight Gaussians) and on a small trained
# network. Each DPM-Solver is set beside the classical Runge–Kutta method of the same order, in
# $\lambda$ and in $t$, at an equal number of evaluations: the comparison the paper's Table 1 makes.
# The Runge–Kutta baselines come from `utils.diffusion`; the DPM-Solvers are written out here.
#
# **Run time:** about 25 s in fast mode and about 1 min in full mode on a 2-core CPU
# (measured values are in the {doc}`scoreboard <../book/scoreboard>`).

# %% [markdown]
# ## Learning objectives
#
# After this chapter you can:
#
# 1. derive the exponential-integrator form of the probability-flow ODE, its closed-form weights,
#    and the coefficients of DPM-Solver-2 and -3 (including why $r_2 = 2/3$);
# 2. implement DPM-Solver-1, -2, -3 and the "fast" schedule from scratch, show that DPM-Solver-1 is
#    DDIM, and count network evaluations exactly;
# 3. measure local and global convergence orders against an exact flow map, with fit windows that
#    stay in the asymptotic regime;
# 4. compare an exponential integrator with the Runge–Kutta method of the same order at equal cost,
#    and find the regime where each one wins;
# 5. diagnose a solver's failure by measuring where along the trajectory its error is made.

# %% [markdown]
# ## Background and theory
#
# ### The forward process and the linear VP schedule
#
# A diffusion model corrupts data $x_0$ into $x_t = \alpha_t x_0 + \sigma_t \epsilon$ with
# $\epsilon \sim \mathcal N(0, I)$ and $\alpha_t^2 + \sigma_t^2 = 1$ (variance preserving, VP)
# {cite}`ho2020ddpm,song2021sde`. The paper's continuous-time models use the linear schedule
# $\beta(t) = \beta_0 + (\beta_1-\beta_0)t$ on $t \in [0, 1]$ with $\beta_0 = 0.1$, $\beta_1 = 20$,
# for which
#
# ```{math}
# :label: eq-vp-schedule
# \begin{aligned}
# \log\alpha_t &= -\frac{(\beta_1-\beta_0)\,t^2}{4} - \frac{\beta_0\, t}{2},
# \qquad \sigma_t = \sqrt{1-\alpha_t^2},\\
# \lambda_t &= \log\frac{\alpha_t}{\sigma_t}.
# \end{aligned}
# ```
#
# $\lambda_t$ is half the log signal-to-noise ratio. It decreases strictly in $t$, so it can
# serve as the time variable, and its inverse is explicit:
#
# ```{math}
# :label: eq-t-of-lambda
# t(\lambda) = \frac{2L}{\sqrt{\beta_0^2 + 2(\beta_1-\beta_0)L} + \beta_0},
# \qquad L = \log\left(e^{-2\lambda} + 1\right).
# ```
#
# A network $\epsilon_\theta(x, t)$ is trained to predict the noise $\epsilon$ from $x_t$. For a
# perfect model, $\epsilon_\theta(x, t) = -\sigma_t \nabla_x \log p_t(x)$, which we write
# $\epsilon^*$.
#
# ### The probability-flow ODE in $\lambda$
#
# Song et al. {cite}`song2021sde` showed that the ODE
# $\mathrm{d}x/\mathrm{d}t = f(t)\,x + \frac{g^2(t)}{2\sigma_t}\epsilon_\theta(x,t)$, with
# $f = \mathrm{d}\log\alpha_t/\mathrm{d}t = -\beta(t)/2$ and
# $g^2 = \mathrm{d}\sigma_t^2/\mathrm{d}t - 2f\sigma_t^2 = \beta(t)$, carries samples of $p_1$ to
# samples of $p_0$. Since $\mathrm{d}\lambda/\mathrm{d}t = -\beta(t)/(2\sigma_t^2)$, the same ODE
# in the variable $\lambda$ reads
#
# ```{math}
# :label: eq-ode-lambda
# \frac{\mathrm{d}x}{\mathrm{d}\lambda} = \sigma_\lambda^2\, x
# - \sigma_\lambda\, \hat\epsilon_\theta(x, \lambda),
# ```
#
# where the hat means "as a function of $\lambda$". Its linear part is $\sigma_\lambda^2 x$, and
# $\mathrm{d}\log\alpha/\mathrm{d}\lambda = \sigma^2$ in the VP case, so $y = x/\alpha$ satisfies
# $\mathrm{d}y/\mathrm{d}\lambda = -(\sigma/\alpha)\,\hat\epsilon_\theta
# = -e^{-\lambda}\hat\epsilon_\theta$, with no linear term left. Integrating from $\lambda_s$ to
# $\lambda_t$ gives the **exact** solution (the paper's Proposition 3.1, a variation-of-constants
# formula {cite}`hochbruck2010exponential`):
#
# ```{math}
# :label: eq-exact-solution
# x_t = \frac{\alpha_t}{\alpha_s} x_s - \alpha_t \int_{\lambda_s}^{\lambda_t} e^{-\lambda}\,
# \hat\epsilon_\theta(\hat x_\lambda, \lambda)\, \mathrm{d}\lambda .
# ```
#
# The linear part is now exact; only the integral of the network needs approximating.
#
# ### Taylor expansion and closed-form weights
#
# Write $h = \lambda_t - \lambda_s$ and expand the network along the solution in powers of
# $\lambda - \lambda_s$, with $\hat\epsilon^{(n)}_\theta$ the $n$-th total derivative in $\lambda$.
# Substituting into {eq}`eq-exact-solution` gives the formula the seminar notes highlight:
#
# ```{math}
# :label: eq-taylor
# \begin{aligned}
# x_t = \frac{\alpha_t}{\alpha_s} x_s
# &- \alpha_t \sum_{n=0}^{k-1} \hat\epsilon_\theta^{(n)}(\hat x_{\lambda_s},\lambda_s)
# \int_{\lambda_s}^{\lambda_t} e^{-\lambda}\, \frac{(\lambda-\lambda_s)^n}{n!}\,\mathrm{d}\lambda\\
# &+ O(h^{k+1}).
# \end{aligned}
# ```
#
# The integrals are elementary. With $\alpha_t e^{-\lambda_t} = \sigma_t$ and
# $\varphi_1(h) = (e^h - 1)/h$, $\varphi_{n+1}(h) = (\varphi_n(h) - 1/n!)/h$, the $n$-th weight is
# $\sigma_t h^{n+1}\varphi_{n+1}(h)$; the first two are
#
# ```{math}
# :label: eq-dpm-weights
# \begin{aligned}
# \alpha_t\int_{\lambda_s}^{\lambda_t} e^{-\lambda}\,\mathrm{d}\lambda &= \sigma_t\,(e^{h}-1),\\
# \alpha_t\int_{\lambda_s}^{\lambda_t} e^{-\lambda}(\lambda-\lambda_s)\,\mathrm{d}\lambda
# &= \sigma_t\,(e^{h}-1-h).
# \end{aligned}
# ```
#
# As $h \to 0$, $\varphi_1 \to 1$, $\varphi_2 \to 1/2$ and $\varphi_3 \to 1/6$.
#
# ### DPM-Solver-1 is DDIM
#
# Keeping only $n = 0$ gives **DPM-Solver-1**:
#
# ```{math}
# :label: eq-dpm1
# \tilde x_t = \frac{\alpha_t}{\alpha_s}\tilde x_s
# - \sigma_t\,(e^{h}-1)\,\epsilon_\theta(\tilde x_s, s).
# ```
#
# DDIM {cite}`song2021ddim` predicts $x_0$ from $x_s$ and re-noises it with the same $\epsilon$:
# $\tilde x_t = \alpha_t(\tilde x_s - \sigma_s\epsilon)/\alpha_s + \sigma_t\epsilon$. Since
# $\alpha_t\sigma_s/\alpha_s = \sigma_t e^{h}$, this is exactly {eq}`eq-dpm1`: **DDIM is
# DPM-Solver-1**, a first-order exponential integrator. It is exact whenever $\epsilon_\theta$ is
# constant along the solution, and only then.
#
# ### DPM-Solver-2, and why its weight is $\sigma_t(e^h-1)/(2r_1)$
#
# The derivative $\hat\epsilon^{(1)}_\theta$ is not available, so higher orders replace it by a
# difference of evaluations, as Runge–Kutta methods do. Take one DPM-Solver-1 step to the
# intermediate time $s_1 = t(\lambda_s + r_1 h)$, giving $u_1$, and set
# $D_1 = \epsilon_\theta(u_1, s_1) - \epsilon_s$ with $\epsilon_s = \epsilon_\theta(\tilde x_s, s)$.
# Then $\hat\epsilon^{(1)}_\theta \approx D_1/(r_1 h)$, and the $n = 1$ term of {eq}`eq-taylor`
# becomes $\sigma_t (e^h - 1 - h)\,D_1/(r_1 h)$. The paper's DPM-Solver-2 uses the weight
# $\sigma_t(e^h - 1)/(2 r_1)$ instead:
#
# ```{math}
# :label: eq-dpm2
# \begin{aligned}
# u_1 &= \frac{\alpha_{s_1}}{\alpha_s}\tilde x_s - \sigma_{s_1}(e^{r_1 h}-1)\,\epsilon_s,\\
# \tilde x_t &= \frac{\alpha_t}{\alpha_s}\tilde x_s - \sigma_t(e^{h}-1)\,\epsilon_s
# - \frac{\sigma_t}{2r_1}(e^{h}-1)\,D_1 .
# \end{aligned}
# ```
#
# Both weights give a second-order method. They differ by $\sigma_t/r_1$ times
# $\tfrac{1}{2}(e^h-1) - (e^h-1-h)/h = h^2/12 + O(h^3)$, and $D_1 = O(h)$, so the two updates differ
# by $O(h^3)$, the size of a second-order method's local error. The reference code offers both
# (`solver_type="dpmsolver"` and `"taylor"`; `diffusers` calls them `"midpoint"` and `"heun"`).
#
# The paper's choice has a consequence that matters later. With the default $r_1 = 1/2$ the factor
# $1/(2r_1)$ is 1, the two $\epsilon_s$ terms cancel, and DPM-Solver-2 collapses to an
# **exponential midpoint rule**:
#
# ```{math}
# :label: eq-dpm2-midpoint
# \tilde x_t = \frac{\alpha_t}{\alpha_s}\tilde x_s - \sigma_t(e^{h}-1)\,\epsilon_\theta(u_1, s_1).
# ```
#
# No finite difference survives: the step holds $\epsilon_\theta$ constant over the whole step at
# its value at the midpoint $u_1$, as DDIM holds it at its value at the start.
#
# ### DPM-Solver-3, and why $r_1 = 1/3$, $r_2 = 2/3$
#
# With the $\varphi$-functions, {eq}`eq-taylor` for $k = 3$ reads
# $x_t = \frac{\alpha_t}{\alpha_s}x_s - \sigma_t\big[h\varphi_1\hat\epsilon +
# h^2\varphi_2\hat\epsilon^{(1)} + h^3\varphi_3\hat\epsilon^{(2)}\big] + O(h^4)$.
# **DPM-Solver-3** evaluates at two intermediate times $s_i = t(\lambda_s + r_i h)$:
#
# ```{math}
# :label: eq-dpm3
# \begin{aligned}
# u_1 &= \frac{\alpha_{s_1}}{\alpha_s}\tilde x_s - \sigma_{s_1}(e^{r_1h}-1)\,\epsilon_s,\\
# D_1 &= \epsilon_\theta(u_1, s_1) - \epsilon_s,\\
# u_2 &= \frac{\alpha_{s_2}}{\alpha_s}\tilde x_s - \sigma_{s_2}(e^{r_2h}-1)\,\epsilon_s\\
# &\qquad - \frac{\sigma_{s_2} r_2}{r_1}\left(\frac{e^{r_2h}-1}{r_2h}-1\right) D_1,\\
# D_2 &= \epsilon_\theta(u_2, s_2) - \epsilon_s,\\
# \tilde x_t &= \frac{\alpha_t}{\alpha_s}\tilde x_s - \sigma_t(e^{h}-1)\,\epsilon_s\\
# &\qquad - \frac{\sigma_t}{r_2}\left(\frac{e^{h}-1}{h}-1\right) D_2 .
# \end{aligned}
# ```
#
# The last line has no $n = 2$ term and uses $D_2$ alone, with weight
# $\sigma_t h\varphi_2(h)/r_2$. Expanding,
# $D_2 = r_2 h\,\hat\epsilon^{(1)} + \tfrac{1}{2}(r_2 h)^2\hat\epsilon^{(2)} + O(h^3)$, so that term
# equals $\sigma_t\big[h^2\varphi_2\hat\epsilon^{(1)} +
# \tfrac{r_2}{2}h^3\varphi_2\hat\epsilon^{(2)}\big] + O(h^4)$. It matches the expansion to
# $O(h^4)$ if $\tfrac{r_2}{2}\varphi_2(0) = \varphi_3(0)$, that is $r_2/4 = 1/6$.
# **So $r_2 = 2/3$ is the value at which one difference carries both the first- and the
# second-derivative term.** For that, $u_2$ must be accurate to $O(h^3)$: it is a second-order
# step to $s_2$ with the Taylor weight, built from $D_1$. Any $r_1 \ne 0$ would serve
# there; the paper takes $r_1 = 1/3$. When the exponential weights are replaced by their $h \to 0$
# limits, DPM-Solver-3 becomes Heun's third-order Runge–Kutta method (nodes $0, 1/3, 2/3$, weights
# $1/4, 0, 3/4$) {cite}`butcher2016numerical`, just as DPM-Solver-2 with $r_1 = 1/2$ becomes the
# explicit midpoint rule.
#
# A step of DPM-Solver-$k$ costs $k$ evaluations and has local error $O(h^{k+1})$, so with $N$
# evaluations in all the global error should fall like $N^{-k}$ (the paper's Theorem 3.2).
#
# ### The baseline: Runge–Kutta of the same order
#
# The paper's Table 1 compares DPM-Solver with explicit Runge–Kutta (RK) methods of the same order.
# An RK method applies a tableau (nodes $c_i$, coefficients $a_{ij}$, weights $b_i$) to the whole
# right-hand side
# $F(x, \lambda) = \sigma_\lambda^2 x - \sigma_\lambda\hat\epsilon_\theta(x, \lambda)$
# of {eq}`eq-ode-lambda`:
#
# ```{math}
# :label: eq-rk
# \begin{aligned}
# k_i &= F\Big(x_s + h\sum_{j<i} a_{ij}k_j,\ \lambda_s + c_i h\Big),\\
# x_t &= x_s + h\sum_i b_i k_i .
# \end{aligned}
# ```
#
# We use the tableaux whose nodes are DPM-Solver's: Euler, the explicit midpoint rule, and Heun's
# third-order method (`utils.diffusion.RK_TABLEAUS`). An order-$k$ RK step and a DPM-Solver-$k$ step
# then call the network $k$ times at the same times; the only difference is whether the linear part
# and the weight $e^{-\lambda}$ are integrated exactly. We also run the same tableaux on the ODE in
# $t$.
#
# The two families are exact in opposite situations. An RK method in $\lambda$ is exact when the
# drift $F$ vanishes along the solution (data distributed as $\mathcal N(0, I)$, for instance). An
# exponential integrator in the noise form is exact when $\hat\epsilon_\theta$ is constant along the
# solution: for data concentrated at a point $m$, $\epsilon^*(x, t) = (x - \alpha_t m)/\sigma_t$ and
# the flow $x_\lambda = \alpha_\lambda m + \sigma_\lambda \epsilon_T$ keeps it constant, so one DDIM
# step is exact. In between, for one Gaussian component of width $w$, the flow keeps the
# standardised coordinate $z = (x - \alpha m)/(\alpha^2 w^2 + \sigma^2)^{1/2}$ fixed and
#
# ```{math}
# :label: eq-eps-profile
# \epsilon^*(x_\lambda, \lambda) = \frac{\sigma_\lambda\, z}{\sqrt{\alpha_\lambda^2 w^2
# + \sigma_\lambda^2}} = \frac{z}{\sqrt{1 + w^2 e^{2\lambda}}} .
# ```
#
# While the noise is larger than the data's width ($e^{\lambda} \ll 1/w$), $\epsilon^*$ is constant
# along the solution; once the noise falls below the width it decays like $e^{-\lambda}/w$. The
# narrower the data, the longer the stretch of $\lambda$ on which the exponential integrator's
# assumption holds. The experiments test this prediction.
#
# ### Step sizes and the "fast" schedule
#
# The paper spaces the step ends uniformly in $\lambda$ (logSNR). For a budget of $K$ evaluations,
# **DPM-Solver-fast** takes $M = \lfloor K/3\rfloor + 1$ steps of equal $h$ and spends the budget
# mostly on order-3 steps:
# $K \bmod 3 = 0$: $(M-2)\times$ order 3, then order 2, then order 1;
# $K \bmod 3 = 1$: $(M-1)\times$ order 3, then order 1;
# $K \bmod 3 = 2$: $(M-1)\times$ order 3, then order 2.
# The ODE is solved from $T = 1$ to a small end time $\varepsilon$ (the paper uses $10^{-3}$ below
# 15 evaluations and $10^{-4}$ above, on images); this chapter uses $\varepsilon = 10^{-3}$
# throughout, so that every solver targets the same endpoint.
#
# Prerequisites: diffusion models and the probability-flow ODE (Chapter 10 uses the same
# schedule), and the order of an ODE solver. Chapter 12 (DPM-Solver++) starts where this chapter
# ends: with the multistep idea, which reaches high order at one evaluation per step.

# %%
import copy
import math
import warnings
from dataclasses import dataclass
from functools import partial

import matplotlib.pyplot as plt
import numpy as np
import ot
import torch
from scipy.integrate import quad, solve_ivp
from scipy.optimize import brentq

import utils
from utils.diffusion import GaussianMixture, LinearVPSchedule, rk_lambda_step, rk_time_step

info = utils.setup()
device, seed = info.device, info.seed

# %% [markdown]
# ## Implementation from scratch
#
# ### The schedule
#
# The linear VP schedule {eq}`eq-vp-schedule` and its inverse {eq}`eq-t-of-lambda` live in
# `utils/diffusion.py` because Chapters 10, 12 and 13 reuse them. The numbers the solvers will see:

# %%
vp = LinearVPSchedule(beta_0=0.1, beta_1=20.0)
T_START, T_END = 1.0, 1e-3
LAM_START, LAM_END = vp.lambda_t(T_START), vp.lambda_t(T_END)
print(f"alpha_T = {vp.alpha(T_START):.4f}, sigma_T = {vp.sigma(T_START):.4f}")
print(
    f"lambda runs from {LAM_START:.3f} (t = 1) to {LAM_END:.3f} (t = 1e-3), "
    f"where sigma = {vp.sigma(T_END):.4f}"
)

# %% [markdown]
# ### The solver steps
#
# Each step takes the state `x` (shape `(n, d)`) at time `s`, returns it at time `t < s`, and calls
# the noise predictor `eps_fn(x, t)` exactly `order` times. `sched` is anything with `alpha`,
# `sigma`, `lambda_t` and `t_of_lambda`. The code follows {eq}`eq-dpm1`, {eq}`eq-dpm2` and
# {eq}`eq-dpm3` line by line. DPM-Solver-2 also accepts an explicit intermediate time `s1`; we need
# that to line up with `diffusers`, whose intermediate points sit on its own time grid.


# %%
def ddim_step(x, s, t, eps_fn, sched):
    """DDIM (eta = 0) in its own form: predict x_0, then re-noise it with the same epsilon."""
    eps = eps_fn(x, s)
    x0_pred = (x - sched.sigma(s) * eps) / sched.alpha(s)
    return sched.alpha(t) * x0_pred + sched.sigma(t) * eps


def dpm_solver_1_step(x, s, t, eps_fn, sched):
    """DPM-Solver-1, eq. (7): one evaluation."""
    h = sched.lambda_t(t) - sched.lambda_t(s)
    return sched.alpha(t) / sched.alpha(s) * x - sched.sigma(t) * math.expm1(h) * eps_fn(x, s)


def dpm_solver_2_step(x, s, t, eps_fn, sched, s1=None):
    """DPM-Solver-2, eq. (8): two evaluations; s1 defaults to the logSNR midpoint (r1 = 1/2)."""
    lam_s, lam_t = sched.lambda_t(s), sched.lambda_t(t)
    h = lam_t - lam_s
    if s1 is None:
        s1 = sched.t_of_lambda(lam_s + 0.5 * h)
    r1 = (sched.lambda_t(s1) - lam_s) / h
    eps_s = eps_fn(x, s)
    u1 = sched.alpha(s1) / sched.alpha(s) * x - sched.sigma(s1) * math.expm1(r1 * h) * eps_s
    d1 = eps_fn(u1, s1) - eps_s
    return (
        sched.alpha(t) / sched.alpha(s) * x
        - sched.sigma(t) * math.expm1(h) * eps_s
        - sched.sigma(t) / (2 * r1) * math.expm1(h) * d1
    )


def dpm_solver_3_step(x, s, t, eps_fn, sched, r1=1 / 3, r2=2 / 3):
    """DPM-Solver-3, eq. (10): three evaluations."""
    lam_s, lam_t = sched.lambda_t(s), sched.lambda_t(t)
    h = lam_t - lam_s
    s1, s2 = sched.t_of_lambda(lam_s + r1 * h), sched.t_of_lambda(lam_s + r2 * h)
    eps_s = eps_fn(x, s)
    u1 = sched.alpha(s1) / sched.alpha(s) * x - sched.sigma(s1) * math.expm1(r1 * h) * eps_s
    d1 = eps_fn(u1, s1) - eps_s
    u2 = (
        sched.alpha(s2) / sched.alpha(s) * x
        - sched.sigma(s2) * math.expm1(r2 * h) * eps_s
        - sched.sigma(s2) * (r2 / r1) * (math.expm1(r2 * h) / (r2 * h) - 1) * d1
    )
    d2 = eps_fn(u2, s2) - eps_s
    return (
        sched.alpha(t) / sched.alpha(s) * x
        - sched.sigma(t) * math.expm1(h) * eps_s
        - sched.sigma(t) / r2 * (math.expm1(h) / h - 1) * d2
    )


# %% [markdown]
# ### The Runge–Kutta baselines
#
# `utils.diffusion.rk_lambda_step(x, s, t, eps_fn, sched, order)` applies the tableau
# {eq}`eq-rk` of the given order to {eq}`eq-ode-lambda`; `rk_time_step` does the same in $t$, on
# $\mathrm{d}x/\mathrm{d}t = -\tfrac{\beta}{2}x + \tfrac{\beta}{2\sigma}\epsilon_\theta$. Both have
# the same signature as the steps above and call `eps_fn` exactly `order` times. Every solver of the
# chapter goes into one table: a label, the number of evaluations per step, and the step.


# %%
@dataclass(frozen=True)
class Solver:
    """A one-step ODE solver: its label, evaluations per step, and step function."""

    label: str
    evals_per_step: int
    step: object


SOLVERS = {
    "ddim": Solver("DDIM (= DPM-Solver-1)", 1, dpm_solver_1_step),
    "dpm2": Solver("DPM-Solver-2", 2, dpm_solver_2_step),
    "dpm3": Solver("DPM-Solver-3", 3, dpm_solver_3_step),
    "euler": Solver("Euler in λ", 1, partial(rk_lambda_step, order=1)),
    "rk2": Solver("RK2 in λ (midpoint)", 2, partial(rk_lambda_step, order=2)),
    "rk3": Solver("RK3 in λ (Heun)", 3, partial(rk_lambda_step, order=3)),
    "euler_t": Solver("Euler in t", 1, partial(rk_time_step, order=1)),
    "rk2_t": Solver("RK2 in t (midpoint)", 2, partial(rk_time_step, order=2)),
    "rk3_t": Solver("RK3 in t (Heun)", 3, partial(rk_time_step, order=3)),
}
DPM_STEPS = {1: dpm_solver_1_step, 2: dpm_solver_2_step, 3: dpm_solver_3_step}
LABELS = {name: solver.label for name, solver in SOLVERS.items()} | {"fast": "DPM-Solver-fast"}
SHORT = {
    "ddim": "DDIM",
    "euler": "Euler λ",
    "dpm2": "DPM-2",
    "rk2": "RK2 λ",
    "dpm3": "DPM-3",
    "rk3": "RK3 λ",
    "rk2_t": "RK2 t",
    "rk3_t": "RK3 t",
    "fast": "DPM-Solver-fast",
}


# %% [markdown]
# ### Time grids, the fast schedule and the sampler
#
# `time_grid` returns the step ends: uniform in $\lambda$ (the paper's default), uniform in $t$, or
# quadratic in $t$ (often used for DDIM). `fast_orders` is the order list of DPM-Solver-fast.
# `solve` runs a solver with **exactly** `nfe` evaluations: it counts the calls, and it refuses a
# budget that is not a multiple of the evaluations per step rather than silently using fewer.


# %%
def time_grid(sched, n_steps, spacing="logSNR", t_start=T_START, t_end=T_END):
    """Return n_steps + 1 decreasing times from t_start to t_end."""
    if spacing == "logSNR":
        lam = np.linspace(sched.lambda_t(t_start), sched.lambda_t(t_end), n_steps + 1)
        ts = sched.t_of_lambda(lam)
    elif spacing == "time":
        ts = np.linspace(t_start, t_end, n_steps + 1)
    elif spacing == "quadratic":
        ts = np.linspace(math.sqrt(t_start), math.sqrt(t_end), n_steps + 1) ** 2
    else:
        raise ValueError(f"spacing must be 'logSNR', 'time' or 'quadratic', got {spacing!r}")
    ts[0], ts[-1] = t_start, t_end  # exact end points
    return ts


def fast_orders(nfe):
    """Orders of DPM-Solver-fast for a budget of nfe evaluations (paper, Section 3.4)."""
    m = nfe // 3 + 1
    if nfe % 3 == 0:
        return [3] * (m - 2) + [2, 1]
    if nfe % 3 == 1:
        return [3] * (m - 1) + [1]
    return [3] * (m - 1) + [2]


def solve(x, eps_fn, sched, solver, nfe, spacing="logSNR", return_path=False):
    """Run a solver (a key of SOLVERS, or 'fast') from T_START to T_END with exactly nfe calls."""
    if solver == "fast":
        steps = [DPM_STEPS[order] for order in fast_orders(nfe)]
    else:
        spec = SOLVERS[solver]
        if nfe % spec.evals_per_step:
            raise ValueError(
                f"{spec.label} uses {spec.evals_per_step} evaluations per step, so nfe = {nfe} is "
                "not possible: pick a multiple, or use 'fast'."
            )
        steps = [spec.step] * (nfe // spec.evals_per_step)
    calls = []

    def counted_eps(y, t):
        calls.append(t)
        return eps_fn(y, t)

    ts = time_grid(sched, len(steps), spacing)
    path = [x]
    for step, s, t in zip(steps, ts[:-1], ts[1:]):
        x = step(x, s, t, counted_eps, sched)
        path.append(x)
    assert len(calls) == nfe, f"{solver} used {len(calls)} evaluations, not {nfe}"
    return (x, torch.stack(path)) if return_path else x


print("DPM-Solver-fast orders:", {k: fast_orders(k) for k in (10, 12, 16, 20)})
assert all(sum(fast_orders(k)) == k for k in range(1, 31))


# %% [markdown]
# ### Exact test problems
#
# A Gaussian data distribution $\mathcal N(m, C)$ has Gaussian marginals
# $\mathcal N(\alpha_t m, S_t)$ with $S_t = \alpha_t^2 C + \sigma_t^2 I$, so both its noise
# predictor and its probability-flow map are known exactly:
# $x_t = \alpha_t m + S_t^{1/2} S_s^{-1/2}(x_s - \alpha_s m)$. Its mean, orientation and widths
# (between 0.15 and 0.6) are drawn from the seed, so each seed tests a different Gaussian. A
# Gaussian mixture still has an exact $\epsilon^*$ (a responsibility-weighted sum of the
# components' predictors) but no closed-form flow map. We use two mixtures of eight Gaussians on a
# circle of radius 2, one with **wide** components (standard deviation 0.4) and one with
# **narrow** ones (0.01, about the noise level $\sigma = 0.0105$ at the end time). All three come
# from `utils.diffusion.GaussianMixture`.

# %%
rng = np.random.default_rng(seed)
angle = rng.uniform(0, np.pi)
rotation = np.array([[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]])
gauss_widths = np.exp(rng.uniform(math.log(0.15), math.log(0.6), size=2))
gaussian = GaussianMixture.gaussian(
    mean=rng.normal(0.0, 1.0, size=2), cov=rotation @ np.diag(gauss_widths**2) @ rotation.T
)


def ring(width, n_modes=8, radius=2.0):
    """Equal-weight mixture of n_modes isotropic Gaussians of std `width` on a circle."""
    angles = 2 * np.pi * np.arange(n_modes) / n_modes
    means = radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    return GaussianMixture(
        np.full(n_modes, 1 / n_modes), means, np.tile(width**2 * np.eye(2), (n_modes, 1, 1))
    )


WIDTHS = {"wide": 0.4, "narrow": 0.01}
rings = {name: ring(width) for name, width in WIDTHS.items()}


def exact_eps(model):
    """Return eps_fn(x, t) for an analytic GaussianMixture under the VP schedule."""
    return lambda x, t: model.eps(x, vp.alpha(t), vp.sigma(t))


eps_gauss = exact_eps(gaussian)
eps_rings = {name: exact_eps(model) for name, model in rings.items()}
gen = torch.Generator().manual_seed(seed)
n_points = utils.pick(200, 500)
x_T = torch.randn(n_points, 2, dtype=torch.float64, generator=gen)  # start of every analytic run
exact_gauss = gaussian.flow_map(
    x_T, vp.alpha(T_START), vp.sigma(T_START), vp.alpha(T_END), vp.sigma(T_END)
)
print(
    f"Gaussian of seed {seed}: widths {np.round(gauss_widths, 3)}, "
    f"mean {np.round(gaussian.means[0].numpy(), 3)}; {n_points} starting points"
)

# %% [markdown]
# Before trusting any number, look at the data: samples of the three distributions.

# %% tags=["hide-input"]
fig, axes = plt.subplots(1, 3, figsize=(6.8, 2.5), sharex=True, sharey=True)
data_gen = torch.Generator().manual_seed(seed + 10)
for ax, (title, model) in zip(
    axes,
    [
        ("Gaussian", gaussian),
        ("wide mixture (w = 0.4)", rings["wide"]),
        ("narrow mixture (w = 0.01)", rings["narrow"]),
    ],
):
    pts = model.sample(1000, generator=data_gen).numpy()
    ax.scatter(pts[:, 0], pts[:, 1], s=2, alpha=0.5)
    ax.set_title(title, fontsize=9)
    ax.set_aspect("equal")
    ax.set_xlabel("$x_1$")
axes[0].set_ylabel("$x_2$")
axes[0].set_xlim(-3, 3)
axes[0].set_ylim(-3, 3)
fig.suptitle("Samples of the three test distributions", fontsize=10)
plt.show()

# %% [markdown]
# The Gaussian is one blob (its widths and orientation change with the seed); both mixtures have
# eight modes on the circle, and in the narrow one each mode is a dot. The reference for the
# mixtures is a tight adaptive solve of {eq}`eq-ode-lambda` with `scipy`'s DOP853.


# %%
def ode_reference(x_start, eps_fn, rtol=1e-10, method="DOP853", lam_eval=None):
    """Integrate eq. (3) with scipy from T_START to T_END; return the end state and evaluations.

    With lam_eval, also return the states at those values of lambda, shape (len(lam_eval), n, d).
    """
    shape = x_start.shape

    def rhs(lam, y):
        t = vp.t_of_lambda(lam)
        sig = vp.sigma(t)
        x = torch.from_numpy(y.reshape(shape))
        return (sig**2 * x - sig * eps_fn(x, t)).double().numpy().ravel()

    sol = solve_ivp(
        rhs,
        (LAM_START, LAM_END),
        x_start.double().numpy().ravel(),
        method=method,
        rtol=rtol,
        atol=rtol,
        t_eval=lam_eval,
    )
    assert sol.success, sol.message
    end = torch.from_numpy(sol.y[:, -1].reshape(shape))
    if lam_eval is None:
        return end, sol.nfev
    return end, sol.nfev, torch.from_numpy(sol.y.T.reshape(len(lam_eval), *shape))


def mean_error(x, ref):
    """Mean Euclidean distance between paired endpoints."""
    return (x - ref).norm(dim=1).mean().item()


# %% [markdown]
# ## Cross-check
#
# Eight independent checks, each asserted.
#
# **1. The closed-form weights {eq}`eq-dpm-weights`** against numerical quadrature, on three steps.

# %%
for s_chk, t_chk in ((0.9, 0.5), (0.6, 0.2), (0.05, 0.001)):
    lam_s, lam_t = vp.lambda_t(s_chk), vp.lambda_t(t_chk)
    h_chk = lam_t - lam_s
    w0_quad = vp.alpha(t_chk) * quad(lambda lam: math.exp(-lam), lam_s, lam_t)[0]
    w1_quad = (
        vp.alpha(t_chk) * quad(lambda lam, a=lam_s: math.exp(-lam) * (lam - a), lam_s, lam_t)[0]
    )
    assert math.isclose(w0_quad, vp.sigma(t_chk) * math.expm1(h_chk), rel_tol=1e-10)
    assert math.isclose(w1_quad, vp.sigma(t_chk) * (math.expm1(h_chk) - h_chk), rel_tol=1e-10)
print("closed-form weights agree with quadrature to 1e-10 on three steps")

# %% [markdown]
# **2. DDIM is DPM-Solver-1.** The two updates are written differently (`ddim_step` never computes
# $\lambda$), yet they agree to rounding error on the wide mixture, step by step.

# %%
x_ddim, x_dpm1 = x_T.clone(), x_T.clone()
grid_10 = time_grid(vp, 10, "quadratic")
for s, t in zip(grid_10[:-1], grid_10[1:]):
    x_ddim = ddim_step(x_ddim, s, t, eps_rings["wide"], vp)
    x_dpm1 = dpm_solver_1_step(x_dpm1, s, t, eps_rings["wide"], vp)
ddim_gap = (x_ddim - x_dpm1).abs().max().item()
print(f"max |DDIM - DPM-Solver-1| after 10 steps: {ddim_gap:.1e}")
assert ddim_gap < 1e-12

# %% [markdown]
# **3. DPM-Solver-2 with $r_1 = 1/2$ is the exponential midpoint rule {eq}`eq-dpm2-midpoint`.**
# We code {eq}`eq-dpm2-midpoint` separately and compare one long step ($h \approx 1.9$) on the
# wide mixture.


# %%
def exponential_midpoint_step(x, s, t, eps_fn, sched):
    """Eq. (9): one DDIM half step to the logSNR midpoint, then eps held at its midpoint value."""
    lam_s, lam_t = sched.lambda_t(s), sched.lambda_t(t)
    s1 = sched.t_of_lambda(0.5 * (lam_s + lam_t))
    u1 = dpm_solver_1_step(x, s, s1, eps_fn, sched)
    return sched.alpha(t) / sched.alpha(s) * x - sched.sigma(t) * math.expm1(
        lam_t - lam_s
    ) * eps_fn(u1, s1)


grid_5 = time_grid(vp, 5)
midpoint_gap = max(
    (
        dpm_solver_2_step(x_T, s, t, eps_rings["wide"], vp)
        - exponential_midpoint_step(x_T, s, t, eps_rings["wide"], vp)
    )
    .abs()
    .max()
    .item()
    for s, t in zip(grid_5[:-1], grid_5[1:])
)
print(
    "max |DPM-Solver-2 - exponential midpoint| over the 5 steps of the 10-evaluation grid: "
    f"{midpoint_gap:.1e}"
)
assert midpoint_gap < 1e-12

# %% [markdown]
# **4. The schedule, its inverse and the logSNR grid** against independent computations:
# $\log\alpha_t = -\tfrac12\int_0^t\beta$ by quadrature, $t(\lambda)$ by root-finding (`brentq`)
# on $\lambda_t$, and the grid's $\lambda$-spacing.

# %%
t_probe = np.array([1e-3, 0.01, 0.1, 0.37, 0.8, 1.0])
log_alpha_quad = np.array([-0.5 * quad(vp.beta, 0.0, t)[0] for t in t_probe])
lam_quad = log_alpha_quad - 0.5 * np.log(-np.expm1(2 * log_alpha_quad))
lam_probe = np.linspace(LAM_START, LAM_END, 9)
t_brentq = np.array(
    [brentq(lambda t, lam=lam: vp.lambda_t(t) - lam, 1e-6, 1.0, xtol=1e-15) for lam in lam_probe]
)
grid_lambdas = vp.lambda_t(time_grid(vp, 12))
schedule_gaps = {
    "lambda_t vs quadrature": np.max(np.abs(vp.lambda_t(t_probe) - lam_quad)),
    "t(lambda) vs brentq": np.max(np.abs(vp.t_of_lambda(lam_probe) - t_brentq) / t_brentq),
    "logSNR grid: spread of h": np.ptp(np.diff(grid_lambdas)),
}
for name, gap in schedule_gaps.items():
    print(f"{name:<28s} {gap:.1e}")
assert max(schedule_gaps.values()) < 1e-9

# %% [markdown]
# **5. The exact Gaussian flow map** against `scipy.integrate.solve_ivp` (DOP853, tolerance
# $10^{-10}$) on the ODE {eq}`eq-ode-lambda`. This validates the reference that the convergence
# study relies on.

# %%
ivp_gauss, nfev_gauss = ode_reference(x_T[:100], eps_gauss)
flow_gap = (ivp_gauss - exact_gauss[:100]).norm(dim=1).max().item()
print(f"Gaussian: max |solve_ivp - exact flow map| = {flow_gap:.1e} ({nfev_gauss} evaluations)")
assert flow_gap < 1e-7

# %% [markdown]
# **6. Local orders.** Start on the exact solution at $\lambda_s$, take **one** step of length
# $h$, and compare with the exact flow map. A method of order $k$ has local error $O(h^{k+1})$.
# The table gives the error for $h = 0.4, 0.2, 0.1, 0.05$ at two starting points, the slopes
# between neighbouring $h$ (pairwise) and the fitted slope.

# %%
local_h = np.array([0.4, 0.2, 0.1, 0.05])
local_slope = {}
for lam_s in (-0.5, 1.0):
    s_local = vp.t_of_lambda(lam_s)
    x_local = gaussian.flow_map(
        x_T, vp.alpha(T_START), vp.sigma(T_START), vp.alpha(s_local), vp.sigma(s_local)
    )
    print(
        f"lambda_s = {lam_s:<17}"
        + "".join(f"h = {h:<6g}" for h in local_h)
        + "pairwise slopes      fit"
    )
    for name in ("ddim", "dpm2", "dpm3", "euler", "rk2", "rk3"):
        errs = []
        for h in local_h:
            t_local = vp.t_of_lambda(lam_s + h)
            exact = gaussian.flow_map(
                x_local, vp.alpha(s_local), vp.sigma(s_local), vp.alpha(t_local), vp.sigma(t_local)
            )
            step_end = SOLVERS[name].step(x_local, s_local, t_local, eps_gauss, vp)
            errs.append((step_end - exact).norm(dim=1).max().item())
        pairwise = np.diff(np.log(errs)) / np.diff(np.log(local_h))
        local_slope[(name, lam_s)] = np.polyfit(np.log(local_h), np.log(errs), 1)[0]
        print(
            f"  {LABELS[name]:<24s}"
            + "".join(f"{e:<10.1e}" for e in errs)
            + "  ".join(f"{p:4.2f}" for p in pairwise)
            + f"   {local_slope[(name, lam_s)]:5.2f}"
        )
dpm3_local_slope = min(local_slope[("dpm3", lam_s)] for lam_s in (-0.5, 1.0))
for (name, lam_s), slope in local_slope.items():
    order = {"ddim": 1, "dpm2": 2, "dpm3": 3, "euler": 1, "rk2": 2, "rk3": 3}[name]
    assert slope >= order + 1 - 0.4, (name, lam_s, slope)

# %% [markdown]
# DPM-Solver-1, -2 and -3 have local orders 2, 3 and 4 (DPM-Solver-3's error is $O(h^4)$), and so
# do the Runge–Kutta methods of the same order. At equal $h$ the Runge–Kutta errors on this
# Gaussian are of the same size or smaller; whether the exponential integrator pays off is a
# question for the experiments.
#
# **7. DPM-Solver-3 converges to the adaptive reference on both mixtures.** For a mixture there is
# no closed form, so `solve_ivp` is the reference; 300 DPM-Solver-3 steps must land on it. (The
# largest gap belongs to the rare sample that starts near the boundary between two modes, where
# the flow is most sensitive; the mean gap is the typical one.)

# %%
refs = {}
for name in rings:
    refs[name], nfev_ref = ode_reference(x_T, eps_rings[name])
    gaps = (solve(x_T, eps_rings[name], vp, "dpm3", 900) - refs[name]).norm(dim=1)
    print(
        f"{name} mixture, DPM-Solver-3 (900 evaluations) vs solve_ivp ({nfev_ref} evaluations): "
        f"mean gap {gaps.mean():.1e}, max gap {gaps.max():.1e}"
    )
    assert gaps.mean() < 1e-6 and gaps.max() < 1e-4

# %% [markdown]
# **8. A peer implementation: `diffusers`.** `DPMSolverSinglestepScheduler` with
# `algorithm_type="dpmsolver"` implements the paper's singlestep solvers for *discrete-time*
# models {cite}`vonplaten2022diffusers`: betas linear from $10^{-4}$ to $0.02$ over 1000 steps,
# integer timesteps `round(linspace(0, 999, N+1))[::-1][:-1]`, and a last step to timestep 0
# (`final_sigmas_type="sigma_min"`; the `"zero"` option is refused for the noise-prediction
# form because $\lambda = \infty$ there). Internally it stores
# $\bar\sigma = \sqrt{(1-\bar\alpha)/\bar\alpha}$ and recovers $\alpha = 1/\sqrt{\bar\sigma^2+1}$,
# $\sigma = \bar\sigma\alpha$. Its order-2 singlestep update (`solver_type="midpoint"`) is
# {eq}`eq-dpm2` with the intermediate point on the next grid time, so $r_1$ is not exactly $1/2$.
# With `lower_order_final=False` and an even number of steps it alternates orders
# `[1, 2, 1, 2, ...]`, which is $N/2$ DPM-Solver-2 steps.
#
# We run both on the exact wide mixture: our steps read $\alpha,\sigma,\lambda$ from a table built
# from the scheduler's own `sigmas`, and the model sees the same table. `diffusers` marks
# `algorithm_type="dpmsolver"` as deprecated with a `FutureWarning` on construction; we silence
# exactly that warning so the stored output stays clean.

# %%
from diffusers import DPMSolverSinglestepScheduler


class TableSchedule:
    """alpha, sigma, lambda looked up at the integer timesteps of a discrete schedule."""

    def __init__(self, timesteps, ve_sigmas):
        ve = np.asarray(ve_sigmas, dtype=np.float64)
        self.table = {
            int(k): (1 / math.sqrt(v**2 + 1), v / math.sqrt(v**2 + 1))
            for k, v in zip(timesteps, ve)
        }

    def alpha(self, k):
        return self.table[int(k)][0]

    def sigma(self, k):
        return self.table[int(k)][1]

    def lambda_t(self, k):
        return math.log(self.alpha(k) / self.sigma(k))


def diffusers_scheduler(order):
    """Return diffusers' singlestep DPM-Solver configured like the paper's discrete-time sampler."""
    with warnings.catch_warnings():
        # diffusers 0.42 deprecates algorithm_type="dpmsolver" (the noise-prediction form this
        # chapter is about); the FutureWarning says nothing about correctness, so only it is
        # silenced.
        warnings.filterwarnings(
            "ignore", message=".*algorithm_type `dpmsolver` is deprecated.*", category=FutureWarning
        )
        return DPMSolverSinglestepScheduler(
            num_train_timesteps=1000,
            beta_start=1e-4,
            beta_end=0.02,
            beta_schedule="linear",
            prediction_type="epsilon",
            algorithm_type="dpmsolver",
            solver_order=order,
            solver_type="midpoint",
            lower_order_final=False,
            final_sigmas_type="sigma_min",
        )


def peer_check(order, n_steps, x_start):
    """Return max |ours - diffusers| after n_steps scheduler steps with the exact mixture model."""
    scheduler = diffusers_scheduler(order)
    scheduler.set_timesteps(n_steps)
    grid = [int(k) for k in scheduler.timesteps] + [0]
    table = TableSchedule(grid, scheduler.sigmas.numpy())
    eps_table = lambda x, k: rings["wide"].eps(x, table.alpha(k), table.sigma(k))
    x = x_start.clone()
    for k in scheduler.timesteps:
        x = scheduler.step(eps_table(x, k), k, x).prev_sample
    ours = x_start.clone()
    for i in range(0, n_steps, order):
        if order == 1:
            ours = dpm_solver_1_step(ours, grid[i], grid[i + 1], eps_table, table)
        else:
            ours = dpm_solver_2_step(ours, grid[i], grid[i + 2], eps_table, table, s1=grid[i + 1])
    return (ours - x).abs().max().item()


peer_rows = [(order, n, peer_check(order, n, x_T[:200])) for order in (1, 2) for n in (10, 20, 50)]
for order, n, gap in peer_rows:
    print(f"DPM-Solver-{order}, {n:2d} scheduler steps: max |ours - diffusers| = {gap:.1e}")
peer_gap = max(gap for *_, gap in peer_rows)
assert peer_gap < 1e-4

# %% [markdown]
# The agreement is at the level of float32 rounding (the scheduler stores its $\bar\sigma$ table in
# float32). We do not compare order 3: the last line of `diffusers`' third-order singlestep update
# (`solver_type="midpoint"`) is that of {eq}`eq-dpm3`, but it builds the second intermediate point
# $u_2$ with the weight of {eq}`eq-dpm2` instead of the Taylor weight in {eq}`eq-dpm3`. Both are
# third order, but they are different methods and should not agree to rounding error. DPM-Solver-3
# is checked instead by its local order (check 6), its global order (below) and its convergence to
# `solve_ivp` (check 7).

# %% [markdown]
# ## Experiment
#
# ### 1. Convergence orders, against the Runge–Kutta methods of the same order
#
# We start the points at $t = 1$, solve to $t = 10^{-3}$ on the logSNR grid with 12 to 192
# evaluations, and measure the largest distance to the exact flow map of the Gaussian. Every budget
# is a multiple of 1, 2 and 3, so every solver uses exactly that many evaluations. On the wide
# mixture the reference is `solve_ivp`, and we measure the mean distance. The slope is fitted on
# 48–192 evaluations, a window fixed before the runs; the table also reports the fits on 24–192
# and the pairwise slope between 96 and 192, so that the effect of the window can be seen.

# %%
nfe_sweep = [12, 24, 48, 96, 192]
WINDOWS = {"24-192": slice(1, 5), "48-192": slice(2, 5), "96-192": slice(3, 5)}


def fitted_slopes(errors):
    """Least-squares log-log slope of error against evaluations on each window of WINDOWS."""
    return {
        w: np.polyfit(np.log(nfe_sweep[sl]), np.log(errors[sl]), 1)[0] for w, sl in WINDOWS.items()
    }


gauss_err = {
    name: np.array(
        [
            (solve(x_T, eps_gauss, vp, name, k) - exact_gauss).norm(dim=1).max().item()
            for k in nfe_sweep
        ]
    )
    for name in ("ddim", "dpm2", "dpm3", "euler", "rk2", "rk3")
}
mix_err = {
    name: np.array(
        [mean_error(solve(x_T, eps_rings["wide"], vp, name, k), refs["wide"]) for k in nfe_sweep]
    )
    for name in ("ddim", "dpm2", "dpm3")
}
gauss_slopes = {name: fitted_slopes(err) for name, err in gauss_err.items()}
mix_slopes = {name: fitted_slopes(err) for name, err in mix_err.items()}
header = "".join(f"{k:>9d}" for k in nfe_sweep) + "   slope on " + "  ".join(WINDOWS)
for title, errors, slopes in (
    ("Gaussian, max error", gauss_err, gauss_slopes),
    ("wide mixture, mean error", mix_err, mix_slopes),
):
    print(f"{title:<24s}" + header)
    for name, err in errors.items():
        print(
            f"{LABELS[name]:<24s}"
            + "".join(f"{e:9.1e}" for e in err)
            + "          "
            + "    ".join(f"{v:6.2f}" for v in slopes[name].values())
        )
    print()
for exp_name, rk_name in (("ddim", "euler"), ("dpm2", "rk2"), ("dpm3", "rk3")):
    ratios = gauss_err[exp_name] / gauss_err[rk_name]
    print(
        f"Gaussian, {SHORT[exp_name]} / {SHORT[rk_name]:<8s}".ljust(24)
        + "".join(f"{r:9.2f}" for r in ratios)
    )
window_spread = {
    (title, name): np.ptp(list(slopes[name].values()))
    for title, slopes in (("Gaussian", gauss_slopes), ("wide mixture", mix_slopes))
    for name in slopes
}
print("\nlargest change of a fitted slope between the three windows:")
for order, names in ((1, ("ddim", "euler")), (2, ("dpm2", "rk2")), (3, ("dpm3", "rk3"))):
    spread = max(v for (_, name), v in window_spread.items() if name in names)
    print(f"  order {order}: {spread:.2f}")

# %% [markdown]
# The figure shows the same numbers on log–log axes; the exponential integrators are solid, the
# Runge–Kutta methods of the same order dashed, in the same colour.

# %% tags=["hide-input"]
ORDER_COLOUR = {"ddim": "C0", "euler": "C0", "dpm2": "C1", "rk2": "C1", "dpm3": "C2", "rk3": "C2"}
fig, axes = plt.subplots(1, 2, figsize=(6.8, 3.2))
for ax, errors, slopes, title in (
    (axes[0], gauss_err, gauss_slopes, "Gaussian (exact flow map)"),
    (axes[1], mix_err, mix_slopes, "wide mixture (solve_ivp reference)"),
):
    for name, err in errors.items():
        style = "--" if name in ("euler", "rk2", "rk3") else "-"
        ax.loglog(
            nfe_sweep,
            err,
            style,
            marker="o",
            ms=3,
            color=ORDER_COLOUR[name],
            label=f"{LABELS[name]} ({slopes[name]['48-192']:.2f})",
        )
    ax.set_xticks(nfe_sweep, labels=[str(k) for k in nfe_sweep])
    ax.xaxis.set_minor_formatter(plt.NullFormatter())
    ax.set_xlabel("network evaluations")
    ax.set_title(title, fontsize=9)
    ax.legend(fontsize=6.5, title="slope on 48-192", title_fontsize=6.5)
axes[0].set_ylabel("error at $t = 10^{-3}$")
fig.suptitle("Convergence: exponential integrators (solid) and Runge–Kutta (dashed)", fontsize=10)
fig.tight_layout()
plt.show()

# %% [markdown]
# DPM-Solver-1, -2 and -3 converge at orders 1, 2 and 3 on both problems, as Theorem 3.2 of the
# paper predicts. For the first- and second-order methods the fitted slope hardly depends on the
# window (the largest change is printed above). For the third-order methods it does: at 24
# evaluations they are not yet in the asymptotic regime, and the 24–192 fit is steeper than the
# order. The 48–192 and 96–192 fits of DPM-Solver-3 stayed within 0.25 of −3 in our runs, and
# its asserted thresholds (−2.6 on the Gaussian, −2.4 on the mixture) leave room for the window
# effect. The Runge–Kutta methods in $\lambda$ converge at the same rates.
#
# The last three rows divide each exponential integrator's error by its twin's. Their size, and
# even which method wins, depends on the seed's Gaussian: with this seed's widths the printed
# ratios say who is ahead, but with wider Gaussians (seed 3, widths 0.21 and 0.46, for instance)
# Euler and RK2 in $\lambda$ are more accurate than DDIM and DPM-Solver-2 at every budget.
# Equal orders, then, but not equal errors: what sets the constant is the subject of the next
# three experiments, and experiment 3 shows that it is the width of the data.

# %% [markdown]
# ### 2. The paper's regime: 10 to 48 evaluations on the two mixtures
#
# Now the budgets of the paper's Table 1 (12, 18, 24, 48) and its headline (10), on both mixtures,
# against the `solve_ivp` reference. The error is the mean distance of a sample to its reference
# endpoint (same starting noise). Every method runs on the paper's logSNR grid; RK2 in $t$ also on a
# grid uniform in $t$, and DDIM and DPM-Solver-fast also on the quadratic grid that DDIM
# implementations favour, so that no method is judged only on a grid that does not suit it. A dash
# marks a budget that is not a multiple of the method's evaluations per step.

# %%
budgets = [10, 12, 18, 24, 48]
regime_runs = [
    (name, "logSNR")
    for name in ("ddim", "euler", "euler_t", "dpm2", "rk2", "rk2_t", "dpm3", "rk3", "rk3_t", "fast")
]
regime_runs += [("rk2_t", "time"), ("ddim", "quadratic"), ("fast", "quadratic")]


def possible(name, nfe):
    """Whether the method can use exactly nfe evaluations."""
    return name == "fast" or nfe % SOLVERS[name].evals_per_step == 0


regime_err = {}
for width in WIDTHS:
    for name, spacing in regime_runs:
        regime_err[(width, name, spacing)] = np.array(
            [
                mean_error(solve(x_T, eps_rings[width], vp, name, k, spacing), refs[width])
                if possible(name, k)
                else np.nan
                for k in budgets
            ]
        )
for width in WIDTHS:
    print(
        f"{width} mixture (w = {WIDTHS[width]}), mean error".ljust(40)
        + "".join(f"{k:>8d}" for k in budgets)
    )
    for name, spacing in regime_runs:
        errs = regime_err[(width, name, spacing)]
        print(
            f"  {LABELS[name] + ', ' + spacing:<38s}"
            + "".join("       —" if np.isnan(e) else f"{e:8.4f}" for e in errs)
        )
    print()
ddim_over_euler = regime_err[("wide", "ddim", "logSNR")] / regime_err[("wide", "euler", "logSNR")]
print(
    "wide mixture, error of DDIM / Euler in λ (logSNR grid):".ljust(40)
    + "".join(f"{r:8.1f}" for r in ddim_over_euler)
)

# %% [markdown]
# The figure puts each exponential integrator (solid) beside its Runge–Kutta twin in $\lambda$
# (dashed), on the logSNR grid.

# %% tags=["hide-input"]
fig, axes = plt.subplots(1, 2, figsize=(6.8, 3.3), sharey=True)
for ax, width in zip(axes, WIDTHS):
    for name in ("ddim", "dpm2", "dpm3", "euler", "rk2", "rk3", "fast"):
        errs = regime_err[(width, name, "logSNR")]
        style = "--" if name in ("euler", "rk2", "rk3") else "-"
        colour = "C3" if name == "fast" else ORDER_COLOUR[name]
        ax.loglog(budgets, errs, style, marker="o", ms=3, color=colour, label=LABELS[name])
    ax.set_xticks(budgets, labels=[str(k) for k in budgets])
    ax.xaxis.set_minor_formatter(plt.NullFormatter())
    ax.set_xlabel("network evaluations")
    ax.set_title(f"{width} mixture (w = {WIDTHS[width]})", fontsize=9)
axes[0].set_ylabel("mean error vs reference")
axes[1].legend(fontsize=6.5)
fig.suptitle(
    "Exponential integrators (solid) vs Runge–Kutta in λ (dashed), logSNR grid", fontsize=10
)
fig.tight_layout()
plt.show()

# %% [markdown]
# Three regimes show up, and they hold for every seed we ran (the claim check asserts one ratio
# from each).
#
# - On the **narrow** mixture the paper's comparison holds: from 12 evaluations on, DPM-Solver-2 is
#   ahead of RK2 in $\lambda$ by a factor of about three. The leads of DDIM over Euler in $\lambda$
#   (from 18 evaluations on) and of DPM-Solver-3 over RK3 are real but modest, too small to assert
#   with a margin across seeds; experiment 3 shows both where they are large.
# - On the **wide** mixture it is reversed at small budgets: Euler in $\lambda$ is more accurate
#   than DDIM at every budget, several times so (the ratio printed under the table), RK2 in
#   $\lambda$ beats DPM-Solver-2 at every budget,
#   and DPM-Solver-3 and RK3 trade places. The exponential integrator does not pay off here.
# - Runge–Kutta **in $t$ on the logSNR grid** does well: RK2 and RK3 in $t$ are as good as or
#   better than DPM-Solver-2 and -3 at 12–24 evaluations on both mixtures (Euler in $t$ is about
#   level with DDIM on the narrow one). On a grid uniform in $t$ (the row "RK2 in t, time") RK2 in
#   $t$ is poor on the narrow mixture. On this toy, then, much of what
#   DPM-Solver gains over a naive Runge–Kutta comes from stepping uniformly in $\lambda$, and the
#   exponential form adds to it only on narrow data, against Runge–Kutta in $\lambda$. We do not
#   know which grid the paper's Runge–Kutta in $t$ used, so we do not compare with its numbers.
#
# At the paper's headline budget of 10 evaluations, DPM-Solver-fast beats DDIM on the wide
# mixture, on either grid, but not on the narrow one, where its four steps of $h \approx 2.4$ send
# some samples to the wrong mode on the logSNR grid and DDIM on the quadratic grid is as good or
# better. DPM-Solver-2 at 10 evaluations is behind DDIM on both mixtures, far behind on the wide
# one. Experiments 3 and 4 explain both findings.

# %% [markdown]
# ### 3. Where the exponential integrator pays off: one Gaussian of width $w$
#
# Equation {eq}`eq-eps-profile` predicts that the noise form is exact in the limit of narrow data
# and that Runge–Kutta in $\lambda$ is exact for $w = 1$ (data $\mathcal N(0, I)$, zero drift). One
# isotropic Gaussian $\mathcal N(0, w^2 I)$ has an exact flow map, and its flow is linear, so the
# relative error of the endpoint is the same for every starting point. We sweep $w$ from $0.003$ to
# $0.56$ at 12 evaluations (logSNR grid) and compare each DPM-Solver-$k$ with RK-$k$ in $\lambda$.
# ($w = 1$ is left out: there Runge–Kutta's error is zero to rounding, as a unit test of
# `utils.diffusion` checks.)

# %%
sweep_widths = np.logspace(-2.5, -0.25, 10)  # 0.003 to 0.56
x_unit = torch.tensor([[1.0, 0.0]], dtype=torch.float64)
width_err = {name: [] for name in ("ddim", "euler", "dpm2", "rk2", "dpm3", "rk3")}
for w in sweep_widths:
    blob = GaussianMixture.gaussian([0.0, 0.0], w**2 * np.eye(2))
    end = blob.flow_map(
        x_unit, vp.alpha(T_START), vp.sigma(T_START), vp.alpha(T_END), vp.sigma(T_END)
    )
    for name in width_err:
        width_err[name].append(
            ((solve(x_unit, exact_eps(blob), vp, name, 12) - end).norm() / end.norm()).item()
        )
width_err = {name: np.array(errs) for name, errs in width_err.items()}
i_001 = int(np.argmin(np.abs(sweep_widths - 0.01)))  # the sweep's width 0.01
print("relative error at 12 evaluations")
print("width w  " + "".join(f"{SHORT[n]:>10s}" for n in width_err))
for i, w in enumerate(sweep_widths):
    print(f"{w:<9.4f}" + "".join(f"{width_err[n][i]:10.1e}" for n in width_err))

# %% [markdown]
# The right panel divides each exponential integrator's error by its Runge–Kutta twin's: below the
# grey line the exponential integrator wins. The dotted vertical line marks the noise level
# $\sigma = 0.0105$ at the end time.

# %% tags=["hide-input"]
fig, axes = plt.subplots(1, 2, figsize=(6.8, 3.6))
for name in width_err:
    style = "--" if name in ("euler", "rk2", "rk3") else "-"
    axes[0].loglog(
        sweep_widths,
        width_err[name],
        style,
        marker="o",
        ms=3,
        color=ORDER_COLOUR[name],
        label=LABELS[name],
    )
for exp_name, rk_name in (("ddim", "euler"), ("dpm2", "rk2"), ("dpm3", "rk3")):
    axes[1].loglog(
        sweep_widths,
        width_err[exp_name] / width_err[rk_name],
        "-",
        marker="o",
        ms=3,
        color=ORDER_COLOUR[exp_name],
        label=f"{SHORT[exp_name]} / {SHORT[rk_name]}",
    )
axes[1].axhline(1.0, color="0.5", lw=1)
for ax in axes:
    ax.axvline(vp.sigma(T_END), color="0.5", lw=0.8, ls=":")
    ax.set_xlabel("width $w$ of the data")
axes[0].set_ylabel("relative error of the endpoint")
axes[1].set_ylabel("error ratio (exponential / RK)")
axes[0].set_title("error at 12 evaluations", fontsize=9)
axes[1].set_title("below 1: the exponential integrator wins", fontsize=9)
fig.legend(*axes[0].get_legend_handles_labels(), loc="lower center", ncol=3, fontsize=7)
axes[1].legend(fontsize=6.5)
fig.suptitle("One Gaussian of width w: where the exponential integrator pays off", fontsize=10)
fig.tight_layout(rect=(0, 0.13, 1, 1))
plt.show()

# %% [markdown]
# The prediction of {eq}`eq-eps-profile` holds. For narrow data every exponential integrator beats
# its Runge–Kutta twin, by orders of magnitude for the narrowest: there $\epsilon^*$ is constant
# along the solution over almost the whole $\lambda$ range, which the noise-form step integrates
# exactly, while $x_\lambda = \alpha_\lambda m + \sigma_\lambda\epsilon$ changes like
# $e^{-\lambda}$ at large $\lambda$, which no polynomial in $\lambda$ follows over a step of
# $h \approx 0.8$–$2.4$. As $w$ approaches 1 the drift vanishes, and Runge–Kutta becomes exact while
# DDIM does not ({ref}`ch11-ex1` works out why). The crossover width depends on the order
# and on the budget: at 12 evaluations DDIM is ahead of Euler up to $w \approx 0.3$, DPM-Solver-2 is
# ahead of RK2 only below $w \approx 0.07$ (RK2's error passes through zero near $w = 0.1$, where it
# changes sign: an accident, not a strength), and DPM-Solver-3 is ahead of RK3 at every width in
# the sweep. The sweep uses one fixed starting point and an isotropic Gaussian, so it is the same
# for every seed.
#
# The wide mixture (components of width 0.4, on a ring whose overall spread is about 1.5) sits on
# the Runge–Kutta side of these crossovers, the narrow one (0.01) far on the exponential side. The
# paper's CIFAR-10 data are images whose pixel values are quantised in steps of $2/255 \approx
# 0.008$, about the noise level $\sigma = 0.0105$ at which the paper stops; our conjecture, which
# this chapter does not test, is that in most directions such data look narrow to the sampler,
# which would put the paper's experiments in the regime where the exponential integrator wins.

# %% [markdown]
# ### 4. The 10-evaluation result: where along the trajectory the error is made
#
# To see where a solver goes wrong, we put it on the exact trajectory: the reference solution at
# the step ends of the 10-step logSNR grid (`solve_ivp` with dense output), one step of the solver
# from each of them, and the distance to the reference at the step's end. DDIM and Euler take steps
# of $h \approx 0.96$; DPM-Solver-2 and RK2 spend two evaluations per step, so at 10 evaluations
# they take steps of $h \approx 1.92$ over every other grid point. We also record $|\epsilon^*|$
# along the reference trajectories.

# %%
lam_grid_10 = np.linspace(LAM_START, LAM_END, 11)
t_grid_10 = time_grid(vp, 10)
diagnosis = {}
for width in WIDTHS:
    _, _, states = ode_reference(x_T, eps_rings[width], lam_eval=lam_grid_10)
    eps_along = [eps_rings[width](states[i], t_grid_10[i]) for i in range(11)]
    local = {}
    for name, stride in (("ddim", 1), ("euler", 1), ("dpm2", 2), ("rk2", 2)):
        local[name] = np.array(
            [
                mean_error(
                    SOLVERS[name].step(
                        states[i], t_grid_10[i], t_grid_10[i + stride], eps_rings[width], vp
                    ),
                    states[i + stride],
                )
                for i in range(0, 10, stride)
            ]
        )
    diagnosis[width] = {
        "eps_mean": np.array([e.norm(dim=1).mean().item() for e in eps_along]),
        "eps_change": np.array(
            [(eps_along[i + 1] - eps_along[i]).norm(dim=1).mean().item() for i in range(10)]
        ),
        "local": local,
    }
print("lambda at the grid points: " + " ".join(f"{lam:6.2f}" for lam in lam_grid_10))
for width, d in diagnosis.items():
    print(f"\n{width} mixture (w = {WIDTHS[width]})")
    print("  mean |eps*| along the solution       " + " ".join(f"{v:6.3f}" for v in d["eps_mean"]))
    print(
        "  mean |change of eps*| per interval       "
        + " ".join(f"{v:6.3f}" for v in d["eps_change"])
    )
    for name in ("ddim", "euler"):
        print(
            f"  one-step error, {LABELS[name][:21]:<21s}     "
            + " ".join(f"{v:6.3f}" for v in d["local"][name])
        )
    for name in ("dpm2", "rk2"):
        print(
            f"  one-step error, {LABELS[name][:21]:<21s}        "
            + "".join(f"{v:13.3f}" for v in d["local"][name])
        )

# The DPM-Solver-2 step across lambda = 0, where the trajectories pick their mode.
mode_step = int(np.searchsorted(lam_grid_10[::2], 0.0)) - 1
mode_share = {
    w: d["local"]["dpm2"][mode_step] / d["local"]["dpm2"].sum() for w, d in diagnosis.items()
}
survival = {
    w: regime_err[(w, "dpm2", "logSNR")][0] / d["local"]["dpm2"][mode_step]
    for w, d in diagnosis.items()
}
lo, hi = lam_grid_10[2 * mode_step], lam_grid_10[2 * mode_step + 2]
for width in WIDTHS:
    print(
        f"{width}: share of DPM-Solver-2's summed one-step error made on [{lo:.2f}, {hi:.2f}]: "
        f"{mode_share[width]:.2f}; final error / that step's error: {survival[width]:.2f}"
    )

# %% [markdown]
# The figure shows the profile of $|\epsilon^*|$ beside the prediction {eq}`eq-eps-profile` for one
# component ($\mathbb E|z| = \sqrt{\pi/2}$ in two dimensions), and the one-step errors, placed at
# the middle of each step; the grey band is the DPM-Solver-2 step across $\lambda = 0$.

# %% tags=["hide-input"]
fig, axes = plt.subplots(1, 2, figsize=(6.8, 3.3))
lam_fine = np.linspace(LAM_START, LAM_END, 200)
for width, colour in zip(WIDTHS, ("C0", "C3")):
    axes[0].semilogy(
        lam_grid_10,
        diagnosis[width]["eps_mean"],
        "o-",
        color=colour,
        ms=3,
        label=f"{width} mixture, measured",
    )
    axes[0].semilogy(
        lam_fine,
        math.sqrt(math.pi / 2) / np.sqrt(1 + WIDTHS[width] ** 2 * np.exp(2 * lam_fine)),
        ":",
        color=colour,
        label=f"one component, eq. (12), w = {WIDTHS[width]}",
    )
axes[0].set_xlabel("$\\lambda$")
axes[0].set_ylabel("mean $|\\epsilon^*|$ along the solution")
axes[0].set_title("noise prediction along the trajectories", fontsize=9)
axes[0].legend(fontsize=6.5)
mid_1 = 0.5 * (lam_grid_10[:-1] + lam_grid_10[1:])
mid_2 = 0.5 * (lam_grid_10[:-2:2] + lam_grid_10[2::2])
for width, style in zip(WIDTHS, ("-", "--")):
    for name, mids in (("ddim", mid_1), ("euler", mid_1), ("dpm2", mid_2), ("rk2", mid_2)):
        axes[1].semilogy(
            mids,
            np.maximum(diagnosis[width]["local"][name], 1e-6),
            style,
            marker="o",
            ms=3,
            color={"ddim": "C0", "euler": "C9", "dpm2": "C1", "rk2": "C5"}[name],
            label=f"{LABELS[name]}" if width == "wide" else None,
        )
axes[1].axvspan(lo, hi, color="0.85", zorder=0)
axes[1].set_ylim(1e-5, 3)
axes[1].set_xlabel("$\\lambda$ at the middle of the step")
axes[1].set_ylabel("one-step error (mean distance)")
axes[1].set_title("one step from the exact solution (solid: wide, dashed: narrow)", fontsize=8)
axes[1].legend(fontsize=6.5, loc="lower left")
fig.suptitle(
    "Why 10 evaluations are hard: the profile of ε* and where the error is made", fontsize=10
)
fig.tight_layout()
plt.show()

# %% [markdown]
# What the measurements say:
#
# 1. **The profile.** Along the trajectories $|\epsilon^*|$ starts at about
#    $\sqrt{\pi/2} \approx 1.25$ (at $t = 1$, $\epsilon^* \approx x$) and stays there until
#    $\lambda \approx -2$. It then drops while the trajectories choose their mode: the mean change
#    of $\epsilon^*$ per grid interval is largest on $[-1.19, 0.72]$. Afterwards it follows the
#    one-component prediction {eq}`eq-eps-profile`: on the wide mixture it decays like
#    $e^{-\lambda}/w$ from $\lambda \approx 1$ on, down to about 0.03 at the end; on the narrow
#    mixture it returns to about 1.2 by $\lambda \approx 1.7$ and then barely changes until the last
#    interval, where the noise reaches the components' width.
# 2. **Where DPM-Solver-2's error is made.** Most of it, on both mixtures, comes from one step: the
#    one across $\lambda = 0$, where $\epsilon^*$ changes most (the share is printed above). At
#    $r_1 = 1/2$ DPM-Solver-2 is the exponential midpoint rule {eq}`eq-dpm2-midpoint`: it crosses
#    that stretch in one step of $h \approx 1.9$ with a single frozen value of $\epsilon_\theta$.
#    There is no finite difference in the update to overshoot; the error is that of holding
#    $\epsilon$ constant across the mode choice. DDIM crosses the same stretch in two steps, each
#    with a fresh evaluation, and RK2 in $\lambda$ makes a several times smaller error on the same
#    step.
# 3. **Whether the error survives.** On the wide mixture the final error of DPM-Solver-2 is about as
#    large as the error of that one step (the ratio printed above is near 1). On the narrow mixture
#    the later flow pulls each sample into a mode of width 0.01 and shrinks the error about tenfold.
#    That is why DPM-Solver-2's final error at 10 evaluations is about ten times smaller on the
#    narrow mixture than on the wide one, although the step across $\lambda = 0$ makes about the
#    same error on both. It does not help DPM-Solver-2 against DDIM: the same contraction shrinks
#    DDIM's error too, and relative to DDIM, DPM-Solver-2 is behind by a factor of two to four on
#    both mixtures (the table of experiment 2).
# 4. **Where the exponential form pays.** After the mode choice on the narrow mixture, $\epsilon^*$
#    is nearly constant; there DDIM's one-step errors are one to two orders of magnitude below
#    Euler's, and DPM-Solver-2's last step is far more accurate than RK2's (the last steps of the
#    table). On the wide mixture $\epsilon^*$ decays over the same stretch, and DDIM's lead over
#    Euler there shrinks to a factor of about three.
#
# The failure at 10 evaluations thus comes from the step length that a singlestep method of higher
# order must accept: at 10 evaluations, second order means steps of $h \approx 1.9$ and
# DPM-Solver-fast steps of $h \approx 2.4$, longer than the stretch on which the trajectories choose
# their mode. A **multistep** method reuses the evaluation of the previous step and reaches second
# order at one evaluation per step, keeping DDIM's step length. That idea, together with the switch
# from the noise prediction to the data prediction, is DPM-Solver++ (Chapter 12);
# {ref}`ch11-ex4` tries it in the noise form.

# %% [markdown]
# ### 5. A trained noise-prediction network
#
# A real sampler never has $\epsilon^*$; it has a network. We train a small MLP on samples of the
# wide mixture with the standard loss
# $\mathbb E\,\|\epsilon_\theta(\alpha_t x_0 + \sigma_t\epsilon, t) - \epsilon\|^2$,
# $t \sim \mathcal U[10^{-3}, 1]$ {cite}`ho2020ddpm`. The network sees $x$ and Fourier features of
# $\lambda_t$; we sample with an exponential moving average (EMA) of its weights, which is standard
# practice and makes $\epsilon_\theta$ smoother. (A network for the narrow mixture would have to
# resolve features of size 0.01; this one is too small for that, so the trained-network comparison
# is made on the wide mixture only.)


# %%
class EpsNet(torch.nn.Module):
    """MLP noise predictor eps_theta(x, t) for 2-D data; time enters through lambda_t."""

    def __init__(self, width=128, n_freq=3):
        super().__init__()
        self.register_buffer("freq", math.pi * torch.arange(1, n_freq + 1, dtype=torch.float32))
        self.net = torch.nn.Sequential(
            torch.nn.Linear(2 + 2 * n_freq, width),
            torch.nn.SiLU(),
            torch.nn.Linear(width, width),
            torch.nn.SiLU(),
            torch.nn.Linear(width, width),
            torch.nn.SiLU(),
            torch.nn.Linear(width, 2),
        )

    def forward(self, x, t):  # x: (n, 2), t: (n,)
        lam = vp.lambda_t(t)
        u = ((lam + 5.1) / 12.0)[:, None]  # maps lambda in [-5.0, 4.6] into [0, 1]
        return self.net(torch.cat([x, torch.sin(u * self.freq), torch.cos(u * self.freq)], dim=1))


torch.manual_seed(seed)
train_data = (
    rings["wide"]
    .sample(20_000, generator=torch.Generator().manual_seed(seed + 1))
    .float()
    .to(device)
)
net = EpsNet().to(device)
ema = copy.deepcopy(net)
n_iters, batch_size = utils.pick(600, 3000), 512
optimizer = torch.optim.Adam(net.parameters(), lr=3e-3)
lr_decay = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, n_iters)
losses = []
for it in range(n_iters):
    x0 = train_data[torch.randint(0, len(train_data), (batch_size,), device=device)]
    t = torch.rand(batch_size, device=device) * (1 - T_END) + T_END
    noise = torch.randn_like(x0)
    x_t = vp.alpha(t)[:, None] * x0 + vp.sigma(t)[:, None] * noise
    loss = ((net(x_t, t) - noise) ** 2).mean()
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    lr_decay.step()
    losses.append(loss.item())
    with torch.no_grad():
        decay = min(0.995, (1 + it) / (10 + it))
        for p_ema, p in zip(ema.parameters(), net.parameters()):
            p_ema.mul_(decay).add_(p, alpha=1 - decay)
ema.eval()


@torch.no_grad()
def eps_net(x, t):
    """The trained (EMA) network as an eps_fn(x, t) on float64 states."""
    t_batch = torch.full((x.shape[0],), float(t), device=device)
    return ema(x.float().to(device), t_batch).double().cpu()


print(f"{n_iters} training steps; mean loss over the last 100: {np.mean(losses[-100:]):.3f}")

# %% [markdown]
# How close is $\epsilon_\theta$ to the exact $\epsilon^*$? We compare them on noised data at a few
# times.

# %%
gen_probe = torch.Generator().manual_seed(seed + 2)
print("t       rms |eps_theta - eps*|")
for t_probe in (0.9, 0.5, 0.1, 0.02, 0.005):
    x0 = rings["wide"].sample(2000, generator=gen_probe)
    xt = vp.alpha(t_probe) * x0 + vp.sigma(t_probe) * torch.randn(
        x0.shape, dtype=torch.float64, generator=gen_probe
    )
    rms = (
        (eps_net(xt, t_probe) - eps_rings["wide"](xt, t_probe))
        .norm(dim=1)
        .pow(2)
        .mean()
        .sqrt()
        .item()
    )
    print(f"{t_probe:<7g} {rms:.3f}")

# %% [markdown]
# The error is small at large $t$, where $\epsilon^*$ is nearly linear in $x$, and largest at
# intermediate noise levels, where the noise is comparable to the width of a component.
#
# Sample quality is measured as the exact 2-Wasserstein distance (POT's `ot.emd2`
# {cite}`flamary2021pot`) between a solver's samples and those of a tight reference solve of the
# *same network's* ODE from the same starting noise (`solve_ivp`, RK45, tolerance $10^{-6}$). This
# isolates the solver's error from the model's, as the paper's FID comparisons do at a fixed model.
# We run DDIM, DPM-Solver-2, -3 and -fast beside Euler, RK2 and RK3 in $\lambda$ and RK2 and RK3 in
# $t$, all on the logSNR grid, and DDIM and DPM-Solver-fast also on the quadratic grid. The
# third-order methods take three evaluations per step, so of these budgets only 12 is open to them
# (a dash marks the others). Under the table, each Runge–Kutta method's $W_2$ is divided by that of
# the exponential integrator of the same order. The trivial baseline, to show how hard the task is,
# is the $W_2$ distance of the starting noise itself (in the table's header); all but the worst
# settings sit far below it.

# %%
n_eval = utils.pick(500, 1000)
x_T_net = torch.randn(
    n_eval, 2, dtype=torch.float64, generator=torch.Generator().manual_seed(seed + 3)
)
ref_net, nfev_net = ode_reference(x_T_net, eps_net, rtol=1e-6, method="RK45")
check_gap = (solve(x_T_net, eps_net, vp, "dpm3", 600) - ref_net).norm(dim=1).max().item()
print(
    f"reference: {nfev_net} evaluations; "
    f"max |reference - DPM-Solver-3 (600 evaluations)| = {check_gap:.1e}"
)
assert check_gap < 1e-3

uniform = np.full(n_eval, 1 / n_eval)


def w2_to_reference(x):
    """Exact 2-Wasserstein distance between x and the reference samples."""
    return math.sqrt(ot.emd2(uniform, uniform, ot.dist(x.numpy(), ref_net.numpy())))


net_budgets = [10, 12, 16, 20]
net_runs = [
    ("ddim", "logSNR"),
    ("ddim", "quadratic"),
    ("euler", "logSNR"),
    ("dpm2", "logSNR"),
    ("rk2", "logSNR"),
    ("rk2_t", "logSNR"),
    ("dpm3", "logSNR"),
    ("rk3", "logSNR"),
    ("rk3_t", "logSNR"),
    ("fast", "logSNR"),
    ("fast", "quadratic"),
]
net_samples = {
    (name, spacing, k): solve(x_T_net, eps_net, vp, name, k, spacing)
    for name, spacing in net_runs
    for k in net_budgets
    if possible(name, k)
}
net_w2 = {run: w2_to_reference(x) for run, x in net_samples.items()}
# Best grid per solver, judged at 20 evaluations.
ddim_spacing = min(("logSNR", "quadratic"), key=lambda g: net_w2[("ddim", g, 20)])
fast_spacing = min(("logSNR", "quadratic"), key=lambda g: net_w2[("fast", g, 20)])
ddim_w2 = np.array([net_w2[("ddim", ddim_spacing, k)] for k in net_budgets])
fast_w2 = np.array([net_w2[("fast", fast_spacing, k)] for k in net_budgets])
ddim_budgets = [4, 6, 8, 10, 14, 20, 28, 40, 56, 80, 112, 160, 240]
ddim_sweep = np.array(
    [w2_to_reference(solve(x_T_net, eps_net, vp, "ddim", k, ddim_spacing)) for k in ddim_budgets]
)


def ddim_equivalent(w2):
    """Evaluations DDIM needs for the same W2 (log-log interpolation); nan outside its sweep."""
    if not ddim_sweep.min() <= w2 <= ddim_sweep.max():
        return float("nan")
    return float(np.exp(np.interp(-np.log(w2), -np.log(ddim_sweep), np.log(ddim_budgets))))


speedup = np.array([ddim_equivalent(w) / k for w, k in zip(fast_w2, net_budgets)])
print(
    f"W2 to the reference (starting noise itself: {w2_to_reference(x_T_net):.2f})".ljust(36)
    + "".join(f"{k:>8d}" for k in net_budgets)
)
for name, spacing in net_runs:
    print(
        f"  {LABELS[name] + ', ' + spacing:<34s}"
        + "".join(
            f"{net_w2[(name, spacing, k)]:8.3f}" if possible(name, k) else "       —"
            for k in net_budgets
        )
    )
print(
    f"  {'DDIM evaluations for equal W2':<34s}"
    + "".join(f"{ddim_equivalent(w):8.1f}" for w in fast_w2)
)
print(f"  {'speed-up of DPM-Solver-fast (x)':<34s}" + "".join(f"{s:8.2f}" for s in speedup))
print(
    f"best grids at 20 evaluations: DDIM {ddim_spacing}, DPM-Solver-fast {fast_spacing}; "
    f"{n_eval} samples; "
    f"DDIM sweep over {ddim_budgets[0]}-{ddim_budgets[-1]} evaluations"
)
assert np.isfinite(speedup).all(), "a W2 value fell outside DDIM's sweep: widen ddim_budgets"
print("\nW2 ratios, Runge–Kutta / exponential integrator of the same order (below 1: RK wins)")
for rk_name, exp_name in (
    ("euler", "ddim"),
    ("rk2", "dpm2"),
    ("rk2_t", "dpm2"),
    ("rk3", "dpm3"),
    ("rk3_t", "dpm3"),
):
    print(
        f"  {SHORT[rk_name] + ' / ' + SHORT[exp_name]:<34s}"
        + "".join(
            f"{net_w2[(rk_name, 'logSNR', k)] / net_w2[(exp_name, 'logSNR', k)]:8.3f}"
            if possible(exp_name, k)
            else "       —"
            for k in net_budgets
        )
    )

# %% [markdown]
# The figure shows the $W_2$ values beside DDIM's sweep (the third-order methods as single markers
# at 12 evaluations), the distribution of per-sample errors at 10 and 20 evaluations, and 300 of
# the samples at 10 evaluations, each joined by a line to its reference endpoint.

# %% tags=["hide-input"]
fig, axes = plt.subplots(2, 2, figsize=(6.8, 6.2))
ax = axes[0, 0]
ax.loglog(ddim_budgets, ddim_sweep, "o-", ms=3, color="C0", label=f"DDIM ({ddim_spacing})")
for name, spacing, colour, style, marker in (
    ("euler", "logSNR", "C9", "--", "s"),
    ("dpm2", "logSNR", "C1", "-", "s"),
    ("rk2", "logSNR", "C5", "--", "s"),
    ("rk2_t", "logSNR", "C6", ":", "s"),
    ("dpm3", "logSNR", "C2", "none", "^"),
    ("rk3", "logSNR", "C8", "none", "v"),
    ("rk3_t", "logSNR", "C4", "none", "D"),
    ("fast", fast_spacing, "C3", "-", "s"),
):
    ks = [k for k in net_budgets if possible(name, k)]  # order 3: 12 evaluations only
    ax.loglog(
        ks,
        [net_w2[(name, spacing, k)] for k in ks],
        linestyle=style,
        marker=marker,
        ms=3 if len(ks) > 1 else 5,
        color=colour,
        label=f"{SHORT.get(name, LABELS[name])} ({spacing})",
    )
ax.set_xlabel("network evaluations")
ax.set_ylabel("$W_2$ to the reference samples")
ax.set_title("sampler error at a fixed model", fontsize=9)
ax.set_ylim(2e-4, 2)  # room for the legend below the data
ax.legend(fontsize=5.5, ncol=2, loc="lower left")
ax = axes[0, 1]
bins = np.logspace(-3, 1, 33)
for name, spacing, k, colour, style in (
    ("ddim", ddim_spacing, 10, "C0", "--"),
    ("ddim", ddim_spacing, 20, "C0", "-"),
    ("fast", fast_spacing, 10, "C3", "--"),
    ("fast", fast_spacing, 20, "C3", "-"),
):
    dist = (net_samples[(name, spacing, k)] - ref_net).norm(dim=1).clamp_min(1e-3)
    ax.hist(
        dist.numpy(),
        bins=bins,
        histtype="step",
        color=colour,
        linestyle=style,
        lw=1.4,
        label=f"{SHORT[name]}, {k} evals",
    )
ax.set_xscale("log")
ax.set_xlabel("distance to its reference endpoint")
ax.set_ylabel("samples")
ax.set_title("per-sample error, same starting noise", fontsize=9)
ax.legend(fontsize=6, loc="upper left")
for ax, (name, spacing) in zip(axes[1], (("ddim", ddim_spacing), ("fast", fast_spacing))):
    shown, ends = net_samples[(name, spacing, 10)][:300].numpy(), ref_net[:300].numpy()
    ax.plot(
        np.stack([shown[:, 0], ends[:, 0]]),
        np.stack([shown[:, 1], ends[:, 1]]),
        "-",
        color="0.4",
        lw=0.5,
    )
    ax.scatter(*ends.T, s=3, color="0.6", label="reference endpoint")
    ax.scatter(
        *shown.T, s=3, color="C0" if name == "ddim" else "C3", label=f"{SHORT[name]}, 10 evals"
    )
    ax.set_aspect("equal")
    ax.set_xlim(-3.2, 3.2)
    ax.set_ylim(-3.2, 3.2)
    ax.set_xlabel("$x_1$")
    ax.set_title(f"{SHORT[name]} ({spacing} grid), 10 evaluations", fontsize=9)
    ax.legend(fontsize=6, loc="lower left", markerscale=2, framealpha=0.9, frameon=True)
axes[1, 0].set_ylabel("$x_2$")
fig.suptitle("Trained network on the wide mixture", fontsize=10)
fig.tight_layout()
plt.show()

# %% [markdown]
# With the trained network, DPM-Solver-fast beats DDIM at 20 evaluations on DDIM's better grid,
# and DDIM needs the printed multiple of evaluations to match it (the speed-up row). The paper
# reports 4–16× on images; in every run we made, ours was below that range. At 10 evaluations
# DPM-Solver-fast does **not** beat DDIM; DPM-Solver-2 is worse than DDIM at 10 and 12
# evaluations, and so is DPM-Solver-3 at 12 (four steps of $h \approx 2.4$).
#
# Against Runge–Kutta the ratio rows under the table say it at once. Every Runge–Kutta method we
# ran, in $\lambda$ or in $t$, was more accurate than the exponential integrator of the same order
# at every budget where both run, in every run we made (seeds 0–4 in fast mode, 0–2 in full
# mode); the claim check asserts this for RK2 in $t$ against DPM-Solver-2 at 12 evaluations. Euler
# and RK2 in $\lambda$ and RK2 and RK3 in $t$ also beat every exponential integrator in the table,
# on either grid, clearly at 10 and 12 evaluations, and at 20 RK2 in $\lambda$ and in $t$ are still
# level with or ahead of DPM-Solver-fast. RK3 in $\lambda$ is the exception: it beats DPM-Solver-3,
# by a margin that changed a lot between runs, but with the network trained in full mode DDIM on
# the quadratic grid or DPM-Solver-fast was more accurate than it at 12 evaluations (in fast mode,
# with a less trained network, it was ahead of both). The most accurate setting at 12 evaluations
# was RK3 in $t$ in every run we made.
# This is the wide-mixture regime of experiments 2–4 again: the network was trained on the wide
# mixture and inherits it. The histograms show that the differences are not carried by a few
# samples: the whole distribution of per-sample errors moves. In the bottom panels every sample
# lands on the ring, and the error is in where along it: the lines from DPM-Solver-fast's samples
# to their reference endpoints are longer than DDIM's at 10 evaluations.
#
# Two effects are specific to the network. The quadratic grid, which helped DPM-Solver-fast with
# the exact $\epsilon^*$, ruins it with the network. And DPM-Solver-3, which at 12 evaluations is
# ahead of RK3 in $\lambda$ with the exact $\epsilon^*$ on the wide mixture (experiment 2's table),
# falls behind it with the network. The network is least accurate at intermediate and small noise
# (the table of $|\epsilon_\theta - \epsilon^*|$), where the quadratic grid puts its steps; our
# conjecture, not isolated here, is that the differences $D_1, D_2$ of a high-order step amplify
# those errors over long steps, while DDIM, which takes no differences, is not hurt.

# %% [markdown]
# ## Claim check
#
# The thresholds were fixed before the final runs, with margin, and the rows were checked for seeds
# 0–4 in fast mode and 0–2 in full mode. (Two earlier rows compared DPM-Solver-3 with RK3 and DDIM
# with Euler on the narrow mixture, with margins of 0.8 and 0.9 on the error ratio; the first failed
# at one seed and the second came close. They were replaced by the one-Gaussian comparisons of
# experiment 3, not loosened.) The row on RK2 in $t$ with the trained network was added in a
# second pass, with its threshold fixed before its first run; a companion row, RK3 in $\lambda$ /
# DPM-Solver-3 at 12 evaluations with the network ($\le 0.6$), was fixed at the same time and
# dropped because it did not hold at seed 0 in full mode. Rows marked "what holds instead" record
# where the paper's claim does not reproduce at this scale and what holds there. The paper's
# numbers are FID on CIFAR-10, from its abstract and its Table 1 (the Table 1 pair comes from the
# book's notes on the paper and is marked unconfirmed); they are comparable with ours in direction,
# not in size. The one-Gaussian rows use a fixed starting point and do not change with the seed.


# %%
def regime_ratio(width, top, bottom, nfe):
    """Error of method `top` over error of method `bottom` on a mixture (logSNR grid)."""
    i = budgets.index(nfe)
    return regime_err[(width, top, "logSNR")][i] / regime_err[(width, bottom, "logSNR")][i]


def best_grid_error(width, name, nfe):
    """Smaller error of a method over the logSNR and quadratic grids."""
    return min(regime_err[(width, name, g)][budgets.index(nfe)] for g in ("logSNR", "quadratic"))


utils.check_claims(
    "11",
    [
        utils.Claim(
            "Narrow mixture, 12 evals: error of DPM-Solver-2 / RK2 in λ",
            "Table 1: 5.28 vs 16.40 FID, 12 NFE (unconfirmed)",
            regime_ratio("narrow", "dpm2", "rk2", 12), "<=", 0.6, kind="paper"),
        utils.Claim(
            "One Gaussian, width 0.01, 12 evals: error of DPM-Solver-3 / RK3 in λ",
            "n/a (Table 1 compares orders 2 and 3 with RK)",
            width_err["dpm3"][i_001] / width_err["rk3"][i_001], "<=", 0.1, kind="paper"),
        utils.Claim(
            "One Gaussian, width 0.01, 12 evals: error of DDIM / Euler in λ", "n/a",
            width_err["ddim"][i_001] / width_err["euler"][i_001], "<=", 0.3, kind="paper"),
        utils.Claim(
            "Wide mixture, 10 evals: error of RK2 in λ / DPM-Solver-2 (RK wins)", "n/a",
            regime_ratio("wide", "rk2", "dpm2", 10), "<=", 0.5, kind="instead"),
        utils.Claim(
            "Wide mixture, 12 evals: error of Euler in λ / DDIM (Euler wins)", "n/a",
            regime_ratio("wide", "euler", "ddim", 12), "<=", 0.5, kind="instead"),
        utils.Claim(
            "Narrow mixture, 12 evals: error of RK2 in t (logSNR grid) / DPM-Solver-2", "n/a",
            regime_ratio("narrow", "rk2_t", "dpm2", 12), "<=", 0.6, kind="instead"),
        utils.Claim(
            "Wide mixture, 10 evals: DPM-Solver-2's error share in the step across λ = 0",
            "n/a", mode_share["wide"], ">=", 0.6, kind="instead"),
        utils.Claim(
            "DPM-Solver-2 (r1 = 1/2) vs the exponential midpoint rule, max |diff|",
            "n/a (algebra)", midpoint_gap, "<=", 1e-12, kind="code"),
        utils.Claim(
            "Gaussian: fitted slope of DPM-Solver-1 (48-192 evals)", "order 1 (Theorem 3.2)",
            gauss_slopes["ddim"]["48-192"], "<=", -0.8, kind="paper"),
        utils.Claim(
            "Gaussian: fitted slope of DPM-Solver-2", "order 2 (Theorem 3.2)",
            gauss_slopes["dpm2"]["48-192"], "<=", -1.7, kind="paper"),
        utils.Claim(
            "Gaussian: fitted slope of DPM-Solver-3", "order 3 (Theorem 3.2)",
            gauss_slopes["dpm3"]["48-192"], "<=", -2.6, kind="paper"),
        utils.Claim(
            "Wide mixture: fitted slope of DPM-Solver-1", "order 1",
            mix_slopes["ddim"]["48-192"], "<=", -0.8, kind="paper"),
        utils.Claim(
            "Wide mixture: fitted slope of DPM-Solver-2", "order 2",
            mix_slopes["dpm2"]["48-192"], "<=", -1.7, kind="paper"),
        utils.Claim(
            "Wide mixture: fitted slope of DPM-Solver-3", "order 3",
            mix_slopes["dpm3"]["48-192"], "<=", -2.4, kind="paper"),
        utils.Claim(
            "DPM-Solver-3 one-step error vs h: fitted slope, worse start point",
            "4 (local error O(h^4))", dpm3_local_slope, ">=", 3.6, kind="code"),
        utils.Claim(
            "Wide mixture, exact ε, 10 evals: DPM-Solver-fast / DDIM (best grids)",
            "FID 4.70 at 10 NFE (abstract)",
            best_grid_error("wide", "fast", 10) / best_grid_error("wide", "ddim", 10),
            "<=", 0.6, kind="paper"),
        utils.Claim(
            "Trained net, 20 evals: W2 of DPM-Solver-fast / DDIM (best grids)",
            "FID 2.87 at 20 NFE (abstract)", fast_w2[-1] / ddim_w2[-1], "<=", 0.85,
            kind="paper"),
        utils.Claim(
            "Trained net, 10 evals: W2 of DPM-Solver-fast / DDIM (DDIM as good)",
            "FID 4.70 at 10 NFE (abstract)", fast_w2[0] / ddim_w2[0], ">=", 1.0,
            kind="instead"),
        utils.Claim(
            "Trained net, 10 evals: W2 of RK2 in λ / DPM-Solver-2", "n/a",
            net_w2[("rk2", "logSNR", 10)] / net_w2[("dpm2", "logSNR", 10)], "<=", 0.5,
            kind="instead"),
        utils.Claim(
            "Trained net, 12 evals: W2 of RK2 in t (logSNR grid) / DPM-Solver-2", "n/a",
            net_w2[("rk2_t", "logSNR", 12)] / net_w2[("dpm2", "logSNR", 12)], "<=", 0.6,
            kind="instead"),
        utils.Claim(
            "Trained net: DDIM evals for fast's W2 at 20 evals, / 20 (below paper)",
            "4-16x speed-up (abstract)", speedup[-1], ">=", 1.5, kind="instead"),
        utils.Claim(
            "diffusers singlestep DPM-Solver (orders 1, 2) vs ours, max |diff|",
            "n/a (peer check)", peer_gap, "<=", 1e-4, kind="code"),
    ],
    headline="DPM-Solver, an exponential integrator for the diffusion ODE, samples well in "
    "about 10 to 20 evaluations, better than Runge-Kutta of the same order and than DDIM",
    verdict="partly reproduced",
)

# %% [markdown]
# ## Explore
#
# How do the method, the number of evaluations and the grid change the trajectories, and how does
# each exponential integrator compare with its Runge–Kutta twin on wide and narrow data? The left
# panel draws 12 trajectories on the wide mixture (grey: the reference endpoints). The right panel
# gives the mean error against evaluations of the chosen method (solid) and its Runge–Kutta twin
# (dashed; for RK methods, the twin is the DPM-Solver) on both mixtures, on the chosen grid. Every
# budget is used exactly. All solves are precomputed in the next cell, so each redraw only plots.

# %%
explore_solvers = ["ddim", "dpm2", "dpm3", "fast", "rk2", "rk3"]
TWIN = {
    "ddim": "euler",
    "dpm2": "rk2",
    "dpm3": "rk3",
    "fast": "rk3",
    "rk2": "dpm2",
    "rk3": "dpm3",
    "euler": "ddim",
}
explore_nfe = [12, 24, 48]
explore_spacing = ["logSNR", "quadratic"]
x_explore = x_T[:150]
explore_runs = {}
for width in WIDTHS:
    for spacing in explore_spacing:
        for name in explore_solvers + ["euler"]:
            for k in explore_nfe:
                end, path = solve(
                    x_explore, eps_rings[width], vp, name, k, spacing, return_path=True
                )
                explore_runs[(width, name, spacing, k)] = (
                    path[:, :12].numpy(),
                    mean_error(end, refs[width][:150]),
                )


def plot_trajectories(solver: str = "dpm2", nfe: int = 12, spacing: str = "logSNR") -> plt.Figure:
    """Trajectories on the wide mixture (left); error vs evaluations beside the RK twin (right)."""
    path, _ = explore_runs[("wide", solver, spacing, nfe)]
    fig, axes = plt.subplots(1, 2, figsize=(6.8, 3.0))
    ax = axes[0]
    ax.scatter(*refs["wide"][:150].T, s=4, color="0.75", label="reference endpoints")
    for j in range(path.shape[1]):
        ax.plot(path[:, j, 0], path[:, j, 1], "-", color="C3", lw=0.8, alpha=0.7)
    ax.scatter(path[-1, :, 0], path[-1, :, 1], s=10, color="C3", label="solver endpoints")
    ax.set_xlim(-3.5, 3.5)
    ax.set_ylim(-3.5, 3.5)
    ax.set_aspect("equal")
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_title(f"{LABELS[solver]}, {nfe} evaluations, {spacing}", fontsize=8)
    ax.legend(fontsize=6, loc="lower left")
    ax = axes[1]
    for width, colour in zip(WIDTHS, ("C0", "C3")):
        for name, style in ((solver, "-"), (TWIN[solver], "--")):
            errs = [explore_runs[(width, name, spacing, k)][1] for k in explore_nfe]
            ax.loglog(
                explore_nfe,
                errs,
                style,
                marker="o",
                ms=3,
                color=colour,
                label=f"{LABELS[name]}, {width}",
            )
    ax.axvline(nfe, color="0.6", lw=0.8)
    ax.set_xticks(explore_nfe, labels=[str(k) for k in explore_nfe])
    ax.xaxis.set_minor_formatter(plt.NullFormatter())
    ax.set_xlabel("network evaluations")
    ax.set_ylabel("mean error vs reference")
    ax.set_title(f"{spacing} grid: method (solid) and its twin (dashed)", fontsize=8)
    ax.legend(fontsize=6)
    fig.tight_layout()
    return fig


plot_trajectories()
plt.show()

# %%
utils.explore(plot_trajectories, solver=explore_solvers, nfe=[12, 24], spacing=explore_spacing)

# %% [markdown]
# The sliders offer 12 and 24 evaluations; the right panel also shows 48. Things to try: at 12
# evaluations DPM-Solver-3 takes four steps and its trajectories cut the corner where they choose a
# mode, and DPM-Solver-fast ends with lower-order steps. Compare DDIM and RK2 with their twins on
# the narrow mixture (red), then on the wide one (blue). Switch to the quadratic grid, which puts
# more steps at small noise, and see which methods it helps.

# %% [markdown]
# ## Exercises
#
# ```{exercise}
# :label: ch11-ex1
#
# For data distributed as $\mathcal N(0, I)$ every marginal is $\mathcal N(0, I)$, the drift of
# {eq}`eq-ode-lambda` vanishes, and every Runge–Kutta method in $\lambda$ is exact. Is DDIM? For
# these data $\epsilon^*(x, t) = \sigma_t x$. Write `ddim_factor(s, t)`, the number by which one
# DDIM step from time `s` to time `t` multiplies $x$ (use the schedule `vp`), and store in
# `ddim_factor_10` the factor by which the ten steps of `time_grid(vp, 10)` multiply $x$. What does
# the result say about DDIM's error at the widest widths of experiment 3?
# ```
#
# ```{solution-start} ch11-ex1
# :class: dropdown
# ```


# %% tags=["solution"]
def ddim_factor(s, t):
    """Factor by which one DDIM step from s to t multiplies x when eps*(x, t) = sigma_t x."""
    ### BEGIN SOLUTION
    # x_t = (alpha_t / alpha_s) x - sigma_t (e^h - 1) sigma_s x,
    # with e^h = alpha_t sigma_s / (sigma_t alpha_s).
    return vp.alpha(t) * vp.alpha(s) + vp.sigma(t) * vp.sigma(s)
    ### END SOLUTION


### BEGIN SOLUTION
grid_ex1 = time_grid(vp, 10)
ddim_factor_10 = float(np.prod([ddim_factor(s, t) for s, t in zip(grid_ex1[:-1], grid_ex1[1:])]))
print(f"one DDIM pass over the 10-step grid multiplies x by {ddim_factor_10:.4f}")
### END SOLUTION

# %% [markdown]
# Collecting the terms, the factor is $\alpha_t\alpha_s + \sigma_t\sigma_s$. Writing
# $\alpha = \cos\theta$, $\sigma = \sin\theta$, it is $\cos(\theta_s - \theta_t) < 1$: every DDIM
# step shrinks $x$, although the exact flow leaves it unchanged. The exponential integrator splits
# a zero drift into $\sigma^2 x$, which it integrates exactly, and $-\sigma\epsilon^*$, which it
# freezes at the start of the step although $\epsilon^* = \sigma x$ changes with $\sigma$. Over the
# ten steps the product is about 0.79, an error of about 21 %. That is the size of DDIM's error at
# the widest widths of experiment 3 (about 18 % with 12 steps), where the drift is already small:
# the error there is the one computed here, not a failure to follow the data.
#
# ```{solution-end}
# ```

# %% tags=["check", "remove-input"]
utils.check_that(
    "ch11-ex1",
    lambda: (
        abs(ddim_factor(0.5, 0.5) - 1) < 1e-12
        and 0 < ddim_factor(0.9, 0.2) < 1
        and 0 < ddim_factor_10 < 1
    ),
    "a DDIM step of length zero leaves x unchanged, a real step and the whole grid shrink it",
)
### BEGIN HIDDEN TESTS
_cases = [(1.0, 0.7), (0.5, 0.2), (0.05, 0.001), (0.3, 0.29)]
utils.check_function(
    "ch11-ex1",
    ddim_factor,
    [((s, t), vp.alpha(s) * vp.alpha(t) + vp.sigma(s) * vp.sigma(t)) for s, t in _cases],
    rtol=1e-10,
)
_grid = time_grid(vp, 10)
utils.check_value(
    "ch11-ex1",
    ddim_factor_10,
    float(
        np.prod(
            [
                vp.alpha(s) * vp.alpha(t) + vp.sigma(s) * vp.sigma(t)
                for s, t in zip(_grid[:-1], _grid[1:])
            ]
        )
    ),
    rtol=1e-10,
)
### END HIDDEN TESTS

# %% [markdown]
# ```{exercise}
# :label: ch11-ex2
#
# Implement the other second-order variant of the theory section, with the Taylor weight
# $\sigma_t(e^h - 1 - h)/(r_1 h)$ on $D_1$ and $r_1 = 1/2$:
# `dpm_solver_2_taylor_step(x, s, t, eps_fn, sched)`, with two evaluations. Register it in
# `SOLVERS` under the key `"dpm2_taylor"`, then measure its fitted slope on the Gaussian over
# 48–192 evaluations as in experiment 1 (`taylor_slope`) and its mean error on the wide mixture at
# 10 evaluations on the logSNR grid (`taylor_err_10`). Compare with DPM-Solver-2: both are second
# order, so why can they differ at 10 evaluations?
# ```
#
# ```{solution-start} ch11-ex2
# :class: dropdown
# ```


# %% tags=["solution"]
def dpm_solver_2_taylor_step(x, s, t, eps_fn, sched):
    """DPM-Solver-2 with the Taylor weight sigma_t (e^h - 1 - h) / (r1 h) on D1, r1 = 1/2."""
    ### BEGIN SOLUTION
    lam_s, lam_t = sched.lambda_t(s), sched.lambda_t(t)
    h = lam_t - lam_s
    s1 = sched.t_of_lambda(lam_s + 0.5 * h)
    eps_s = eps_fn(x, s)
    u1 = sched.alpha(s1) / sched.alpha(s) * x - sched.sigma(s1) * math.expm1(0.5 * h) * eps_s
    d1 = eps_fn(u1, s1) - eps_s
    return (
        sched.alpha(t) / sched.alpha(s) * x
        - sched.sigma(t) * math.expm1(h) * eps_s
        - sched.sigma(t) * (math.expm1(h) - h) / (0.5 * h) * d1
    )
    ### END SOLUTION


### BEGIN SOLUTION
SOLVERS["dpm2_taylor"] = Solver("DPM-Solver-2, Taylor weight", 2, dpm_solver_2_taylor_step)
taylor_errors = np.array(
    [
        (solve(x_T, eps_gauss, vp, "dpm2_taylor", k) - exact_gauss).norm(dim=1).max().item()
        for k in nfe_sweep
    ]
)
taylor_slope = fitted_slopes(taylor_errors)["48-192"]
taylor_err_10 = mean_error(solve(x_T, eps_rings["wide"], vp, "dpm2_taylor", 10), refs["wide"])
print(
    f"Taylor variant: slope {taylor_slope:.2f} on the Gaussian; wide mixture at 10 evaluations: "
    f"{taylor_err_10:.3f} (DPM-Solver-2: {regime_err[('wide', 'dpm2', 'logSNR')][0]:.3f}, "
    f"DDIM: {regime_err[('wide', 'ddim', 'logSNR')][0]:.3f})"
)
dpm2_over_taylor = regime_err[("wide", "dpm2", "logSNR")][0] / taylor_err_10
print(f"error of DPM-Solver-2 / Taylor variant at 10 evaluations: {dpm2_over_taylor:.1f}")
h_10 = (LAM_END - LAM_START) / 5  # one step of DPM-Solver-2 at 10 evaluations
weight_paper = math.expm1(h_10) / (2 * 0.5)
weight_taylor = (math.expm1(h_10) - h_10) / (0.5 * h_10)
print(
    f"weight on D1 at h = {h_10:.2f}, in units of sigma_t: (e^h - 1)/(2 r1) = {weight_paper:.2f}, "
    f"(e^h - 1 - h)/(r1 h) = {weight_taylor:.2f}"
)
### END SOLUTION

# %% [markdown]
# The Taylor variant is second order, like DPM-Solver-2, and at 10 evaluations on the wide mixture
# it is more accurate than DPM-Solver-2, by the printed factor, and slightly ahead of DDIM (the
# three errors are printed). The two weights differ only by $O(h^2)$, but at the step length of
# DPM-Solver-2 at 10 evaluations they are far apart (both are printed above). The Taylor variant
# does not collapse to the exponential midpoint rule: it keeps part of $\epsilon_s$, which (our
# reading, not isolated here) softens the frozen midpoint value across the mode choice. Order says
# how the error falls as $h \to 0$, not how large it is at $h \approx 2$.
#
# ```{solution-end}
# ```


# %% tags=["check", "remove-input"]
def _count_calls(step):
    calls = []
    step(x_T[:5], 0.9, 0.3, lambda y, t: calls.append(t) or eps_rings["wide"](y, t), vp)
    return len(calls)


utils.check_that(
    "ch11-ex2",
    lambda: (
        _count_calls(dpm_solver_2_taylor_step) == 2
        and (
            dpm_solver_2_taylor_step(x_T, 0.9, 0.3, eps_rings["wide"], vp)
            - dpm_solver_2_step(x_T, 0.9, 0.3, eps_rings["wide"], vp)
        )
        .abs()
        .max()
        .item()
        > 1e-6
        and taylor_slope <= -1.7
        and taylor_err_10 > 0
    ),
    "the step calls eps_fn twice, differs from DPM-Solver-2 on a long step, and is second order",
)


### BEGIN HIDDEN TESTS
def _reference_taylor(x, s, t, eps_fn, sched):
    lam_s, h = sched.lambda_t(s), sched.lambda_t(t) - sched.lambda_t(s)
    s1 = sched.t_of_lambda(lam_s + 0.5 * h)
    e0 = eps_fn(x, s)
    u1 = sched.alpha(s1) / sched.alpha(s) * x - sched.sigma(s1) * math.expm1(0.5 * h) * e0
    d1 = eps_fn(u1, s1) - e0
    return (
        sched.alpha(t) / sched.alpha(s) * x
        - sched.sigma(t) * math.expm1(h) * e0
        - sched.sigma(t) * (math.expm1(h) - h) / (0.5 * h) * d1
    )


_pairs = [(1.0, 0.6), (0.6, 0.1), (0.1, 0.001)]
utils.check_function(
    "ch11-ex2",
    lambda s, t: dpm_solver_2_taylor_step(x_T[:20], s, t, eps_rings["wide"], vp),
    [((s, t), _reference_taylor(x_T[:20], s, t, eps_rings["wide"], vp)) for s, t in _pairs],
    rtol=1e-10,
)
SOLVERS["_ref_taylor"] = Solver("reference", 2, _reference_taylor)
_ref_errors = [
    (solve(x_T, eps_gauss, vp, "_ref_taylor", k) - exact_gauss).norm(dim=1).max().item()
    for k in nfe_sweep
]
utils.check_value(
    "ch11-ex2", taylor_slope, fitted_slopes(np.array(_ref_errors))["48-192"], rtol=1e-6
)
utils.check_value(
    "ch11-ex2",
    taylor_err_10,
    mean_error(solve(x_T, eps_rings["wide"], vp, "_ref_taylor", 10), refs["wide"]),
    rtol=1e-6,
)
del SOLVERS["_ref_taylor"]
### END HIDDEN TESTS

# %% [markdown]
# ```{exercise}
# :label: ch11-ex3
#
# Experiment 3 compared the methods at 12 evaluations. At 24 evaluations, on one isotropic Gaussian
# $\mathcal N(0, w^2 I)$ with its exact flow map, find the width $w^*$ between 0.05 and 0.5 at which
# DPM-Solver-2 and RK2 in $\lambda$ make the same relative endpoint error (logSNR grid). Store it in
# `crossover_width`, to a relative accuracy of one percent. Which method wins below $w^*$?
# ```
#
# ```{solution-start} ch11-ex3
# :class: dropdown
# ```


# %% tags=["solution"]
### BEGIN SOLUTION
def log_error_ratio(w, nfe=24):
    """log of (DPM-Solver-2 error / RK2-in-lambda error) for data N(0, w^2 I)."""
    blob = GaussianMixture.gaussian([0.0, 0.0], w**2 * np.eye(2))
    end = blob.flow_map(
        x_unit, vp.alpha(T_START), vp.sigma(T_START), vp.alpha(T_END), vp.sigma(T_END)
    )
    errs = [
        (solve(x_unit, exact_eps(blob), vp, name, nfe) - end).norm().item()
        for name in ("dpm2", "rk2")
    ]
    return math.log(errs[0] / errs[1])


crossover_width = brentq(log_error_ratio, 0.05, 0.5, xtol=1e-5)
print(f"crossover at w = {crossover_width:.4f}")
### END SOLUTION

# %% [markdown]
# The ratio is below 1 for narrow data and above 1 for wide data, with one sign change, so a
# bracketing root-finder on its logarithm finds the crossover. Below $w^*$ DPM-Solver-2 wins; as in
# experiment 3, the exponential integrator wins for data narrower than a fraction of the noise
# range.
#
# ```{solution-end}
# ```


# %% tags=["check", "remove-input"]
def _ratio_24(w):
    blob = GaussianMixture.gaussian([0.0, 0.0], w**2 * np.eye(2))
    end = blob.flow_map(
        x_unit, vp.alpha(T_START), vp.sigma(T_START), vp.alpha(T_END), vp.sigma(T_END)
    )
    errs = [
        (solve(x_unit, exact_eps(blob), vp, name, 24) - end).norm().item()
        for name in ("dpm2", "rk2")
    ]
    return errs[0] / errs[1]


utils.check_that(
    "ch11-ex3",
    lambda: (
        0.05 < crossover_width < 0.5
        and _ratio_24(0.98 * crossover_width) < 1 < _ratio_24(1.02 * crossover_width)
    ),
    "DPM-Solver-2 wins 2 % below crossover_width and RK2 in λ wins 2 % above it",
)
### BEGIN HIDDEN TESTS
utils.check_value("ch11-ex3", crossover_width, 0.1829, rtol=0.01)
### END HIDDEN TESTS

# %% [markdown]
# ```{exercise}
# :label: ch11-ex4
#
# (Open-ended.) Experiment 4 says that at 10 evaluations DPM-Solver-2 must cross the stretch where
# trajectories choose their mode in one step of $h \approx 1.9$. A **multistep** method keeps
# DDIM's step length and still reaches second order, by reusing the evaluation of the previous
# step: with $D = (\epsilon_i - \epsilon_{i-1})/r$, $r = h_{i-1}/h_i$, add
# $-\tfrac12\sigma_t(e^{h_i}-1)D$ to the DDIM update (first step: plain DDIM). Implement it, check
# its order on the Gaussian, and compare it with DDIM and DPM-Solver-2 at 10 and 20 evaluations on
# both mixtures and with the trained network. Does it fix the failure at 10 evaluations? Where
# does it still lose to Runge–Kutta, and why? (Chapter 12 builds DPM-Solver++ on this idea.)
# ```
#
# ```{solution-start} ch11-ex4
# :class: dropdown
# ```


# %% tags=["solution"]
### BEGIN SOLUTION
def multistep_2(x, eps_fn, sched, nfe, spacing="logSNR"):
    """Second-order multistep exponential integrator (noise form): nfe steps and evaluations."""
    ts = time_grid(sched, nfe, spacing)
    lams = sched.lambda_t(ts)
    eps_prev = None
    for i in range(nfe):
        s, t = ts[i], ts[i + 1]
        h = lams[i + 1] - lams[i]
        eps_s = eps_fn(x, s)
        x_next = sched.alpha(t) / sched.alpha(s) * x - sched.sigma(t) * math.expm1(h) * eps_s
        if eps_prev is not None:
            d = (eps_s - eps_prev) / ((lams[i] - lams[i - 1]) / h)
            x_next = x_next - 0.5 * sched.sigma(t) * math.expm1(h) * d
        x, eps_prev = x_next, eps_s
    return x


ms_gauss = [
    (multistep_2(x_T, eps_gauss, vp, k) - exact_gauss).norm(dim=1).max().item() for k in nfe_sweep
]
print(
    f"multistep on the Gaussian: slope {fitted_slopes(np.array(ms_gauss))['48-192']:.2f} on 48-192"
)
print("mean error          evals  multistep     DDIM   DPM-Solver-2   RK2 in λ")
for width in WIDTHS:
    for k in (10, 20):
        ms = mean_error(multistep_2(x_T, eps_rings[width], vp, k), refs[width])
        others = [
            mean_error(solve(x_T, eps_rings[width], vp, name, k), refs[width])
            for name in ("ddim", "dpm2", "rk2")
        ]
        print(f"{width + ' mixture':<20s}{k:5d}" + "".join(f"{v:11.4f}" for v in [ms, *others]))
for k in (10, 20):
    print(
        f"{'trained network W2':<20s}{k:5d}"
        f"{w2_to_reference(multistep_2(x_T_net, eps_net, vp, k)):11.4f}"
        + "".join(f"{net_w2[(name, 'logSNR', k)]:11.4f}" for name in ("ddim", "dpm2", "rk2"))
    )
### END SOLUTION

# %% [markdown]
# The multistep method is second order (its slope on the Gaussian is printed) and costs one
# evaluation per step. At 10 evaluations it takes ten steps of $h \approx 0.96$, crosses the mode
# choice in two of them, and in our runs it was more accurate than DDIM, DPM-Solver-2 and RK2 in
# $\lambda$ (all on the logSNR grid) at 10 and 20 evaluations on both mixtures and at 10 with the
# trained network; with the network at 20 it was about level with RK2 in $\lambda$. It is not the
# best method of the chapter everywhere: at 20 evaluations on the wide mixture, DPM-Solver-fast on
# the quadratic grid was better and RK2 in $t$ about level (try it). Its lead over RK2 in $\lambda$
# is large on the narrow mixture and small on wide data at 20 evaluations, for the reason of
# experiment 3: in the noise form its polynomial in $\lambda$ models $\epsilon$, which on wide data
# decays like $e^{-\lambda}$ after the mode choice. Chapter 12's DPM-Solver++ applies the same
# multistep idea to the data prediction $x_\theta = (x - \sigma\epsilon_\theta)/\alpha$, which is
# nearly constant exactly where $\epsilon$ decays. A full answer measures all this, plots it, and
# says which regime each method is built for.
#
# ```{solution-end}
# ```

# %% [markdown]
# ## Takeaways and limits
#
# - Written in $\lambda$, the probability-flow ODE has an exactly solvable linear part, and only an
#   exponentially weighted integral of $\epsilon_\theta$ is approximated {eq}`eq-exact-solution`.
#   DPM-Solver-1 is DDIM; with $r_1 = 1/2$ DPM-Solver-2 is an exponential midpoint rule; $r_2 = 2/3$
#   is what lets DPM-Solver-3 do without a second-derivative term. All of this is asserted to
#   rounding error, and our solvers match `diffusers` to float32 rounding.
# - The orders hold: global orders 1, 2, 3 on a Gaussian and on a mixture, local order 4 for
#   DPM-Solver-3, with fits that do not depend on the window.
# - **Against Runge–Kutta of the same order (the paper's Table 1), the result depends on the data.**
#   An exponential integrator in the noise form is exact when $\epsilon^*$ is constant along the
#   solution, which {eq}`eq-eps-profile` shows happens while the noise exceeds the data's width. On
#   narrow data (width 0.01) DPM-Solver beats Runge–Kutta in $\lambda$, as the paper reports; on
#   wide data (width 0.4) Runge–Kutta wins, with the exact model and with a trained network: with
#   the network, every Runge–Kutta method we ran, in $\lambda$ or in $t$, beat the exponential
#   integrator of the same order at every budget.
#   Runge–Kutta in $t$ on the logSNR grid beat DPM-Solver-2 and -3 at 12–24 evaluations on both
#   mixtures: against that baseline DPM-Solver-2 and -3 won nowhere in our runs, and the
#   headline row (against Runge–Kutta in $\lambda$) holds only in the narrow regime.
# - **At 10 evaluations the paper's headline does not reproduce here.** DPM-Solver-fast beats DDIM
#   with the exact model on wide data, but not on narrow data and not with the trained network.
#   The cause is measured: singlestep methods of order 2–3 must take steps of $h \approx 2$, and
#   nearly all of DPM-Solver-2's error is made in the one step that crosses the trajectories' mode
#   choice. At 16–20 evaluations DPM-Solver-fast beats DDIM, with a speed-up below the paper's
#   4–16×. The multistep idea keeps the step short at the same cost
#   ({ref}`ch11-ex4`); Chapter 12 develops it, with the data-prediction form, as DPM-Solver++.
# - What laptop scale cannot show: FID on CIFAR-10 or ImageNet, with large, well-trained models in
#   high dimension, guided and latent-space sampling. We measured a solver's error at a fixed model;
#   the paper's FID mixes that with the model's own error. Whether image data sit in the narrow
#   regime is our conjecture, not a measurement.
# - Where the paper goes further: adaptive step sizes (DPM-Solver-12 and -23), discrete-time models,
#   and a convergence proof under smoothness assumptions on $\epsilon_\theta$.

# %% [markdown]
# ## References and further reading
#
# - The paper {cite}`lu2022dpmsolver` and its sequel DPM-Solver++ {cite}`lu2022dpmsolverpp`
#   (Chapter 12), which moves to the data-prediction form and to multistep updates.
# - Exponential integrators in numerical analysis {cite}`hochbruck2010exponential`, and
#   Runge–Kutta methods and their tableaux {cite}`butcher2016numerical`.
# - The models and samplers used here: DDPM {cite}`ho2020ddpm`, score SDEs and the
#   probability-flow ODE {cite}`song2021sde`, DDIM {cite}`song2021ddim`; the `diffusers` library
#   {cite}`vonplaten2022diffusers` and POT {cite}`flamary2021pot`.
# - From the seminar's reading lists: PNDM {cite}`liu2022pndm` reads DDIM as a pseudo-numerical
#   method on manifolds and uses linear multistep updates, the same idea as
#   {ref}`ch11-ex4`; Denoising MCMC {cite}`kim2022dmcmc` starts the ODE from MCMC samples close to
#   the data; BinaryDM {cite}`zheng2024binarydm` attacks the cost of each evaluation instead of
#   their number.
#
# ```{bibliography}
# :filter: docname in docnames
# ```
