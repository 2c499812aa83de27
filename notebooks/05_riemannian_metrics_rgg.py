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
# # 05 · Riemannian metrics from random geometric graphs
#
# **Paper.** Han Huang, Pakawut Jiradilok, Elchanan Mossel. *Reconstructing Riemannian Metrics
# From Random Geometric Graphs.* arXiv preprint, 2025.
# [arXiv:2511.05434](https://arxiv.org/abs/2511.05434) {cite}`huang2025riemannian`.
#
# **Summary.** Scatter $n$ points on an unknown manifold and join two of them when they lie within
# distance $r$; keep only the graph, throw the points away. The paper shows that the manifold's
# distances can be recovered from the graph alone, at a rate it states in terms of $n$ and the
# dimension $d$.
#
# **What the seminar notes claim.** According to the notes, the reconstruction converges at the rate
# $n^{-1/(d+2)}$ and needs nothing but the adjacency matrix through $AA^\top$, that is, through
# counts of common neighbours; storing the points' neighbour lists is enough to recover the
# manifold's geometry, and the method tolerates missing edges. The notes cite a three-dimensional
# example with a million points and an error of 0.06, and leave open whether the idea is practical,
# for graph networks or PDE solvers. They see its value in metric learning: distances that respect
# the data, and interpolation paths that stay on the data manifold instead of cutting through the
# ambient space.
#
# **What is reconstructed here.** The paper's text was not available to this chapter. The
# estimator below (common-neighbour counts turned into local distances through the area of the
# overlap of two discs, then shortest paths) follows the notes and standard random-geometric-graph
# theory; it is *not* confirmed to be the paper's algorithm, and the paper's proofs, constants and
# examples are not reproduced. The authors' earlier paper on the same question
# {cite}`huang2024reconstructing` is cited for context, not as the source of any step here.
#
# **Run time:** about 10 s in fast mode and about 40 s in full mode on a 2-core CPU
# (measured values are in the {doc}`scoreboard <../book/scoreboard>`).

# %% [markdown]
# ## Learning objectives
#
# After this chapter you can:
#
# 1. build a random geometric graph on a sphere and on a torus with sparse matrices, and compute
#    its common-neighbour counts $AA^\top$;
# 2. derive why the normalised number of common neighbours of two vertices is a function of their
#    distance, and invert that function to estimate local distances;
# 3. turn local distances into geodesic distances with shortest paths, check them against the
#    analytic great-circle distance, and compare with the hop-count (Isomap-style) baseline;
# 4. correct the estimator for randomly deleted edges, and estimate the deletion rate from the
#    graph;
# 5. measure a convergence rate honestly: fitted and pairwise slopes, and the bias that stops a
#    shortest-path estimate from following the local rate.

# %%
import math
from functools import cache

import matplotlib.pyplot as plt
import numpy as np
import scipy.integrate
import scipy.sparse as sp
from scipy.sparse.csgraph import shortest_path
from scipy.spatial import cKDTree

import utils

info = utils.setup()
rng = np.random.default_rng(info.seed)

# %% [markdown]
# ## Background and theory
#
# ### Random geometric graphs
#
# Let $M$ be a compact $d$-dimensional Riemannian manifold with geodesic distance $d_M$, and let
# $x_1, \dots, x_n$ be independent points drawn from a density $\rho$ on $M$. The *random geometric
# graph* with radius $r$ joins $i \neq j$ when the points are close {cite}`penrose2003random`:
#
# ```{math}
# :label: eq-rgg
# A_{ij} = \mathbf{1}\{ d_M(x_i, x_j) \le r \}, \qquad D_i = \sum_j A_{ij}.
# ```
#
# We observe $A$ only. The task is to estimate $d_M(x_i, x_j)$ for all pairs.
#
# ### Common neighbours measure an overlap area
#
# The $(i, j)$ entry of $AA^\top$ counts the common neighbours $C_{ij}$ of $i$ and $j$: the points
# that fall in both balls $B(x_i, r)$ and $B(x_j, r)$. Given $x_i$ and $x_j$, each of the other
# $n - 2$ points does so independently, so
#
# ```{math}
# :label: eq-common
# \mathbb{E}[C_{ij} \mid x_i, x_j] = (n-2) \int_{B(x_i, r) \cap B(x_j, r)} \rho \, dV,
# \qquad
# \mathbb{E}[D_i \mid x_i] = (n-1) \int_{B(x_i, r)} \rho \, dV .
# ```
#
# When $r$ is small, the manifold is nearly flat and $\rho$ nearly constant on these balls, so the
# ratio of the two integrals is the fraction of a ball of radius $r$ covered by its overlap with a
# second ball at distance $\delta = d_M(x_i, x_j)$. Normalising by the geometric mean of the
# degrees removes the unknown $n$ and $\rho$:
#
# ```{math}
# :label: eq-ratio
# R_{ij} = \frac{C_{ij}}{\sqrt{D_i D_j}} \approx F_d(\delta / r), \qquad
# F_2(u) = \frac{2}{\pi}\left( \arccos\frac{u}{2} - \frac{u}{2}\sqrt{1 - \frac{u^2}{4}} \right),
# \quad 0 \le u \le 2 .
# ```
#
# $F_2$ is the area of the lens between two unit discs at distance $u$, divided by $\pi$. It falls
# from $F_2(0) = 1$ to $F_2(2) = 0$, so it can be inverted. The *common-neighbour estimate* of a
# local distance is
#
# ```{math}
# :label: eq-local
# \hat\delta_{ij} = r \, F_d^{-1}(R_{ij}).
# ```
#
# This assumes $r$ is known: it is the rule by which the graph was made. The corrections to
# {eq}`eq-ratio` are of relative order $r$ (density gradients across a ball) and $r^2$
# (curvature).
#
# ### From local distances to geodesics
#
# A geodesic is a chain of short steps. Give each edge of the graph the length
# $\hat\delta_{ij}$ and take shortest paths:
#
# ```{math}
# :label: eq-geodesic
# \hat d(x_i, x_k) = \min_{\text{paths } i = v_0, v_1, \dots, v_m = k}
# \ \sum_{l=1}^{m} \hat\delta_{v_{l-1} v_l} .
# ```
#
# The baseline that needs no common neighbours counts hops: $h_{ik}$, the fewest edges between
# $i$ and $k$, times $r$. This is Isomap's graph distance on an $r$-neighbourhood graph without the
# coordinates {cite}`tenenbaum2000global,bernstein2000graph`. Since every edge is at most $r$
# long, $r h_{ik} \ge d_M(x_i, x_k)$. The overshoot is not bounded by one edge: each hop of a
# fewest-hop path gains less than $r$, so the overshoot grows in proportion to the distance, by the
# factor $r / (\text{mean gain per hop}) - 1$ (measured below). Dani, Díaz, Hayes and Moore combine
# graph distances with common-neighbour counts for short range, on the square and on the sphere,
# and study deleted edges too {cite}`dani2022reconstruction`: the estimator below belongs to that
# family.
#
# ### Missing edges
#
# Suppose each edge is deleted independently with probability $q$. A common neighbour survives when
# both its edges survive, and a degree loses a fraction $q$ of its edges, so
#
# ```{math}
# :label: eq-deletion
# \mathbb{E}[C'_{ij}] = (1-q)^2\, \mathbb{E}[C_{ij}], \qquad
# \mathbb{E}[D'_i] = (1-q)\, \mathbb{E}[D_i], \qquad
# R'_{ij} \approx (1-q)\, F_d(\delta/r).
# ```
#
# Dividing $R'_{ij}$ by $1 - q$ restores {eq}`eq-ratio`. Without the correction, every distance
# comes out too long.
#
# ### Where a rate $n^{-1/(d+2)}$ can come from (a heuristic, not the paper's proof)
#
# $C_{ij}$ is a count with mean about $D F_d$, so $R_{ij}$ has a relative error of order
# $D^{-1/2} \sim (n r^d)^{-1/2}$, and $\hat\delta_{ij} / r$ inherits it. The other errors
# ({eq}`eq-ratio`'s corrections, the zigzag of a graph path) shrink with $r$. Taking
# $r \propto n^{-1/(d+2)}$ makes $(n r^d)^{-1/2} \propto n^{-1/(d+2)}$ and $r$ of the same order.
# So a graph with $r \propto n^{-1/(d+2)}$ has local errors of order $n^{-1/(d+2)}$ of its own
# edge length. We use such graphs, $r = 2 n^{-1/4}$ on the unit sphere ($d = 2$). With this choice
# the exponent $-1/4$ of the local error is fixed by construction (the mean degree is $\sqrt n$);
# what we can check is that the local error reaches the counting-noise level and has no bias
# floor. Whether the *metric* converges at $n^{-1/(d+2)}$ has to be tested on geodesic distances.
# That this heuristic is the origin of the notes' rate is our conjecture.

