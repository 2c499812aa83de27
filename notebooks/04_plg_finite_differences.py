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
# # 04 · Poised lattices and PLG finite differences
#
# **Paper.** Qinghai Zhang, Yuke Zhu, Zhixuan Li. *An AI-aided algorithm for multivariate
# polynomial reconstruction on Cartesian grids and the PLG finite difference method.* Journal of
# Scientific Computing 101(3):66, 2024. [arXiv:2408.03814](https://arxiv.org/abs/2408.03814)
# {cite}`zhang2024plg`.
#
# **Summary.** Interpolating a polynomial of degree $n$ in two variables needs $\binom{n+2}{2}$
# points on which interpolation is unisolvent ("poised"), and near a curved boundary the obvious
# choice, the nearest grid points, often is not. The paper generates poised
# *triangular lattices* by a depth-first search with backtracking and builds on them finite
# differences (PLG-FD) that it reports to be fourth-order accurate up to irregular boundaries.
#
# **What the seminar notes claim.** In the notes' reading, triangular lattices and the principal
# lattice are linked by permutations; working with *partial* permutations turns the construction
# into a sequence of small decisions, so a backtracking search can produce a poised lattice next to
# a boundary and Lagrange interpolation can be used there. The notes add that the condition number
# of the least-squares fit first falls and then climbs steeply as the stencil is dilated.
#
# **What is reconstructed here.** There is no public code, and this chapter had the paper's
# abstract, not its full text. The search rules, the reading of the paper's permutations, the
# weights of the least-squares fit and the boundary treatment are this chapter's choices; each is
# marked where it appears, and the weights in particular are hand-picked.
#
# **Run time:** about 25 s in fast mode and about 75 s in full mode on a 2-core CPU
# (measured values are in the {doc}`scoreboard <../book/scoreboard>`).

# %% [markdown]
# ## Learning objectives
#
# After this chapter you can:
#
# 1. prove that a triangular lattice of $\binom{n+2}{2}$ points is poised, and test poisedness
#    numerically with a rank computation and a null polynomial;
# 2. write a backtracking search for such a lattice among the grid nodes near a curved boundary,
#    and say what its answers "found", "none" and "gave up" do and do not prove;
# 3. turn a weighted least-squares fit into finite-difference weights and measure their order
#    above round-off;
# 4. explain how a low-order truncation error in a boundary band can still give an $O(h^4)$ global
#    error, and check the stability behind that argument on the operator's singular values and
#    eigenvalues, grid by grid;
# 5. tell apart conditioning that is a scaling artefact from a loss of accuracy.

# %%
import math
from functools import lru_cache
from itertools import product

import matplotlib.pyplot as plt
import numpy as np
import scipy.linalg
import scipy.sparse as sp
import scipy.sparse.linalg as spla

import utils

info = utils.setup()
rng = np.random.default_rng(info.seed)

# %% [markdown]
# ## Background and theory
#
# ### Poised point sets
#
# Let $\Pi_n^D$ be the polynomials in $D$ variables of total degree at most $n$. With the monomial
# basis $\mathbf{x}^{\boldsymbol\alpha}$, $|\boldsymbol\alpha| \le n$, it has dimension
#
# ```{math}
# :label: eq-dim
# N = \dim \Pi_n^{D} = \binom{n + D}{D}, \qquad \dim \Pi_4^{2} = 15 .
# ```
#
# A set $T = \{\mathbf{x}_1, \dots, \mathbf{x}_N\}$ of $N$ points is *poised* (unisolvent) when
# every data vector has exactly one interpolant in $\Pi_n^D$. Equivalently, the square Vandermonde
# matrix
#
# ```{math}
# :label: eq-vandermonde
# V_{k, \boldsymbol\alpha} = \mathbf{x}_k^{\boldsymbol\alpha},
# \qquad k = 1,\dots,N, \quad |\boldsymbol\alpha| \le n,
# ```
#
# is nonsingular; and equivalently again, no nonzero $p \in \Pi_n^D$ vanishes on all of $T$
# {cite}`gasca2000multivariate`. Such a $p$, a *null polynomial*, is the certificate that a set is
# not poised: its coefficients are a null vector of $V$. In one variable any $n+1$ distinct points
# are poised. In two it fails easily, and grid points fail more easily still, because they sit on
# few rows and columns.
#
# ### Triangular lattices are poised
#
# A *triangular lattice* of degree $n$ in the plane consists of $n + 1$ distinct lines
# $y = c_0, \dots, c_n$ ("rows"); row $k$ holds $n + 1 - k$ points with distinct $x$ coordinates,
# $\binom{n+2}{2}$ points in all. It is poised, by induction on $n$: let $p \in \Pi_n^2$ vanish on
# the lattice. On row $0$, $p(x, c_0)$ is a polynomial in $x$ of degree $\le n$ with $n + 1$
# distinct roots, so it is identically zero and
#
# ```{math}
# :label: eq-induction
# p(x, y) = (y - c_0)\, q(x, y), \qquad q \in \Pi_{n-1}^2 .
# ```
#
# On the other rows $y - c_0 \neq 0$, so $q$ vanishes on rows $1, \dots, n$, a triangular lattice
# of degree $n - 1$. By induction $q = 0$, hence $p = 0$. Nothing requires the rows to be adjacent
# or the points to line up across rows, and the rows may equally be columns $x = c_k$. In $D$
# dimensions the same argument runs over $n+1$ parallel hyperplanes, hyperplane $k$ holding a
# $(D-1)$-dimensional triangular lattice of degree $n - k$. This recursive construction is
# classical; it goes back to Berzolari and Radon {cite}`berzolari1914postulazione,radon1948kubatur`
# (see the survey {cite}`gasca2000multivariate`), and Chung and Yao {cite}`chung1977lattices` give
# other lattices with the same property.
#
# ### Lattices as permutations, and the search
#
# The *principal lattice* $P_n = \{(a, k) \in \mathbb{N}^2 : a + k \le n\}$ is the simplest
# triangular lattice. Every triangular lattice is its image under a map of the form
#
# ```{math}
# :label: eq-lattice-map
# \pi(a, k) = \big(\sigma_k(a),\ \tau(k)\big), \qquad 0 \le k \le n, \quad 0 \le a \le n - k,
# ```
#
# where the injective map $\tau : \{0, \dots, n\} \to \mathbb{Z}$ picks the row lines and the
# injective maps $\sigma_k : \{0, \dots, n - k\} \to \mathbb{Z}$ the positions within row $k$. The
# paper's abstract describes group actions of permutations on triangular lattices and an isomorphism
# between the group of permutations and that of triangular lattices; the seminar notes speak of a
# permutation group of degree $D$, which suggests permutations of the $D$ axes. This chapter works
# with the row-by-row injections of {eq}`eq-lattice-map` instead (in $D$ dimensions a chain of them,
# one per level of the recursion), because they are what a search has to choose; they do not form a
# group, so they are *not* the paper's group, and how the two relate is unverified. A *partial*
# permutation fixes $\tau$ and $\sigma_k$ for the first rows only; extending it by one row is one
# move of the search, and undoing that move when no extension exists is a *backtrack*. Which axis
# plays the role of $k$ is a separate, outer choice (rows or columns in 2-D).
#
# ### Finite-difference weights from a least-squares fit
#
# Fix a node $\mathbf{x}_0$ and a point set $S \supseteq T$ with offsets
# $\boldsymbol{\xi}_k = (\mathbf{x}_k - \mathbf{x}_0)/h$. Fit the polynomial
# $p(\boldsymbol\xi) = \sum_{\alpha} c_{\alpha}\,\boldsymbol\xi^{\alpha}$
# to the values $u_k$ by least squares with weights $\omega_k > 0$,
#
# ```{math}
# :label: eq-lsq
# \mathbf{c} = \arg\min_{\mathbf{c}} \sum_{k \in S} \omega_k \big(p(\boldsymbol\xi_k) - u_k\big)^2
#   = (\Omega^{1/2} V)^{+}\, \Omega^{1/2} \mathbf{u},
# ```
#
# where $\Omega = \operatorname{diag}(\omega_k)$ and $^+$ is the pseudo-inverse. Because
# $T \subseteq S$ is poised, $V$ has full column rank and $\mathbf{c}$ is unique. The
# Laplacian of the fit at the node, $(2 c_{20} + 2 c_{02})/h^2$, is linear in the data:
#
# ```{math}
# :label: eq-weights
# \Delta u(\mathbf{x}_0) \approx \frac{1}{h^2} \sum_{k \in S} w_k u_k, \qquad
# \mathbf{w}^{\top} = \boldsymbol\ell^{\top} (\Omega^{1/2} V)^{+}\, \Omega^{1/2},
# ```
#
# with $\boldsymbol\ell$ holding $2$ at the entries of $\xi^2$ and $\eta^2$. The weights reproduce
# the Laplacian of every polynomial in $\Pi_n^2$ exactly, so for smooth $u$ the error is
# $O(h^{n-1})$: the fit is accurate to $O(h^{n+1})$, and two derivatives cost two powers of $h$.
# A rounding error $\varepsilon$ in the data changes the result by at most
# $\varepsilon \sum_k |w_k| / h^2$, so $\sum_k |w_k|$ is the amplification of data errors.
#
# ### The Poisson problem, the baseline, and from local to global order
#
# We solve $\Delta u = f$ in a disc $\Omega$ with $u = g$ on $\partial\Omega$, on a Cartesian grid
# of spacing $h$ that ignores the disc. The classical baseline is the 5-point stencil with the
# Shortley–Weller treatment {cite}`shortley1938weller`: where a neighbour lies outside $\Omega$,
# that arm of the stencil is shortened to the boundary crossing,
#
# ```{math}
# :label: eq-sw
# u_{xx}(\mathbf{x}_0) \approx \frac{2}{h_+ + h_-}
# \left(\frac{u_+ - u_0}{h_+} - \frac{u_0 - u_-}{h_-}\right).
# ```
#
# PLG-FD keeps the fourth-order wide stencil
# $(-\tfrac1{12}, \tfrac43, -\tfrac52, \tfrac43, -\tfrac1{12})/h^2$ in each direction where it fits
# inside $\Omega$, and uses {eq}`eq-weights` on a poised lattice everywhere else.
#
# How do local errors become the global error? Write the scheme as $A\mathbf{U} = \mathbf{b}$ and
# let $\boldsymbol\tau = A\mathbf{u} - \mathbf{b}$ be its truncation error on the exact solution.
# Then the error $\mathbf{e} = \mathbf{U} - \mathbf{u}$ obeys
#
# ```{math}
# :label: eq-error-split
# \mathbf{e} = -A^{-1}\boldsymbol\tau
#   = -A^{-1}\boldsymbol\tau_{\text{interior}} - A^{-1}\boldsymbol\tau_{\text{band}},
# ```
#
# where the band is the $O(1/h)$ nodes next to the boundary. Shortley–Weller is the classical
# example: its truncation error is $O(h^2)$ inside but only $O(h)$ in the band, and it is still
# second order globally, because the band's contribution to $\mathbf{e}$ is smaller by about $h^2$
# (the discrete Green's function is $O(h)$ next to the boundary, and the band has $O(1/h)$ nodes of
# area $h^2$; with a discrete maximum principle this is a theorem {cite}`leveque2007fd`). If the
# same mechanism worked for PLG-FD, its $O(h^{3})$ band error would become an $O(h^{5})$
# contribution and the $O(h^4)$ interior would set the global order; and even a degree-3 fit, with
# an $O(h^2)$ band error, would give $O(h^4)$. How much of the gain the reconstruction actually gets
# is measured below. Both steps assume *stability*, a bounded $A^{-1}$ that behaves
# like the continuous inverse. PLG-FD's weights have both signs, so no maximum principle applies;
# we check stability numerically instead, through the smallest singular value and the spectrum of
# $A$, and we measure both terms of {eq}`eq-error-split` below.

# %% [markdown]
# ## Implementation from scratch
#
# ### Monomials and the Vandermonde matrix
#
# Points are integer grid offsets relative to the node; all geometry is in units of $h$. The two
# functions work in any dimension $D$ (the last exercise needs $D = 3$).


# %%
@lru_cache
def monomial_exponents(n: int, dim: int = 2) -> tuple[tuple[int, ...], ...]:
    """Exponents of the monomials of total degree <= n in `dim` variables, graded order."""
    exponents = []
    for total in range(n + 1):
        for e in product(range(total, -1, -1), repeat=dim):
            if sum(e) == total:
                exponents.append(e)
    return tuple(exponents)


def vandermonde(points, n: int) -> np.ndarray:
    """Vandermonde matrix of eq. (2): shape (number of points, dim Pi_n)."""
    pts = np.asarray(points, dtype=float)
    pts = pts.reshape(len(pts), -1)  # (m, D)
    exponents = np.array(monomial_exponents(n, pts.shape[1]))  # (N, D)
    return np.prod(pts[:, None, :] ** exponents[None, :, :], axis=2)  # (m, N)


def is_poised(points, n: int) -> bool:
    """True if the points are exactly dim Pi_n many and their Vandermonde matrix has full rank."""
    V = vandermonde(points, n)
    return V.shape[0] == V.shape[1] and np.linalg.matrix_rank(V) == V.shape[1]


print("dim Pi_4 in 2-D:", len(monomial_exponents(4)), "| binomial(6, 2) =", math.comb(6, 2))

# %% [markdown]
# ### The lattice search
#
# The search below is this chapter's reconstruction of the paper's idea for $D = 2$. A *state* is a
# partial permutation {eq}`eq-lattice-map`: the rows chosen so far, each a line and the points on
# it. Lines are tried nearest to the node first, and so are the points within a line. Two extra
# rules, this chapter's own, keep the lattice compact and its Vandermonde matrix well conditioned:
#
# - *compact* rows: the points of a row are contiguous grid nodes, and row $k$ lies inside the
#   $x$-span of row $k - 1$, so the lattice narrows like a triangle;
# - without them (*relaxed* rows) a row simply takes the $n + 1 - k$ nodes of its line nearest to
#   the node.
#
# Before it descends, the search checks a necessary condition: the unused lines, sorted by how many
# candidates they hold, must be able to hold the remaining rows. For relaxed rows that condition is
# also sufficient, so the relaxed search never backtracks and its "none" is exact: no triangular
# lattice with rows along that axis exists. The compact rules can miss lattices that exist, which
# is why the driver `poised_lattice` falls back to relaxed rows. Every search returns one of three
# answers, and says which: `"found"`, `"none"` (the whole search space was tried), or `"gave up"`
# (the backtrack cap was hit, which proves nothing).


