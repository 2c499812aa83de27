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
# # 02 · Multilinear operator networks (MONet)
#
# **Paper.** Yixin Cheng, Grigorios G. Chrysos, Markos Georgopoulos, Volkan Cevher.
# *Multilinear Operator Networks.* ICLR 2024.
# [arXiv:2401.17992](https://arxiv.org/abs/2401.17992) {cite}`cheng2024monet`.
#
# **Summary.** MONet builds an image classifier from one kind of layer, the Mu-layer, which
# multiplies two linear projections of its input elementwise and adds one of them back; it has no
# activation function, so the whole network is a polynomial of its input. The paper reports that
# it outperforms earlier polynomial networks and performs on par with modern architectures on
# ImageNet, is robust on ImageNet-C, and recovers the equations of a predator–prey system.
#
# **What the seminar notes claim.** Removing the activation layers makes the fitted function an
# expression that can be written down; the key block mixes a full-rank and a low-rank projection,
# $Y = C[(AX) \ast (BDX) + AX]$. The notes add that MONet is robust on ImageNet-C, does well on
# small data although it has little built-in inductive bias, and recovers the Lotka–Volterra ODE
# very accurately. Of the ablations they list, a pyramid embedding helps and saves compute, depth
# beats width, the spatial shift matters little, and the low-rank factor can be compressed hard
# without losing accuracy.
#
# **How this chapter tests it.** The Mu-layer and the Poly-block are written from scratch and
# expanded symbolically with `sympy`. One Mu-layer learns the Lotka–Volterra vector field, beside
# MLPs with activations, a linear fit and least squares on monomials. A small MONet classifies
# scikit-learn's 8×8 digits beside a GELU MLP of the same size, the paper's ablation without the
# multiplicative branch, logistic regression and a nearest-neighbour classifier, under growing
# input noise; a sweep of the low-rank factor's rank tests the notes' compression ablation. The
# paper's numbers in the card and the claim table come from a secondary summary of the paper that
# this chapter could not check against the paper itself; they are marked "unconfirmed".
#
# **Run time:** about 35 s in fast mode and about 1.5 min in full mode on a 2-core CPU
# (measured values are in the {doc}`scoreboard <../book/scoreboard>`).

# %% [markdown]
# ## Learning objectives
#
# After this chapter you can:
#
# 1. write a Mu-layer and a Poly-block, count their parameters, and explain what the low-rank
#    factor saves;
# 2. expand a network without activations into an explicit polynomial and predict its degree;
# 3. recover the equations of a polynomial vector field from a trained Mu-layer, and explain why
#    it extrapolates where an MLP with activations cannot;
# 4. compare a polynomial network with an MLP and with the ablation that removes the
#    multiplicative branch, at equal size, on clean and noisy inputs;
# 5. judge which of the paper's claims a laptop-scale experiment can and cannot test.

# %% [markdown]
# ## Background and theory
#
# ### From activations to products
#
# An MLP layer is $\sigma(Wx + b)$: linear maps make it expressive only because the activation
# $\sigma$ bends them. There is a second way to leave the linear world: multiply. The elementwise
# (Hadamard) product $\ast$ of two affine maps of $x$,
#
# ```{math}
# :label: eq-hadamard
# \big[(A x + a) \ast (E x + e)\big]_i
# = \Big(\sum_j A_{ij} x_j + a_i\Big)\Big(\sum_k E_{ik} x_k + e_i\Big),
# ```
#
# is a polynomial of degree 2 in $x$, and each output coordinate contains every product
# $x_j x_k$ with a learned weight. Polynomial networks ($\Pi$-nets) stack such products to build
# high-degree polynomials without any activation {cite}`chrysos2020pinets`. The paper's aim is to
# make such networks competitive with modern architectures on image recognition.
#
# ### The Mu-layer
#
# The paper's core layer, the Mu-layer, takes the second factor of {eq}`eq-hadamard` through a
# low-rank bottleneck and adds the first factor back:
#
# ```{math}
# :label: eq-mu-layer
# y = C\big[(A x) \ast (B D x) + A x\big],
# \qquad A \in \mathbb{R}^{h\times d},\; D \in \mathbb{R}^{r\times d},\;
# B \in \mathbb{R}^{h\times r},\; C \in \mathbb{R}^{o\times h}.
# ```
#
# $A$ and $C$ are full-rank projections to a hidden width $h$ and back; $BD$ is an $h \times d$
# matrix of rank at most $r$, which costs $r(d + h)$ parameters instead of $hd$. The added $Ax$
# keeps the degree-1 part of the map, so a Mu-layer can represent linear functions as well as
# quadratic ones. With the biases that every linear map here carries ($Ax$ stands for $Ax + a$),
# each output of {eq}`eq-mu-layer` is a polynomial of degree at most 2 in the entries of $x$.
#
# In the paper's implementation the two branches are also normalised: the layer computes
# $C[\mathrm{LN}(Ax) \ast \mathrm{LN}(BDx) + \mathrm{LN}(Ax)]$, with LN a layer normalisation (this
# chapter follows the brief's description of the authors' code here). A layer normalisation divides
# by a standard deviation, so it is not a polynomial. The paper calls the network multilinear
# because its only nonlinear operation on the signal is the product; the network with LayerNorm is
# a polynomial only up to those normalisations. In this chapter the Lotka–Volterra model has no
# LayerNorm, and is an exact polynomial; the digit classifier keeps them, as the paper does.
#
# ### The Poly-block and the degree of a deep network
#
# The paper stacks Mu-layers in Poly-blocks. A Poly-block applies two Mu-layers with residual
# connections, the first mixing information across image patches (with a spatial shift) and the
# second across channels with a wider hidden layer:
#
# ```{math}
# :label: eq-poly-block
# x \leftarrow x + \mathrm{Mu}_1(\mathrm{LN}(x)), \qquad
# x \leftarrow x + \mathrm{Mu}_2(\mathrm{LN}(x)).
# ```
#
# Without normalisations, composing polynomials multiplies their degrees, and the residual sum
# does not raise it. The first Mu-layer gives degree 2, the second applied to a degree-2 polynomial
# gives degree 4, so a stack of $N$ Poly-blocks is a polynomial of degree at most
#
# ```{math}
# :label: eq-degree
# \deg \le 4^N .
# ```
#
# Eight blocks reach degree $4^8 = 65\,536$: the number of monomials
# of that degree in a 64-dimensional input is astronomical, and the network picks a structured,
# low-rank subset of them. The digit classifier below has no image patches, only one
# 64-dimensional vector per image, so both of its Mu-layers mix channels; the spatial shift and
# the pyramid embedding of the paper have no counterpart here.
#
# ### A polynomial vector field: Lotka–Volterra
#
# The paper's scientific-computing example is the predator–prey system
#
# ```{math}
# :label: eq-lotka-volterra
# \dot x = \alpha x - \beta x y, \qquad \dot y = \delta x y - \gamma y,
# ```
#
# with prey $x$ and predators $y$. Its right-hand side is a polynomial of degree 2, so one
# Mu-layer can represent it exactly (you will build such a layer by hand in
# {ref}`ch02-ex2 <ch02-ex2>`). If training finds those weights, the learned field agrees with the
# true one everywhere, not only where there was data. An MLP with $\tanh$ or GELU activations can
# only fit the field where it saw samples: far away, a $\tanh$ network saturates to a constant and
# a GELU network grows at most linearly, while the true field grows quadratically. This is the
# reason to expect the extrapolation gap measured below; the chapter measures it rather than
# assuming it.

# %%
import time

import matplotlib.pyplot as plt
import numpy as np
import sympy as sp
import torch
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.neighbors import KNeighborsClassifier
from torch import nn

import utils
from utils.dynamics import (
    fit_monomials,
    lotka_volterra_field,
    lotka_volterra_trajectories,
    monomial_features,
    monomial_names,
)

info = utils.setup()
LV_PARAMS = (1.5, 1.0, 3.0, 1.0)  # alpha, beta, gamma, delta in eq. (5)

