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
# # 08 · Geo-FNO
#
# **Paper.** Zongyi Li, Daniel Zhengyu Huang, Burigede Liu, Anima Anandkumar. *Fourier Neural
# Operator with Learned Deformations for PDEs on General Geometries.* Journal of Machine Learning
# Research 24 (2023), paper 23-0064. [arXiv:2207.05209](https://arxiv.org/abs/2207.05209)
# {cite}`li2023geofno`.
#
# **Summary.** The FFT inside a Fourier neural operator needs a uniform grid on a rectangle; Geo-FNO
# drops that requirement by treating the physical domain as the image of a latent torus under a
# deformation $\phi$, and by replacing the first and last FFTs with non-uniform Fourier transforms
# evaluated at $\phi^{-1}$ of the data points. The deformation can be given (a structured mesh's own
# computational coordinates) or learned end to end, and the paper reports about twice the accuracy
# of an FNO that works on data interpolated to a Cartesian grid.
#
# **What the seminar notes claim.** The notes list this paper in their table under operator learning
# and leave its summary empty; their reading list carries its abstract, which claims a speed-up of
# about $10^5$ over numerical solvers and about half the error of FNO-type models that need the data
# interpolated onto a regular grid. This chapter tests the second claim.
#
# **What is reconstructed here.** The test problem (Laplace's equation on conformal images of the
# disc, solved exactly) and all sizes are this chapter's choices, not the paper's benchmarks; the
# architecture follows the paper's description, written from scratch.
#
# **Run time:** about 40 s in fast mode and about 3 min in full mode on a 2-core CPU (measured
# values are in the {doc}`scoreboard <../book/scoreboard>`).

# %% [markdown]
# ## Learning objectives
#
# After this chapter you can:
#
# 1. Explain why the FFT ties an FNO to rectangles, and how a deformation $\phi$ and non-uniform
#    Fourier transforms lift that restriction.
# 2. Implement the non-uniform discrete Fourier transform (points to modes and back) from scratch and
#    verify it against `finufft` to round-off.
# 3. Generate PDE data on varying domains with an exact solution, using conformal maps.
# 4. Compare a Geo-FNO with an FNO on interpolated data at equal cost, and separate the error that
#    interpolation alone costs (its floor) from the error of learning.
# 5. Train a deformation $\phi^{-1}$ end to end and judge whether it helps.

# %% [markdown]
# ## Background and theory
#
# ### Why an FNO needs a rectangle
#
# A Fourier layer ({doc}`chapter 07 <07_fourier_neural_operator>`, {cite}`li2021fno`) applies a
# learned multiplier to the lowest Fourier modes of a hidden function $v$,
# $\mathcal K v = \mathcal F^{-1}(R \cdot \mathcal F v)$, and computes $\mathcal F$ with the FFT. The
# FFT needs the function's values on a uniform grid of a periodic box. Data from engineering
# simulations rarely come that way: an airfoil mesh hugs the wing, an elasticity mesh surrounds a
# void, and the domain itself changes from sample to sample. The usual fix is to interpolate the data
# onto a Cartesian grid, run the FNO there, and interpolate back; that costs accuracy near the
# boundary, where the solution is often most interesting.
#
# ### Geo-FNO: a deformed torus
#
# Geo-FNO {cite}`li2023geofno` assumes that each physical domain $D$ is the image of a fixed latent
# domain, the unit torus $T = [0, 1)^2$ (or part of it), under a diffeomorphism $\phi: T \to D$. A
# function $u$ on $D$ is represented by $u \circ \phi$ on $T$, and the Fourier layers act there, on a
# uniform $s \times s$ latent grid, with the FFT. Only the first and the last layer touch the
# physical points $x_1, \dots, x_N$, and they do so through the non-uniform discrete Fourier
# transform (NUDFT). The input layer computes the Fourier coefficients of a lifted input $v$ from its
# values at the points,
#
# ```{math}
# :label: eq-nudft-forward
# \hat v(k) = \frac{1}{N} \sum_{j=1}^{N} v(x_j)\, e^{-2\pi i \langle k,\, \phi^{-1}(x_j) \rangle},
# \qquad k \in \mathbb{Z}^2,\ |k_1|, |k_2| < m,
# ```
#
# and the output layer evaluates the Fourier series of the last hidden function at any query point,
#
# ```{math}
# :label: eq-nudft-inverse
# u(x) = \sum_{k} \hat c(k)\, e^{2\pi i \langle k,\, \phi^{-1}(x) \rangle}.
# ```
#
# The sum {eq}`eq-nudft-forward` has no quadrature weights: it approximates
# $\int_T v\, e^{-2\pi i \langle k, \xi \rangle} \rho(\xi)\, d\xi$, where $\rho$ is the density of the
# points $\xi_j = \phi^{-1}(x_j)$ in the latent space, not the plain Fourier coefficient. The learned
# weights that follow can absorb a fixed density; exercise {ref}`ch08-ex2` looks at what the
# weights change. For real signals we keep the modes $k_2 \ge 0$ only (the others are complex
# conjugates), as the real FFT does; {eq}`eq-nudft-inverse` then becomes
# $u(x) = \operatorname{Re} \sum_{k_2 \ge 0} w_{k_2} \hat c(k) e^{2\pi i \langle k, \phi^{-1}(x)\rangle}$
# with $w_0 = 1$ and $w_{k_2} = 2$ for $k_2 > 0$.
#
# The whole network is then
#
# ```{math}
# :label: eq-geo-fno
# u = Q \circ \mathcal{N}^{-1}_{\phi} \circ \mathcal L_L \circ \dots \circ \mathcal L_1 \circ
# \mathcal{N}_{\phi} \circ P(a),
# ```
#
# where $P$ lifts the input features at each point to $d_v$ channels, $\mathcal N_\phi$ is
# {eq}`eq-nudft-forward` followed by a learned spectral multiplier and an inverse real FFT onto the
# latent grid, $\mathcal L_\ell$ are ordinary FNO layers on that grid, $\mathcal N^{-1}_\phi$ is a
# real FFT, a learned multiplier and {eq}`eq-nudft-inverse`, and $Q$ projects pointwise.
#
# ### Three choices of $\phi^{-1}$
#
# *Given.* A structured mesh comes with computational coordinates: each node has an index
# $(i, j)$, or a position in a reference shape. The paper uses them as $\phi^{-1}$ for the airfoil and
# pipe problems. *Identity.* For a point cloud without a mesh, the scaled physical coordinates are a
# valid, if naive, choice. *Learned.* For the elasticity point cloud the paper learns $\phi^{-1}$ with a
# small network: the physical coordinates, their angle and radius, and sine/cosine features of them,
# optionally with a code of the shape, go through a few tanh layers, and the map is
# $x \mapsto x + x \odot \mathrm{MLP}(\dots)$, trained together with the FNO on the data loss alone.
#
# ### The test problem: Laplace's equation on conformal images of the disc
#
# We need PDE data on many different domains with a solution we can trust exactly. Conformal maps
# provide it. Let
#
# ```{math}
# :label: eq-conformal-map
# F(w) = w + a w^2 + b w^3, \qquad 2|a| + 3|b| < 1, \qquad D = F(\{|w| \le 1\}).
# ```
#
# Then $\operatorname{Re} F'(w) \ge 1 - 2|a| - 3|b| > 0$ on the disc, and a function with positive real
# derivative on a convex set is one-to-one (the Noshiro–Warschawski theorem), so $D$ is a simply
# connected domain with a smooth boundary. The problem is
#
# ```{math}
# :label: eq-laplace
# \Delta u = 0 \ \text{in } D, \qquad u = g \ \text{on } \partial D, \qquad g(x, y) = x^2 + \tfrac12 \sin 3y .
# ```
#
# Harmonic functions stay harmonic under conformal maps, so $U = u \circ F$ is harmonic in the disc
# with boundary values $h(\theta) = g(F(e^{i\theta}))$, and the disc's Fourier–Poisson series solves it:
#
# ```{math}
# :label: eq-poisson-series
# u(F(r e^{i\theta})) = \sum_{k \in \mathbb Z} \hat h_k\, r^{|k|} e^{i k \theta}
# = \operatorname{Re}\Big(\hat h_0 + 2 \sum_{k \ge 1} \hat h_k w^k\Big), \qquad w = r e^{i\theta}.
# ```
#
# Because $h$ is analytic, $\hat h_k$ decays geometrically, and 256 FFT samples of $h$ give $u$ to
# round-off. `utils/geometry.py` implements this; the operator to learn maps the geometry (the mesh
# node coordinates) to the solution at those nodes.
#
# The *given* map here is $F$ itself: each node is the image $x_j = F(w_j)$ of a fixed reference point
# $w_j$ in the disc, and $\phi^{-1}(x_j) = w_j$, scaled into the torus. This plays the role of the
# paper's structured meshes, whose nodes keep their computational coordinates from sample to sample.