# %% [markdown]
# ## Implementation from scratch
#
# First the data. Uniform points on the unit sphere $S^2$ are normalised Gaussian vectors; the
# geodesic distance is the great-circle angle. The second manifold is the flat torus
# $[0, 1)^2$ with opposite sides glued, sampled from the non-uniform density
# $\rho(x, y) \propto 1 + 0.6 \cos 2\pi x$ by rejection; its geodesic distance is the Euclidean
# distance to the nearest periodic copy.


# %%
def sample_sphere(n: int, rng: np.random.Generator) -> np.ndarray:
    """n uniform points on the unit sphere in R^3, shape (n, 3)."""
    x = rng.standard_normal((n, 3))
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def great_circle(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Geodesic distances on the unit sphere between rows of x (m, 3) and y (k, 3): (m, k)."""
    return np.arccos(np.clip(x @ y.T, -1.0, 1.0))


TORUS_AMPLITUDE = 0.6  # the density on the torus is proportional to 1 + 0.6 cos(2 pi x)


def sample_torus(n: int, rng: np.random.Generator) -> np.ndarray:
    """n points on the flat unit torus with density proportional to 1 + 0.6 cos(2 pi x)."""
    kept = []
    while sum(len(k) for k in kept) < n:
        p = rng.random((2 * n, 2))
        accept = rng.random(2 * n) * (1 + TORUS_AMPLITUDE) < 1 + TORUS_AMPLITUDE * np.cos(
            2 * np.pi * p[:, 0]
        )
        kept.append(p[accept])
    return np.concatenate(kept)[:n]


def torus_distance(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Geodesic distances on the flat unit torus between rows of x (m, 2) and y (k, 2): (m, k)."""
    gap = np.abs(x[:, None, :] - y[None, :, :])
    gap = np.minimum(gap, 1.0 - gap)
    return np.sqrt((gap**2).sum(axis=-1))


# %% [markdown]
# The graph {eq}`eq-rgg` is built with a k-d tree, which finds all pairs within a radius without
# forming the $n \times n$ distance matrix. On the sphere a geodesic radius $r$ is a chord length
# $2 \sin(r/2)$; on the torus the tree's `boxsize` option handles the periodic gluing. Deleting
# edges is one coin flip per pair. $A$ is a symmetric sparse matrix with zero diagonal.


# %%
def random_geometric_graph(
    x: np.ndarray, radius: float, delete: float, rng: np.random.Generator, manifold: str
) -> sp.csr_matrix:
    """Adjacency matrix (n, n) of eq. (1), each edge then deleted with probability `delete`."""
    if manifold == "sphere":
        pairs = cKDTree(x).query_pairs(2 * np.sin(radius / 2), output_type="ndarray")
    elif manifold == "torus":
        pairs = cKDTree(x, boxsize=1.0).query_pairs(radius, output_type="ndarray")
    else:
        raise ValueError(f"manifold must be 'sphere' or 'torus', got {manifold!r}")
    pairs = pairs[rng.random(len(pairs)) >= delete]  # (m, 2), i < j
    n = len(x)
    upper = sp.coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(n, n))
    return (upper + upper.T).tocsr()


# %% [markdown]
# Next the lens function $F_2$ of {eq}`eq-ratio` and its inverse. $F_2$ is monotone, so a fine
# table and linear interpolation invert it.


# %%
def lens_fraction(u):
    """F_2(u) of eq. (3): overlap area of two unit discs at distance u, divided by pi."""
    u = np.clip(np.asarray(u, dtype=float), 0.0, 2.0)
    return (2 / np.pi) * (np.arccos(u / 2) - (u / 2) * np.sqrt(1 - u**2 / 4))


_U_TABLE = np.linspace(0.0, 2.0, 4001)
_F_TABLE = lens_fraction(_U_TABLE)  # decreasing from 1 to 0


def inverse_lens_fraction(f):
    """u with F_2(u) = f, for f clipped to [0, 1]."""
    f = np.clip(np.asarray(f, dtype=float), 0.0, 1.0)
    return np.interp(f, _F_TABLE[::-1], _U_TABLE[::-1])


# %% [markdown]
# The estimator itself. For every edge $(i, j)$ of the observed graph, read $C_{ij}$ from the
# sparse product $AA^\top$ ($A$ is symmetric, so this is `A @ A`), form $R_{ij}$, divide by
# $1 - q$ if edges were deleted {eq}`eq-deletion`, and invert {eq}`eq-local`.
#
# One design choice is ours, made in the prototype before the experiments below: shortest paths
# use only the edges whose estimated length is at least $r/2$. Where a ratio comes out at 1 or
# above (noise, or an over-corrected deletion), the inverse returns length 0, and a chain of such
# edges is a free shortcut. The deletion experiment below measures what the cutoff does: a great
# deal when edges are missing, little (and not always for the better) when none are.
# {ref}`ch05-ex3` asks for more.

# %%
MIN_EDGE = 0.5  # shortest paths use edges with estimated length >= MIN_EDGE * r


def local_distances(A: sp.csr_matrix, radius: float, delete: float = 0.0):
    """Edges (i, j), i < j, of A and their common-neighbour lengths r F^-1(R / (1 - q)), eq. (4)."""
    degree = np.asarray(A.sum(axis=1)).ravel()  # (n,)
    edges = sp.triu(A, k=1).tocoo()
    i, j = edges.row, edges.col  # (m,), (m,)
    common = np.asarray((A @ A)[i, j]).ravel()  # C_ij, the entries of A A^T on the edges
    ratio = common / np.sqrt(degree[i] * degree[j]) / (1.0 - delete)
    return i, j, radius * inverse_lens_fraction(ratio)


def weighted_graph(n: int, i, j, lengths, keep) -> sp.csr_matrix:
    """Symmetric sparse matrix with the given lengths on the kept edges."""
    upper = sp.coo_matrix((lengths[keep], (i[keep], j[keep])), shape=(n, n))
    return (upper + upper.T).tocsr()


def common_neighbour_geodesics(A, radius, sources, delete=0.0, min_edge=MIN_EDGE):
    """Eq. (5): shortest paths from `sources` on the graph weighted by eq. (4): (s, n)."""
    i, j, lengths = local_distances(A, radius, delete)
    graph = weighted_graph(A.shape[0], i, j, lengths, lengths >= min_edge * radius)
    return shortest_path(graph, method="D", directed=False, indices=sources)


def hop_geodesics(A, radius, sources):
    """Hop-count baseline: r times the fewest edges from each source, shape (s, n)."""
    return radius * shortest_path(A, method="D", directed=False, unweighted=True, indices=sources)


# %% [markdown]
# Two small helpers measure errors: the mean absolute error of estimated against true geodesic
# distances over all pairs (source, vertex) with the vertex reachable, and the local error of
# {eq}`eq-local` in units of $r$ over the graph's edges.


# %%
def mean_abs_error(estimate: np.ndarray, truth: np.ndarray) -> float:
    """Mean |estimate - truth| over finite entries with truth > 0 (the source itself excluded)."""
    ok = np.isfinite(estimate) & (truth > 0)
    return float(np.mean(np.abs(estimate[ok] - truth[ok])))


def local_error(A, x, radius, distance, delete=0.0) -> float:
    """Mean |delta_hat - delta| / r over the edges of A, with eq. (4) corrected for `delete`."""
    i, j, lengths = local_distances(A, radius, delete)
    true_lengths = np.array([distance(x[a : a + 1], x[b : b + 1])[0, 0] for a, b in zip(i, j)])
    return float(np.mean(np.abs(lengths - true_lengths)) / radius)


