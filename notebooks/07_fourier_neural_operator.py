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
# # 07 · Fourier neural operator
#
# **Paper.** Zongyi Li, Nikola Kovachki, Kamyar Azizzadenesheli, Burigede Liu, Kaushik
# Bhattacharya, Andrew Stuart, Anima Anandkumar. *Fourier Neural Operator for Parametric Partial
# Differential Equations.* ICLR 2021.
# [arXiv:2010.08895](https://arxiv.org/abs/2010.08895) {cite}`li2021fno`.
#
# **Summary.** The Fourier neural operator (FNO) learns the map from a PDE's input function (an
# initial condition, a coefficient field) to its solution with layers that multiply the lowest
# Fourier modes of a hidden function by learned complex matrices. Because its weights live on
# Fourier modes and not on grid points, one trained model can be evaluated on any grid, including
# grids finer than the one it was trained on ("zero-shot super-resolution").
#
# **What the seminar notes claim.** The notes read an FNO layer as a learned version of how a PDE
# evolves in frequency space: each layer learns a spectral update, and the stack learns the solution
# operator for a whole family of inputs. They add two readings of the architecture: the pointwise
# linear term $W$ is not a residual path but restores what mode truncation loses at non-periodic
# boundaries, and the nonlinear activation is what creates the frequencies above the cut-off. This
# chapter tests the paper's claims and both readings.
#
# **What is reconstructed.** All data come from solvers written for this book
# (`utils/operator_data.py`), not from the paper's data files. The Burgers problem uses viscosity
# $\nu = 0.01$: the paper's text states $\nu = 0.1$, at which the task is nearly linear (see the
# background), and the data-generation script released with the paper
# (`data_generation/burgers/gen_burgers1.m`) uses $\nu = 0.001$ with a different random field.
# The paper's error tables are quoted as the `neuraloperator` library's theory guide lists them.
#
# **Run time:** about 35 s in fast mode and 160 s in full mode on a 2-core CPU (measured values are
# in the {doc}`scoreboard <../book/scoreboard>`).

# %% [markdown]
# ## Learning objectives
#
# After this chapter you can:
#
# 1. Write a spectral convolution and a Fourier neural operator from scratch in PyTorch, and show
#    that your layer computes exactly what `neuraloperator`'s `SpectralConv` computes.
# 2. Generate operator-learning data with checked solvers (pseudo-spectral Burgers,
#    finite-difference Darcy) and judge how hard a task is with linear and trivial baselines.
# 3. Test zero-shot super-resolution honestly: evaluate a model trained on a coarse grid against
#    truth solved on finer grids, beside a model trained on the fine grid and a convolutional
#    baseline.
# 4. Explain, with measured spectra, what the pointwise term $W$ carries, what the activation adds
#    above the cut-off, and why aliasing makes resolution invariance only approximate.
# 5. Count an FNO's parameters from its modes, width and dimension.

# %% [markdown]
# ## Background and theory
#
# ### Learning an operator
#
# A parametric PDE defines a solution operator $\mathcal{G}^\dagger: a \mapsto u$ that sends an
# input function $a$ (initial condition, coefficient, forcing) to the solution $u$. Given pairs
# $\{(a_j, u_j)\}_{j=1}^N$ with $a_j$ drawn from a distribution $\mu$, operator learning fits a
# parametric map $\mathcal{G}_\theta$ that minimises the expected relative error
#
# ```{math}
# :label: eq-fno-loss
# \min_\theta \; \mathbb{E}_{a \sim \mu}
# \frac{\lVert \mathcal{G}_\theta(a) - \mathcal{G}^\dagger(a) \rVert_{L^2}}
#      {\lVert \mathcal{G}^\dagger(a) \rVert_{L^2}} .
# ```
#
# The functions are only ever seen on a grid, but the goal is a map between function spaces: the
# same $\theta$ should work on any grid {cite}`kovachki2023neuraloperator`.
#
# ### The Fourier layer
#
# The FNO {cite}`li2021fno` lifts the input pointwise to $d_v$ channels, $v_0(x) = P(a(x), x)$,
# applies $L$ layers
#
# ```{math}
# :label: eq-fno-layer
# v_{t+1}(x) = \sigma\big( W v_t(x) + (\mathcal{K} v_t)(x) \big),
# \qquad
# (\mathcal{K} v)(x) = \mathcal{F}^{-1}\big( R \cdot (\mathcal{F} v) \big)(x),
# ```
#
# and projects back pointwise, $u(x) = Q(v_L(x))$. Here $W \in \mathbb{R}^{d_v \times d_v}$ acts on
# each point separately, $\mathcal{F}$ is the Fourier transform, and $R$ is a learned complex tensor
# that acts on the lowest $k_{\max}$ modes only:
#
# ```{math}
# :label: eq-fno-truncation
# \big(R \cdot \hat v\big)_{k, o} =
# \begin{cases}
# \sum_{i=1}^{d_v} R_{k, i, o}\, \hat v_{k, i}, & |k| < k_{\max}, \\
# 0, & \text{otherwise.}
# \end{cases}
# ```
#
# $\mathcal{K}$ is a convolution with a kernel whose Fourier transform is $R$: a global integral
# operator computed in $O(n \log n)$ by the FFT.
#
# ### Grids, aliasing and resolution invariance
#
# On the periodic grid $x_j = j/n$ the discrete Fourier coefficient of mode $k$ sums every
# continuous coefficient that the grid cannot tell apart from it:
#
# ```{math}
# :label: eq-aliasing
# \hat v^{(n)}_k = \sum_{m \in \mathbb{Z}} \hat v_{k + m n}, \qquad |k| \le n/2 .
# ```
#
# If $v$ has no content above $n/2$, the discrete coefficients are the continuous ones, and a layer
# that only touches $|k| < k_{\max} \le n/2$ computes the same function on every such grid: this is
# the source of the FNO's resolution invariance. Two things break it. The input itself may have
# content above $n/2$ (a discontinuous coefficient has content at every $k$), and the pointwise
# parts of the network, $W$ and $\sigma$, pass on or create content above $k_{\max}$, which
# {eq}`eq-aliasing` folds back onto the kept modes on a coarse grid and not on a fine one. So
# invariance is exact only in the limit of fine grids; how close a coarse grid comes is a question
# for measurement.
#
# ### What $W$ and the activation are said to do
#
# $\mathcal{K}v$ is band-limited and periodic. The `neuraloperator` theory guide, which presents
# the paper, says that the activations help recover the higher modes and the non-periodic
# boundaries that the Fourier layers leave out, and that the term $W$ helps recover non-periodic
# boundaries {cite}`kossaifi2024neuraloperator`. The seminar notes make the same two readings. The
# mechanism of the first is simple: a pointwise nonlinearity does not preserve band limits,
# since $\sigma(\cos kx)$ contains the harmonics $2k, 3k, \dots$. Whether a trained network uses it
# to produce the right high frequencies is what we measure.
#
# ### The PDE families
#
# *1-D viscous Burgers* on the periodic interval $[0, 1)$:
#
# ```{math}
# :label: eq-burgers
# \partial_t u + \partial_x (u^2/2) = \nu\, \partial_{xx} u,
# \qquad u(x, 0) = u_0(x) \sim \mathcal{N}\big(0,\, 625(-\Delta + 25 I)^{-2}\big).
# ```
#
# The operator maps $u_0$ to $u(\cdot, 1)$, with the paper's initial-condition distribution. At the
# paper's stated $\nu = 0.1$, diffusion damps mode $k$ by $e^{-\nu (2\pi k)^2}$, a factor of 50 for
# $k = 1$, so $u(\cdot, 1)$ is almost a single small sine wave and a linear predictor does well (the
# baseline table below prints how well). We use $\nu = 0.01$, where the waves steepen into fronts
# and move before they decay. We solve pseudo-spectrally: Fourier in space with the 2/3 rule against
# aliasing in the quadratic term, and an integrating-factor fourth-order Runge–Kutta step that
# integrates the stiff diffusion exactly {cite}`trefethen2000spectral`.
#
# *2-D Darcy flow* on $(0, 1)^2$:
#
# ```{math}
# :label: eq-darcy
# -\nabla \cdot \big(a(x) \nabla u(x)\big) = 1, \qquad u|_{\partial D} = 0,
# ```
#
# with $a \in \{3, 12\}$ obtained by thresholding a Gaussian random field
# $\mathcal{N}(0, (-\Delta + 9I)^{-2})$, as in the paper; the operator maps $a$ to $u$. We solve it
# with five-point finite differences and harmonic-mean coefficients on the cell faces, on node grids
# $x_i = i/(s-1)$ that include the boundary. The coefficient is discontinuous and the problem is not
# periodic: the hard case for a Fourier method.
#
# *1-D Darcy flow*, $-(a u')' = \cos 2\pi x$ on $[0, 1]$ with the same kind of two-valued $a$, once
# with $u(0) = u(1) = 0$ and once periodic (with mean-zero $u$). The two problems differ only in the
# boundary condition, which makes them the test of what $W$ does.

# %%
import time
import warnings

import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

import utils
from utils.operator_data import (
    relative_l2,
    sample_darcy_coefficient,
    sample_grf_1d,
    solve_burgers,
    solve_darcy_1d,
    solve_darcy_1d_periodic,
    solve_darcy_2d,
)

# neuraloperator pulls in tensorly, wandb and others, some of which print Future/User/Deprecation
# warnings on import; we silence exactly those categories from those packages, for this import only.
with warnings.catch_warnings():
    for category in (FutureWarning, UserWarning, DeprecationWarning):
        warnings.filterwarnings("ignore", category=category,
                                module=r"(neuralop|tensorly|tltorch|wandb)")
    from neuralop.layers.spectral_convolution import SpectralConv

info = utils.setup()
device = info.device

# %% [markdown]
# `utils.pick(fast, full)` sizes everything. Full mode trains Burgers models at resolution 128 and
# tests them up to 512, and Darcy models on a $32 \times 32$ grid tested up to $125 \times 125$;
# fast mode halves the grids and shrinks the data and the networks.

# %%
viscosity = 0.01
burgers_grid = utils.pick(256, 512)  # solver grid = finest test resolution
burgers_train_res = utils.pick(64, 128)  # resolution the FNO sees in training
n_train, n_test = utils.pick(300, 800), utils.pick(100, 200)
width, n_modes = utils.pick(24, 32), 16
n_epochs, batch_size = utils.pick(8, 12), 20
darcy_res = utils.pick((16, 31, 61), (32, 63, 125))  # nested node grids: s' = 2 s - 1
darcy_train, darcy_test = utils.pick(120, 250), utils.pick(40, 60)
darcy_width, darcy_modes, darcy_epochs = utils.pick(12, 20), utils.pick(6, 8), 8
ablation_res, ablation_train = utils.pick(64, 128), 300
ablation_width, ablation_modes, ablation_epochs = 24, 12, 8
ablation_seeds = [info.seed + k for k in range(utils.pick(1, 3))]
print(f"Burgers (nu = {viscosity}): grid {burgers_grid}, train at {burgers_train_res}, "
      f"{n_train} train / {n_test} test, width {width}, {n_modes} modes, {n_epochs} epochs")
print(f"Darcy 2-D: grids {darcy_res}, {darcy_train} train / {darcy_test} test, "
      f"width {darcy_width}, {darcy_modes} modes, {darcy_epochs} epochs")
print(f"1-D Darcy ablation: {ablation_res} points, {ablation_train} train, width {ablation_width}, "
      f"{ablation_modes} modes, {ablation_epochs} epochs, seeds {ablation_seeds}")

# %% [markdown]
# ## Implementation from scratch
#
# ### Data from checked solvers
#
# The Burgers initial conditions are drawn from their Fourier series: mode $k$ gets an independent
# complex Gaussian with variance $625\,((2\pi k)^2 + 25)^{-2}$, and the constant mode is set to zero
# (Burgers conserves the mean, so a random mean would only add a constant to both sides). We solve
# on the finest grid and obtain coarser data by subsampling, as the paper does with its 8192-point
# data. Three checks follow: the mean is conserved, the time step is converged, and the grid
# resolves the solution (a solve on a grid twice as fine, from the same initial function, agrees).

# %%
rng = np.random.default_rng(info.seed)
u0_all = sample_grf_1d(n_train + n_test, burgers_grid, rng, zero_mean=True)  # (N, burgers_grid)
n_steps = 100  # integrating-factor RK4 steps up to t = 1
u1_all = solve_burgers(u0_all, viscosity=viscosity, n_steps=n_steps)

