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
# # 12 · DPM-Solver++
#
# **Paper.** Cheng Lu, Yuhao Zhou, Fan Bao, Jianfei Chen, Chongxuan Li, Jun Zhu. *DPM-Solver++: Fast
# Solver for Guided Sampling of Diffusion Probabilistic Models.* arXiv 2022; Machine Intelligence
# Research 22(4), 2025. [arXiv:2211.01095](https://arxiv.org/abs/2211.01095),
# [doi:10.1007/s11633-025-1562-4](https://doi.org/10.1007/s11633-025-1562-4)
# {cite}`lu2022dpmsolverpp`.
#
# **Summary.** With a large guidance scale, the high-order DPM-Solver of Chapter 11 becomes unstable
# and can be worse than DDIM. DPM-Solver++ integrates the same ODE in terms of the *data prediction*
# $x_\theta$ instead of the noise prediction, clips that prediction back into the data range
# (dynamic thresholding), and reuses past evaluations in a *multistep* update, which the paper
# reports gives good guided samples in 15 to 20 network evaluations.
#
# **What the seminar notes claim.** The notes' paper table lists DPM-Solver++ under efficient
# sampling of generative models, next to DPM-Solver, but leave its core idea and findings blank; the
# chapter therefore works from the paper itself.
#
# **How this chapter tests it.** Everything runs on an *exact* class-conditional model: a mixture of
# Gaussians centred on scikit-learn's 8×8 digit images, whose noise and data predictions are known
# in closed form. Solver error is measured against a converged solution of the same guided ODE, as
# the paper does for its latent-space experiments. No network is trained, so what we measure is the
# solver's error alone. Beside DDIM and the paper's noise-form solvers, every method is set against
# Chapter 11's Runge–Kutta baselines of the same order, at equal evaluations.
#
# **Run time:** about 30 s in fast mode and about 2 min in full mode on a 2-core CPU (measured values
# are in the {doc}`scoreboard <../book/scoreboard>`).

# %% [markdown]
# ## Learning objectives
#
# After this chapter you can:
#
# 1. write the exact solution of the diffusion ODE in data-prediction form and derive from it the
#    first-order step (DDIM again) and the DPM-Solver++(2S), (2M) and (3M) updates;
# 2. implement classifier-free guidance and dynamic thresholding, and say why thresholding only
#    makes sense for pixel-space models;
# 3. rewrite a noise-form solver in the data form, find the extrapolation it hides, and measure
#    where along a guided trajectory that extrapolation makes it fail while its data-form twin does
#    not;
# 4. check a sampler against `diffusers` and measure its convergence order, and notice when a method
#    does not reach the order its name promises;
# 5. compare samplers at equal numbers of evaluations across guidance scales, and state where the
#    paper's claim holds on a laptop-scale model and where it does not.

# %% [markdown]
# ## Background and theory
#
# ### Where Chapter 11 left off
#
# {doc}`Chapter 11 <11_dpm_solver>` wrote the probability-flow ODE in the half log-SNR
# $\lambda_t = \log(\alpha_t/\sigma_t)$, integrated its linear part exactly, and Taylor-expanded the
# noise predictor $\epsilon_\theta$ in what remained. It found three things this chapter builds on.
# First, with $r_1 = 1/2$ DPM-Solver-2 is an *exponential midpoint rule*: it holds $\epsilon_\theta$
# constant over the whole step at its value at the midpoint, with no finite difference left in the
# update. Second, at about 10 evaluations a singlestep method of order 2 must take steps of
# $h \approx 1.9$ in $\lambda$, and there it lost to DDIM, because most of its error was made in the
# one long step across the stretch where the trajectories choose their mode. Third, whether an
# exponential integrator beats a Runge–Kutta method of the same order depends on the data; Chapter
# 11's Runge–Kutta baselines live in `utils.diffusion` and are used here too. DPM-Solver++ changes
# two things: the quantity that is held constant or expanded (the data prediction instead of the
# noise), and the step length at a given cost (a multistep update that reuses old evaluations, the
# idea Chapter 11's last exercise tried in the noise form). It adds a third for guided sampling:
# keep the data prediction in range. Guidance is where the paper says the noise form fails, so we
# start there.
#
# ### Classifier-free guidance
#
# A conditional diffusion model predicts the noise both with a condition $c$ (here: a digit class)
# and without it. Classifier-free guidance {cite}`ho2022cfg` samples with the combination
#
# ```{math}
# :label: eq-cfg
# \tilde\epsilon(x, t) = \epsilon_\theta(x, t)
# + s\,\big(\epsilon_\theta(x, t, c) - \epsilon_\theta(x, t)\big),
# \qquad
# \tilde x_0(x, t) = x_\theta(x, t) + s\,\big(x_\theta(x, t, c) - x_\theta(x, t)\big),
# ```
#
# where $s$ is the guidance scale: $s = 0$ is unconditional sampling, $s = 1$ the plain conditional
# model, and $s > 1$ pushes samples further towards what distinguishes class $c$. The two forms are
# the same rule, because the data prediction $x_\theta = (x - \sigma_t\epsilon_\theta)/\alpha_t$ is
# affine in $\epsilon_\theta$ at fixed $x$. Stable Diffusion pipelines default to $s = 7.5$; the
# paper's pixel-space ImageNet experiments use classifier guidance {cite}`dhariwal2021diffusion`
# with scale 8. A large $s$ multiplies the difference of two predictions, so $\tilde x_0$ can lie
# far outside the range of the data (pixel values in $[-1, 1]$): we measure by how much below.
#
# ### The ODE in data-prediction form
#
# Chapter 11's ODE is
# $\mathrm dx/\mathrm d\lambda = \sigma_\lambda^2 x - \sigma_\lambda\epsilon_\theta$. Substituting
# $\epsilon_\theta = (x - \alpha x_\theta)/\sigma$ and $1 - \sigma^2 = \alpha^2$ gives
# $\mathrm dx/\mathrm d\lambda = \alpha\,(x_\theta - \alpha x)$. Since
# $\mathrm d\log\sigma/\mathrm d\lambda = -\alpha^2$ in the variance-preserving case, the variable
# $x/\sigma$ has no linear term left: $\mathrm d(x/\sigma)/\mathrm d\lambda = e^{\lambda} x_\theta$.
# Integrating from $\lambda_s$ to $\lambda_t$ gives the exact solution the paper starts from:
#
# ```{math}
# :label: eq-exact-data
# x_t = \frac{\sigma_t}{\sigma_s}\,x_s + \sigma_t\int_{\lambda_s}^{\lambda_t} e^{\lambda}\,
# x_\theta(\hat x_\lambda, \lambda)\,\mathrm d\lambda .
# ```
#
# Expanding $x_\theta$ in powers of $\lambda - \lambda_s$ as in Chapter 11 leaves elementary
# integrals. With $h = \lambda_t - \lambda_s$ and $\sigma_t e^{\lambda_t} = \alpha_t$,
#
# ```{math}
# :label: eq-data-weights
# \sigma_t\int_{\lambda_s}^{\lambda_t} e^{\lambda}\,\mathrm d\lambda = \alpha_t\,(1 - e^{-h}),
# \qquad
# \sigma_t\int_{\lambda_s}^{\lambda_t} e^{\lambda}(\lambda - \lambda_s)\,\mathrm d\lambda
# = \alpha_t\,(h - 1 + e^{-h}).
# ```
#
# Keeping only the constant term gives the **first-order step**
#
# ```{math}
# :label: eq-dpmpp1
# \tilde x_t = \frac{\sigma_t}{\sigma_s}\,\tilde x_s
# - \alpha_t\,(e^{-h} - 1)\,x_\theta(\tilde x_s, s),
# ```
#
# which is DDIM once more {cite}`song2021ddim`: both first-order forms are the same update, written
# around a different prediction (we assert it below).
#
# ### Second order: singlestep (2S) and multistep (2M)
#
# The derivative of $x_\theta$ is replaced by a difference of two evaluations. **DPM-Solver++(2S)**
# takes an intermediate point $s_1$ at $\lambda_{s_1} = \lambda_s + h/2$, as DPM-Solver-2 did:
#
# ```{math}
# :label: eq-dpmpp2s
# u = \frac{\sigma_{s_1}}{\sigma_s}\tilde x_s - \alpha_{s_1}(e^{-h/2} - 1)\,x_\theta(\tilde x_s, s),
# \qquad
# \tilde x_t = \frac{\sigma_t}{\sigma_s}\tilde x_s - \alpha_t(e^{-h} - 1)\,x_\theta(u, s_1).
# ```
#
# (The paper's general formula weights $x_\theta(\tilde x_s, s)$ by $1 - \tfrac{1}{2r}$ and
# $x_\theta(u, s_1)$ by $\tfrac{1}{2r}$; at $r = 1/2$ only the second remains.) It costs two
# evaluations per step. **DPM-Solver++(2M)** instead reuses the prediction from the *previous* step,
# so every step costs one evaluation. With $h_i = \lambda_{t_i} - \lambda_{t_{i-1}}$ and the step
# ratio $r_i = h_{i-1}/h_i$,
#
# ```{math}
# :label: eq-dpmpp2m
# D_i = x_\theta^{(i)} + \frac{1}{2 r_i}\big(x_\theta^{(i)} - x_\theta^{(i-1)}\big),
# \qquad
# \tilde x_{t_i} = \frac{\sigma_{t_i}}{\sigma_{t_{i-1}}}\tilde x_{t_{i-1}}
# - \alpha_{t_i}(e^{-h_i} - 1)\,D_i,
# ```
#
# where $x_\theta^{(i)} = x_\theta(\tilde x_{t_{i-1}}, t_{i-1})$. The first step has no history and
# is a first-order step. This is the exponential-integrator cousin of the Adams–Bashforth methods
# {cite}`hairer1993solving`, as in DEIS {cite}`zhang2023deis` and the pseudo-linear multistep method
# of PNDM {cite}`liu2022pndm`. At a budget of $N$ evaluations a singlestep second-order method takes
# $N/2$ steps and a multistep one takes $N$; that halving of the step is what the paper means by
# "reducing the effective step size".
#
# A third-order multistep update, **DPM-Solver++(3M)**, adds a second difference. In the form used
# by the authors' released code and by `diffusers` {cite}`vonplaten2022diffusers`, with
# $r_0 = h_{i-1}/h_i$, $r_1 = h_{i-2}/h_i$ and $\varphi_1 = e^{-h} - 1$,
# $\varphi_2 = \varphi_1/h + 1$, $\varphi_3 = \varphi_2/h - \tfrac12$:
#
# ```{math}
# :label: eq-dpmpp3m
# \begin{aligned}
# D_{1,0} &= \frac{x_\theta^{(i)} - x_\theta^{(i-1)}}{r_0}, \quad
# D_{1,1} = \frac{x_\theta^{(i-1)} - x_\theta^{(i-2)}}{r_1}, \quad
# D_1 = D_{1,0} + \frac{r_0}{r_0 + r_1}(D_{1,0} - D_{1,1}), \quad
# D_2 = \frac{D_{1,0} - D_{1,1}}{r_0 + r_1},\\
# \tilde x_{t_i} &= \frac{\sigma_{t_i}}{\sigma_{t_{i-1}}}\tilde x_{t_{i-1}}
# - \alpha_{t_i}\varphi_1 x_\theta^{(i)}
# + \alpha_{t_i}\varphi_2 D_1 - \alpha_{t_i}\varphi_3 D_2 .
# \end{aligned}
# ```
#
# `diffusers` recommends order 2 for guided and order 3 for unconditional sampling.
#
# ### Why the data form stays bounded: a picture in $y = x/\alpha$
#
# Divide by $\alpha_t$ and write $y = x/\alpha$, so that the factor
# $\sigma_t\alpha_s/(\sigma_s\alpha_t) = e^{\lambda_s - \lambda_t}$ in front of $y_s$ becomes
# $e^{-h}$. The first-order step {eq}`eq-dpmpp1` is then
# $y_t = y_s + (1 - e^{-h})\,(x_\theta - y_s)$: a move from $y_s$ a fraction $1 - e^{-h} < 1$ of the
# way towards the prediction. The same algebra turns the two singlestep second-order methods into
#
# ```{math}
# :label: eq-y-picture
# \text{2S:}\quad y_t = y_s + (1 - e^{-h})\big(\tilde x_0(u) - y_s\big),
# \qquad
# \text{DPM-Solver-2 } (\epsilon)\text{:}\quad
# y_t = y_s + 2\sinh(h/2)\,\big(\tilde x_0(u) - y_u\big),
# ```
#
# with the same intermediate point $u$ in both (its first-order sub-step is DDIM in either form).
# The data form never moves past the prediction. The noise form multiplies the gap
# $\tilde x_0(u) - y_u$ by $2\sinh(h/2)$, which exceeds 1 when the step is long enough. Substituting
# $y_u = e^{-h/2}y_s + (1 - e^{-h/2})\,\tilde x_0(s)$ shows what that means in the data form's own
# terms: DPM-Solver-2 is *exactly* the data-form step {eq}`eq-dpmpp1` fed with a linearly
# extrapolated prediction,
#
# ```{math}
# :label: eq-hidden-extrapolation
# y_t = y_s + (1 - e^{-h})\big(\hat x_0 - y_s\big),\qquad
# \hat x_0 = \tilde x_0(u) + c(h)\,\big(\tilde x_0(u) - \tilde x_0(s)\big),\qquad
# c(h) = e^{h/2} - 1 .
# ```
#
# (We assert this identity on guided trajectories below.) For small steps $c \approx h/2$ and the
# extrapolation is mild, as a second-order method's should be; it grows exponentially with the
# step, and at the $h \approx 1.9$ of a 10-evaluation budget the prediction is pushed 1.6 times the
# difference beyond $\tilde x_0(u)$ (printed in the experiment). With guidance, the difference
# $\tilde x_0(u) - \tilde x_0(s)$ of two guided predictions contains $s$ times the change of the
# conditional-minus-unconditional difference, so it grows with $s$ (the experiment measures the
# extrapolation's size at $s = 1, 8, 16$), and the noise form feeds the step a prediction that lies
# further outside the data than either evaluation; 2S, with the same two evaluations, feeds it
# $\tilde x_0(u)$ itself. The
# paper attributes the instability to the guidance scale amplifying the high-order terms of the
# expansion; {eq}`eq-hidden-extrapolation` makes that concrete for second order. Whether a whole
# trajectory then blows up is a different question, which the experiment answers by measurement.
# Exercise {ref}`ch12-ex1` asks what the coefficient $2\sinh(h/2)$ means for the step count.
#
# ### Dynamic thresholding
#
# For a model trained on images with pixels in $[-1, 1]$, the true $x_0$ lies in that box, but the
# guided $\tilde x_0$ need not. Dynamic thresholding {cite}`saharia2022imagen` rescales each
# predicted image: with $p = 0.995$,
#
# ```{math}
# :label: eq-threshold
# \kappa = \max\big(\operatorname{quantile}_p |\tilde x_0|,\ 1\big), \qquad
# \tilde x_0 \leftarrow \operatorname{clip}(\tilde x_0, -\kappa, \kappa)/\kappa .
# ```
#
# It needs the data prediction, which DPM-Solver++ has at every step. It is only valid where the
# data are known to be bounded: in a latent-space model such as Stable Diffusion
# {cite}`rombach2022ldm` the "data" are unbounded latent codes, and the paper uses no thresholding
# there. Note that thresholding changes the ODE being solved: a thresholded sampler converges to a
# different (in range) solution.
#
# Prerequisites: Chapter 11 (the schedule, DDIM as a first-order exponential integrator, the
# convergence study). The schedule code, `LinearVPSchedule`, is reused from `utils/diffusion.py`.