# %% [markdown]
# `local_error` computes each true length with a one-row call, which is slow for many edges. A
# vectorised version for the two manifolds is used below; the loop above is the definition.


# %%
def edge_lengths(x, i, j, manifold):
    """True geodesic lengths of the edges (i, j) on the sphere or the torus, shape (m,)."""
    if manifold == "sphere":
        return np.arccos(np.clip((x[i] * x[j]).sum(axis=1), -1.0, 1.0))
    gap = np.abs(x[i] - x[j])
    gap = np.minimum(gap, 1.0 - gap)
    return np.sqrt((gap**2).sum(axis=1))


def fast_local_error(A, x, radius, manifold, delete=0.0) -> float:
    """Same as local_error, vectorised for the sphere and the torus."""
    i, j, lengths = local_distances(A, radius, delete)
    return float(np.mean(np.abs(lengths - edge_lengths(x, i, j, manifold))) / radius)


def sphere_radius(n: int) -> float:
    """Connection radius r = 2 n^(-1/4) on the unit sphere (d = 2: r is of order n^(-1/(d+2)))."""
    return 2.0 * n**-0.25


# %% [markdown]
# ## Cross-check
#
# Three independent checks, each against something the estimator does not use.
#
# 1. **The lens formula.** $F_2(u)$ is compared with a Monte Carlo estimate of the overlap of two
#    unit discs.
# 2. **The sparse counts.** On a small graph, `A @ A` is compared with common neighbours counted by
#    brute force from the coordinates.
# 3. **The shortest paths.** Given the *true* lengths on its edges, the graph's shortest paths
#    should approach the analytic great-circle distance; the gap is the discretisation error of a
#    path made of steps of length at most $r$.

# %%
mc_points = rng.uniform(-1, 1, size=(200_000, 2))  # uniform in the square around the unit disc
in_disc = (mc_points**2).sum(axis=1) <= 1
u_check = np.linspace(0.0, 2.0, 9)
lens_mc = np.array(
    [np.mean(((mc_points[in_disc] - [u, 0.0]) ** 2).sum(axis=1) <= 1) for u in u_check]
)
lens_gap = float(np.max(np.abs(lens_mc - lens_fraction(u_check))))

x_small = sample_sphere(300, rng)
r_small = 0.4
A_small = random_geometric_graph(x_small, r_small, 0.0, rng, "sphere")
near = great_circle(x_small, x_small) <= r_small
np.fill_diagonal(near, False)
count_brute = near.astype(int) @ near.astype(int)
count_gap = int(np.abs((A_small @ A_small).toarray() - count_brute).max())
adjacency_gap = int(np.abs(A_small.toarray() - near).max())

n_check = utils.pick(2000, 4000)
x_check = sample_sphere(n_check, rng)
r_check = sphere_radius(n_check)
A_check = random_geometric_graph(x_check, r_check, 0.0, rng, "sphere")
edges_check = sp.triu(A_check, k=1).tocoo()
true_graph = weighted_graph(
    n_check,
    edges_check.row,
    edges_check.col,
    edge_lengths(x_check, edges_check.row, edges_check.col, "sphere"),
    np.ones(edges_check.nnz, dtype=bool),
)
check_sources = rng.choice(n_check, 20, replace=False)
path_true = shortest_path(true_graph, method="D", directed=False, indices=check_sources)
truth_check = great_circle(x_check[check_sources], x_check)
far = truth_check > 0.5
path_relative_gap = float(np.mean(path_true[far] / truth_check[far] - 1))

print(f"lens formula vs Monte Carlo: max |difference| = {lens_gap:.4f} over {len(u_check)} u")
print(f"A @ A vs brute-force common neighbours: max difference {count_gap} "
      f"(adjacency: {adjacency_gap}); mean degree {A_small.sum() / 300:.1f}")
print(f"shortest paths with true edge lengths vs great circle (n = {n_check}, r = {r_check:.3f}):"
      f" mean relative excess {path_relative_gap:.4f}")
assert lens_gap < 0.01
assert count_gap == 0 and adjacency_gap == 0
assert 0 <= path_relative_gap < 0.03

# %% [markdown]
# The lens formula agrees with Monte Carlo to within its sampling error, the sparse product counts
# exactly the common neighbours, and shortest paths through the graph with the true edge lengths
# overshoot the great circle by the small relative amount printed above. That excess is positive,
# as it must be: a path of straight steps between sample points is never shorter than the
# geodesic. So the graph machinery is right, and any larger error below comes from the estimated
# edge lengths.
#
# ## Experiment
#
# ### Look at the data
#
# The figure shows one sample of each dataset. The sphere is drawn in equal-area coordinates
# (longitude, height $z$), where a uniform sample looks uniform; the neighbours of one vertex form
# a disc around it (drawn as an upright ellipse, because the two axes have different scales). On the
# torus the points crowd around $x = 0$ (equivalently $x = 1$) and thin
# out at $x = 1/2$, as the density $1 + 0.6\cos 2\pi x$ says.

# %%
n_show = 4000
x_sphere_show = sample_sphere(n_show, rng)
A_sphere_show = random_geometric_graph(x_sphere_show, sphere_radius(n_show), 0.0, rng, "sphere")
x_torus_show = sample_torus(n_show, rng)

# %% tags=["hide-input"]
fig, axes = plt.subplots(1, 2, figsize=(6.8, 3.2))
longitude = np.arctan2(x_sphere_show[:, 1], x_sphere_show[:, 0])
axes[0].scatter(longitude, x_sphere_show[:, 2], s=1, color="0.6")
centre = int(np.argmin(np.abs(longitude) + np.abs(x_sphere_show[:, 2])))
nbrs = A_sphere_show[centre].indices
axes[0].scatter(longitude[nbrs], x_sphere_show[nbrs, 2], s=4, color="C1", label="neighbours")
axes[0].scatter(longitude[centre], x_sphere_show[centre, 2], s=20, color="C3", label="vertex")
axes[0].set_xlabel("longitude (rad)")
axes[0].set_ylabel("height $z$")
axes[0].set_title(f"Sphere, n = {n_show}, mean degree {A_sphere_show.sum() / n_show:.0f}")
axes[0].legend(loc="lower right", fontsize=7, frameon=True)
axes[1].scatter(x_torus_show[:, 0], x_torus_show[:, 1], s=1, color="0.4")
axes[1].set_xlabel("$x$")
axes[1].set_ylabel("$y$")
axes[1].set_aspect("equal")
axes[1].set_title("Flat torus, density $\\propto 1 + 0.6\\cos 2\\pi x$")
fig.tight_layout()
plt.show()

# %% [markdown]
# ### Does the ratio follow the lens function?
#
# Equation {eq}`eq-ratio` is the whole method, so we test it first. For every pair with common
# neighbours on the sphere sample we plot $R_{ij}$ against the true $\delta_{ij}/r$, binned, with
# the spread within each bin.

# %%
n_ratio = utils.pick(2000, 8000)
x_ratio = sample_sphere(n_ratio, rng)
r_ratio = sphere_radius(n_ratio)
A_ratio = random_geometric_graph(x_ratio, r_ratio, 0.0, rng, "sphere")
degree_ratio = np.asarray(A_ratio.sum(axis=1)).ravel()
pairs_ratio = sp.triu(A_ratio @ A_ratio, k=1).tocoo()  # all pairs with common neighbours
ratio_values = pairs_ratio.data / np.sqrt(
    degree_ratio[pairs_ratio.row] * degree_ratio[pairs_ratio.col]
)
u_values = edge_lengths(x_ratio, pairs_ratio.row, pairs_ratio.col, "sphere") / r_ratio
bins = np.linspace(0, 2, 21)
which = np.digitize(u_values, bins) - 1
bin_mean = np.array([ratio_values[which == b].mean() for b in range(20)])
bin_sd = np.array([ratio_values[which == b].std() for b in range(20)])
bin_mid = (bins[:-1] + bins[1:]) / 2
ratio_gap = float(np.max(np.abs(bin_mean - lens_fraction(bin_mid))))
print(f"n = {n_ratio}: largest gap between binned mean R and F_2 = {ratio_gap:.3f}; "
      f"spread (sd) of R at u = 1: {bin_sd[10]:.3f}")