# %% [markdown]
# ## Implementation from scratch
#
# The Mu-layer is four `nn.Linear` maps and one product. The flag `multiplicative=False` drops the
# product branch (and its $B$, $D$), which leaves $C A x$: the paper's ablation with a linear block.
# The flag `layer_norm=True` adds the two normalisations of the paper's implementation.


# %%
class MuLayer(nn.Module):
    """Mu-layer, eq. (2): y = C[(A x) * (B D x) + A x], optionally with LayerNorms."""

    def __init__(self, d_in, hidden, d_out, rank, multiplicative=True, layer_norm=False):
        super().__init__()
        self.multiplicative = multiplicative
        self.A = nn.Linear(d_in, hidden)  # full rank, (hidden, d_in)
        self.C = nn.Linear(hidden, d_out)  # full rank, (d_out, hidden)
        self.norm_a = nn.LayerNorm(hidden) if layer_norm else nn.Identity()
        if multiplicative:
            self.D = nn.Linear(d_in, rank, bias=False)  # low-rank factor, (rank, d_in)
            self.B = nn.Linear(rank, hidden)  # (hidden, rank)
            self.norm_b = nn.LayerNorm(hidden) if layer_norm else nn.Identity()

    def forward(self, x):  # x: (batch, d_in) -> (batch, d_out)
        ax = self.norm_a(self.A(x))
        if not self.multiplicative:
            return self.C(ax)
        bdx = self.norm_b(self.B(self.D(x)))
        return self.C(ax * bdx + ax)


class PolyBlock(nn.Module):
    """Poly-block, eq. (4): two Mu-layers with residual connections (channel mixing only)."""

    def __init__(self, width, hidden, rank, multiplicative=True, layer_norm=True):
        super().__init__()
        norm = (lambda: nn.LayerNorm(width)) if layer_norm else nn.Identity
        self.norm1, self.norm2 = norm(), norm()
        self.mu1 = MuLayer(width, width, width, rank, multiplicative, layer_norm)
        self.mu2 = MuLayer(width, hidden, width, rank, multiplicative, layer_norm)

    def forward(self, x):
        x = x + self.mu1(self.norm1(x))
        return x + self.mu2(self.norm2(x))