# %%
import math
import warnings
from functools import partial

import matplotlib.pyplot as plt
import numpy as np
import torch
from diffusers import DPMSolverMultistepScheduler
from scipy.integrate import solve_ivp

import utils
from utils.diffusion import GaussianMixture, LinearVPSchedule, rk_lambda_step, rk_time_step
from utils.guidance import digit_mixture

info = utils.setup()
seed = info.seed

# %% [markdown]
# ## Implementation from scratch
#
# ### The schedule, the time grid and the model
#
# The continuous linear VP schedule ($\beta_0 = 0.1$, $\beta_1 = 20$) comes from `utils.diffusion`,
# as in Chapter 11; a thin wrapper remembers its values at the grid times, which the solvers ask for
# thousands of times. We solve from $t = 1$ to $t = 10^{-3}$ on a grid uniform in $\lambda$ (the
# authors' recommendation for low-resolution images; they prefer a grid uniform in $t$ for
# high-resolution ones).

# %%
class MemoSchedule:
    """A schedule with memoised scalar look-ups: solvers revisit the same grid times many times."""

    def __init__(self, sched):
        self.sched, self.cache = sched, {}

    def _get(self, name, t):
        if not isinstance(t, (int, float, np.floating)):
            return getattr(self.sched, name)(t)  # arrays pass through
        key = (name, float(t))
        if key not in self.cache:
            self.cache[key] = getattr(self.sched, name)(float(t))
        return self.cache[key]

    def alpha(self, t):
        return self._get("alpha", t)

    def sigma(self, t):
        return self._get("sigma", t)

    def lambda_t(self, t):
        return self._get("lambda_t", t)

    def t_of_lambda(self, lam):
        return self._get("t_of_lambda", lam)

    def beta(self, t):
        return self._get("beta", t)


vp = MemoSchedule(LinearVPSchedule(beta_0=0.1, beta_1=20.0))
T_START, T_END = 1.0, 1e-3


def logsnr_grid(n_steps, sched=vp, t_start=T_START, t_end=T_END):
    """Return n_steps + 1 decreasing times, uniformly spaced in lambda."""
    lam = np.linspace(sched.lambda_t(t_start), sched.lambda_t(t_end), n_steps + 1)
    ts = sched.t_of_lambda(lam)
    ts[0], ts[-1] = t_start, t_end  # exact end points
    return ts


lam_range = vp.lambda_t(T_END) - vp.lambda_t(T_START)
lam_start, lam_end = vp.lambda_t(T_START), vp.lambda_t(T_END)
print(f"lambda runs from {lam_start:.2f} to {lam_end:.2f} (a range of {lam_range:.2f})")

# %% [markdown]
# The model is `utils.guidance.ClassMixture`: 400 Gaussian components of standard deviation
# $\tau = 0.1$ (in pixel units), centred on 40 digits of each class from scikit-learn's 8×8 digits
# with pixels scaled to $[-1, 1]$. Its data prediction $\mathbb E[x_0 \mid x_t = x]$ is a
# responsibility-weighted average of the components' posterior means, exact for the whole mixture
# and for each class; these play the roles of $x_\theta(x, t)$ and $x_\theta(x, t, c)$ in
# {eq}`eq-cfg`. Every sampler below receives the same function `x0_fn(x, t)`, with guidance (and
# optionally thresholding) already applied, and converts it to a noise prediction when it needs one;
# `diffusers` makes the same conversions inside its scheduler.

# %%
mixture = digit_mixture(per_class=40, tau=0.1)
# (10, 64): the mean image of each class, the trivial baseline below
class_means = torch.stack([mixture.means[mixture.labels == c].mean(0) for c in range(10)])


def dynamic_threshold(x0, ratio=0.995):
    """Eq. (10): rescale each predicted image (a row of x0) into [-1, 1]."""
    kappa = torch.quantile(x0.abs(), ratio, dim=1, keepdim=True).clamp_min(1.0)  # (n, 1)
    return x0.clamp(-kappa, kappa) / kappa


def guided_x0_fn(labels, scale, thresholding=False, model=mixture, sched=vp):
    """Return x0_fn(x, t): the guided data prediction of eq. (1), optionally thresholded."""

    def x0_fn(x, t):
        alpha, sigma = sched.alpha(t), sched.sigma(t)
        if scale == 0:
            x0 = model.x0(x, alpha, sigma)  # unconditional
        else:
            x0_uncond, x0_cond = model.x0_pair(x, alpha, sigma, labels)
            x0 = x0_uncond + scale * (x0_cond - x0_uncond)
        return dynamic_threshold(x0) if thresholding else x0

    return x0_fn


def eps_from_x0(x0_fn, sched=vp):
    """Turn a data prediction into the noise prediction (x - alpha x0) / sigma."""
    return lambda x, t: (x - sched.alpha(t) * x0_fn(x, t)) / sched.sigma(t)


# %% [markdown]
# ### DPM-Solver++: first order, 2S and the multistep sampler
#
# The code follows {eq}`eq-dpmpp1`–{eq}`eq-dpmpp3m` line by line. `sched` is anything with `alpha`,
# `sigma`, `lambda_t` (and `t_of_lambda` for 2S). `dpmpp_multistep` runs a whole trajectory, one
# evaluation per step; `orders[i]` is the order of step $i$, capped by the history available, so the
# warm-up and a final lower-order step (which `diffusers` uses) are both expressed by the list.


# %%
def dpmpp_first_order_step(x, s, t, x0_s, sched=vp):
    """Eq. (4): the first-order step from s to t given the data prediction x0_s at s."""
    h = sched.lambda_t(t) - sched.lambda_t(s)
    return sched.sigma(t) / sched.sigma(s) * x - sched.alpha(t) * math.expm1(-h) * x0_s


def dpmpp_2s_step(x, s, t, x0_fn, sched=vp):
    """Eq. (5): DPM-Solver++(2S), two evaluations, intermediate point at the lambda midpoint."""
    lam_s = sched.lambda_t(s)
    h = sched.lambda_t(t) - lam_s
    s1 = sched.t_of_lambda(lam_s + h / 2)
    u = dpmpp_first_order_step(x, s, s1, x0_fn(x, s), sched)
    return dpmpp_first_order_step(x, s, t, x0_fn(u, s1), sched)


def dpmpp_multistep(x, x0_fn, ts, orders, sched=vp, d2_weight=None):
    """DPM-Solver++(2M)/(3M), eqs. (6)-(7): one evaluation per step from ts[0] to ts[-1].

    d2_weight(h), if given, replaces the weight -phi_3 of alpha_t * D2 (a hook for Exercise 2).
    """
    preds, hs = [], []  # past data predictions and past step sizes in lambda
    for i, (s, t) in enumerate(zip(ts[:-1], ts[1:])):
        h = sched.lambda_t(t) - sched.lambda_t(s)
        preds.append(x0_fn(x, s))
        order = min(orders[i], len(preds))
        alpha_t, phi_1 = sched.alpha(t), math.expm1(-h)
        x_next = dpmpp_first_order_step(x, s, t, preds[-1], sched)
        if order >= 2:
            r0 = hs[-1] / h
            d1_0 = (preds[-1] - preds[-2]) / r0
        if order == 2:  # eq. (6): D = x0 + d1_0 / 2
            x_next = x_next - 0.5 * alpha_t * phi_1 * d1_0
        elif order == 3:  # eq. (7)
            r1 = hs[-2] / h
            d1_1 = (preds[-2] - preds[-3]) / r1
            d1 = d1_0 + r0 / (r0 + r1) * (d1_0 - d1_1)
            d2 = (d1_0 - d1_1) / (r0 + r1)
            phi_2 = phi_1 / h + 1.0
            phi_3 = phi_2 / h - 0.5
            weight = -phi_3 if d2_weight is None else d2_weight(h)
            x_next = x_next + alpha_t * phi_2 * d1 + alpha_t * weight * d2
        x, hs = x_next, hs + [h]
    return x


# %% [markdown]
# ### The baselines the paper argues against
#
# Four second-order solvers that DPM-Solver++ is compared with at equal cost:
#
# - **DPM-Solver-2**, Chapter 11's singlestep solver in noise-prediction form: the same intermediate
#   point as 2S, two evaluations per step;
# - **DPM-Solver-2M ($\epsilon$)**, the multistep update {eq}`eq-dpmpp2m` applied to $\epsilon$
#   instead of $x_\theta$ (what `diffusers` runs with `algorithm_type="dpmsolver"`), one evaluation
#   per step;
# - **RK2 in $\lambda$** and **RK2 in $t$**, Chapter 11's same-order Runge–Kutta baselines
#   (`utils.diffusion.rk_lambda_step` and `rk_time_step`, order 2: the explicit midpoint rule, two
#   evaluations per step at the same times as DPM-Solver-2). They apply the tableau to the whole
#   right-hand side, $\mathrm dx/\mathrm d\lambda = \alpha(\tilde x_0 - \alpha x)$ or its form in
#   $t$, and so integrate the linear part numerically instead of exactly. They receive the noise
#   prediction converted from the guided data prediction; the ODE is the same.
#
# DDIM is {eq}`eq-dpmpp1`. Every method runs on the same logSNR grid.


# %%
def dpm_solver_2_step(x, s, t, eps_fn, sched=vp):
    """Chapter 11's DPM-Solver-2 (noise-prediction form), r1 = 1/2: two evaluations."""
    lam_s = sched.lambda_t(s)
    h = sched.lambda_t(t) - lam_s
    s1 = sched.t_of_lambda(lam_s + h / 2)
    eps_s = eps_fn(x, s)
    u = sched.alpha(s1) / sched.alpha(s) * x - sched.sigma(s1) * math.expm1(h / 2) * eps_s
    return sched.alpha(t) / sched.alpha(s) * x - sched.sigma(t) * math.expm1(h) * eps_fn(u, s1)


def dpm_solver_2m_eps(x, eps_fn, ts, sched=vp):
    """Multistep second order in noise-prediction form: one evaluation per step."""
    prev_eps, prev_h = None, None
    for s, t in zip(ts[:-1], ts[1:]):
        h = sched.lambda_t(t) - sched.lambda_t(s)
        eps = eps_fn(x, s)
        d = eps if prev_eps is None else eps + (eps - prev_eps) * h / (2 * prev_h)
        x = sched.alpha(t) / sched.alpha(s) * x - sched.sigma(t) * math.expm1(h) * d
        prev_eps, prev_h = eps, h
    return x


def run_singlestep(step, x, model_fn, ts):
    """Apply a singlestep method between consecutive times."""
    for s, t in zip(ts[:-1], ts[1:]):
        x = step(x, s, t, model_fn)
    return x