# %% tags=["hide-input"]
fig, ax = plt.subplots(figsize=(5.5, 3.4))
ax.fill_between(bin_mid, bin_mean - bin_sd, bin_mean + bin_sd, alpha=0.3, label="±1 sd of $R$")
ax.plot(bin_mid, bin_mean, "o", ms=4, label="binned mean of $R_{ij}$")
ax.plot(_U_TABLE, _F_TABLE, "k-", lw=1, label="$F_2(u)$, eq. (3)")
ax.set_xlabel("true distance / r,  $u = \\delta_{ij}/r$")
ax.set_ylabel("$C_{ij} / \\sqrt{D_i D_j}$")
ax.set_title(f"Normalised common neighbours on the sphere (n = {n_ratio})")
ax.legend()
plt.show()

# %% [markdown]
# The binned means sit on $F_2$ (largest gap printed above), so on average the principle holds.
# The band is wide, though: a single pair's ratio scatters by the standard deviation printed above,
# which is what the inversion {eq}`eq-local` turns into noise on each $\hat\delta_{ij}$.
#
# ### Error against $n$, beside the hop-count baseline
#
# Now the main experiment. For each $n$ we draw a sphere sample, build the graph with
# $r = 2n^{-1/4}$, and compare four estimates of the geodesic distances from 20 random source
# vertices to all vertices:
#
# - **common neighbours**, eq. {eq}`eq-geodesic` with lengths {eq}`eq-local`;
# - **hop count × r**, the Isomap-style baseline (one shortest-path run; it needs no $AA^\top$, so
#   it is cheaper, and more computing would not improve it);
# - **hop count × oracle scale**: hop counts times the scale fitted by least squares *to the true
#   distances*, a baseline given an advantage the graph alone cannot provide;
# - **constant**: every distance predicted as the mean true distance, the trivial baseline.
#
# We also record the local error of {eq}`eq-local` on the edges, in units of $r$.

# %%
sizes = np.array(utils.pick([1000, 2000, 4000], [1000, 2000, 4000, 8000, 16000]))
n_sources = 20


def run_sphere(n: int, delete: float, rng: np.random.Generator, correct: bool = True) -> dict:
    """Errors of the estimators on one sphere sample of size n with deletion rate `delete`."""
    x = sample_sphere(n, rng)
    radius = sphere_radius(n)
    A = random_geometric_graph(x, radius, delete, rng, "sphere")
    sources = rng.choice(n, n_sources, replace=False)
    truth = great_circle(x[sources], x)  # (s, n)
    assumed = delete if correct else 0.0
    cn = common_neighbour_geodesics(A, radius, sources, assumed)
    cn_no_cutoff = common_neighbour_geodesics(A, radius, sources, assumed, min_edge=0.0)
    hops = hop_geodesics(A, radius, sources)
    ok = np.isfinite(hops) & (truth > 0)
    scale = np.sum(hops[ok] * truth[ok]) / np.sum(hops[ok] ** 2)
    overshoot = (hops[ok] - truth[ok]) / radius  # in edges of length r
    return {
        "local": fast_local_error(A, x, radius, "sphere", assumed),
        "cn": mean_abs_error(cn, truth),
        "cn_no_cutoff": mean_abs_error(cn_no_cutoff, truth),
        "signed": float(np.mean((cn - truth)[ok])),
        "hop": mean_abs_error(hops, truth),
        "hop_oracle": mean_abs_error(scale * hops, truth),
        "constant": mean_abs_error(np.full_like(truth, truth[ok].mean()), truth),
        "hop_overshoot": float(np.mean(overshoot)),
        "hop_overshoot_max": float(np.max(overshoot)),
        "degree": A.sum() / n,
        "reached": float(np.mean(np.isfinite(cn[truth > 0]))),
    }


sweep = [run_sphere(int(n), 0.0, rng) for n in sizes]
table = {key: np.array([row[key] for row in sweep]) for key in sweep[0]}
for n, row in zip(sizes, sweep):
    print(f"n = {n:5d}  degree {row['degree']:5.1f}  local error/r {row['local']:.4f}  "
          f"geodesic MAE: common nbrs {row['cn']:.4f} (signed {row['signed']:+.4f}), "
          f"hop x r {row['hop']:.4f}, hop x oracle {row['hop_oracle']:.4f}, "
          f"constant {row['constant']:.3f}")
print(f"hop x r overshoot in edges of length r: mean {table['hop_overshoot'].min():.2f} to "
      f"{table['hop_overshoot'].max():.2f}, largest {table['hop_overshoot_max'].max():.2f}; "
      f"common nbrs reached {table['reached'].min():.4f} of the vertices or more")


# %% [markdown]
# The log–log plot shows the local error (left) and the geodesic errors (right) against $n$, with a
# line of slope $-1/4 = -1/(d+2)$ for reference. Fitted slopes are in the legends; the pairwise
# slopes between consecutive sizes are printed below the figure.


# %%
def loglog_slope(n_values, errors) -> float:
    """Least-squares slope of log(error) against log(n)."""
    return float(np.polyfit(np.log(n_values), np.log(errors), 1)[0])


def pairwise_slopes(n_values, errors) -> np.ndarray:
    """Slopes of log(error) against log(n) between consecutive sizes."""
    return np.diff(np.log(errors)) / np.diff(np.log(n_values))


slope_local = loglog_slope(sizes, table["local"])
slope_hop = loglog_slope(sizes, table["hop"])

# %% tags=["hide-input"]
fig, axes = plt.subplots(1, 2, figsize=(6.8, 3.3))
reference = table["local"][0] * (sizes / sizes[0]) ** -0.25
axes[0].loglog(sizes, table["local"], "o-", label=f"measured (slope {slope_local:.2f})")
axes[0].loglog(sizes, reference, "k--", lw=1, label="slope −1/4")
axes[0].set_xlabel("number of points $n$")
axes[0].set_ylabel("mean $|\\hat\\delta - \\delta| / r$ on edges")
axes[0].set_title("Local distances")
axes[0].legend(fontsize=7)
for key, label in [
    ("cn", "common nbrs (not a power law)"),
    ("hop", f"hop × r (slope {slope_hop:.2f})"),
    ("hop_oracle", "hop × oracle scale"),
    ("constant", "constant"),
]:
    axes[1].loglog(sizes, table[key], "o-", ms=4, label=label)
axes[1].loglog(sizes, table["cn"][0] * (sizes / sizes[0]) ** -0.25, "k--", lw=1,
               label="slope −1/4")
axes[1].set_xlabel("number of points $n$")
axes[1].set_ylabel("geodesic MAE (rad)")
axes[1].set_title("Geodesic distances on the sphere")
axes[1].legend(fontsize=6)
fig.tight_layout()
plt.show()
print("pairwise slopes, local error:       ", np.round(pairwise_slopes(sizes, table["local"]), 2))
print("pairwise slopes, common-nbr geodesic:", np.round(pairwise_slopes(sizes, table["cn"]), 2))
print("pairwise slopes, hop x r geodesic:   ", np.round(pairwise_slopes(sizes, table["hop"]), 2))
counting_product = table["local"] * np.sqrt(table["degree"])
print("local error x sqrt(mean degree):     ", np.round(counting_product, 3))

# %% [markdown]
# Why does the geodesic error flatten? The signed errors in the table give a first hint: in the
# full run they are positive at small $n$ and negative at large $n$. To separate the causes, we
# follow the routes the estimator picks. For each pair (source, vertex) the estimated distance
# $\hat d$ is the sum of the estimated lengths along one route, so
#
# ```{math}
# :label: eq-split
# \hat d - d_M = \underbrace{(L_{\text{route}} - d_M)}_{\text{route excess} \,\ge\, 0}
# + \underbrace{\textstyle\sum_{\text{route}} (\hat\delta_e - \delta_e)}_{\text{route errors}},
# ```
#
# where $L_{\text{route}}$ is the route's true length. The errors on the route split again: what
# the same edges would carry on average (the mean error of all kept edges of similar true length:
# the *per-edge bias*), and the rest, which is what the minimum in {eq}`eq-geodesic` gains by
# choosing edges whose errors happen to be negative (the *selection bias*). As a yardstick, we also
# run the shortest paths on the same edges with their true lengths.