def count_parameters(model):
    """Number of trainable parameters of a module."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


# %% [markdown]
# To read a network as a polynomial we push `sympy` symbols through the same four matrices. The
# function below does for a Mu-layer without LayerNorm what `MuLayer.forward` does for numbers.
# It takes a column of symbolic expressions, so layers can be chained.


# %%
def linear_sym(layer, x):
    """Apply an nn.Linear to a sympy column vector x: W x + b."""
    weight = sp.Matrix(layer.weight.detach().double().cpu().numpy())
    out = weight * x
    if layer.bias is not None:
        out += sp.Matrix(layer.bias.detach().double().cpu().numpy())
    return out


def mu_layer_sym(layer, x):
    """Expand a Mu-layer without LayerNorm, eq. (2), on a sympy column vector x."""
    ax = linear_sym(layer.A, x)
    if not layer.multiplicative:
        return linear_sym(layer.C, ax).applyfunc(sp.expand)
    bdx = linear_sym(layer.B, linear_sym(layer.D, x))
    return linear_sym(layer.C, ax.multiply_elementwise(bdx) + ax).applyfunc(sp.expand)


def poly_block_sym(block, x):
    """Expand a Poly-block without LayerNorm, eq. (4), on a sympy column vector x."""
    x = x + mu_layer_sym(block.mu1, x)
    return (x + mu_layer_sym(block.mu2, x)).applyfunc(sp.expand)


def total_degree(expressions, symbols):
    """Largest total degree of a list of polynomials in the given symbols."""
    return max(sp.Poly(e, *symbols).total_degree() for e in expressions)


# %% [markdown]
# A small Mu-layer with two inputs, random weights and no LayerNorm, written out: every monomial
# of degree at most 2 in $x, y$ appears, with a coefficient that is a sum of products of weights.

# %%
torch.manual_seed(info.seed)
x_sym, y_sym = sp.symbols("x y")
xy_sym = sp.Matrix([x_sym, y_sym])
tiny_layer = MuLayer(2, 3, 1, rank=1).double()
tiny_poly = mu_layer_sym(tiny_layer, xy_sym)[0]
print("Mu-layer (2 -> 3 -> 1, rank 1) as a polynomial:")
print("  y =", sp.N(tiny_poly, 3))
print("  degree:", total_degree([tiny_poly], (x_sym, y_sym)))

# %% [markdown]
# The training loop is the same for every regression model of the chapter: full-batch Adam with a
# cosine learning-rate schedule on the mean squared error. The learning rate $3\times10^{-2}$ was
# the best of $\{3\times10^{-3}, 10^{-2}, 3\times10^{-2}\}$ for each of the three networks below
# in a trial on two seeds while this chapter was written (the trial is not repeated here).


# %%
def train_regressor(model, inputs, targets, steps, lr=3e-2):
    """Full-batch Adam with a cosine schedule on the mean squared error; returns the final loss."""
    optimiser = torch.optim.Adam(model.parameters(), lr=lr)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimiser, steps)
    for _ in range(steps):
        optimiser.zero_grad()
        loss = torch.mean((model(inputs) - targets) ** 2)
        loss.backward()
        optimiser.step()
        schedule.step()
    return loss.item()


def mlp(d_in, hidden, d_out, activation):
    """Two-hidden-layer MLP with the given activation class."""
    return nn.Sequential(
        nn.Linear(d_in, hidden), activation(), nn.Linear(hidden, hidden), activation(),
        nn.Linear(hidden, d_out),
    )


# %% [markdown]
# ## Cross-check
#
# Two things can be checked against an independent answer before any training. First, the
# symbolic expansion must be the function that PyTorch computes: evaluate the `sympy` polynomial
# with `lambdify` and compare with `MuLayer.forward` in double precision at random points. Second,
# the degree of the expansion must follow {eq}`eq-degree`: 2 for a Mu-layer, 4 for one
# Poly-block, 16 for two.

# %%
torch.manual_seed(info.seed + 1)
test_points = np.random.default_rng(info.seed).uniform(-2, 2, size=(200, 2))
layer_check = MuLayer(2, 4, 2, rank=2).double()
poly_check = mu_layer_sym(layer_check, xy_sym)
evaluate = sp.lambdify((x_sym, y_sym), list(poly_check), "numpy")
from_sympy = np.stack(evaluate(test_points[:, 0], test_points[:, 1]), axis=1)
with torch.no_grad():
    from_torch = layer_check(torch.tensor(test_points)).numpy()
sympy_vs_torch = np.max(np.abs(from_sympy - from_torch)) / np.max(np.abs(from_torch))

blocks_check = [PolyBlock(2, 3, rank=1, layer_norm=False).double() for _ in range(2)]
expr = xy_sym
degrees = {"Mu-layer": total_degree(list(poly_check), (x_sym, y_sym))}
for n_blocks, block in enumerate(blocks_check, start=1):
    expr = poly_block_sym(block, expr)
    degrees[f"{n_blocks} Poly-block(s)"] = total_degree(list(expr), (x_sym, y_sym))
degree_two_blocks = degrees["2 Poly-block(s)"]

print(f"max relative difference, sympy expansion vs torch forward: {sympy_vs_torch:.1e}")
for name, degree in degrees.items():
    print(f"degree of {name:17s}: {degree}")
assert sympy_vs_torch < 1e-10, "the symbolic expansion is not the function torch computes"
assert list(degrees.values()) == [2, 4, 16], "degrees must follow eq. (4): 2, 4, 4^2"

# %% [markdown]
# The expansion agrees with PyTorch to round-off, and the degrees are those of {eq}`eq-degree`.
# Two stacked Poly-blocks on a 2-dimensional input already have up to 153 monomials; the network
# stores them in a few dozen weights.

# %% [markdown]
# ## Experiment
#
# ### Part A: learning the Lotka–Volterra vector field
#
# The data are five trajectories of {eq}`eq-lotka-volterra` with
# $(\alpha, \beta, \gamma, \delta) = (1.5, 1, 3, 1)$, started at random points of $[0.5, 2]^2$,
# integrated with `scipy.integrate.solve_ivp` to $t = 5$, and sampled at 100 times each. The
# regression targets are the exact derivatives at the sampled states (no noise; see
# {ref}`ch02-ex4 <ch02-ex4>` for noisy, finite-difference derivatives). First, a look at the data.

# %%
lv_rng = np.random.default_rng(info.seed)
states, derivatives = lotka_volterra_trajectories(
    5, 100, lv_rng, start_box=(0.5, 2.0), params=LV_PARAMS
)
box_low, box_high = states.min(axis=0), states.max(axis=0)
print(f"{len(states)} samples; training box x in [{box_low[0]:.2f}, {box_high[0]:.2f}], "
      f"y in [{box_low[1]:.2f}, {box_high[1]:.2f}]")
singular_values = np.linalg.svd(monomial_features(states, 2), compute_uv=False)
print(f"condition number of the degree-2 monomial features: "
      f"{singular_values[0] / singular_values[-1]:.0f}")

# %% [markdown]
# The figure shows the trajectories in the phase plane, with the bounding box of the samples
# (the *training box*), and one trajectory against time.

# %% tags=["hide-input"]
fig, (ax_phase, ax_time) = plt.subplots(1, 2, figsize=(6.8, 3.0))
for k in range(5):
    ax_phase.plot(*states[100 * k : 100 * (k + 1)].T, ".", ms=2)
ax_phase.add_patch(plt.Rectangle(box_low, *(box_high - box_low), fill=False, ls="--", color="k"))
ax_phase.set_xlabel("prey $x$")
ax_phase.set_ylabel("predators $y$")
ax_phase.set_title("Five orbits and the training box")
times = np.linspace(0, 5, 100)
ax_time.plot(times, states[:100, 0], label="prey $x$")
ax_time.plot(times, states[:100, 1], label="predators $y$")
ax_time.set_xlabel("time $t$")
ax_time.set_ylabel("population")
ax_time.set_title("One trajectory against time")
ax_time.legend()
fig.tight_layout()
plt.show()

# %% [markdown]
# The orbits are closed cycles around the equilibrium $(\gamma/\delta, \alpha/\beta) = (3, 1.5)$,
# as they should be for this conservative system; prey peaks precede predator peaks. All samples
# lie on a few curves inside the dashed box; the models never see the rest of the plane.
#
# Samples on a few curves can pin down a quadratic field only if no nonzero quadratic vanishes on
# all of them. Small orbits near the equilibrium are nearly ellipses, that is, nearly zero sets of
# one quadratic, and then the coefficients are poorly determined. The condition number of the
# matrix of monomials printed above measures this. The starting box $[0.5, 2]^2$ was chosen, while
# the chapter was written, after starts closer to the equilibrium gave a data set on which training
# the Mu-layer stalled away from the true coefficients. That failure is part of the result, not a
# nuisance: in a check run while the chapter was refereed (not repeated here, to keep the run
# short), starts drawn from $[1, 3]^2$ gave, on one of five seeds, a condition number of about 900;
# the same Mu-layer, optimiser and number of steps stopped at a training error of about $10^{-5}$
# with coefficient errors of order $0.1$, while least squares on the same samples recovered the
# coefficients to round-off. Recovering the equations by *training* a Mu-layer is therefore less
# reliable than the linear least-squares problem it implicitly solves, and the data used below are
# the favourable case.
#
# Five models learn the map $(x, y) \mapsto (\dot x, \dot y)$, all on the same samples:
#
# - **Mu-layer**: one layer {eq}`eq-mu-layer` with hidden width 8, rank 4, no LayerNorm (90
#   parameters), float64;
# - **tanh MLP** and **GELU MLP**: two hidden layers of width 16 (354 parameters, four times the
#   Mu-layer), the same optimiser, learning rate and number of steps;
# - **linear fit**: least squares on $(1, x, y)$, the trivial baseline;
# - **least squares on monomials** of degree $\le 2$ (SINDy-style {cite}`brunton2016sindy`), the
#   oracle that knows the right function class.

# %%
lv_steps = 3000  # the same in fast mode: fewer steps leave the Mu-layer short of the optimum
z_train = torch.tensor(states)
dz_train = torch.tensor(derivatives)

torch.manual_seed(info.seed)
lv_models = {
    "Mu-layer": MuLayer(2, 8, 2, rank=4).double(),
    "tanh MLP": mlp(2, 16, 2, nn.Tanh).double(),
    "GELU MLP": mlp(2, 16, 2, nn.GELU).double(),
}
for name, model in lv_models.items():
    start = time.process_time()
    loss = train_regressor(model, z_train, dz_train, lv_steps)
    print(f"{name:9s}: {count_parameters(model):4d} parameters, final training MSE {loss:.1e}, "
          f"{time.process_time() - start:.1f} s CPU")
linear_coef = fit_monomials(states, derivatives, 1)
monomial_coef = fit_monomials(states, derivatives, 2)


# %% [markdown]
# The trained models are compared on two regions: the samples themselves (*in the box*), and a
# grid over $[0, 2x_{\max}] \times [0, 2y_{\max}]$ with the training box cut out (*outside*). The
# error is the relative $L^2$ error of the predicted vector field.


# %%
def predict_field(name, z):
    """Vector field predicted by the named model at states z (n, 2)."""
    if name == "linear fit":
        return monomial_features(z, 1) @ linear_coef
    if name == "least squares, degree 2":
        return monomial_features(z, 2) @ monomial_coef
    with torch.no_grad():
        return lv_models[name](torch.tensor(z)).numpy()


def relative_error(predicted, exact):
    """Relative L2 error of a predicted vector field."""
    return np.linalg.norm(predicted - exact) / np.linalg.norm(exact)


grid_x = np.linspace(0, 2 * box_high[0], 81)
grid_y = np.linspace(0, 2 * box_high[1], 81)
grid = np.stack(np.meshgrid(grid_x, grid_y), axis=-1).reshape(-1, 2)
inside = np.all((grid >= box_low) & (grid <= box_high), axis=1)
outside_points = grid[~inside]
field_outside = lotka_volterra_field(outside_points, LV_PARAMS)

lv_names = ["Mu-layer", "tanh MLP", "GELU MLP", "linear fit", "least squares, degree 2"]
lv_errors = {
    name: (
        relative_error(predict_field(name, states), derivatives),
        relative_error(predict_field(name, outside_points), field_outside),
    )
    for name in lv_names
}

# %% tags=["hide-input"]
print(f"{'model':25s} {'error in the box':>17s} {'error outside':>14s}")
for name, (err_in, err_out) in lv_errors.items():
    print(f"{name:25s} {err_in:17.1e} {err_out:14.1e}")

# %% [markdown]
# Inside the box every model except the linear fit is accurate. Outside it the Mu-layer keeps its
# accuracy, like the oracle, while both MLPs lose it. The maps below show where: the relative
# error $|\hat f - f| / |f|$ over the whole grid, with the training box dashed.

# %% tags=["hide-input"]
def error_map(name):
    """Pointwise relative error of a model's field on the full grid, shape (81, 81)."""
    exact = lotka_volterra_field(grid, LV_PARAMS)
    err = np.linalg.norm(predict_field(name, grid) - exact, axis=1)
    return (err / np.maximum(np.linalg.norm(exact, axis=1), 1e-3)).reshape(81, 81)


fig, axes = plt.subplots(2, 2, figsize=(6.8, 5.6), sharex=True, sharey=True, layout="constrained")
for ax, name in zip(axes.flat, ["Mu-layer", "tanh MLP", "GELU MLP", "linear fit"]):
    image = ax.pcolormesh(grid_x, grid_y, np.log10(error_map(name) + 1e-16), vmin=-10, vmax=1)
    ax.add_patch(plt.Rectangle(box_low, *(box_high - box_low), fill=False, ls="--", color="w"))
    ax.set_title(f"{name}: outside {lv_errors[name][1]:.0e}", fontsize=9)