def solve(name, x, x0_fn, nfe):
    """Sample with solver `name` on the logSNR grid, using exactly nfe evaluations."""
    if name == "DDIM":
        ts = logsnr_grid(nfe)
        return dpmpp_multistep(x, x0_fn, ts, [1] * nfe)
    if name == "DPM-Solver++(2M)":
        return dpmpp_multistep(x, x0_fn, logsnr_grid(nfe), [2] * nfe)
    if name == "DPM-Solver++(3M)":
        return dpmpp_multistep(x, x0_fn, logsnr_grid(nfe), [3] * nfe)
    if name == "DPM-Solver-2M (eps)":
        return dpm_solver_2m_eps(x, eps_from_x0(x0_fn), logsnr_grid(nfe))
    eps_fn = eps_from_x0(x0_fn)
    two_eval_steps = {
        "DPM-Solver-2": (dpm_solver_2_step, eps_fn),
        "RK2 in lambda": (partial(rk_lambda_step, sched=vp, order=2), eps_fn),
        "RK2 in t": (partial(rk_time_step, sched=vp, order=2), eps_fn),
        "DPM-Solver++(2S)": (dpmpp_2s_step, x0_fn),
    }
    step, model_fn = two_eval_steps[name]
    if nfe % 2:
        raise ValueError(f"{name} takes two evaluations per step: give an even nfe, not {nfe}.")
    return run_singlestep(step, x, model_fn, logsnr_grid(nfe // 2))


SOLVERS = [
    "DDIM", "DPM-Solver-2", "RK2 in lambda", "RK2 in t",
    "DPM-Solver++(2S)", "DPM-Solver-2M (eps)", "DPM-Solver++(2M)",
]

# %% [markdown]
# ## Cross-check
#
# Four independent checks, each asserted.
#
# **1. Algebra: both first-order forms are DDIM, and DPM-Solver-2 hides an extrapolation.** The
# data-prediction step {eq}`eq-dpmpp1`, Chapter 11's noise-prediction step, and DDIM's own "predict
# $x_0$, re-noise" rule agree to rounding error on a guided trajectory ($s = 8$). Then, along a
# DPM-Solver-2 trajectory with steps of $h = 1.92$, each step is compared with the data-form step
# fed with the extrapolated prediction of {eq}`eq-hidden-extrapolation`.

# %%
gen = torch.Generator().manual_seed(seed)
labels_chk = torch.randint(0, 10, (64,), generator=gen)
x_chk = torch.randn(64, 64, dtype=torch.float64, generator=gen)
x0_chk = guided_x0_fn(labels_chk, scale=8.0)
eps_chk = eps_from_x0(x0_chk)
x_data, x_noise, x_ddim = x_chk.clone(), x_chk.clone(), x_chk.clone()
grid_chk = logsnr_grid(10)
for s, t in zip(grid_chk[:-1], grid_chk[1:]):
    x_data = dpmpp_first_order_step(x_data, s, t, x0_chk(x_data, s))
    h = vp.lambda_t(t) - vp.lambda_t(s)
    eps = eps_chk(x_noise, s)
    x_noise = vp.alpha(t) / vp.alpha(s) * x_noise - vp.sigma(t) * math.expm1(h) * eps
    eps = eps_chk(x_ddim, s)
    x_ddim = vp.alpha(t) * (x_ddim - vp.sigma(s) * eps) / vp.alpha(s) + vp.sigma(t) * eps
first_order_gap = max((x_data - x_noise).abs().max().item(), (x_data - x_ddim).abs().max().item())
print(f"after 10 guided steps, max gap between the three first-order forms: {first_order_gap:.1e}")
assert first_order_gap < 1e-10


def hidden_extrapolation_step(x, s, t, x0_fn, sched=vp):
    """Eq. (9): the data-form step fed with x0(u) + (e^{h/2} - 1) (x0(u) - x0(s))."""
    lam_s = sched.lambda_t(s)
    h = sched.lambda_t(t) - lam_s
    s1 = sched.t_of_lambda(lam_s + h / 2)
    x0_s = x0_fn(x, s)
    x0_u = x0_fn(dpmpp_first_order_step(x, s, s1, x0_s, sched), s1)
    return dpmpp_first_order_step(x, s, t, x0_u + math.expm1(h / 2) * (x0_u - x0_s), sched)


x_dpm2, extrapolation_gap = x_chk.clone(), 0.0
grid_chk = logsnr_grid(5)  # five steps of h = 1.92, as at 10 evaluations
for s, t in zip(grid_chk[:-1], grid_chk[1:]):
    x_other = hidden_extrapolation_step(x_dpm2, s, t, x0_chk)  # from the same point
    x_dpm2 = dpm_solver_2_step(x_dpm2, s, t, eps_chk)
    extrapolation_gap = max(extrapolation_gap, (x_other - x_dpm2).abs().max().item())
print(f"DPM-Solver-2 vs eq. (9) along a guided trajectory: max gap {extrapolation_gap:.1e}")
assert extrapolation_gap < 1e-9

# %% [markdown]
# **2. A peer implementation: `diffusers`.** `DPMSolverMultistepScheduler` with
# `algorithm_type="dpmsolver++"` implements 2M and 3M for discrete-time models
# {cite}`vonplaten2022diffusers`. We configure it as the paper's discrete-time samplers: betas
# linear from $10^{-4}$ to $0.02$ over 1000 training steps, noise prediction,
# `solver_type="midpoint"` (that is {eq}`eq-dpmpp2m`), `timestep_spacing="linspace"`, and
# `final_sigmas_type="zero"`, so the last step goes to $\sigma = 0$ as a first-order step that
# returns the data prediction. With `lower_order_final=True` and fewer than 15 steps, 3M also drops
# to order 2 on its second-to-last step. The scheduler stores
# $\bar\sigma = \sqrt{(1-\bar\alpha)/\bar\alpha}$; from it $\alpha = 1/\sqrt{\bar\sigma^2+1}$ and
# $\sigma = \bar\sigma\alpha$, and our solver and the model read the same table.
#
# Two traps. Thresholding in `diffusers` clamps $\kappa$ to at most `sample_max_value`, whose
# default 1.0 turns dynamic thresholding into plain clipping to $[-1, 1]$; for {eq}`eq-threshold` it
# must be set very large. And it computes the quantile per image over `(channels, height, width)`,
# so we pass image-shaped tensors `(n, 1, 8, 8)`.
#
# And one matter of precision. The library's `step` casts the sample to float32 before each update
# and keeps its noise levels in float32; our solver runs in float64. A float32 comparison mixes two
# questions: do the formulas agree, and how far does float32 rounding grow along a trajectory? We
# ask the first in float64: `Float64DPMSolver` is the library's scheduler with its table of noise
# levels cast to float64 (the same numbers) and the float64 sample handed to its own update
# methods. The conversion to a data prediction, the thresholding and the update formulas are the
# library's. The second question is answered after the check, with the stock scheduler.


# %%
class TableSchedule:
    """alpha, sigma and lambda looked up by index in a discrete table of VE sigmas."""

    def __init__(self, ve_sigmas):
        ve = np.asarray(ve_sigmas, dtype=np.float64)
        self.alphas, self.sigmas = 1 / np.sqrt(ve**2 + 1), ve / np.sqrt(ve**2 + 1)

    def alpha(self, i):
        return float(self.alphas[i])

    def sigma(self, i):
        return float(self.sigmas[i])

    def lambda_t(self, i):
        return math.inf if self.sigmas[i] == 0 else math.log(self.alphas[i] / self.sigmas[i])


def diffusers_orders(n_steps, order):
    """The order diffusers uses at each step (final sigma zero, lower_order_final=True)."""
    orders = []
    for i in range(n_steps):
        k = min(order, i + 1)
        if i == n_steps - 1:
            k = 1
        elif i == n_steps - 2 and n_steps < 15:
            k = min(k, 2)
        orders.append(k)
    return orders


class Float64DPMSolver(DPMSolverMultistepScheduler):
    """diffusers' multistep scheduler with the sample kept in float64 through its updates.

    The library's `step` casts the sample to float32 before updating it; here its own update
    methods receive the float64 sample instead. Everything else is the library's code.
    """

    def step(self, model_output, timestep, sample, **kwargs):
        self.sample64 = sample
        return super().step(model_output, timestep, sample, **kwargs)

    def dpm_solver_first_order_update(self, model_output, *args, sample=None, **kwargs):
        return super().dpm_solver_first_order_update(
            model_output, *args, sample=self.sample64, **kwargs
        )

    def multistep_dpm_solver_second_order_update(self, outputs, *args, sample=None, **kwargs):
        return super().multistep_dpm_solver_second_order_update(
            outputs, *args, sample=self.sample64, **kwargs
        )

    def multistep_dpm_solver_third_order_update(self, outputs, *args, sample=None, **kwargs):
        return super().multistep_dpm_solver_third_order_update(
            outputs, *args, sample=self.sample64, **kwargs
        )


def peer_scheduler(n_steps, float64=True, **config):
    """The library's multistep scheduler on the paper's discrete schedule, set to n_steps steps."""
    cls = Float64DPMSolver if float64 else DPMSolverMultistepScheduler
    scheduler = cls(
        num_train_timesteps=1000, beta_start=1e-4, beta_end=0.02, beta_schedule="linear",
        prediction_type="epsilon", solver_type="midpoint", lower_order_final=True,
        timestep_spacing="linspace", **config,
    )
    scheduler.set_timesteps(n_steps)
    if float64:
        scheduler.sigmas = scheduler.sigmas.double()  # the same (float32) values, used in float64
    return scheduler


def run_scheduler(scheduler, x_start, eps_fn, n_run=None):
    """Take the scheduler's first n_run steps (default all) from x_start (n, 64); return (n, 64)."""
    dtype = torch.float64 if isinstance(scheduler, Float64DPMSolver) else torch.float32
    n = x_start.shape[0]
    x = x_start.reshape(n, 1, 8, 8).to(dtype)  # image-shaped, for per-image thresholding
    for i, timestep in enumerate(scheduler.timesteps[:n_run]):
        eps = eps_fn(x.reshape(n, 64).double(), i)
        x = scheduler.step(eps.reshape(n, 1, 8, 8).to(dtype), timestep, x).prev_sample
    return x.reshape(n, 64).double()


def peer_check(order, n_steps, thresholding, x_start, labels, scale=8.0, max_value=1e9,
               float64=True, n_run=None):
    """Return max over pixels of |ours - diffusers|, per sample (n,), after n_run guided steps."""
    scheduler = peer_scheduler(
        n_steps, float64, algorithm_type="dpmsolver++", solver_order=order,
        final_sigmas_type="zero", thresholding=thresholding, dynamic_thresholding_ratio=0.995,
        sample_max_value=max_value,
    )
    table = TableSchedule(scheduler.sigmas.numpy())
    n_run = n_steps if n_run is None else n_run
    eps_plain = eps_from_x0(guided_x0_fn(labels, scale, sched=table), table)  # it thresholds itself
    theirs = run_scheduler(scheduler, x_start, eps_plain, n_run)
    x0_fn = guided_x0_fn(labels, scale, thresholding, sched=table)
    orders = diffusers_orders(n_steps, order)[:n_run]
    ours = dpmpp_multistep(x_start, x0_fn, list(range(n_run + 1)), orders, table)
    return (ours - theirs).abs().amax(dim=1)


peer_configs = [(order, n, thr) for order in (2, 3) for thr in (False, True) for n in (5, 10, 20)]
peer_gaps = {cfg: peer_check(*cfg, x_chk, labels_chk) for cfg in peer_configs}  # in float64
for (order, n, thr), gaps in peer_gaps.items():
    thr_text = "on " if thr else "off"
    print(f"order {order}, {n:2d} steps, thresholding {thr_text}: max |ours - diffusers| "
          f"{gaps.max():.1e}")
peer_gap = max(gaps.max().item() for gaps in peer_gaps.values())
assert peer_gap < 1e-9
trap_gap = peer_check(2, 10, True, x_chk, labels_chk, max_value=1.0).max().item()
print(f"with the default sample_max_value=1.0 instead: max |ours - diffusers| = {trap_gap:.2f}")


def peer_check_eps(n_steps, x_start, labels, scale=8.0):
    """Return max |ours - diffusers| for the noise-form multistep solver (n_steps >= 15)."""
    with warnings.catch_warnings():
        # diffusers deprecates algorithm_type="dpmsolver" (the noise-prediction form) with a
        # FutureWarning that says nothing about correctness; only that warning is silenced.
        warnings.filterwarnings(
            "ignore", message=".*dpmsolver.*deprecated.*", category=FutureWarning
        )
        scheduler = peer_scheduler(
            n_steps, algorithm_type="dpmsolver", solver_order=2, final_sigmas_type="sigma_min"
        )
    table = TableSchedule(scheduler.sigmas.numpy())
    eps_fn = eps_from_x0(guided_x0_fn(labels, scale, sched=table), sched=table)
    theirs = run_scheduler(scheduler, x_start, eps_fn)
    ours = dpm_solver_2m_eps(x_start, eps_fn, list(range(n_steps + 1)), table)
    return (ours - theirs).abs().max().item()


peer_gap_eps = max(peer_check_eps(n, x_chk, labels_chk) for n in (20, 30))
print(f"noise-form multistep, 20 and 30 steps: max |ours - diffusers| = {peer_gap_eps:.1e}")
assert peer_gap_eps < 1e-9

# %% [markdown]
# In float64, ours and `diffusers` agree to the gaps printed above, with and without thresholding,
# for orders 2 and 3; we assert $10^{-9}$, far above float64 rounding and far below any error in a
# formula. Our noise-form multistep baseline agrees with the library's `algorithm_type="dpmsolver"`
# to the same tolerance (checked at 20 and 30 steps, where the library takes no lower-order final
# step; its last step ends at the smallest training noise level, since $\lambda = \infty$ is out of
# reach in noise form). With the default `sample_max_value` the two differ at the scale of the
# images themselves: the library then clips instead of rescaling.
#
# Now the stock scheduler, float32 as shipped, on the same twelve runs. For the sample that ends
# farthest from ours we also measure how sensitive its data prediction is at the last noisy level:
# the spectral norm of the Jacobian $\partial \tilde x_0 / \partial x$ there, since the final step
# returns that prediction.


# %%
def prediction_jacobian_norms(x, labels, thresholding, i, sched, scale=8.0):
    """Spectral norms (n,) of the Jacobians of the guided predictions at grid index i, per row."""
    x0_fn = guided_x0_fn(labels, scale, thresholding, sched=sched)
    # rows do not interact, so the Jacobian of the sum over rows holds every row's Jacobian
    jac = torch.autograd.functional.jacobian(  # (64, n, 64)
        lambda z: x0_fn(z, i).sum(0), x, vectorize=True
    )
    return torch.linalg.matrix_norm(jac.permute(1, 0, 2), ord=2)


gaps32 = {cfg: peer_check(*cfg, x_chk, labels_chk, float64=False) for cfg in peer_configs}
median32 = torch.stack(list(gaps32.values())).median().item()
worst_cfg = max(gaps32, key=lambda cfg: gaps32[cfg].max().item())
order32, n32, thr32 = worst_cfg
k32 = gaps32[worst_cfg].argmax().item()  # the sample that ends farthest from ours
table32 = TableSchedule(peer_scheduler(n32).sigmas.numpy())
x_k, label_k = x_chk[k32 : k32 + 1], labels_chk[k32 : k32 + 1]
gaps_k = [  # float32 gap of sample k32 after r steps, r = 0 (the rounded start) to n32
    peer_check(*worst_cfg, x_chk, labels_chk, float64=False, n_run=r)[k32].item()
    for r in range(n32 + 1)
]
trace32 = []  # per step: sigma, float32 gaps before/after, Jacobian norms (used, unthresholded)
for m in range(n32):
    x_m = dpmpp_multistep(  # our state of sample k32 at grid index m
        x_k, guided_x0_fn(label_k, 8.0, thr32, sched=table32), list(range(m + 1)),
        diffusers_orders(n32, order32)[:m], table32,
    )
    jac_used, jac_raw = (
        prediction_jacobian_norms(x_m, label_k, thr, m, table32).item() for thr in (thr32, False)
    )
    trace32.append((table32.sigma(m), gaps_k[m], gaps_k[m + 1], jac_used, jac_raw))
assert median32 < 1e-5

# %% tags=["hide-input"]
print(f"stock float32 scheduler: median |ours - diffusers| over samples and runs {median32:.1e}; "
      f"largest {gaps32[worst_cfg][k32]:.1e}, at order {order32}, {n32} steps, thresholding "
      f"{'on' if thr32 else 'off'}, sample {k32}. Along that sample's trajectory:")
print("step  sigma   gap after  growth  Jacobian norm  (unthresholded)")
for m, (sigma_m, before, after, jac_used, jac_raw) in enumerate(trace32):
    print(f"{m:4d}  {sigma_m:.3f}  {after:9.1e}  {after / before:6.2f}  {jac_used:13.2f}  "
          f"({jac_raw:.2f})")

# %% [markdown]
# The stock scheduler agrees with ours to float32 rounding for the typical sample (the median
# printed above; we assert below $10^{-5}$), but not for every one: the largest gap over the twelve
# runs is printed above with the trajectory of the sample that carries it. An earlier version of
# this chapter asserted the float32 gap below $10^{-4}$, and at seed 11 in fast mode one sample
# (order 2, 20 steps, thresholding on) ended $5.1 \times 10^{-4}$ away. The table shows where such
# a gap comes from. For most of the trajectory it stays below about $10^{-6}$: each step adds fresh
# rounding, and the dynamics neither grow nor shrink it much (at step 0 the "growth" is only new
# rounding on top of the rounded starting noise). In the last few steps, at $\sigma$ below about
# 0.6, the gap grows by factors close to, or below, the Jacobian norm of the prediction at that
# step; the last step returns the prediction itself, so there the growth is that Jacobian applied
# to the gap in the state. Over seeds 0–4 and 11 in fast mode, the largest one-step growth was 7 to
# 43, at steps with Jacobian norms of 12 to 43. The kinks of thresholding (the quantile switching
# between pixels, $\kappa$ clamped at 1) are not the amplifier: at those steps the unthresholded
# prediction is just as sensitive (the last column); thresholding only lowers the sensitivity
# early on, where it divides by a large $\kappa$.
#
# Why is the prediction so sensitive there? Differentiating a mixture's data prediction (the whole
# mixture's or one class's), a responsibility-weighted average of the components' posterior means,
# gives
#
# ```{math}
# :label: eq-mixture-jacobian
# \frac{\partial\, \mathbb E[x_0 \mid x_t = x]}{\partial x} = \frac{\alpha\tau^2}{v}\, I
#   + \frac{\alpha\sigma^2}{v^2}\, \operatorname{Cov}_{r(x)}[\mu],
# \qquad v = \alpha^2\tau^2 + \sigma^2,
# ```
#
# where $\operatorname{Cov}_{r(x)}[\mu]$ is the covariance of the component centres $\mu_k$ under
# the responsibilities $r_k(x)$. The first term is at most $1/\alpha$ and survives guidance
# unchanged (the weights $1 - s$ and $s$ of {eq}`eq-cfg` add to one); the second is large only when
# the responsibilities are split between components whose centres lie far apart, and it grows as
# $\sigma$ falls. A Jacobian norm of 10 to 40 near the end therefore means that the sample passes
# between components there, where the exact mixture is close to discontinuous, and any difference
# in the state, float32 rounding included, is multiplied by tens. In float64 the same factors act
# on rounding of about $10^{-16}$: the largest float64 gap over those seeds, $5 \times 10^{-12}$,
# came from the same run at seed 11, well inside the asserted $10^{-9}$. So the float32 gap says
# nothing about either implementation's formulas; it is float32 precision meeting a sharply curved
# model. That is also why the check compares in float64.
#
# **3. Convergence orders against an exact flow map.** For Gaussian data the probability-flow map is
# known in closed form (`GaussianMixture.flow_map`, as in Chapter 11). We measure the largest error
# of 300 trajectories at 12 to 192 evaluations, and show pairwise slopes (between consecutive
# budgets) beside a slope fitted on 48–192 evaluations.

# %%
gaussian = GaussianMixture.gaussian(mean=[1.0, -0.5], cov=[[0.25, 0.10], [0.10, 0.09]])


def gaussian_x0(x, t):
    """Exact data prediction of the Gaussian."""
    alpha, sigma = vp.alpha(t), vp.sigma(t)
    return (x - sigma * gaussian.eps(x, alpha, sigma)) / alpha


def max_error(x, ref):
    """Largest Euclidean distance between paired endpoints."""
    return (x - ref).norm(dim=1).max().item()


x_gauss = torch.randn(300, 2, dtype=torch.float64, generator=torch.Generator().manual_seed(seed))
exact_gauss = gaussian.flow_map(
    x_gauss, vp.alpha(T_START), vp.sigma(T_START), vp.alpha(T_END), vp.sigma(T_END)
)
order_budgets = [12, 24, 48, 96, 192]
order_solvers = ["DDIM", "DPM-Solver++(2S)", "DPM-Solver++(2M)", "DPM-Solver++(3M)"]
gauss_err = {
    name: np.array(
        [max_error(solve(name, x_gauss, gaussian_x0, k), exact_gauss) for k in order_budgets]
    )
    for name in order_solvers
}
slopes, pairwise = {}, {}
for name, err in gauss_err.items():
    slopes[name] = np.polyfit(np.log(order_budgets[2:]), np.log(err[2:]), 1)[0]
    pairwise[name] = np.diff(np.log(err)) / np.diff(np.log(order_budgets))
header = "".join(f"{k:>9d}" for k in order_budgets)
print(f"evaluations:        {header}   fitted slope   pairwise slopes")
for name, err in gauss_err.items():
    pair = " ".join(f"{p:5.2f}" for p in pairwise[name])
    row = "".join(f"{e:9.1e}" for e in err)
    print(f"{name:<20s}{row}   {slopes[name]:6.2f}        {pair}")

# %% [markdown]
# DDIM converges at order 1, 2S and 2M at order 2, as the paper's analysis says. **3M does not reach
# order 3**: its pairwise slopes fall from about 2.7 towards 2. A Gaussian is a special problem (its
# data prediction is affine in $x$), so we repeat the test on Chapter 11's eight-component ring,
# whose reference is `scipy.integrate.solve_ivp` (DOP853, tolerance $10^{-12}$).

# %%
angles = 2 * np.pi * np.arange(8) / 8
ring = GaussianMixture(
    weights=np.full(8, 1 / 8),
    means=2.0 * np.stack([np.cos(angles), np.sin(angles)], axis=1),
    covs=np.tile(0.4**2 * np.eye(2), (8, 1, 1)),
)


def ring_x0(x, t):
    """Exact data prediction of the ring mixture."""
    alpha, sigma = vp.alpha(t), vp.sigma(t)
    return (x - sigma * ring.eps(x, alpha, sigma)) / alpha


def ode_reference(x_start, x0_fn, rtol, method):
    """Integrate dx/dlambda = alpha (x0 - alpha x) with scipy; return x at T_END and the count."""
    shape = x_start.shape

    def rhs(lam, y):
        t = vp.t_of_lambda(lam)
        x = torch.from_numpy(y.reshape(shape))
        return (vp.alpha(t) * (x0_fn(x, t) - vp.alpha(t) * x)).numpy().ravel()

    span = (vp.lambda_t(T_START), vp.lambda_t(T_END))
    sol = solve_ivp(rhs, span, x_start.numpy().ravel(), method=method, rtol=rtol, atol=rtol)
    assert sol.success, sol.message
    return torch.from_numpy(sol.y[:, -1].reshape(shape)), sol.nfev


x_ring = torch.randn(200, 2, dtype=torch.float64, generator=torch.Generator().manual_seed(seed + 1))
ref_ring, nfev_ring = ode_reference(x_ring, ring_x0, rtol=1e-12, method="DOP853")
ring_budgets = [48, 96, 192, 384]
ring_err_3m = np.array(
    [max_error(solve("DPM-Solver++(3M)", x_ring, ring_x0, k), ref_ring) for k in ring_budgets]
)
ring_pairwise_3m = np.diff(np.log(ring_err_3m)) / np.diff(np.log(ring_budgets))
print(f"ring, reference with {nfev_ring} evaluations; 3M errors at {ring_budgets}: "
      + " ".join(f"{e:.1e}" for e in ring_err_3m))
print("3M pairwise slopes on the ring: " + " ".join(f"{p:.2f}" for p in ring_pairwise_3m))
assert abs(slopes["DPM-Solver++(2M)"] + 2) < 0.3

# %% [markdown]
# On the ring too the pairwise slopes of 3M drift towards 2, not 3. The third-order multistep update
# {eq}`eq-dpmpp3m`, as written in `diffusers` and in the authors' released code, behaves as a
# second-order method here; on the Gaussian its error is still smaller than 2M's by a constant
# factor. Exercise {ref}`ch12-ex2` asks you to find the term responsible and repair it. The rest of
# the chapter uses the library's 3M update, on our own order schedule: order 3 from the third step
# on, with no lower-order final steps (section 5 shows what the library's schedule changes).
#
# **4. The references for the guided experiment.** Below, every solver is judged against `solve_ivp`
# (RK45, tolerance $10^{-7}$), which shares no code with the solvers under test. We check that
# reference against DPM-Solver++(2M) with 2000 steps on 32 guided trajectories at $s = 8$, with and
# without thresholding (where the right-hand side has kinks, which RK45's step control absorbs at
# the cost of more evaluations).

# %%
def reference_solution(x_start, x0_fn):
    """The accurate solution of the guided ODE used to judge every solver: RK45, tolerance 1e-7."""
    return ode_reference(x_start, x0_fn, rtol=1e-7, method="RK45")


n_ivp = 32
ref_gaps = {}
for thr in (False, True):
    x0_fn = guided_x0_fn(labels_chk[:n_ivp], 8.0, thr)
    ivp_end, ivp_nfev = reference_solution(x_chk[:n_ivp], x0_fn)
    fine_2m = solve("DPM-Solver++(2M)", x_chk[:n_ivp], x0_fn, 2000)
    ref_gaps[thr] = ((fine_2m - ivp_end).pow(2).mean(1).sqrt()).max().item()
    print(f"thresholding {'on ' if thr else 'off'}: solve_ivp used {ivp_nfev} evaluations; "
          f"largest RMS gap to 2M with 2000 steps = {ref_gaps[thr]:.1e}")
assert max(ref_gaps.values()) < 5e-5

# %% [markdown]
# The two agree to about $10^{-5}$ in RMS pixel error on every trajectory, more than a hundred times
# below the smallest median error the experiment judges (printed there). On the experiment's larger
# batch `solve_ivp`, which controls the error of the batch as a whole, can leave a few trajectories
# less accurate; the experiment checks its hardest reference again on the whole batch.
#
# ## Experiment
#
# ### 1. The data, and what guidance does to the data prediction
#
# First, the data. The top row shows one component mean of each class; the second row, samples of
# the mixture. Then, for one trajectory of the guided ODE at $s = 8$ (solved accurately), the guided
# data prediction $\tilde x_0$ at a few noise levels, without and with thresholding. The colour
# scale is fixed to the data range $[-1, 1]$; under each image are its time $t$ and its largest
# $|\tilde x_0|$. The starting noise and the target classes drawn here are used by every run below.

# %%
n_samples = utils.pick(64, 400)
gen = torch.Generator().manual_seed(seed + 2)
x_T = torch.randn(n_samples, 64, dtype=torch.float64, generator=gen)  # starting noise of every run
labels = torch.randint(0, 10, (n_samples,), generator=gen)  # the class each trajectory is guided to
data_samples = mixture.sample(labels[:10], generator=gen)

# %% tags=["hide-input"]
def trace_x0(x_start, x0_fn, n_steps=200, keep=(20, 60, 100, 130, 150, 165, 175, 185, 192, 198)):
    """Run 2M; return (time, data prediction of the first sample) at the steps listed in keep."""
    ts, kept, x, prev, prev_h = logsnr_grid(n_steps), [], x_start, None, None
    for i, (s, t) in enumerate(zip(ts[:-1], ts[1:])):
        h = vp.lambda_t(t) - vp.lambda_t(s)
        x0 = x0_fn(x, s)
        if i in keep:
            kept.append((s, x0[0]))
        d = x0 if prev is None else x0 + (x0 - prev) * h / (2 * prev_h)
        x = dpmpp_first_order_step(x, s, t, d)
        prev, prev_h = x0, h
    return kept


first_of_class = [int(torch.nonzero(mixture.labels == c)[0]) for c in range(10)]
rows = [
    ("one component mean per class", [(None, img) for img in mixture.means[first_of_class]]),
    ("samples of the mixture", [(None, img) for img in data_samples]),
]
for thr in (False, True):
    rows.append((f"guided x0 along one trajectory, s = 8, thresholding {'on' if thr else 'off'}",
                 trace_x0(x_T[:1], guided_x0_fn(labels[:1], 8.0, thr))))
fig = plt.figure(figsize=(6.8, 5.0), layout="constrained")
for subfig, (title, images) in zip(fig.subfigures(4, 1), rows):
    subfig.suptitle(title, fontsize=8)
    for ax, (t, img) in zip(subfig.subplots(1, 10), images):
        ax.imshow(img.reshape(8, 8), cmap="gray_r", vmin=-1, vmax=1)
        ax.set_xticks([])
        ax.set_yticks([])
        for spine in ax.spines.values():
            spine.set_visible(False)
        if t is not None:
            ax.set_xlabel(f"t={t:.2g}\nmax {img.abs().max():.1f}", fontsize=6)
fig.suptitle(f"Digits and the guided data prediction (target class {int(labels[0])})", fontsize=10)
plt.show()

# %% [markdown]
# The component means are clean digits and the mixture samples are those digits with a little pixel
# noise. Along the guided trajectory (left to right: from noise towards data) the unthresholded
# prediction is saturated early on, with pixels several times outside the data range (the colour
# scale clips them); it settles into the data range only near the end. Thresholding rescales the
# early predictions into $[-1, 1]$, which makes them look grey, and leaves the late ones alone. The
# next cell measures the largest $|\tilde x_0|$ along accurate trajectories for each guidance scale.

# %%
GUIDANCE = [0.0, 1.0, 2.0, 4.0, 8.0, 16.0]
x0_extent = {}
for scale in GUIDANCE:
    x0_fn = guided_x0_fn(labels[:32], scale)
    ts, x, biggest = logsnr_grid(100), x_T[:32], 0.0
    for s, t in zip(ts[:-1], ts[1:]):
        x0 = x0_fn(x, s)
        biggest = max(biggest, x0.abs().max().item())
        x = dpmpp_first_order_step(x, s, t, x0)
    x0_extent[scale] = biggest
print("guidance scale s:       " + "".join(f"{s:>7g}" for s in GUIDANCE))
print("largest |x0| on the way: " + "".join(f"{x0_extent[s]:7.1f}" for s in GUIDANCE))
per_unit = "".join(f"{x0_extent[s] / s:7.2f}" for s in GUIDANCE if s >= 4)
print(f"  divided by s (s >= 4):  {per_unit}")

# %% [markdown]
# The largest predicted pixel grows roughly in proportion to $s$: the guided prediction extrapolates
# by a factor $s$ along the difference of two predictions, here about 1.3 pixel units per unit of
# $s$ (printed), two thirds of the width of the data range $[-1, 1]$.
#
# ### 2. Error against evaluations, across guidance scales
#
# Now the paper's comparison. For each guidance scale $s \in \{0, 1, 2, 4, 8, 16\}$, with and
# without thresholding, we solve the guided ODE from the same noise with every solver at 10, 14, 20
# and 30 evaluations, and measure each sample's RMS pixel distance to the reference solution
# (`solve_ivp`, RK45) of the same ODE. We report the median over samples. A **trivial baseline**
# sets the scale: outputting the mean image of the target class, with no solve at all. An error
# above that is worse than useless. The second table checks the reference samples themselves:
# whether each lands on a component of the class it was guided to, and how far it is from the
# nearest component (an exact sample of a component is about $\tau = 0.1$ away in RMS). Every solver
# uses the same logSNR grid; Chapter 11 showed that the grid can change rankings, and Exercise
# {ref}`ch12-ex3` looks at a grid uniform in $t$.

# %%
BUDGETS = [10, 14, 20, 30]
N_SHOW = 8  # samples kept for the pictures and the explorer


def rms_error(x, ref):
    """RMS pixel distance of each sample to its reference, shape (n,)."""
    return (x - ref).pow(2).mean(1).sqrt()


def median_error(x, ref):
    """Median over samples of the RMS pixel error; inf if any sample is not finite."""
    err = rms_error(x, ref)
    return err.median().item() if torch.isfinite(err).all() else math.inf


references, errors, shown = {}, {}, {}
trivial_error = {}
for thr in (False, True):
    for scale in GUIDANCE:
        x0_fn = guided_x0_fn(labels, scale, thr)
        ref, _ = reference_solution(x_T, x0_fn)
        references[(scale, thr)] = ref
        trivial_error[(scale, thr)] = median_error(class_means[labels], ref)
        names = SOLVERS + ["DPM-Solver++(3M)"] if scale == 0 else SOLVERS
        for name in names:
            for k in BUDGETS:
                out = solve(name, x_T, x0_fn, k)
                errors[(scale, thr, name, k)] = median_error(out, ref)
                shown[(scale, thr, name, k)] = out[:N_SHOW].clone()
smallest = min(v for v in errors.values() if math.isfinite(v))
print(f"{len(errors)} runs; smallest median error {smallest:.1e}")
# solve_ivp controls the RMS error over the whole batch: check the hardest reference per trajectory.
fine_2m = solve("DPM-Solver++(2M)", x_T, guided_x0_fn(labels, 16.0, True), 1000)
batch_gap = rms_error(fine_2m, references[(16.0, True)])
print(f"reference (s = 16, thresholding) vs 2M with 1000 steps: "
      f"median gap {batch_gap.median():.1e}, largest {batch_gap.max():.1e}")
assert batch_gap.median() < 1e-5

# %% tags=["hide-input"]
print("reference samples, guidance scale s:      " + "".join(f"{s:>7g}" for s in GUIDANCE))
for thr in (False, True):
    on_target, distance = [], []
    for scale in GUIDANCE:
        dist = torch.cdist(references[(scale, thr)], mixture.means)  # (n, K)
        on_target.append((mixture.labels[dist.argmin(1)] == labels).double().mean().item())
        distance.append(dist.min(1).values.median().item() / 8)  # RMS over 64 pixels
    thr_text = "on " if thr else "off"
    on_text = "".join(f"{v:7.2f}" for v in on_target)
    dist_text = "".join(f"{v:7.3f}" for v in distance)
    print(f"  thresholding {thr_text}: on the target class   {on_text}")
    print(f"  thresholding {thr_text}: RMS to nearest comp.  {dist_text}")
print()
budgets_text = ", ".join(map(str, BUDGETS))


def error_table(thr, scales=(1.0, 8.0, 16.0)):
    """Print median errors for the given guidance scales."""
    thr_text = "on" if thr else "off"
    print(f"thresholding {thr_text}; median RMS pixel error at {budgets_text} evaluations")
    for scale in scales:
        print(f"  s = {scale:g}   (trivial class-mean output: {trivial_error[(scale, thr)]:.3f})")
        for name in SOLVERS:
            vals = "  ".join(f"{errors[(scale, thr, name, k)]:7.3f}" for k in BUDGETS)
            print(f"    {name:<22s} {vals}")


error_table(thr=False)
error_table(thr=True)
gain_thr = [
    errors[(sc, True, "DDIM", k)] / errors[(sc, True, "DPM-Solver++(2M)", k)]
    for sc in GUIDANCE
    for k in BUDGETS
]
print(f"with thresholding, DDIM error / DPM-Solver++(2M) error over all scales and budgets: "
      f"{min(gain_thr):.1f} to {max(gain_thr):.1f}")
print()
print(f"DPM-Solver++(2M) error / RK2-in-t error at {budgets_text} evaluations")
for thr in (False, True):
    for scale in (1.0, 8.0, 16.0):
        ratios = [
            errors[(scale, thr, "DPM-Solver++(2M)", k)] / errors[(scale, thr, "RK2 in t", k)]
            for k in BUDGETS
        ]
        vals = "  ".join(f"{r:5.2f}" for r in ratios)
        print(f"  thresholding {'on ' if thr else 'off'}, s = {scale:<4g} {vals}")
rk_worst = {
    name: max(
        errors[(sc, thr, name, k)] / trivial_error[(sc, thr)]
        for sc in GUIDANCE for thr in (False, True) for k in BUDGETS
    )
    for name in ("RK2 in lambda", "RK2 in t")
}
print("largest error relative to the class-mean output, over all scales, budgets, thresholding: "
      + ", ".join(f"{name} {v:.2f}" for name, v in rk_worst.items()))

# %% [markdown]
# The hardest reference ($s = 16$ with thresholding) agrees with 2M at 1000 steps to a median gap
# hundreds of times below the errors we judge; its largest gap, on a few trajectories, is bigger,
# which the medians reported here do not see.
#
# The reference samples behave as they should: every guided one ($s \ge 1$) lies on a component of
# its target class, while unguided ones ($s = 0$) match the randomly drawn label only by chance.
# Their distance to the nearest component is about $\tau$ and grows a little with $s$. With
# thresholding it is larger: the components carry pixel noise of size $\tau$, so the data themselves
# stray a little past $\pm 1$, and {eq}`eq-threshold` rescales any prediction that does, even an
# exact one. The thresholded ODE is a different ODE, slightly biased towards the inside of the box.
#
# The figure draws the error tables for $s = 1$ and $s = 8$, without thresholding (top) and with it
# (bottom). The dashed line is the trivial class-mean baseline.

# %% tags=["hide-input"]
STYLE = {
    "DDIM": ("k", "o"),
    "DPM-Solver-2": ("C3", "s"),
    "RK2 in lambda": ("C5", "v"),
    "RK2 in t": ("C4", "<"),
    "DPM-Solver++(2S)": ("C1", "^"),
    "DPM-Solver-2M (eps)": ("C2", "D"),
    "DPM-Solver++(2M)": ("C0", "o"),
}
fig, axes = plt.subplots(2, 2, figsize=(6.8, 5.6), sharex=True, sharey=True)
for row, thr in enumerate((False, True)):
    for col, scale in enumerate((1.0, 8.0)):
        ax = axes[row, col]
        for name, (color, marker) in STYLE.items():
            vals = [min(errors[(scale, thr, name, k)], 1e2) for k in BUDGETS]
            ax.loglog(BUDGETS, vals, marker=marker, color=color, ms=4, lw=1.2, label=name)
        trivial = trivial_error[(scale, thr)]
        ax.axhline(trivial, color="0.5", ls="--", lw=1, label="class mean (trivial)")
        ax.set_title(f"s = {scale:g}, thresholding {'on' if thr else 'off'}", fontsize=9)
        ax.set_xticks(BUDGETS, labels=[str(k) for k in BUDGETS])
        ax.xaxis.set_minor_formatter(plt.NullFormatter())
        if row == 1:
            ax.set_xlabel("network evaluations")
        if col == 0:
            ax.set_ylabel("median RMS pixel error")
handles, names = axes[0, 0].get_legend_handles_labels()
fig.legend(handles, names, loc="lower center", ncol=4, fontsize=7, bbox_to_anchor=(0.5, -0.01))
fig.suptitle("Guided digits: error against evaluations", fontsize=10)
fig.tight_layout(rect=(0, 0.07, 1, 1))
plt.show()

# %% [markdown]
# With the plain conditional model ($s = 1$, top left), 2S and both multistep methods beat DDIM at
# every budget, while DPM-Solver-2 does so only from 20 evaluations on (Chapter 11's caveat again).
# The two Runge–Kutta baselines differ sharply: RK2 in $\lambda$ is worse than DDIM up to 20
# evaluations, while RK2 in $t$, on the same logSNR grid, matches DDIM at 10 evaluations and beats it
# from 14 on, as it was competitive in Chapter 11. At $s = 8$ without thresholding (top right),
# DPM-Solver-2 leaves the picture: at 14 evaluations its median error is several times that of the
# trivial class-mean output, which is the instability the paper describes. Its data-prediction twin
# 2S, with the same intermediate point and the same cost, stays below DDIM. Neither Runge–Kutta
# method blows up at any scale or budget (their largest errors relative to the class-mean output
# are printed above: RK2 in $t$ stays far below it, RK2 in $\lambda$ comes close to it at 10
# evaluations).
# DPM-Solver++(2M) stays bounded but at 10 evaluations is *worse* than DDIM, and without
# thresholding it is no better than RK2 in $t$ at large $s$ (the ratio table above the figure). With
# thresholding (bottom row) no solver blows up, and DPM-Solver++(2M) beats DDIM at every scale and
# budget, and RK2 in $t$ too (ratios of about 0.2 to 0.4 in the table above the figure);
# DPM-Solver-2 is still worse than DDIM at 10 evaluations.
#
# Why does DPM-Solver-2 fail where 2S, with the same two evaluations per step, does not? By
# {eq}`eq-hidden-extrapolation` the two differ only in the prediction they feed the last line: 2S
# feeds $\tilde x_0(u)$, DPM-Solver-2 feeds $\tilde x_0(u) + c(h)(\tilde x_0(u) - \tilde x_0(s))$.
# The next cell prints the step coefficients of {eq}`eq-y-picture` and $c(h)$ at three budgets. Then,
# as in Chapter 11, it puts both solvers on the accurate trajectory: from the accurate state at each
# step start of the 14-evaluation grid (DPM-Solver++(2M) with 100 substeps per step), one step of
# each, and the median RMS distance to the accurate state at the step's end. Beside it, the median
# RMS size of the hidden extrapolation $c(h)(\tilde x_0(u) - \tilde x_0(s))$ on that step.

# %%
for nfe in (10, 14, 30):
    h = lam_range / (nfe // 2)
    print(f"{nfe} evaluations = {nfe // 2} singlestep steps of h = {h:.2f}: "
          f"1 - e^-h = {-math.expm1(-h):.2f}, 2 sinh(h/2) = {2 * math.sinh(h / 2):.2f}, "
          f"c(h) = e^(h/2) - 1 = {math.expm1(h / 2):.2f}")


def accurate_states(x_start, x0_fn, n_steps, substeps=100):
    """States at the n_steps + 1 logSNR grid points, from 2M with `substeps` steps per step."""
    fine = logsnr_grid(n_steps * substeps)
    states, x, prev, prev_h = [x_start], x_start, None, None
    for i, (s, t) in enumerate(zip(fine[:-1], fine[1:])):
        h = vp.lambda_t(t) - vp.lambda_t(s)
        x0 = x0_fn(x, s)
        d = x0 if prev is None else x0 + (x0 - prev) * h / (2 * prev_h)
        x, prev, prev_h = dpmpp_first_order_step(x, s, t, d), x0, h
        if (i + 1) % substeps == 0:
            states.append(x)
    return states


def one_step_diagnosis(x0_fn, n_steps=7):
    """Per step from the accurate state: DPM-Solver-2 and 2S errors, hidden extrapolation size."""
    ts, states = logsnr_grid(n_steps), accurate_states(x_T, x0_fn, n_steps)
    rows = []
    for i, (s, t) in enumerate(zip(ts[:-1], ts[1:])):
        h = vp.lambda_t(t) - vp.lambda_t(s)
        s1 = vp.t_of_lambda(vp.lambda_t(s) + h / 2)
        x0_s = x0_fn(states[i], s)
        x0_u = x0_fn(dpmpp_first_order_step(states[i], s, s1, x0_s), s1)
        push = math.expm1(h / 2) * (x0_u - x0_s)
        dpm2 = dpmpp_first_order_step(states[i], s, t, x0_u + push)  # DPM-Solver-2, eq. (9)
        two_s = dpmpp_first_order_step(states[i], s, t, x0_u)  # DPM-Solver++(2S), eq. (5)
        rows.append([median_error(dpm2, states[i + 1]), median_error(two_s, states[i + 1]),
                     push.pow(2).mean(1).sqrt().median().item()])
    return np.array(rows)  # (n_steps, 3)


diagnosis = {scale: one_step_diagnosis(guided_x0_fn(labels, scale)) for scale in (1.0, 8.0, 16.0)}
for scale, rows in diagnosis.items():
    print(f"s = {scale:g}, 14 evaluations, one step from the accurate trajectory, steps 1 to 7:")
    for j, what in enumerate(["DPM-Solver-2 error", "DPM-Solver++(2S) error",
                              "hidden extrapolation"]):
        print(f"  {what:<24s}" + " ".join(f"{v:7.3f}" for v in rows[:, j]))
lam_7 = np.linspace(lam_start, lam_end, 8)
worst_step = int(np.argmax(diagnosis[8.0][:, 2]))
step_ratio = {sc: rows[worst_step, 0] / rows[worst_step, 1] for sc, rows in diagnosis.items()}
print(f"s = 8: largest hidden extrapolation on step {worst_step + 1}, lambda from "
      f"{lam_7[worst_step]:.2f} to {lam_7[worst_step + 1]:.2f}; on that step DPM-Solver-2 error / "
      "2S error = " + ", ".join(f"{v:.1f} (s = {sc:g})" for sc, v in step_ratio.items()))

# %% [markdown]
# At 10 and 14 evaluations the coefficient $2\sinh(h/2)$ is above 1 and the hidden extrapolation
# weight $c(h)$ is about 1 or more; at 30 evaluations both are small. From the accurate trajectory,
# DPM-Solver-2's one-step error is concentrated on one step, the one where the hidden extrapolation
# is largest: the step across the stretch of $\lambda$ where, as in Chapter 11, the trajectories
# choose their mode, and where guided predictions change most. On that step the extrapolation
# grows with $s$; at $s = 8$ and $16$ DPM-Solver-2's error there is several times 2S's, while at
# $s = 1$ the two are about equal (the ratios are printed). 2S differs from DPM-Solver-2 by exactly
# this term. So the extrapolation of the guided data prediction that the noise form hides in its
# last line is what goes wrong. What this does not tell is *when* a whole trajectory blows up: at
# $s = 8$ DPM-Solver-2's error at 14 evaluations is larger than at 10, although the coefficients
# are smaller, so the outcome also depends on where the long steps fall and on how errors are
# carried forward. Exercise {ref}`ch12-ex1` turns the coefficient
# into a step count.
#
# ### 3. How the comparison changes with the guidance scale
#
# The next figure shows error against the guidance scale at 10 and at 20 evaluations, without
# thresholding, for DDIM, the two singlestep second-order methods, and the two multistep ones.

# %% tags=["hide-input"]
fig, axes = plt.subplots(1, 2, figsize=(6.8, 3.8), sharey=True)
scales_plot = [s for s in GUIDANCE if s > 0]
for ax, k in zip(axes, (10, 20)):
    for name in SOLVERS:
        if name == "RK2 in lambda":
            continue
        color, marker = STYLE[name]
        ax.loglog(scales_plot, [min(errors[(s, False, name, k)], 1e2) for s in scales_plot],
                  marker=marker, color=color, ms=4, lw=1.2, label=name)
    trivial = [trivial_error[(s, False)] for s in scales_plot]
    ax.loglog(scales_plot, trivial, "--", color="0.5", lw=1, label="class mean (trivial)")
    ax.set_xticks(scales_plot, labels=[f"{s:g}" for s in scales_plot])
    ax.xaxis.set_minor_formatter(plt.NullFormatter())
    ax.set_xlabel("guidance scale s")
    ax.set_title(f"{k} evaluations, no thresholding", fontsize=9)
axes[0].set_ylabel("median RMS pixel error")
handles, names = axes[0].get_legend_handles_labels()
fig.legend(handles, names, loc="lower center", ncol=3, fontsize=7, bbox_to_anchor=(0.5, -0.01))
fig.suptitle("Guided digits: error against the guidance scale", fontsize=10)
fig.tight_layout(rect=(0, 0.13, 1, 1))
plt.show()

# %% [markdown]
# DDIM's error hardly depends on $s$, and RK2-in-$t$'s grows by at most about a factor of two from
# $s = 1$ to $s = 16$. DPM-Solver-2's error grows by two orders of
# magnitude from $s = 1$ to $s = 16$, not monotonically: whether a trajectory blows up depends on
# where the steps fall. DPM-Solver++(2M)'s error also grows with $s$, slowly; it crosses DDIM's
# between $s = 4$ and $s = 8$ at 10 evaluations, and stays below it at 20. The multistep update in
# noise form, which the paper does not recommend, is the most accurate solver at every scale in this
# model, as the same update was in Chapter 11's last exercise without guidance.
#
# ### 4. What the samples look like
#
# Errors are medians; the pictures show what they mean. Here are the first eight samples at $s = 8$,
# 14 evaluations, without thresholding, next to the reference (this is the explorer's default view;
# the explorer below changes $s$, the budget and thresholding).


# %% tags=["hide-input"]
def plot_samples(guidance: float = 8.0, nfe: int = 14, thresholding: str = "off") -> plt.Figure:
    """Reference and solver samples (rows) for one guidance scale, budget and thresholding."""
    thr = thresholding == "on"
    rows = [("reference", references[(guidance, thr)][:N_SHOW], None)]
    for name in ["DDIM", "DPM-Solver-2", "RK2 in t", "DPM-Solver++(2M)"]:
        rows.append((name, shown[(guidance, thr, name, nfe)], errors[(guidance, thr, name, nfe)]))
    fig, axes = plt.subplots(len(rows), N_SHOW, figsize=(6.8, 4.4))
    for r, (name, images, err) in enumerate(rows):
        for j in range(N_SHOW):
            ax = axes[r, j]
            ax.imshow(images[j].reshape(8, 8).numpy(), cmap="gray_r", vmin=-1, vmax=1)
            ax.set_xticks([])
            ax.set_yticks([])
            for spine in ax.spines.values():
                spine.set_visible(False)
        label = name if err is None else f"{name}\nerror {err:.3g}"
        axes[r, 0].set_ylabel(label, fontsize=7, rotation=0, ha="right", va="center")
    title = f"Guided samples, s = {guidance:g}, {nfe} evaluations, thresholding {thresholding}"
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig


plot_samples()
plt.show()

# %% [markdown]
# DDIM, RK2 in $t$ and DPM-Solver++(2M) all give digits that are hard to tell from the reference;
# DPM-Solver-2's samples are saturated, with pixels far outside $[-1, 1]$ (drawn black or white),
# and most show a different digit from the reference. At 10 evaluations, by contrast, most of its
# samples at $s = 8$ are still digits (median error about 0.1): the blow-up depends on how the steps
# fall, which is why the claim check below takes the worst case over 10 to 20 evaluations.
#
# ### 5. Unconditional sampling and 3M
#
# For unconditional sampling ($s = 0$) `diffusers` recommends the third-order multistep update. The
# table compares it with 2M and DDIM. Our multistep runs use the highest order the history allows
# at every step; `diffusers` (with `lower_order_final=True`) also lowers the order of the last
# step to 1 and, below 15 steps, of the second-to-last to at most 2. The last two rows run both
# multistep methods on that schedule (`diffusers_orders` from cross-check 2), on the same grid.

# %% tags=["hide-input"]
print(f"s = 0 (unconditional), no thresholding; median RMS pixel error at {budgets_text}")
for name in ["DDIM", "DPM-Solver++(2S)", "DPM-Solver++(2M)", "DPM-Solver++(3M)"]:
    print(f"  {name:<26s}" + "  ".join(f"{errors[(0.0, False, name, k)]:7.4f}" for k in BUDGETS))
x0_uncond, ref_uncond = guided_x0_fn(labels, 0.0), references[(0.0, False)]
for order in (2, 3):
    lib_schedule = [
        median_error(
            dpmpp_multistep(x_T, x0_uncond, logsnr_grid(k), diffusers_orders(k, order)), ref_uncond
        )
        for k in BUDGETS
    ]
    name = f"DPM-Solver++({order}M), lib. orders"
    print(f"  {name:<26s}" + "  ".join(f"{e:7.4f}" for e in lib_schedule))

# %% [markdown]
# Both multistep methods are more accurate than DDIM at 10 to 30 evaluations. On our schedule 3M is
# *less* accurate than 2M at every budget. On the library's schedule the picture changes at the
# smallest budget: lowering the order of the last steps helps 3M a lot at 10 evaluations, where it
# then beats 2M, and hardly matters from 14 on, where 2M stays ahead. So in this model the
# recommendation of order 3 for unconditional sampling holds at most at 10 evaluations, and only
# with the lower-order final steps; at the paper's 15 to 20 steps it is not borne out. The 3M update
# is only second order (cross-check 3); our guess, not isolated here, is that at 14 to 30
# evaluations its extra extrapolation over steps of $h \approx 0.3$ to $0.7$ costs more than it
# gains.
#
# ### 6. The caveat: 2M against DDIM at 10 evaluations without thresholding
#
# A first 2-D prototype of this chapter (a Gaussian mixture in the plane, guided towards one
# component) found that with strong guidance 2M did not beat DDIM. In the digits model the loss is
# confined to the smallest budget without thresholding, and it grows with $s$:

# %%
def ratio_2m_ddim(scale, thr, nfe=10):
    """DPM-Solver++(2M) error / DDIM error."""
    return errors[(scale, thr, "DPM-Solver++(2M)", nfe)] / errors[(scale, thr, "DDIM", nfe)]


print("s:                            " + "".join(f"{s:>7g}" for s in GUIDANCE))
for thr in (False, True):
    ratios = "".join(f"{ratio_2m_ddim(s, thr):7.2f}" for s in GUIDANCE)
    print(f"2M / DDIM at 10 evals, {'thr:   ' if thr else 'no thr:'}{ratios}")


def extrapolation_size(x0_fn, nfe):
    """Largest (over steps) median RMS size of 2M's correction (x0_i - x0_{i-1}) / (2 r)."""
    ts, x, prev, prev_h, biggest = logsnr_grid(nfe), x_T, None, None, 0.0
    for s, t in zip(ts[:-1], ts[1:]):
        h = vp.lambda_t(t) - vp.lambda_t(s)
        x0 = x0_fn(x, s)
        d = x0
        if prev is not None:
            correction = (x0 - prev) * h / (2 * prev_h)
            biggest = max(biggest, correction.pow(2).mean(1).sqrt().median().item())
            d = x0 + correction
        x = dpmpp_first_order_step(x, s, t, d)
        prev, prev_h = x0, h
    return biggest


for thr in (False, True):
    sizes = [extrapolation_size(guided_x0_fn(labels, s, thr), 10) for s in (1.0, 8.0, 16.0)]
    thr_text = "on " if thr else "off"
    sizes_text = "  ".join(f"{v:.2f}" for v in sizes)
    print(f"largest 2M correction, 10 evals, thresholding {thr_text} (s = 1, 8, 16): {sizes_text}")

# %% [markdown]
# Without thresholding, the ratio rises above 1 between $s = 4$ and $s = 8$; with thresholding it
# stays well below 1 at every scale. The size of 2M's extrapolation term
# $(x_\theta^{(i)} - x_\theta^{(i-1)})/(2r)$ grows with $s$ without thresholding and is capped with
# it. Our reading, a conjecture consistent with these numbers rather than a proof: 2M extrapolates
# the data prediction linearly, and with 10 steps of about 1 in $\lambda$ a guided prediction that
# changes by about a full data range between steps (twice the correction printed above) is poorly
# extrapolated; thresholding bounds the prediction and so bounds the change. This is the paper's
# argument for thresholding, visible at laptop scale.
#
# In short: against DDIM, the paper's headline holds in this model with thresholding at every
# budget and without it from 14 evaluations on (from 20 at $s = 16$); the instability of the
# noise-form singlestep solver reproduces sharply. Against a same-order Runge–Kutta method in $t$,
# 2M wins clearly only with thresholding (or at small $s$). And the paper's preference for the
# data-prediction form is borne out only for singlestep methods, since the noise-form multistep
# update is even more accurate here.

# %% [markdown]
# ## Claim check
#
# Rows use the runs above: median RMS pixel error over the samples, guidance scale $s$, evaluations
# as stated. The first eight rows test the paper's claims, the next five record what holds instead
# where this model disagrees with the paper or the library, and the last three cross-check the
# code. Thresholds were fixed from a prototype before the final runs, with margin; three "instead"
# rows (3M against 2M, the caveat, the noise-form multistep) were then made stricter, so that a
# degenerate implementation (3M reduced to 2M, 2M reduced to DDIM, the two multistep forms made
# identical) fails them. The two rows against RK2 in $t$ and the identity row were added in a
# revision, with thresholds set from one fast-mode prototype run (seed 0) with a margin of about
# two, before the runs reported here. The diffusers row was tightened in a later revision from
# $10^{-4}$ to $10^{-9}$, when that comparison moved to float64 (cross-check 2: in float32 one
# sample exceeded $10^{-4}$ at seed 11); over seeds 0–4 and 11 in fast mode it stayed below
# $10^{-11}$. The rows on the Gaussian and the identity row barely change with the seed (the
# Gaussian's flow is linear, and the algebra is exact); the guided-digit rows are the ones that
# other seeds test. The closest to its threshold is the caveat
# row: over seeds 0–4 in fast mode and 0–2 in full mode it ranged from 1.18 to 1.44 against 1.1,
# so DDIM's win at 10 evaluations without thresholding holds in sign at every seed but is small.
# The instability row is carried by one budget: at $s = 8$ only 14 evaluations take DPM-Solver-2
# above the class-mean output (at 10 and 20 it is worse than DDIM but far below the class mean);
# at $s = 16$, 10 and 14 evaluations both do (section 2).

# %%
err = errors
def worst_s8(name, budgets=(10, 14, 20)):
    """Largest median error of a solver at s = 8 without thresholding over the given budgets."""
    return max(err[(8.0, False, name, k)] for k in budgets)


unstable_ratio = worst_s8("DPM-Solver-2") / trivial_error[(8.0, False)]
bounded_ratio = worst_s8("DPM-Solver++(2M)") / trivial_error[(8.0, False)]
form_ratio = worst_s8("DPM-Solver-2") / worst_s8("DPM-Solver++(2S)")
headline_ratio = max(ratio_2m_ddim(8.0, True, k) for k in (14, 20))
utils.check_claims(
    "12",
    [
        utils.Claim(
            "s = 8, thresholding, 14 and 20 evals: DPM-Solver++(2M) error / DDIM error (worse one)",
            "good guided samples in 15-20 steps (abstract)",
            headline_ratio,
            "<=",
            0.5,
            kind="paper",
        ),
        utils.Claim(
            "s = 8, no thresholding: worst DPM-Solver-2 error (10-20 evals) / class-mean error",
            "unstable, slower than DDIM at large s (abstract)",
            unstable_ratio,
            ">=",
            1.0,
            kind="paper",
        ),
        utils.Claim(
            "s = 8, no thresholding: worst DPM-Solver++(2M) error (10-20 evals) / class-mean error",
            "n/a (stays bounded)",
            bounded_ratio,
            "<=",
            0.25,
            kind="paper",
        ),
        utils.Claim(
            "s = 8, no thresholding: worst DPM-Solver-2 (eps) / worst DPM-Solver++(2S) (data)",
            "n/a (data prediction is more stable)",
            form_ratio,
            ">=",
            10.0,
            kind="paper",
        ),
        utils.Claim(
            "s = 8 with thresholding, 10 evals: DPM-Solver-2 error / DDIM error",
            "high-order solvers worse than DDIM",
            err[(8.0, True, "DPM-Solver-2", 10)] / err[(8.0, True, "DDIM", 10)],
            ">=",
            1.5,
            kind="paper",
        ),
        utils.Claim(
            "s = 8, no thresholding, 20 evals: DPM-Solver++(2M) error / DDIM error",
            "n/a (latent space: faster convergence)",
            ratio_2m_ddim(8.0, False, 20),
            "<=",
            0.75,
            kind="paper",
        ),
        utils.Claim(
            "s = 8, thresholding, 14 evals: DPM-Solver++(2M) error / RK2-in-t error",
            "n/a (same-order baseline)",
            err[(8.0, True, "DPM-Solver++(2M)", 14)] / err[(8.0, True, "RK2 in t", 14)],
            "<=",
            0.5,
            kind="paper",
        ),
        utils.Claim(
            "s = 0 (unconditional), 14 evals: DPM-Solver++(3M) error / DDIM error",
            "n/a (3M recommended unconditionally)",
            err[(0.0, False, "DPM-Solver++(3M)", 14)] / err[(0.0, False, "DDIM", 14)],
            "<=",
            0.5,
            kind="paper",
        ),
        utils.Claim(
            "s = 0 (unconditional), 14 evals: 3M error / 2M error (> 1: 2M wins)",
            "n/a (order 3 recommended unconditionally)",
            err[(0.0, False, "DPM-Solver++(3M)", 14)] / err[(0.0, False, "DPM-Solver++(2M)", 14)],
            ">=",
            1.2,
            kind="instead",
        ),
        utils.Claim(
            "Caveat: s = 8, no thresholding, 10 evals: 2M error / DDIM error (> 1: DDIM wins)",
            "n/a",
            ratio_2m_ddim(8.0, False, 10),
            ">=",
            1.1,
            kind="instead",
        ),
        utils.Claim(
            "s = 8, no thresholding, 14 evals: multistep in eps form / DPM-Solver++(2M) error",
            "n/a (paper prefers data prediction)",
            err[(8.0, False, "DPM-Solver-2M (eps)", 14)]
            / err[(8.0, False, "DPM-Solver++(2M)", 14)],
            "<=",
            0.8,
            kind="instead",
        ),
        utils.Claim(
            "s = 8, no thresholding, 20 evals: 2M error / RK2-in-t error (not twice as accurate)",
            "n/a",
            err[(8.0, False, "DPM-Solver++(2M)", 20)] / err[(8.0, False, "RK2 in t", 20)],
            ">=",
            0.5,
            kind="instead",
        ),
        utils.Claim(
            "3M as in diffusers is not third order: fitted slope on the Gaussian (48-192 evals)",
            "order 3 by name",
            slopes["DPM-Solver++(3M)"],
            ">=",
            -2.5,
            kind="instead",
        ),
        utils.Claim(
            "DPM-Solver-2 = data-form step with extrapolated prediction, eq. (9), max |diff|",
            "n/a (algebra)",
            extrapolation_gap,
            "<=",
            1e-9,
            kind="code",
        ),
        utils.Claim(
            "DPM-Solver++(2M) is second order: |slope + 2| on the Gaussian",
            "order 2",
            abs(slopes["DPM-Solver++(2M)"] + 2),
            "<=",
            0.3,
            kind="code",
        ),
        utils.Claim(
            "diffusers scheduler in float64 (2M, 3M, thresholding on/off) vs ours, max |diff|",
            "n/a (peer check)",
            peer_gap,
            "<=",
            1e-9,
            kind="code",
        ),
    ],
    headline=(
        "DPM-Solver++ samples guided diffusion models well in 15 to 20 steps,"
        " where earlier high-order solvers are unstable"
    ),
    verdict="partly reproduced",
)

# %% [markdown]
# ## Explore
#
# The guidance scale is what the paper's claim turns on. Move it, the budget, and thresholding, and
# watch the samples of DDIM, DPM-Solver-2, RK2 in $t$ and DPM-Solver++(2M) against the reference.
# Every frame is drawn from the runs above. Things to try: at $s = 16$ and 10 evaluations
# DPM-Solver-2 produces noise; switch thresholding on and digits reappear, though less accurate
# than DDIM's. At $s = 1$ all four are close to the reference even at 10 evaluations. Compare 2M
# with RK2 in $t$ at $s = 16$ with and without thresholding.

# %%
utils.explore(
    plot_samples, guidance=[1.0, 4.0, 8.0, 16.0], nfe=[10, 14, 20], thresholding=["off", "on"]
)

# %% [markdown]
# ## Exercises
#
# ```{exercise}
# :label: ch12-ex1
#
# By {eq}`eq-y-picture`, DPM-Solver-2 moves $y$ by $2\sinh(h/2)$ times the gap
# $\tilde x_0(u) - y_u$, so its step covers more than that whole gap when $2\sinh(h/2) > 1$. Taking
# $2\sinh(h/2) \le 1$ as the mark of a safe step is a rule of thumb, not a bound: the step starts
# at $y_s$, not at $y_u$, and by {eq}`eq-hidden-extrapolation` the prediction it feeds is
# extrapolated at every $h$. Find the
# largest step `h_critical` with $2\sinh(h/2) \le 1$, and the smallest even number of
# evaluations `min_nfe` for which DPM-Solver-2 on this chapter's logSNR grid (the range `lam_range`
# split into `min_nfe / 2` equal steps) has $h \le$ `h_critical`.
# ```
#
# ```{solution-start} ch12-ex1
# :class: dropdown
# ```

# %% tags=["solution"]
### BEGIN SOLUTION
h_critical = 2 * math.asinh(0.5)  # solves 2 sinh(h / 2) = 1
min_nfe = 2 * math.ceil(lam_range / h_critical)
### END SOLUTION
print(f"h_critical = {h_critical:.3f}, min_nfe = {min_nfe}")

# %% [markdown]
# $2\sinh(h/2) = 1$ gives
# $h = 2\,\operatorname{arsinh}(1/2) = 2\log\frac{1+\sqrt5}{2} \approx 0.962$, twice the logarithm
# of the golden ratio. The range of about 9.6 in $\lambda$ then needs 10 steps, i.e. 20 evaluations;
# in the experiment, DPM-Solver-2 stops blowing up at 20 evaluations for $s = 8$. The criterion is a
# rule of thumb for one step, neither necessary (at $s = 1$ nothing blows up even at 10 evaluations)
# nor sufficient (at $s = 16$ and 20 evaluations the error is still far above DDIM's).
#
# ```{solution-end}
# ```

# %% tags=["check", "remove-input"]
utils.check_that(
    "ch12-ex1",
    lambda: abs(2 * math.sinh(h_critical / 2) - 1) < 1e-9,
    "2 sinh(h_critical / 2) equals 1",
)
utils.check_that(
    "ch12-ex1",
    lambda: min_nfe % 2 == 0
    and lam_range / (min_nfe / 2) <= h_critical < lam_range / (min_nfe / 2 - 1),
    "min_nfe / 2 equal steps are short enough and one step fewer is not",
)
### BEGIN HIDDEN TESTS
utils.check_value("ch12-ex1", h_critical, 0.9624236501192069, rtol=1e-9)
utils.check_value("ch12-ex1", min_nfe, 20, rtol=0)
### END HIDDEN TESTS

# %% [markdown]
# ```{exercise}
# :label: ch12-ex2
#
# The cross-check found that 3M, as in {eq}`eq-dpmpp3m`, converges at order 2. Expand $x_\theta$ to
# second order in $\lambda - \lambda_s$ inside {eq}`eq-exact-data`, compute the weight that the
# $\tfrac12(\lambda-\lambda_s)^2 x_\theta''$ term should receive, and compare it with what $D_2$
# (for equal steps, $D_2 \approx \tfrac12 h^2 x_\theta''$) receives in {eq}`eq-dpmpp3m`. Then write
# `d2_weight(h)`, the number $w$ such that the corrected update adds $+\alpha_t\, w\, D_2$ (the
# library's choice is $w = -\varphi_3$), so that 3M becomes third order.
# ```
#
# ```{solution-start} ch12-ex2
# :class: dropdown
# ```


# %% tags=["solution"]
def d2_weight(h):
    """Weight w of alpha_t * D2 in a third-order multistep DPM-Solver++ step of size h."""
    ### BEGIN SOLUTION
    # sigma_t int e^lambda (lambda - lambda_s)^2 / 2 = alpha_t (h^2/2 - h + 1 - e^-h)
    #   = -alpha_t h^2 phi_3, and D2 ~ h^2 x'' / 2, so D2's weight is -2 phi_3: twice the library's.
    phi_3 = (math.expm1(-h) / h + 1.0) / h - 0.5
    return -2.0 * phi_3
    ### END SOLUTION


ring_fixed = [
    max_error(dpmpp_multistep(x_ring, ring_x0, logsnr_grid(k), [3] * k, vp, d2_weight), ref_ring)
    for k in ring_budgets
]
fixed_slopes = np.diff(np.log(ring_fixed)) / np.diff(np.log(ring_budgets))
print("corrected 3M on the ring, pairwise slopes: " + " ".join(f"{p:.2f}" for p in fixed_slopes))
x0_uncond, ref_uncond = guided_x0_fn(labels, 0.0), references[(0.0, False)]
for budget in (14, 30):
    fixed = dpmpp_multistep(x_T, x0_uncond, logsnr_grid(budget), [3] * budget, d2_weight=d2_weight)
    library = errors[(0.0, False, "DPM-Solver++(3M)", budget)]
    two_m = errors[(0.0, False, "DPM-Solver++(2M)", budget)]
    print(f"unconditional digits, {budget} evals: library 3M {library:.4f}, "
          f"corrected 3M {median_error(fixed, ref_uncond):.4f}, 2M {two_m:.4f}")


# %% [markdown]
# The weight of $\tfrac12(\lambda-\lambda_s)^2x_\theta''$ is
#
# ```{math}
# \sigma_t\int_{\lambda_s}^{\lambda_t}e^\lambda\,\tfrac12(\lambda-\lambda_s)^2\,\mathrm d\lambda
# = \alpha_t\Big(\frac{h^2}{2} - h + 1 - e^{-h}\Big) = -\alpha_t h^2\varphi_3 .
# ```
#
# Since $D_2 \approx \tfrac12 h^2 x_\theta''$, the update needs $-2\alpha_t\varphi_3 D_2$; the
# library adds $-\alpha_t\varphi_3D_2$, half of it. As $\varphi_3 = -h/6 + O(h^2)$, the missing half
# is a local error of order $h^3$, which limits the global order to 2. With the corrected weight the
# ring's pairwise slopes approach $-3$. At the chapter's budgets, though, the corrected 3M is *less*
# accurate on the unconditional digits than the library's (printed above). Our conjecture, not
# isolated here: with steps of $h \approx 0.3$ to $0.7$ the larger second-difference term
# extrapolates further, and that costs more than the higher order gains. Order is an asymptotic
# property; the budgets of guided sampling are not asymptotic.
#
# ```{solution-end}
# ```


# %% tags=["check", "remove-input"]
def fixed_3m_slope(weight):
    """Pairwise slope of the corrected 3M on the ring between 192 and 384 evaluations."""
    errs = [
        max_error(dpmpp_multistep(x_ring, ring_x0, logsnr_grid(k), [3] * k, vp, weight), ref_ring)
        for k in (192, 384)
    ]
    return math.log(errs[0] / errs[1]) / math.log(2)


utils.check_that(
    "ch12-ex2",
    lambda: fixed_3m_slope(d2_weight) > 2.8,
    "with your weight, 3M converges at order 3 on the ring",
)
### BEGIN HIDDEN TESTS
utils.check_function(
    "ch12-ex2",
    d2_weight,
    [((h,), 1 - 2 * (h - 1 + math.exp(-h)) / h**2) for h in (0.05, 0.3, 0.96, 2.0)],
    rtol=1e-9,
)
### END HIDDEN TESTS

# %% [markdown]
# ```{exercise}
# :label: ch12-ex3
#
# The authors recommend a grid uniform in $t$ for guided sampling of high-resolution images. On such
# a grid the steps in $\lambda$ are far from equal, and the 2M extrapolation weight $1/(2r_i)$ in
# {eq}`eq-dpmpp2m` changes from step to step. For 20 steps uniform in $t$ from $t = 1$ to
# $t = 10^{-3}$, compute the weights $1/(2 r_i)$ of steps $i = 1, \dots, 19$ (step 0 has no history)
# and store the largest in `max_extrapolation`. Compare with the logSNR grid, where every weight is
# $1/2$.
# ```
#
# ```{solution-start} ch12-ex3
# :class: dropdown
# ```

# %% tags=["solution"]
### BEGIN SOLUTION
ts_uniform = np.linspace(T_START, T_END, 21)
h_uniform = np.diff(vp.lambda_t(ts_uniform))  # the 20 step sizes in lambda
# 1 / (2 r_i) = h_i / (2 h_{i-1}) for steps i = 1, ..., 19
max_extrapolation = float(np.max(h_uniform[1:] / (2 * h_uniform[:-1])))
### END SOLUTION
print(f"largest 2M extrapolation weight, uniform-t grid: {max_extrapolation:.2f} (logSNR: 0.50)")

# %% [markdown]
# The steps in $\lambda$ grow towards $t = 0$, slowly at first and then sharply: the last step, from
# $t = 0.051$ to $10^{-3}$, is several times longer in $\lambda$ than the one before it, so 2M
# extrapolates the data prediction far beyond the last two evaluations. This is one reason
# `diffusers` ends with a first-order step (`lower_order_final`) and why
# {doc}`Chapter 11 <11_dpm_solver>` found the step grid to matter so much.
#
# ```{solution-end}
# ```

# %% tags=["check", "remove-input"]
utils.check_that(
    "ch12-ex3",
    lambda: isinstance(max_extrapolation, float) and max_extrapolation > 0.5,
    "max_extrapolation is a number larger than the logSNR grid's 1/2",
)
### BEGIN HIDDEN TESTS
_t = np.linspace(T_START, T_END, 21)
_h = np.diff(vp.lambda_t(_t))
utils.check_value("ch12-ex3", max_extrapolation, float(np.max(_h[1:] / (2 * _h[:-1]))), rtol=1e-9)
### END HIDDEN TESTS

# %% [markdown]
# ```{exercise}
# :label: ch12-ex4
#
# (Open-ended.) Why is dynamic thresholding invalid for a latent-space model? Build a stand-in for
# one: scale the digit mixture's components by 3 (so "latent codes" lie in $[-3, 3]$), sample it
# with guidance $s = 4$ using DPM-Solver++(2M) at 20 evaluations with and without thresholding, and
# compare both with an accurate reference of the unthresholded ODE and with the data. What does
# thresholding do to the samples, and why is that harmless for pixels but not for latents?
# ```
#
# ```{solution-start} ch12-ex4
# :class: dropdown
# ```

# %% tags=["solution"]
### BEGIN SOLUTION
from utils.guidance import ClassMixture

latent_mixture = ClassMixture(3.0 * mixture.means, mixture.labels, tau=0.3)
x_lat, lab_lat = x_T[:64], labels[:64]
for thr in (False, True):
    x0_lat = guided_x0_fn(lab_lat, 4.0, thr, model=latent_mixture)
    out = solve("DPM-Solver++(2M)", x_lat, x0_lat, 20)
    x0_exact = guided_x0_fn(lab_lat, 4.0, False, model=latent_mixture)
    ref, _ = reference_solution(x_lat, x0_exact)
    print(f"thresholding {'on ' if thr else 'off'}: median error vs unthresholded reference "
          f"{median_error(out, ref):.3f}; largest |value| {out.abs().max():.2f} (data reach 3)")
### END SOLUTION

# %% [markdown]
# Thresholding forces every predicted code into $[-1, 1]$, so the sampler converges to a different
# ODE whose solutions are shrunk versions of the data: the error against the true solution is of the
# order of the data scale, and no budget fixes it. For pixels the box $[-1, 1]$ is a fact about the
# data, so projecting onto it removes only what guidance pushed out; latent codes have no such box
# (their scale is whatever the autoencoder learned), which is why the paper uses thresholding only
# for pixel-space models. A good answer shows the shrinkage (a figure of both sample sets helps) and
# separates solver error from the bias of the thresholded ODE.
#
# ```{solution-end}
# ```

# %% [markdown]
# ## Takeaways and limits
#
# - In data-prediction form the exact solution {eq}`eq-exact-data` leads to DDIM at first order and
#   to 2S, 2M and 3M at higher order; our implementation matches `diffusers` to $10^{-9}$ when
#   both run in float64, with and without dynamic thresholding, once `sample_max_value` is set
#   large. The library's stock float32 scheduler agrees to about $10^{-7}$ for most samples, but
#   the exact mixture multiplies rounding by tens where a trajectory passes between components
#   near the end {eq}`eq-mixture-jacobian`: compare in float64, or expect such outliers.
# - Guidance pushes the data prediction several data ranges outside the pixel box. The singlestep
#   solver in noise form, DPM-Solver-2, then blows up, with errors worse than outputting the class
#   mean; its data-form twin 2S, at the same cost, does not. The two differ by one term: written in
#   the data form, DPM-Solver-2 extrapolates the guided prediction by $c(h) = e^{h/2} - 1$ times the
#   difference of its two evaluations {eq}`eq-hidden-extrapolation`, and its one-step errors from the
#   accurate trajectory follow that term. The step coefficients say roughly when (below about 20
#   evaluations on our grid), not exactly: the blow-up is not monotone in the budget.
# - With thresholding, DPM-Solver++(2M) beats DDIM at every budget from 10 to 30 evaluations and
#   every guidance scale we tried; without it, from 14 evaluations on for $s \le 8$ and from 20 at
#   $s = 16$. At 10 evaluations without thresholding DDIM is better for $s \ge 8$ (the caveat a
#   first prototype found, reproduced and located).
# - Against Chapter 11's same-order Runge–Kutta baselines: RK2 in $\lambda$ is the weakest solver
#   here, but RK2 in $t$ on the logSNR grid is a strong one. It never blows up, and without
#   thresholding at $s \ge 8$ 2M gains little or nothing over it; with thresholding, 2M's error is a
#   fraction of RK2-in-$t$'s. The exponential integrator's advantage under guidance is thus tied to
#   thresholding in this model.
# - Two findings the paper does not report: the multistep update in *noise* form is at least as
#   accurate as 2M in this model, so here the multistep structure, not the data prediction, is
#   what makes 2M work; and the third-order multistep update as shipped (in
#   `diffusers` and in the authors' code) converges at order 2, because its second-difference term
#   carries half the weight the expansion asks for (Exercise {ref}`ch12-ex2`; our derivation and
#   measurement, not reported by the authors). At 14 to 30 evaluations it is less accurate than 2M
#   here; at 10 it beats 2M only with the library's lower-order final steps.
# - What laptop scale cannot show: FID on ImageNet or text-to-image models, a trained network's
#   errors (our model is exact, and memorises 400 digits), and high-dimensional images where
#   thresholding's effect on sample quality, not on ODE error, is the point. We measured the error
#   of a solver against the converged solution of the same ODE, which is the paper's latent-space
#   metric, not its pixel-space one.
# - Where the paper goes further: classifier guidance on ImageNet, SDE variants of its solvers, and
#   latent-space experiments with Stable Diffusion, where thresholding is switched off.
#
# From the seminar's reading lists: PNDM {cite}`liu2022pndm` introduced pseudo-linear multistep
# updates for diffusion sampling, and Denoising MCMC {cite}`kim2022dmcmc` shortens the trajectory
# instead of improving the solver. Beyond them, DEIS {cite}`zhang2023deis` derived exponential
# multistep integrators independently, and UniPC {cite}`zhao2023unipc` adds a corrector to the
# multistep predictor. Chapter 13 turns from sampling a fixed model to fine-tuning it.

# %% [markdown]
# ## References and further reading
#
# ```{bibliography}
# :filter: docname in docnames
# ```