# %%
def route_lengths(x, pred, edge_error_by_bin, radius):
    """Follow shortest-path predecessors back to the source.

    Returns the true length of each route and the per-edge bias summed along it, both (s, n);
    NaN where a vertex is the source or unreachable. Edges are binned by true length / r (10 bins).
    """
    s_idx, v_idx = np.nonzero(pred >= 0)  # (pairs,) for every reached vertex but the source
    current = v_idx.copy()
    length = np.zeros(len(v_idx))
    expected_error = np.zeros(len(v_idx))
    active = np.arange(len(v_idx))
    while len(active):  # one step back along every unfinished route at a time
        previous = pred[s_idx[active], current[active]]
        step = edge_lengths(x, previous, current[active], "sphere")
        length[active] += step
        expected_error[active] += edge_error_by_bin[np.minimum((10 * step / radius).astype(int), 9)]
        current[active] = previous
        active = active[pred[s_idx[active], previous] >= 0]
    route = np.full(pred.shape, np.nan)
    route[s_idx, v_idx] = length
    bias = np.full(pred.shape, np.nan)
    bias[s_idx, v_idx] = expected_error
    return route, bias


def bias_split(n: int, rng: np.random.Generator) -> dict:
    """Mean signed geodesic error and its parts, eq. (7), on one sphere sample."""
    x = sample_sphere(n, rng)
    radius = sphere_radius(n)
    A = random_geometric_graph(x, radius, 0.0, rng, "sphere")
    i, j, lengths = local_distances(A, radius)
    true_lengths = edge_lengths(x, i, j, "sphere")
    keep = lengths >= MIN_EDGE * radius
    length_bin = np.minimum((10 * true_lengths[keep] / radius).astype(int), 9)
    error = (lengths - true_lengths)[keep]
    edge_error_by_bin = np.array([error[length_bin == b].mean() if np.any(length_bin == b) else 0.0
                                  for b in range(10)])
    sources = rng.choice(n, n_sources, replace=False)
    truth = great_circle(x[sources], x)
    true_paths = shortest_path(weighted_graph(n, i, j, true_lengths, keep), method="D",
                               directed=False, indices=sources)
    estimate, pred = shortest_path(weighted_graph(n, i, j, lengths, keep), method="D",
                                   directed=False, indices=sources, return_predecessors=True)
    route, per_edge = route_lengths(x, pred, edge_error_by_bin, radius)
    ok = np.isfinite(route)  # reached, and not the source itself
    return {
        "signed": float(np.mean(estimate[ok] - truth[ok])),
        "true lengths": float(np.mean(true_paths[ok] - truth[ok])),
        "route excess": float(np.mean(route[ok] - truth[ok])),
        "per-edge bias": float(np.mean(per_edge[ok])),
        "selection": float(np.mean(estimate[ok] - route[ok] - per_edge[ok])),
    }


split = {int(n): bias_split(int(n), rng) for n in sizes}
print("mean signed geodesic error (rad) = route excess + per-edge bias + selection bias;")
print("'true lengths' is the signed error of shortest paths on the same edges with true lengths")
for n, row in split.items():
    print(f"n = {n:5d}  " + ", ".join(f"{k} {v:+.4f}" for k, v in row.items()))

# %% [markdown]
# Three things show in the figure and the printed numbers.
#
# - **The local error tracks counting noise.** Its fitted and pairwise slopes stay near $-1/4$.
#   Read this with care: the exponent is set by our choice $r = 2n^{-1/4}$, which makes the mean
#   degree $D = n r^2/4 = \sqrt n$, and counting noise is of order $D^{-1/2} = n^{-1/4}$ (the
#   product of local error and $\sqrt D$ is printed below the figure, and stays nearly constant).
#   What the slope does show is that no bias floor appears up to the largest $n$; it is not a test
# of
#   the notes' rate, which concerns the metric itself. In absolute units the local error is
#   $r \cdot n^{-1/4} \propto n^{-1/2}$.
# - **The geodesic error falls, but not along a power law.** It drops steeply at first, then
#   flattens, and in the full run it rises again between the two largest $n$: read the pairwise
#   slopes, not the fitted one. The split {eq}`eq-split` shows why. The *per-edge bias* is positive
#   (the inverse of the convex function $F_2$ is convex, so noise lengthens the estimates on
#   average) and fades as the noise does. The *route excess* is positive too: the routes chosen on
#   noisy lengths wander, by far more than shortest paths on the true lengths, and this fades as
#   well. The *selection bias* is negative: among very many routes, the minimum in
#   {eq}`eq-geodesic` picks those whose errors happen to be negative. It does not fade: it grows
#   over the fast range and stays near the value printed for the largest $n$. In the full run
#   ($n$ up to 16 000) the sum changes sign in the middle of the range, where the error is
#   smallest, and beyond it the selection bias dominates; fast mode ($n \le 4000$) stays on the
#   positive side. So over this range the geodesic error of this estimator meets a floor of the
#   size of the selection bias instead of following a rate. The paper may use a more careful
#   estimator.
# - **Common neighbours beat hop counts.** Against hop count × $r$ the margin is wide at every
#   $n$. Hop count × $r$ overshoots in proportion to the distance (the overshoot, in edges of
#   length $r$, is printed below the sweep: on average nearly one edge, for some pairs over two).
#   Against hop counts with the oracle scale, the margin is a factor of about 2 at the largest $n$,
#   and at $n = 1000$ the oracle-scaled hop count is the better of the two. The constant predictor's
#   error shows the scale of the task.
#
# ### Missing edges
#
# Now delete each edge with probability $q$, at $n = 4000$, and compare the estimator corrected by
# {eq}`eq-deletion` (which is told $q$), the uncorrected one, the corrected one without the cutoff
# `MIN_EDGE`, and the hop counts, both × r and with the oracle scale.

# %%
n_delete = 4000
delete_rates = np.array(utils.pick([0.0, 0.3, 0.6], [0.0, 0.15, 0.3, 0.45, 0.6]))
corrected = []
uncorrected = []
for q in delete_rates:
    seed_q = int(rng.integers(2**31))
    corrected.append(run_sphere(n_delete, q, np.random.default_rng(seed_q), correct=True))
    uncorrected.append(run_sphere(n_delete, q, np.random.default_rng(seed_q), correct=False))
for q, c, u in zip(delete_rates, corrected, uncorrected):
    print(f"q = {q:.2f}: local error/r corrected {c['local']:.4f}, uncorrected {u['local']:.4f}; "
          f"geodesic MAE corrected {c['cn']:.4f} (signed {c['signed']:+.4f}; "
          f"no cutoff {c['cn_no_cutoff']:.4f}), uncorrected {u['cn']:.4f}, hop x r {c['hop']:.4f}, "
          f"hop x oracle {c['hop_oracle']:.4f}")

# %% tags=["hide-input"]
fig, axes = plt.subplots(1, 2, figsize=(6.8, 3.2))
axes[0].plot(delete_rates, [c["local"] for c in corrected], "o-", label="corrected, eq. (6)")
axes[0].plot(delete_rates, [u["local"] for u in uncorrected], "s--", label="uncorrected")
axes[0].set_xlabel("edge deletion rate $q$")
axes[0].set_ylabel("mean $|\\hat\\delta - \\delta| / r$")
axes[0].set_title("Local distances")
axes[0].legend(fontsize=7)
axes[1].plot(delete_rates, [c["cn"] for c in corrected], "o-", label="common nbrs, corrected")
axes[1].plot(delete_rates, [u["cn"] for u in uncorrected], "s--", label="uncorrected")
axes[1].plot(delete_rates, [c["hop"] for c in corrected], "^:", label="hop × r")
axes[1].plot(delete_rates, [c["hop_oracle"] for c in corrected], "v-.", label="hop × oracle scale")
axes[1].set_xlabel("edge deletion rate $q$")
axes[1].set_ylabel("geodesic MAE (rad)")
axes[1].set_title(f"Geodesics, n = {n_delete}")
axes[1].legend(fontsize=7)
fig.tight_layout()
plt.show()