for ax in axes[1]:
    ax.set_xlabel("prey $x$")
for ax in axes[:, 0]:
    ax.set_ylabel("predators $y$")
fig.colorbar(image, ax=axes, label="log$_{10}$ relative error")
fig.suptitle("Where each model's vector field is wrong")
plt.show()

# %% [markdown]
# The Mu-layer's error is near round-off everywhere, with no trace of the box; the MLPs are accurate
# along the orbits and grow wrong with the distance from them. The linear fit is wrong everywhere,
# which shows that the task needs the $xy$ term.
#
# Because the Mu-layer has no activations, its learned field can be written out. Expanding it with
# `sympy` and comparing each coefficient with the true one:

# %%
learned_field = mu_layer_sym(lv_models["Mu-layer"], xy_sym)
names = monomial_names(["x", "y"], 2)
true_coef = np.zeros((6, 2))
true_coef[names.index("x"), 0], true_coef[names.index("x y"), 0] = LV_PARAMS[0], -LV_PARAMS[1]
true_coef[names.index("y"), 1], true_coef[names.index("x y"), 1] = -LV_PARAMS[2], LV_PARAMS[3]
monomials = [sp.Integer(1), x_sym, y_sym, x_sym**2, x_sym * y_sym, y_sym**2]
learned_coef = np.array(
    [[float(sp.Poly(f, x_sym, y_sym).coeff_monomial(m)) for f in learned_field] for m in monomials]
)
coef_error = np.max(np.abs(learned_coef - true_coef))
print("learned: dx/dt =", sp.N(learned_field[0], 6))
print("         dy/dt =", sp.N(learned_field[1], 6))
print(f"largest coefficient error over all 12 monomials: {coef_error:.1e}")
print(f"same, for least squares on monomials:            "
      f"{np.max(np.abs(monomial_coef - true_coef)):.1e}")

# %% [markdown]
# The Mu-layer recovers $\alpha, \beta, \gamma, \delta$, and the coefficients of the four
# monomials that should be absent come out at the level printed above, so the equations can be read
# off the trained network. The oracle, which is handed the right monomials and solves a linear
# least-squares problem, reaches the same level; the Mu-layer had to find its coefficients by
# gradient descent through a product of matrices, from a random start, and none of its 90 weights
# is individually interpretable: only the expanded polynomial is.
#
# This test is the easiest case of the paper's claim: the true field is a polynomial of exactly the
# degree a Mu-layer represents, and the derivatives are exact. A field that is not a polynomial
# (for example with a saturating term $x/(1+x)$) would not be recovered by any finite polynomial,
# and its extrapolation would fail too.
#
# ### Part B: digits, clean and noisy
#
# scikit-learn's 8×8 digits (1797 images, 10 classes, shipped with the package) stand in for
# ImageNet. Pixels are scaled to $[0, 1]$; 70 % of the images train, 30 % test, stratified by class.
# For robustness, the test images get Gaussian noise of standard deviation $\sigma$ added to every
# pixel: a laptop stand-in for ImageNet-C's corruptions. First, the data, clean and at
# $\sigma = 0.2$:

# %%
digits_x, digits_y = load_digits(return_X_y=True)
digits_x = digits_x / 16.0
x_tr, x_te, y_tr, y_te = train_test_split(
    digits_x, digits_y, test_size=0.3, random_state=info.seed, stratify=digits_y
)
x_tr_t, x_te_t = (torch.tensor(a, dtype=torch.float32) for a in (x_tr, x_te))
y_tr_t = torch.tensor(y_tr)
noise_levels = [0.0, 0.1, 0.2, 0.3, 0.4]
noise_rng = np.random.default_rng(info.seed + 100)
noisy_test = {s: x_te + s * noise_rng.standard_normal(x_te.shape) for s in noise_levels}
print(f"train {len(x_tr)} images, test {len(x_te)} images (one test image = "
      f"{100 / len(x_te):.2f} percentage points)")

# %% tags=["hide-input"]
fig, axes = plt.subplots(2, 8, figsize=(6.8, 2.4), layout="constrained")
for k in range(8):
    axes[0, k].imshow(x_te[k].reshape(8, 8), cmap="gray_r", vmin=0, vmax=1)
    axes[1, k].imshow(noisy_test[0.2][k].reshape(8, 8), cmap="gray_r", vmin=0, vmax=1)
    axes[0, k].set_title(f"label {y_te[k]}", fontsize=8)
for ax in axes.flat:
    ax.set_xticks([])
    ax.set_yticks([])
axes[0, 0].set_ylabel("clean", fontsize=8)
axes[1, 0].set_ylabel("σ = 0.2", fontsize=8)
fig.suptitle("Test digits, clean (top) and with noise σ = 0.2 (bottom)")
plt.show()

# %% [markdown]
# At $\sigma = 0.2$ the digits are still readable by eye, but every pixel, including the
# background, now carries noise.
#
# The classifiers share one skeleton: a linear embedding $64 \to 64$, three residual blocks, a
# LayerNorm and a linear head to 10 classes. They differ only in the block:
#
# - **MONet**: Poly-blocks {eq}`eq-poly-block` with Mu-layers of hidden width 64 and 128, rank 8
#   (the paper's shrinkage ratio of 8), LayerNorms as in the paper;
# - **GELU MLP**: each Mu-layer replaced by `Linear → GELU → Linear`, with the hidden widths
#   chosen so the parameter count matches MONet's (the paper's argument is against activations);
# - **linear ablation**: Poly-blocks without the product branch, $y = C\,\mathrm{LN}(Ax)$, the
#   paper's "linear block" ablation (it has fewer parameters, since $B$ and $D$ are gone).
#
# All three train with the same optimiser (AdamW, one-cycle schedule, batch 64) for the same number
# of epochs. Logistic regression and a 1-nearest-neighbour classifier on the raw pixels are the
# trivial baselines.


# %%
class MLPBlock(nn.Module):
    """Residual block of the same shape as a Poly-block, with GELU MLPs instead of Mu-layers."""

    def __init__(self, width, hidden1, hidden2):
        super().__init__()
        self.norm1, self.norm2 = nn.LayerNorm(width), nn.LayerNorm(width)
        self.mlp1 = nn.Sequential(nn.Linear(width, hidden1), nn.GELU(), nn.Linear(hidden1, width))
        self.mlp2 = nn.Sequential(nn.Linear(width, hidden2), nn.GELU(), nn.Linear(hidden2, width))

    def forward(self, x):
        x = x + self.mlp1(self.norm1(x))
        return x + self.mlp2(self.norm2(x))


class DigitNet(nn.Module):
    """Embedding 64 -> width, residual blocks, LayerNorm and a linear head to 10 classes."""

    def __init__(self, blocks, width=64):
        super().__init__()
        self.embed = nn.Linear(64, width)
        self.blocks = nn.Sequential(*blocks)
        self.norm = nn.LayerNorm(width)
        self.head = nn.Linear(width, 10)

    def forward(self, x):  # x: (batch, 64) -> logits (batch, 10)
        return self.head(self.norm(self.blocks(self.embed(x))))


def make_digit_net(kind, rank=8, width=64, n_blocks=3):
    """MONet, GELU MLP of equal size, or the linear ablation, with n_blocks residual blocks."""
    if kind == "MONet":
        blocks = [PolyBlock(width, 2 * width, rank) for _ in range(n_blocks)]
    elif kind == "linear ablation":
        blocks = [PolyBlock(width, 2 * width, rank, multiplicative=False) for _ in range(n_blocks)]
    elif kind == "GELU MLP":
        target = count_parameters(PolyBlock(width, 2 * width, rank))
        extra = 0  # widen both hidden layers until a block has as many parameters as a Poly-block
        while count_parameters(MLPBlock(width, width + extra, 2 * width + extra)) < target:
            extra += 1
        blocks = [MLPBlock(width, width + extra, 2 * width + extra) for _ in range(n_blocks)]
    else:
        raise ValueError(f"kind must be 'MONet', 'GELU MLP' or 'linear ablation', got {kind!r}")
    return DigitNet(blocks, width)


