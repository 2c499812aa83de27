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
# | | |
# | --- | --- |
# | **Paper** | *Fourier Neural Operator for Parametric Partial Differential Equations* |
# | **Authors** | Zongyi Li, Nikola Kovachki, Kamyar Azizzadenesheli, Burigede Liu, Kaushik Bhattacharya, Andrew Stuart, Anima Anandkumar |
# | **Venue** | ICLR 2021 · [arXiv:2010.08895](https://arxiv.org/abs/2010.08895) |
# | **Reference library** | `neuraloperator` (imports as `neuralop`) |
#
# **Summary.** The Fourier neural operator (FNO) learns the map from a PDE's input function (an
# initial condition, a coefficient field) to its solution by stacking layers that multiply the lowest
# Fourier modes of a hidden function by learned complex matrices. Because the learned weights live on
# Fourier modes and not on grid points, one trained model can be evaluated on any grid, including
# grids finer than the one it was trained on.
#
# **What the seminar notes say.** The notes read an FNO layer as a learned version of how a PDE
# evolves in frequency space: each layer learns a spectral update, and the stack learns the solution
# operator across a whole family of inputs. They add two readings of the architecture: the pointwise
# linear term $W$ is there to restore information lost at non-periodic boundaries (not as a residual
# path), and the nonlinear activation is what puts energy back into the frequencies above the cut-off.
# This chapter tests both readings.
#
# **Run time:** about 25 s in fast mode and about 1 min in full mode on an idle 2-core CPU, roughly
# twice that on a busy one (measured values are in the {doc}`scoreboard <../book/scoreboard>`).

# %% [markdown]
# ## Learning objectives
#
# After this chapter you can:
#
# 1. Write a spectral convolution and a Fourier neural operator from scratch in PyTorch, and show
#    that your layer computes exactly what `neuraloperator`'s `SpectralConv` computes.
# 2. Generate operator-learning data with real solvers (pseudo-spectral Burgers, finite-difference
#    Darcy) and check the solvers by conservation and convergence under refinement.
# 3. Train an FNO at one resolution and evaluate it zero-shot at finer ones, and explain why the
#    error does not grow.
# 4. Test two design claims by ablation and by spectra: what the pointwise term $W$ does at
#    non-periodic boundaries, and how the activation creates frequencies above the kept modes.
# 5. Count an FNO's parameters from its modes and width.

# %% [markdown]
# ## Background and theory
#
# ### Learning an operator
#
# A parametric PDE defines a solution operator $\mathcal{G}^\dagger: a \mapsto u$ that sends an input
# function $a$ (initial condition, coefficient, forcing) to the solution $u$. Given pairs
# $\{(a_j, u_j)\}_{j=1}^N$ with $a_j$ drawn from a distribution $\mu$, operator learning fits a
# parametric map $\mathcal{G}_\theta$ that minimises the expected relative error
#
# ```{math}
# :label: eq-fno-loss
# \min_\theta \; \mathbb{E}_{a \sim \mu}
# \frac{\lVert \mathcal{G}_\theta(a) - \mathcal{G}^\dagger(a) \rVert_{L^2}}{\lVert \mathcal{G}^\dagger(a) \rVert_{L^2}} .
# ```
#
# The functions are only ever seen on a grid, but the goal is a map between function spaces: the same
# $\theta$ should work on any grid {cite}`kovachki2023neuraloperator`.
#
# ### The Fourier layer
#
# The FNO {cite}`li2021fno` lifts the input pointwise to $d_v$ channels, $v_0(x) = P(a(x), x)$, applies
# $L$ layers
#
# ```{math}
# :label: eq-fno-layer
# v_{t+1}(x) = \sigma\big( W v_t(x) + (\mathcal{K} v_t)(x) \big),
# \qquad
# (\mathcal{K} v)(x) = \mathcal{F}^{-1}\big( R \cdot (\mathcal{F} v) \big)(x),
# ```
#
# and projects back pointwise, $u(x) = Q(v_L(x))$. Here $W \in \mathbb{R}^{d_v \times d_v}$ acts on each
# point separately, $\mathcal{F}$ is the Fourier transform, and $R$ is a learned complex tensor that
# acts on the lowest $k_{\max}$ modes only:
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
# $\mathcal{K}$ is a convolution with a kernel whose Fourier transform is $R$: a global, non-local
# integral operator computed in $O(n \log n)$ by the FFT. On a grid of $n$ points the discrete Fourier
# coefficients of a smooth function approximate the continuous ones for $|k| \ll n/2$, so a layer that
# only touches $|k| < k_{\max}$ computes (nearly) the same function on every grid with $n > 2k_{\max}$.
# This is the source of the zero-shot super-resolution the paper reports.
#
# ### The two readings from the notes
#
# *$W$ and boundaries.* $\mathcal{K} v$ is band-limited and periodic. If the target is not periodic,
# e.g. a solution pinned to zero at both ends of an interval, its periodic extension has kinks, and a
# truncated Fourier series converges slowly there. $W v$ carries the full, local, non-periodic signal
# past the truncation. The paper itself motivates $W$ by the non-periodic boundary conditions of Darcy
# flow and Navier–Stokes {cite}`li2021fno`.
#
# *The activation and high frequencies.* $\mathcal{K}v$ has no energy above $k_{\max}$ by
# {eq}`eq-fno-truncation`. A pointwise nonlinearity does not preserve band limits: $\sigma(\cos kx)$
# contains harmonics $2k, 3k, \dots$. So the stack can output frequencies that no single spectral layer
# keeps.
#
# ### The two PDE families
#
# *1-D viscous Burgers* on the periodic interval $[0, 1)$:
#
# ```{math}
# :label: eq-burgers
# \partial_t u + \partial_x (u^2/2) = \nu\, \partial_{xx} u,
# \qquad u(x, 0) = u_0(x) \sim \mathcal{N}\big(0,\, 625(-\Delta + 25 I)^{-2}\big),
# ```
#
# with $\nu = 0.1$; the operator maps $u_0$ to $u(\cdot, 1)$, as in the paper. We solve it
# pseudo-spectrally: Fourier in space with the 2/3 rule removing aliasing from the quadratic term, and
# an integrating-factor fourth-order Runge–Kutta step in time that integrates the stiff diffusion
# exactly {cite}`trefethen2000spectral`.
#
# *2-D Darcy flow* on $(0, 1)^2$:
#
# ```{math}
# :label: eq-darcy
# -\nabla \cdot \big(a(x) \nabla u(x)\big) = 1, \qquad u|_{\partial D} = 0,
# ```
#
# with $a \in \{3, 12\}$ obtained by thresholding a Gaussian random field $\mathcal{N}(0, (-\Delta + 9I)^{-2})$;
# the operator maps $a$ to $u$. We solve it by five-point finite differences with harmonic-mean
# coefficients on the cell faces. This problem is not periodic, which is where $W$ should matter.
#
# Both solvers live in `utils/operator_data.py`, because chapter 08 (Geo-FNO) reuses them; the
# cells below show how they are called and check them.

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
    solve_darcy_2d,
)

# neuraloperator pulls in tensorly, tensorly-torch, wandb and others. Some versions of these print
# FutureWarning/UserWarning/DeprecationWarning messages when imported; we silence exactly those
# categories from exactly those packages, for this import only, so the stored outputs stay clean.
with warnings.catch_warnings():
    for category in (FutureWarning, UserWarning, DeprecationWarning):
        warnings.filterwarnings("ignore", category=category, module=r"(neuralop|tensorly|tltorch|wandb)")
    from neuralop.layers.spectral_convolution import SpectralConv
    from neuralop.models import FNO as LibraryFNO