# %% [markdown]
# The correction does what {eq}`eq-deletion` predicts for the local distances: without it the
# distances are biased upwards and the error grows quickly with $q$; with it the error still grows,
# as it should: a fraction $(1-q)^2$ of the common neighbours is left to count, so each ratio is
# noisier.
#
# For geodesics the claim of robustness does **not** hold here. The corrected estimate stays far
# below the uncorrected one and below hop count × r at every $q$ tried, but its error grows
# several-fold from $q = 0$ to $q = 0.3$ and its signed error turns clearly negative (printed
# above): the local lengths are noisier, and noisier lengths feed the selection bias measured
# above. The hop count with the oracle scale hardly notices the deletion, and from $q = 0.3$ on it
# is the more accurate of the two. Without the cutoff `MIN_EDGE` the corrected estimate collapses
# under deletion (printed as "no cutoff"): ratios that come out at 1 or above give edges of length
# 0, which shortest paths use as shortcuts. At $q = 0$ the cutoff changes the error little.
#
# ### A second manifold: a non-uniformly sampled flat torus
#
# On the torus the density varies by a factor $1.6/0.4 = 4$, so degrees vary too. The
# normalisation by $\sqrt{D_i D_j}$ in {eq}`eq-ratio` is meant to cancel the density. We use
# $r = n^{-1/4}/\sqrt\pi$, which gives mean degrees of the same order as the sphere's at the
# same $n$.

# %%
n_torus = utils.pick(2000, 4000)
x_torus = sample_torus(n_torus, rng)
r_torus = n_torus**-0.25 / math.sqrt(math.pi)
A_torus = random_geometric_graph(x_torus, r_torus, 0.0, rng, "torus")
torus_sources = rng.choice(n_torus, n_sources, replace=False)
torus_truth = torus_distance(x_torus[torus_sources], x_torus)
torus_cn = common_neighbour_geodesics(A_torus, r_torus, torus_sources)
torus_hop = hop_geodesics(A_torus, r_torus, torus_sources)
torus_scale = np.sum(torus_hop * torus_truth) / np.sum(torus_hop**2)  # oracle, fitted to truth
torus_degree = np.asarray(A_torus.sum(axis=1)).ravel()
# Ablation: divide C_ij by the mean degree instead of sqrt(D_i D_j), so the density is not cancelled
i_t, j_t, _ = local_distances(A_torus, r_torus)
common_t = np.asarray((A_torus @ A_torus)[i_t, j_t]).ravel()
flat_lengths = r_torus * inverse_lens_fraction(common_t / torus_degree.mean())
flat_graph = weighted_graph(n_torus, i_t, j_t, flat_lengths, flat_lengths >= MIN_EDGE * r_torus)
torus_flat = shortest_path(flat_graph, method="D", directed=False, indices=torus_sources)
torus_errors = {
    "common neighbours": mean_abs_error(torus_cn, torus_truth),
    "same, mean-degree normalisation": mean_abs_error(torus_flat, torus_truth),
    "hop x r": mean_abs_error(torus_hop, torus_truth),
    "hop x oracle": mean_abs_error(torus_scale * torus_hop, torus_truth),
    "constant": mean_abs_error(np.full_like(torus_truth, torus_truth.mean()), torus_truth),
}
torus_local = fast_local_error(A_torus, x_torus, r_torus, "torus")
flat_error = np.abs(flat_lengths - edge_lengths(x_torus, i_t, j_t, "torus"))
flat_local = float(np.mean(flat_error)) / r_torus
dense = np.cos(2 * np.pi * x_torus[:, 0]) > 0.5
print(f"torus, n = {n_torus}, r = {r_torus:.3f}: mean degree {torus_degree[dense].mean():.0f} "
      f"where the density is high, {torus_degree[~dense].mean():.0f} elsewhere; "
      f"local error/r {torus_local:.4f} (mean-degree normalisation: {flat_local:.4f})")
print("geodesic MAE: " + ", ".join(f"{k} {v:.4f}" for k, v in torus_errors.items()))

# %% [markdown]
# Degrees differ by the factor printed above between dense and sparse regions, yet the local error
# is of the same size as on the sphere at this $n$. The normalisation by $\sqrt{D_i D_j}$ is what
# makes this work: dividing by the mean degree instead multiplies both the local and the geodesic
# error several times (printed above). The common-neighbour geodesics
# beat hop count × r by a wide margin, and the oracle-scaled hop count by a smaller one. The flat
# torus has no curvature, so this checks the density
# cancellation, not the curvature corrections; and the sphere's curvature is constant and mild at
# the scale $r$. Neither is a hard case for the method: no boundary, no thin necks, no
# strongly varying curvature.
#
# ## Claim check
#
# Thresholds were fixed after the prototype runs (the chapter brief's and ours) and before this
# chapter's runs: the issue's ratio 0.6 for the comparison with hop count × r, 0.8 against the
# stronger oracle-scaled hop count and under deletion; a slope of at most $-0.15$ for the local
# error, whose counting-noise value is $-0.25$; and for the geodesic error, a factor 0.7 over the
# sixteen-fold range of $n$ in full mode (0.85 over the four-fold range in fast mode), where
# $n^{-1/4}$ would give 0.5 (0.71). A referee then found that the chapter left the oracle-scaled
# hop count out of the deletion experiment; that row was added afterwards, with threshold 1.2
# ("clearly worse"), after two seeds had given 1.66 and 1.67. The first row, the scoreboard's key
# number, is the comparison with the stronger baseline.

# %%
unc_q3 = uncorrected[list(delete_rates).index(0.3)]
cor_q3 = corrected[list(delete_rates).index(0.3)]
utils.check_claims(
    "05",
    [
        utils.Claim(
            "Sphere, largest n: common-neighbour geodesic MAE / hop x oracle-scale MAE",
            "n/a (paper not read; notes: AA^T suffices)",
            table["cn"][-1] / table["hop_oracle"][-1],
            "<=",
            0.8,
            kind="paper",
        ),
        utils.Claim(
            "Sphere, largest n: common-neighbour geodesic MAE / hop-count (x r) MAE",
            "n/a",
            table["cn"][-1] / table["hop"][-1],
            "<=",
            0.6,
            kind="paper",
        ),
        utils.Claim(
            "30% edges deleted: corrected / uncorrected local error",
            "n/a (notes: robust to missing edges)",
            cor_q3["local"] / unc_q3["local"],
            "<=",
            0.6,
            kind="paper",
        ),
        utils.Claim(
            "30% edges deleted: corrected geodesic MAE / hop x r MAE",
            "n/a",
            cor_q3["cn"] / cor_q3["hop"],
            "<=",
            0.8,
            kind="paper",
        ),
        utils.Claim(
            "Non-uniform torus: common-neighbour geodesic MAE / hop x r MAE",
            "n/a",
            torus_errors["common neighbours"] / torus_errors["hop x r"],
            "<=",
            0.6,
            kind="paper",
        ),
        utils.Claim(
            "30% edges deleted: corrected geodesic MAE / hop x oracle-scale MAE (not robust)",
            "n/a (notes: robust to missing edges)",
            cor_q3["cn"] / cor_q3["hop_oracle"],
            ">=",
            1.2,
            kind="instead",
        ),
        utils.Claim(
            "Sphere: geodesic MAE, largest n / smallest n (falls overall, not as a power law)",
            "notes: n^(-1/4), which would give 0.5 (full), 0.71 (fast)",
            table["cn"][-1] / table["cn"][0],
            "<=",
            utils.pick(0.85, 0.7),
            kind="instead",
        ),
        utils.Claim(
            "Sphere, largest n: geodesic MAE / mean true distance",
            "n/a (notes: 0.06 for a 3-manifold, 1M points, = (10^6)^(-1/5))",
            table["cn"][-1] / (np.pi / 2),
            "<=",
            0.05,
            kind="instead",
        ),
        utils.Claim(
            "Sphere: fitted log-log slope of the local error (units of r) against n",
            "n/a (counting noise D^(-1/2): -1/4, set by r = 2n^(-1/4))",
            slope_local,
            "<=",
            -0.15,
            kind="code",
        ),
        utils.Claim(
            "Shortest paths with true edge lengths: relative excess over great circle",
            "0 as r -> 0 (analytic)",
            path_relative_gap,
            "<=",
            0.03,
            kind="code",
        ),
        utils.Claim(
            "Lens formula F_2 vs Monte Carlo overlap area: max |difference|",
            "0 (analytic)",
            lens_gap,
            "<=",
            0.01,
            kind="code",
        ),
    ],
    headline="Common-neighbour counts (AA^T) alone recover a manifold's distances, robustly to "
    "missing edges, at the rate n^(-1/(d+2))",
    verdict="partly reproduced",
)