def train_classifier(model, epochs, seed, lr=3e-3, batch=64):
    """AdamW with a one-cycle schedule on the cross-entropy; returns the trained model."""
    optimiser = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=1e-4)
    steps_per_epoch = -(-len(x_tr_t) // batch)
    total_steps = epochs * steps_per_epoch
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimiser, lr, total_steps=total_steps)
    order = torch.Generator().manual_seed(seed)
    for _ in range(epochs):
        permutation = torch.randperm(len(x_tr_t), generator=order)
        for i in range(0, len(x_tr_t), batch):
            idx = permutation[i : i + batch]
            optimiser.zero_grad()
            loss = nn.functional.cross_entropy(model(x_tr_t[idx]), y_tr_t[idx])
            loss.backward()
            optimiser.step()
            schedule.step()
    return model


def accuracy(predict, sigma):
    """Test accuracy in percent of a predict(images) -> labels function at noise level sigma."""
    return 100.0 * np.mean(predict(noisy_test[sigma]) == y_te)


def torch_predictor(model):
    """Wrap a trained classifier as a function of NumPy images returning labels."""
    def predict(images):
        with torch.no_grad():
            return model(torch.tensor(images, dtype=torch.float32)).argmax(1).numpy()
    return predict


# %%
epochs = utils.pick(15, 30)
digit_models, digit_params, digit_cpu = {}, {}, {}
for kind in ["MONet", "GELU MLP", "linear ablation"]:
    torch.manual_seed(info.seed)
    start = time.process_time()
    model = train_classifier(make_digit_net(kind), epochs, info.seed)
    digit_cpu[kind] = time.process_time() - start
    digit_models[kind] = torch_predictor(model.eval())
    digit_params[kind] = count_parameters(model)
digit_models["logistic regression"] = LogisticRegression(max_iter=3000).fit(x_tr, y_tr).predict
digit_models["1-nearest neighbour"] = KNeighborsClassifier(1).fit(x_tr, y_tr).predict
digit_acc = {
    name: np.array([accuracy(predict, s) for s in noise_levels])
    for name, predict in digit_models.items()
}

# %% tags=["hide-input"]
header = "  ".join(f"σ={s:<4}" for s in noise_levels)
print(f"{'model':20s} {'params':>7s} {'CPU s':>6s}  {header}")
for name, acc in digit_acc.items():
    params = f"{digit_params[name]:7d}" if name in digit_params else f"{'-':>7s}"
    cpu = f"{digit_cpu[name]:6.1f}" if name in digit_cpu else f"{'-':>6s}"
    print(f"{name:20s} {params} {cpu}  " + "  ".join(f"{a:6.1f}" for a in acc))

# %% [markdown]
# The figure plots test accuracy against the noise level for all five classifiers.

# %% tags=["hide-input"]
fig, ax = plt.subplots(figsize=(6.0, 3.6))
styles = {"MONet": "o-", "GELU MLP": "s-", "linear ablation": "^-",
          "logistic regression": "--", "1-nearest neighbour": ":"}
for name, acc in digit_acc.items():
    ax.plot(noise_levels, acc, styles[name], label=name)
ax.set_xlabel("noise standard deviation σ (pixels in [0, 1])")
ax.set_ylabel("test accuracy (%)")
ax.set_title("Digits: accuracy under Gaussian input noise")
ax.legend()
plt.show()

# %% [markdown]
# On clean digits all three networks are within a few test images of each other (the table gives the
# exact numbers; one test image is worth 0.19 points). Logistic regression is one or two points
# further behind, and 1-nearest neighbour is as accurate as any network, so clean digits are an
# easy test: matching the GELU MLP here shows that MONet is not broken, not that products can stand
# in for activations on a hard task. Even the linear ablation is about as accurate as MONet on clean
# digits, so the paper's main ablation (a large drop without the product) does not reproduce here.
# As the noise grows, the linear ablation falls fastest: without the product the blocks lose
# accuracy, but on this task only off the clean data, and by a few points rather than tens (the
# ablation also has 10 % fewer parameters, which may account for part of the gap; not tested).
# MONet is not more robust than the GELU MLP; the two degrade together, and on some seeds MONet
# degrades faster (the claim check below gives the range over seeds). Both trivial baselines are
# harder to beat than the paper's setting would suggest: 1-nearest neighbour is by far the most
# robust to this noise, and in this run logistic regression degrades more slowly than any of the
# three networks. Digits are an easy task, and Gaussian pixel noise is one kind of corruption where
# ImageNet-C has many. Why the networks are less robust than the linear classifier is not tested
# here; a conjecture is that their deeper, data-fitted features amplify perturbations that logistic
# regression averages away.
#
# ### Part C: the notes' low-rank ablation
#
# The notes report that the low-rank factor $BD$ can be compressed hard without losing accuracy.
# The sweep trains MONet with ranks from 1 to 64 (full rank: $D$ is $64 \times 64$), the rest
# unchanged.

# %%
ranks = utils.pick([4, 64], [1, 2, 4, 16, 64])
rank_acc, rank_acc_noisy, rank_params = {}, {}, {}
for rank in ranks:
    torch.manual_seed(info.seed)
    model = train_classifier(make_digit_net("MONet", rank=rank), epochs, info.seed)
    rank_params[rank] = count_parameters(model)
    rank_acc[rank] = accuracy(torch_predictor(model.eval()), 0.0)
    rank_acc_noisy[rank] = accuracy(torch_predictor(model), 0.2)
rank_drop = rank_acc[4] - rank_acc[64]

# %% tags=["hide-input"]
fig, ax = plt.subplots(figsize=(5.5, 3.2))
ax.semilogx(ranks, [rank_acc[r] for r in ranks], "o-", base=2, label="clean")
ax.semilogx(ranks, [rank_acc_noisy[r] for r in ranks], "s--", base=2, label="noise σ = 0.2")
for r in ranks:
    ax.annotate(f"{rank_params[r] / 1000:.0f}k", (r, rank_acc[r]), textcoords="offset points",
                xytext=(0, 6), ha="center", fontsize=8)
ax.set_xlabel("rank r of the low-rank factor BD")
ax.set_ylabel("test accuracy (%)")
ax.set_title("MONet on digits: accuracy against rank (labels: parameters)")
ax.legend()
plt.show()
print("rank:            " + "  ".join(f"{r:6d}" for r in ranks))
print("accuracy, clean: " + "  ".join(f"{rank_acc[r]:6.1f}" for r in ranks))
print("accuracy, σ=0.2: " + "  ".join(f"{rank_acc_noisy[r]:6.1f}" for r in ranks))
ablation_acc = digit_acc["linear ablation"]
print(f"ablation without the product: clean {ablation_acc[0]:.1f}, σ=0.2 {ablation_acc[2]:.1f}")
rank_spread = max(rank_acc.values()) - min(rank_acc.values())
spread_images = rank_spread * len(y_te) / 100
print(f"spread over ranks: {rank_spread:.1f} points ({spread_images:.0f} test images)")

# %% [markdown]
# On clean digits accuracy depends only weakly on the rank: across ranks that shrink the factor
# $BD$ up to 64-fold, the accuracies differ by the spread printed above, a handful of test images.
# This cannot support the notes' claim, because on clean digits the product branch is not needed
# at all: the ablation without it (in effect rank 0) is as accurate as full-rank MONet (last line
# printed). Compressing a branch the task does not use costs nothing, so the claim-check row below,
# which stays on clean data as it was fixed before the runs, cannot fail on this task. The noisy
# accuracies are the line that could: at $\sigma = 0.2$ the product branch does matter, and in this
# run every rank stays above the ablation, with rank 4 about as accurate as full rank. In fast-mode
# runs of seeds 0–4, checked while the chapter was refereed, rank 4 under noise ranged from 3.3
# points below full rank to 1.5 above, so the notes' compression claim is at most weakly supported
# here.