# %%
import math
import time
import warnings
from itertools import combinations_with_replacement

import matplotlib.pyplot as plt
import matplotlib.tri as mtri
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from scipy.interpolate import RegularGridInterpolator
from scipy.spatial import Delaunay, cKDTree

import utils
from utils.geometry import (
    boundary_data,
    conformal_derivative,
    conformal_map,
    inverse_conformal_map,
    laplace_dirichlet,
    reference_point_cloud,
    sample_shape_coefficients,
)
from utils.operator_data import relative_l2

info = utils.setup()
rng = np.random.default_rng(info.seed)

# %% [markdown]
# `utils.pick(fast, full)` sizes the run. Both the Geo-FNO's latent grid and the baseline's Cartesian
# grid are $32 \times 32$, with the same modes, width, epochs, optimiser and data, so the two models
# cost about the same to train.

# %%
n_train, n_test = utils.pick(240, 400), 100
n_boundary, n_interior = 64, 448  # nodes on the boundary ring and inside: N = 512 per domain
grid_size, n_modes, width = 32, 8, utils.pick(16, 20)
n_epochs, batch_size, learning_rate = utils.pick(10, 20), 20, utils.pick(5e-3, 3e-3)
latent_radius = 0.375  # the disc |w| <= 1 fills [0.125, 0.875]^2 of the latent torus
box_radius = 1.5  # physical points satisfy |x| <= 1.45; the Cartesian grid covers [-1.5, 1.5]^2
print(
    f"{n_train} train / {n_test} test domains, {n_boundary + n_interior} nodes each, "
    f"{grid_size}x{grid_size} grids, {n_modes} modes, width {width}, {n_epochs} epochs"
)

# %% [markdown]
# ## Implementation from scratch
#
# ### Data: many domains, one mesh topology, exact solutions
#
# Every domain uses the same reference points $w_j$ in the disc: a ring of 64 boundary points and 448
# interior points on a jittered sunflower spiral. A Delaunay triangulation of the reference points
# gives the mesh; $F$ carries it to each domain. The coefficients $a, b$ are random with
# $2|a| + 3|b| \le 0.9$.

# %%
t_start = time.perf_counter()
n_domains = n_train + n_test
coeffs = sample_shape_coefficients(n_domains, rng, degree=3, strength=0.9)  # (n_domains, 2): a, b
w_ref = reference_point_cloud(n_boundary, n_interior, rng)  # (N,) complex, ring first
triangles = Delaunay(np.stack([w_ref.real, w_ref.imag], 1)).simplices
z = conformal_map(w_ref, coeffs)  # (n_domains, N) physical nodes as complex numbers
u = laplace_dirichlet(w_ref, coeffs)  # (n_domains, N) exact solution at the nodes
data_seconds = time.perf_counter() - t_start

# Checks of the data: one-to-one maps, boundary values met, the series converged.
theta = np.linspace(0, 2 * np.pi, 721)
min_re_derivative = conformal_derivative(np.exp(1j * theta), coeffs).real.min()
boundary_error = np.abs(
    u[:, :n_boundary] - boundary_data(z[:, :n_boundary].real, z[:, :n_boundary].imag)
).max()
series_change = np.abs(laplace_dirichlet(w_ref, coeffs[:50], n_boundary=512) - u[:50]).max()
print(
    f"{n_domains} exact solutions in {data_seconds:.2f} s | "
    f"min Re F' on the circle {min_re_derivative:.3f} "
    f"| boundary error {boundary_error:.1e} | change with 512 boundary samples {series_change:.1e}"
)
assert min_re_derivative > 0 and boundary_error < 1e-12 and series_change < 1e-12

# %% [markdown]
# Every map has $\operatorname{Re} F' > 0$ on the circle (so it is one-to-one), the solution meets
# its boundary values to round-off, and doubling the boundary samples changes nothing. The figure
# shows four domains with the mesh and the solution.