# %% [markdown]
# The comparisons with the hop counts on the sphere and the torus, and the correction of the local
# lengths for missing edges, hold, so the verdict is **partly reproduced**. Two parts of the
# notes' claim do not hold at this scale with this estimator. The *geodesic* error does not follow
# $n^{-1/(d+2)}$: it falls and then flattens (in full mode it rises again at the top of the range),
# because the selection bias of the shortest paths does not fade. And robustness to missing edges
# holds for the local lengths but not for the geodesics, where the oracle-scaled hop count is more
# accurate from $q = 0.3$ on. The local slope row is a check that the estimator reaches its
# counting-noise limit, not a test of the notes' rate.
#
# ## Explore
#
# The claim turns on $n$ (more points, more common neighbours, less noise) and on the deletion
# rate $q$. The explorer shows, for one source vertex on the sphere, the signed error of the
# corrected common-neighbour distance to every other vertex, in the equal-area coordinates of the
# data figure. Watch the map go from speckled to smooth as $n$ grows, and watch the mean signed
# error in the title as $q$ grows: red means too long, blue too short.


# %%
@cache
def error_map(n: int, q: float):
    """Sphere sample; signed errors from vertex 0, their mean and MAE; the hop-count MAE."""
    rng_map = np.random.default_rng(1000 * info.seed + n + int(100 * q))
    x = sample_sphere(n, rng_map)
    radius = sphere_radius(n)
    A = random_geometric_graph(x, radius, q, rng_map, "sphere")
    truth = great_circle(x[:1], x)
    cn = common_neighbour_geodesics(A, radius, [0], q)
    hops = hop_geodesics(A, radius, [0])
    error = (cn - truth)[0]
    signed = float(np.mean(error[np.isfinite(error)]))
    return x, error, signed, mean_abs_error(cn, truth), mean_abs_error(hops, truth)


def plot_error_map(n: int = 4000, q: float = 0.3) -> plt.Figure:
    """Signed error of the common-neighbour distances from one vertex, on the sphere."""
    x, error, signed, cn_mae, hop_mae = error_map(n, q)
    shown = np.arange(min(n, 2000))  # plot at most 2000 points to keep the image small
    fig, ax = plt.subplots(figsize=(5.6, 2.8))
    longitude = np.arctan2(x[shown, 1], x[shown, 0])
    points = ax.scatter(longitude, x[shown, 2], c=error[shown], s=3, cmap="coolwarm",
                        vmin=-0.3, vmax=0.3)
    ax.scatter(np.arctan2(x[0, 1], x[0, 0]), x[0, 2], marker="*", s=120, color="k",
               label="source")
    fig.colorbar(points, ax=ax, label="estimated − true distance (rad)")
    ax.set_xlabel("longitude (rad)")
    ax.set_ylabel("height $z$")
    ax.set_title(f"n = {n}, q = {q}: common nbrs mean error {signed:+.3f}, MAE {cn_mae:.3f};"
                 f" hop × r MAE {hop_mae:.3f}", fontsize=8)
    ax.legend(loc="lower right", fontsize=7, frameon=True)
    return fig


plot_error_map()
plt.show()

# %%
utils.explore(plot_error_map, n=[1000, 4000, 16000], q=[0.0, 0.3, 0.6])

# %% [markdown]
# ## Exercises
#
# ```{exercise}
# :label: ch05-ex1
#
# In three dimensions the estimator needs $F_3(u)$: the volume of the overlap of two balls of
# radius 1 whose centres are $u$ apart, divided by the volume of one ball. Derive it (the overlap is
# two spherical caps of height $1 - u/2$) and write `lens_fraction_3d(u)` for $0 \le u \le 2$,
# accepting a float or a NumPy array.
# ```
#
# ```{solution-start} ch05-ex1
# :class: dropdown
# ```

# %% tags=["solution"]
def lens_fraction_3d(u):
    """F_3(u): overlap volume of two unit balls at distance u over the volume of one ball."""
    ### BEGIN SOLUTION
    u = np.clip(np.asarray(u, dtype=float), 0.0, 2.0)
    return (4 + u) * (2 - u) ** 2 / 16
    ### END SOLUTION


# %% [markdown]
# A cap of height $h$ of a unit ball has volume $\pi h^2 (3 - h)/3$. With $h = 1 - u/2$ the two
# caps give $\frac{2\pi}{3} h^2 (3 - h) = \frac{\pi}{12}(2 - u)^2 (4 + u)$, and dividing by
# $4\pi/3$ gives $F_3(u) = (4 + u)(2 - u)^2 / 16$.
#
# ```{solution-end}
# ```

# %% tags=["check", "remove-input"]
def overlap_3d_monte_carlo(u, samples=100_000):
    """Monte Carlo estimate of F_3(u), to check an answer without stating it."""
    pts = np.random.default_rng(5).uniform(-1, 1, size=(samples, 3))
    pts = pts[(pts**2).sum(axis=1) <= 1]
    return float(np.mean(((pts - [u, 0, 0]) ** 2).sum(axis=1) <= 1))


utils.check_that(
    "ch05-ex1",
    lambda: all(
        abs(float(lens_fraction_3d(u)) - overlap_3d_monte_carlo(u)) < 0.01 for u in (0.5, 1.2)
    ),
    "lens_fraction_3d agrees with a Monte Carlo overlap of two balls at u = 0.5 and 1.2",
)
utils.check_that(
    "ch05-ex1",
    lambda: np.shape(lens_fraction_3d(np.array([0.1, 0.9, 1.9]))) == (3,),
    "lens_fraction_3d accepts an array and returns one value per entry",
)
### BEGIN HIDDEN TESTS
utils.check_function(
    "ch05-ex1",
    lens_fraction_3d,
    [((0.0,), 1.0), ((0.3,), 0.7766875), ((1.0,), 0.3125), ((1.7,), 0.0320625), ((2.0,), 0.0)],
    rtol=1e-6,
    atol=1e-9,
)
utils.check_array(
    "ch05-ex1", lens_fraction_3d(np.array([0.2, 1.4])), np.array([0.8505, 0.1215]), rtol=1e-6
)
### END HIDDEN TESTS

# %% [markdown]
# ```{exercise}
# :label: ch05-ex2
#
# The correction {eq}`eq-deletion` was told $q$. Estimate it from the graph instead. Write
# `estimate_deletion_rate(A)` that takes the adjacency matrix of a sphere graph built with
# `random_geometric_graph(x, sphere_radius(n), q, rng, "sphere")` and returns an estimate of $q$
# within 0.04 of the true rate for graphs of 2000 points, using only `A` and the known form of
# $F_2$ (not $n$, not the points). Hint: where the density is
# uniform, what is the distribution of $\delta_{ij}/r$ over the edges of the *complete* graph, and
# which edges does deletion remove?
# ```
#
# ```{solution-start} ch05-ex2
# :class: dropdown
# ```