# %% [markdown]
# ## Claim check
#
# The rows test, in order: the headline (MONet on par with an activation network of the same
# size), the two Lotka–Volterra claims, the ablation without the product, the low-rank ablation,
# what holds instead of the robustness claim, and the two cross-checks of the code. Read them with
# their limits:
#
# - The headline row is the easiest case. In the stored run logistic regression, which has no
#   hidden layer at all, would pass it too; it is a sanity check, not evidence at the paper's scale.
#   Its margin is thin: on one fast-mode seed MONet was 1.3 points behind, one test image from the
#   limit.
# - The ablation row is kind *instead*. The paper's ablation is on clean images, where it reports a
#   27-point drop (unconfirmed); on clean digits the drop is nil. The chapter's brief fixed a check
#   of at least 10 points at $\sigma = 0.2$ from a prototype run; this chapter measures 3.5 to 7.6
#   points over the seeds checked, so that check fails. The row asserts the 3-point gap that does
#   hold; the 3 was set by the chapter's writer, not by the brief, and on three of the seeds
#   checked the row passes by only three to five test images.
# - The rank row cannot fail on this task: the ablation with no product branch at all passes it
#   (Part C).
# - The robustness row was restated after a seed check. It first asserted that MONet stays within 5
#   points of the GELU MLP at $\sigma = 0.2$; one full-mode seed came out at that limit (MONet 5
#   points worse). It now asserts that MONet has no robustness advantage of more than 3 points. Like
#   any "no advantage" row, a broken MONet would pass it too: it records that the paper's claim did
#   not reproduce. Over the seeds checked MONet minus GELU MLP at $\sigma = 0.2$ ranged from
#   −3.1 to +1.0 points in fast mode, and one full-mode seed gave −5.
#
# The per-seed figures quoted here come from fast-mode runs of seeds 0–4 and 11 and the full-mode
# run of seed 0 shown on this page, measured while the chapter was refereed, not in this run; the
# full-mode seed 1 figure (−5) is from the writer's seed check and was not re-measured. The
# headline row's 1.5-point tolerance, about eight test images, comes from the brief; the rank row
# reuses it.

# %%
best_mlp_outside = min(lv_errors["tanh MLP"][1], lv_errors["GELU MLP"][1])
utils.check_claims(
    "02",
    [
        utils.Claim(
            "Digits, clean: MONet accuracy minus GELU MLP of equal size (points)",
            "on par with modern networks (abstract); MONet-S 81.3 vs CycleMLP 81.3 (unconfirmed)",
            digit_acc["MONet"][0] - digit_acc["GELU MLP"][0], ">=", -1.5, kind="paper",
        ),
        utils.Claim(
            "Lotka-Volterra: largest error of the Mu-layer's 12 polynomial coefficients",
            "about 1e-5, other parameters and set-up (unconfirmed)",
            coef_error, "<=", 1e-2, kind="paper",
        ),
        utils.Claim(
            "Lotka-Volterra: Mu-layer error outside the training box / best MLP's",
            "n/a (extrapolation not quantified)",
            lv_errors["Mu-layer"][1] / best_mlp_outside, "<=", 1e-2, kind="paper",
        ),
        utils.Claim(
            "Digits, noise 0.2: MONet minus the ablation without the product (points)",
            "82.9 vs 55.1 on ImageNet-100, clean (unconfirmed); brief's check +10 here",
            digit_acc["MONet"][2] - digit_acc["linear ablation"][2], ">=", 3.0, kind="instead",
        ),
        utils.Claim(
            "Digits, clean: rank 4 minus full rank 64; cannot fail here (points)",
            "low rank compresses without loss (notes)",
            rank_drop, ">=", -1.5, kind="paper",
        ),
        utils.Claim(
            "Digits, noise 0.2: MONet minus GELU MLP; no robustness advantage (points)",
            "ImageNet-C mCE 49.7 vs 53.7 for CycleMLP (unconfirmed)",
            digit_acc["MONet"][2] - digit_acc["GELU MLP"][2], "<=", 3.0, kind="instead",
        ),
        utils.Claim(
            "sympy expansion vs torch forward, max relative difference",
            "n/a", sympy_vs_torch, "<=", 1e-10, kind="code",
        ),
        utils.Claim(
            "Degree of two stacked Poly-blocks by sympy (eq. 4 predicts 16)",
            "4^N (brief; unconfirmed)", degree_two_blocks, ">=", 16, kind="code",
        ),
    ],
    headline="A network with no activation functions, only multilinear operations, "
    "matches networks with activations",
    verdict="partly reproduced",
)

# %% [markdown]
# The verdict is *partly reproduced*. What holds at laptop scale: one Mu-layer recovers the
# Lotka–Volterra equations and, unlike MLPs with activations, extrapolates far outside its data (on
# data chosen so that its training converges; see Part A); the symbolic expansion and the degrees
# are right; a MONet of the same size as a GELU MLP matches it on clean digits, an easy test that
# logistic regression nearly passes too; removing the product branch costs a few points, and only
# under noise. What does not: on clean digits the linear ablation is as accurate as MONet, far from
# the 27-point gap reported on ImageNet-100 (unconfirmed), and the brief's 10-point check under
# noise fails; MONet is not more robust to noise than the GELU MLP, and on some seeds less robust
# (a nearest-neighbour classifier beats both); the low-rank claim is untested, since the task does
# not need the branch being compressed.

# %% [markdown]
# ## Explore
#
# The extrapolation claim turns on where the data lie. Here the training data are 200 points drawn
# uniformly from a square $[0.1, L]^2$ (not orbits), and the models are compared on $[0, 8]^2$.
# Move $L$: the Mu-layer's error is about the same inside and outside the box, while the MLP is
# accurate only inside it. The models are trained once per value of $L$ before the plot.

# %%
explore_sizes = utils.pick([1.0, 2.0], [1.0, 2.0, 4.0, 6.0])
explore_steps = utils.pick(600, 2000)
explore_grid_1d = np.linspace(0, 8, 61)
explore_grid = np.stack(np.meshgrid(explore_grid_1d, explore_grid_1d), axis=-1).reshape(-1, 2)
explore_exact = lotka_volterra_field(explore_grid, LV_PARAMS)
explore_errors = {}
for size in explore_sizes:
    points = np.random.default_rng(info.seed).uniform(0.1, size, size=(200, 2))
    z_t, dz_t = torch.tensor(points), torch.tensor(lotka_volterra_field(points, LV_PARAMS))
    torch.manual_seed(info.seed)
    explore_models = [("Mu-layer", MuLayer(2, 8, 2, rank=4)), ("tanh MLP", mlp(2, 16, 2, nn.Tanh))]
    for name, model in explore_models:
        model = model.double()
        train_regressor(model, z_t, dz_t, explore_steps)
        with torch.no_grad():
            pred = model(torch.tensor(explore_grid)).numpy()
        err = np.linalg.norm(pred - explore_exact, axis=1)
        explore_errors[size, name] = err / np.maximum(np.linalg.norm(explore_exact, axis=1), 1e-3)


def plot_extrapolation(box_size: float = 2.0) -> plt.Figure:
    """Error maps of the Mu-layer and the tanh MLP trained on [0.1, box_size]^2."""
    fig, axes = plt.subplots(1, 2, figsize=(6.8, 3.3), sharey=True, layout="constrained")
    for ax, name in zip(axes, ["Mu-layer", "tanh MLP"]):
        err = explore_errors[box_size, name]
        log_err = np.log10(err.reshape(61, 61) + 1e-16)
        image = ax.pcolormesh(explore_grid_1d, explore_grid_1d, log_err, vmin=-10, vmax=1)
        ax.add_patch(plt.Rectangle((0.1, 0.1), box_size - 0.1, box_size - 0.1, fill=False,
                                   ls="--", color="w"))
        ax.set_title(f"{name}: median error {np.median(err):.0e}", fontsize=9)
        ax.set_xlabel("prey $x$")
    axes[0].set_ylabel("predators $y$")
    fig.colorbar(image, ax=axes, label="log$_{10}$ relative error")
    fig.suptitle(f"Trained on [0.1, {box_size:g}]², tested on [0, 8]²")
    return fig