# %% tags=["hide-input"]
solution_levels = np.linspace(-0.5, 2.0, 11)
fig, axes = plt.subplots(2, 2, figsize=(6.8, 6.0), layout="constrained", sharex=True, sharey=True)
strength = np.abs(coeffs) @ np.array([2, 3])  # t = 2|a| + 3|b| of each domain
shown = np.argsort(strength[:n_train])[[n_train // 5, n_train // 2, 4 * n_train // 5, n_train - 1]]
for ax, j in zip(axes.flat, shown):
    tri = mtri.Triangulation(z[j].real, z[j].imag, triangles)
    shading = ax.tricontourf(tri, u[j], levels=solution_levels, cmap="viridis", extend="both")
    ax.plot(z[j].real, z[j].imag, "k.", ms=0.8)  # the nodes
    a, b = coeffs[j]
    ax.set(title=f"t = {strength[j]:.2f}, |a| = {abs(a):.2f}, |b| = {abs(b):.2f}", aspect="equal")
    ax.set(xlabel="$x$", ylabel="$y$")
fig.colorbar(shading, ax=axes, shrink=0.8, label="$u(x, y)$")
fig.suptitle("Four training domains (nodes as dots) and the exact solution")
plt.show()

# %% [markdown]
# The strength $t = 2|a| + 3|b|$ is uniform on $[0, 0.9]$, so the family runs from nearly round discs
# to bean and egg shapes; the panels show training domains at the 20th, 50th and 80th percentile of
# $t$ and the strongest. The solution follows the boundary data: large where $x^2$ is large (left and
# right), with the $\sin 3y$ ripple on top. How much it changes from domain to domain is measured
# below by the mean-solution baseline.
#
# ### The non-uniform Fourier transform
#
# Equations {eq}`eq-nudft-forward` and {eq}`eq-nudft-inverse` are dense sums: with $N$ points and
# $M = 2m \cdot m$ kept modes each costs $O(NM)$ per channel. We build the matrices
# $\cos 2\pi\langle k, \xi_j\rangle$ and $\sin 2\pi\langle k, \xi_j\rangle$ once per set of points and
# apply them with matrix products. The modes are ordered as the real FFT orders them:
# $k_1 = 0, \dots, m-1, -m, \dots, -1$ and $k_2 = 0, \dots, m-1$.


# %%
def wavenumbers(m: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Kept modes in real-FFT order: k1 = 0..m-1, -m..-1 (2m values) and k2 = 0..m-1."""
    k1 = torch.cat([torch.arange(0, m), torch.arange(-m, 0)])
    return k1, torch.arange(0, m)


def nudft_basis(xi: torch.Tensor, m: int) -> tuple[torch.Tensor, torch.Tensor]:
    """cos and sin of 2 pi <k, xi_j>: latent points xi (..., N, 2) -> two (..., N, 2m*m) tensors."""
    k1, k2 = wavenumbers(m)
    phase = xi[..., 0, None, None] * k1[:, None].to(xi) + xi[..., 1, None, None] * k2[None, :].to(
        xi
    )
    phase = 2 * math.pi * phase.flatten(-2)
    return torch.cos(phase), torch.sin(phase)


def nudft_forward(v: torch.Tensor, basis, m: int) -> torch.Tensor:
    """Eq. (1): values v (b, c, N) at the points -> coefficients (b, c, 2m, m), a plain 1/N sum."""
    cos, sin = basis
    n_points = v.shape[-1]
    real, imag = torch.matmul(v, cos) / n_points, -torch.matmul(v, sin) / n_points
    return torch.complex(real, imag).unflatten(-1, (2 * m, m))


def nudft_inverse(coeff: torch.Tensor, basis) -> torch.Tensor:
    """Eq. (2) for a real signal: coefficients (b, c, 2m, m) on k2 >= 0 -> values (b, c, N)."""
    cos, sin = basis
    weight = torch.ones(coeff.shape[-1], device=coeff.device)
    weight[1:] = 2  # each k2 > 0 stands for itself and its conjugate -k
    c = (coeff * weight).flatten(-2)
    return torch.matmul(c.real, cos.transpose(-1, -2)) - torch.matmul(c.imag, sin.transpose(-1, -2))


# %% [markdown]
# ### The Geo-FNO
#
# The spectral multiplier and the inner FNO layer follow chapter 07's 2-D layer, with two
# differences of form: one weight tensor holds both corners of kept modes (chapter 07 keeps two), and
# the FFT uses `norm="forward"`. With it the real FFT returns Fourier coefficients (the grid sum
# divided by $s^2$), the same normalisation as the $1/N$ in {eq}`eq-nudft-forward`, so a latent grid
# and a point cloud that sample the same function give about the same coefficients. (Chapter 07 puts
# the $1/s^2$ on the inverse FFT; inside one layer the two conventions agree.)


# %%
class SpectralWeights(nn.Module):
    """A learned complex multiplier R on the kept modes: (b, c_in, 2m, m) -> (b, c_out, 2m, m)."""

    def __init__(self, channels: int, m: int):
        super().__init__()
        self.weight = nn.Parameter(
            torch.randn(channels, channels, 2 * m, m, dtype=torch.cfloat) / channels**2
        )

    def forward(self, coeff: torch.Tensor) -> torch.Tensor:
        return torch.einsum("bixy,ioxy->boxy", coeff, self.weight)


def keep_modes(spectrum: torch.Tensor, m: int) -> torch.Tensor:
    """The kept modes (b, c, 2m, m) of an rfft2 spectrum (b, c, s, s // 2 + 1)."""
    return torch.cat([spectrum[..., :m, :m], spectrum[..., -m:, :m]], dim=-2)


def modes_to_grid(coeff: torch.Tensor, s: int) -> torch.Tensor:
    """Inverse real FFT of kept modes (b, c, 2m, m) onto an s x s grid (all other modes zero)."""
    m = coeff.shape[-1]
    spectrum = torch.zeros(*coeff.shape[:2], s, s // 2 + 1, dtype=coeff.dtype, device=coeff.device)
    spectrum[..., :m, :m] = coeff[..., :m, :]
    spectrum[..., -m:, :m] = coeff[..., m:, :]
    return torch.fft.irfft2(spectrum, s=(s, s), norm="forward")


class FourierLayer(nn.Module):
    """One FNO layer on a uniform grid: K v + W v, K v = irfft2(R * rfft2(v)) on the low modes."""

    def __init__(self, channels: int, m: int):
        super().__init__()
        self.spectral = SpectralWeights(channels, m)
        self.pointwise = nn.Conv2d(channels, channels, 1)
        self.m = m

    def forward(self, v: torch.Tensor) -> torch.Tensor:
        coeff = keep_modes(torch.fft.rfft2(v, norm="forward"), self.m)
        return modes_to_grid(self.spectral(coeff), v.shape[-1]) + self.pointwise(v)


class GeoFNO(nn.Module):
    """Eq. (3): lift, NUDFT to an s x s latent grid, FNO layers, NUDFT back, project."""

    def __init__(self, in_features: int, width: int, m: int, s: int, n_layers: int = 3):
        super().__init__()
        self.m, self.s = m, s
        self.lift = nn.Linear(in_features, width)
        self.spectral_in = SpectralWeights(width, m)
        self.layers = nn.ModuleList(FourierLayer(width, m) for _ in range(n_layers))
        self.spectral_out = SpectralWeights(width, m)
        self.pointwise_out = nn.Linear(in_features, width)  # local path at the query points
        self.project = nn.Sequential(nn.Linear(width, 128), nn.GELU(), nn.Linear(128, 1))
        grid = torch.arange(s) / s
        self.register_buffer(
            "latent_grid", torch.stack(torch.meshgrid(grid, grid, indexing="ij"))[None]
        )
        self.grid_bias = nn.Conv2d(2, width, 1)  # a pointwise term on the latent grid

    def forward(self, features: torch.Tensor, basis) -> torch.Tensor:
        """features (b, N, f); basis = nudft_basis(phi^{-1}(points)) -> u at the points (b, N)."""
        v = self.lift(features).transpose(1, 2)  # (b, width, N)
        h = modes_to_grid(
            self.spectral_in(nudft_forward(v, basis, self.m)), self.s
        )  # (b, width, s, s)
        h = F.gelu(h + self.grid_bias(self.latent_grid))
        for layer in self.layers:
            h = F.gelu(layer(h))
        coeff = self.spectral_out(keep_modes(torch.fft.rfft2(h, norm="forward"), self.m))
        out = nudft_inverse(coeff, basis) + self.pointwise_out(features).transpose(
            1, 2
        )  # (b, width, N)
        return self.project(F.gelu(out.transpose(1, 2))).squeeze(-1)


# %% [markdown]
# ### The baseline: an FNO on interpolated data
#
# The baseline the paper argues against interpolates each sample onto a Cartesian grid, runs an
# ordinary FNO there, and, to be compared at the mesh nodes, interpolates its output back. We
# interpolate linearly on the mesh's triangles (inside the domain) and fill grid points outside
# the domain with the nearest node's value, so the target is continuous; the input channels are
# the domain's mask and the grid coordinates, as in the paper's interpolation baselines. The way
# back is bilinear interpolation from the grid. The fill outside the domain is not data, so the grid
# FNO's training loss counts only the grid points inside the domain.

# %%
grid_axis = np.linspace(-box_radius, box_radius, grid_size)
grid_x, grid_y = np.meshgrid(grid_axis, grid_axis, indexing="ij")


def mesh_to_grid(nodes: np.ndarray, values: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """Node values -> grid: linear on the triangles, nearest node outside; returns (grid, mask)."""
    triangulation = mtri.Triangulation(nodes.real, nodes.imag, triangles)
    inside = triangulation.get_trifinder()(grid_x, grid_y) >= 0
    if values is None:
        return np.zeros_like(grid_x), inside
    grid = mtri.LinearTriInterpolator(triangulation, values)(grid_x, grid_y).filled(0.0)
    _, nearest = cKDTree(np.stack([nodes.real, nodes.imag], 1)).query(
        np.stack([grid_x[~inside], grid_y[~inside]], 1)
    )
    grid[~inside] = values[nearest]
    return grid, inside


def grid_to_mesh(grid: np.ndarray, nodes: np.ndarray) -> np.ndarray:
    """Bilinear interpolation of grid values at the nodes."""
    return RegularGridInterpolator((grid_axis, grid_axis), grid)(
        np.stack([nodes.real, nodes.imag], 1)
    )


class GridFNO(nn.Module):
    """An ordinary 2-D FNO on the Cartesian grid: lift, Fourier layers, project."""

    def __init__(self, in_channels: int, width: int, m: int, n_layers: int = 4):
        super().__init__()
        self.lift = nn.Conv2d(in_channels, width, 1)
        self.layers = nn.ModuleList(FourierLayer(width, m) for _ in range(n_layers))
        self.project = nn.Sequential(nn.Conv2d(width, 128, 1), nn.GELU(), nn.Conv2d(128, 1, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.lift(x)
        for i, layer in enumerate(self.layers):
            h = layer(h)
            h = F.gelu(h) if i < len(self.layers) - 1 else h
        return self.project(h).squeeze(1)


t_start = time.perf_counter()
grids, masks = zip(*(mesh_to_grid(z[j], u[j]) for j in range(n_domains)))
grids, masks = np.array(grids), np.array(masks)
round_trip = np.array([grid_to_mesh(grids[j], z[j]) for j in range(n_domains)])
interp_seconds = time.perf_counter() - t_start
test = slice(n_train, n_domains)
floor_error = relative_l2(round_trip[test], u[test])
print(
    f"interpolation of {n_domains} samples in {interp_seconds:.1f} s; "
    f"round-trip error of the exact solution (the floor): {floor_error.mean():.4f}"
)

# %% [markdown]
# The round trip, mesh to grid and back, applied to the *exact* solution already costs the printed
# relative error. No model trained on the grid can do better at the nodes than this floor, except by
# luck. Most of it sits at the boundary, where a grid cell straddles the domain's edge.
#
# ### Training
#
# All models minimise the mean relative $L^2$ error over the nodes (or the grid points inside the
# domain) of each sample, with Adam and a one-cycle learning-rate schedule, for the same number of
# epochs.


# %%
def relative_loss(prediction: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Batch mean of ||prediction - target|| / ||target||, per sample over the last axis."""
    return (
        torch.linalg.vector_norm(prediction - target, dim=-1)
        / torch.linalg.vector_norm(target, dim=-1)
    ).mean()


def train(parameters, batch_loss, n_samples: int, epochs: int, seed: int) -> list[float]:
    """Adam with a one-cycle schedule on batch_loss(indices); returns the epoch losses."""
    parameters = list(parameters)
    generator = torch.Generator().manual_seed(seed)
    optimiser = torch.optim.Adam(parameters, lr=learning_rate)
    steps = epochs * math.ceil(n_samples / batch_size)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimiser, learning_rate, total_steps=steps)
    history = []
    for _ in range(epochs):
        order, total = torch.randperm(n_samples, generator=generator), 0.0
        for start in range(0, n_samples, batch_size):
            index = order[start : start + batch_size]
            loss = batch_loss(index)
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            schedule.step()
            total += loss.item() * len(index)
        history.append(total / n_samples)
    return history


# %% [markdown]
# The inputs as tensors: the node coordinates are the features of every Geo-FNO, and three latent
# positions serve as $\phi^{-1}$: the given reference points $w_j$, and the scaled physical
# coordinates (identity).

# %%
features = torch.tensor(np.stack([z.real, z.imag], -1), dtype=torch.float32)  # (n_domains, N, 2)
targets = torch.tensor(u, dtype=torch.float32)  # (n_domains, N)
latent_given = torch.tensor(
    0.5 + latent_radius * np.stack([w_ref.real, w_ref.imag], -1), dtype=torch.float32
)
basis_given = nudft_basis(latent_given, n_modes)  # one (N, 2m*m) pair shared by every domain
latent_identity = 0.5 + latent_radius * features / box_radius  # (n_domains, N, 2)
grid_inputs = torch.tensor(
    np.stack(
        [masks, np.broadcast_to(grid_x, masks.shape), np.broadcast_to(grid_y, masks.shape)], 1
    ),
    dtype=torch.float32,
)  # (n_domains, 3, s, s): mask, x, y
grid_targets = torch.tensor(grids, dtype=torch.float32)
grid_masks = torch.tensor(masks, dtype=torch.float32).flatten(1)  # 1 inside the domain, 0 outside
test_index = torch.arange(n_train, n_domains)

# %% [markdown]
# ## Cross-check
#
# The from-scratch NUDFT must agree with an independent implementation. `finufft`
# {cite}`barnett2019finufft` computes type-1 (points to modes) and type-2 (modes to points)
# transforms by spreading onto an oversampled grid and using the FFT, a different algorithm from our
# dense sums. We compare in double precision on random points and values, with $m = 8$ modes.

# %%
import finufft  # noqa: E402 (imported here, where it is used)

check_rng = np.random.default_rng(info.seed + 100)
points = check_rng.random((300, 2))
values = check_rng.standard_normal(300)
m_check = n_modes
ours = nudft_forward(
    torch.tensor(values)[None, None], nudft_basis(torch.tensor(points), m_check), m_check
)[0, 0].numpy()
theirs = finufft.nufft2d1(
    2 * np.pi * points[:, 0],
    2 * np.pi * points[:, 1],
    values.astype(complex),
    (2 * m_check, 2 * m_check),
    isign=-1,
    eps=1e-14,
) / len(values)  # modes -m..m-1 on both axes
k1_order = np.r_[np.arange(0, m_check), np.arange(-m_check, 0)]
theirs_kept = theirs[k1_order + m_check][:, m_check:]  # rows in real-FFT order, k2 = 0..m-1
forward_error = np.abs(ours - theirs_kept).max() / np.abs(theirs_kept).max()

coeff = check_rng.standard_normal((2 * m_check, m_check)) + 1j * check_rng.standard_normal(
    (2 * m_check, m_check)
)
ours_back = nudft_inverse(
    torch.tensor(coeff)[None, None], nudft_basis(torch.tensor(points), m_check)
)[0, 0].numpy()
# finufft wants all modes -m..m on both axes: add each kept mode and its complex conjugate at -k.
# A k2 = 0 mode enters our real part once: as half of itself plus half its conjugate.
full = np.zeros((2 * m_check + 1, 2 * m_check + 1), dtype=complex)
for row, k1 in enumerate(k1_order):
    for k2 in range(m_check):
        c = coeff[row, k2] * (0.5 if k2 == 0 else 1.0)
        full[k1 + m_check, k2 + m_check] += c
        full[-k1 + m_check, -k2 + m_check] += np.conj(c)
theirs_back = finufft.nufft2d2(
    2 * np.pi * points[:, 0], 2 * np.pi * points[:, 1], full, isign=1, eps=1e-14
)
inverse_error = np.abs(ours_back - theirs_back.real).max() / np.abs(theirs_back).max()
print(f"points -> modes: max relative difference to finufft type 1: {forward_error:.1e}")
print(f"modes -> points: max relative difference to finufft type 2: {inverse_error:.1e}")
assert forward_error < 1e-12 and inverse_error < 1e-12

# %% [markdown]
# Both transforms agree with `finufft` to round-off. The data need a check of their own: the series
# {eq}`eq-poisson-series` must solve {eq}`eq-laplace`. Two independent tests: with harmonic boundary
# data $g = \operatorname{Re} z^3 + 2 \operatorname{Im} z$ the solution must be $g$ itself, and the
# five-point finite-difference Laplacian of our $u$ at interior points must vanish like the
# stencil's $O(h^2)$ truncation error (the stencil points are located with $F^{-1}$, by Newton's
# method).

# %%
harmonic = laplace_dirichlet(w_ref, coeffs[:50], g=lambda x, y: x**3 - 3 * x * y**2 + 2 * y)
harmonic_error = np.abs(
    harmonic - (z[:50].real ** 3 - 3 * z[:50].real * z[:50].imag ** 2 + 2 * z[:50].imag)
).max()
centres = z[:20, n_boundary::40]  # (20, 12) interior nodes, from the centre out to radius 0.96


def max_discrete_laplacian(step: float) -> float:
    """Largest five-point Laplacian of u over the centres, spacing `step` in the physical plane."""
    stencil = centres[..., None] + step * np.array([0, 1, -1, 1j, -1j])  # (20, 12, 5)
    w_stencil = inverse_conformal_map(stencil.reshape(20, -1), coeffs[:20])
    u_stencil = laplace_dirichlet(w_stencil, coeffs[:20]).reshape(stencil.shape)
    return float(np.abs((u_stencil[..., 1:].sum(-1) - 4 * u_stencil[..., 0]) / step**2).max())


laplacian_coarse, laplacian_fine = max_discrete_laplacian(1e-2), max_discrete_laplacian(5e-3)
print(f"harmonic boundary data reproduced to {harmonic_error:.1e}")
print(
    f"max |five-point Laplacian of u|: {laplacian_coarse:.1e} at h = 0.01, "
    f"{laplacian_fine:.1e} at h = 0.005 "
    f"(ratio {laplacian_coarse / laplacian_fine:.2f}; a pure O(h^2) truncation error gives 4)"
)
assert harmonic_error < 1e-12 and laplacian_coarse / laplacian_fine > 3.5

# %% [markdown]
# The solution is exact where it can be checked exactly. The discrete Laplacian is not zero, but it
# falls by a factor of four when $h$ halves: it is the stencil's own $O(h^2)$ truncation error
# (largest at the nodes nearest the boundary, where $u$ varies fastest), so the Laplacian of $u$
# itself is zero. The models are judged against solutions that are right to round-off.
#
# ## Experiment
#
# ### Trivial baselines
#
# How hard is the task? References that need no network: predict every test solution by the mean
# training solution at each node, and fit a linear least-squares map from the $2N$ node coordinates
# to the $N$ solution values. The node coordinates $F(w_j) = w_j + a w_j^2 + b w_j^3$ are affine in
# four real numbers, the shape numbers $(\operatorname{Re} a, \operatorname{Im} a, \operatorname{Re} b,
# \operatorname{Im} b)$, so the linear fit is a polynomial of degree 1 in them; we also fit
# polynomials of degree 2 and 3 in the shape numbers by least squares.

# %%
train_slice = slice(0, n_train)
mean_error = relative_l2(np.broadcast_to(u[train_slice].mean(0), u[test].shape), u[test])
design = np.concatenate([z.real, z.imag, np.ones((n_domains, 1))], axis=1)  # (n_domains, 2N + 1)
lstsq_coef = np.linalg.lstsq(design[train_slice], u[train_slice], rcond=None)[0]
linear_error = relative_l2(design[test] @ lstsq_coef, u[test])
shape_numbers = np.concatenate([coeffs.real, coeffs.imag], 1)  # (n_domains, 4)


def polynomial_features(x: np.ndarray, degree: int) -> np.ndarray:
    """All monomials of the columns of x (n, d) up to `degree`, constant included."""
    columns = [np.ones(len(x))]
    for d in range(1, degree + 1):
        for powers in combinations_with_replacement(range(x.shape[1]), d):
            columns.append(x[:, list(powers)].prod(1))
    return np.stack(columns, 1)


polynomial_error = {}
for degree in (1, 2, 3):
    poly = polynomial_features(shape_numbers, degree)  # (n_domains, number of monomials)
    poly_coef = np.linalg.lstsq(poly[train_slice], u[train_slice], rcond=None)[0]
    polynomial_error[degree] = relative_l2(poly[test] @ poly_coef, u[test])
print(
    f"mean solution: {mean_error.mean():.4f} | "
    f"linear in the node coordinates: {linear_error.mean():.4f}\n"
    "least squares in the four shape numbers, degree 1, 2, 3: "
    + ", ".join(f"{polynomial_error[d].mean():.4f}" for d in (1, 2, 3))
)

# %% [markdown]
# The mean is off by about a fifth. The linear fit is much better, and degree 1 in the shape
# numbers gives the same error, as it must. Degrees 2 and 3 are far better again (printed): the
# solution at each node is a smooth function of four numbers, and the 35 monomials of degree at
# most 3 capture it. Keep this in mind below. No network in this chapter comes near the cubic fit; the
# question the paper asks, and this chapter tests, is narrower: with the same budget, does an FNO
# that reads the mesh directly beat one that reads interpolated data? On this easy family it is a
# comparison of two architectures, not evidence that a neural operator is the right tool for it.
#
# ### Geo-FNO on the given mesh, and FNO on the interpolated grid
#
# Now the paper's comparison. Both models see the same domains, epochs and optimiser; the Geo-FNO
# reads the node coordinates at the nodes and places them in the latent torus at the given reference
# positions; the grid FNO reads the mask and coordinates on the Cartesian grid and learns the
# interpolated solution there. We also train the Geo-FNO with the identity map (the physical
# coordinates as latent positions), to separate what the deformation does from what the
# non-uniform transform does.


# %%
def evaluate_points(model, latent_fn) -> np.ndarray:
    """Per-sample relative L2 error of a Geo-FNO on the test domains (latent_fn(index) -> basis)."""
    with torch.no_grad():
        prediction = model(features[test_index], latent_fn(test_index)).numpy()
    return relative_l2(prediction, u[test])


def fit_geo_fno(latent_fn, seed: int, extra_parameters=()):
    """Train a Geo-FNO whose NUDFT basis for samples `index` is latent_fn(index)."""
    torch.manual_seed(seed)
    model = GeoFNO(2, width, n_modes, grid_size)
    history = train(
        list(model.parameters()) + list(extra_parameters),
        lambda index: relative_loss(model(features[index], latent_fn(index)), targets[index]),
        n_train,
        n_epochs,
        seed,
    )
    return model, history


def given_basis(index):
    """The given map: every domain's nodes sit at the reference points of the disc."""
    return basis_given


def identity_basis(index):
    """The identity map: the scaled physical coordinates are the latent positions."""
    return nudft_basis(latent_identity[index], n_modes)


results, histories, seconds, models = {}, {}, {}, {}
for name, latent_fn in (
    ("Geo-FNO, given mesh", given_basis),
    ("Geo-FNO, identity map", identity_basis),
):
    t_start = time.process_time()
    model, histories[name] = fit_geo_fno(latent_fn, info.seed)
    seconds[name] = time.process_time() - t_start
    results[name] = evaluate_points(model, latent_fn)
    models[name] = model
geo_model = models["Geo-FNO, given mesh"]

t_start = time.process_time()
torch.manual_seed(info.seed)
grid_model = GridFNO(3, width, n_modes)
histories["FNO, interpolated grid"] = train(
    grid_model.parameters(),
    lambda index: relative_loss(  # over the grid points inside the domain only
        grid_model(grid_inputs[index]).flatten(1) * grid_masks[index],
        grid_targets[index].flatten(1) * grid_masks[index],
    ),
    n_train,
    n_epochs,
    info.seed,
)
seconds["FNO, interpolated grid"] = time.process_time() - t_start
with torch.no_grad():
    grid_prediction = grid_model(grid_inputs[test_index]).numpy()
grid_on_nodes = np.array([grid_to_mesh(grid_prediction[i], z[n_train + i]) for i in range(n_test)])
results["FNO, interpolated grid"] = relative_l2(grid_on_nodes, u[test])
inside_error = np.mean(
    [
        np.linalg.norm((grid_prediction[i] - grids[n_train + i])[masks[n_train + i]])
        / np.linalg.norm(grids[n_train + i][masks[n_train + i]])
        for i in range(n_test)
    ]
)

for name, error in results.items():
    print(
        f"{name:24s} test error {error.mean():.4f} (median {np.median(error):.4f}), "
        f"{sum(p.numel() for p in (geo_model if 'Geo' in name else grid_model).parameters()):,} "
        "parameters, "
        f"{seconds[name]:.0f} s CPU, final training loss {histories[name][-1]:.4f}"
    )
print(
    f"{'':24s} grid FNO measured on the grid inside the domain: "
    f"{inside_error:.4f}"
)
ratio_given = results["FNO, interpolated grid"].mean() / results["Geo-FNO, given mesh"].mean()
print(
    f"error ratio FNO-with-interpolation / Geo-FNO (given mesh): {ratio_given:.2f}; "
    f"interpolation floor {floor_error.mean():.4f}"
)

# %% [markdown]
# The figure sets the test errors side by side, with the interpolation floor and the trivial
# baselines, and shows where the errors sit on one test domain.

# %% tags=["hide-input"]
order = [
    "mean solution",
    "linear regression",
    "cubic fit, shape numbers",
    "FNO, interpolated grid",
    "Geo-FNO, identity map",
    "Geo-FNO, given mesh",
]
model_colours = {"Geo-FNO, given mesh": "C0", "Geo-FNO, identity map": "C1"}
model_colours |= {"FNO, interpolated grid": "C2", "Geo-FNO, learned map": "C3"}
baselines = {"mean solution": mean_error, "linear regression": linear_error}
bars = baselines | {"cubic fit, shape numbers": polynomial_error[3]} | results
sample = n_train + int(
    np.argsort(results["Geo-FNO, given mesh"])[n_test // 2]
)  # the median test domain
with torch.no_grad():
    geo_sample = geo_model(features[[sample]], basis_given)[0].numpy()
grid_sample = grid_on_nodes[sample - n_train]
fig, axes = plt.subplots(2, 2, figsize=(6.8, 6.2), layout="constrained")
ax = axes[0, 0]
bar_colours = [model_colours.get(k, "0.6") for k in order]
ax.barh(range(len(order)), [bars[k].mean() for k in order], color=bar_colours)
ax.axvline(floor_error.mean(), color="C2", ls="--", lw=1.2, label="interpolation floor")
ax.set(
    yticks=range(len(order)),
    yticklabels=order,
    xscale="log",
    xlabel="relative $L^2$ test error",
    title="Test error (mean over test domains)",
)
ax.legend(loc="upper right", fontsize=8)
ax = axes[0, 1]
for name, history in histories.items():
    ax.semilogy(range(1, n_epochs + 1), history, label=name, color=model_colours[name])
ax.set(xlabel="epoch", ylabel="training loss", title="Training loss")
ax.legend(fontsize=8, loc="lower left")
tri = mtri.Triangulation(z[sample].real, z[sample].imag, triangles)
limit = np.ceil(np.abs(grid_sample - u[sample]).max() / 0.005) * 0.005
for ax, prediction, name in (
    (axes[1, 0], geo_sample, "Geo-FNO, given mesh"),
    (axes[1, 1], grid_sample, "FNO, interpolated"),
):
    shading = ax.tricontourf(
        tri, np.abs(prediction - u[sample]), levels=np.linspace(0, limit, 11), cmap="magma"
    )
    ax.set(aspect="equal", xlabel="$x$", ylabel="$y$", title=f"|error|, {name}")
fig.colorbar(shading, ax=axes[1, :], shrink=0.8, label="absolute error")
fig.suptitle("Geo-FNO against an FNO on interpolated data, equal budget")
plt.show()

# %% [markdown]
# Three things to read off. The grid FNO's error at the nodes is well above its interpolation floor
# (the dashed line); measured on the grid inside the domain it is lower (printed above), so part of
# its error at the nodes comes from the way back. Its error concentrates along the boundary (bottom
# right); the Geo-FNO's error is smaller and more evenly spread. And the given mesh does not beat
# the identity map: in this run it is worse (printed above). Its training loss falls more slowly at
# first (top right), and with the short training of fast mode (`BOOK_FAST=1`) it lags far behind,
# behind even the grid FNO. On these mild deformations the physical coordinates are already a good
# latent space, so the gain over the grid FNO comes from the non-uniform transform (no
# interpolation), not from the choice of $\phi$.
#
# ### A learned deformation (full mode)
#
# Finally, $\phi^{-1}$ learned end to end, as the paper does for its point clouds. Our network
# follows the paper's description: the scaled physical coordinates $p$, their angle and radius, sine
# and cosine features of these at three frequencies, and the shape code $(\operatorname{Re} a,
# \operatorname{Im} a, \operatorname{Re} b, \operatorname{Im} b)$ go through three tanh layers; the
# output $\delta$ gives $\phi^{-1}(x) = p + p \odot \delta$. Its last layer starts at zero, so
# training starts from the identity map. Every batch now needs its own NUDFT matrices, with
# gradients, which makes this the most expensive model; it runs in full mode only.


# %%
class LearnedDeformation(nn.Module):
    """phi^{-1}(x) = p + p * MLP(p, angle, radius, sin/cos, shape code), p = x / box_radius."""

    def __init__(self, code_size: int, hidden: int = 32, n_frequencies: int = 3):
        super().__init__()
        self.register_buffer("frequencies", math.pi * 2.0 ** torch.arange(n_frequencies))
        n_in = 4 + 2 * 4 * n_frequencies + code_size
        self.net = nn.Sequential(
            nn.Linear(n_in, hidden),
            nn.Tanh(),
            nn.Linear(hidden, hidden),
            nn.Tanh(),
            nn.Linear(hidden, hidden),
            nn.Tanh(),
            nn.Linear(hidden, 2),
        )
        nn.init.zeros_(self.net[-1].weight)
        nn.init.zeros_(self.net[-1].bias)

    def forward(self, x: torch.Tensor, code: torch.Tensor) -> torch.Tensor:
        """x (b, N, 2) physical points, code (b, code_size) -> latent points (b, N, 2)."""
        p = x / box_radius
        polar = torch.stack([torch.atan2(p[..., 1], p[..., 0]), p.norm(dim=-1)], -1)
        base = torch.cat([p, polar], -1)  # (b, N, 4)
        waves = (base[..., None] * self.frequencies).flatten(-2)  # (b, N, 4 * n_frequencies)
        inputs = torch.cat(
            [base, torch.sin(waves), torch.cos(waves), code[:, None].expand(-1, x.shape[1], -1)], -1
        )
        return 0.5 + latent_radius * (p + p * self.net(inputs))


shape_code = torch.tensor(
    np.concatenate([coeffs.real, coeffs.imag], 1), dtype=torch.float32
)  # (n_domains, 4)
if not info.fast:
    torch.manual_seed(info.seed)
    deformation = LearnedDeformation(code_size=4)

    def learned_basis(index):
        """The learned map, evaluated at the physical nodes of the samples `index`."""
        return nudft_basis(deformation(features[index], shape_code[index]), n_modes)

    t_start = time.process_time()
    learned_model, histories["Geo-FNO, learned map"] = fit_geo_fno(
        learned_basis, info.seed, extra_parameters=deformation.parameters()
    )
    seconds["Geo-FNO, learned map"] = time.process_time() - t_start
    results["Geo-FNO, learned map"] = evaluate_points(learned_model, learned_basis)
    with torch.no_grad():
        learned_latent = deformation(features[[sample]], shape_code[[sample]])[0].numpy()
        learned_test = deformation(features[test_index], shape_code[test_index])  # (n_test, N, 2)
    # Mean distance each node moved away from the identity map, in cells of the latent grid.
    moved = (learned_test - latent_identity[test_index]).norm(dim=-1)  # (n_test, N)
    displacement_cells = moved.mean().item() * grid_size
    spread_ratio = learned_latent.std(0).mean() / latent_identity[sample].numpy().std(0).mean()
    print(
        f"mean node displacement from the identity map, test domains: "
        f"{displacement_cells:.2f} latent grid cells"
    )
    print(f"spread of the learned latent nodes / spread under the identity map: {spread_ratio:.2f}")
    print(
        f"Geo-FNO, learned map    test error {results['Geo-FNO, learned map'].mean():.4f} "
        f"({seconds['Geo-FNO, learned map']:.0f} s CPU); "
        f"given mesh {results['Geo-FNO, given mesh'].mean():.4f}, "
        f"identity {results['Geo-FNO, identity map'].mean():.4f}"
    )
else:
    print("fast mode: the learned deformation is trained in full mode only")

# %% [markdown]
# The figure shows where the three maps put the nodes of the median test domain in the latent
# torus (full mode only).

# %% tags=["hide-input"]
if not info.fast:
    fig, axes = plt.subplots(1, 3, figsize=(6.8, 2.6), layout="constrained", sharey=True)
    positions = {
        "given (reference disc)": latent_given.numpy(),
        "identity (physical)": latent_identity[sample].numpy(),
        "learned": learned_latent,
    }
    for ax, (name, xi) in zip(axes, positions.items()):
        ax.plot(xi[:n_boundary, 0], xi[:n_boundary, 1], "C1.", ms=2, label="boundary nodes")
        ax.plot(xi[n_boundary:, 0], xi[n_boundary:, 1], "C0.", ms=1, label="interior nodes")
        ax.set(xlim=(0, 1), ylim=(0, 1), aspect="equal", xlabel="$\\xi_1$", title=name)
    axes[0].set_ylabel("$\\xi_2$")
    fig.suptitle("The median test domain's nodes in the latent torus under three maps")
    plt.show()

# %% [markdown]
# The learned map does not stay at its starting point. Averaged over the test domains, a node moves
# by the printed displacement, measured in cells of the $32 \times 32$ latent grid; the claim check
# asserts at least half a cell. On the median test domain the map packs the nodes into a smaller
# part of the torus (the printed spread ratio, below 1; the figure). Yet
# its test error lands next to the identity map's (printed above): training found a different
# latent arrangement of about the same quality. Why it shrinks the domain we can only guess; one
# conjecture, untested here, is that more empty latent space keeps the domain away from its own
# periodic copies, which is what padding does in an FNO. The paper's learned deformations matter on
# harder geometries, such as the elasticity unit cell with a void of random shape, where no simple
# coordinate system fits every sample; our domains are all mild deformations of a disc.

# ## Claim check
#
# The paper's headline is that Geo-FNO is about twice as accurate as an FNO on interpolated data.
# The first row tests it with the Geo-FNO whose non-uniform transforms read the point cloud
# directly (identity map); the given-mesh row is checked in full mode only, because with the short
# training of fast mode that model has not converged (its fast-mode error is printed above). The
# threshold, a ratio of 1.5, asks for a clear gain, short of the paper's factor two. A third row
# records what holds besides: on this four-parameter family a cubic least-squares fit in the shape
# numbers beats the Geo-FNO by at least a factor two (error ratio at most 0.5). Two rows
# cross-check the code. In full mode two rows concern the learned deformation. One records that
# its test error stays within 1.5 times the identity map's. That row alone would also pass if no
# gradient reached the deformation (a detached basis, a frozen network): the map starts at the
# identity, so the two models would be nearly the same. The last row therefore asserts that
# training moved the map: the mean node displacement from the identity map must be at least half a
# cell of the latent grid, where a deformation that never trained scores exactly zero.

# %%
ratio_identity = results["FNO, interpolated grid"].mean() / results["Geo-FNO, identity map"].mean()
claims = [
    utils.Claim(
        "FNO-on-interpolated-grid test error / Geo-FNO (identity map) test error",
        "about 2 (abstract: 'twice more accurate')",
        ratio_identity,
        ">=",
        1.5,
        kind="paper",
    ),
    utils.Claim(
        "Cubic least squares in the 4 shape numbers: test error / Geo-FNO (identity map) error",
        "n/a (baseline, not in the paper)",
        polynomial_error[3].mean() / results["Geo-FNO, identity map"].mean(),
        "<=",
        0.5,
        kind="instead",
    ),
    utils.Claim(
        "From-scratch NUDFT vs finufft, points to modes and back: max relative difference",
        "n/a (library cross-check)",
        max(forward_error, inverse_error),
        "<=",
        1e-12,
        kind="code",
    ),
    utils.Claim(
        "Exact solution reproduces harmonic boundary data: max error",
        "n/a (analytic cross-check)",
        harmonic_error,
        "<=",
        1e-12,
        kind="code",
    ),
]
if not info.fast:
    claims.insert(
        1,
        utils.Claim(
            "FNO-on-interpolated-grid test error / Geo-FNO (given mesh) test error",
            "about 2 (abstract)",
            ratio_given,
            ">=",
            1.5,
            kind="paper",
        ),
    )
    claims.append(
        utils.Claim(
            "Geo-FNO with learned deformation: test error / identity-map test error",
            "learned maps help on the elasticity point cloud (section 4)",
            results["Geo-FNO, learned map"].mean() / results["Geo-FNO, identity map"].mean(),
            "<=",
            1.5,
            kind="instead",
        )
    )
    claims.append(
        utils.Claim(
            "Learned deformation: mean node displacement from the identity map, latent grid cells",
            "n/a (checks that training moved the map)",
            displacement_cells,
            ">=",
            0.5,
            kind="code",
        )
    )
utils.check_claims(
    "08",
    claims,
    headline="Geo-FNO is about twice as accurate as an FNO on data interpolated to a regular grid",
    verdict="partly reproduced",
)

# %% [markdown]
# ## Explore
#
# The claim turns on geometry: how much a domain departs from the disc decides how much the
# interpolation to a Cartesian grid costs and how much work the deformation does. The explorer takes
# a new domain $F(w) = w + a w^2 + b w^3$ with $a = t/4 \cdot e^{0.5i}$ and $b = t/6 \cdot e^{2i}$
# (so $2|a| + 3|b| = t$), solves it exactly, and shows the absolute error of the trained Geo-FNO
# (given mesh) or of the FNO on the interpolated grid. The training domains have $t \le 0.9$; the
# last value, $t = 0.97$, lies just outside. Colours are clipped at an error of 0.05.


# %%
def predict_domain(strength: float) -> tuple[np.ndarray, np.ndarray, dict]:
    """Nodes, exact solution and both models' predictions on the explorer domain."""
    c = np.array([[strength / 4 * np.exp(0.5j), strength / 6 * np.exp(2j)]])
    nodes = conformal_map(w_ref, c)[0]
    exact = laplace_dirichlet(w_ref, c)[0]
    x = torch.tensor(np.stack([nodes.real, nodes.imag], -1), dtype=torch.float32)[None]
    _, inside = mesh_to_grid(nodes, None)
    grid_in = torch.tensor(np.stack([inside, grid_x, grid_y])[None], dtype=torch.float32)
    with torch.no_grad():
        predictions = {
            "Geo-FNO (given mesh)": geo_model(x, basis_given)[0].numpy(),
            "FNO (interpolated grid)": grid_to_mesh(grid_model(grid_in)[0].numpy(), nodes),
        }
    return nodes, exact, predictions


explorer_cases = {t: predict_domain(t) for t in (0.0, 0.45, 0.9, 0.97)}


def plot_domain_error(strength: float = 0.45, model: str = "Geo-FNO (given mesh)") -> plt.Figure:
    """Exact solution and the chosen model's absolute error on the explorer domain of strength t."""
    nodes, exact, predictions = explorer_cases[strength]
    error = np.abs(predictions[model] - exact)
    tri = mtri.Triangulation(nodes.real, nodes.imag, triangles)
    fig, axes = plt.subplots(1, 2, figsize=(6.8, 3.1), layout="constrained", sharey=True)
    shading = axes[0].tricontourf(tri, exact, levels=solution_levels, cmap="viridis", extend="both")
    fig.colorbar(shading, ax=axes[0], shrink=0.85)
    axes[0].set(
        title=f"exact u, t = {strength}",
        aspect="equal",
        xlabel="$x$",
        ylabel="$y$",
        xlim=(-1.5, 1.5),
        ylim=(-1.5, 1.5),
    )
    error_levels = np.linspace(0, 0.05, 11)
    shading = axes[1].tricontourf(tri, np.minimum(error, 0.05), levels=error_levels, cmap="magma")
    fig.colorbar(shading, ax=axes[1], shrink=0.85)
    rel = np.linalg.norm(predictions[model] - exact) / np.linalg.norm(exact)
    axes[1].set(
        title=f"|error|, {model.split(' (')[0]}: rel. {rel:.3f}",
        aspect="equal",
        xlabel="$x$",
        xlim=(-1.5, 1.5),
    )
    return fig


plot_domain_error()
plt.show()

# %%
utils.explore(
    plot_domain_error,
    strength=list(explorer_cases),
    model=["Geo-FNO (given mesh)", "FNO (interpolated grid)"],
)

# %% [markdown]
# Move the strength from the disc ($t = 0$) to the strongest shapes and compare the two models at
# each. The relative errors are in the panel titles. At $t = 0.97$, just outside the training range,
# look at the dent where the boundary nearly folds back on itself: there the grid cells straddle two
# parts of the boundary at once, and the grid FNO's error is largest. An operator learned from data
# is only trustworthy on the family it was trained on, and near its edge the interpolation costs most.

# ## Exercises
#
# ```{exercise}
# :label: ch08-ex1
#
# The Fourier–Poisson series {eq}`eq-poisson-series` gives a quick consequence: the value of the
# solution at the point $F(0)$. For the domain with $a = 0.2$, $b = -0.1i$ and the chapter's boundary
# data $g$, compute $u(F(0))$ from 2000 equally spaced samples of the boundary data *without* calling
# `laplace_dirichlet`, and store it as a float in `value_at_centre`. Which classical property of
# harmonic functions have you used, and why does it hold at $F(0)$ rather than at the centroid of $D$?
# ```
#
# ```{solution-start} ch08-ex1
# :class: dropdown
# ```

# %% tags=["solution"]
### BEGIN SOLUTION
angles = 2 * np.pi * np.arange(2000) / 2000
edge = conformal_map(np.exp(1j * angles), np.array([[0.2, -0.1j]]))[0]
value_at_centre = float(boundary_data(edge.real, edge.imag).mean())
### END SOLUTION
print(f"u(F(0)) = {value_at_centre:.6f}")

# %% [markdown]
# At $r = 0$ only the $k = 0$ term of {eq}`eq-poisson-series` survives, so $u(F(0)) = \hat h_0$, the
# mean of $g(F(e^{i\theta}))$ over $\theta$: the mean-value property of the harmonic function
# $u \circ F$ on the disc. It is a mean over the *parameter* $\theta$, not over arc length on
# $\partial D$, which is why it holds at $F(0)$ and not at the centroid of $D$.
#
# ```{solution-end}
# ```

# %% tags=["check", "remove-input"]
utils.check_that(
    "ch08-ex1",
    lambda: isinstance(value_at_centre, float) and math.isfinite(value_at_centre),
    "value_at_centre is a finite float",
)
### BEGIN HIDDEN TESTS
utils.check_value(
    "ch08-ex1",
    value_at_centre,
    laplace_dirichlet(np.array([0j]), np.array([[0.2, -0.1j]]))[0, 0],
    rtol=1e-9,
    atol=1e-12,
)
### END HIDDEN TESTS

# %% [markdown]
# ```{exercise}
# :label: ch08-ex2
#
# The plain sum {eq}`eq-nudft-forward` weights every point equally, so where points cluster the
# sum over-counts. Write `weighted_nudft(values, xi, weights, m)` that returns
# $\sum_j q_j v_j e^{-2\pi i\langle k, \xi_j \rangle}$ for quadrature weights $q_j$ summing to one,
# as a complex array of shape `(2 * m, m)` in the chapter's mode order (reuse `nudft_basis`).
# Then show the bias: for $v(\xi) = \cos 2\pi \xi_1$ on 2000 points drawn on $[0, 1]^2$ with density
# $\rho(\xi) = \tfrac12 + \xi_1$ (that is, $\xi_1 = -\tfrac12 + \sqrt{1/4 + 2U}$ with $U$ uniform),
# compare the $k = (1, 0)$ coefficient of the plain sum and of the sum with weights
# $q_j \propto 1 / \rho(\xi_j)$ with the exact value $1/2$.
# ```
#
# ```{solution-start} ch08-ex2
# :class: dropdown
# ```


# %% tags=["solution"]
def weighted_nudft(values, xi, weights, m):
    """Sum_j q_j v_j exp(-2 pi i <k, xi_j>) on the kept modes, as a (2m, m) complex array."""
    ### BEGIN SOLUTION
    cos, sin = nudft_basis(torch.as_tensor(xi, dtype=torch.float64), m)
    q_v = torch.as_tensor(np.asarray(weights) * np.asarray(values), dtype=torch.float64)
    return torch.complex(q_v @ cos, -(q_v @ sin)).unflatten(-1, (2 * m, m)).numpy()
    ### END SOLUTION


exercise_rng = np.random.default_rng(0)
xi_clustered = np.stack(
    [np.sqrt(0.25 + 2 * exercise_rng.random(2000)) - 0.5, exercise_rng.random(2000)], 1
)
v_clustered = np.cos(2 * np.pi * xi_clustered[:, 0])
plain = weighted_nudft(v_clustered, xi_clustered, np.full(2000, 1 / 2000), 4)[1, 0]
q = 1 / (0.5 + xi_clustered[:, 0])
weighted = weighted_nudft(v_clustered, xi_clustered, q / q.sum(), 4)[1, 0]
print(
    f"k = (1, 0): plain sum {plain.real:+.3f}{plain.imag:+.3f}i, "
    f"weighted {weighted.real:+.3f}{weighted.imag:+.3f}i, "
    f"exact +0.500"
)

# %% [markdown]
# The plain sum estimates $\int v\, e^{-2\pi i \xi_1} \rho\, d\xi$, not the coefficient itself. With
# $\rho = \tfrac12 + \xi_1$ that integral is $\tfrac12 + i/(8\pi) \approx 0.5 + 0.04i$: the imaginary
# part is pure bias, 8 % of the coefficient, and the printed plain sum shows it. With weights
# $q_j \propto 1/\rho(\xi_j)$ the sum is an unbiased Monte Carlo estimate of the coefficient and
# lands near $0.5$, up to sampling noise of order $1/\sqrt{2000}$. In Geo-FNO the spectral weights that follow
# {eq}`eq-nudft-forward` are learned, so a fixed density can be absorbed; a density that changes from
# sample to sample (a learned map, or meshes refined differently) cannot, which is one reason to add
# quadrature weights such as cell areas.
#
# ```{solution-end}
# ```

# %% tags=["check", "remove-input"]
warnings.filterwarnings("ignore", category=np.exceptions.ComplexWarning)  # complex answers below
exercise_check_rng = np.random.default_rng(5)
xi_check = exercise_check_rng.random((50, 2))
v_check = exercise_check_rng.standard_normal(50)
q_check = exercise_check_rng.random(50)
utils.check_that(
    "ch08-ex2",
    lambda: (
        np.asarray(weighted_nudft(v_check, xi_check, q_check / q_check.sum(), 3)).shape == (6, 3)
    ),
    "weighted_nudft returns a (2m, m) array",
)
utils.check_that(
    "ch08-ex2",
    lambda: (
        abs(
            np.asarray(weighted_nudft(v_check, xi_check, q_check / q_check.sum(), 3))[0, 0]
            - np.sum(q_check * v_check) / q_check.sum()
        )
        < 1e-9
    ),
    "the k = 0 coefficient is the weighted mean of the values",
)
### BEGIN HIDDEN TESTS
for m_case, seed_case in ((3, 1), (4, 2), (2, 3)):
    case_rng = np.random.default_rng(seed_case)
    xi_case, v_case, q_case = (
        case_rng.random((40, 2)),
        case_rng.standard_normal(40),
        case_rng.random(40),
    )
    k1_case = np.r_[np.arange(0, m_case), np.arange(-m_case, 0)]
    phase = xi_case[:, 0, None, None] * k1_case[:, None] + xi_case[:, 1, None, None] * np.arange(
        m_case
    )
    expected = np.einsum("n,nxy->xy", q_case * v_case, np.exp(-2j * np.pi * phase))
    got = np.asarray(weighted_nudft(v_case, xi_case, q_case, m_case))
    utils.check_array("ch08-ex2", got.real, expected.real, rtol=1e-8, atol=1e-10)
    utils.check_array("ch08-ex2", got.imag, expected.imag, rtol=1e-8, atol=1e-10)
### END HIDDEN TESTS

# %% [markdown]
# ```{exercise}
# :label: ch08-ex3
#
# (Open-ended.) A neural operator should not care how finely its input is sampled. Generate new
# test domains whose reference cloud has twice as many nodes (`reference_point_cloud(128, 896, ...)`),
# and evaluate the trained Geo-FNO (identity map) on them without retraining: the NUDFT layers accept
# any number of points. Does the error stay put? Then try a cloud that is twice as dense on one half
# of the disc only. Relate what you see to the plain-sum weights of exercise {ref}`ch08-ex2`, and
# say what the FNO on the interpolated grid would need to handle the same change.
# ```
#
# ```{solution-start} ch08-ex3
# :class: dropdown
# ```

# %% tags=["solution"]
### BEGIN SOLUTION
model_for_clouds = models["Geo-FNO, identity map"]
cloud_rng = np.random.default_rng(info.seed + 7)
dense_ref = reference_point_cloud(128, 896, cloud_rng)
half_ref = np.concatenate(
    [w_ref, dense_ref[128:][dense_ref[128:].real > 0]]
)  # extra nodes on the right half
for name, cloud in (
    ("same density", w_ref),
    ("twice as dense", dense_ref),
    ("dense on one half", half_ref),
):
    nodes = conformal_map(cloud, coeffs[test])
    exact = laplace_dirichlet(cloud, coeffs[test])
    x = torch.tensor(np.stack([nodes.real, nodes.imag], -1), dtype=torch.float32)
    with torch.no_grad():
        prediction = model_for_clouds(
            x, nudft_basis(0.5 + latent_radius * x / box_radius, n_modes)
        ).numpy()
    print(
        f"{name:18s} ({cloud.size:4d} nodes): "
        f"test error {relative_l2(prediction, exact).mean():.4f}"
    )
### END SOLUTION

# %% [markdown]
# A uniformly denser cloud keeps the point density's shape, so the plain sums change little and the
# error stays close to the original. A cloud that is denser on one half changes the density, the
# plain sum {eq}`eq-nudft-forward` now weights that half twice, and the error grows: the model has
# learned the original density into its spectral weights. Our conjecture, not tested here, is that
# quadrature weights (cell areas of the mesh) would remove most of the dependence, as they remove
# the bias in exercise {ref}`ch08-ex2`. The grid FNO would need the new cloud interpolated to its grid,
# which is independent of the density but pays the interpolation floor at any density.
#
# ```{solution-end}
# ```

# %% [markdown]
# ## Takeaways and limits
#
# - Geo-FNO needs only two new pieces: a non-uniform Fourier transform from the points to the modes,
#   and one from the modes back to any query points. Written as dense sums they are a few lines, and
#   ours agree with `finufft` to round-off.
# - On Laplace's equation over 500 conformal images of the disc, the Geo-FNO that reads the point
#   cloud directly beats an FNO on interpolated data at equal cost by the factors in the claim
#   table, against the paper's "about twice". The baseline is trained only where there are data
#   (inside the domain); part of its error is the interpolation floor (the round trip alone) and the
#   way back to the nodes; the rest we could not attribute.
# - What this chapter does not reproduce is the role of the deformation. The given mesh (the
#   conformal pre-image) is no better than the identity map (worse in the stored run, much worse
#   with fast mode's short training), and a learned deformation ends up next to the identity. The
#   gain here comes from the non-uniform transform layers, not from the choice of $\phi$; our
#   domains are mild deformations of one disc, where the
#   physical coordinates are already a good latent space. The paper's learned maps matter on the
#   elasticity point cloud, with voids of random shape, which laptop scale does not reach.
# - The test problem is easy: the domains have four real shape numbers, and a cubic least-squares
#   fit in them beats every network here by roughly an order of magnitude (printed above; a row
#   of the claim table). The Geo-FNO against the interpolated FNO is a fair comparison of two
#   architectures on this family, not evidence that a neural operator is the right tool for it. A
#   harder family (many shape parameters, boundary data that change with the sample, non-linear
#   PDEs) would test more.
# - Not shown: the $10^5$ speed-up over numerical solvers (our exact solver is faster than any
#   network), the paper's airfoil, pipe and plasticity problems, and inverse design through the
#   differentiable model.
#
# Where the idea went next: the Factorized FNO improves on Geo-FNO on the paper's own benchmarks
# {cite}`tran2023ffno`; GINO combines graph and Fourier operators on 3-D point clouds
# {cite}`li2023gino`; Jiang et al. used non-uniform Fourier transforms to feed irregular geometric
# signals to CNNs {cite}`jiang2019ddsl`; Hu et al. learn mesh movers without mesh data
# {cite}`hu2024meshmover`. The reading lists also point to *Principled Approaches for Extending Neural
# Architectures to Function Spaces for Operator Learning* and to DeepONet {cite}`lu2021deeponet`.
#
# ## References and further reading
#
# ```{bibliography}
# :filter: docname in docnames
# ```