# %% tags=["solution"]
def estimate_deletion_rate(A):
    """Estimate the edge-deletion rate q of a random geometric graph from its adjacency matrix."""
    ### BEGIN SOLUTION
    # Over the edges, u = delta / r has density 2u on [0, 1] (uniform points in a disc), and
    # deletion removes edges regardless of u. So mean R' over edges = (1 - q) * int 2u F_2(u) du.
    mean_lens = scipy.integrate.quad(lambda u: 2 * u * lens_fraction(u), 0, 1)[0]
    degree = np.asarray(A.sum(axis=1)).ravel()
    edges = sp.triu(A, k=1).tocoo()
    common = np.asarray((A @ A)[edges.row, edges.col]).ravel()
    ratio = common / np.sqrt(degree[edges.row] * degree[edges.col])
    return float(1 - ratio.mean() / mean_lens)
    ### END SOLUTION


# %% [markdown]
# Every pair within distance $r$ is an edge of the complete graph, and a uniform point in a disc
# of radius $r$ has $\delta/r$ with density $2u$ on $[0, 1]$. Deletion keeps each edge with
# probability $1 - q$ independently of its length, so the mean of $R'_{ij}$ over the surviving
# edges is $(1 - q)\int_0^1 2u\,F_2(u)\,du$. The integral is a constant; solve for $q$. The
# estimate has a small upward bias from curvature and from the finite degrees.
#
# ```{solution-end}
# ```

# %% tags=["check", "remove-input"]
def deletion_test_graph(q, seed):
    """A sphere graph of 2000 points with deletion rate q, for checking the estimate."""
    rng_test = np.random.default_rng(seed)
    x = sample_sphere(2000, rng_test)
    return random_geometric_graph(x, sphere_radius(2000), q, rng_test, "sphere")


deletion_cases = [(0.1, 11), (0.35, 12), (0.55, 13)]
deletion_graphs = [deletion_test_graph(q, seed) for q, seed in deletion_cases]
utils.check_that(
    "ch05-ex2",
    lambda: all(0 <= estimate_deletion_rate(G) < 1 for G in deletion_graphs),
    "estimate_deletion_rate returns a rate in [0, 1) on three test graphs",
)
utils.check_that(
    "ch05-ex2",
    lambda: np.all(np.diff([estimate_deletion_rate(G) for G in deletion_graphs]) > 0.1),
    "the estimates increase clearly with the true deletion rates 0.1, 0.35, 0.55",
)
### BEGIN HIDDEN TESTS
utils.check_function(
    "ch05-ex2",
    estimate_deletion_rate,
    [((G,), q) for G, (q, _) in zip(deletion_graphs, deletion_cases)],
    rtol=0.0,
    atol=0.04,
)
### END HIDDEN TESTS

# %% [markdown]
# ```{exercise}
# :label: ch05-ex3
#
# (Open-ended.) The geodesic error stopped following $n^{-1/4}$ because shortest paths pick the
# routes whose noisy lengths happen to be short: the selection bias of the split {eq}`eq-split`
# did not fade with $n$. Try to reduce it without giving up the other terms. Ideas: vary the lower
# cutoff `MIN_EDGE` (including 0); give the shortest paths also the
# pairs that are not edges but have common neighbours; estimate each length from a larger
# neighbourhood; or use the noisy path only to choose the route and re-estimate its length
# independently. Report the signed and absolute geodesic errors against $n$ with pairwise slopes,
# and say what your change costs.
# ```
#
# ```{solution-start} ch05-ex3
# :class: dropdown
# ```

# %% tags=["solution"]
### BEGIN SOLUTION
cutoff_results = {}
for cutoff in (0.0, 0.5, 0.7):
    rng_cut = np.random.default_rng(7)
    for n in (1000, 4000):
        x = sample_sphere(n, rng_cut)
        radius = sphere_radius(n)
        A = random_geometric_graph(x, radius, 0.0, rng_cut, "sphere")
        sources = np.arange(n_sources)
        truth = great_circle(x[sources], x)
        i, j, lengths = local_distances(A, radius)
        graph = weighted_graph(n, i, j, lengths, lengths >= cutoff * radius)
        estimate = shortest_path(graph, method="D", directed=False, indices=sources)
        ok = np.isfinite(estimate) & (truth > 0)
        cutoff_results[cutoff, n] = (
            float(np.mean(estimate[ok] - truth[ok])),
            mean_abs_error(estimate, truth),
        )
        print(f"cutoff {cutoff:.1f} r, n = {n}: signed {cutoff_results[cutoff, n][0]:+.4f}, "
              f"MAE {cutoff_results[cutoff, n][1]:.4f}")
### END SOLUTION

# %% [markdown]
# A starting point, not the answer. The cutoff trades two biases: a higher cutoff removes short,
# relatively noisy edges and lengthens the hops (fewer noisy terms to exploit, more zigzag), a lower
# one does the opposite. A full answer repeats this over $n$ up to 16 000 and several seeds, and
# reports the split {eq}`eq-split` for each change (`bias_split` above is easy to adapt): a change
# that lowers the selection bias may raise the route excess or the per-edge bias. Splitting the
# common neighbours in two halves, one to choose the route and one to measure it, removes the
# selection bias but doubles the noise of each half and lets the route wander; in our prototype
# (not shown here) it was worse.
#
# ```{solution-end}
# ```

# %% [markdown]
# ## Takeaways and limits
#
# - A random geometric graph's common-neighbour counts, the entries of $AA^\top$, normalised by the
#   degrees, follow the lens function of the local distance {eq}`eq-ratio`, and inverting it gives
#   local distances with no coordinates, no $n$ and no density. On the sphere the local error, in
#   units of $r$, falls like the counting noise $D^{-1/2}$ with no bias floor up to $n = 16\,000$;
#   with $r \propto n^{-1/4}$ that is $n^{-1/4}$ by construction, not a test of the notes' rate.
# - Shortest paths over those lengths recover geodesic distances several times more accurately
#   than hop count × $r$, on the sphere and on a non-uniformly sampled torus, and about twice as
#   accurately as hop counts with an oracle scale at the largest $n$ (at $n = 1000$ the oracle
#   wins). Dividing by $\sqrt{D_i D_j}$ is what cancels the fourfold variation of the density on
#   the torus: dividing by the mean degree instead fails.
# - Deleting edges at rate $q$ biases the counts by $(1 - q)^2$ and the degrees by $1 - q$; dividing
#   by $1 - q$ corrects the local distances, and $q$ can be estimated from the graph
#   ({ref}`ch05-ex2`).
# - **Not reproduced here:** an $n^{-1/(d+2)}$ rate for geodesic distances, and robustness of the
#   geodesics to missing edges. Our geodesic error falls quickly and then flattens: a positive
#   per-edge bias and the wandering of routes on noisy lengths fade with $n$, while the selection
#   bias of the shortest paths, about $-0.06$ rad, does not (measured by the split
#   {eq}`eq-split`). Under edge deletion the local lengths are noisier, the geodesic error grows
#   several-fold, and hop counts with the oracle scale do better. The paper's own estimator, rate
#   and constants were not available to us.
# - What laptop scale cannot show: a million points on a 3-manifold, as in the notes' example, or
#   point clouds such as the bunny the notes mention (it would need a download); manifolds with
#   boundary or strong curvature at the scale $r$.
# - Where the paper goes further, according to the notes: a rate for reconstructing the metric
#   itself, not only graph distances, and missing edges handled in its theory.
#
# ## References and further reading
#
# - The paper {cite}`huang2025riemannian` and the authors' earlier work on recovering the geometry
#   of random geometric graphs {cite}`huang2024reconstructing`.
# - Random geometric graphs: Penrose's monograph {cite}`penrose2003random`.
# - Common neighbours combined with graph distances, on the square and the sphere, with deleted
#   edges: {cite}`dani2022reconstruction`.
# - Graph approximations of geodesics and Isomap, the hop-count idea used as the baseline here
#   {cite}`tenenbaum2000global,bernstein2000graph`; Laplacian eigenmaps, another way to read
#   geometry from a neighbourhood graph {cite}`belkin2003laplacian`.
# - From the seminar's reading lists, for the uses the notes have in mind: pseudo-numerical
#   methods for diffusion models on manifolds {cite}`liu2022pndm`, and Point-NN, which analyses
#   point clouds with nothing but neighbourhood operations {cite}`zhang2023pointnn`.
#
# ```{bibliography}
# :filter: docname in docnames
# ```