# %%
def contiguous_runs(along: list[int], length: int, lo: int, hi: int) -> list[list[int]]:
    """Runs of `length` consecutive integers from `along` inside [lo, hi], nearest to 0 first."""
    present = set(along)
    lo, hi = max(lo, min(along)), min(hi, max(along))
    runs = [list(range(s, s + length)) for s in range(lo, hi - length + 2)]
    runs = [r for r in runs if all(v in present for v in r)]
    return sorted(runs, key=lambda r: (abs(r[0] + r[-1]), r[0]))


def rows_fit(counts: list[int], n: int, k: int) -> bool:
    """Can lines holding `counts` candidates hold rows k..n (sizes n+1-k, ..., 1)? Counting test."""
    largest = sorted(counts, reverse=True)
    needs = range(n + 1 - k, 0, -1)
    return len(largest) >= n + 1 - k and all(c >= need for c, need in zip(largest, needs))


def search_rows(candidates, n: int, axis: int, compact: bool = True, max_backtracks: int = 20_000):
    """Depth-first search for a triangular lattice of degree n whose rows are lines x[axis] = c.

    axis=1: rows are lines y = c (points spread along x); axis=0: columns x = c.
    Returns a dict: status ("found", "none" or "gave up"), points, rows, backtracks, states.
    """
    lines: dict[int, list[int]] = {}
    for p in candidates:
        lines.setdefault(p[axis], []).append(p[1 - axis])
    order = sorted(lines, key=lambda line: (abs(line), line))  # the node sits at offset 0
    effort = {"backtracks": 0, "states": 0, "gave_up": False}

    def options(k: int, line: int, lo: int, hi: int) -> list[list[int]]:
        need = n + 1 - k
        if compact:
            return contiguous_runs(lines[line], need, lo, hi)
        nearest = sorted(lines[line], key=lambda a: (abs(a), a))[:need]
        return [sorted(nearest)] if len(nearest) == need else []

    def place(k: int, used: frozenset, lo: int, hi: int):
        if k == n + 1:
            return []  # all n + 1 rows placed
        if not rows_fit([len(lines[c]) for c in order if c not in used], n, k):
            return None
        for line in order:
            if line in used:
                continue
            for row in options(k, line, lo, hi):
                effort["states"] += 1
                next_lo, next_hi = (row[0], row[-1]) if compact else (lo, hi)
                rest = place(k + 1, used | {line}, next_lo, next_hi)
                if rest is not None:
                    return [(line, row)] + rest
                if effort["gave_up"]:
                    return None
                effort["backtracks"] += 1  # dead end below this choice: undo it
                if effort["backtracks"] >= max_backtracks:
                    effort["gave_up"] = True
                    return None
        return None

    rows = place(0, frozenset(), -(10**9), 10**9)
    if rows is not None:
        status = "found"
        points = [(a, line) if axis == 1 else (line, a) for line, row in rows for a in row]
    else:
        status, points = ("gave up" if effort["gave_up"] else "none"), None
    return {"status": status, "points": points, "rows": rows, "axis": axis, "compact": compact,
            "backtracks": effort["backtracks"], "states": effort["states"]}


def poised_lattice(candidates, n: int, max_backtracks: int = 20_000) -> dict:
    """Compact rows, then compact columns, then relaxed rows and columns: the first lattice found.

    If none is found, status is "none" only when every search was exhaustive, else "gave up".
    """
    backtracks, gave_up = 0, False
    for compact in (True, False):
        for axis in (1, 0):
            result = search_rows(candidates, n, axis, compact, max_backtracks)
            backtracks += result["backtracks"]
            if result["status"] == "found":
                return {**result, "backtracks": backtracks}
            gave_up = gave_up or result["status"] == "gave up"
    status = "gave up" if gave_up else "none"
    return {"status": status, "points": None, "rows": None, "axis": None, "compact": None,
            "backtracks": backtracks}


# %% [markdown]
# ### The showcase: a node $1.3h$ inside a curved boundary
#
# The first test geometry is a disc of radius $8h$. The node sits at grid offset $(0, 0)$, at
# distance $1.3h$ inside the boundary, in a direction set by `BOOK_SEED`; the candidates are the
# nodes inside the disc within a $13 \times 13$ window. The naive stencil, the nearest-point rule,
# takes the 15 nodes nearest to the node, ties in distance broken by coordinates.


# %%
def disc_candidates(offset: float, angle: float, radius: float, half_width: int, inside=True):
    """Grid offsets in a (2w+1)^2 window on the domain side of a circle `offset` from node (0, 0).

    inside=True: the domain is the disc; inside=False: the outside of the disc.
    Returns (candidates, centre of the circle).
    """
    direction = np.array([math.cos(angle), math.sin(angle)])
    centre = direction * (radius - offset) if inside else direction * (radius + offset)
    window = product(range(-half_width, half_width + 1), repeat=2)
    keep = [p for p in window if (math.dist(p, centre) < radius) == inside]
    return keep, centre


def nearest_points(candidates, count: int, tie_rng=None):
    """The `count` candidates nearest to (0, 0); ties by coordinates, or at random given tie_rng."""
    tie = tie_rng.random(len(candidates)) if tie_rng is not None else np.zeros(len(candidates))
    order = sorted(range(len(candidates)), key=lambda i: (math.hypot(*candidates[i]), tie[i],
                                                          candidates[i]))
    return [candidates[i] for i in order[:count]]


degree = 4
size = math.comb(degree + 2, 2)
showcase_angle = rng.uniform(0.0, 2 * math.pi)
candidates, circle_centre = disc_candidates(1.3, showcase_angle, 8.0, 6)
lattice = poised_lattice(candidates, degree)
naive = nearest_points(candidates, size)
V_plg, V_naive = vandermonde(lattice["points"], degree), vandermonde(naive, degree)
rank_plg, rank_naive = np.linalg.matrix_rank(V_plg), np.linalg.matrix_rank(V_naive)
cond_plg = np.linalg.cond(V_plg)
print(f"direction from the node to the disc centre: {math.degrees(showcase_angle):.0f} degrees; "
      f"{len(candidates)} candidates")
print(f"PLG lattice: {lattice['status']}, {len(lattice['points'])} points, "
      f"{'compact' if lattice['compact'] else 'relaxed'} rows along "
      f"{'x' if lattice['axis'] == 1 else 'y'}, rank {rank_plg}, cond {cond_plg:.0f}, "
      f"{lattice['backtracks']} backtracks")
print(f"{size} nearest nodes: rank {rank_naive} of {size}")

# %% [markdown]
# At most seeds the nearest-point stencil is singular (the line above says whether it is here). Why?
# Its null vector is a null polynomial. When the rank is below 15, the next cell computes it and
# compares it with the product of the lines $x = c$ (or $y = c$) on which the 15 points lie, when
# they lie on at most four of them.


# %%
def line_product_coefficients(values: list[int], var: int, n: int) -> np.ndarray:
    """Monomial coefficients (graded order) of prod_c (x_var - c) over `values`, unit norm."""
    coefficients = np.polynomial.polynomial.polyfromroots(values)  # c_0 + c_1 t + ...
    vector = np.zeros(len(monomial_exponents(n)))
    for power, c in enumerate(coefficients):
        exponent = (power, 0) if var == 0 else (0, power)
        vector[monomial_exponents(n).index(exponent)] = c
    return vector / np.linalg.norm(vector)


def describe_lines(values: list[int], name: str) -> str:
    """The product of (name - c) over values, as text."""
    return "".join(f"({name}{'+' if c < 0 else '-'}{abs(c)})" if c else name for c in values)


null_vector = np.linalg.svd(V_naive)[2][-1]
if rank_naive == size:
    print(f"at this seed the {size} nearest nodes are poised: there is no null polynomial")
else:
    print("null vector of the nearest-point Vandermonde matrix (coefficients of "
          "1, x, y, x^2, xy, y^2, ...):")
    print(np.round(null_vector / np.abs(null_vector).max(), 3) + 0.0)
for var, name in ((0, "x"), (1, "y")):
    lines_used = sorted({p[var] for p in naive})
    if rank_naive < size and len(lines_used) <= degree:
        guess = line_product_coefficients(lines_used, var, degree)
        gap = min(np.abs(null_vector - guess).max(), np.abs(null_vector + guess).max())
        print(f"the {size} points lie on {len(lines_used)} lines {name} = c, and the null "
              f"polynomial is {describe_lines(lines_used, name)} up to a factor "
              f"(difference {gap:.1e})")

# %% [markdown]
# The nearest nodes crowd onto few lines. When they lie on four, as the line above reports at most
# seeds, the product of those four lines is a quartic that vanishes on all of them. The boundary is
# not the cause. On the full grid with no boundary at all, the 15 nearest nodes are the 13 nodes
# within distance 2 plus two of the eight at distance $\sqrt5$, and which two depends on the
# tie-break:

# %%
full_grid = list(product(range(-6, 7), repeat=2))
tie_rng = np.random.default_rng(info.seed + 100)
draws = 200
singular_draws = sum(
    np.linalg.matrix_rank(vandermonde(nearest_points(full_grid, size, tie_rng), degree)) < size
    for _ in range(draws)
)
rank_interior = np.linalg.matrix_rank(vandermonde(nearest_points(full_grid, size), degree))
print(f"full grid, no boundary: {size} nearest nodes (ties by coordinates) have rank "
      f"{rank_interior}; with random tie-breaks {singular_draws} of {draws} draws are singular")
for k in (15, 16, 21, 25):
    rank_k = np.linalg.matrix_rank(vandermonde(nearest_points(candidates, k), degree))
    print(f"showcase node: least squares on the {k} nearest nodes has rank {rank_k} of {size}")

# %% [markdown]
# So the nearest-$N$ rule with exactly $N = 15$ points is a straw man: it fails in the interior too.
# The fair naive peer is *least squares on the $k$ nearest nodes* with $k > N$. At this one node it
# has full rank once $k$ is large enough (the printed ranks); whether it does at every near-boundary
# node of a grid is measured in the experiment.
#
# The figure shows the nearest-point stencil and the lattice. The lines mark the lattice's rows.

# %% tags=["hide-input"]
fig, axes = plt.subplots(1, 2, figsize=(6.8, 3.6), sharey=True)
theta = np.linspace(0, 2 * np.pi, 400)
for ax, pts, title in [
    (axes[0], naive, f"{size} nearest nodes: rank {rank_naive}"),
    (axes[1], lattice["points"], f"PLG lattice: rank {rank_plg}"),
]:
    ax.plot(*np.array(candidates).T, ".", color="0.75", label="candidate nodes")
    ax.plot(circle_centre[0] + 8 * np.cos(theta), circle_centre[1] + 8 * np.sin(theta), "k-",
            lw=1, label="boundary")
    ax.plot(*np.array(pts).T, "o", mfc="none", ms=8, color="C0", label="stencil")
    ax.plot(0, 0, "*", color="C3", ms=12, label="node")
    ax.set(xlim=(-6.5, 6.5), ylim=(-6.5, 6.5), aspect="equal", title=title, xlabel="$x / h$")
axes[0].set_ylabel("$y / h$")
for line, row in lattice["rows"]:
    ends = [(row[0], line), (row[-1], line)] if lattice["axis"] == 1 else [(line, row[0]),
                                                                             (line, row[-1])]
    axes[1].plot(*np.array(ends).T, "-", color="C1", lw=2, alpha=0.6)
axes[0].legend(loc="lower left", fontsize=7)
fig.suptitle("Near-boundary stencils for degree 4")
plt.tight_layout()
plt.show()

# %% [markdown]
# The lattice uses five rows holding 5, 4, 3, 2, 1 nodes, so {eq}`eq-induction` applies and the
# matrix has full rank whatever the seed; whether the nearest nodes are poised depends on how the
# boundary and the tie-break fall (the titles give both ranks).
#
# ### What the search can and cannot prove
#
# Disc windows are benign. To see the limits of the compact rules, the next cell draws 300 random
# subsets of a $7\times7$ window (each node kept with probability 0.6, the node itself always) and
# runs the compact search alone, the full driver, and two certificates where the driver finds
# nothing: the exact counting test (no triangular lattice along either axis) and the rank of the
# Vandermonde matrix of *all* candidates (rank below 15 proves that no poised subset exists at all).

# %%
ragged_rng = np.random.default_rng(info.seed + 200)
tally = {"compact finds": 0, "only relaxed finds": 0, "none, rank < 15": 0,
         "none, rank 15": 0, "gave up": 0}
missed_example, hardest = None, (-1, None)
for _ in range(300):
    ragged = [p for p in product(range(-3, 4), repeat=2)
              if p == (0, 0) or ragged_rng.random() < 0.6]
    compact = [search_rows(ragged, degree, axis) for axis in (1, 0)]
    compact_found = any(r["status"] == "found" for r in compact)
    hardest = max(hardest, (compact[0]["backtracks"], ragged), key=lambda pair: pair[0])
    result = poised_lattice(ragged, degree)
    if result["status"] == "gave up":
        tally["gave up"] += 1
    elif compact_found:
        tally["compact finds"] += 1
    elif result["status"] == "found":
        tally["only relaxed finds"] += 1
        missed_example = missed_example or (ragged, result)
    elif np.linalg.matrix_rank(vandermonde(ragged, degree)) < size:
        tally["none, rank < 15"] += 1
    else:
        tally["none, rank 15"] += 1