info = utils.setup()
device = utils.get_device()
rng = np.random.default_rng(info.seed)

# %% [markdown]
# `utils.pick(fast, full)` sizes everything. Full mode trains at resolution 128 and tests up to 512;
# fast mode halves the grids and shrinks the data and the networks.

# %%
burgers_grid = utils.pick(256, 512)  # solver grid = finest test resolution
burgers_train_res = utils.pick(64, 128)  # resolution the FNO sees in training
n_train, n_test = utils.pick(300, 800), utils.pick(100, 200)
width, n_modes = utils.pick(24, 32), utils.pick(12, 16)
n_epochs, batch_size = utils.pick(10, 12), 20
darcy_grid = 32  # nodes per side, boundary included (avoid prime sizes: slow FFTs)
darcy_train, darcy_test = utils.pick(150, 300), utils.pick(50, 100)
darcy_width, darcy_modes, darcy_epochs = utils.pick(12, 20), utils.pick(6, 8), 10
print(f"Burgers: grid {burgers_grid}, train at {burgers_train_res}, {n_train} train / {n_test} test, "
      f"width {width}, {n_modes} modes, {n_epochs} epochs")
print(f"Darcy: {darcy_grid}x{darcy_grid}, {darcy_train} train / {darcy_test} test, width {darcy_width}, "
      f"{darcy_modes} modes, {darcy_epochs} epochs")

# %% [markdown]
# ## Implementation from scratch
#
# ### Data from real solvers
#
# The Burgers initial conditions are drawn from their Fourier series: mode $k$ gets an independent
# complex Gaussian with variance $625\,((2\pi k)^2 + 25)^{-2}$. We set the constant mode to zero (we
# believe the paper's data-generation code does the same, but have not checked it). Burgers conserves the mean, and at $\nu = 0.1$ almost everything else
# has decayed by $t = 1$; with a random mean left in, $u(\cdot, 1)$ would be nearly that constant, and a
# relative error would mostly measure it. We solve on the finest grid and obtain coarser data by
# subsampling, as the paper does with its 8192-point data.

# %%
u0_all = sample_grf_1d(n_train + n_test, burgers_grid, rng, zero_mean=True)  # (N, burgers_grid)
n_steps = 100  # time steps of the integrating-factor RK4 scheme up to t = 1
u1_all = solve_burgers(u0_all, viscosity=0.1, final_time=1.0, n_steps=n_steps)