mass_drift = np.abs(u1_all.mean(axis=1) - u0_all.mean(axis=1)).max()
check_set = u0_all[:20]
reference = solve_burgers(check_set, viscosity=viscosity, n_steps=8 * n_steps)
time_error = relative_l2(u1_all[:20], reference).max()
time_error_coarse = relative_l2(solve_burgers(check_set, viscosity=viscosity, n_steps=n_steps // 2),
                                reference).max()
spectrum = np.fft.rfft(check_set, axis=1)  # the same function on a grid twice as fine:
padded = np.zeros((len(check_set), burgers_grid + 1), dtype=complex)  # pad its spectrum with zeros
padded[:, : spectrum.shape[1]] = 2 * spectrum
fine_solution = solve_burgers(np.fft.irfft(padded, n=2 * burgers_grid), viscosity=viscosity,
                              n_steps=n_steps)
space_error = relative_l2(u1_all[:20], fine_solution[:, ::2]).max()
time_order = np.log2(time_error_coarse / time_error)
print(f"mass drift {mass_drift:.1e} | time error with {n_steps} steps {time_error:.1e}, "
      f"with {n_steps // 2} steps {time_error_coarse:.1e} -> observed order {time_order:.1f} | "
      f"space error against the 2x grid {space_error:.1e}")
assert mass_drift < 1e-10 and time_error < 1e-4 and space_error < 1e-6

# %% [markdown]
# The mean is conserved to round-off, and the remaining time and space errors are far below any
# error a trained network reaches. Halving the step cuts the error by $2^p$ with the printed
# observed order $p$, close to the scheme's nominal fourth order. The tests in
# `tests/test_operator_data.py` check an order between 3 and 4 at $\nu = 0.1$ and the resolution
# at $\nu = 0.01$.
#
# The Darcy coefficients are drawn from a cosine series evaluated at the grid nodes, so the same
# random draw gives the same field at every resolution. On the nested grids $s$, $2s - 1$ and
# $4s - 3$ the coarse nodes are every second (fourth) node of the finer grid, so the coarse
# coefficient is exactly the fine one restricted to the coarse nodes; we assert it. We solve each
# grid separately, so each resolution has its own truth, and we print how much that truth changes
# between grids (the solver's discretisation error at the coarse grid). The solver is second order
# on a smooth manufactured solution $u = \sin \pi x \sin \pi y$, which we check too.

# %%
t_start = time.process_time()
darcy_seed = info.seed + 1000
n_darcy = darcy_train + darcy_test
darcy_a, darcy_u = {}, {}
for s in darcy_res:
    a_s = sample_darcy_coefficient(n_darcy, s, np.random.default_rng(darcy_seed))  # same fields
    if s == darcy_res[-1]:  # the finest grid is only used for testing
        a_s = a_s[darcy_train:]
    darcy_a[s], darcy_u[s] = a_s, solve_darcy_2d(a_s)  # u: (samples, s, s), f = 1
darcy_cpu_s = time.process_time() - t_start
s0, s1, s2 = darcy_res
nested = min(np.mean(darcy_a[s1][:, ::2, ::2] == darcy_a[s0]),
             np.mean(darcy_a[s2][:, ::4, ::4] == darcy_a[s0][darcy_train:]))
truth_change = {s: relative_l2(darcy_u[s][-darcy_test:], darcy_u[s2][:, ::k, ::k]).mean()
                for s, k in ((s0, 4), (s1, 2))}


def manufactured_darcy_error(s: int) -> float:
    """Max error of the 2-D solver on u = sin(pi x) sin(pi y), a = 1 + x^2 + y, on an s x s grid."""
    x = np.linspace(0, 1, s)
    X, Y = np.meshgrid(x, x, indexing="ij")
    a = 1 + X**2 + Y
    u = np.sin(np.pi * X) * np.sin(np.pi * Y)
    f = (2 * np.pi**2 * a * u - 2 * np.pi * X * np.cos(np.pi * X) * np.sin(np.pi * Y)
         - np.pi * np.sin(np.pi * X) * np.cos(np.pi * Y))
    return float(np.abs(solve_darcy_2d(a, f) - u).max())


darcy_errors = [manufactured_darcy_error(s) for s in (17, 33, 65)]
darcy_order = np.log2(darcy_errors[1] / darcy_errors[2])
print(f"Darcy solves: {darcy_cpu_s:.1f} s CPU | coarse fields = fine fields at shared nodes: "
      f"{nested:.0%} | manufactured-solution order {darcy_order:.2f}")
print(f"truth on the {s0} grid vs the {s2} grid at shared nodes: {truth_change[s0]:.4f}; "
      f"{s1} grid vs {s2} grid: {truth_change[s1]:.4f} (relative L2)")
assert nested == 1.0 and darcy_order > 1.8

# %% [markdown]
# The solver converges at second order on the smooth problem. On the discontinuous coefficients the
# truth on the coarsest grid differs from the finest one by the printed percentage: a floor under
# any comparison across resolutions, since a model trained on coarse data learns the coarse
# solver's answer. The figure shows samples of both datasets.

# %% tags=["hide-input"]
x_fine = np.arange(burgers_grid) / burgers_grid
fig, axes = plt.subplots(2, 2, figsize=(6.4, 5.0), layout="constrained")
for j in range(3):
    axes[0, 0].plot(x_fine, u0_all[j], color=f"C{j}", lw=1.2, label=f"sample {j}")
    axes[0, 1].plot(x_fine, u1_all[j], color=f"C{j}", lw=1.5)
axes[0, 0].set(xlabel="$x$", ylabel="$u_0(x)$", title="Burgers input $u_0$")
axes[0, 0].legend(fontsize=7)
axes[0, 1].set(xlabel="$x$", ylabel="$u(x, 1)$",
               title=f"Burgers output $u(\\cdot, 1)$, ν = {viscosity}")
extent = (0, 1, 0, 1)
im = axes[1, 0].imshow(darcy_a[s0][0].T, origin="lower", extent=extent, cmap="coolwarm",
                       interpolation="nearest")
axes[1, 0].set(xlabel="$x$", ylabel="$y$", title=f"Darcy input $a$ ({s0}×{s0})")
fig.colorbar(im, ax=axes[1, 0], shrink=0.8)
im = axes[1, 1].imshow(darcy_u[s0][0].T, origin="lower", extent=extent, interpolation="nearest")
axes[1, 1].set(xlabel="$x$", ylabel="$y$", title="Darcy output: pressure $u$")
fig.colorbar(im, ax=axes[1, 1], shrink=0.8)
for ax in axes[1]:
    ax.grid(False)
plt.show()

# %% [markdown]
# At $\nu = 0.01$ the smooth random input steepens into fronts that have moved by $t = 1$: the
# output is not a damped copy of the input. The Darcy input is a two-phase, discontinuous field; the
# pressure is continuous, zero on the boundary, and highest where the permeability is low.
#
# ### The spectral convolution
#
# The heart of the FNO is {eq}`eq-fno-truncation`: FFT, multiply each of the lowest `n_modes` modes
# by a complex matrix, zero the rest, inverse FFT. With `rfft` a real signal of $n$ points has
# $n/2 + 1$ non-negative modes; we keep the first `n_modes` of them, or all of them on a grid too
# coarse to hold `n_modes`.


# %%
class SpectralConv1d(nn.Module):
    """Fourier integral operator K v = irfft(R · rfft(v)) on the lowest n_modes modes."""

    def __init__(self, in_channels: int, out_channels: int, n_modes: int,
                 init_std: float | None = None):
        super().__init__()
        self.n_modes = n_modes
        shape = (in_channels, out_channels, n_modes)
        if init_std is None:  # the paper's code: uniform on [0, 1 / (in * out)]
            weight = torch.rand(*shape, dtype=torch.cfloat) / (in_channels * out_channels)
        else:  # complex Gaussian with standard deviation init_std
            weight = init_std * torch.randn(*shape, dtype=torch.cfloat)
        self.weight = nn.Parameter(weight)

    def forward(self, v: torch.Tensor) -> torch.Tensor:
        n = v.shape[-1]  # v: (batch, in_channels, n)
        v_hat = torch.fft.rfft(v)  # (batch, in_channels, n // 2 + 1)
        out_hat = torch.zeros(v.shape[0], self.weight.shape[1], n // 2 + 1, dtype=torch.cfloat,
                              device=v.device)
        k = min(self.n_modes, n // 2 + 1)
        out_hat[..., :k] = torch.einsum("bik,iok->bok", v_hat[..., :k], self.weight[..., :k])
        return torch.fft.irfft(out_hat, n=n)  # (batch, out_channels, n)


# %% [markdown]
# In 2-D, `rfft2` halves only the last axis. The kept block $-k_{\max} \le k_1 < k_{\max}$,
# $0 \le k_2 < k_{\max}$ consists of two corners of the array, rows $[0, k_{\max})$ and rows
# $[-k_{\max}, 0)$, each with its own weight tensor. Like the 1-D layer, it keeps fewer modes on a
# grid too small for `n_modes` (the two corners must not overlap).


# %%
class SpectralConv2d(nn.Module):
    """2-D Fourier integral operator: weight blocks for positive and negative first-axis modes."""

    def __init__(self, in_channels: int, out_channels: int, n_modes: int):
        super().__init__()
        self.n_modes = n_modes
        scale = 1 / (in_channels * out_channels)
        shape = (in_channels, out_channels, n_modes, n_modes)
        self.weight_pos = nn.Parameter(scale * torch.rand(*shape, dtype=torch.cfloat))
        self.weight_neg = nn.Parameter(scale * torch.rand(*shape, dtype=torch.cfloat))

    def forward(self, v: torch.Tensor) -> torch.Tensor:
        batch, _, nx, ny = v.shape
        m = self.n_modes
        m1, m2 = min(m, nx // 2), min(m, ny // 2 + 1)  # rows [0, m1) and [-m1, 0) stay apart
        v_hat = torch.fft.rfft2(v)  # (batch, in, nx, ny // 2 + 1)
        out_hat = torch.zeros(batch, self.weight_pos.shape[1], nx, ny // 2 + 1, dtype=torch.cfloat,
                              device=v.device)
        out_hat[:, :, :m1, :m2] = torch.einsum("bixy,ioxy->boxy", v_hat[:, :, :m1, :m2],
                                               self.weight_pos[:, :, :m1, :m2])
        out_hat[:, :, -m1:, :m2] = torch.einsum("bixy,ioxy->boxy", v_hat[:, :, -m1:, :m2],
                                                self.weight_neg[:, :, m - m1:, :m2])
        return torch.fft.irfft2(out_hat, s=(nx, ny))


# %% [markdown]
# ### The FNO, and a convolutional baseline
#
# The network follows {eq}`eq-fno-layer`: lift $(a(x), x)$ to `width` channels, four Fourier
# layers with a GELU between them (none after the last, as in the paper's code), and a two-layer
# pointwise projection $Q$ with a GELU inside. `use_w=False` removes the pointwise term $W$ (a
# per-channel bias stays, so the ablation removes only the local path). `endpoint` says whether the
# grid includes $x = 1$: periodic grids do not ($x_j = j/n$), node grids of a bounded interval do
# ($x_j = j/(n-1)$). The activation is an attribute, so we can swap it for the identity and get a
# linear network with the same weights.


# %%
class FNO1d(nn.Module):
    """1-D Fourier neural operator: lift, Fourier layers, project; (batch, n) -> (batch, n)."""

    def __init__(self, n_modes=16, width=32, n_layers=4, use_w=True, endpoint=False,
                 output_scale=1.0, init_std=None):
        super().__init__()
        self.endpoint, self.use_w = endpoint, use_w
        self.register_buffer("output_scale", torch.tensor(float(output_scale)))
        self.activation = nn.GELU()
        self.lift = nn.Linear(2, width)  # P: (a(x), x) -> R^width
        self.spectral = nn.ModuleList(SpectralConv1d(width, width, n_modes, init_std)
                                      for _ in range(n_layers))
        self.pointwise = (nn.ModuleList(nn.Conv1d(width, width, 1) for _ in range(n_layers))
                          if use_w else None)
        self.bias = None if use_w else nn.Parameter(torch.zeros(n_layers, width, 1))
        self.project_in, self.project_out = nn.Linear(width, 128), nn.Linear(128, 1)  # Q

    def grid(self, n: int, device) -> torch.Tensor:
        """Coordinates of the n grid points in [0, 1]."""
        if self.endpoint:
            return torch.linspace(0, 1, n, device=device)
        return torch.arange(n, device=device) / n

    def lift_input(self, a: torch.Tensor) -> torch.Tensor:
        """v_0 = P(a(x), x), shaped (batch, width, n)."""
        x = self.grid(a.shape[1], a.device).expand_as(a)
        return self.lift(torch.stack([a, x], dim=-1)).permute(0, 2, 1)

    def layer(self, t: int, v: torch.Tensor) -> torch.Tensor:
        """Pre-activation of Fourier layer t: K v + W v (or K v + bias without W)."""
        local = self.pointwise[t](v) if self.use_w else self.bias[t]
        return self.spectral[t](v) + local

    def project(self, v: torch.Tensor) -> torch.Tensor:
        """u = Q(v) pointwise: (batch, width, n) -> (batch, n)."""
        hidden = self.activation(self.project_in(v.permute(0, 2, 1)))
        return self.project_out(hidden).squeeze(-1) * self.output_scale

    def forward(self, a: torch.Tensor) -> torch.Tensor:
        v = self.lift_input(a)
        for t in range(len(self.spectral)):
            v = self.layer(t, v)
            if t < len(self.spectral) - 1:
                v = self.activation(v)
        return self.project(v)


def grid_features(a: torch.Tensor) -> torch.Tensor:
    """Stack a (batch, nx, ny) with the node coordinates of [0, 1]^2: (batch, nx, ny, 3)."""
    batch, nx, ny = a.shape
    gx, gy = torch.meshgrid(torch.linspace(0, 1, nx, device=a.device),
                            torch.linspace(0, 1, ny, device=a.device), indexing="ij")
    return torch.stack([a, gx.expand(batch, nx, ny), gy.expand(batch, nx, ny)], dim=-1)


class FNO2d(nn.Module):
    """2-D Fourier neural operator on an s x s node grid of [0, 1]^2: (batch, s, s) -> same."""

    def __init__(self, n_modes=8, width=20, n_layers=4, output_scale=1.0):
        super().__init__()
        self.register_buffer("output_scale", torch.tensor(float(output_scale)))
        self.lift = nn.Linear(3, width)
        self.spectral = nn.ModuleList(SpectralConv2d(width, width, n_modes)
                                      for _ in range(n_layers))
        self.pointwise = nn.ModuleList(nn.Conv2d(width, width, 1) for _ in range(n_layers))
        self.project = nn.Sequential(nn.Linear(width, 128), nn.GELU(), nn.Linear(128, 1))

    def forward(self, a: torch.Tensor) -> torch.Tensor:
        v = self.lift(grid_features(a)).permute(0, 3, 1, 2)  # (batch, width, nx, ny)
        for t in range(len(self.spectral)):
            v = self.spectral[t](v) + self.pointwise[t](v)
            if t < len(self.spectral) - 1:
                v = F.gelu(v)
        return self.project(v.permute(0, 2, 3, 1)).squeeze(-1) * self.output_scale


class CNN2d(nn.Module):
    """Baseline: six 3x3 convolutions with GELU between them; the kernel is fixed in grid points."""

    def __init__(self, width=32, n_layers=6, output_scale=1.0):
        super().__init__()
        self.register_buffer("output_scale", torch.tensor(float(output_scale)))
        layers = [nn.Conv2d(3, width, 3, padding=1)]
        for _ in range(n_layers - 2):
            layers += [nn.GELU(), nn.Conv2d(width, width, 3, padding=1)]
        layers += [nn.GELU(), nn.Conv2d(width, 1, 3, padding=1)]
        self.net = nn.Sequential(*layers)

    def forward(self, a: torch.Tensor) -> torch.Tensor:
        return self.net(grid_features(a).permute(0, 3, 1, 2))[:, 0] * self.output_scale


# %% [markdown]
# The CNN is the kind of model the paper argues against: a $3 \times 3$ kernel spans three grid
# points, so on a grid twice as fine it sees a neighbourhood half as wide, and a CNN trained on one
# grid computes a different function on another. The paper's tables show the same effect for its
# fully convolutional baseline (FCN), whose error grows with the resolution even when it is
# trained at each one.
#
# ### Training
#
# One loop serves every model: Adam with a one-cycle learning-rate schedule, minibatches, and the
# relative $L^2$ loss {eq}`eq-fno-loss`. Every model that is compared with another sees the same
# data, the same number of epochs and the same minibatches.


# %%
def relative_l2_loss(prediction: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Mean over the batch of ||prediction - target|| / ||target||."""
    diff = (prediction - target).flatten(1).norm(dim=1)
    return (diff / target.flatten(1).norm(dim=1)).mean()


def train_operator(model, inputs, targets, n_epochs, batch_size=20, max_lr=3e-3, seed=0):
    """Train model on (inputs, targets) with the relative L2 loss; return seconds per epoch."""
    model.to(device).train()
    inputs, targets = inputs.to(device), targets.to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=max_lr / 3, weight_decay=1e-4)
    steps_per_epoch = (len(inputs) + batch_size - 1) // batch_size
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=max_lr,
                                                   total_steps=n_epochs * steps_per_epoch)
    generator = torch.Generator().manual_seed(seed)  # the same minibatches for every model
    epoch_seconds = []
    for _ in range(n_epochs):
        start = time.perf_counter()
        for idx in torch.randperm(len(inputs), generator=generator).split(batch_size):
            loss = relative_l2_loss(model(inputs[idx]), targets[idx])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            schedule.step()
        epoch_seconds.append(time.perf_counter() - start)
    return epoch_seconds


@torch.no_grad()
def predict(model, inputs, batch_size=100):
    """Model outputs for inputs, in batches, as a CPU numpy array."""
    model.to(device).eval()
    return np.concatenate([model(inputs[i : i + batch_size].to(device)).cpu().numpy()
                           for i in range(0, len(inputs), batch_size)])


def test_error(model, inputs, targets):
    """Mean relative L2 error of the model on a test set."""
    return float(relative_l2(predict(model, inputs), np.asarray(targets)).mean())


def count_real_parameters(model: nn.Module) -> int:
    """Number of real parameters (a complex weight counts twice)."""
    return sum(p.numel() * (2 if p.is_complex() else 1) for p in model.parameters())


# %% [markdown]
# ## Cross-check
#
# Our spectral layers against `neuraloperator`'s `SpectralConv` {cite}`kossaifi2024neuraloperator`,
# on the same weights. Two conventions differ and must be mapped. First, `n_modes` in the library
# counts modes on both sides of zero and keeps `n_modes // 2 + 1` non-negative `rfft` modes on the
# last axis, so our 16 modes are the library's `n_modes=30`. In 2-D the library stores the first
# axis in `fftshift` order, so its weight is our negative block followed by our positive block.
# Second, the library uses `norm="forward"` FFTs (the $1/n$ on the forward transform) where we use
# the default (the $1/n$ on the inverse); inside one layer the two factors cancel. We turn the
# library's bias off.

# %%
torch.manual_seed(info.seed)
c, m = 6, n_modes
ours_1d = SpectralConv1d(c, c, m)
library_1d = SpectralConv(c, c, n_modes=(2 * m - 2,), bias=False)
with torch.no_grad():
    library_1d.weight.tensor.copy_(ours_1d.weight)
v = torch.randn(4, c, burgers_train_res)
gap_1d = (ours_1d(v) - library_1d(v)).abs().max().item()

m2 = darcy_modes
ours_2d = SpectralConv2d(c, c, m2)
library_2d = SpectralConv(c, c, n_modes=(2 * m2, 2 * m2 - 2), bias=False)
with torch.no_grad():
    library_2d.weight.tensor.copy_(torch.cat([ours_2d.weight_neg, ours_2d.weight_pos], dim=2))
v2 = torch.randn(4, c, s0, s0)
gap_2d = (ours_2d(v2) - library_2d(v2)).abs().max().item()
scale_1d, scale_2d = ours_1d(v).abs().max().item(), ours_2d(v2).abs().max().item()
print(f"max |ours - neuralop|: 1-D {gap_1d:.1e} (output scale {scale_1d:.2f}), "
      f"2-D {gap_2d:.1e} (output scale {scale_2d:.2f})")
assert gap_1d < 1e-5 and gap_2d < 1e-5

# %% [markdown]
# The two implementations agree to float32 round-off, in 1-D and in 2-D. The solvers have their
# own references: the Burgers solver must reproduce the exact decay $e^{-\nu (2\pi)^2 t}$ of a
# single tiny Fourier mode (where the nonlinearity is negligible), and the Darcy solvers converged
# at second order to manufactured solutions above and in `tests/test_operator_data.py`.

# %%
x64 = np.arange(64) / 64
tiny_wave = 1e-6 * np.sin(2 * np.pi * x64)
exact_decay = tiny_wave * np.exp(-viscosity * (2 * np.pi) ** 2)
heat_gap = (np.abs(solve_burgers(tiny_wave, viscosity=viscosity, final_time=1.0, n_steps=50)
                   - exact_decay).max() / np.abs(tiny_wave).max())
print(f"Burgers solver vs exact heat-equation decay: relative gap {heat_gap:.1e}")
assert heat_gap < 1e-6

# %% [markdown]
# ## Experiment
#
# ### Burgers: is there something to learn?
#
# We train our FNO for the Burgers operator {eq}`eq-burgers` on data subsampled to
# `burgers_train_res` points. Beside it sit three predictors that need no neural network: the mean
# training output (the trivial baseline), the heat equation, which drops the nonlinear term and
# damps each Fourier mode by $e^{-\nu (2\pi k)^2}$, and the best linear translation-invariant
# operator, a Fourier multiplier $\hat u_k = m_k \hat a_k$ fitted to the training pairs by least
# squares, mode by mode. If a linear predictor did well, the task would say little about operator
# learning.

# %%
a_all = torch.tensor(u0_all, dtype=torch.float32)
u_all = torch.tensor(u1_all, dtype=torch.float32)
a_train, u_train = a_all[:n_train], u_all[:n_train]
a_test, u_test = a_all[n_train:], u_all[n_train:]
stride = burgers_grid // burgers_train_res
test_resolutions = [32 * 2**i for i in range(int(np.log2(burgers_grid // 32)) + 1)]
burgers_scale = float(u_train.std())  # predict u / burgers_scale: outputs of order one


def train_burgers_fno(modes: int, use_w: bool = True, init_std: float | None = None) -> FNO1d:
    """An FNO1d trained on the Burgers data at the training resolution (same minibatches)."""
    torch.manual_seed(info.seed)
    model = FNO1d(n_modes=modes, width=width, use_w=use_w, output_scale=burgers_scale,
                  init_std=init_std)
    train_operator(model, a_train[:, ::stride], u_train[:, ::stride], n_epochs, batch_size,
                   seed=info.seed)
    return model


def burgers_test_errors(model: nn.Module) -> dict[int, float]:
    """Mean relative L2 test error at every test resolution (inputs and truth subsampled)."""
    return {r: test_error(model, a_test[:, :: burgers_grid // r], u_test[:, :: burgers_grid // r])
            for r in test_resolutions}


fno = train_burgers_fno(n_modes)
fno_errors = burgers_test_errors(fno)


def apply_multiplier(u0: np.ndarray, multiplier: np.ndarray) -> np.ndarray:
    """The linear operator u_hat_k = multiplier_k * u0_hat_k, applied row by row."""
    return np.fft.irfft(np.fft.rfft(u0, axis=-1) * multiplier, n=u0.shape[-1], axis=-1)


u0_tr, u1_tr = u0_all[:n_train, ::stride], u1_all[:n_train, ::stride]
u0_te, u1_te = u0_all[n_train:, ::stride], u1_all[n_train:, ::stride]
wavenumbers = np.arange(burgers_train_res // 2 + 1)
heat_multiplier = np.exp(-viscosity * (2 * np.pi * wavenumbers) ** 2)
coeff_in, coeff_out = np.fft.rfft(u0_tr, axis=-1), np.fft.rfft(u1_tr, axis=-1)
fitted_multiplier = ((np.conj(coeff_in) * coeff_out).sum(axis=0)
                     / np.maximum((np.abs(coeff_in) ** 2).sum(axis=0), 1e-30))
burgers_baselines = {
    "mean training output": relative_l2(np.broadcast_to(u1_tr.mean(axis=0), u1_te.shape), u1_te),
    "heat equation (no u u_x term)": relative_l2(apply_multiplier(u0_te, heat_multiplier), u1_te),
    "best linear Fourier multiplier": relative_l2(apply_multiplier(u0_te, fitted_multiplier),
                                                  u1_te),
}
burgers_baselines = {name: float(err.mean()) for name, err in burgers_baselines.items()}
best_linear_error = burgers_baselines["best linear Fourier multiplier"]
# The paper's stated viscosity, for comparison: how well does the heat equation do at nu = 0.1?
u1_paper_nu = solve_burgers(u0_te, viscosity=0.1, n_steps=n_steps)
heat_error_paper_nu = float(relative_l2(
    apply_multiplier(u0_te, np.exp(-0.1 * (2 * np.pi * wavenumbers) ** 2)), u1_paper_nu).mean())

# %% tags=["hide-input"]
print(f"Burgers, nu = {viscosity}, test error at the training resolution {burgers_train_res}:")
for name, err in burgers_baselines.items():
    print(f"  {name:<34}{err:8.4f}")
print(f"  {'FNO (' + str(n_modes) + ' modes)':<34}{fno_errors[burgers_train_res]:8.4f}")
print(f"(at the paper's stated nu = 0.1 the heat equation alone errs by {heat_error_paper_nu:.4f})")
print(f"\nthe same FNO on other grids (trained at {burgers_train_res}):")
print("  resolution " + "".join(f"{r:>8}" for r in test_resolutions))
print("  error      " + "".join(f"{fno_errors[r]:8.4f}" for r in test_resolutions))
print("  / training " + "".join(f"{fno_errors[r] / fno_errors[burgers_train_res]:8.2f}"
                                for r in test_resolutions))

# %% [markdown]
# The linear predictors fail: the heat equation is no better than predicting zero, because the waves
# travel and steepen, and even the best linear multiplier fitted to the data leaves an error of the
# order of one half. The FNO's error is about one percent in full mode (a few percent in fast mode),
# and it hardly changes between grids. The paper's Burgers table reports the FNO at six resolutions,
# each model trained and tested at its own resolution (data from one 8192-point solve at $\nu = 0.1$
# by its text), beside the fully convolutional network FCN; the numbers below are as the
# `neuraloperator` theory guide lists them. They describe a different protocol and viscosity from
# ours, so they are context, not a target.

# %% tags=["hide-input"]
paper_burgers = {256: (0.0149, 0.0958), 512: (0.0158, 0.1407), 1024: (0.0160, 0.1877),
                 2048: (0.0146, 0.2313), 4096: (0.0142, 0.2855), 8192: (0.0139, 0.3238)}
print(f"{'resolution':>10}{'paper FNO':>11}{'paper FCN':>11}   (each trained at its resolution)")
for r, (fno_paper, fcn_paper) in paper_burgers.items():
    print(f"{r:>10}{fno_paper:>11.4f}{fcn_paper:>11.4f}")

# %% [markdown]
# The figure shows the error against the test resolution, with the linear baseline for scale, and
# one test sample predicted on the training grid and on the finest grid.

# %% tags=["hide-input"]
fig, axes = plt.subplots(1, 2, figsize=(6.8, 3.2), layout="constrained")
ax = axes[0]
ax.plot(test_resolutions, [fno_errors[r] for r in test_resolutions], "o-", label="FNO, this run")
ax.axhline(best_linear_error, color="C1", ls="--", lw=1.2, label="best linear multiplier")
ax.plot(list(paper_burgers), [v[0] for v in paper_burgers.values()], "x:", color="gray",
        label="paper FNO (ν = 0.1)")
ax.axvline(burgers_train_res, color="C3", ls=":", lw=1, label="training grid")
ax.set(xscale="log", yscale="log", xlabel="test resolution (points)", ylabel="relative $L^2$ error",
       title="Burgers: one model, many grids")
ax.legend(fontsize=7)
j = 0
pred_fine = predict(fno, a_test[j : j + 1])[0]
pred_coarse = predict(fno, a_test[j : j + 1, ::stride])[0]
axes[1].plot(x_fine, u1_all[n_train + j], "k-", lw=3, alpha=0.3, label="solver")
axes[1].plot(x_fine, pred_fine, "C0-", lw=1.2, label=f"FNO on {burgers_grid} points")
axes[1].plot(x_fine[::stride], pred_coarse, "C1.", ms=3, label=f"FNO on {burgers_train_res} points")
heat_fine = np.exp(-viscosity * (2 * np.pi * np.arange(burgers_grid // 2 + 1)) ** 2)
axes[1].plot(x_fine, apply_multiplier(u0_all[n_train + j], heat_fine), "C2--", lw=1,
             label="heat eq.")
axes[1].set(xlabel="$x$", ylabel="$u(x, 1)$", title="one test sample")
axes[1].legend(fontsize=7)
plt.show()

# %% [markdown]
# The error curve is flat across a factor of sixteen in resolution, and the prediction on the fine
# grid passes through the coarse-grid prediction. The heat-equation curve shows what the
# nonlinearity does: without it the wave would stay in place and decay; with it, it has moved and
# formed a front. Our error is of the same order as the paper's, but the two are not comparable:
# the viscosity, the protocol (one model for all grids here) and the budget (a few hundred samples
# and a dozen epochs here) all differ.
#
# ### Why the Burgers case is easy: aliasing, measured
#
# By {eq}`eq-aliasing`, a coarse grid folds whatever the network holds above its Nyquist wavenumber
# $n/2$ back onto the kept modes. We measure both sides of that statement on the trained model.
# First, where the content above the cut-off comes from: inside the second Fourier layer, evaluated
# on the solver grid, we take the spectral part $\mathcal{K}v$, the pre-activation $\mathcal{K}v +
# Wv$, and both after the GELU, and ask what fraction of each one's energy lies above $k_{\max}$ and
# above the Nyquist wavenumbers of coarser grids. Second, the consequence: how much the model's
# output on an $n$-point grid differs from its output on the solver grid at the shared points.

# %%
with torch.no_grad():
    hidden = fno.activation(fno.layer(0, fno.lift_input(a_test[:50].to(device))))  # solver grid
    k_v = fno.spectral[1](hidden)
    pre_activation = fno.layer(1, hidden)
    layer_signals = {"K v": k_v, "σ(K v)": fno.activation(k_v), "K v + W v": pre_activation,
                     "σ(K v + W v)": fno.activation(pre_activation)}
layer_spectra = {name: (torch.fft.rfft(s).abs() ** 2).mean(dim=(0, 1)).cpu().numpy()
                 for name, s in layer_signals.items()}


def energy_above(spectrum: np.ndarray, cutoff: int) -> float:
    """Fraction of the non-constant energy in the modes k >= cutoff."""
    return float(spectrum[cutoff:].sum() / spectrum[1:].sum())


def observed_orders(changes: list[float]) -> list[float]:
    """Orders p from changes D(h) ~ C (h^p - h_finest^p) on grids halving h, the last one 0."""
    drops = -np.diff(changes)  # D(h) - D(h/2) ~ C h^p (1 - 2^-p)
    return list(np.log2(drops[:-1] / drops[1:]))


cutoffs = sorted({n_modes} | {r // 2 for r in test_resolutions[:-1]})
fine_prediction = predict(fno, a_test)  # on the solver grid
self_discrepancy = {r: float(relative_l2(predict(fno, a_test[:, :: burgers_grid // r]),
                                         fine_prediction[:, :: burgers_grid // r]).mean())
                    for r in test_resolutions[:-1]}
share_before_activation = energy_above(layer_spectra["K v + W v"], n_modes)
share_rise_from_activation = (energy_above(layer_spectra["σ(K v + W v)"], n_modes)
                              / share_before_activation - 1)

# %% tags=["hide-input"]
print("energy fraction above wavenumber k inside Fourier layer 2 (on the solver grid):")
print(f"{'signal':<16}" + "".join(f"{'k >= ' + str(k):>12}" for k in cutoffs))
for name, spec in layer_spectra.items():
    print(f"{name:<16}" + "".join(f"{energy_above(spec, k):>12.1e}" for k in cutoffs))
print(f"(k_max = {n_modes}; an n-point grid aliases what lies at k >= n/2)")
print(f"the GELU raises the share of energy above k_max of K v + W v by "
      f"{share_rise_from_activation:.0%}")
print("\noutput on an n-point grid vs output on the solver grid (relative L2 at shared points):")
for r, d in self_discrepancy.items():
    print(f"  n = {r:>4}: {d:.1e}")
print("observed orders, log2 of successive drops: "
      + ", ".join(f"{p:.1f}" for p in observed_orders([*self_discrepancy.values(), 0.0])))

# %% [markdown]
# The table answers the question of where frequencies above $k_{\max}$ come from. The
# spectral part $\mathcal{K}v$ holds round-off above $k_{\max}$, as {eq}`eq-fno-truncation` says.
# The GELU applied to it alone creates some, but little. Nearly all of what the pre-activation holds
# above $k_{\max}$ was carried by $W$, which passes the content of its input (and ultimately of the
# lifted $u_0$, which has energy at every wavenumber) through pointwise. The activation then raises
# the share above $k_{\max}$ by the printed percentage (it shrinks the signal as a whole, so the
# figure's absolute spectra lie lower after it, but their high-wavenumber part less so). On a
# coarse grid, everything above $n/2$ in these signals is aliased onto the kept modes. That is the
# whole difference between the outputs on different grids, since the pointwise parts of the network
# commute with subsampling and only the Fourier layers see the grid, and it falls quickly with $n$.
# The second table is measured against the solver grid, not against the limit of infinitely fine
# grids, so we estimate the order $p$ of its decay from successive drops,
# $D(h) - D(h/2) \approx C h^p (1 - 2^{-p})$. The printed orders are well above 1 and close to
# the decay rate 2 of the aliasing sum {eq}`eq-aliasing` when the Fourier coefficients fall like
# $k^{-2}$, as those of the initial conditions do (compare the Darcy case below). The model's output
# on its own training grid differs from its solver-grid output far less than its error against the
# truth: that is why zero-shot super-resolution is easy here. The figure shows both measurements.

# %% tags=["hide-input"]
fig, axes = plt.subplots(1, 2, figsize=(6.8, 3.2), layout="constrained")
for (name, spec), style in zip(layer_spectra.items(), ("C0-", "C0--", "C1-", "C1--")):
    axes[0].semilogy(np.arange(len(spec)), np.maximum(spec, 1e-30), style, lw=1.2, label=name)
axes[0].axvline(n_modes, color="k", lw=1, ls=":", label="$k_{\\max}$")
axes[0].axvline(burgers_train_res // 2, color="C3", lw=1, ls=":", label="Nyquist of training grid")
axes[0].set(xlabel="wavenumber $k$", ylabel="mean energy $|\\hat v_k|^2$", ylim=(1e-14, None),
            title="Spectra inside layer 2")
axes[0].legend(fontsize=6)
rs = list(self_discrepancy)
axes[1].loglog(rs, [self_discrepancy[r] for r in rs], "o-",
               label="output on $n$ points vs solver grid")
axes[1].loglog(rs, [fno_errors[r] for r in rs], "s--", label="error against the truth")
axes[1].set(xlabel="grid points $n$", ylabel="relative $L^2$", title="Aliasing shrinks with $n$")
axes[1].xaxis.set_minor_locator(plt.NullLocator())
axes[1].set_xticks(rs, [str(r) for r in rs])
axes[1].legend(fontsize=7)
plt.show()

# %% [markdown]
# ### Resolution invariance where it is hard: Darcy flow
#
# Darcy flow {eq}`eq-darcy` is the hard case: the input jumps, so it has content at every
# wavenumber and aliases on every grid; the problem is not periodic; and the truth itself changes
# with the grid, by the percentage printed with the data. We train three models with the same data
# budget (samples, epochs, minibatches): an FNO on the coarsest grid, the CNN on the coarsest grid,
# and an FNO on the middle grid, trained there "natively". Each is then evaluated on all three grids
# against the truth solved on that grid. Inputs are normalised to $[-1, 1]$ and outputs scaled by
# the training standard deviation.

# %%
train_part, test_part = slice(0, darcy_train), slice(-darcy_test, None)


def darcy_tensors(s: int, part: slice) -> tuple[torch.Tensor, torch.Tensor]:
    """Normalised coefficients and solutions on the s-grid: two (samples, s, s) tensors."""
    a = torch.tensor((darcy_a[s][part] - 7.5) / 4.5, dtype=torch.float32)
    return a, torch.tensor(darcy_u[s][part], dtype=torch.float32)


def train_darcy(build, s: int) -> nn.Module:
    """Build a model with the output scale of the s-grid training data and train it there."""
    a, u = darcy_tensors(s, train_part)
    torch.manual_seed(info.seed)
    model = build(float(u.std()))
    train_operator(model, a, u, darcy_epochs, batch_size=10, seed=info.seed)
    return model


def build_fno2d(output_scale: float) -> FNO2d:
    """The chapter's 2-D FNO with the given output scale."""
    return FNO2d(darcy_modes, darcy_width, output_scale=output_scale)


darcy_models = {
    f"FNO trained on {s0}": train_darcy(build_fno2d, s0),
    f"CNN trained on {s0}": train_darcy(lambda scale: CNN2d(output_scale=scale), s0),
    f"FNO trained on {s1}": train_darcy(build_fno2d, s1),
}
darcy_errors_by_grid = {
    name: {s: test_error(model, *darcy_tensors(s, test_part)) for s in darcy_res}
    for name, model in darcy_models.items()
}
fno_coarse = darcy_models[f"FNO trained on {s0}"]
zero_shot = darcy_errors_by_grid[f"FNO trained on {s0}"]
cnn = darcy_errors_by_grid[f"CNN trained on {s0}"]
native = darcy_errors_by_grid[f"FNO trained on {s1}"]
u_coarse_train = darcy_u[s0][train_part]
mean_field = np.broadcast_to(u_coarse_train.mean(axis=0), (darcy_test, s0, s0))
darcy_mean_baseline = float(relative_l2(mean_field, darcy_u[s0][test_part]).mean())
fno_growth, cnn_growth = zero_shot[s2] / zero_shot[s0], cnn[s2] / cnn[s0]

# %% tags=["hide-input"]
grid_names = "".join(f"{str(s) + '×' + str(s):>10}" for s in darcy_res)
print(f"{'model':<22}{'parameters':>11}" + grid_names + f"{'growth':>9}")
for name, errs in darcy_errors_by_grid.items():
    print(f"{name:<22}{count_real_parameters(darcy_models[name]):>11,}"
          + "".join(f"{errs[s]:>10.4f}" for s in darcy_res) + f"{errs[s2] / errs[s0]:>9.2f}")
print(f"mean training solution on the {s0} grid: {darcy_mean_baseline:.4f}")
print(f"zero-shot FNO on {s1} / FNO trained on {s1}: {zero_shot[s1] / native[s1]:.2f}")

# %% [markdown]
# The growth column divides each model's error on the finest grid by its error on the coarsest.
# The paper's Darcy table, again trained and tested at each resolution, reports FNO errors of
# 0.0108, 0.0109, 0.0109 and 0.0098 at $s = 85, 141, 211, 421$ and FCN errors growing from 0.0253
# to 0.1097 {cite}`li2021fno`. The figure plots the table and one test sample on the finest grid,
# predicted zero-shot by the FNO trained on the coarsest.

# %% tags=["hide-input"]
fig, ax = plt.subplots(figsize=(5.0, 3.2), layout="constrained")
for (name, errs), style in zip(darcy_errors_by_grid.items(), ("o-", "s--", "^-")):
    ax.plot(list(darcy_res), [errs[s] for s in darcy_res], style, label=name)
ax.axhline(darcy_mean_baseline, color="gray", ls=":", label="mean training solution")
ax.set(xscale="log", xlabel="test grid $s$ (nodes per side)", ylim=(0, None),
       ylabel="relative $L^2$ error", title="Darcy: error against the truth on each grid")
ax.xaxis.set_minor_locator(plt.NullLocator())
ax.set_xticks(list(darcy_res), [str(s) for s in darcy_res])
ax.legend(fontsize=7)
plt.show()

# %% tags=["hide-input"]
j = 0
a_fine, u_fine = darcy_tensors(s2, test_part)
prediction = predict(fno_coarse, a_fine[j : j + 1])[0]
truth = darcy_u[s2][j]
fig, axes = plt.subplots(2, 2, figsize=(6.0, 4.7), layout="constrained")
vmax = max(truth.max(), prediction.max())
err_max = np.abs(prediction - truth).max()
panels = [(darcy_a[s2][j], "input $a$", "coolwarm", None, None),
          (truth, f"solver $u$ on {s2}×{s2}", "viridis", 0, vmax),
          (prediction, f"FNO trained on {s0}×{s0}", "viridis", 0, vmax),
          (prediction - truth, "FNO − solver", "RdBu_r", -err_max, err_max)]
for ax, (field, title, cmap, lo, hi) in zip(axes.flat, panels):
    im = ax.imshow(field.T, origin="lower", extent=extent, cmap=cmap, vmin=lo, vmax=hi,
                   interpolation="nearest")
    ax.set(xlabel="$x$", ylabel="$y$", title=title)
    ax.grid(False)
    fig.colorbar(im, ax=ax, shrink=0.8)
fig.suptitle(f"Darcy, zero-shot from {s0}×{s0} to {s2}×{s2} (shared colour scale for $u$)")
plt.show()

# %% [markdown]
# The verdict from these numbers is mixed. The FNO's error does grow on finer grids, by the printed
# growth factor from the coarsest to the finest grid: not the flat curve of Burgers, and not the
# paper's "same error on every grid". But the growth is small next to the CNN's, whose kernel
# shrinks in physical size as the grid is refined, and on the middle grid the zero-shot FNO comes
# within the printed factor of an FNO trained there. The CNN has a tenth of the FNO's parameters,
# which may explain part of its higher error on its own grid, but not its growth: whatever its
# width, its kernel covers three grid points, a physical neighbourhood that halves with each
# refinement. The error map shows where the remaining error sits: along the interfaces where $a$
# jumps.
#
# How much of the growth is the truth changing, and how much the model? We compare the model's own
# answers on different grids at the nodes they share, and the truths the same way.

# %%
a_coarse_test, _ = darcy_tensors(s0, test_part)
a_mid_test, _ = darcy_tensors(s1, test_part)
answers = {s: predict(fno_coarse, a)
           for s, a in ((s0, a_coarse_test), (s1, a_mid_test), (s2, a_fine))}
model_change = {s: float(relative_l2(answers[s2][:, ::k, ::k], answers[s]).mean())
                for s, k in ((s0, 4), (s1, 2))}
error_shared_nodes = float(relative_l2(answers[s2][:, ::4, ::4], darcy_u[s2][:, ::4, ::4]).mean())

# %% tags=["hide-input"]
print(f"FNO trained on {s0}, evaluated on {s2}: error {zero_shot[s2]:.4f} on all nodes, "
      f"{error_shared_nodes:.4f} on the nodes shared with the {s0} grid")
print(f"{'change at shared nodes, relative to the ' + str(s2) + ' grid':<46}{'from ' + str(s0):>10}"
      f"{'from ' + str(s1):>10}")
print(f"{'  the FNO trained on ' + str(s0):<46}{model_change[s0]:>10.4f}{model_change[s1]:>10.4f}")
print(f"{'  the truth':<46}{truth_change[s0]:>10.4f}{truth_change[s1]:>10.4f}")
change_order = observed_orders([model_change[s0], model_change[s1], 0.0])[0]
print(f"observed order of the model's change: {change_order:.1f}")

# %% [markdown]
# The model's own answer moves between grids by several times more than the truth
# does, and its error at the nodes shared with the coarse grid is as large as at all nodes. So the
# growth is mostly not the coarse solver's discretisation error, which the model could have learned;
# it is the model computing a different function on a different grid. The observed order of that
# change, estimated as for Burgers, is about 1, well below the Burgers values. That is the rate to
# expect from a discontinuous input: on a grid of spacing $h$ the samples place each jump of $a$
# only to within $h$, so the low Fourier coefficients the network computes from them are off by
# $O(h)$, while for a smooth input the aliasing sum {eq}`eq-aliasing` is much smaller. Through $W$
# and the activations the hidden functions inherit the jumps. The last exercise takes this further.
#
# ### How many modes, and where the frequencies above the cut-off come from
#
# The notes say the activation creates the frequencies above $k_{\max}$. Inside a layer it
# obviously does; the question that matters is whether a trained network uses that to output the
# right high frequencies. We train the Burgers FNO again with 8 and with 4 modes, and once with 4
# modes and no $W$: in that model the lifted input reaches the output only through band-limited
# spectral layers, so everything it outputs above $k_{\max}$ was made by a GELU. We compare each
# error with the error of the truth itself truncated to the same $k_{\max}$, and measure a
# high-mode error: the relative error of the prediction's modes $k \ge k_{\max}$. A linear network
# without $W$ outputs nothing above $k_{\max}$ and scores exactly 1; we check that on a copy of the
# 4-mode model with its GELUs replaced by the identity.

# %%
fno_by_modes = {n_modes: fno}
for modes in (8, 4):
    fno_by_modes[modes] = train_burgers_fno(modes)
fno4_without_w = train_burgers_fno(4, use_w=False, init_std=0.1)  # see the W section for init_std
linear_copy = FNO1d(n_modes=4, width=width, use_w=False, output_scale=burgers_scale)
linear_copy.load_state_dict(fno4_without_w.state_dict())
linear_copy.activation = nn.Identity()


def truncate_modes(values: np.ndarray, keep: int) -> np.ndarray:
    """Keep the lowest `keep` rfft modes along the last axis and zero the rest."""
    spectrum = np.fft.rfft(values, axis=-1)
    spectrum[..., keep:] = 0
    return np.fft.irfft(spectrum, n=values.shape[-1], axis=-1)


def high_mode_error(prediction: np.ndarray, target: np.ndarray, cutoff: int) -> float:
    """Relative L2 error of the modes k >= cutoff, pooled over the test set."""
    diff = np.fft.rfft(prediction - target, axis=-1)[:, cutoff:]
    reference = np.fft.rfft(target, axis=-1)[:, cutoff:]
    return float(np.sqrt((np.abs(diff) ** 2).sum() / (np.abs(reference) ** 2).sum()))


mode_models = {f"FNO, {m} modes": (model, m) for m, model in sorted(fno_by_modes.items())}
mode_models["FNO, 4 modes, no W"] = (fno4_without_w, 4)
mode_models["same, GELU -> identity"] = (linear_copy, 4)
mode_rows = {}
for name, (model, modes) in mode_models.items():
    pred = predict(model, a_test[:, ::stride])
    mode_rows[name] = {
        "modes": modes,
        "error": float(relative_l2(pred, u1_te).mean()),
        "truncated truth": float(relative_l2(truncate_modes(u1_te, modes), u1_te).mean()),
        "high-mode error": high_mode_error(pred, u1_te, modes),
        "prediction": pred,
    }
high_mode_no_w = mode_rows["FNO, 4 modes, no W"]["high-mode error"]

# %% tags=["hide-input"]
print(f"{'model':<26}{'error':>9}{'truth cut at k_max':>20}{'high-mode error':>17}")
for name, row in mode_rows.items():
    print(f"{name:<26}{row['error']:>9.4f}{row['truncated truth']:>20.4f}"
          f"{row['high-mode error']:>17.3f}")

# %% [markdown]
# The 4-mode models are the telling rows. Truncated to 4 modes, the truth itself is off by the
# printed amount; the trained 4-mode FNO is several times more accurate than that, so most of its
# output above $k_{\max}$ is right. The model without $W$ does nearly as well, so the activations
# alone produce those frequencies, and with its GELUs switched off the same weights output nothing
# above $k_{\max}$ (high-mode error 1). This is the notes' second reading, measured at the output.
# More modes still help: the error falls from 4 to 8 modes and little after, at this training
# budget. (At 16 modes the truth has almost nothing above $k_{\max}$, so the high-mode error
# compares the model's tiny spurious content with an even tinier target and says nothing.) The
# figure shows the mean spectra of the truth and of the 4-mode predictions.

# %% tags=["hide-input"]
fig, axes = plt.subplots(1, 2, figsize=(6.8, 3.2), layout="constrained")
ms = sorted(fno_by_modes)
axes[0].semilogy(ms, [mode_rows[f"FNO, {m} modes"]["error"] for m in ms], "o-", label="FNO")
axes[0].semilogy(ms, [mode_rows[f"FNO, {m} modes"]["truncated truth"] for m in ms], "k--",
                 label="truth cut at $k_{\\max}$")
axes[0].semilogy([4], [mode_rows["FNO, 4 modes, no W"]["error"]], "C3s", label="FNO, no $W$")
axes[0].set(xlabel="$k_{\\max}$", ylabel="relative $L^2$ error", xticks=ms,
            title="Error against modes")
axes[0].legend(fontsize=7)
spectrum_of = lambda values: (np.abs(np.fft.rfft(values, axis=-1)) ** 2).mean(axis=0)  # noqa: E731
k_axis = np.arange(burgers_train_res // 2 + 1)
axes[1].semilogy(k_axis, spectrum_of(u1_te), "k-", lw=3, alpha=0.3, label="truth")
for name, style in (("FNO, 4 modes", "C0-"), ("FNO, 4 modes, no W", "C3--"),
                    ("same, GELU -> identity", "C2:")):
    axes[1].semilogy(k_axis, np.maximum(spectrum_of(mode_rows[name]["prediction"]), 1e-20), style,
                     lw=1.2, label=name)
axes[1].axvline(4, color="k", lw=1, ls=":")
axes[1].set(xlabel="wavenumber $k$", ylabel="mean energy", ylim=(1e-12, None), xlim=(0, 32),
            title="Spectra, 4-mode models")
axes[1].legend(fontsize=6)
plt.show()

# %% [markdown]
# Above the dotted line at $k_{\max} = 4$ the trained models follow the truth's spectrum for a
# decade or more of wavenumbers; the linear copy stops dead at $k_{\max}$.
#
# ### Does $W$ compensate for non-periodic boundaries?
#
# The notes and the theory guide say $W$ restores what the truncated Fourier series loses at
# non-periodic boundaries. We test that on the two 1-D Darcy problems, which share their
# coefficients and forcing and differ only in the boundary condition. The coefficients threshold a
# zero-mean random field (with a random mean left in, most samples would be constant, and the task
# a parabola). For each of three data seeds (one in fast mode) we train the FNO with and without
# $W$, everything else equal, on both problems.
#
# One detail matters. With the paper's initialisation (spectral weights uniform on
# $[0, 1/d_v^2]$) a network without $W$ starts with almost no signal, four tiny spectral layers in a
# row, and trains badly; that would be a statement about optimisation, not about boundaries. So both
# arms of this ablation start from the same complex Gaussian initialisation with standard deviation
# 0.1.

# %%
x_nodes = np.linspace(0, 1, ablation_res)  # Dirichlet: node grid, both ends included
x_periodic = np.arange(ablation_res) / ablation_res  # periodic grid
n_ablation_test = 100


def darcy_1d_problems(seed: int) -> tuple[np.ndarray, dict]:
    """Coefficients a in {3, 12} and the two problems' solutions for one data seed."""
    z = sample_grf_1d(ablation_train + n_ablation_test, ablation_res,
                      np.random.default_rng(seed + 2000), tau=3.0, zero_mean=True)
    a = np.where(z >= 0, 12.0, 3.0)
    problems = {"Dirichlet": (solve_darcy_1d(a, np.cos(2 * np.pi * x_nodes)), True),
                "periodic": (solve_darcy_1d_periodic(a, np.cos(2 * np.pi * x_periodic)), False)}
    return a, problems


ablation, ablation_data = {}, {}
x_ablation = {"Dirichlet": x_nodes, "periodic": x_periodic}
for seed in ablation_seeds:
    a_1d, problems = darcy_1d_problems(seed)
    ablation_data[seed] = (a_1d, problems)
    inputs = torch.tensor((a_1d - 7.5) / 4.5, dtype=torch.float32)
    for problem, (solution, endpoint) in problems.items():
        targets = torch.tensor(solution, dtype=torch.float32)
        for use_w in (True, False):
            torch.manual_seed(seed)
            model = FNO1d(n_modes=ablation_modes, width=ablation_width, use_w=use_w,
                          endpoint=endpoint, output_scale=float(targets[:ablation_train].std()),
                          init_std=0.1)
            train_operator(model, inputs[:ablation_train], targets[:ablation_train],
                           ablation_epochs, 10, seed=seed)
            pred = predict(model, inputs[-n_ablation_test:])
            truth_1d = solution[-n_ablation_test:]
            ablation[seed, problem, use_w] = {
                "error": float(relative_l2(pred, truth_1d).mean()),
                "profile": np.sqrt(((pred - truth_1d) ** 2).mean(axis=0)
                                   / (truth_1d**2).mean()),  # RMS error at each x / RMS of u
            }


def mean_over_seeds(problem: str, quantity) -> float:
    """Mean over the ablation seeds of quantity(seed, problem)."""
    return float(np.mean([quantity(seed, problem) for seed in ablation_seeds]))


def w_ratio(seed: int, problem: str) -> float:
    """Error without W / error with W for one seed and problem."""
    return ablation[seed, problem, False]["error"] / ablation[seed, problem, True]["error"]


def outer_share(seed: int, problem: str) -> float:
    """Share of the extra squared error without W that lies in the outer quarters of [0, 1]."""
    extra = np.maximum(ablation[seed, problem, False]["profile"] ** 2
                       - ablation[seed, problem, True]["profile"] ** 2, 0)
    x = x_ablation[problem]
    return float(extra[(x < 0.25) | (x > 0.75)].sum() / extra.sum())


problem_names = ("Dirichlet", "periodic")
w_ratio_by_problem = {p: mean_over_seeds(p, w_ratio) for p in problem_names}
w_ratio_mean = float(np.mean(list(w_ratio_by_problem.values())))
boundary_contrast = w_ratio_by_problem["Dirichlet"] / w_ratio_by_problem["periodic"]
jumps = (np.diff(ablation_data[ablation_seeds[0]][0], axis=1) != 0).sum(axis=1)

# %% tags=["hide-input"]
print(f"jumps of a per sample (seed {ablation_seeds[0]}): none in {np.mean(jumps == 0):.0%} of "
      f"samples, median {np.median(jumps):.0f}, at most {jumps.max()}")
print(f"{'seed':<6}{'problem':<11}{'with W':>9}{'without W':>11}{'ratio':>8}"
      f"{'share of the extra error in the outer quarters':>49}")
for seed in ablation_seeds:
    for problem in problem_names:
        w, nw = ablation[seed, problem, True]["error"], ablation[seed, problem, False]["error"]
        print(f"{seed:<6}{problem:<11}{w:>9.4f}{nw:>11.4f}{nw / w:>8.2f}"
              f"{outer_share(seed, problem):>49.2f}")
print(f"mean ratio without / with W: Dirichlet {w_ratio_by_problem['Dirichlet']:.2f}, "
      f"periodic {w_ratio_by_problem['periodic']:.2f}; "
      f"Dirichlet / periodic {boundary_contrast:.2f}")

# %% [markdown]
# Every sample's coefficient has jumps (an even number on the periodic grid, mostly two), so the
# solutions have kinks inside the domain as well as, for the Dirichlet problem, at the ends of its
# periodic extension. The last column asks where the extra error of the model without $W$ sits: it
# is the share of the extra squared error (without $W$ minus with $W$, pointwise) that falls in the
# outer quarters of the interval, which make up half of its length, so 0.5 means no preference. The
# figure shows a few samples of both problems and, for the first seed, where each model errs along
# the interval (root-mean-square error at each point, divided by that of the solution).

# %% tags=["hide-input"]
a_show, problems_show = ablation_data[ablation_seeds[0]]
fig, axes = plt.subplots(2, 2, figsize=(6.4, 4.7), layout="constrained")
for j in range(3):
    axes[0, 0].plot(x_periodic, a_show[j] + 0.3 * j, color=f"C{j}", lw=1.2)
    axes[0, 1].plot(x_nodes, problems_show["Dirichlet"][0][j], color=f"C{j}", lw=1.5)
    axes[0, 1].plot(x_periodic, problems_show["periodic"][0][j], color=f"C{j}", lw=1, ls="--")
axes[0, 0].set(xlabel="$x$", ylabel="$a(x)$ (offset per sample)", title="1-D coefficients")
axes[0, 1].set(xlabel="$x$", ylabel="$u(x)$", title="solutions: Dirichlet (—), periodic (--)")
for ax, problem, xs in ((axes[1, 0], "Dirichlet", x_nodes), (axes[1, 1], "periodic", x_periodic)):
    for use_w, style in ((True, "C0-"), (False, "C3-")):
        r = ablation[ablation_seeds[0], problem, use_w]
        ax.plot(xs, r["profile"], style, lw=1.2,
                label=f"{'with' if use_w else 'without'} $W$ ({r['error']:.3f})")
    ax.set(xlabel="$x$", ylabel="RMS error / RMS of $u$", yscale="log", title=f"{problem}: error")
    ax.legend(fontsize=7)
plt.show()

# %% [markdown]
# Removing $W$ raises the error on both problems, and in full mode it raises it more on the
# Dirichlet problem than on the periodic one, by the printed Dirichlet / periodic factor: the
# problem-level version of the notes' reading holds at this scale. Where the extra error sits is
# less clear-cut. On the periodic problem, whose ends are arbitrary points, the outer quarters get
# about their half of it or less. On the Dirichlet problem they get more than their half in the
# stored run, by a share that varies from seed to seed, and the profiles of the first seed show
# why a narrow window at the ends would miss it: the model without $W$ errs most in two bands a
# short distance inside the ends, where a truncated Fourier series rings around the kink that the
# periodic extension of the solution has at $x = 0 \equiv 1$, and little at the end nodes
# themselves. It also errs more across the whole interval: $W$ is the network's only pointwise path
# for every local feature of the input, the kinks at the jumps of $a$ included. We assert the
# problem-level contrast in full mode and report the location. How large the contrast is depends on
# the training budget; in fast mode, with half the points per sample and one seed, it is not
# reliable and not asserted.
#
# ### Inference speed against the solvers
#
# The paper reports that on a $256 \times 256$ grid its FNO evaluates a Navier–Stokes solution in
# 0.005 s against 2.2 s for the pseudo-spectral solver that made the data (as the
# `neuraloperator` theory guide lists it). Here both run on one CPU thread, side by side, on the
# same test inputs; each time is the best of three repeats.

# %%
def best_seconds(fn, repeats: int = 3) -> float:
    """Shortest wall time of `repeats` calls of fn()."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


n_timed = 10
burgers_solve = lambda: solve_burgers(u0_all[n_train:], viscosity=viscosity, n_steps=n_steps)
speed = {
    f"Burgers, {burgers_grid} points": (
        best_seconds(burgers_solve) / n_test,
        best_seconds(lambda: predict(fno, a_test)) / n_test),
    f"Darcy, {s2}×{s2}": (
        best_seconds(lambda: solve_darcy_2d(darcy_a[s2][:n_timed]), repeats=2) / n_timed,
        best_seconds(lambda: predict(fno_coarse, a_fine[:n_timed])) / n_timed),
}

# %% tags=["hide-input"]
print(f"{'problem':<22}{'solver, ms/sample':>19}{'FNO, ms/sample':>16}{'solver / FNO':>14}")
for name, (solver_s, fno_s) in speed.items():
    print(f"{name:<22}{1e3 * solver_s:>19.2f}{1e3 * fno_s:>16.2f}{solver_s / fno_s:>14.1f}")

# %% [markdown]
# On the 1-D problem the batched pseudo-spectral solver is itself cheap, and the FNO is faster by
# the small printed factor. On the 2-D Darcy grid the two are within a small factor of each other: a
# sparse direct solve of one elliptic problem is fast, while the paper's large factor compares with
# a time-stepping Navier–Stokes solver, which takes many steps per sample. The times depend on the
# machine and its load, so we report them and do not assert them.

# %% [markdown]
# ## Claim check
#
# The first row is the headline claim where it is hard: on the middle Darcy grid, the model trained
# on the coarsest grid against one trained on the middle grid itself. The paper demonstrates
# zero-shot super-resolution on Navier–Stokes (trained at $64 \times 64$, evaluated at $256 \times
# 256$) and tabulates no number for it, so the threshold, within 50 % of the natively trained model,
# is ours: one-sided and loose. The strict reading, the same error on every grid, holds on Burgers
# (second row) and not on Darcy, where the zero-shot error grows by the factor printed above; the
# growth row records what holds instead, that the FNO's error grows much less than a CNN's. The
# accuracy rows have loose thresholds, because the laptop runs are far smaller than the paper's. The
# high-frequency row is one that a linear network fails by construction (it scores exactly 1); fast
# mode, with its shorter training, gets a looser bound. The two $W$ rows say that removing $W$ costs
# accuracy, and, in full mode only, that it costs more on the Dirichlet problem than on the periodic
# one; where along the interval the extra error sits varies between seeds and is reported, not
# asserted.

# %%
finest = max(test_resolutions)
claims = [
    utils.Claim(
        claim=f"Darcy zero-shot: error on the {s1} grid of the FNO trained on {s0} / of the FNO "
        f"trained on {s1}",
        paper="n/a (zero-shot shown on Navier–Stokes 64→256, no number tabulated)",
        measured=zero_shot[s1] / native[s1],
        op="<=",
        threshold=1.5,
        kind="paper",
    ),
    utils.Claim(
        claim=f"Burgers zero-shot: error on {finest} points / error on the training grid "
        f"({burgers_train_res})",
        paper="≈1: 0.0149 … 0.0139 at s = 256 … 8192 (each trained at its s)",
        measured=fno_errors[finest] / fno_errors[burgers_train_res],
        op="<=",
        threshold=1.2,
        kind="paper",
    ),
    utils.Claim(
        claim=f"Darcy error growth from {s0} to {s2} (zero-shot): FNO's growth factor / CNN's",
        paper="FCN 0.0253→0.1097, FNO 0.0108→0.0098 (s = 85→421, trained at each s)",
        measured=fno_growth / cnn_growth,
        op="<=",
        threshold=0.7,
        kind="instead",
    ),
    utils.Claim(
        claim=f"Burgers (ν = {viscosity}): FNO relative L2 error on the training grid",
        paper="0.0149 at s = 256 (ν = 0.1 in the paper's text)",
        measured=fno_errors[burgers_train_res],
        op="<=",
        threshold=utils.pick(0.08, 0.03),
        kind="paper",
    ),
    utils.Claim(
        claim="Burgers: FNO error / error of the best linear Fourier multiplier",
        paper="n/a (linear baseline of this chapter)",
        measured=fno_errors[burgers_train_res] / best_linear_error,
        op="<=",
        threshold=0.2,
        kind="paper",
    ),
    utils.Claim(
        claim=f"Darcy 2-D ({s0}×{s0}): FNO relative L2 error",
        paper="0.0108 at s = 85 (1000 samples, 500 epochs)",
        measured=zero_shot[s0],
        op="<=",
        threshold=utils.pick(0.2, 0.1),
        kind="paper",
    ),
    utils.Claim(
        claim="Burgers, 4-mode FNO without W: relative error of its output's modes k ≥ 4 "
        "(a linear network scores 1)",
        paper="guide: activations recover the higher modes",
        measured=high_mode_no_w,
        op="<=",
        threshold=utils.pick(0.7, 0.5),  # shorter training in fast mode reaches less
        kind="paper",
    ),
    utils.Claim(
        claim="1-D Darcy: error without W / with W, mean over periodic and Dirichlet problems "
        "and seeds",
        paper="notes: W compensates for non-periodic boundaries",
        measured=w_ratio_mean,
        op=">=",
        threshold=1.1,
        kind="instead",
    ),
    utils.Claim(
        claim="From-scratch spectral layers equal neuralop SpectralConv on the same weights "
        "(max |diff|, 1-D and 2-D)",
        paper="n/a (library cross-check)",
        measured=max(gap_1d, gap_2d),
        op="<=",
        threshold=1e-5,
        kind="code",
    ),
]
if not info.fast:  # fast mode's smaller ablation gives a smaller, unreliable contrast (see text)
    claims.append(
        utils.Claim(
            claim="1-D Darcy: (error ratio without / with W) on the Dirichlet problem / on the "
            "periodic one",
            paper="notes and guide: W recovers non-periodic boundaries",
            measured=boundary_contrast,
            op=">=",
            threshold=1.2,
            kind="paper",
        )
    )
utils.check_claims(
    "07",
    claims,
    headline="An FNO learns a PDE's solution operator accurately and, trained on one grid, "
    "evaluates it on finer grids with the same error",
    verdict="partly reproduced",
)

# %% [markdown]
# ## Explore
#
# The explorer shows the trained Burgers operators: pick the number of kept modes $k_{\max}$ (a
# model trained with that many) and the grid it is evaluated on. All were trained on
# `burgers_train_res` points. The plot shows one test sample: the solver's answer, the solver's
# answer truncated to the model's $k_{\max}$ modes (what a purely spectral, linear output could at
# best give), and the model's prediction on the chosen grid; the title gives the mean test error on
# that grid.

# %%
explore_sample = 0
explore_truth = u1_all[n_train + explore_sample]
explore_resolutions = sorted({32, burgers_train_res, burgers_grid})
explore_cache = {}
for modes, model in fno_by_modes.items():
    for r in explore_resolutions:
        step = burgers_grid // r
        pred = predict(model, a_test[:, ::step])
        explore_cache[modes, r] = (float(relative_l2(pred, u1_all[n_train:, ::step]).mean()),
                                   pred[explore_sample])


def plot_trained_operator(n_modes: int = 16,
                          test_resolution: int = burgers_train_res) -> plt.Figure:
    """One test sample: truth, truth cut to n_modes, and the n_modes FNO on a test grid."""
    error, prediction = explore_cache[n_modes, test_resolution]
    fig, ax = plt.subplots(figsize=(5.4, 3.0), layout="constrained")
    ax.plot(x_fine, explore_truth, "k-", lw=3, alpha=0.3, label="solver")
    ax.plot(x_fine, truncate_modes(explore_truth, n_modes), "C2--", lw=1,
            label=f"solver, lowest {n_modes} modes")
    ax.plot(np.arange(test_resolution) / test_resolution, prediction, "C0.-", ms=3, lw=0.8,
            label=f"FNO on {test_resolution} points")
    ax.set(xlabel="$x$", ylabel="$u(x, 1)$",
           title=f"$k_{{\\max}}$ = {n_modes}, {test_resolution} points: "
           f"mean test error {error:.3f}")
    ax.legend(fontsize=7, loc="lower left")
    return fig


plot_trained_operator()
plt.show()

# %%
utils.explore(plot_trained_operator, n_modes=sorted(fno_by_modes),
              test_resolution=explore_resolutions)

# %% [markdown]
# Three things to see. At $k_{\max} = 4$ the truncated truth misses the fronts badly, while the
# FNO with the same 4 modes draws them: the frequencies above the cut-off come from its
# activations. Moving the grid slider leaves every model's error almost unchanged, down to 32
# points, where the dots are sparse but still on the curve: aliasing is small for this smooth
# input. And going from 4 to 8 modes helps more than going from 8 to 16.

# %% [markdown]
# ## Exercises
#
# ```{exercise}
# :label: ch07-ex1
#
# Write `spectral_parameters(n_modes, width, dim)`, the number of real parameters of one
# `dim`-dimensional spectral layer from `width` to `width` channels that keeps `n_modes` modes per
# dimension in the `rfft` layout: the last axis holds only non-negative modes, each other axis
# needs one block for its positive and one for its negative modes, and a complex weight counts as
# two real numbers. Then use it on the paper. Its Navier–Stokes table lists 6,558,537 parameters
# for FNO-3D, whose released code has width 20 and four layers, each made of a 3-D spectral layer,
# a pointwise $W$ with bias, and a batch norm with 2 parameters per channel, plus a lifting layer
# `Linear(13, 20)` and a projection 20 → 128 → 1 (two linear layers with biases). How many modes
# per dimension did it keep? Store the number in `fno3d_modes`.
# ```
#
# ```{solution-start} ch07-ex1
# :class: dropdown
# ```

# %% tags=["solution"]
def spectral_parameters(n_modes, width, dim):
    """Real parameters of one dim-dimensional spectral layer, width -> width channels."""
    ### BEGIN SOLUTION
    blocks = 2 ** (dim - 1)  # the last axis is halved by rfft; every other axis has two signs
    return 2 * blocks * width * width * n_modes**dim  # 2 real numbers per complex weight
    ### END SOLUTION


# %% tags=["solution"]
# Find the modes per dimension of the paper's FNO-3D from its 6,558,537 parameters.
### BEGIN SOLUTION
def fno3d_parameters(modes, width=20, n_layers=4):
    """Real parameters of the paper's FNO-3D with `modes` modes per dimension."""
    lift = 13 * width + width
    per_layer = spectral_parameters(modes, width, 3) + (width * width + width) + 2 * width
    project = (width * 128 + 128) + (128 + 1)
    return lift + n_layers * per_layer + project


fno3d_modes = next(m for m in range(1, 33) if fno3d_parameters(m) == 6_558_537)
print(f"modes per dimension: {fno3d_modes}; spectral share of the parameters: "
      f"{4 * spectral_parameters(fno3d_modes, 20, 3) / 6_558_537:.1%}")
### END SOLUTION

# %% [markdown]
# The count $2 \cdot 2^{d-1} d_v^2 k_{\max}^d$ per layer grows like $k_{\max}^d$: 8 modes per
# dimension in 3-D already cost $8^3 = 512$ complex weights per channel pair, which is why FNO-3D
# has 6.5 million parameters at width 20 and why factorised variants exist. The parameters do not
# depend on the grid at all.
#
# ```{solution-end}
# ```

# %% tags=["check", "remove-input"]
utils.check_that(
    "ch07-ex1",
    lambda: all(spectral_parameters(m, w, 1) == count_real_parameters(SpectralConv1d(w, w, m))
                for m, w in ((16, 64), (5, 3), (12, 20)))
    and all(spectral_parameters(m, w, 2) == count_real_parameters(SpectralConv2d(w, w, m))
            for m, w in ((8, 20), (3, 7))),
    "spectral_parameters counts this chapter's 1-D and 2-D layers",
)
utils.check_that(
    "ch07-ex1",
    lambda: isinstance(fno3d_modes, (int, np.integer)) and 0 < fno3d_modes <= 64,
    "fno3d_modes is a whole number of modes",
)
### BEGIN HIDDEN TESTS
utils.check_function(
    "ch07-ex1", spectral_parameters,
    [((8, 20, 3), 1_638_400), ((4, 6, 3), 18_432), ((2, 3, 4), 2_304), ((5, 7, 1), 490)],
    rtol=0, atol=0, hint="2^(dim-1) blocks of width² · n_modes^dim complex weights.")
utils.check_value("ch07-ex1", fno3d_modes, 8, rtol=0, atol=0,
                  hint="add lift, four layers (spectral, W, batch norm) and the projection.")
### END HIDDEN TESTS

# %% [markdown]
# ```{exercise}
# :label: ch07-ex2
#
# Show that a mode-truncated layer is resolution-invariant, and where that stops. Run
# `torch.manual_seed(0)` and build one `SpectralConv1d(1, 1, 8)`. Sample
# $f(x) = \sin 2\pi x + 0.5\cos 6\pi x$ on the periodic grids $x_j = j/n$ with $n = 32$ and
# $n = 256$, apply the same layer to both, and store the outputs as 1-D NumPy arrays `coarse_out`
# (32 values) and `fine_out` (256 values); compare `coarse_out` with every 8th value of `fine_out`.
# Then add $0.3 \sin(2\pi \cdot 28 x)$ to $f$, apply the same layer on both grids again, and store
# the largest absolute difference between the new coarse output and every 8th value of the new fine
# output in `alias_gap`. Explain the two results with {eq}`eq-aliasing`.
# ```
#
# ```{solution-start} ch07-ex2
# :class: dropdown
# ```

# %% tags=["solution"]
torch.manual_seed(0)
layer = SpectralConv1d(1, 1, 8)
### BEGIN SOLUTION
def sample_f(n, high=0.0):
    """f on the periodic grid x_j = j / n, shaped (batch=1, channels=1, n)."""
    x = torch.arange(n) / n
    f = torch.sin(2 * torch.pi * x) + 0.5 * torch.cos(6 * torch.pi * x)
    return (f + high * torch.sin(2 * torch.pi * 28 * x))[None, None, :]


with torch.no_grad():
    coarse_out = layer(sample_f(32))[0, 0].numpy()
    fine_out = layer(sample_f(256))[0, 0].numpy()
    alias_gap = float(np.abs(layer(sample_f(32, 0.3))[0, 0].numpy()
                             - layer(sample_f(256, 0.3))[0, 0].numpy()[::8]).max())
print(f"max |coarse - fine[::8]| = {np.abs(coarse_out - fine_out[::8]).max():.1e}; "
      f"with the mode-28 term: {alias_gap:.2f}")
### END SOLUTION

# %% [markdown]
# Both grids see the same Fourier coefficients of $f$ (the $1/n$ of the forward FFT is undone by the
# inverse), so the layer produces the same band-limited function, sampled at different points. On 32
# points, mode 28 is indistinguishable from mode $28 - 32 = -4$, by {eq}`eq-aliasing`, which the
# layer keeps and multiplies; on 256 points mode 28 is itself and lies above $k_{\max} = 8$, so the
# layer drops it. The two outputs now differ by about the size of the aliased term times the layer's
# weight at mode 4. With `np.linspace(0, 1, n)`, which includes $x = 1$, the sampled function would
# not be periodic on the grid and the coefficients would change with $n$ as well.
#
# ```{solution-end}
# ```

# %% tags=["check", "remove-input"]
utils.check_that(
    "ch07-ex2",
    lambda: np.shape(coarse_out) == (32,) and np.shape(fine_out) == (256,),
    "coarse_out has 32 values and fine_out 256",
)
utils.check_that(
    "ch07-ex2",
    lambda: np.abs(np.asarray(coarse_out) - np.asarray(fine_out)[::8]).max() < 1e-5,
    "coarse_out equals every 8th value of fine_out",
)
utils.check_that("ch07-ex2", lambda: float(alias_gap) > 1e-3,
                 "alias_gap shows a visible difference")
### BEGIN HIDDEN TESTS
torch.manual_seed(0)
reference_layer = SpectralConv1d(1, 1, 8)


def reference_output(n, high=0.0):
    """The seed-0 layer applied to f (plus the mode-28 term) on n periodic points."""
    x = torch.arange(n) / n
    f = (torch.sin(2 * torch.pi * x) + 0.5 * torch.cos(6 * torch.pi * x)
         + high * torch.sin(56 * torch.pi * x))
    with torch.no_grad():
        return reference_layer(f[None, None])[0, 0].numpy()


utils.check_array("ch07-ex2", coarse_out, reference_output(32), rtol=0, atol=1e-5,
                  hint="apply the seed-0 layer to f sampled at x_j = j / 32.")
utils.check_array("ch07-ex2", fine_out, reference_output(256), rtol=0, atol=1e-5,
                  hint="apply the same layer to f sampled at x_j = j / 256.")
reference_gap = np.abs(reference_output(32, 0.3) - reference_output(256, 0.3)[::8]).max()
utils.check_value("ch07-ex2", alias_gap, reference_gap, rtol=1e-3,
                  hint="compare the coarse output with every 8th fine output, both with mode 28.")
### END HIDDEN TESTS

# %% [markdown]
# ```{exercise}
# :label: ch07-ex3
#
# Change the architecture. Current FNO code fights the periodic wrap-around at non-periodic
# boundaries differently from $W$: it pads the hidden function with zeros inside the Fourier
# layers and crops the padding off before the projection. Write `padded_forward(model, a, pad)` for
# our `FNO1d`: lift with `model.lift_input(a)`, append `pad` zeros to the last axis, run the Fourier
# layers exactly as `FNO1d.forward` does (`model.layer(t, v)`, with `model.activation` after every
# layer but the last), drop the padding, and return `model.project(v)`. Then train a model without
# $W$ that uses it (`PaddedFNO1d` below wraps it as a module; pad by a quarter of the grid) on the
# first seed's Dirichlet 1-D Darcy problem, with the ablation's settings, and compare its error,
# overall and in the outer quarters of the interval, with the ablation's models with and without
# $W$. Does padding lower the error? Does it make $W$ unnecessary?
# ```
#
# ```{solution-start} ch07-ex3
# :class: dropdown
# ```

# %% tags=["solution"]
def padded_forward(model, a, pad):
    """FNO1d forward pass with `pad` zeros appended inside the Fourier layers."""
    ### BEGIN SOLUTION
    n = a.shape[-1]
    v = F.pad(model.lift_input(a), (0, pad))  # (batch, width, n + pad)
    for t in range(len(model.spectral)):
        v = model.layer(t, v)
        if t < len(model.spectral) - 1:
            v = model.activation(v)
    return model.project(v[..., :n])
    ### END SOLUTION


class PaddedFNO1d(nn.Module):
    """An FNO1d whose forward pass is padded_forward with a fixed padding."""

    def __init__(self, model: FNO1d, pad: int):
        super().__init__()
        self.model, self.pad = model, pad

    def forward(self, a: torch.Tensor) -> torch.Tensor:
        return padded_forward(self.model, a, self.pad)


# %% tags=["solution"]
# Train a padded model without W on the first seed's Dirichlet problem; compare its errors.
### BEGIN SOLUTION
seed = ablation_seeds[0]
a_1d, problems = ablation_data[seed]
solution_1d = problems["Dirichlet"][0]
inputs = torch.tensor((a_1d - 7.5) / 4.5, dtype=torch.float32)
targets = torch.tensor(solution_1d, dtype=torch.float32)
torch.manual_seed(seed)
padded_model = PaddedFNO1d(FNO1d(n_modes=ablation_modes, width=ablation_width, use_w=False,
                                 endpoint=True, output_scale=float(targets[:ablation_train].std()),
                                 init_std=0.1), pad=ablation_res // 4)
train_operator(padded_model, inputs[:ablation_train], targets[:ablation_train], ablation_epochs,
               10, seed=seed)
truth_1d = solution_1d[-n_ablation_test:]
padded_pred = predict(padded_model, inputs[-n_ablation_test:])
padded_profile = np.sqrt(((padded_pred - truth_1d) ** 2).mean(axis=0) / (truth_1d**2).mean())
outer = (x_nodes < 0.25) | (x_nodes > 0.75)
without_w, with_w = ablation[seed, "Dirichlet", False], ablation[seed, "Dirichlet", True]
for name, error, profile in (
    ("without W, padded", relative_l2(padded_pred, truth_1d).mean(), padded_profile),
    ("without W", without_w["error"], without_w["profile"]),
    ("with W", with_w["error"], with_w["profile"]),
):
    outer_rms, inner_rms = (np.sqrt((profile[part] ** 2).mean()) for part in (outer, ~outer))
    print(f"{name:<18} relative L2 {error:.4f}, RMS error in the outer quarters {outer_rms:.4f}, "
          f"inside {inner_rms:.4f}")
### END SOLUTION

# %% [markdown]
# Padding makes the hidden function periodic on a longer interval, so the Fourier layers no longer
# have to join $x = 1$ smoothly to $x = 0$. Compare the three printed lines. In the stored run
# padding lowers the error of the model without $W$, by most in the outer quarters, where the
# wrap-around acts, but not to the level of the model with $W$. Padding treats the wrap-around;
# $W$ also gives the network a local path for the kinks at the jumps of $a$. The two address
# different parts of the problem, which is why current FNO code uses both. One seed and one padding
# width are a small sample: a second seed is worth a run before trusting the comparison.
#
# ```{solution-end}
# ```

# %% tags=["check", "remove-input"]
torch.manual_seed(123)
probe_model = FNO1d(n_modes=4, width=8, use_w=False, endpoint=True, init_std=0.1)
probe_input = torch.randn(3, 20)
with torch.no_grad():
    utils.check_that(
        "ch07-ex3",
        lambda: torch.allclose(padded_forward(probe_model, probe_input, 0),
                               probe_model(probe_input), atol=1e-6),
        "padded_forward with pad = 0 is the model's own forward pass",
    )
    utils.check_that(
        "ch07-ex3",
        lambda: tuple(padded_forward(probe_model, probe_input, 7).shape) == (3, 20),
        "padded_forward returns one value per input point",
    )
### BEGIN HIDDEN TESTS


def reference_padded(model, a, pad):
    """Lift, pad, Fourier layers, crop, project."""
    v = F.pad(model.lift_input(a), (0, pad))
    for t in range(len(model.spectral)):
        v = model.layer(t, v)
        v = model.activation(v) if t < len(model.spectral) - 1 else v
    return model.project(v[..., : a.shape[-1]])


torch.manual_seed(7)
probe_with_w = FNO1d(n_modes=5, width=6, use_w=True, endpoint=True)
cases = [(probe_model, torch.randn(2, 24), 5), (probe_model, torch.randn(4, 17), 16),
         (probe_with_w, torch.randn(3, 30), 9)]
with torch.no_grad():
    expected = [((m_, a_, p_), reference_padded(m_, a_, p_).numpy()) for m_, a_, p_ in cases]
    utils.check_function("ch07-ex3", padded_forward, expected, rtol=0, atol=1e-5,
                         hint="pad after the lift, crop before the projection.")
### END HIDDEN TESTS

# %% [markdown]
# ```{exercise}
# :label: ch07-ex4
#
# (Open-ended.) The Darcy FNO trained on the coarsest grid loses accuracy on finer grids. Find out
# where that comes from, with measurements rather than guesses. Candidates: the truth changes
# between grids (the coarse solver's discretisation error), the model's own answer changes between
# grids (aliasing of the discontinuous input and of the activations), and the node grid, whose FFT
# period $s/(s-1)$ changes with $s$. Then try one remedy, for example the paper's protocol of
# training on coarse inputs with targets from a finer solve, and say what it changes.
# ```
#
# ```{solution-start} ch07-ex4
# :class: dropdown
# ```

# %% tags=["solution"]
# Measure where the zero-shot error growth comes from, then try one remedy.
### BEGIN SOLUTION
# 1. Same function, different grid: the coarse coefficient copied onto the finest grid (each fine
#    node takes the value of its nearest coarse node). If the model's answer still moves, the
#    change comes from the grid, not from the finer detail of the input.
nearest = np.rint(np.arange(s2) * (s0 - 1) / (s2 - 1)).astype(int)
a_copied = a_coarse_test[:, nearest][:, :, nearest]
copied_change = relative_l2(predict(fno_coarse, a_copied)[:, ::4, ::4], answers[s0]).mean()
print(f"answer change {s0} -> {s2}: fine coefficient {model_change[s0]:.4f}, "
      f"coarse coefficient copied to the fine grid {copied_change:.4f}")

# 2. A remedy from the paper's protocol: coarse inputs, targets from a finer solve (the middle
#    grid's solution at the coarse nodes).
a_train_coarse, _ = darcy_tensors(s0, train_part)
u_train_from_mid = torch.tensor(darcy_u[s1][train_part][:, ::2, ::2], dtype=torch.float32)
torch.manual_seed(info.seed)
fno_mid_targets = FNO2d(darcy_modes, darcy_width, output_scale=float(u_train_from_mid.std()))
train_operator(fno_mid_targets, a_train_coarse, u_train_from_mid, darcy_epochs, batch_size=10,
               seed=info.seed)
remedy = {s: test_error(fno_mid_targets, *darcy_tensors(s, test_part)) for s in darcy_res}
print(f"{'FNO on ' + str(s0) + ', trained with':<34}"
      + "".join(f"{'on ' + str(s):>9}" for s in darcy_res))
print(f"{'  targets from its own grid':<34}" + "".join(f"{zero_shot[s]:>9.4f}" for s in darcy_res))
print(f"{'  targets from the ' + str(s1) + ' grid':<34}"
      + "".join(f"{remedy[s]:>9.4f}" for s in darcy_res))
### END SOLUTION

# %% [markdown]
# A good answer separates the candidates with numbers. The chapter already shows that the model's
# own answer moves between grids much more than the truth does, at a rate close to first order. The
# first measurement here copies the coarse coefficient onto the fine grid, so the model sees the
# same piecewise-constant function on both grids. Its answer moves by as much as with the fine
# coefficient, so the change is the grid's doing (the same jumps, sampled and aliased differently),
# not new detail in the input. The second shows that training on targets from a finer solve, the
# paper's protocol, changes little here, as expected when the truth's change is the small part. The
# third candidate, the period $s/(s-1)$, is left untested here; one way to test it is to drop the
# last row and column of nodes (where $u = 0$), so that every grid has period exactly 1, with the
# grid features changed to match. Remedies worth trying next: training on a mix of grids, or
# smoothing the coefficient before it enters the network, so that less of its spectrum lies above
# the coarse grid's Nyquist wavenumber.
#
# ```{solution-end}
# ```

# %% [markdown]
# ## Takeaways and limits
#
# - A spectral convolution is an FFT, a per-mode complex matrix on the lowest modes, and an inverse
#   FFT. Ours matches `neuraloperator`'s `SpectralConv` to round-off once the mode-count and
#   `fftshift` conventions are mapped.
# - On Burgers at $\nu = 0.01$, a task where the best linear operator errs by about half, the FNO
#   reaches about one percent and keeps that error on grids from 32 to 512 points without
#   retraining. The small differences between grids are aliasing, and they shrink quickly with the
#   grid size.
# - On Darcy flow, discontinuous and non-periodic, resolution invariance is approximate: the
#   zero-shot error grows on finer grids, because the model's own answer changes with the grid, at
#   the slow rate at which the aliasing of a jump decays. It grows much less than a CNN's, and stays
#   close to a model trained on the finer grid. The paper's "same error on every grid" is
#   reproduced on the easy problem, not on the hard one.
# - Frequencies above the cut-off come from the pointwise parts of the network: $W$ carries the
#   input's, the activation creates new ones, and a trained 4-mode model without $W$ reconstructs
#   most of the solution above its cut-off. $W$ matters more on a non-periodic problem than on a
#   periodic one (in full mode), as the notes say; how much of the extra error sits near the
#   boundary varies between seeds.
# - Laptop scale cannot show the paper's Navier–Stokes results (relative error 0.1556 for FNO-2D
#   at $\nu = 10^{-5}$), training on 8192-point and $421 \times 421$ grids, or the paper's
#   speed-up (on one CPU thread the FNO is within a small factor of a sparse Darcy solve). Our
#   Darcy error, several percent in full mode, is several times the paper's 1.08 %, with a quarter
#   of its samples, sixty times fewer epochs and a coarser grid.
#
# Where the ideas go next: the Factorized FNO separates the spectral weights per dimension and
# trains deeper models {cite}`tran2023ffno`; the Spherical FNO replaces the FFT by spherical
# harmonics for global weather {cite}`bonev2023sfno`; Geo-FNO (chapter 08) learns a deformation to
# a regular grid for irregular geometries; DeepONet is the other main operator-learning architecture
# {cite}`lu2021deeponet`; Kovachki, Lanthaler and Mishra prove that FNOs are universal approximators
# {cite}`kovachki2021universal`. The reading lists also point to *NUNO* (non-uniform data via K-D
# tree decomposition, ICML 2023), *MgNO* (multigrid-parameterised neural operators), *Neural
# Spectral Methods* (spectral-domain self-supervised training, ICLR 2024), *Super-Resolution Neural
# Operator* (CVPR 2023) and *Principled Approaches for Extending Neural Architectures to Function
# Spaces for Operator Learning*, which sets out principles for turning a network on grids into one
# on functions, the property whose limits this chapter measured.
#
# ## References and further reading
#
# ```{bibliography}
# :filter: docname in docnames
# ```