print(tally)
most_backtracks, hardest_set = hardest
full_search = search_rows(hardest_set, degree, axis=1)
capped = search_rows(hardest_set, degree, axis=1, max_backtracks=max(1, most_backtracks // 2))
print(f"the set where compact rows backtracked most: {full_search['status']!r} after "
      f"{full_search['backtracks']} backtracks; with the cap at {max(1, most_backtracks // 2)}: "
      f"{capped['status']!r}")

# a triangular lattice whose rows lie on the diagonals x + y = c: poised, but not along an axis
diagonal_rows = []
for k, c in enumerate((0, 1, -1, 2, -2)):
    on_line = sorted(((x, c - x) for x in range(-3, 4) if abs(c - x) <= 3),
                     key=lambda p: (abs(p[0] - p[1]), p))  # nearest to the line x = y first
    diagonal_rows.append(on_line[: degree + 1 - k])
diagonal_set = [p for row in diagonal_rows for p in row]
most_on_a_line = [max(sum(p[axis] == c for p in diagonal_set) for c in range(-3, 4))
                  for axis in (0, 1)]
print(f"diagonal lattice: driver says {poised_lattice(diagonal_set, degree)['status']!r}, rank "
      f"{np.linalg.matrix_rank(vandermonde(diagonal_set, degree))}; at most {most_on_a_line[0]} "
      f"points on a line x = c and {most_on_a_line[1]} on a line y = c")

# %% [markdown]
# The compact rules miss many lattices on ragged sets, and the relaxed fallback recovers every one
# of them. When the driver reports "none", the counting test has proved that no triangular lattice
# along $x$ or $y$ exists; that is not a proof that no poised set exists. The last line is an
# example built by hand: a triangular lattice whose rows lie on the diagonals $x + y = c$. It is
# poised (the induction {eq}`eq-induction` works for any family of parallel lines), yet no line
# $x = c$ or $y = c$ holds five of its points, so the driver must say "none". (The random tally
# finds such "none, rank 15" sets only at some seeds.) A search stopped by its cap reports "gave up",
# never "none". The figure shows the first set the compact rules missed, with the lattice the
# relaxed rows found, and the diagonal lattice.

# %% tags=["hide-input"]
ragged, found = missed_example
fig, axes = plt.subplots(1, 2, figsize=(6.8, 3.6), sharey=True)
axes[0].plot(*np.array(ragged).T, "s", color="0.8", ms=9, label="candidate nodes")
axes[0].plot(*np.array(found["points"]).T, "o", mfc="none", color="C0", ms=9,
             label="relaxed lattice")
axes[0].set_title("A lattice the compact rules miss", fontsize=10)
for k, row in enumerate(diagonal_rows):
    axes[1].plot(*np.array(row).T, "o-", color=f"C{k}", mfc="none", ms=9, lw=2, alpha=0.8)
axes[1].set_title("Poised, but no lattice along x or y", fontsize=10)
for ax in axes:
    ax.plot(0, 0, "*", color="C3", ms=12, label="node")
    ax.set(xlim=(-3.6, 3.6), ylim=(-3.6, 3.6), aspect="equal", xlabel="$x / h$")
axes[0].set_ylabel("$y / h$")
axes[0].legend(loc="lower left", fontsize=7)
fig.suptitle("What the search finds, and what its \"none\" does not rule out")
plt.tight_layout()
plt.show()

# %% [markdown]
# The rows of the relaxed lattice have holes, which the compact rules forbid. On the right, each
# colour is one row of the diagonal lattice: 5, 4, 3, 2, 1 points on parallel diagonal lines.
#
# ### Finite-difference weights
#
# The weights {eq}`eq-weights` come from a QR factorisation with column pivoting of the weighted
# Vandermonde matrix: with $\Omega^{1/2}VP = QR$ for a permutation $P$,
# $\;\mathbf{w}^\top = (P^\top\boldsymbol\ell)^\top R^{-1} Q^\top \Omega^{1/2}$. The pivoting
# puts the smallest pivot last, so a tiny $|R_{NN}|$ flags a rank deficiency, which an unpivoted
# QR can hide.


# %%
def derivative_functional(n: int, orders: dict[tuple[int, int], float]) -> np.ndarray:
    """Vector ell with ell . c = the derivative of p at 0, e.g. {(2, 0): 1, (0, 2): 1}."""
    exponents = monomial_exponents(n)
    ell = np.zeros(len(exponents))
    for (a, b), factor in orders.items():
        ell[exponents.index((a, b))] += factor * math.factorial(a) * math.factorial(b)
    return ell


LAPLACIAN = {(2, 0): 1.0, (0, 2): 1.0}


def fd_weights(offsets, n: int, orders=LAPLACIAN, point_weights=None) -> np.ndarray:
    """Weights w, shape (len(offsets),), with sum_k w_k u(x0 + h xi_k) / h^2 ~ Lu(x0), eq. (6)."""
    V = vandermonde(offsets, n)  # (m, N)
    omega = np.ones(len(V)) if point_weights is None else np.asarray(point_weights, dtype=float)
    sqrt_omega = np.sqrt(omega)
    # pivoted QR, Omega^(1/2) V P = Q R: the pivoting makes |R_NN| reveal a rank deficiency
    Q, R, pivots = scipy.linalg.qr(sqrt_omega[:, None] * V, mode="economic", pivoting=True)
    if len(V) < V.shape[1] or abs(R[-1, -1]) < 1e-10 * abs(R[0, 0]):
        raise np.linalg.LinAlgError("the points are not poised: the Vandermonde matrix is rank "
                                    "deficient; use more points or a poised lattice")
    ell = derivative_functional(n, orders)[pivots]
    return (Q @ scipy.linalg.solve_triangular(R, ell, trans="T")) * sqrt_omega


try:
    fd_weights(naive, degree)
except np.linalg.LinAlgError as err:
    print("nearest-point stencil:", err)
weights_plg = fd_weights(lattice["points"], degree)
node_first = np.argsort([p != (0, 0) for p in lattice["points"]], kind="stable")
print("PLG Laplacian weights (node first):", np.round(weights_plg[node_first], 3) + 0.0)
print(f"sum |w| = {np.abs(weights_plg).sum():.2f}")

# %% [markdown]
# ### The Poisson solvers
#
# The disc has radius $1$ and sits in the box $[-1.2, 1.2]^2$. Its centre is shifted from the
# origin by a random vector of length up to $0.1\sqrt2$ drawn from `BOOK_SEED`, so each seed cuts
# the grid differently. The exact solution is $u = \sin(2x + 1)\,e^{y}$, so $f = \Delta u = -3u$.
#
# A node is *near the boundary* when its wide stencil does not fit inside the disc. There, the
# PLG-FD stencil, as reconstructed here, is a weighted fit {eq}`eq-lsq` on
# $S = T \cup \{\mathbf{x}_0\} \cup B$: $T$ is a degree-4 lattice found in a $7\times7$ window
# (grown to $9\times9$ or $11\times11$ if the window holds none), and $B$ are the points where grid
# lines in the window cross the circle, whose values are the Dirichlet data and move to the
# right-hand side. The weights are $\omega_0$ on the node, $\omega_B$ on boundary points and $1$ on
# lattice nodes. **The pair $(\omega_0, \omega_B) = (10^4, 100)$ is hand-picked**: the unweighted
# fit turned out unstable, and the experiment sweeps other pairs. The geometry (lattices and
# boundary points) is computed once per grid, so that assembling for another weight pair or another
# stencil rule is cheap. The same code assembles the naive peer: least squares on the $k$ nearest
# nodes inside the disc (in an $11 \times 11$ window) instead of a lattice, with the same boundary
# points and weights.


# %%
def exact_solution(x, y):
    """Manufactured solution of the Poisson test."""
    return np.sin(2 * x + 1) * np.exp(y)


def source(x, y):
    """f = Laplacian of the exact solution."""
    return -3.0 * exact_solution(x, y)


def disc_grid(cells: int, centre, radius: float = 1.0, half_box: float = 1.2):
    """Grid spacing, node coordinates (1-D), inside mask (cells+1, cells+1), index of unknowns."""
    h = 2 * half_box / cells
    xs = -half_box + h * np.arange(cells + 1)
    X, Y = np.meshgrid(xs, xs, indexing="ij")
    inside = np.hypot(X - centre[0], Y - centre[1]) < radius
    index = -np.ones(inside.shape, dtype=int)
    index[inside] = np.arange(inside.sum())
    return h, xs, inside, index


def crossing_distance(x0, y0, direction, centre, radius):
    """Distance t > 0 along a unit grid direction from an inside point to the circle."""
    dx, dy = direction
    b = 2 * ((x0 - centre[0]) * dx + (y0 - centre[1]) * dy)
    c = (x0 - centre[0]) ** 2 + (y0 - centre[1]) ** 2 - radius**2
    return (-b + math.sqrt(b * b - 4 * c)) / 2


def shortley_weller(cells: int, centre, solution=exact_solution, rhs=source, cut=True):
    """5-point scheme, eq. (7); cut=False puts the boundary value at distance h (staircase).

    Returns (A, b, exact nodal values, mask of near-boundary rows).
    """
    h, xs, inside, index = disc_grid(cells, centre)
    nodes = np.argwhere(inside)
    rows, cols, vals = [], [], []
    b = rhs(xs[nodes[:, 0]], xs[nodes[:, 1]]).astype(float)
    near = np.zeros(len(nodes), dtype=bool)
    for k, (i, j) in enumerate(nodes):
        diagonal = 0.0
        for axis_step in ((1, 0), (0, 1)):
            arms = []  # (length, column or -1, boundary value)
            for sign in (1, -1):
                step = (sign * axis_step[0], sign * axis_step[1])
                if inside[i + step[0], j + step[1]]:
                    arms.append((h, index[i + step[0], j + step[1]], 0.0))
                    continue
                near[k] = True
                t = crossing_distance(xs[i], xs[j], step, centre, 1.0)
                value = solution(xs[i] + t * step[0], xs[j] + t * step[1])
                arms.append((t if cut else h, -1, value))
            (h_plus, _, _), (h_minus, _, _) = arms
            for (length, col, value), other in zip(arms, (h_minus, h_plus)):
                coefficient = 2 / (length * (length + other))
                diagonal -= coefficient
                if col >= 0:
                    rows.append(k)
                    cols.append(col)
                    vals.append(coefficient)
                else:
                    b[k] -= coefficient * value
        rows.append(k)
        cols.append(k)
        vals.append(diagonal)
    A = sp.csc_matrix((vals, (rows, cols)), shape=(len(nodes), len(nodes)))
    return A, b, solution(xs[nodes[:, 0]], xs[nodes[:, 1]]), near


def boundary_crossings(i, j, half_width, xs, centre, radius=1.0):
    """Points where grid lines in the window around node (i, j) cross the circle."""
    points = []
    for shift in range(-half_width, half_width + 1):
        x_line, y_line = xs[i] + (xs[1] - xs[0]) * shift, xs[j] + (xs[1] - xs[0]) * shift
        gap = radius**2 - (x_line - centre[0]) ** 2
        if gap > 0:
            points += [(x_line, centre[1] + s * math.sqrt(gap)) for s in (1, -1)]
        gap = radius**2 - (y_line - centre[1]) ** 2
        if gap > 0:
            points += [(centre[0] + s * math.sqrt(gap), y_line) for s in (1, -1)]
    reach = half_width * (xs[1] - xs[0]) * (1 + 1e-12)
    return [p for p in points if abs(p[0] - xs[i]) <= reach and abs(p[1] - xs[j]) <= reach]


def window(i: int, j: int, half_width: int, inside: np.ndarray) -> list[tuple[int, int]]:
    """Offsets (a, c) of the inside nodes in the (2w+1)^2 window around node (i, j)."""
    last = inside.shape[0] - 1
    return [(a, c) for a, c in product(range(-half_width, half_width + 1), repeat=2)
            if 0 <= i + a <= last and 0 <= j + c <= last and inside[i + a, j + c]]


def near_boundary_stencils(cells: int, centre, n: int = 4, nearest: int | None = None) -> dict:
    """Geometry of every near-boundary stencil: a lattice (nearest=None) or the nearest nodes.

    Returns the grid data and, per near-boundary node k, (grid offsets, boundary offsets,
    boundary points), with counts of grown windows, relaxed lattices and rank-deficient stencils.
    """
    h, xs, inside, index = disc_grid(cells, centre)
    nodes = np.argwhere(inside)
    geometry = {"h": h, "xs": xs, "inside": inside, "index": index, "nodes": nodes,
                "stencils": {}, "grown": 0, "relaxed": 0, "rank_deficient": 0, "backtracks": 0}
    for k, (i, j) in enumerate(nodes):
        if all(inside[i + s, j] and inside[i, j + s] for s in (-2, -1, 1, 2)):
            continue  # the wide stencil fits
        if nearest is None:
            for half_width in (3, 4, 5):
                found = poised_lattice(window(i, j, half_width, inside), n)
                geometry["backtracks"] += found["backtracks"]
                if found["status"] == "found":
                    break
                geometry["grown"] += 1
            else:
                raise RuntimeError(f"no lattice near node {(i, j)}: status {found['status']}")
            grid_points = list(found["points"])
            geometry["relaxed"] += int(not found["compact"])
        else:
            grid_points = nearest_points(window(i, j, 5, inside), nearest)
        rank = np.linalg.matrix_rank(vandermonde(grid_points, n))
        geometry["rank_deficient"] += int(rank < len(monomial_exponents(n)))
        if (0, 0) not in grid_points:
            grid_points.append((0, 0))
        boundary = boundary_crossings(i, j, 3, xs, centre)
        scaled = [((x - xs[i]) / h, (y - xs[j]) / h) for x, y in boundary]
        geometry["stencils"][k] = (grid_points, scaled, boundary)
    return geometry


WIDE_STENCIL = np.array([-1 / 12, 4 / 3, -5 / 2, 4 / 3, -1 / 12])  # 4th-order u_xx, times 1/h^2
CHOSEN_WEIGHTS = (1e4, 100.0)  # (node weight, boundary weight): hand-picked


def assemble_plg_fd(geometry: dict, weights=CHOSEN_WEIGHTS, n: int = 4, solution=exact_solution,
                    rhs=source):
    """PLG-FD matrix and right-hand side; returns (A, b, exact nodal values, near mask).

    weights: (node weight, boundary weight), or a function (grid offsets, boundary offsets) ->
    the weight of every point, in that order.
    """
    h, xs, index, nodes = geometry["h"], geometry["xs"], geometry["index"], geometry["nodes"]
    rows, cols, vals = [], [], []
    b = rhs(xs[nodes[:, 0]], xs[nodes[:, 1]]).astype(float)
    near = np.zeros(len(nodes), dtype=bool)
    for k, (i, j) in enumerate(nodes):
        if k not in geometry["stencils"]:
            for s, c in zip(range(-2, 3), WIDE_STENCIL / h**2):
                rows += [k, k]
                cols += [index[i + s, j], index[i, j + s]]
                vals += [c, c]
            continue
        near[k] = True
        grid_points, scaled, boundary = geometry["stencils"][k]
        if callable(weights):
            omega = weights(grid_points, scaled)
        else:
            omega = np.concatenate([np.ones(len(grid_points)), np.full(len(scaled), weights[1])])
            omega[grid_points.index((0, 0))] = weights[0]
        w = fd_weights(grid_points + scaled, n, point_weights=omega) / h**2
        for (a, c), weight in zip(grid_points, w[: len(grid_points)]):
            rows.append(k)
            cols.append(index[i + a, j + c])
            vals.append(weight)
        boundary_values = np.array([solution(x, y) for x, y in boundary]).reshape(-1)
        b[k] -= w[len(grid_points):] @ boundary_values
    A = sp.csc_matrix((vals, (rows, cols)), shape=(len(nodes), len(nodes)))
    return A, b, solution(xs[nodes[:, 0]], xs[nodes[:, 1]]), near


def max_error(A, b, u_exact) -> float:
    """Maximum nodal error of the sparse solve."""
    return float(np.abs(spla.spsolve(A, b) - u_exact).max())


def smallest_singular_value(A) -> float:
    """sigma_min(A) = 1 / ||A^-1||_2, from the largest eigenvalue of A^-1 A^-T (one sparse LU)."""
    lu = spla.splu(sp.csc_matrix(A))
    gram_inverse = spla.LinearOperator(A.shape, matvec=lambda x: lu.solve(lu.solve(x, trans="T")),
                                       dtype=float)
    largest = spla.eigsh(gram_inverse, k=1, which="LM", return_eigenvectors=False, tol=1e-10)[0]
    return float(1 / math.sqrt(largest))


def rightmost_eigenvalue(A) -> float:
    """Largest real part of an eigenvalue of the sparse matrix A (ARPACK, which="LR")."""
    values = spla.eigs(sp.csc_matrix(A), k=1, which="LR", return_eigenvectors=False,
                       maxiter=20_000, tol=1e-8)
    return float(values.real.max())


def with_nearest_extra(geometry: dict, total: int) -> dict:
    """Copy of a lattice geometry whose stencils add the nearest other nodes up to `total` nodes."""
    enriched = {**geometry, "stencils": {}}
    for k, (grid_points, scaled, boundary) in geometry["stencils"].items():
        i, j = geometry["nodes"][k]
        extra = [p for p in nearest_points(window(i, j, 5, geometry["inside"]), 3 * total)
                 if p not in grid_points]
        enriched["stencils"][k] = (grid_points + extra[: total - len(grid_points)], scaled,
                                   boundary)
    return enriched


# %% [markdown]
# ## Cross-check
#
# Six independent checks of the code above.
#
# 1. **Rank.** The lattice's rows have 5, 4, 3, 2, 1 points on distinct lines, and
#    `numpy.linalg.matrix_rank` (an SVD) gives rank 15, as {eq}`eq-induction` predicts.
# 2. **Weights.** The QR weights agree with weights from `numpy.linalg.lstsq` applied to the same
#    weighted, overdetermined problem.
# 3. **Exact reproduction.** Applied to every monomial of degree $\le 4$, the weights return its
#    exact Laplacian at the node.
# 4. **Exact solves.** The Shortley–Weller scheme is exact for quadratics and the PLG-FD scheme for
#    polynomials of degree 4 (every stencil it uses is), so both Poisson solves must return such
#    solutions to rounding error.
# 5. **Certificates.** Wherever the driver reports "none" in a disc window, the Vandermonde matrix
#    of *all* the window's nodes must have rank below 15. (The driver's "none" is, by construction,
#    the counting test failing along both axes, so checking that test again would prove nothing;
#    the rank is an independent certificate that no poised subset of any shape exists.)
# 6. **Sparse spectra.** The sparse estimates of $\sigma_{\min}(A)$ and of the largest real part
#    of an eigenvalue, used below on grids too large for dense linear algebra, agree with
#    `numpy.linalg.svd` and `numpy.linalg.eigvals` on a small grid.

# %%
# 1. the triangular structure of the rows, and the rank from an SVD
row_sizes = sorted(len(row) for _, row in lattice["rows"])
assert row_sizes == [1, 2, 3, 4, 5] and len({line for line, _ in lattice["rows"]}) == 5
assert np.linalg.matrix_rank(V_plg) == size

# 2. QR weights against numpy.linalg.lstsq on a weighted set (lattice + 6 more nodes)
extra = [p for p in nearest_points(candidates, 40) if p not in lattice["points"]][:6]
offsets = lattice["points"] + extra
omega = rng.uniform(0.5, 2.0, len(offsets))
sqrt_omega = np.sqrt(omega)
coefficient_map = np.linalg.lstsq(sqrt_omega[:, None] * vandermonde(offsets, degree),
                                  np.diag(sqrt_omega), rcond=None)[0]  # (N, m): data -> coeffs
weights_lstsq = derivative_functional(degree, LAPLACIAN) @ coefficient_map
weights_qr = fd_weights(offsets, degree, point_weights=omega)
weight_gap = np.abs(weights_qr - weights_lstsq).max()
assert weight_gap < 1e-9, weight_gap

# 3. exact Laplacian at 0 of every monomial x^a y^b of degree <= 4
xi = np.array(offsets, dtype=float)
reproduction_gap = max(
    abs(weights_qr @ (xi[:, 0] ** a * xi[:, 1] ** b) - 2.0 * ((a, b) in ((2, 0), (0, 2))))
    for a, b in monomial_exponents(degree)
)
assert reproduction_gap < 1e-9, reproduction_gap


# 4. exact solves for polynomial solutions
def quadratic(x, y):
    """A quadratic test solution."""
    return 1 + x - 2 * y + x * x - 0.5 * x * y + 3 * y * y


def quartic(x, y):
    """A quartic test solution."""
    return x**4 - 2 * x**2 * y**2 + 0.5 * y**3 + x * y


centre_check = rng.uniform(-0.1, 0.1, 2)
quadratic_rhs = (lambda x, y: 8.0 + 0 * x)  # its Laplacian
sw_exact_gap = max_error(*shortley_weller(20, centre_check, quadratic, quadratic_rhs)[:3])
quartic_rhs = (lambda x, y: 12 * x**2 - 4 * y**2 - 4 * x**2 + 3 * y)  # its Laplacian
plg_exact_gap = max_error(*assemble_plg_fd(near_boundary_stencils(20, centre_check),
                                           solution=quartic, rhs=quartic_rhs)[:3])
assert sw_exact_gap < 1e-9 and plg_exact_gap < 1e-8, (sw_exact_gap, plg_exact_gap)

# 5. "none" in a disc window is backed by a certificate
h_check, _, inside_check, _ = disc_grid(40, centre_check)
certified, uncertified = 0, 0
for i, j in np.argwhere(inside_check):
    nodes_window = window(i, j, 3, inside_check)
    if poised_lattice(nodes_window, degree)["status"] == "none":
        low_rank = np.linalg.matrix_rank(vandermonde(nodes_window, degree)) < size
        certified += int(low_rank)
        uncertified += int(not low_rank)
assert certified > 0 and uncertified == 0

# 6. sparse sigma_min and rightmost eigenvalue against dense LAPACK, PLG-FD on 20 cells
A_check = assemble_plg_fd(near_boundary_stencils(20, centre_check), (1.0, 1.0))[0]
sigma_gap = abs(smallest_singular_value(A_check)
                / np.linalg.svd(A_check.toarray(), compute_uv=False)[-1] - 1)
eig_gap = abs(rightmost_eigenvalue(A_check) - np.linalg.eigvals(A_check.toarray()).real.max())
assert sigma_gap < 1e-6 and eig_gap < 1e-6 * np.abs(A_check.diagonal()).max(), (sigma_gap, eig_gap)
print(f"QR vs lstsq weights: {weight_gap:.1e} | monomial reproduction: {reproduction_gap:.1e}")
print(f"Shortley–Weller on a quadratic: {sw_exact_gap:.1e} | PLG-FD on a quartic: "
      f"{plg_exact_gap:.1e}")
print(f"7x7 windows of a 40-cell grid with no lattice: {certified}, all of rank < {size}")
print(f"sparse vs dense, 20 cells: sigma_min relative gap {sigma_gap:.1e}, rightmost eigenvalue "
      f"gap {eig_gap:.1e}")

# %% [markdown]
# All six agree to rounding error. The quartic solve is the strongest: it exercises the lattice
# search, the weights, the boundary data and the sparse assembly at every near-boundary node at
# once.
#
# ## Experiment
#
# ### Local order of the Laplacian stencil
#
# At the showcase node we find lattices of degree $n = 3, 4, 5$, compute the pure interpolation
# weights ($S = T$), shrink $h$ from $0.4$ to $0.025$, and record the error of the Laplacian. The
# Poisson solver does not use pure interpolation, so the cell also measures the row it does use:
# $S = T \cup \{\mathbf{x}_0\} \cup B$ at $n = 4$, with the lattice of a $7\times7$ window, the
# points $B$ where grid lines cross the showcase circle, and the weights $(10^4, 100)$, all in
# units of $h$ (the geometry shrinks with $h$). One test function at one point can hide the
# leading error term by a cancellation, so the error is the largest over two smooth functions and
# four base points. The expected order is $n - 1$. Beside
# each error the cell prints how far it sits above the round-off floor
# $\varepsilon_{\text{mach}} \sum_k |w_k| \max|u| / h^2$.

# %%
def smooth_a(x, y):
    """First test function, sin(x) exp(y/2)."""
    return np.sin(x) * np.exp(y / 2)


def laplacian_a(x, y):
    """Its Laplacian, (-1 + 1/4) sin(x) exp(y/2)."""
    return -0.75 * smooth_a(x, y)


GROWTH, WAVE = np.array([0.5, 0.3]), np.array([1.0, -0.6])


def smooth_b(x, y):
    """Second test function, exp(g . x) cos(k . x + 0.4)."""
    return np.exp(GROWTH[0] * x + GROWTH[1] * y) * np.cos(WAVE[0] * x + WAVE[1] * y + 0.4)


def laplacian_b(x, y):
    """Its Laplacian, (|g|^2 - |k|^2) u - 2 (g . k) exp(g . x) sin(k . x + 0.4)."""
    envelope = np.exp(GROWTH[0] * x + GROWTH[1] * y)
    phase = WAVE[0] * x + WAVE[1] * y + 0.4
    return ((GROWTH @ GROWTH - WAVE @ WAVE) * smooth_b(x, y)
            - 2 * (GROWTH @ WAVE) * envelope * np.sin(phase))


TESTS = [(smooth_a, laplacian_a), (smooth_b, laplacian_b)]
BASE_POINTS = np.random.default_rng(1).uniform(-1, 1, (4, 2))  # fixed, not seed dependent


def laplacian_error(offsets, weights, h: float) -> float:
    """Largest error of the FD Laplacian over the test functions and base points at spacing h."""
    xi = np.asarray(offsets, dtype=float)
    return max(abs(weights @ u(x0 + h * xi[:, 0], y0 + h * xi[:, 1]) / h**2 - lap(x0, y0))
               for x0, y0 in BASE_POINTS for u, lap in TESTS)


def pairwise_slopes(hs, errors) -> np.ndarray:
    """Slopes of log error against log h between consecutive spacings."""
    return np.diff(np.log(errors)) / np.diff(np.log(hs))


spacings = 0.4 * 2.0 ** -np.arange(5)
local = {}
for n in (3, 4, 5):
    found = poised_lattice(candidates, n)
    w = fd_weights(found["points"], n)
    errors = np.array([laplacian_error(found["points"], w, h) for h in spacings])
    floor = np.finfo(float).eps * np.abs(w).sum() * 3.0 / spacings**2  # max |u| < 3 here
    local[n] = {"errors": errors, "slopes": pairwise_slopes(spacings, errors),
                "fit": float(np.polyfit(np.log(spacings), np.log(errors), 1)[0]),
                "above_floor": float((errors / floor).min())}
    print(f"n = {n}: pairwise slopes {np.round(local[n]['slopes'], 2)}, fitted "
          f"{local[n]['fit']:.2f} (expected {n - 1}); smallest error / round-off floor "
          f"{local[n]['above_floor']:.0e}")
solver_grid = poised_lattice([p for p in candidates if max(map(abs, p)) <= 3], degree)["points"]
solver_grid = solver_grid + [(0, 0)] * ((0, 0) not in solver_grid)
solver_boundary = boundary_crossings(50, 50, 3, np.arange(-50.0, 51.0), circle_centre, 8.0)
solver_omega = np.concatenate([np.ones(len(solver_grid)), np.full(len(solver_boundary), 100.0)])
solver_omega[solver_grid.index((0, 0))] = 1e4
solver_offsets = solver_grid + solver_boundary
w = fd_weights(solver_offsets, degree, point_weights=solver_omega)
errors = np.array([laplacian_error(solver_offsets, w, h) for h in spacings])
local["solver row"] = {"errors": errors, "slopes": pairwise_slopes(spacings, errors),
                       "fit": float(np.polyfit(np.log(spacings), np.log(errors), 1)[0])}
print(f"solver row, n = 4 ({len(solver_grid)} grid nodes, {len(solver_boundary)} boundary "
      f"points): pairwise slopes {np.round(local['solver row']['slopes'], 2)}, fitted "
      f"{local['solver row']['fit']:.2f} (expected 3)")
expected_order = {3: 2, 4: 3, 5: 4, "solver row": 3}
local_order_gap = max(abs(local[n]["slopes"][-1] - expected_order[n]) for n in local)

# %% [markdown]
# The figure plots the errors against $h$ with reference slopes $n-1$.

# %% tags=["hide-input"]
fig, ax = plt.subplots(figsize=(5.6, 3.6))
for n in local:
    name = "n = 4, solver row" if n == "solver row" else f"n = {n}"
    ax.loglog(spacings, local[n]["errors"], "o-" if n != "solver row" else "s--",
              label=f"{name}, last slope {local[n]['slopes'][-1]:.2f}")
    ax.loglog(spacings, local[n]["errors"][-1] * (spacings / spacings[-1]) ** expected_order[n],
              "k:", lw=1)
ax.set_xticks(spacings, [f"{h:g}" for h in spacings])
ax.xaxis.set_minor_formatter(plt.NullFormatter())
ax.set_xlabel("grid spacing $h$")
ax.set_ylabel("max error of the FD Laplacian")
ax.set_title("Near-boundary Laplacian on a PLG lattice (dotted: slope n − 1)")
ax.legend()
plt.show()

# %% [markdown]
# The pairwise slopes settle on $n - 1$ as $h$ shrinks, and every error stays at least a hundred
# times above the round-off floor, so the last slope is asymptotic and not a rounding artefact. The
# solver's weighted row with boundary points is third order too: the weights and the boundary points
# change its error constant, not its order, because the fit is still exact on degree 4. At the
# largest spacings the degree-5 stencil reaches more than one unit from the node and the slopes are
# still settling; a fit over all five spacings is printed beside them for comparison.
#
# ### Poisson on a disc: PLG-FD against its peers
#
# The solvers run on the same grids in one loop:
#
# - **Shortley–Weller**, the classical second-order scheme the paper improves on;
# - **staircase**, the 5-point scheme with the boundary value put at the nearest grid distance $h$
#   (a trivial baseline: what you get by ignoring where the boundary cuts the grid);
# - **PLG-FD** with the hand-picked weights, on degree-4 lattices;
# - **PLG-FD, n = 3**: the same scheme on degree-3 lattices (10 points, fit exact on cubics), to
#   see what the degree buys;
# - **lattice + 6**: the degree-4 lattice enriched with its nearest other nodes up to 21 grid
#   points, the same size as the next scheme;
# - **nearest-15**: the same fit on the 15 nearest nodes instead of the lattice (equal stencil
#   size, the straw man of the showcase);
# - **nearest-21**: the same fit on the 21 nearest nodes, the fair naive peer.
#
# For each grid the cell also counts the near-boundary nodes whose grid points alone are rank
# deficient, for the lattice and for the nearest nodes. (The boundary points of $B$ then still
# make the weighted fit {eq}`eq-lsq` full rank, which is why the naive schemes can be assembled.)

# %%
disc_centre = rng.uniform(-0.1, 0.1, 2)
cell_counts = utils.pick([20, 28, 40, 56, 80], [20, 28, 40, 56, 80, 113, 160])
NAIVE_SIZES = (15, 21)
stencils, naive21_stencils, results = {}, {}, []
for cells in cell_counts:
    stencils[cells] = near_boundary_stencils(cells, disc_centre)
    cubic_stencils = near_boundary_stencils(cells, disc_centre, n=3)
    row = {"cells": cells, "h": stencils[cells]["h"], "near": len(stencils[cells]["stencils"]),
           "relaxed": stencils[cells]["relaxed"],
           "lattice deficient": stencils[cells]["rank_deficient"],
           "sw": max_error(*shortley_weller(cells, disc_centre)[:3]),
           "staircase": max_error(*shortley_weller(cells, disc_centre, cut=False)[:3]),
           "plg": max_error(*assemble_plg_fd(stencils[cells])[:3]),
           "plg n=3": max_error(*assemble_plg_fd(cubic_stencils, n=3)[:3]),
           "lattice+6": max_error(*assemble_plg_fd(with_nearest_extra(stencils[cells], 21))[:3])}
    for k in NAIVE_SIZES:
        naive_geometry = near_boundary_stencils(cells, disc_centre, nearest=k)
        row[f"nearest-{k}"] = max_error(*assemble_plg_fd(naive_geometry)[:3])
        row[f"nearest-{k} deficient"] = naive_geometry["rank_deficient"]
    naive21_stencils[cells] = naive_geometry
    results.append(row)

SCHEMES = ("staircase", "sw", "plg", "plg n=3", "lattice+6", "nearest-15", "nearest-21")
hs = np.array([r["h"] for r in results])
errors = {name: np.array([r[name] for r in results]) for name in SCHEMES}
orders = {name: float(np.polyfit(np.log(hs), np.log(e), 1)[0]) for name, e in errors.items()}
print(f"disc centre offset: ({disc_centre[0]:+.3f}, {disc_centre[1]:+.3f})")
print(" cells  near-bdry  staircase        SW    PLG-FD   PLG n=3  lattice+6  nearest-15"
      "  nearest-21")
for r in results:
    print(f"{r['cells']:6d}  {r['near']:9d}  " + "  ".join(
        f"{r[name]:{width}.2e}" for name, width in zip(SCHEMES, (9, 8, 8, 8, 9, 10, 10))))
print(" cells  rank-deficient grid points: lattice  nearest-15  nearest-21")
for r in results:
    print(f"{r['cells']:6d}  {r['lattice deficient']:35d}  {r['nearest-15 deficient']:10d}"
          f"  {r['nearest-21 deficient']:10d}")
for name, e in errors.items():
    print(f"{name:>11}: fitted order {orders[name]:5.2f}, pairwise "
          f"{np.round(pairwise_slopes(hs, e), 2)}")
lattice_failures = sum(r["lattice deficient"] for r in results)
relaxed_used = sum(r["relaxed"] for r in results)
naive21_deficient_share = 100 * results[-1]["nearest-21 deficient"] / results[-1]["near"]
naive21_ratios = errors["nearest-21"] / errors["plg"]
equal_size_ratios = errors["nearest-21"] / errors["lattice+6"]
degree_gain = errors["plg n=3"][-1] / errors["plg"][-1]
print(f"finest grid: nearest-21 grid points rank deficient at {naive21_deficient_share:.0f}% of "
      f"near-boundary nodes; SW / PLG-FD {errors['sw'][-1] / errors['plg'][-1]:.0f}; "
      f"PLG n=3 / PLG-FD {degree_gain:.0f}; relaxed lattices used: {relaxed_used}")
for label, ratios in (("nearest-21 / PLG-FD", naive21_ratios),
                      ("nearest-21 / lattice+6", equal_size_ratios)):
    print(f"{label:>22} error over the grids: median {np.median(ratios):.2f}, range "
          f"{ratios.min():.2f} to {ratios.max():.2f}, below 1 on {(ratios < 1).sum()} of "
          f"{len(ratios)} grids")

# %% [markdown]
# The figure shows the maximum nodal error of the seven schemes against $h$.

# %% tags=["hide-input"]
fig, ax = plt.subplots(figsize=(6.4, 4.4))
styles = {"staircase": ("v:", "0.6"), "sw": ("o-", "C0"), "plg": ("s-", "C1"),
          "plg n=3": ("s:", "C3"), "lattice+6": ("d-.", "C5"), "nearest-15": ("x--", "C2"),
          "nearest-21": ("+--", "C4")}
labels = {"staircase": "staircase (trivial)", "sw": "Shortley–Weller", "plg": "PLG-FD, n = 4",
          "plg n=3": "PLG-FD, n = 3", "lattice+6": "lattice + 6 (21 nodes)",
          "nearest-15": "nearest 15 (straw man)", "nearest-21": "nearest 21 (fair peer)"}
for name, (style, colour) in styles.items():
    ax.loglog(hs, errors[name], style, color=colour,
              label=f"{labels[name]} (fitted slope {orders[name]:.2f})")
ax.loglog(hs, errors["plg"][-1] * (hs / hs[-1]) ** 4, "k:", lw=1, label="slope 4")
ax.set_xticks(hs, [f"{h:.3f}" for h in hs])
ax.xaxis.set_minor_formatter(plt.NullFormatter())
ax.set_xlabel("grid spacing $h$")
ax.set_ylabel("max nodal error")
ax.set_title("Poisson problem on a disc")
ax.legend(fontsize=7.5, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2)
plt.show()

# %% [markdown]
# Shortley–Weller converges at order 2 and the staircase at order 1, as expected. PLG-FD's fitted
# order is above 4 over this range, with pairwise slopes that scatter (the next subsection finds out
# why), and on the finest grid its error is far below Shortley–Weller's (the printed ratio SW /
# PLG-FD).
#
# The lattice, however, is not what makes it accurate. The fair naive peer, least squares on the 21
# nearest nodes, is as accurate as PLG-FD or more: the error ratio nearest-21 / PLG-FD is below 1 on
# most grids and in the median (printed above; the section on other disc centres repeats the
# comparison). This holds although the 21 nearest grid points alone are rank deficient at a
# sizeable share of the near-boundary nodes: the boundary points, with their Dirichlet data, hold
# the fit together. At equal size the lattice brings no systematic gain either: the lattice
# enriched to 21 nodes and the 21 nearest nodes have an error ratio whose median is close to 1.
# Only the straw man, the 15 nearest nodes, is clearly worse. So in this Dirichlet test what the
# lattice buys is a small stencil that is poised on grid values alone, which a reconstruction from
# grid values needs in general (for example where no boundary data sit next to the node, as with
# Neumann conditions); it does not buy accuracy. Every lattice the search produced had full rank.
#
# The degree-3 lattices are a warning about the headline row. A degree-3 fit has local order
# $n - 1 = 2$, yet PLG-FD on degree-3 lattices converges at a fitted order far above 2 (printed
# above; on the full set of grids it comes close to 4, and on the coarser fast-mode grids it is
# lower). That is the local-to-global argument of the Background at work: the interior is the
# fourth-order wide stencil, and an $O(h^2)$ band error gains one to two orders in the global
# error (measured for degree 4 below). So a fitted order near 4 cannot by itself tell degree 4
# from degree 3. What degree 4 buys here is the error constant: on the finest grid the degree-3
# error is larger by the factor printed above.
#
# ### Where the slopes wobble: near-boundary rows with a collapsed diagonal
#
# The pairwise slopes of PLG-FD and of nearest-21 are not steady, and at some disc centres a single
# pair of grids gives a slope far below 4 (run with `BOOK_SEED=3` to see one). To find out why, the
# next cell looks, on every grid, at the node with the largest error: is it in the near-boundary
# band, how far is it from the circle (in units of $h$), and what is its node coefficient
# $h^2 A_{kk}$? For comparison it also prints the median and the largest $h^2A_{kk}$ over the
# near-boundary rows: a normal row has a clearly negative node coefficient, like the $-4$ of the
# 5-point stencil.

# %%
def band_diagnostics(geometry: dict, centre, weights=CHOSEN_WEIGHTS) -> dict:
    """Largest error of a solve, where it sits, and the node coefficients h^2 A_kk of the band."""
    A, b, u_exact, near = assemble_plg_fd(geometry, weights)
    error = np.abs(spla.spsolve(A, b) - u_exact)
    h, xs, nodes = geometry["h"], geometry["xs"], geometry["nodes"]
    distance = (1.0 - np.hypot(xs[nodes[:, 0]] - centre[0], xs[nodes[:, 1]] - centre[1])) / h
    diagonal = A.diagonal() * h**2
    worst, band = int(np.argmax(error)), np.flatnonzero(near)
    weakest = band[np.argmax(diagonal[band])]
    return {"error": error.max(), "in band": bool(near[worst]), "distance": distance[worst],
            "diagonal": diagonal[worst], "weakest": diagonal[weakest],
            "weakest distance": distance[weakest], "median": np.median(diagonal[band])}


diagnostics = {"plg": [band_diagnostics(stencils[c], disc_centre) for c in cell_counts],
               "nearest-21": [band_diagnostics(naive21_stencils[c], disc_centre)
                              for c in cell_counts]}
for name, rows in diagnostics.items():
    print(f"{'PLG-FD' if name == 'plg' else name}: median h^2 A_kk of a near-boundary row "
          f"{np.median([d['median'] for d in rows]):+.2f}")
    print("  cells  max error  slope in  | largest error at: band?  distance/h  h^2 A_kk |"
          "  largest h^2 A_kk in band (distance/h)")
    slopes_in = np.concatenate([[np.nan], pairwise_slopes(hs, [d["error"] for d in rows])])
    for cells, d, slope in zip(cell_counts, rows, slopes_in):
        in_band = "yes" if d["in band"] else "no"
        print(f"  {cells:5d}  {d['error']:9.2e}  {slope:8.2f}  | {in_band:>22}"
              f"  {d['distance']:10.4f}  {d['diagonal']:+8.2f} |  {d['weakest']:+8.2f} "
              f"({d['weakest distance']:.4f})")
low_slopes, low_near_circle = 0, 0
for rows in diagnostics.values():
    slopes_in = pairwise_slopes(hs, [d["error"] for d in rows])
    for slope, d in zip(slopes_in, rows[1:]):
        low_slopes += int(slope < 3)
        low_near_circle += int(slope < 3 and d["in band"] and d["distance"] < 0.01)
print(f"pairwise slopes below 3 (both schemes): {low_slopes}; of these, into a grid whose "
      f"largest error sits at a node within 0.01 h of the circle: {low_near_circle}")

# %% [markdown]
# On real grids such nodes appear by chance, so the next cell provokes one. On a 28-cell grid it
# moves the disc by less than $h$ so that one chosen node sits $\delta h$ inside the circle, for
# $\delta$ from $10^{-1}$ down to $10^{-6}$ in half decades, in several directions drawn from
# `BOOK_SEED`, and records that node's coefficient $h^2A_{kk}$, the largest real part of an
# eigenvalue of $A$, and the largest error, for PLG-FD and for nearest-21.

# %%
approach_cells = 28
approach_deltas = np.logspace(-1, -6, 11)  # distance of the chosen node from the circle, / h
approach_angles = np.random.default_rng(info.seed + 400).uniform(0, 2 * np.pi, utils.pick(4, 6))


def approach_centre(cells: int, angle: float, delta: float):
    """Disc centre putting the node nearest (cos angle, sin angle) delta * h inside the circle."""
    h, xs, _, _ = disc_grid(cells, (0.0, 0.0))
    i, j = np.abs(xs - math.cos(angle)).argmin(), np.abs(xs - math.sin(angle)).argmin()
    node = np.array([xs[i], xs[j]])
    return node - (1 - delta * h) * node / np.linalg.norm(node), (i, j)


approach = {name: {key: np.zeros((len(approach_angles), len(approach_deltas)))
                   for key in ("diagonal", "max_real", "error")} for name in ("plg", "nearest-21")}
for a, angle in enumerate(approach_angles):
    for d, delta in enumerate(approach_deltas):
        centre, (i, j) = approach_centre(approach_cells, angle, delta)
        for name, nearest in (("plg", None), ("nearest-21", 21)):
            geometry = near_boundary_stencils(approach_cells, centre, nearest=nearest)
            A, b, u_exact, _ = assemble_plg_fd(geometry)
            k = geometry["index"][i, j]
            approach[name]["diagonal"][a, d] = A[k, k] * geometry["h"] ** 2
            approach[name]["max_real"][a, d] = rightmost_eigenvalue(A)
            approach[name]["error"][a, d] = max_error(A, b, u_exact)
for name, table in approach.items():
    print(f"{'PLG-FD' if name == 'plg' else name}: h^2 A_kk of the chosen node, delta from "
          f"1e-1 to 1e-6 in half decades")
    for a, angle in enumerate(approach_angles):
        spike = table["error"][a].max() / table["error"][a, 0]
        print(f"  {math.degrees(angle):4.0f} deg: " + " ".join(f"{v:+6.1f}" for v in
                                                            table["diagonal"][a]))
        print(f"{'':>12}largest Re(eig) at delta = 1e-6: {table['max_real'][a, -1]:+7.1f}; "
              f"largest error over delta / error at delta = 0.1: {spike:5.1f}")
approach_unstable = int((approach["plg"]["max_real"][:, -1] > 0).sum())
print(f"PLG-FD: directions with an eigenvalue of positive real part at delta = 1e-6: "
      f"{approach_unstable} of {len(approach_angles)}")

# %% [markdown]
# The figure plots the chosen node's coefficient against $\delta$, for every direction.

# %% tags=["hide-input"]
fig, axes = plt.subplots(1, 2, figsize=(6.8, 3.5), sharey=True)
for ax, (name, table) in zip(axes, approach.items()):
    for a, angle in enumerate(approach_angles):
        ax.semilogx(approach_deltas, table["diagonal"][a], "o-", ms=4,
                    label=f"{math.degrees(angle):.0f}°")
    ax.axhline(0, color="k", lw=0.8)
    ax.set_yscale("symlog", linthresh=1)
    ax.invert_xaxis()
    ax.set(xlabel="distance $\\delta$ of the node from the circle / $h$",
           title="PLG-FD" if name == "plg" else "nearest 21")
axes[0].set_ylabel("node coefficient $h^2 A_{kk}$")
axes[1].legend(fontsize=7, title="direction", title_fontsize=7)
fig.suptitle(f"A node approaching the circle ({approach_cells} cells)")
plt.tight_layout()
plt.show()

# %% [markdown]
# Read the grid tables first. On most grids the largest error sits in the band at a node an ordinary
# distance from the circle, with an ordinary node coefficient. Where a pairwise slope drops below 3
# (the "slope in" column, and the count printed under the tables), the largest error sits at a node
# that almost touches the circle, within a hundredth of $h$, and the "largest $h^2A_{kk}$" column
# shows that such rows have node coefficients far from the normal value, collapsed towards zero or
# even positive.
#
# The controlled test shows the mechanism. As the node approaches the circle, its coefficient
# first grows in magnitude, as a Shortley–Weller row with a short arm would; then, once the node
# and the nearest boundary point are almost the same data point, it falls through zero and settles
# at a value that is often positive. Near the crossing the row hardly sees its own node, and the
# largest error can jump by an order of magnitude (the last number on each line); past it, the
# positive coefficient comes with an eigenvalue of $A$ in the right half-plane. Our reading, which
# we have not proved: with the node and a boundary point $\delta h$ apart, the fit can shift the
# Laplacian's weight between them almost freely, and the point weights decide the split. The
# nearest-21 rows behave the same way, so this is a property of this chapter's boundary treatment
# (node and boundary points in one weighted fit), not of the lattice. We have not found a rule that
# removes it: dropping boundary points that are too close to the node is the obvious candidate,
# and exercise 4 invites you to test it and others. It is an open limitation of this
# reconstruction.
#
# ### From local to global order
#
# Equation {eq}`eq-error-split` splits the error into the part caused by the truncation error in
# the interior and the part caused by the near-boundary band. The next cell computes both, with one
# sparse LU factorisation per grid, for Shortley–Weller and PLG-FD, and fits the order of each
# quantity over the grids.

# %%
split = {}
for name in ("sw", "plg"):
    table = []
    for cells in cell_counts:
        if name == "sw":
            A, b, u_exact, near = shortley_weller(cells, disc_centre)
        else:
            A, b, u_exact, near = assemble_plg_fd(stencils[cells])
        tau = A @ u_exact - b
        lu = spla.splu(A)
        table.append([np.abs(tau[~near]).max(), np.abs(tau[near]).max(),
                      np.abs(lu.solve(np.where(near, 0.0, tau))).max(),
                      np.abs(lu.solve(np.where(near, tau, 0.0))).max()])
    table = np.array(table)
    split[name] = [float(np.polyfit(np.log(hs), np.log(column), 1)[0]) for column in table.T]
    print(f"{'Shortley–Weller' if name == 'sw' else 'PLG-FD':>15}: fitted orders of the "
          f"truncation error: interior {split[name][0]:.2f}, band {split[name][1]:.2f} | of the "
          f"error they cause: interior {split[name][2]:.2f}, band {split[name][3]:.2f} | gain "
          f"in the band {split[name][3] - split[name][1]:.2f}")
    print(f"{'':>17}pairwise slopes of the band truncation error "
          f"{np.round(pairwise_slopes(hs, table[:, 1]), 2)}")
    print(f"{'':>17}finest grid: error from the interior {table[-1, 2]:.1e}, "
          f"from the band {table[-1, 3]:.1e}")

# %% [markdown]
# For both schemes the error caused by the band converges faster than the band's own truncation
# error (the printed "gain in the band"). Shortley–Weller gains about two orders, the classical
# result: its first-order band error becomes a third-order contribution, and the interior's second
# order sets the global order.
#
# For PLG-FD the picture is less clean. The band truncation error has a fitted order near 3 or
# somewhat below, and its pairwise slopes jump: every row is third order (the "solver row" of the
# local-order test), but its constant depends on how the circle cuts its window, and the maximum
# over the band picks a different row on each grid. The gain in the band is typically between one
# and two orders, sometimes a little more, and it depends on the disc centre (this centre's value is
# printed here, other centres' below). On these grids the
# band's contribution is still the larger part of the error (the finest grid's two numbers), and it
# is what sets the fitted global slope. We expect the interior's fourth order to take over on finer
# grids, but that needs the stability this section assumed, which the next subsection qualifies.
#
# ### The weights were hand-picked: a sweep
#
# How much does fourth order depend on $(\omega_0, \omega_B)$? The next cell assembles PLG-FD on the
# same lattices for six weight pairs and records, on every grid, the global error and three
# measures of stability, computed with sparse methods: the smallest singular value
# $\sigma_{\min}(A)$, which is $1/\|A^{-1}\|_2$ and bounds how much $A^{-1}$ amplifies the
# truncation error in {eq}`eq-error-split`; the largest real part of an eigenvalue; and the largest
# node coefficient $h^2 A_{kk}$ of a near-boundary row. For the continuous problem the eigenvalue
# nearest zero is $-j_{0,1}^2 \approx -5.783$ ($j_{0,1}$ is the first zero of the Bessel function
# $J_0$), so a stable discretisation should have $\sigma_{\min}(A)$ near 5.78 and every eigenvalue
# in the left half-plane.

# %%
WEIGHT_PAIRS = [(1.0, 1.0), (1.0, 100.0), (100.0, 100.0), (1e4, 1.0), CHOSEN_WEIGHTS, (1e6, 1e4)]
sweep = {}
for pair in WEIGHT_PAIRS:
    pair_errors, sigma_min, max_real, max_diagonal = [], [], [], []
    for cells in cell_counts:
        A, b, u_exact, near = assemble_plg_fd(stencils[cells], pair)
        pair_errors.append(max_error(A, b, u_exact))
        sigma_min.append(smallest_singular_value(A))
        max_real.append(rightmost_eigenvalue(A))
        max_diagonal.append((A.diagonal()[near] * stencils[cells]["h"] ** 2).max())
    pair_errors = np.array(pair_errors)
    sweep[pair] = {"errors": pair_errors,
                   "fit": float(np.polyfit(np.log(hs), np.log(pair_errors), 1)[0]),
                   "slopes": pairwise_slopes(hs, pair_errors), "sigma_min": np.array(sigma_min),
                   "max_real": np.array(max_real), "max_diagonal": np.array(max_diagonal)}
print("(node, bdry) weights  fitted  pairwise slopes               min sigma_min  grids with"
      "  max h^2 A_kk")
print("                      order                                 over grids     Re(eig) > 0"
      "  over grids")
for pair, s in sweep.items():
    slopes = " ".join(f"{v:5.2f}" for v in s["slopes"])
    print(f"({pair[0]:>7g}, {pair[1]:>6g})  {s['fit']:6.2f}  {slopes:<35}"
          f"  {s['sigma_min'].min():9.2f}  {(s['max_real'] > 0).sum():6d} of {len(cell_counts)}"
          f"  {s['max_diagonal'].max():+10.2f}")
chosen = sweep[CHOSEN_WEIGHTS]
print("chosen pair (1e4, 100), grid by grid:")
for cells, sigma, real, diag in zip(cell_counts, chosen["sigma_min"], chosen["max_real"],
                                    chosen["max_diagonal"]):
    print(f"  {cells:4d} cells: sigma_min {sigma:6.3f}, largest Re(eig) {real:+9.1f}, "
          f"largest h^2 A_kk in the band {diag:+6.2f}")

# %% [markdown]
# The figure shows the error curves of the six pairs and, grid by grid, the largest real part of an
# eigenvalue.

# %% tags=["hide-input"]
fig, axes = plt.subplots(1, 2, figsize=(6.8, 3.6))
for pair, s in sweep.items():
    style = "o-" if s["sigma_min"].min() > 5 else "x--"
    label = f"({pair[0]:g}, {pair[1]:g})"
    axes[0].loglog(hs, s["errors"], style, ms=4, label=label)
    axes[1].plot(cell_counts, s["max_real"], style, ms=4, label=label)
axes[0].set_xticks(hs, [f"{h:.3f}" for h in hs], rotation=60)
axes[0].xaxis.set_minor_formatter(plt.NullFormatter())
axes[0].set(xlabel="grid spacing $h$", ylabel="max nodal error", title="Error by weight pair")
axes[0].legend(fontsize=7, title="($\\omega_0$, $\\omega_B$)", title_fontsize=7)
axes[1].axhline(0, color="k", lw=0.8)
axes[1].set_yscale("symlog", linthresh=10)
axes[1].set_xscale("log")
axes[1].set_xticks(cell_counts, [str(c) for c in cell_counts], rotation=60)
axes[1].xaxis.set_minor_formatter(plt.NullFormatter())
axes[1].set(xlabel="cells per side", ylabel="largest Re $\\lambda(A)$",
            title="Rightmost eigenvalue by grid")
plt.tight_layout()
plt.show()

# %% [markdown]
# The node weight matters first. With $\omega_0 = 1$ the operator has a singular value far below
# 5.78 on some grid, so $A^{-1}$ amplifies the near-boundary truncation error, and the error jumps
# up and down with $h$ although the lattices are the same. With a heavy node weight
# $\sigma_{\min}(A)$ is near the continuous value on every grid for most pairs (the "min sigma_min"
# column), but this depends on the centre for some of them. The chosen pair keeps $\sigma_{\min}(A)$
# near 5.78 on every grid of this run, which is what the Poisson solve needs.
#
# Beyond that the sweep does not rank the heavy pairs. Which of them wobbles depends on the disc
# centre: a pair wobbles on the grids where it meets a node almost on the circle, by the mechanism
# of the previous subsection, and another centre gives another ranking. Neither do the heavy pairs
# keep the spectrum in the left half-plane. The table counts, for this centre, the grids on which
# each pair has an eigenvalue with a positive real part. The chosen pair is no exception: its
# grid-by-grid lines show on which grids of this centre it has one (at some centres on none), and
# the controlled test above shows it happening in most directions once a node is close enough to
# the circle. For the Poisson solve that does no harm, since $A$ stays
# well conditioned; a time stepper for the heat equation built on the same rows would amplify that
# mode. So the chapter's pair is one that works for this Poisson test, picked by trial, and it is
# not stable in the sense a time-dependent solver needs. The paper reports stable fourth-order
# results, also for time-dependent problems; which weighting or stencil rule it uses to get there
# we could not confirm.
#
# ### Conditioning as the stencil widens
#
# To test the notes' conditioning claim, keep the degree-4 lattice of the showcase node and enrich
# it with every candidate within distance $\rho$ of the node, for growing $\rho$ (our reading of
# "dilation"). Beside the condition number of $V$ in grid units (the matrix the weights come from),
# the cell records three numbers that say what the condition number is supposed to warn about: the
# condition number after dividing the offsets by the stencil radius (which removes the pure scaling
# of the monomials), the amplification of data errors $\sum_k |w_k|$, and the truncation error at
# $h = 0.02$.

# %%
dilations = np.array([0, 1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10, 12])
wide_candidates, _ = disc_candidates(1.3, showcase_angle, 14.0, 12)
wide_lattice = poised_lattice(wide_candidates, degree)["points"]
enrichment = {"points": [], "cond": [], "cond_scaled": [], "sum_abs_w": [], "truncation": []}
for rho in dilations:
    stencil = wide_lattice + [p for p in wide_candidates
                              if p not in wide_lattice and math.hypot(*p) <= rho]
    radius = max(math.hypot(*p) for p in stencil)
    w = fd_weights(stencil, degree)
    enrichment["points"].append(len(stencil))
    enrichment["cond"].append(np.linalg.cond(vandermonde(stencil, degree)))
    scaled_stencil = np.array(stencil) / radius
    enrichment["cond_scaled"].append(np.linalg.cond(vandermonde(scaled_stencil, degree)))
    enrichment["sum_abs_w"].append(np.abs(w).sum())
    enrichment["truncation"].append(laplacian_error(stencil, w, 0.02))
enrichment = {key: np.array(value) for key, value in enrichment.items()}
i_min = int(np.argmin(enrichment["cond"]))
cond_drop = enrichment["cond"][i_min] / enrichment["cond"][0]
cond_rise = enrichment["cond"][-1] / enrichment["cond"][i_min]
scaled_rise = enrichment["cond_scaled"][-1] / enrichment["cond_scaled"].min()
amplification_ratio = enrichment["sum_abs_w"][-1] / enrichment["sum_abs_w"][0]
truncation_ratio = enrichment["truncation"][-1] / enrichment["truncation"][0]
print("  rho  points   cond(V)  cond(V scaled)  sum|w|  truncation error at h = 0.02")
for k, rho in enumerate(dilations):
    print(f"{rho:5.1f}  {enrichment['points'][k]:6d}  {enrichment['cond'][k]:8.0f}"
          f"  {enrichment['cond_scaled'][k]:14.0f}  {enrichment['sum_abs_w'][k]:6.2f}"
          f"  {enrichment['truncation'][k]:.1e}")
print(f"grid units: min/bare {cond_drop:.2f}, last/min {cond_rise:.0f} | scaled: last/min "
      f"{scaled_rise:.1f} | sum|w| last/bare {amplification_ratio:.2f} | truncation last/bare "
      f"{truncation_ratio:.0f}")

# %% [markdown]
# The figure shows the four quantities against $\rho$, each divided by its value for the bare
# lattice.

# %% tags=["hide-input"]
fig, ax = plt.subplots(figsize=(6.2, 3.8))
for key, label, style in (("cond", "cond($V$), grid units", "o-"),
                          ("cond_scaled", "cond($V$), offsets scaled to radius 1", "s--"),
                          ("sum_abs_w", "$\\sum_k |w_k|$ (data-error amplification)", "^-"),
                          ("truncation", "truncation error at $h = 0.02$", "d-")):
    ax.semilogy(dilations, enrichment[key] / enrichment[key][0], style, label=label)
ax.axhline(1, color="k", lw=0.8)
ax.set_xlabel("enrichment radius $\\rho$ (units of $h$)")
ax.set_ylabel("value / value for the bare lattice")
ax.set_title("Widening the degree-4 least-squares stencil")
ax.legend(fontsize=8)
plt.show()

# %% [markdown]
# In grid units the condition number does what the notes say: the first rings of extra nodes lower
# it, and widening further raises it steeply, by the factor printed above. Most of that rise is the
# scaling of the monomials (the column of $\xi^4$ grows like $\rho^4$ while the constant column
# stays 1): with the offsets rescaled, the condition number changes by a small factor only (the
# "scaled: last/min" number). Nor does the rise mean that data errors are amplified more:
# $\sum_k|w_k|$ *falls* as the stencil widens. We have not separated why; two causes are plausible,
# more points averaging the data, and a longer baseline that makes each difference quotient less
# sensitive, and this experiment changes both at once. What a wide stencil costs is accuracy: the
# truncation error grows by orders of magnitude, since the fit is asked to match a polynomial over a
# larger region.
#
# ### Other disc centres
#
# The Poisson comparison above used one disc centre. The next cell repeats PLG-FD, nearest-21 and
# Shortley–Weller for more centres on the fast grids (two in fast mode, four in full mode), so that
# the ranges quoted below come from a run and not from memory.

# %%
other_centres = np.random.default_rng(info.seed + 300).uniform(-0.1, 0.1, (utils.pick(2, 4), 2))
fast_cells = [20, 28, 40, 56, 80]
fast_hs = np.array([2.4 / c for c in fast_cells])
def band_gain(geometries) -> float:
    """Fitted order of the error caused by the band minus that of the band truncation error."""
    band_tau, band_error = [], []
    for geometry in geometries:
        A, b, u_exact, near = assemble_plg_fd(geometry)
        tau = np.where(near, A @ u_exact - b, 0.0)
        band_tau.append(np.abs(tau).max())
        band_error.append(np.abs(spla.splu(A).solve(tau)).max())
    step_h = [geometry["h"] for geometry in geometries]
    return float(np.polyfit(np.log(step_h), np.log(band_error), 1)[0]
                 - np.polyfit(np.log(step_h), np.log(band_tau), 1)[0])


robustness = []
for centre in other_centres:
    centre_stencils = [near_boundary_stencils(c, centre) for c in fast_cells]
    plg_e = np.array([max_error(*assemble_plg_fd(geometry)[:3]) for geometry in centre_stencils])
    naive_e = np.array([max_error(*assemble_plg_fd(near_boundary_stencils(c, centre,
                                                                          nearest=21))[:3])
                        for c in fast_cells])
    sw_e = [max_error(*shortley_weller(c, centre)[:3]) for c in fast_cells]
    robustness.append((np.polyfit(np.log(fast_hs), np.log(plg_e), 1)[0],
                       np.polyfit(np.log(fast_hs), np.log(sw_e), 1)[0], sw_e[-1] / plg_e[-1],
                       pairwise_slopes(fast_hs, plg_e).min(), np.median(naive_e / plg_e),
                       band_gain(centre_stencils)))
robustness = np.array(robustness)
print(f"over {len(other_centres)} more centres, grids {fast_cells[0]} to {fast_cells[-1]} cells: "
      f"PLG-FD fitted order {robustness[:, 0].min():.2f} to {robustness[:, 0].max():.2f} "
      f"(smallest pairwise slope {robustness[:, 3].min():.2f}); Shortley–Weller "
      f"{robustness[:, 1].min():.2f} to {robustness[:, 1].max():.2f}; error ratio SW / PLG-FD at "
      f"{fast_cells[-1]} cells {robustness[:, 2].min():.0f} to {robustness[:, 2].max():.0f}; "
      f"median nearest-21 / PLG-FD {robustness[:, 4].min():.2f} to {robustness[:, 4].max():.2f}; "
      f"PLG-FD band gain {robustness[:, 5].min():.2f} to {robustness[:, 5].max():.2f}")

# %% [markdown]
# The fitted orders stay near or above 4 for these centres, while single pairwise slopes can fall
# well below it when a grid puts a node almost on the circle; a fit over the whole range, which the
# claim check uses, is the fairer summary, and a single pair of grids can mislead in either
# direction. The nearest-21 peer is at least as accurate as PLG-FD in the median at these centres
# too, and the band gain of PLG-FD varies from centre to centre.

# %% [markdown]
# ## Claim check
#
# The rows below test, in order: the paper's headline (fourth order on a curved boundary) and the
# gain over the classical baseline; the poisedness that the search guarantees and the nearest
# nodes do not; the local order, including the solver's own rows; what holds instead of "the
# lattice makes the scheme accurate" (the fair naive peer is at least as accurate in the median,
# and degree 4 buys the error constant rather than the order); the cause of the erratic slopes;
# stability, which holds for $\sigma_{\min}$ and fails for the spectrum; two cross-checks of the
# code; and the conditioning claim of the notes, with what holds beside it.

# %%
utils.check_claims(
    "04",
    [
        utils.Claim("Poisson on a disc, PLG-FD (n = 4, hand-picked weights): fitted global order",
                    "4: fourth order up to irregular boundaries (abstract)", orders["plg"], ">=",
                    3.5, kind="paper"),
        utils.Claim("Finest grid: Shortley–Weller error / PLG-FD error",
                    "PLG-FD far more accurate (no table number confirmed)",
                    errors["sw"][-1] / errors["plg"][-1], ">=", 10, kind="paper"),
        utils.Claim("Near-boundary lattices in all solves that were rank deficient",
                    "0 (poised by construction)", lattice_failures, "<=", 0, kind="paper"),
        utils.Claim("Finest grid: % of near-boundary nodes where the 21 nearest nodes are rank "
                    "deficient", "n/a (nearest points are not unisolvent)",
                    naive21_deficient_share, ">=", 5, kind="paper"),
        utils.Claim("Near-boundary Laplacian, lattices n = 3, 4, 5 and the solver's row: "
                    "max |last pairwise slope - expected order|",
                    "order n - 1 (fit exact on degree n)", local_order_gap, "<=", 0.25,
                    kind="paper"),
        utils.Claim("Median over the grids: nearest-21 least-squares error / PLG-FD error",
                    "n/a (lattices argued for against nearest points; no such comparison "
                    "confirmed)", np.median(naive21_ratios), "<=", 1, kind="instead"),
        utils.Claim("Finest grid: PLG-FD error with degree-3 lattices / with degree-4 lattices",
                    "n/a", degree_gain, ">=", 10, kind="instead"),
        utils.Claim("PLG-FD and nearest-21: pairwise slopes below 3 whose grid's largest error "
                    "is not at a node within 0.01 h of the circle", "n/a",
                    low_slopes - low_near_circle, "<=", 0, kind="instead"),
        utils.Claim("PLG-FD, hand-picked weights: smallest sigma_min(A) over all grids "
                    "(continuous: 5.78)", "stable (fourth-order results reported)",
                    chosen["sigma_min"].min(), ">=", 5, kind="paper"),
        utils.Claim("PLG-FD, hand-picked weights, a node 1e-6 h inside the circle: directions "
                    "with an eigenvalue of positive real part",
                    "stable, also for time-dependent problems (abstract)",
                    approach_unstable, ">=", 1, kind="instead"),
        utils.Claim("PLG-FD, unweighted fit: smallest sigma_min(A) over all grids",
                    "n/a (weights not confirmed)", sweep[(1.0, 1.0)]["sigma_min"].min(), "<=", 2,
                    kind="instead"),
        utils.Claim("Shortley–Weller baseline: fitted global order", "2 (classical)", orders["sw"],
                    ">=", 1.8, kind="code"),
        utils.Claim("PLG-FD solve of a quartic solution: max error", "0 (exact on degree 4)",
                    plg_exact_gap, "<=", 1e-8, kind="code"),
        utils.Claim("Enrichment: min cond(V) / cond(V) of the bare lattice, grid units",
                    "condition number first decreases (seminar notes)", cond_drop, "<=", 0.9,
                    kind="paper"),
        utils.Claim("Enrichment: cond(V) at rho = 12 / its minimum, grid units",
                    "then rises sharply (seminar notes)", cond_rise, ">=", 10, kind="paper"),
        utils.Claim("Enrichment: the same ratio with offsets scaled to radius 1",
                    "n/a", scaled_rise, "<=", 5, kind="instead"),
        utils.Claim("Enrichment: sum |w| at rho = 12 / sum |w| of the bare lattice",
                    "n/a", amplification_ratio, "<=", 0.6, kind="instead"),
        utils.Claim("Enrichment: truncation error at rho = 12 / bare lattice (h = 0.02)",
                    "n/a", truncation_ratio, ">=", 10, kind="instead"),
    ],
    headline="Poised lattices found by a backtracking search give finite differences that stay "
    "fourth order up to curved boundaries",
    verdict="partly reproduced",
)

# %% [markdown]
# What holds: the search always returned a poised lattice where the nearest nodes were often not
# poised; the near-boundary Laplacian, the solver's weighted rows included, has order $n - 1$; and
# PLG-FD on a disc converges at a fitted order of about 4 or more, far ahead of Shortley–Weller on
# the finest grid. What does not hold as the paper and the notes put it:
#
# - the lattice is not what makes the scheme accurate here: least squares on the 21 nearest nodes,
#   rescued by the Dirichlet data, is as accurate as PLG-FD or more in the median, and at equal
#   size (21 nodes) the lattice brings no systematic gain;
# - the fourth order is not evidence for degree 4: degree-3 lattices also converge far above their
#   local order, and degree 4 buys a smaller error constant;
# - the fourth order needs a weight pair picked by trial, and even that pair is not stable in the
#   spectral sense: a node almost on the circle gives its row a collapsed or positive node
#   coefficient, which makes the pairwise slopes erratic and can put an eigenvalue in the right
#   half-plane;
# - the steep rise of the condition number is mostly a scaling effect, and the real cost of a wide
#   stencil is its truncation error.
#
# The verdict is therefore "partly reproduced": the order and the poisedness hold, the lattice's
# role in the accuracy and the stability do not at this scale and in this reconstruction.
#
# ## Explore
#
# The explorer draws the stencil at a node near a circle of radius $4h$ in a $7\times7$ window, for
# a chosen distance of the node from the boundary (in units of $h$), degree $n$, and stencil rule:
# the lattice the search finds, or the $\binom{n+2}{2}$ nearest nodes. The title reports the rank,
# the condition number, and the search's status and backtracks.


# %%
def plot_lattice_search(offset: float = 1.3, n: int = 4, stencil: str = "PLG lattice"):
    """Draw the window, the boundary and the chosen stencil; report rank, cond and the search."""
    cand, centre = disc_candidates(offset, math.radians(78), 4.0, 3)
    fig, ax = plt.subplots(figsize=(4.6, 3.6))
    t = np.linspace(0, 2 * np.pi, 300)
    ax.fill(centre[0] + 4 * np.cos(t), centre[1] + 4 * np.sin(t), color="C0", alpha=0.1)
    ax.plot(centre[0] + 4 * np.cos(t), centre[1] + 4 * np.sin(t), "k-", lw=1)
    ax.plot(*np.array(cand).T, ".", color="0.6")
    ax.plot(0, 0, "*", color="C3", ms=12)
    count = math.comb(n + 2, 2)
    if stencil == "PLG lattice":
        found = poised_lattice(cand, n)
        points = found["points"]
        status = f"{found['status']}, {found['backtracks']} backtracks"
        for k, (line, row) in enumerate(found["rows"] or []):
            xy = np.array([(a, line) if found["axis"] == 1 else (line, a) for a in row])
            ax.plot(*xy.T, "o-", color=f"C{k % 10}", ms=7, mfc="none", lw=2, alpha=0.8)
    else:
        points = nearest_points(cand, count)
        status = "nearest nodes"
        ax.plot(*np.array(points).T, "o", color="C1", ms=7, mfc="none")
    if points is None:
        title = f"n = {n}: no lattice in the window\n({status})"
    else:
        V = vandermonde(points, n)
        title = (f"n = {n}: rank {np.linalg.matrix_rank(V)}/{count}, cond "
                 f"{np.linalg.cond(V):.0f}\n({status})")
    ax.set(xlim=(-3.6, 3.6), ylim=(-3.6, 3.6), aspect="equal", xlabel="$x / h$", ylabel="$y / h$")
    ax.set_title(title, fontsize=9)
    return fig


plot_lattice_search()
plt.show()

# %%
utils.explore(plot_lattice_search, offset=[0.2, 0.7, 1.3, 1.9], n=[2, 3, 4, 5],
              stencil=["PLG lattice", "nearest nodes"])

# %% [markdown]
# Things to look for. Rows are tried nearest-first, so the lattice hugs the node. Close to the
# boundary the nearest rows are cut short and the search backtracks before it succeeds. For high
# degree near the boundary the small window holds no lattice at all; the search then reports "none"
# after trying every option, and PLG-FD would enlarge the window, as the Poisson solver does. The
# nearest nodes are often rank deficient, even where a lattice exists in the same window.

# %% [markdown]
# ## Exercises
#
# The first exercise uses six points drawn on one conic section, tilted and shifted:

# %%
angles = np.array([0.1, 0.9, 1.7, 2.8, 4.0, 5.3])
tilt, shift = 0.5, np.array([0.3, -0.2])
rotation = np.array([[math.cos(tilt), -math.sin(tilt)], [math.sin(tilt), math.cos(tilt)]])
conic_points = (np.stack([1.5 * np.cos(angles), 0.8 * np.sin(angles)], axis=1) @ rotation.T
                + shift)  # (6, 2)

# %% [markdown]
# ```{exercise}
# :label: ch04-ex1
#
# Show numerically that the six points `conic_points` above are not poised for $n = 2$: find a
# nonzero quadratic that vanishes on all six, as a null vector of their $6\times6$ Vandermonde
# matrix. Store its coefficients, in the order of `monomial_exponents(2)` ($1, x, y, x^2, xy, y^2$)
# and scaled so that the constant coefficient is $-1$, in `conic_coefficients`. Which curve is the
# quadratic's zero set, and why must such a quadratic exist? Why does a triangular lattice of
# degree 2 never have this problem?
# ```
#
# ```{solution-start} ch04-ex1
# :class: dropdown
# ```

# %% tags=["solution"]
### BEGIN SOLUTION
V_conic = vandermonde(conic_points, 2)
print("rank of the 6x6 Vandermonde matrix:", np.linalg.matrix_rank(V_conic))
null = np.linalg.svd(V_conic)[2][-1]  # right singular vector of the zero singular value
conic_coefficients = -null / null[0]
print("coefficients of 1, x, y, x^2, xy, y^2:", np.round(conic_coefficients, 6) + 0.0)
### END SOLUTION

# %% [markdown]
# The rank is 5, so the null space is one-dimensional and the scaled null vector is unique. Its zero
# set is the tilted ellipse the points were drawn on (semi-axes 1.5 and 0.8, centre $(0.3, -0.2)$;
# the $xy$ coefficient is nonzero because of the tilt). Any six points on one conic behave like
# this: the conic's own equation is a nonzero quadratic that vanishes on all of them, so
# interpolation cannot be unique. A triangular lattice of degree 2 has three points on one line, and
# a conic meets a line in at most two points unless the line is part of the conic; following
# {eq}`eq-induction`, the only quadratics through a lattice's row 0 are multiples of that line, and
# those cannot also vanish on the other rows.
#
# ```{solution-end}
# ```

# %% tags=["check", "remove-input"]
utils.check_that(
    "ch04-ex1",
    lambda: np.shape(conic_coefficients) == (6,),
    "conic_coefficients has one coefficient per monomial of degree <= 2",
)
utils.check_that(
    "ch04-ex1",
    lambda: abs(conic_coefficients[0] + 1) < 1e-9
    and np.abs(vandermonde(conic_points, 2) @ conic_coefficients).max() < 1e-9,
    "the quadratic has constant term -1 and vanishes on the six points",
)
### BEGIN HIDDEN TESTS
_Q = rotation @ np.diag([1 / 1.5**2, 1 / 0.8**2]) @ rotation.T  # (p - shift)' Q (p - shift) = 1
_raw = np.array([shift @ _Q @ shift - 1, *(-2 * _Q @ shift), _Q[0, 0], 2 * _Q[0, 1], _Q[1, 1]])
utils.check_array("ch04-ex1", conic_coefficients, _raw / -_raw[0], atol=1e-8)
### END HIDDEN TESTS

# %% [markdown]
# The second exercise sweeps these node weights:

# %%
node_weights = [1.0, 10.0, 100.0, 1e3, 1e4]

# %% [markdown]
# ```{exercise}
# :label: ch04-ex2
#
# The weight sweep used six hand-picked pairs. Study the node weight on its own: on the 20-cell
# grid of this chapter's disc, with boundary weight $\omega_B = 100$, compute the smallest singular
# value of the PLG-FD matrix for each node weight $\omega_0$ in `node_weights` above, and store the
# five values in `sigma_by_node_weight`. Store in `smallest_stable_node_weight` the smallest
# $\omega_0$ of the list whose $\sigma_{\min}(A)$ exceeds 5. Why does a heavier node weight make the
# operator more like the continuous one?
# ```
#
# ```{solution-start} ch04-ex2
# :class: dropdown
# ```

# %% tags=["solution"]
### BEGIN SOLUTION
stencils_20 = stencils[20]
sigma_by_node_weight = np.array([
    np.linalg.svd(assemble_plg_fd(stencils_20, (w0, 100.0))[0].toarray(), compute_uv=False)[-1]
    for w0 in node_weights
])
smallest_stable_node_weight = next(w0 for w0, s in zip(node_weights, sigma_by_node_weight) if s > 5)
print("sigma_min(A) by node weight:", np.round(sigma_by_node_weight, 3))
print("smallest node weight with sigma_min > 5:", smallest_stable_node_weight)
### END SOLUTION

# %% [markdown]
# A heavy node weight makes the fit (nearly) interpolate the value at the node, so each
# near-boundary row ties $u_0$ to the polynomial through its neighbours and the boundary data, as
# the 5-point formula does; with $\omega_0 = 1$ the node value is one data point among twenty and
# the fit may smooth it away, which (on our reading of the small $\sigma_{\min}$) lets spurious
# near-null modes live at the boundary. The threshold node weight depends on the grid and the disc
# centre; that the chapter's $10^4$ lies well above it here is a margin, not a derivation.
#
# ```{solution-end}
# ```

# %% tags=["check", "remove-input"]
utils.check_that(
    "ch04-ex2",
    lambda: np.shape(sigma_by_node_weight) == (5,)
    and bool(np.all(np.asarray(sigma_by_node_weight) > 0)),
    "sigma_by_node_weight holds five positive singular values",
)
utils.check_that(
    "ch04-ex2",
    lambda: smallest_stable_node_weight in node_weights,
    "smallest_stable_node_weight is one of node_weights",
)
### BEGIN HIDDEN TESTS
_expected_sigma = np.array([
    np.linalg.svd(assemble_plg_fd(stencils[20], (w0, 100.0))[0].toarray(), compute_uv=False)[-1]
    for w0 in node_weights
])
utils.check_array("ch04-ex2", sigma_by_node_weight, _expected_sigma, rtol=1e-6, atol=1e-9)
utils.check_value("ch04-ex2", smallest_stable_node_weight,
                  next(w0 for w0, s in zip(node_weights, _expected_sigma) if s > 5))
### END HIDDEN TESTS

# %% [markdown]
# ```{exercise}
# :label: ch04-ex3
#
# Extend the search to three dimensions, the way the induction argument does: a triangular lattice
# of degree $n$ in $\mathbb{Z}^3$ is $n + 1$ distinct planes $z = c_0, \dots, c_n$, plane $k$
# holding a 2-D triangular lattice of degree $n - k$. Write `lattice_3d(candidates, n)`, which takes
# a list of integer triples and returns the $\binom{n+3}{3}$ points of such a lattice, or `None` if
# it finds none. Try planes nearest to $z = 0$ first and use `poised_lattice` inside each plane, so
# that each plane holds a 2-D triangular lattice. Does your search ever need to backtrack (undo a
# plane once chosen)? Argue why or why not.
# ```
#
# ```{solution-start} ch04-ex3
# :class: dropdown
# ```

# %% tags=["solution"]
def lattice_3d(candidates, n):
    """A 3-D triangular lattice of degree n among integer triples, or None (planes z = c)."""
    ### BEGIN SOLUTION
    planes = {}
    for x, y, z in candidates:
        planes.setdefault(z, []).append((x, y))
    order = sorted(planes, key=lambda z: (abs(z), z))

    def place(k, used):
        if k == n + 1:
            return []
        for z in order:
            if z in used:
                continue
            found = poised_lattice(planes[z], n - k)
            if found["status"] != "found":
                continue
            rest = place(k + 1, used | {z})
            if rest is not None:
                return [(x, y, z) for x, y in found["points"]] + rest
        return None  # no plane can take row k: backtrack

    return place(0, frozenset())
    ### END SOLUTION

# %% [markdown]
# The recursion mirrors {eq}`eq-induction`: a polynomial of degree $n$ that vanishes on the
# degree-$n$ lattice in the plane $z = c_0$ is divisible by $z - c_0$, and the quotient vanishes on
# the remaining planes. The search never needs to backtrack. A plane that holds a lattice of degree
# $d$ also holds one of degree $d - 1$ (drop its longest row), so any plane that can take row $k$
# can take every later row too; by an exchange argument, taking for each $k$ the nearest plane that
# can hold degree $n - k$ succeeds whenever any assignment does. The `return None` branch is
# therefore a safeguard. (It would matter if the planes' lattices had to satisfy extra rules, such
# as the compact rows, that break this nesting.)
#
# ```{solution-end}
# ```

# %% tags=["check", "remove-input"]
def _is_plane_lattice(points, d):
    """True if 2-D points are d + 1 lines x = c (or y = c) holding d + 1, d, ..., 1 points."""
    return any(sorted(np.unique([p[axis] for p in points], return_counts=True)[1].tolist())
               == list(range(1, d + 2)) for axis in (0, 1))


def _finds_poised_lattice(cands, n):
    """True if lattice_3d returns a 3-D triangular lattice of degree n drawn from cands."""
    got = lattice_3d(cands, n)
    if got is None or len(got) != math.comb(n + 3, 3):
        return False
    got = [tuple(int(v) for v in p) for p in got]
    planes = {}
    for x, y, z in got:
        planes.setdefault(z, []).append((x, y))
    plane_degree = {math.comb(d + 2, 2): d for d in range(n + 1)}  # points in a plane -> degree
    degrees = sorted(plane_degree.get(len(plane), -1) for plane in planes.values())
    return (len(set(got)) == len(got) and set(got) <= set(cands) and degrees == list(range(n + 1))
            and all(_is_plane_lattice(plane, plane_degree[len(plane)])
                    for plane in planes.values())
            and is_poised(got, n))


cube = list(product(range(-2, 3), repeat=3))
_slab = [p for p in cube if p[2] != 0 or (p[0] == 0 and p[1] <= 0)]  # a sparse plane z = 0
utils.check_that(
    "ch04-ex3",
    lambda: _finds_poised_lattice(_slab, 3),
    "lattice_3d returns a 3-D triangular lattice (planes of degree n, ..., 0, each a 2-D "
    "lattice) drawn from the candidates when one exists",
)
### BEGIN HIDDEN TESTS
_two_planes = [p for p in cube if p[2] in (0, 1)]  # only 2 planes: no lattice of degree 2
_thin = [p for p in product(range(-1, 2), repeat=3) if p[2] != 1 or p[:2] == (0, 0)]
utils.check_that(
    "ch04-ex3",
    lambda: all(_finds_poised_lattice(c, m) for c, m in ((cube, 4), (_slab, 3), (_thin, 2))),
    "lattice_3d finds a poised lattice on every test set",
)
utils.check_that(
    "ch04-ex3",
    lambda: lattice_3d(_two_planes, 2) is None,
    "lattice_3d returns None when no lattice exists",
)
### END HIDDEN TESTS

# %% [markdown]
# ```{exercise}
# :label: ch04-ex4
#
# (Open-ended.) The pair $(\omega_0, \omega_B) = (10^4, 100)$ was picked by trial, and a node
# almost on the circle spoils its rows. Propose a rule with fewer arbitrary constants, or a
# different stabilisation (for example weights that fall with the distance from the node, dropping
# boundary points closer to the node than some fraction of $h$, more lattice nodes in the fit, or
# boundary points only on the node's own grid lines), and test it as the chapter tests its own
# choice: the node coefficient and the largest real part of an eigenvalue in the controlled test of
# a node approaching the circle, $\sigma_{\min}(A)$ on every grid, and the global order and its
# pairwise slopes for three disc centres. Does your rule keep every eigenvalue in the left
# half-plane, which a heat-equation solver would need, or does it only move the problem elsewhere?
# Report what you tried, including what failed.
# ```
#
# ```{solution-start} ch04-ex4
# :class: dropdown
# ```

# %% tags=["solution"]
### BEGIN SOLUTION
def distance_weights(grid_points, boundary_offsets, power=4.0, node_distance=0.01):
    """Weights (1 + |xi|)^(-power) on every point; the node counts as a point at node_distance."""
    points = np.array(list(grid_points) + list(boundary_offsets), dtype=float)
    omega = (1 + np.hypot(points[:, 0], points[:, 1])) ** -power
    omega[list(grid_points).index((0, 0))] = (1 + node_distance) ** -power / node_distance**power
    return omega


for centre in np.random.default_rng(5).uniform(-0.1, 0.1, (3, 2)):
    grids = [20, 28, 40]
    errs = [max_error(*assemble_plg_fd(near_boundary_stencils(c, centre), distance_weights)[:3])
            for c in grids]
    dense = assemble_plg_fd(near_boundary_stencils(20, centre), distance_weights)[0].toarray()
    order = np.polyfit(np.log([2.4 / c for c in grids]), np.log(errs), 1)[0]
    sigma_min = np.linalg.svd(dense, compute_uv=False)[-1]
    print(f"centre {np.round(centre, 3)}: sigma_min {sigma_min:.2f}"
          f", max Re(eig) {np.linalg.eigvals(dense).real.max():+.1f}, fitted order {order:.2f}")
### END SOLUTION

# %% [markdown]
# One attempt, for illustration: weights $(1 + |\boldsymbol\xi|)^{-4}$ on every point, with the node
# treated as a point at distance $0.01h$. This replaces two constants by two others (the power and
# the node's distance), so it is not yet a principled rule; judge it by the printed numbers, on more
# grids and centres than shown here. A good answer compares several rules on the same footing, says
# which constants remain, and checks the spectrum as well as the error.
#
# ```{solution-end}
# ```

# %% [markdown]
# ## Takeaways and limits
#
# - A triangular lattice is poised by a one-line induction, and a search that fixes one row at a
#   time, with backtracking and an outer choice of axis, finds such lattices where the nearest nodes
#   are not poised. The nearest-point rule fails even in the interior, through ties; the fair naive
#   peer, least squares on more nearest nodes, is still rank deficient on grid values at a sizeable
#   share of near-boundary nodes.
# - The compact search rules are a heuristic that misses lattices on ragged sets; the relaxed rows
#   are exact; "none" comes with a certificate and a capped search says "gave up".
# - Least-squares weights on a poised lattice give the Laplacian to order $n - 1$, and a Poisson
#   solver on a disc with a fitted order of about 4 or more. The band error gains one to two
#   orders in the global error, sometimes a little more, depending on the disc centre, where
#   Shortley–Weller gains about two. Because of that gain, degree-3 lattices also converge far above their local order: a
#   fitted order near 4 does not certify degree 4, which here buys a smaller error constant.
# - With Dirichlet data next to the node, least squares on the 21 nearest nodes was as accurate as
#   PLG-FD or more, and at equal size the lattice brought no systematic gain. The lattice's
#   advantage here is a small stencil that is poised on grid values alone.
# - The fourth order needed hand-picked weights, and the chosen pair is not stable in the spectral
#   sense. Light node weights make $A$ nearly singular; with heavy ones, a node almost on the
#   circle gives its row a collapsed or positive node coefficient. The first makes the pairwise
#   slopes erratic, the second puts an eigenvalue in the right half-plane: harmless for a Poisson
#   solve, not for time stepping. The same happens with the nearest-node stencils, so it belongs
#   to this boundary treatment; a fix is open.
# - The condition number of $V$ falls and then rises as the stencil widens, but that rise is mostly
#   monomial scaling; data errors are amplified *less* by wide stencils, and what they cost is
#   truncation error.
#
# The global claim was tested on one smooth manufactured solution on a disc, a convex domain with a
# smooth boundary, at $n = 4$ (with $n = 3$ as a contrast), on grids up to 160 cells. Laptop scale
# and this reconstruction cannot show what the paper goes on to do: lattices in three dimensions and
# the group structure of its permutations, degrees up to 6, non-convex geometries with thin
# features, Neumann conditions, and time-dependent problems. The search rules here (compact rows,
# nearest-first order, relaxed fallback) and the weights are this chapter's; the paper's state space
# and its optimality proof for the depth-first search are not reproduced.
#
# Related reading: embedded-boundary and immersed-interface methods treat the same irregular
# boundaries by other means {cite}`leveque2007fd`; neural operators on irregular domains take yet
# another route, e.g. Geo-FNO (arXiv:2207.05209), the subject of chapter 08, and NUNO (*A General
# Framework for Learning Parametric PDEs with Non-Uniform Data*, from the seminar's reading list),
# which splits non-uniform data into uniform sub-grids; *Better Neural PDE Solvers Through
# Data-Free Mesh Movers*, on the same list, moves the grid instead of changing the stencil.
#
# ## References and further reading
#
# ```{bibliography}
# :filter: docname in docnames
# ```