# Solver checks: Burgers conserves the mean (mass); the time step is converged; the grid is resolved.
mass_drift = np.abs(u1_all.mean(axis=1) - u0_all.mean(axis=1)).max()
check_set = u0_all[:20]
reference = solve_burgers(check_set, n_steps=8 * n_steps)
time_error = relative_l2(solve_burgers(check_set, n_steps=n_steps), reference).max()
time_error_coarse = relative_l2(solve_burgers(check_set, n_steps=n_steps // 2), reference).max()
# Refinement in space: pad the spectrum of u0 to twice the grid (the same function), solve, compare.
spectrum = np.fft.rfft(check_set, axis=1)
padded = np.zeros((len(check_set), burgers_grid + 1), dtype=complex)
padded[:, : spectrum.shape[1]] = 2 * spectrum
space_error = relative_l2(solve_burgers(check_set, n_steps=n_steps),
                          solve_burgers(np.fft.irfft(padded, n=2 * burgers_grid), n_steps=n_steps)[:, ::2]).max()
print(f"mass drift {mass_drift:.1e} | time error ({n_steps} steps) {time_error:.1e}, "
      f"({n_steps // 2} steps) {time_error_coarse:.1e}"
      f" -> observed order {np.log2(time_error_coarse / time_error):.1f} | space error vs 2x grid {space_error:.1e}")
assert mass_drift < 1e-10 and time_error < 1e-4 and space_error < 1e-6

# %% [markdown]
# The mean is conserved to round-off. Halving the step cuts the error by a factor $2^p$; the printed
# $p$ (between about 2.4 and 3.4 across seeds) is below the scheme's nominal order 4, a reduction that
# integrating-factor schemes often show on stiff problems at moderate step sizes. What matters here is
# the size: the remaining time error is around $10^{-5}$, far below any error a trained network
# reaches. Doubling the grid changes nothing visible. The data are as exact as we need. Now the Darcy data. The
# finite-difference solver is second order; we check that on a manufactured solution
# $u = \sin \pi x \sin \pi y$ with a smooth coefficient, where the forcing is computed by hand.

# %%
t_start = time.perf_counter()
darcy_a = sample_darcy_coefficient(darcy_train + darcy_test, darcy_grid, rng)  # values 3 or 12
darcy_u = solve_darcy_2d(darcy_a)  # forcing f = 1
darcy_seconds = time.perf_counter() - t_start


def manufactured_darcy_error(s: int) -> float:
    """Max error of the 2-D Darcy solver on u = sin(pi x) sin(pi y), a = 1 + x^2 + y, on an s x s grid."""
    x = np.linspace(0, 1, s)
    X, Y = np.meshgrid(x, x, indexing="ij")
    a = 1 + X**2 + Y
    u = np.sin(np.pi * X) * np.sin(np.pi * Y)
    f = (2 * np.pi**2 * a * u - 2 * np.pi * X * np.cos(np.pi * X) * np.sin(np.pi * Y)
         - np.pi * np.sin(np.pi * X) * np.cos(np.pi * Y))
    return float(np.abs(solve_darcy_2d(a, f) - u).max())


darcy_errors = [manufactured_darcy_error(s) for s in (17, 33, 65)]
darcy_order = np.log2(darcy_errors[1] / darcy_errors[2])
print(f"{len(darcy_a)} Darcy solves in {darcy_seconds:.1f} s; manufactured-solution errors {darcy_errors[0]:.1e}, "
      f"{darcy_errors[1]:.1e}, {darcy_errors[2]:.1e} -> order {darcy_order:.2f}")
assert darcy_order > 1.8

# %% [markdown]
# The error falls by a factor of about four per halving of $h$: second order, as designed. The figure
# shows three Burgers input–output pairs and one Darcy pair.

# %%
x_fine = np.arange(burgers_grid) / burgers_grid
fig, axes = plt.subplots(1, 4, figsize=(15, 3.3), layout="constrained")
for j in range(3):
    axes[0].plot(x_fine, u0_all[j], color=f"C{j}", lw=1.2, label=f"sample {j}")
    axes[1].plot(x_fine, u1_all[j], color=f"C{j}", lw=1.8)
axes[0].set(xlabel="$x$", ylabel="$u_0(x)$", title="Burgers input $u_0$")
axes[0].legend(fontsize=7)
axes[1].set(xlabel="$x$", ylabel="$u(x, 1)$", title="Burgers output $u(\\cdot, 1)$ (note the scale)")
extent = (0, 1, 0, 1)
im = axes[2].imshow(darcy_a[0].T, origin="lower", extent=extent, cmap="coolwarm")
axes[2].set(xlabel="$x$", ylabel="$y$", title="Darcy input: permeability $a$")
fig.colorbar(im, ax=axes[2])
im = axes[3].imshow(darcy_u[0].T, origin="lower", extent=extent)
axes[3].set(xlabel="$x$", ylabel="$y$", title="Darcy output: pressure $u$")
fig.colorbar(im, ax=axes[3])
plt.show()

# %% [markdown]
# Viscosity damps the rough initial data into one or two smooth, small waves, about fifty times smaller
# than the input, that the nonlinearity has shifted and steepened slightly: the Burgers operator is
# smoothing and mostly low-frequency. The Darcy input is a two-phase, discontinuous field; the
# solution is smooth, zero on the boundary, and highest where the permeability is low.
#
# ### The spectral convolution
#
# The heart of the FNO is {eq}`eq-fno-truncation`: FFT, multiply the lowest `n_modes` modes by a
# complex matrix per mode, zero the rest, inverse FFT. With `rfft` a real signal of $n$ points has
# $n/2 + 1$ non-negative modes, and we keep the first `n_modes` of them.


# %%
class SpectralConv1d(nn.Module):
    """Fourier integral operator K v = irfft(R · rfft(v)) on the lowest n_modes modes."""

    def __init__(self, in_channels: int, out_channels: int, n_modes: int, init_std: float | None = None):
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
        out_hat = torch.zeros(v.shape[0], self.weight.shape[1], n // 2 + 1, dtype=torch.cfloat, device=v.device)
        k = min(self.n_modes, n // 2 + 1)
        out_hat[..., :k] = torch.einsum("bik,iok->bok", v_hat[..., :k], self.weight[..., :k])
        return torch.fft.irfft(out_hat, n=n)  # (batch, out_channels, n)


# %% [markdown]
# In 2-D, `rfft2` halves only the last axis. The kept block $-k_{\max} \le k_1 < k_{\max}$, $0 \le k_2 < k_{\max}$
# consists of two corners of the array: rows $[0, k_{\max})$ and rows $[-k_{\max}, 0)$, each with its own
# weight tensor.


# %%
class SpectralConv2d(nn.Module):
    """2-D Fourier integral operator: two weight blocks for the positive and negative first-axis modes."""

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
        v_hat = torch.fft.rfft2(v)  # (batch, in, nx, ny // 2 + 1)
        out_hat = torch.zeros(batch, self.weight_pos.shape[1], nx, ny // 2 + 1, dtype=torch.cfloat, device=v.device)
        out_hat[:, :, :m, :m] = torch.einsum("bixy,ioxy->boxy", v_hat[:, :, :m, :m], self.weight_pos)
        out_hat[:, :, -m:, :m] = torch.einsum("bixy,ioxy->boxy", v_hat[:, :, -m:, :m], self.weight_neg)
        return torch.fft.irfft2(out_hat, s=(nx, ny))


# %% [markdown]
# ### The FNO
#
# The network follows {eq}`eq-fno-layer`: lift $(a(x), x)$ to `width` channels, four Fourier layers
# with GELU between them (none after the last, as in the paper's code), and a two-layer pointwise
# projection. `use_w=False` removes the pointwise term $W$ (a per-channel bias stays, so the ablation
# removes only the local path). `endpoint` says whether the grid includes $x = 1$: periodic grids do not
# ($x_j = j/n$), node grids of a bounded domain do ($x_j = j/(n-1)$).


# %%
class FNO1d(nn.Module):
    """1-D Fourier neural operator: lift, n_layers Fourier layers, project; input (batch, n), output (batch, n)."""

    def __init__(self, n_modes=16, width=32, n_layers=4, use_w=True, endpoint=False, output_scale=1.0, init_std=None):
        super().__init__()
        self.endpoint, self.use_w = endpoint, use_w
        self.register_buffer("output_scale", torch.tensor(float(output_scale)))
        self.lift = nn.Linear(2, width)  # P: (a(x), x) -> R^width
        self.spectral = nn.ModuleList(SpectralConv1d(width, width, n_modes, init_std) for _ in range(n_layers))
        self.pointwise = nn.ModuleList(nn.Conv1d(width, width, 1) for _ in range(n_layers)) if use_w else None
        self.bias = None if use_w else nn.Parameter(torch.zeros(n_layers, width, 1))
        self.project = nn.Sequential(nn.Linear(width, 128), nn.GELU(), nn.Linear(128, 1))  # Q

    def grid(self, n: int, device) -> torch.Tensor:
        """Coordinates of the n grid points in [0, 1]."""
        return torch.linspace(0, 1, n, device=device) if self.endpoint else torch.arange(n, device=device) / n

    def layer(self, t: int, v: torch.Tensor) -> torch.Tensor:
        """Pre-activation of Fourier layer t: K v + W v (or K v + bias without W)."""
        local = self.pointwise[t](v) if self.use_w else self.bias[t]
        return self.spectral[t](v) + local

    def forward(self, a: torch.Tensor) -> torch.Tensor:
        batch, n = a.shape
        x = self.grid(n, a.device).expand(batch, n)
        v = self.lift(torch.stack([a, x], dim=-1)).permute(0, 2, 1)  # (batch, width, n)
        for t in range(len(self.spectral)):
            v = self.layer(t, v)
            if t < len(self.spectral) - 1:
                v = F.gelu(v)
        return self.project(v.permute(0, 2, 1)).squeeze(-1) * self.output_scale


class FNO2d(nn.Module):
    """2-D Fourier neural operator on an s x s node grid of [0, 1]^2; input (batch, s, s), output (batch, s, s)."""

    def __init__(self, n_modes=8, width=20, n_layers=4, output_scale=1.0):
        super().__init__()
        self.register_buffer("output_scale", torch.tensor(float(output_scale)))
        self.lift = nn.Linear(3, width)
        self.spectral = nn.ModuleList(SpectralConv2d(width, width, n_modes) for _ in range(n_layers))
        self.pointwise = nn.ModuleList(nn.Conv2d(width, width, 1) for _ in range(n_layers))
        self.project = nn.Sequential(nn.Linear(width, 128), nn.GELU(), nn.Linear(128, 1))

    def forward(self, a: torch.Tensor) -> torch.Tensor:
        batch, nx, ny = a.shape
        gx, gy = torch.meshgrid(torch.linspace(0, 1, nx, device=a.device), torch.linspace(0, 1, ny, device=a.device),
                                indexing="ij")
        features = torch.stack([a, gx.expand(batch, nx, ny), gy.expand(batch, nx, ny)], dim=-1)
        v = self.lift(features).permute(0, 3, 1, 2)  # (batch, width, nx, ny)
        for t in range(len(self.spectral)):
            v = self.spectral[t](v) + self.pointwise[t](v)
            if t < len(self.spectral) - 1:
                v = F.gelu(v)
        return self.project(v.permute(0, 2, 3, 1)).squeeze(-1) * self.output_scale


# %% [markdown]
# ### Training
#
# One loop serves every model in the chapter: Adam with a one-cycle learning-rate schedule, minibatches
# of 10 or 20, and the relative $L^2$ loss {eq}`eq-fno-loss`. It records the wall time of each epoch, since
# time per epoch is one of the things we compare with the library.


# %%
def relative_l2_loss(prediction: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Mean over the batch of ||prediction - target|| / ||target||."""
    diff = (prediction - target).flatten(1).norm(dim=1)
    return (diff / target.flatten(1).norm(dim=1)).mean()


def train_operator(model, inputs, targets, n_epochs, batch_size=20, max_lr=3e-3, seed=0):
    """Train model on (inputs, targets) with the relative L2 loss; return the seconds of each epoch."""
    model.to(device).train()
    inputs, targets = inputs.to(device), targets.to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=max_lr / 3, weight_decay=1e-4)
    steps_per_epoch = (len(inputs) + batch_size - 1) // batch_size
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=max_lr, total_steps=n_epochs * steps_per_epoch)
    generator = torch.Generator().manual_seed(seed)  # same minibatches for every model
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
    return float(relative_l2(predict(model, inputs), targets.numpy()).mean())


# %% [markdown]
# ## Cross-check
#
# Our spectral layer against `neuraloperator`'s `SpectralConv` {cite}`kossaifi2024neuraloperator`, on the
# same weights. Two conventions differ and must be mapped. First, `n_modes` in the library counts modes
# on both sides of zero and keeps `n_modes // 2 + 1` non-negative `rfft` modes on the last axis, so
# our 16 modes are the library's `n_modes=30`. In 2-D the library stores the first axis in
# `fftshift` order, so its weight is our negative block followed by our positive block. Second, the
# library uses `norm="forward"` FFTs (the $1/n$ on the forward transform) where we use the default
# (the $1/n$ on the inverse); inside one layer the two factors cancel. We turn the library's bias off.

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
v2 = torch.randn(4, c, darcy_grid, darcy_grid)
gap_2d = (ours_2d(v2) - library_2d(v2)).abs().max().item()
print(f"max |ours - neuralop|: 1-D {gap_1d:.1e} (output scale {ours_1d(v).abs().max().item():.2f}), "
      f"2-D {gap_2d:.1e} (output scale {ours_2d(v2).abs().max().item():.2f})")
assert gap_1d < 1e-5 and gap_2d < 1e-5

# %% [markdown]
# The two implementations agree to float32 round-off (often exactly), in 1-D and in 2-D. The solvers
# have their own independent references: the Burgers solver must reproduce the exact decay
# $e^{-\nu (2\pi)^2 t}$ of a single tiny Fourier mode (where the nonlinearity is negligible), and the
# Darcy solver converged at second order to a manufactured solution above.

# %%
x64 = np.arange(64) / 64
tiny_wave = 1e-6 * np.sin(2 * np.pi * x64)
heat_gap = np.abs(solve_burgers(tiny_wave, viscosity=0.1, final_time=1.0, n_steps=50)
                  - tiny_wave * np.exp(-0.1 * (2 * np.pi) ** 2)).max() / np.abs(tiny_wave).max()
print(f"Burgers solver vs exact heat-equation decay: relative gap {heat_gap:.1e}")
assert heat_gap < 1e-6

# %% [markdown]
# ## Experiment
#
# ### Burgers: train at one resolution, test at all of them
#
# We train our FNO for the Burgers operator {eq}`eq-burgers` on data subsampled to `burgers_train_res` points and evaluate the same weights on
# every resolution from half the training one up to the solver grid. Beside it, in the same run, the
# library's `FNO` is trained with the same data, optimiser, schedule and minibatches. Its architecture
# differs in details (two-layer lifting and projection MLPs, a bias in the spectral layer), so this
# compares two implementations of one idea rather than two copies of one network.

# %%
a_all = torch.tensor(u0_all, dtype=torch.float32)
u_all = torch.tensor(u1_all, dtype=torch.float32)
a_train, u_train = a_all[:n_train], u_all[:n_train]
a_test, u_test = a_all[n_train:], u_all[n_train:]
stride = burgers_grid // burgers_train_res
test_resolutions = [burgers_train_res // 2 * 2**i for i in range(int(np.log2(burgers_grid // burgers_train_res)) + 2)]

burgers_scale = float(u_train.std())  # outputs are ~50x smaller than inputs: predict u / burgers_scale
torch.manual_seed(info.seed)
fno = FNO1d(n_modes=n_modes, width=width, output_scale=burgers_scale)
fno_epoch_s = train_operator(fno, a_train[:, ::stride], u_train[:, ::stride], n_epochs, batch_size, seed=info.seed)
fno_errors = {r: test_error(fno, a_test[:, :: burgers_grid // r], u_test[:, :: burgers_grid // r])
              for r in test_resolutions}


class LibraryFNOAdapter(nn.Module):
    """neuralop's FNO with the (batch, n) interface of our models."""

    def __init__(self, output_scale=1.0, **kwargs):
        super().__init__()
        self.output_scale = output_scale
        self.net = LibraryFNO(**kwargs)

    def forward(self, a: torch.Tensor) -> torch.Tensor:
        return self.net(a[:, None, :])[:, 0, :] * self.output_scale


torch.manual_seed(info.seed)
peer = LibraryFNOAdapter(output_scale=burgers_scale, n_modes=(2 * n_modes - 2,), in_channels=1, out_channels=1, hidden_channels=width,
                         n_layers=4, use_channel_mlp=False, positional_embedding="grid")
peer_epoch_s = train_operator(peer, a_train[:, ::stride], u_train[:, ::stride], n_epochs, batch_size, seed=info.seed)
peer_errors = {r: test_error(peer, a_test[:, :: burgers_grid // r], u_test[:, :: burgers_grid // r])
               for r in test_resolutions}


def count_real_parameters(model: nn.Module) -> int:
    """Number of real parameters (a complex weight counts twice)."""
    return sum(p.numel() * (2 if p.is_complex() else 1) for p in model.parameters())


print(f"{'model':<22}{'parameters':>11}{'s / epoch':>11}" + "".join(f"{'res ' + str(r):>10}" for r in test_resolutions))
for name, model, secs, errs in (("from scratch", fno, fno_epoch_s, fno_errors),
                                ("neuralop FNO", peer, peer_epoch_s, peer_errors)):
    print(f"{name:<22}{count_real_parameters(model):>11,}{np.median(secs):>11.2f}"
          + "".join(f"{errs[r]:>10.4f}" for r in test_resolutions))
print(f"(trained at resolution {burgers_train_res}; time per epoch is the median over {n_epochs} epochs, "
      f"{info.threads} torch thread(s))")

# %% [markdown]
# The paper's Burgers table gives the FNO's relative $L^2$ error at resolutions 256 to 8192, each
# trained and tested at that resolution. Only the value at 8192 is confirmed against an independent
# listing of the paper's results; the others are as recalled in this book's notes on the paper, and are
# marked so.

# %%
paper_burgers = {256: 0.0149, 512: 0.0158, 1024: 0.0160, 2048: 0.0146, 4096: 0.0142, 8192: 0.0139}
print(f"{'resolution':>10}  {'paper FNO':>10}  status")
for r, e in paper_burgers.items():
    print(f"{r:>10}  {e:>10.4f}  {'confirmed' if r == 8192 else 'recalled, not verified against the paper'}")

# %% [markdown]
# The figure puts the three side by side: the error of each model as a function of the test resolution,
# with the training resolution marked, and the paper's numbers at its own (larger) resolutions.

# %%
fig, axes = plt.subplots(1, 2, figsize=(11, 3.6))
ax = axes[0]
ax.plot(test_resolutions, [fno_errors[r] for r in test_resolutions], "o-", label="from-scratch FNO (this run)")
ax.plot(test_resolutions, [peer_errors[r] for r in test_resolutions], "s-", label="neuralop FNO (this run)")
ax.plot(list(paper_burgers)[:-1], list(paper_burgers.values())[:-1], "x:", color="gray", label="paper (recalled)")
ax.plot([8192], [paper_burgers[8192]], "*", ms=12, color="k", label="paper (confirmed)")
ax.axvline(burgers_train_res, color="C3", ls="--", lw=1, label="training resolution")
ax.set(xscale="log", yscale="log", xlabel="test resolution (grid points)", ylabel="relative $L^2$ error",
       title="Burgers: zero-shot across resolutions")
ax.legend(fontsize=7)
j = 0
pred_fine = predict(fno, a_test[j : j + 1])[0]
pred_coarse = predict(fno, a_test[j : j + 1, ::stride])[0]
axes[1].plot(x_fine, u1_all[n_train + j], "k-", lw=3, alpha=0.3, label="solver, 512 pts" if burgers_grid == 512 else "solver")
axes[1].plot(x_fine, pred_fine, "C0-", lw=1.2, label=f"FNO at {burgers_grid} pts (zero-shot)")
axes[1].plot(x_fine[::stride], pred_coarse, "C1.", ms=4, label=f"FNO at {burgers_train_res} pts (training res.)")
axes[1].set(xlabel="$x$", ylabel="$u(x, 1)$", title="one test sample")
axes[1].legend(fontsize=7)
plt.show()

# %% [markdown]
# The error curves are flat: the model trained on `burgers_train_res` points is as accurate on four
# times as many points, without retraining. This is the paper's resolution-invariance claim, and it
# holds here. In full mode the level is even below the paper's (well under 1 % against about 1.5 %),
# with 800 samples, a dozen epochs and width 32 instead of 1000 samples, 500 epochs and width 64. We do
# not read this as beating the paper: the data differ in details we could not check (the paper's
# solver, time step and test set), and at $\nu = 0.1$ the solution at $t = 1$ is so smooth that a
# handful of Fourier modes describe it (see the explorer below). In fast mode the error is below 1 %.
#
# The library's FNO, trained identically, reaches an error of the same size. Per epoch it is somewhat
# slower than the from-scratch model on this CPU; the table gives both numbers. Its extra machinery (factorised-weight support, a general $n$-dimensional contraction through
# tensorly) costs time on small models and pays off on large ones.
#
# ### Darcy flow in 2-D
#
# The same recipe in 2-D, for Darcy flow {eq}`eq-darcy`: inputs normalised to $[-1, 1]$, outputs scaled by the training standard
# deviation, four Fourier layers. A simple baseline sits beside it: predict the mean training solution
# for every input.

# %%
a2 = torch.tensor((darcy_a - 7.5) / 4.5, dtype=torch.float32)
u2 = torch.tensor(darcy_u, dtype=torch.float32)
u_scale = float(u2[:darcy_train].std())
torch.manual_seed(info.seed)
fno2d = FNO2d(n_modes=darcy_modes, width=darcy_width, output_scale=u_scale)
fno2d_epoch_s = train_operator(fno2d, a2[:darcy_train], u2[:darcy_train], darcy_epochs, batch_size=10, seed=info.seed)
darcy_error = test_error(fno2d, a2[darcy_train:], u2[darcy_train:])
mean_field = u2[:darcy_train].mean(dim=0, keepdim=True).expand(darcy_test, -1, -1).numpy()
darcy_baseline = float(relative_l2(mean_field, u2[darcy_train:].numpy()).mean())
print(f"Darcy {darcy_grid}x{darcy_grid}: FNO relative L2 {darcy_error:.4f} "
      f"(paper 0.0108 at s = 85, 1000 samples); mean-solution baseline {darcy_baseline:.4f}; "
      f"{np.median(fno2d_epoch_s):.2f} s / epoch")

# %% [markdown]
# The figure shows one test sample: the input, the solver's pressure, the FNO's prediction and the error.

# %%
j = 0
pred = predict(fno2d, a2[darcy_train + j : darcy_train + j + 1])[0]
truth = darcy_u[darcy_train + j]
fig, axes = plt.subplots(1, 4, figsize=(15, 3.2), layout="constrained")
panels = [(darcy_a[darcy_train + j], "input $a$", "coolwarm"), (truth, "solver $u$", "viridis"),
          (pred, "FNO $u$", "viridis"), (pred - truth, "FNO − solver", "RdBu_r")]
for ax, (field, title, cmap) in zip(axes, panels):
    im = ax.imshow(field.T, origin="lower", extent=extent, cmap=cmap)
    ax.set(xlabel="$x$", ylabel="$y$", title=title)
    fig.colorbar(im, ax=ax, fraction=0.046)
plt.show()

# %% [markdown]
# The FNO reproduces the pressure field to within a few percent; the error map shows where the
# remaining error sits for this sample. Our error is several times the paper's 0.0108: the paper
# trains 1000 samples at $85 \times 85$ for 500 epochs with width 32 and 12 modes, we train a few hundred
# samples at $32 \times 32$ for ten epochs. The FNO does beat the mean-solution baseline by a wide margin.
#
# ### Does $W$ compensate for non-periodic boundaries?
#
# The notes claim that $W$ exists to carry boundary information that the truncated Fourier series loses.
# We test this with an ablation on two 1-D problems of the same size: the periodic Burgers problem above,
# and 1-D Darcy flow $-(a u')' = 1$ on $[0, 1]$ with $u(0) = u(1) = 0$, whose solution is not periodic. For
# each we train the FNO with and without $W$, with everything else equal, and look at where the error sits.
#
# One detail matters. With the paper's initialisation (spectral weights uniform on $[0, 1/d_v^2]$) a
# network without $W$ starts with almost no signal: four tiny spectral layers in a row. While writing this
# chapter we measured that it then trains badly (on Burgers its relative error stayed near 1), which says
# something about optimisation, not about boundaries. So both ablation models start from the same complex
# Gaussian initialisation with standard deviation 0.1.

# %%
ablation_res, ablation_train = utils.pick(64, 128), utils.pick(150, 400)
ablation_width, ablation_modes, ablation_epochs = utils.pick(16, 24), utils.pick(8, 12), utils.pick(10, 8)
field = sample_grf_1d(ablation_train + 100, ablation_res, rng, tau=3.0)
darcy1d_a = np.where(field >= 0, 12.0, 3.0)
darcy1d_u = solve_darcy_1d(darcy1d_a)
a1 = torch.tensor((darcy1d_a - 7.5) / 4.5, dtype=torch.float32)
u1 = torch.tensor(darcy1d_u, dtype=torch.float32)
scale1 = float(u1[:ablation_train].std())
b_stride = burgers_grid // ablation_res

ablation = {}
for problem, inputs, targets, endpoint, scale in (
    ("Burgers (periodic)", a_all[:, ::b_stride], u_all[:, ::b_stride], False, burgers_scale),
    ("1-D Darcy (Dirichlet)", a1, u1, True, scale1),
):
    for use_w in (True, False):
        torch.manual_seed(info.seed)
        model = FNO1d(n_modes=ablation_modes, width=ablation_width, use_w=use_w, endpoint=endpoint,
                      output_scale=scale, init_std=0.1)
        train_operator(model, inputs[:ablation_train], targets[:ablation_train], ablation_epochs, 10, seed=info.seed)
        test_in, test_out = inputs[-100:], targets[-100:].numpy()
        pred = predict(model, test_in)
        pointwise = np.abs(pred - test_out).mean(axis=0) / np.abs(test_out).mean()
        edge = max(1, ablation_res // 16)  # outer 1/16 of the domain on each side
        ablation[problem, use_w] = {
            "error": float(relative_l2(pred, test_out).mean()),
            "profile": pointwise,
            "edge_share": float(np.r_[pointwise[:edge], pointwise[-edge:]].mean() / pointwise[edge:-edge].mean()),
        }

print(f"{'problem':<24}{'with W':>10}{'without W':>11}{'ratio':>8}   edge/interior error (with W, without W)")
for problem in ("Burgers (periodic)", "1-D Darcy (Dirichlet)"):
    w, nw = ablation[problem, True], ablation[problem, False]
    print(f"{problem:<24}{w['error']:>10.4f}{nw['error']:>11.4f}{nw['error'] / w['error']:>8.1f}"
          f"   {w['edge_share']:.1f}, {nw['edge_share']:.1f}")
darcy_w_ratio = ablation["1-D Darcy (Dirichlet)", False]["error"] / ablation["1-D Darcy (Dirichlet)", True]["error"]
burgers_w_ratio = ablation["Burgers (periodic)", False]["error"] / ablation["Burgers (periodic)", True]["error"]
darcy_edge_gain = ablation["1-D Darcy (Dirichlet)", False]["edge_share"] / ablation["1-D Darcy (Dirichlet)", True]["edge_share"]
print(f"1-D Darcy: removing W changes the error near the ends {darcy_edge_gain:.2f} times as much as inside "
      f"(outer 1/16 of the interval on each side)")

# %% [markdown]
# The profiles show where each model errs, averaged over the test set and divided by the mean size of
# the solution.

# %%
fig, axes = plt.subplots(1, 2, figsize=(11, 3.4))
for ax, (problem, endpoint) in zip(axes, (("Burgers (periodic)", False), ("1-D Darcy (Dirichlet)", True))):
    xs = np.linspace(0, 1, ablation_res) if endpoint else np.arange(ablation_res) / ablation_res
    for use_w, style in ((True, "C0-"), (False, "C3-")):
        r = ablation[problem, use_w]
        ax.plot(xs, r["profile"], style, label=f"{'with' if use_w else 'without'} $W$ (rel. $L^2$ {r['error']:.3f})")
    ax.set(xlabel="$x$", ylabel="mean |error| / mean |u|", yscale="log", title=problem)
    ax.legend(fontsize=8)
plt.show()

# %% [markdown]
# On the periodic Burgers problem the FNO does not need $W$: across seeds 0 to 3, in fast and full mode,
# removing it even lowered the error, by factors between about 0.3 and 0.8. On the non-periodic Darcy
# problem, removing $W$ raised the error by a factor of 1.8 to 2.5 in full mode; in fast mode, with
# about a fifth of the training steps, the factor was only 1.2 to 1.5. The ratio of the two factors,
# Darcy over Burgers, was above 2.3 in every run. That is the problem-level contrast the notes predict.
#
# The finer version of the claim, that the extra error of the $W$-less model sits at the two ends of the
# interval, does not hold reliably at this scale. The edge-to-interior factor printed above moves
# between about 0.7 and 1.5 from seed to seed, and the profiles show the $W$-less model worse across the
# whole interval, including at the jumps of the permeability. $W$ is the only path for any local feature
# of the input, such as the kinks of $u$ where $a$ jumps, not only for the boundary. We therefore assert
# the problem-level contrast and report the location without asserting it.
#
# ### Does the activation create frequencies above $k_{\max}$?
#
# Take the trained Burgers model and a test input. In its second Fourier layer compute $\mathcal{K}v$
# alone, the pre-activation $\mathcal{K}v + Wv$, and the output $\sigma(\mathcal{K}v + Wv)$, and the
# energy spectrum of each (averaged over channels and samples), together with $\sigma(\mathcal{K}v)$,
# which isolates what the activation does to a band-limited signal.

# %%
with torch.no_grad():
    inputs = a_test[:20, ::stride].to(device)
    x = fno.grid(burgers_train_res, device).expand(len(inputs), -1)
    v = F.gelu(fno.layer(0, fno.lift(torch.stack([inputs, x], dim=-1)).permute(0, 2, 1)))
    k_v = fno.spectral[1](v)
    signals = {"$\\mathcal{K}v$": k_v, "$\\sigma(\\mathcal{K}v)$": F.gelu(k_v),
               "$\\mathcal{K}v + Wv$": fno.layer(1, v), "$\\sigma(\\mathcal{K}v + Wv)$": F.gelu(fno.layer(1, v))}
spectra = {name: (torch.fft.rfft(s).abs() ** 2).mean(dim=(0, 1)).cpu().numpy() for name, s in signals.items()}


def energy_above_cutoff(spectrum: np.ndarray, cutoff: int) -> float:
    """Fraction of the non-constant energy in modes k >= cutoff."""
    return float(spectrum[cutoff:].sum() / spectrum[1:].sum())


above = {name: energy_above_cutoff(s, n_modes) for name, s in spectra.items()}
for name, frac in above.items():
    print(f"{name:<32} energy fraction above k_max = {n_modes}: {frac:.2e}")

fig, ax = plt.subplots(figsize=(6.4, 3.6))
for (name, s), style in zip(spectra.items(), ("C0-", "C0--", "C1-", "C1--")):
    ax.semilogy(np.arange(len(s)), np.maximum(s, 1e-30), style, label=name)
ax.axvline(n_modes, color="k", lw=1, ls=":", label="$k_{\\max}$")
ax.set(xlabel="wavenumber $k$", ylabel="mean energy $|\\hat v_k|^2$", ylim=(1e-14, None),
       title="Spectra inside the second Fourier layer")
ax.legend(fontsize=8)
plt.show()
spectral_only = above["$\\mathcal{K}v$"]
activation_gain = above["$\\sigma(\\mathcal{K}v)$"] / spectral_only

# %% [markdown]
# $\mathcal{K}v$ stops dead at $k_{\max}$ (what remains above it is float32 round-off). After the GELU
# the same signal has energy above $k_{\max}$, orders of magnitude above round-off. Most of it lies
# below $2k_{\max}$: the quadratic part of the GELU multiplies pairs of kept modes, whose frequencies
# add up to at most $2k_{\max}$, and the higher-order parts reach further but more weakly. The notes' second reading holds: the nonlinearity, not the spectral
# layer, is where frequencies above the cut-off come from. In the full layer $Wv$ also carries high
# frequencies of its input past the truncation, so both readings describe the same mechanism from two
# sides.

# %% [markdown]
# ## Claim check
#
# The rows below are this run's numbers. The Burgers and Darcy levels are compared with the paper's
# only loosely (thresholds well above the paper's numbers), because the laptop runs are far smaller; the
# resolution ratio, the library agreement and the two ablations are asserted tightly.
#
# One row exists only in full mode. Fast mode trains the $W$ ablation for about 150 steps, and there the
# direct ratio "error without $W$ / error with $W$" on 1-D Darcy was only 1.2 to 1.5 across seeds 0 to
# 3 (and 0.98 for one seed in an earlier, slightly smaller setting), too close to 1 to assert. What does
# hold in fast mode too is the contrast between the two problems, the row before the spectral ones.

# %%
finest, coarsest_train = max(test_resolutions), burgers_train_res
claims = [
    utils.Claim(
        claim="From-scratch spectral layer equals neuralop SpectralConv on the same weights (max |diff|, 1-D and 2-D)",
        paper="n/a (library cross-check)",
        measured=max(gap_1d, gap_2d),
        op="<=",
        threshold=1e-5,
        kind="paper",
    ),
    utils.Claim(
        claim=f"Burgers: relative L2 error at the training resolution ({coarsest_train})",
        paper="0.0149 at s=256 (recalled); 0.0139 at s=8192 (confirmed)",
        measured=fno_errors[coarsest_train],
        op="<=",
        threshold=utils.pick(0.03, 0.015),
        kind="paper",
    ),
    utils.Claim(
        claim=f"Burgers zero-shot: error at {finest} points / error at training resolution {coarsest_train}",
        paper="≈0.93 (0.0139 at 8192 vs 0.0149 at 256; resolution-invariant)",
        measured=fno_errors[finest] / fno_errors[coarsest_train],
        op="<=",
        threshold=1.2,
        kind="paper",
    ),
    utils.Claim(
        claim="Burgers: from-scratch error / neuralop FNO error, same data, optimiser and epochs",
        paper="n/a (peer implementation)",
        measured=fno_errors[coarsest_train] / peer_errors[coarsest_train],
        op="<=",
        threshold=2.0,
        kind="paper",
    ),
    utils.Claim(
        claim=f"Darcy 2-D ({darcy_grid}x{darcy_grid}): FNO relative L2 error",
        paper="0.0108 at s=85 (confirmed); not reproduced at laptop scale",
        measured=darcy_error,
        op="<=",
        threshold=utils.pick(0.2, 0.1),
        kind="paper",
    ),
    utils.Claim(
        claim="Darcy 2-D: FNO error / mean-solution baseline error",
        paper="n/a (baseline)",
        measured=darcy_error / darcy_baseline,
        op="<=",
        threshold=0.6,
        kind="paper",
    ),
    utils.Claim(
        claim="Removing W costs more on non-periodic 1-D Darcy than on periodic Burgers: ratio of the two ratios",
        paper="notes: W compensates for non-periodic boundaries",
        measured=darcy_w_ratio / burgers_w_ratio,
        op=">=",
        threshold=1.2,
        kind="paper",
    ),
    utils.Claim(
        claim=f"Energy fraction above k_max={n_modes} in K v (spectral layer alone)",
        paper="0 by construction",
        measured=spectral_only,
        op="<=",
        threshold=1e-9,
        kind="paper",
    ),
    utils.Claim(
        claim=f"Energy above k_max={n_modes}: GELU(K v) / K v (round-off): the activation creates high frequencies",
        paper="notes: the activation re-creates high frequencies",
        measured=activation_gain,
        op=">=",
        threshold=1e3,
        kind="paper",
    ),
]
if not info.fast:  # fast mode trains the ablation too briefly for this ratio to be reliable (see the text)
    claims.append(
        utils.Claim(
            claim="Removing W on non-periodic 1-D Darcy: error without W / with W",
            paper="notes: W compensates for non-periodic boundaries",
            measured=darcy_w_ratio,
            op=">=",
            threshold=1.5,
            kind="paper",
        )
    )
utils.check_claims("07", claims, headline="A Fourier neural operator learns PDE solution operators accurately and evaluates them at any resolution", verdict="partly reproduced")

# %% [markdown]
# ## Explore
#
# Why do 16 modes suffice for Burgers but not for every problem? The explorer truncates three functions
# from this chapter to their lowest `n_modes` Fourier modes: a Burgers initial condition (rough), the
# Burgers solution at $t = 1$ (smooth and periodic), and a 1-D Darcy solution (smooth inside, but zero
# at both ends with non-zero slope, so its periodic extension has kinks). The title gives the relative
# $L^2$ error of the truncation. The truncated function is the same at every grid finer than
# $2\,$`n_modes`, which is the resolution invariance of a mode-truncated layer.

# %%
explore_res = 256
x_explore = np.arange(explore_res) / explore_res
darcy_explore_a = np.where(sample_grf_1d(1, explore_res, np.random.default_rng(info.seed + 1), tau=3.0) >= 0, 12.0, 3.0)
explore_fields = {
    "Burgers u0": u0_all[n_train, :: burgers_grid // explore_res],
    "Burgers u(t=1)": u1_all[n_train, :: burgers_grid // explore_res],
    "1-D Darcy u": solve_darcy_1d(darcy_explore_a)[0],
}


def truncate_modes(values: np.ndarray, keep: int) -> np.ndarray:
    """Keep the lowest `keep` rfft modes of a periodic sample and zero the rest."""
    spectrum = np.fft.rfft(values)
    spectrum[keep:] = 0
    return np.fft.irfft(spectrum, n=len(values))


def plot_truncation(n_modes: int = 16, function: str = "Burgers u(t=1)") -> plt.Figure:
    """Plot a function and its truncation to the lowest n_modes Fourier modes."""
    values = explore_fields[function]
    xs = np.linspace(0, 1, len(values)) if "Darcy" in function else np.arange(len(values)) / len(values)
    truncated = truncate_modes(values, n_modes)
    error = np.linalg.norm(truncated - values) / np.linalg.norm(values)
    fig, ax = plt.subplots(figsize=(5, 3.5))
    ax.plot(xs, values, "k-", lw=3, alpha=0.3, label="function")
    ax.plot(xs, truncated, "C0-", lw=1.3, label=f"lowest {n_modes} modes")
    ax.set(xlabel="$x$", ylabel="value", title=f"{function}: truncation error {error:.1e}")
    ax.legend(fontsize=8)
    return fig


plot_truncation()
plt.show()

# %%
utils.explore(plot_truncation, n_modes=[2, 4, 8, 16, 32, 64], function=list(explore_fields))

# %% [markdown]
# Three things to see. The Burgers solution at $t = 1$ is captured to round-off by 8 modes: at
# $\nu = 0.1$ diffusion removes everything above a few modes, and the paper's 16 are more than enough.
# The rough initial condition needs many more modes, but the FNO only has to read it, not output it. The
# Darcy solution loses accuracy slowly, about a factor of three per doubling of the modes, with the
# largest misfit at the two ends and at the kinks where $a$ jumps: information a mode-truncated layer
# cannot carry and that $W$ has to supply.

# %% [markdown]
# ## Exercises
#
# ```{exercise}
# :label: ch07-ex1
#
# Count the real parameters of `FNO1d(n_modes, width, n_layers=4)` (with $W$) by hand: the lifting
# layer, the spectral weights (a complex number counts as two real ones), the pointwise $W$ with its
# bias, and the projection $Q$ (width → 128 → 1). Write `fno_parameter_count(n_modes, width, n_layers)`.
# How does the count scale with `n_modes` and with `width`?
# ```
#
# ```{solution-start} ch07-ex1
# :class: dropdown
# ```

# %% tags=["solution"]
def fno_parameter_count(n_modes, width, n_layers=4):
    """Real parameters of FNO1d(n_modes, width, n_layers) with W."""
    ### BEGIN SOLUTION
    lift = 2 * width + width  # Linear(2, width)
    spectral = n_layers * 2 * width * width * n_modes  # complex (width, width, n_modes) per layer
    pointwise = n_layers * (width * width + width)  # Conv1d(width, width, 1)
    project = (width * 128 + 128) + (128 + 1)  # Linear(width, 128), Linear(128, 1)
    return lift + spectral + pointwise + project
    ### END SOLUTION


print(f"paper's 1-D setting (16 modes, width 64): {fno_parameter_count(16, 64):,} real parameters")

# %% [markdown]
# The spectral weights dominate: $2 L\, d_v^2\, k_{\max}$ grows linearly in the modes and quadratically
# in the width, and does not depend on the grid at all.
#
# ```{solution-end}
# ```

# %% tags=["check"]
utils.check_function(
    "ch07-ex1",
    fno_parameter_count,
    [((m_, w_, 4), count_real_parameters(FNO1d(n_modes=m_, width=w_))) for m_, w_ in ((16, 64), (8, 32), (12, 20))]
    + [((6, 16, 2), count_real_parameters(FNO1d(n_modes=6, width=16, n_layers=2)))],
    hint="count each Linear/Conv1d as weights plus biases, and each complex spectral weight twice.",
)

# %% [markdown]
# ```{exercise}
# :label: ch07-ex2
#
# Show that a mode-truncated layer is resolution-invariant. Build one `SpectralConv1d(1, 1, 8)` with
# seed 0. Sample $f(x) = \sin 2\pi x + 0.5\cos 6\pi x$ on the periodic grid with 32 points and with 256
# points, apply the same layer to both, and store the two outputs as 1-D arrays `coarse_out` (32 values)
# and `fine_out` (256 values). Then compare `coarse_out` with every 8th value of `fine_out`. What goes
# wrong if you sample with `np.linspace(0, 1, n)` instead, or if $f$ contains a mode above 16?
# ```
#
# ```{solution-start} ch07-ex2
# :class: dropdown
# ```

# %% tags=["solution"]
torch.manual_seed(0)
layer = SpectralConv1d(1, 1, 8)
coarse_out, fine_out = None, None
### BEGIN SOLUTION
def sample_f(n):
    """f on the periodic grid x_j = j / n, shaped (batch=1, channels=1, n)."""
    x = torch.arange(n) / n
    return (torch.sin(2 * torch.pi * x) + 0.5 * torch.cos(6 * torch.pi * x))[None, None, :]


with torch.no_grad():
    coarse_out = layer(sample_f(32))[0, 0].numpy()
    fine_out = layer(sample_f(256))[0, 0].numpy()
print(f"max |coarse - fine[::8]| = {np.abs(coarse_out - fine_out[::8]).max():.1e}")
### END SOLUTION

# %% [markdown]
# Both grids see the same Fourier coefficients of $f$ (up to the $1/n$ of the FFT, which the inverse
# undoes), so the layer produces the same band-limited function, sampled at different points. With
# `np.linspace(0, 1, n)` the grid includes $x = 1$, the sampled function is not the periodic $f$ and the
# coefficients change with $n$. A mode above 16 aliases onto a lower mode on the 32-point grid only, and
# the two outputs differ.
#
# ```{solution-end}
# ```

# %% tags=["check"]
torch.manual_seed(0)
x32 = np.arange(32) / 32
with torch.no_grad():
    reference_out = SpectralConv1d(1, 1, 8)(torch.tensor(np.sin(2 * np.pi * x32) + 0.5 * np.cos(6 * np.pi * x32),
                                                        dtype=torch.float32)[None, None])[0, 0].numpy()
utils.check_array("ch07-ex2", coarse_out, reference_out, rtol=0, atol=1e-5,
                  hint="apply the seed-0 layer to f sampled at x_j = j / 32.")
utils.check_array("ch07-ex2", fine_out, np.interp(np.arange(256) / 256, x32, reference_out, period=1.0), rtol=0, atol=1.0,
                  hint="fine_out must hold the layer's output on the 256-point periodic grid.")
utils.check_array("ch07-ex2", coarse_out, np.asarray(fine_out)[::8], rtol=0, atol=1e-5,
                  hint="use the periodic grid x_j = j / n for both resolutions and the same layer.")

# %% [markdown]
# ```{exercise}
# :label: ch07-ex3
#
# (Open-ended.) Later FNO code fights the boundary problem differently: it pads the domain with zeros
# before the Fourier layers and crops afterwards, so the periodic wrap-around falls in the padding.
# Add padding to the model without $W$ on the 1-D Darcy problem. Does the error near the two ends fall?
# Does padding make $W$ unnecessary?
# ```
#
# ```{solution-start} ch07-ex3
# :class: dropdown
# ```

# %% tags=["solution"]
### BEGIN SOLUTION
class PaddedFNO1d(FNO1d):
    """FNO1d whose hidden functions are zero-padded by `pad` points on the right inside the Fourier layers."""

    def __init__(self, pad=16, **kwargs):
        super().__init__(**kwargs)
        self.pad = pad

    def forward(self, a):
        batch, n = a.shape
        x = self.grid(n, a.device).expand(batch, n)
        v = F.pad(self.lift(torch.stack([a, x], dim=-1)).permute(0, 2, 1), (0, self.pad))
        for t in range(len(self.spectral)):
            v = self.layer(t, v)
            if t < len(self.spectral) - 1:
                v = F.gelu(v)
        return self.project(v[..., :n].permute(0, 2, 1)).squeeze(-1) * self.output_scale


torch.manual_seed(info.seed)
padded = PaddedFNO1d(pad=ablation_res // 4, n_modes=ablation_modes, width=ablation_width, use_w=False,
                     endpoint=True, output_scale=scale1, init_std=0.1)
train_operator(padded, a1[:ablation_train], u1[:ablation_train], ablation_epochs, 10, seed=info.seed)
pred = predict(padded, a1[-100:])
profile = np.abs(pred - u1[-100:].numpy()).mean(axis=0) / np.abs(u1[-100:].numpy()).mean()
edge = max(1, ablation_res // 16)
print(f"without W, padded:   rel. L2 {relative_l2(pred, u1[-100:].numpy()).mean():.4f}, "
      f"edge/interior {np.r_[profile[:edge], profile[-edge:]].mean() / profile[edge:-edge].mean():.1f}")
for use_w in (False, True):
    r = ablation["1-D Darcy (Dirichlet)", use_w]
    print(f"{'with W' if use_w else 'without W'}, no padding: rel. L2 {r['error']:.4f}, edge/interior {r['edge_share']:.1f}")
### END SOLUTION

# %% [markdown]
# Padding removes the wrap-around, so the spectral path no longer has to join the two ends of the
# interval smoothly. Whether that helps varies from run to run: compare the three printed lines (in our
# runs it ranged from closing most of the gap to the model with $W$ to making things slightly worse).
# Padding gives no local path for the kinks of $u$ at the jumps of $a$; that is the other job of $W$.
# Padding and $W$ address different parts of the problem, which is why current FNO code uses both.
#
# ```{solution-end}
# ```

# %% [markdown]
# ## Takeaways and limits
#
# - A spectral convolution is an FFT, a per-mode complex matrix on the lowest modes, and an inverse
#   FFT. Ours matches `neuraloperator`'s `SpectralConv` to round-off once the mode-count and
#   `fftshift` conventions are mapped.
# - Trained at one resolution, the FNO keeps its error at four times that resolution without
#   retraining: the paper's resolution invariance holds at laptop scale.
# - The absolute errors match the paper's only where the problem is easy. Burgers in full mode lands
#   below the paper's 1.5 % (the $\nu = 0.1$ solution is very smooth); Darcy lands at about 5 % instead
#   of 1.1 %: we train a few hundred samples for ten epochs on a $32 \times 32$ grid, where the paper
#   trains 1000 samples for 500 epochs at $85 \times 85$. The chapter asserts loose bounds on the levels
#   and tight ones on the ratios.
# - The notes' two readings hold in the form tested here. Removing $W$ costs much more on the
#   non-periodic problem than on the periodic one (in full mode it doubles the Darcy error; on Burgers
#   removing it even lowered the error); the activation puts energy above $k_{\max}$ that the spectral
#   layer alone cannot. The finer claim, that the extra error sits at the boundary, was not reliable across
#   seeds: $W$ is the path for every local feature, the boundary being one of them.
# - On this CPU the library's FNO reaches the same accuracy and is somewhat slower per epoch than the
#   from-scratch one (the table gives the factor); on a GPU, and for large models, its features
#   (factorised weights, padding, mixed precision) matter more than this overhead.
# - Laptop scale cannot show the paper's Navier–Stokes results (relative error 0.1556 at
#   $\nu = 10^{-5}$, confirmed), the speed-up over classical solvers at fine resolution, or training on
#   8192-point and $421 \times 421$ grids.
# - `BOOK_THREADS=2` did not help this chapter: on an idle 2-core machine the full run took about as long
#   as with one thread (slightly longer), and on a busy one a training epoch took about twenty times
#   longer. Keep the default of one thread.
#
# Where the ideas go next: the Factorized FNO separates the spectral weights per dimension and trains
# deeper models {cite}`tran2023ffno`; the Spherical FNO replaces the FFT by spherical harmonics for
# global weather {cite}`bonev2023sfno`; Geo-FNO (chapter 08) learns a deformation to a regular grid for
# irregular geometries; DeepONet is the other main operator-learning architecture
# {cite}`lu2021deeponet`; Kovachki, Lanthaler and Mishra prove that FNOs are universal approximators
# {cite}`kovachki2021universal`. The reading lists also point to *NUNO* (non-uniform data via K-D tree
# decomposition, ICML 2023), *MgNO* (multigrid-parameterised neural operators), *Neural Spectral
# Methods* (spectral-domain self-supervised training, ICLR 2024), *Super-Resolution Neural Operator*
# (CVPR 2023) and *Principled Approaches for Extending Neural Architectures to Function Spaces for
# Operator Learning*.
#
# ## References and further reading
#
# ```{bibliography}
# :filter: docname in docnames
# ```