plot_extrapolation()
plt.show()

# %%
utils.explore(plot_extrapolation, box_size=explore_sizes)

# %% [markdown]
# With the smallest box the MLP is right only in a corner of the plane, and its error grows with
# the distance from it. The Mu-layer's error does not depend on where the data were: whatever is
# left of it after training sits in the coefficients of its polynomial, which act on the whole
# plane, so its map has the same shade inside and outside the box. How small that error is depends
# on the box: training stops short of round-off here, most for the smallest box (the median errors
# are in the panel titles). A likely reason, not tested here, is that on $[0.1, 1]^2$ the product
# $xy$ is small next to the linear terms, so the loss constrains its coefficient only weakly.

# %% [markdown]
# ## Exercises
#
# ```{exercise}
# :label: ch02-ex1
#
# A Mu-layer with input width $d = 64$ and hidden width $h = 128$ stores the product $BD$ as two
# factors. Ignoring biases, what is the largest rank $r$ for which the factors $B$ and $D$
# together have fewer parameters than a full $h \times d$ matrix? Store it in `max_saving_rank`.
# ```
#
# ```{solution-start} ch02-ex1
# :class: dropdown
# ```

# %% tags=["solution"]
### BEGIN SOLUTION
d_in, hidden = 64, 128
max_saving_rank = (hidden * d_in - 1) // (d_in + hidden)  # largest r with r (d + h) < h d
### END SOLUTION

# %% [markdown]
# $D$ has $rd$ entries and $B$ has $hr$, so the factors cost $r(d + h)$ against $hd$ for a full
# matrix; the largest whole $r$ with $r(d+h) < hd$ is $\lfloor (hd - 1)/(d+h) \rfloor$. The
# paper's rank $d/8 = 8$ is far below it: the factors cost $8 \cdot 192 = 1536$ parameters
# against $8192$, about a fifth ($3/16$) of the full matrix.
#
# ```{solution-end}
# ```

# %% tags=["check", "remove-input"]
utils.check_that(
    "ch02-ex1",
    lambda: float(max_saving_rank).is_integer() and 0 < max_saving_rank < 64,
    "max_saving_rank is a whole number between 1 and the input width",
)
### BEGIN HIDDEN TESTS
utils.check_value("ch02-ex1", max_saving_rank, 42)
### END HIDDEN TESTS

# %% [markdown]
# ```{exercise}
# :label: ch02-ex2
#
# Build a Mu-layer that *is* the Lotka–Volterra field {eq}`eq-lotka-volterra`, with no training.
# Write `lotka_volterra_mu_layer(alpha, beta, gamma, delta)`, which returns a
# `MuLayer(2, 2, 2, rank=2)` in double precision whose weights you set by hand (use
# `torch.no_grad()` and `copy_` or `fill_`) so that its output equals
# $(\alpha x - \beta xy,\ \delta xy - \gamma y)$ for every input $(x, y)$.
# Hint: with hidden width 2 each hidden unit carries a linear term $[Ax]_i$ as well as a product.
# ```
#
# ```{solution-start} ch02-ex2
# :class: dropdown
# ```

# %% tags=["solution"]
def lotka_volterra_mu_layer(alpha, beta, gamma, delta):
    """A MuLayer(2, 2, 2, rank=2) whose output is the Lotka-Volterra field, eq. (5)."""
    layer = MuLayer(2, 2, 2, rank=2).double()
    ### BEGIN SOLUTION
    with torch.no_grad():
        layer.A.weight.copy_(torch.eye(2))  # A x = (x, y)
        layer.A.bias.zero_()
        layer.D.weight.copy_(torch.tensor([[0.0, 1.0], [1.0, 0.0]]))  # D x = (y, x)
        as_tensor = lambda values: torch.tensor(values, dtype=torch.float64)  # noqa: E731
        layer.B.weight.copy_(torch.diag(as_tensor([-beta / alpha, -delta / gamma])))
        layer.B.bias.zero_()
        layer.C.weight.copy_(torch.diag(as_tensor([alpha, -gamma])))
        layer.C.bias.zero_()
    ### END SOLUTION
    return layer


# %% [markdown]
# With $Ax = (x, y)$ and $BDx = (s_1 y, s_2 x)$, the hidden vector is
# $(x + s_1 xy,\ y + s_2 xy)$. A diagonal $C = \mathrm{diag}(c_1, c_2)$ gives
# $c_1 x + c_1 s_1 xy$ and $c_2 y + c_2 s_2 xy$, so $c_1 = \alpha$, $s_1 = -\beta/\alpha$,
# $c_2 = -\gamma$, $s_2 = -\delta/\gamma$. Rank 1 cannot work at width 2: then
# $BDx = b\,(d^\top x)$, and $x \cdot d^\top x$ has no $x^2$ term only if $d_1 = 0$, while
# $y \cdot d^\top x$ has no $y^2$ term only if $d_2 = 0$. A wider hidden layer lifts this limit.
#
# ```{solution-end}
# ```

# %% tags=["check", "remove-input"]
def _lv_layer_output(alpha, beta, gamma, delta):
    """Output of the student's layer on a fixed set of states."""
    points = torch.tensor([[0.5, 2.0], [3.0, 1.0], [1.5, 4.0], [-1.0, 2.5]], dtype=torch.float64)
    with torch.no_grad():
        return lotka_volterra_mu_layer(alpha, beta, gamma, delta)(points).numpy()


# not-mutated: lotka_volterra_mu_layer (many weight settings are right; a module is not mutable)
# (e.g. the hidden units can be swapped; the hidden test runs the layer on three parameter sets)
utils.check_that(
    "ch02-ex2",
    lambda: isinstance(lotka_volterra_mu_layer(1.5, 1.0, 3.0, 1.0), MuLayer)
    and lotka_volterra_mu_layer(1.5, 1.0, 3.0, 1.0).D.weight.shape == (2, 2),
    "lotka_volterra_mu_layer returns a MuLayer with hidden width 2 and rank 2",
)
### BEGIN HIDDEN TESTS
_lv_points = np.array([[0.5, 2.0], [3.0, 1.0], [1.5, 4.0], [-1.0, 2.5]])
utils.check_function(
    "ch02-ex2",
    _lv_layer_output,
    [
        (p, lotka_volterra_field(_lv_points, p))
        for p in [(1.5, 1.0, 3.0, 1.0), (0.7, 2.0, 1.3, 0.4), (2.0, 0.5, 0.8, 1.7)]
    ],
    rtol=1e-10,
    atol=1e-10,
    hint="choose A, D, B, C so that each output is one hidden unit times a constant.",
)
### END HIDDEN TESTS

# %% [markdown]
# ```{exercise}
# :label: ch02-ex3
#
# The degree of a network without activations can be measured without `sympy`: along a line
# $t \mapsto f(x_0 + t v)$, a polynomial of degree $p$ has a $p$-th finite difference that is
# constant and a $(p+1)$-th that vanishes. Write `finite_difference_degree(g, max_degree=10)`,
# which evaluates a scalar function `g` at the integers $t = 0, 1, \dots, \texttt{max\_degree} + 1$
# and returns the smallest $p$ for which the largest $(p+1)$-th difference is at most
# $10^{-9} \max_t |g(t)|$. Then use it on $N = 1, 2, 3$ stacked Mu-layers
# (`MuLayer(2, 3, 2, rank=2)`, no LayerNorm, double precision for the layers and the points, along a
# line with $|v|$ of order one) and store the measured degrees in the list `stacked_degrees`.
# ```
#
# ```{solution-start} ch02-ex3
# :class: dropdown
# ```

# %% tags=["solution"]
def finite_difference_degree(g, max_degree=10):
    """Smallest p whose (p + 1)-th finite difference of g on t = 0, 1, ... vanishes."""
    ### BEGIN SOLUTION
    values = np.array([g(t) for t in range(max_degree + 2)], dtype=float)
    scale = max(np.max(np.abs(values)), 1e-300)
    for p in range(max_degree + 1):
        if np.max(np.abs(np.diff(values, p + 1))) <= 1e-9 * scale:
            return p
    return None
    ### END SOLUTION


### BEGIN SOLUTION
torch.manual_seed(0)
stacked_degrees = []
for n_layers in [1, 2, 3]:
    stack = nn.Sequential(*[MuLayer(2, 3, 2, rank=2) for _ in range(n_layers)]).double()
    start_point = torch.tensor([0.3, -0.2], dtype=torch.float64)
    direction = torch.tensor([0.6, 0.8], dtype=torch.float64)

    def along_line(t, stack=stack, start_point=start_point, direction=direction):
        """First output of the stack at start_point + t direction (all in double precision)."""
        with torch.no_grad():
            return stack((start_point + t * direction)[None])[0, 0].item()

    stacked_degrees.append(finite_difference_degree(along_line))
print("measured degrees of 1, 2, 3 stacked Mu-layers:", stacked_degrees)
### END SOLUTION

# %% [markdown]
# Composing $N$ Mu-layers of degree 2 gives degree $2^N$, so 2, 4 and 8; the measurement agrees
# with the counting argument behind {eq}`eq-degree`. The tolerance works because two scales are
# far apart: the $p$-th difference of a degree-$p$ polynomial is $p!\,a_p$, of order
# $8!/11^8 \approx 2\times10^{-4}$ of $\max_t|g|$ for $p = 8$ on $t \le 11$ when the leading term
# dominates, while round-off in a difference of order $p+1$ is about $2^{p+1}$ machine epsilons of
# $\max_t|g|$, below $10^{-12}$. On a longer grid, or with a tiny $|v|$ that lets the low-degree
# terms dominate, the first scale shrinks toward the second and the measured degree comes out too
# low.
#
# ```{solution-end}
# ```

# %% tags=["check", "remove-input"]
utils.check_that(
    "ch02-ex3",
    lambda: len(stacked_degrees) == 3 and all(float(p).is_integer() for p in stacked_degrees)
    and finite_difference_degree(lambda t: 3.0 * t**3 - t + 2.0) == 3,
    "stacked_degrees holds three whole numbers, and finite_difference_degree finds degree 3 "
    "for a cubic",
)
### BEGIN HIDDEN TESTS
utils.check_array("ch02-ex3", stacked_degrees, [2, 4, 8])
utils.check_function(
    "ch02-ex3",
    finite_difference_degree,
    [
        ((lambda t: 5.0,), 0),
        ((lambda t: 0.5 * t**5 - 2 * t**2,), 5),
        ((lambda t: (t - 3.0) ** 7,), 7),
    ],
)
### END HIDDEN TESTS

# %% [markdown]
# ```{exercise}
# :label: ch02-ex4
#
# (Open-ended.) The Lotka–Volterra experiment used exact derivatives. In practice only the
# trajectories are observed. Estimate the derivatives from the sampled states by finite
# differences (for instance `np.gradient` along each trajectory), optionally add measurement noise
# to the states, and train the Mu-layer again. How large are the coefficient errors now, and how
# do they compare with least squares on monomials on the same data? Do the spurious coefficients
# ($1$, $x^2$, $y^2$) stay small enough to be recognised as zero? What would you change (data,
# regularisation, a sparsity penalty) to recover the equations reliably, and what does this say
# about the paper's claim that an activation-free network is interpretable?
# ```
#
# ```{solution-start} ch02-ex4
# :class: dropdown
# ```

# %% tags=["solution"]
### BEGIN SOLUTION
fd_states, fd_derivatives = [], []
times_fd = np.linspace(0, 5, 100)
for k in range(5):
    orbit = states[100 * k : 100 * (k + 1)]
    fd_states.append(orbit)
    fd_derivatives.append(np.gradient(orbit, times_fd, axis=0, edge_order=2))
fd_states, fd_derivatives = np.concatenate(fd_states), np.concatenate(fd_derivatives)
torch.manual_seed(info.seed)
fd_layer = MuLayer(2, 8, 2, rank=4).double()
fd_steps = utils.pick(1000, 3000)
train_regressor(fd_layer, torch.tensor(fd_states), torch.tensor(fd_derivatives), fd_steps)
fd_field = mu_layer_sym(fd_layer, xy_sym)
fd_coef = np.array(
    [[float(sp.Poly(f, x_sym, y_sym).coeff_monomial(m)) for f in fd_field] for m in monomials]
)
print(f"finite-difference derivatives: Mu-layer coefficient error "
      f"{np.max(np.abs(fd_coef - true_coef)):.1e}, least squares "
      f"{np.max(np.abs(fit_monomials(fd_states, fd_derivatives, 2) - true_coef)):.1e}")
### END SOLUTION

# %% [markdown]
# With a time step of 0.05, central differences have an error proportional to the step squared
# times the third derivative of the orbit, and both fits inherit it: the coefficient errors printed
# above are far above round-off, and the spurious monomials no longer vanish, so "reading off" the
# equation needs a threshold (as in SINDy's sequential thresholding {cite}`brunton2016sindy`). The
# Mu-layer does no better than least squares on the monomial library, which is what it implicitly
# searches. Its possible advantage is elsewhere: it scales to inputs where listing all monomials is
# impossible. Noise on the states would make finite differences much worse (not measured here), and
# smoothing or integral formulations are the usual remedies.
#
# ```{solution-end}
# ```

# %% [markdown]
# ## Takeaways and limits
#
# - A Mu-layer, $C[(Ax) \ast (BDx) + Ax]$, is a quadratic polynomial of its input; Poly-blocks of
#   two Mu-layers reach degree 4 and $N$ blocks degree $4^N$, checked here symbolically.
# - Without LayerNorm the network is an explicit polynomial: a Mu-layer trained on the
#   Lotka–Volterra field gives back its equations, and therefore extrapolates where MLPs with
#   $\tanh$ or GELU cannot. This is the easy case, a field that is exactly a quadratic polynomial
#   with exact derivatives.
# - On 8×8 digits a small MONet matches a GELU MLP of the same size, but so nearly does logistic
#   regression: the clean task is too easy to separate them. The product branch matters only
#   under input noise here, by a few points. The low-rank factor can be cut to rank 4 without loss
#   on clean digits, which says nothing, since the ablation without the branch loses nothing either.
# - Not reproduced at this scale: the large accuracy drop without the product branch, and the
#   robustness claim (MONet was not more robust to noise than the GELU MLP, sometimes less, and a
#   1-nearest-neighbour classifier was more robust than all the networks). Digits cannot test
#   ImageNet-scale claims (accuracy gaps of tens of points, the pyramid embedding, the spatial
#   shift, depth against width); the paper's numbers quoted here are unconfirmed.
# - Training a Mu-layer to recover equations can stall on ill-conditioned data where least squares
#   on the same monomials does not (Part A); the extrapolation result holds where training
#   converges.
# - With LayerNorm, as in the paper's image models, the network is a polynomial only between the
#   normalisations; "no activation functions" does not mean "no nonlinearity but products".
#
# ## References and further reading
#
# MONet builds on polynomial networks ($\Pi$-nets) {cite}`chrysos2020pinets`, which the paper
# reports to beat by more than ten points of ImageNet accuracy (unconfirmed). Sparse regression on
# a monomial library {cite}`brunton2016sindy` is the classical route to the equations of a
# dynamical system, and the oracle of this chapter. From the seminar's reading lists: networks with
# polynomial (Hermite) activations {cite}`khalfaouihassani2025polynomial` take the other road to
# an explicit polynomial network, keeping activations but making them polynomials; DeepONet
# {cite}`lu2021deeponet` also has a multiplicative structure (branch times trunk) for learning
# operators. Chapter 01 of this book builds neurons whose polynomial form is chosen for the task.
#
# ```{bibliography}
# :filter: docname in docnames
# ```
