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
# # 09 · Adaptive-stepsize Langevin
#
# **Paper.** Alix Leroy, Benedict Leimkuhler, Jonas Latz, Desmond J. Higham. *Adaptive stepsize
# algorithms for Langevin dynamics.* SIAM Journal on Scientific Computing 46(6), A3574–A3598,
# 2024. [arXiv:2403.11993](https://arxiv.org/abs/2403.11993) {cite}`leroy2024adaptive`.
#
# **Summary.** A Langevin sampler with a fixed step must take the step that the stiffest region
# of the target allows, everywhere. The paper rescales time with a monitor function $g(x)$, so
# that steps shrink only where the problem is hard, and adds a drift correction that keeps the
# target as the invariant measure; it does this for overdamped and underdamped Langevin dynamics
# and works out where the correction goes in a splitting scheme.
#
# **What the seminar notes claim.** Most of the corrected schemes follow directly from the
# infinitesimal generator of the dynamics and its adjoint. The notes single out underdamped
# Langevin dynamics, which carries a momentum, as a possible model for generation tasks that must
# keep motion smooth and causal (video is their example), and they point to symmetric splittings
# of the ABOBA type, which behave like symplectic integrators, as worth attention.
#
# **What this chapter does.** It derives the corrected dynamics from the generator, checks the
# derivation symbolically, implements the schemes from scratch, and reruns the paper's
# one-dimensional test (the modified harmonic potential of its Section 2, in the form used by the
# authors' code) at laptop scale, with quadrature as the reference, Metropolis-adjusted
# Langevin (MALA) as the unbiased baseline, and an exact computation of each overdamped scheme's
# stationary law on a grid. The underdamped schemes (BAOAB and ABOBA, fixed and adaptive) are
# compared on the same potential, in a sweep with our friction $\gamma = 1$ at $\tau = 0.1$ and
# in the paper's own underdamped setting ($\tau = 1$, $\gamma = 0.1$, per the authors' code).
#
# **Run time:** about 15 s in fast mode and 45 s in full mode on a 2-core CPU (measured values
# are in the {doc}`scoreboard <../book/scoreboard>`).

# %% [markdown]
# ## Learning objectives
#
# After this chapter you can:
#
# 1. write the generator of overdamped and underdamped Langevin dynamics and its adjoint, and
#    check that a given density is invariant;
# 2. derive the drift correction that keeps the invariant measure when time is rescaled by a
#    monitor function $g(x)$, and say where it goes in a splitting scheme;
# 3. implement Euler–Maruyama, its adaptive (time-rescaled) version, MALA, and the BAOAB and
#    ABOBA splittings with and without adaptivity;
# 4. measure the bias of a sampler's stationary law without Monte Carlo noise, by solving for the
#    invariant vector of its transition kernel on a grid;
# 5. judge an adaptive scheme fairly: at equal cost, against a fixed-step scheme, an unbiased
#    (Metropolis-adjusted) baseline and a trivial one.

# %% [markdown]
# ## Background and theory
#
# ### Overdamped Langevin dynamics and its generator
#
# We want samples of $\pi(x) \propto e^{-V(x)/\tau}$ on $\mathbb R$, where $\tau > 0$ is a
# temperature. The overdamped Langevin diffusion
#
# ```{math}
# :label: eq-overdamped
# \mathrm dX = -V'(X)\,\mathrm dt + \sqrt{2\tau}\,\mathrm dW
# ```
#
# has $\pi$ as its invariant law {cite}`pavliotis2014stochastic`. The cleanest way to see it is
# through the **generator** $\mathcal L$, which says how the expectation of a test function $f$
# changes, $\frac{\mathrm d}{\mathrm dt}\mathbb E f(X_t) = \mathbb E\,\mathcal Lf(X_t)$, and
# its adjoint $\mathcal L^*$ (with respect to $\mathrm dx$), which moves densities
# (the Fokker–Planck equation $\partial_t\rho = \mathcal L^*\rho$). For an SDE
# $\mathrm dX = F(X)\,\mathrm dt + \sqrt{2D(X)}\,\mathrm dW$,
#
# ```{math}
# :label: eq-generator
# \mathcal L f = F f' + D f'', \qquad \mathcal L^*\rho = -(F\rho)' + (D\rho)'' .
# ```
#
# A density $\rho$ is invariant when $\mathcal L^*\rho = 0$. For {eq}`eq-overdamped`, $F = -V'$
# and $D = \tau$, and $\tau\pi' = -V'\pi$ gives $\mathcal L^*\pi = (V'\pi + \tau\pi')' = 0$.
#
# ### Rescaling time, and the correction that keeps $\pi$
#
# Euler–Maruyama (EM) for {eq}`eq-overdamped` with step $h$ is
# $x_{n+1} = x_n - hV'(x_n) + \sqrt{2\tau h}\,\xi_n$. Linearised about a point where
# $V'' = \kappa$, it multiplies deviations by $1 - h\kappa$, so it is stable only for
# $h < 2/\kappa$: the stiffest region of $V$ sets the step everywhere. The paper's remedy is to
# run the dynamics in a new time $s$ with $\mathrm dt = g(X)\,\mathrm ds$, where the **monitor
# function** $g > 0$ is small where the problem is stiff. A fixed step $h$ in $s$ is then a step
# $h\,g(x)$ in physical time: small where $g$ is small.
#
# Rescaling time multiplies the generator by $g$: the time-changed process has generator
# $g\mathcal L$, with adjoint $\rho \mapsto \mathcal L^*(g\rho)$. It annihilates $\pi/g$, not
# $\pi$: each unit of the new time $s$ covers only $g$ units of physical time, so the process
# spends more of its own time where $g$ is small, and samples taken at equal intervals of $s$
# over-represent those regions (Exercise 3 measures by how much). The paper restores $\pi$ by
# adding a drift term. With the drift $F = -gV' + \tau g'$ and the diffusion $D = \tau g$, in
# the new time $s$,
#
# ```{math}
# :label: eq-transformed
# \mathrm dX = \big[-g(X)V'(X) + \tau g'(X)\big]\,\mathrm ds + \sqrt{2\tau g(X)}\,\mathrm dW_s ,
# ```
#
# the generator can be written $\mathcal L_g f = \tau\,\pi^{-1}\big(g\,\pi\,f'\big)'$, and
# {eq}`eq-generator` gives
#
# ```{math}
# :label: eq-adjoint-zero
# \mathcal L_g^*\pi = -\big((-gV' + \tau g')\pi\big)' + \tau\,(g\pi)''
# = \big(\,\tau(g\pi)' + (gV' - \tau g')\pi\,\big)' = \big(g\,(\tau\pi' + V'\pi)\big)' = 0 .
# ```
#
# The correction $\tau g'$ is exactly what is needed to cancel the $g'$ that the product rule
# produces in $(g\pi)'$. The paper's adaptive overdamped scheme is EM applied to
# {eq}`eq-transformed` with a fixed step $h$ in $s$ {cite}`leroy2024adaptive`:
#
# ```{math}
# :label: eq-adaptive-em
# x_{n+1} = x_n + h\big[-g(x_n)V'(x_n) + \tau g'(x_n)\big] + \sqrt{2\tau h\,g(x_n)}\;\xi_n .
# ```
#
# It costs one force $V'$ per step, like EM, plus $g$ and $g'$. Rescaling time by a
# state-dependent factor is an old idea for deterministic ODEs (Sundman transformations); the
# paper's point is the correction that makes it exact for sampling.
#
# ### Underdamped Langevin dynamics
#
# Underdamped Langevin dynamics adds a momentum $p$ with friction $\gamma$,
# $\mathrm dx = p\,\mathrm dt$, $\mathrm dp = -V'\,\mathrm dt - \gamma p\,\mathrm dt
# + \sqrt{2\gamma\tau}\,\mathrm dW$, with invariant density
# $\rho(x,p) \propto e^{-(V(x) + p^2/2)/\tau}$. Rescaling time by $g(x)$ and applying the same
# generator argument in $(x, p)$ gives the transformed dynamics, in the time $s$,
#
# ```{math}
# :label: eq-underdamped
# \mathrm dx = g\,p\,\mathrm ds, \qquad
# \mathrm dp = \big[-g V' + \tau g'\big]\mathrm ds - \gamma g\,p\,\mathrm ds
# + \sqrt{2\gamma\tau g}\,\mathrm dW_s .
# ```
#
# The correction sits in the momentum equation. The cross-check below verifies with `sympy` that
# the adjoint of its generator annihilates $\rho$, and that it does not once the correction is
# dropped.
#
# ### Splitting schemes, and where the correction goes
#
# Splitting methods {cite}`leimkuhler2013rational,leimkuhler2015molecular` break the dynamics
# into pieces that can each be solved well: **A**, the drift of $x$; **B**, the kick of $p$ by the
# force; **O**, the friction and noise on $p$ (an Ornstein–Uhlenbeck process, solved exactly).
# A string such as BAOAB means: half a step of B, half of A, a full step of O, half of A, half of
# B. For {eq}`eq-underdamped` the pieces become
#
# ```{math}
# :label: eq-pieces
# \text{A: } \frac{\mathrm dx}{\mathrm ds} = g(x)\,p, \qquad
# \hat{\text B}: \frac{\mathrm dp}{\mathrm ds} = -g(x)V'(x) + \tau g'(x), \qquad
# \text{O: } \mathrm dp = -\gamma g(x)\,p\,\mathrm ds + \sqrt{2\gamma\tau g(x)}\,\mathrm dW_s .
# ```
#
# Here the correction rides with the force in $\hat{\text B}$; the paper also studies putting it
# into O instead (Exercise 2). A is no longer a free flight: $x$ moves with the speed $g(x)p$.
# Following the authors' code we solve it with the **implicit midpoint rule**,
# $x' = x + \delta\, p\, g\big(\tfrac{x + x'}{2}\big)$, by fixed-point iteration. Implicit
# midpoint is symmetric (it is its own inverse with $\delta \to -\delta$), which keeps the whole
# scheme symmetric. B and O are solved exactly, since $x$ is frozen in them.
#
# Symmetric ("palindromic") strings such as BAOAB and ABOBA are second order for averages,
# while a one-sided Lie splitting such as BAO is first order; among the symmetric ones, BAOAB is
# known to be especially accurate for configurational averages {cite}`leimkuhler2013rational`.
# The experiment compares all three, with and without adaptivity.

# %%
import math

import matplotlib.pyplot as plt
import numpy as np
import sympy as sp
from scipy import integrate

import utils
from utils.langevin import boltzmann_expectation, stationary_density_1d

info = utils.setup()
seed = info.seed

# %% [markdown]
# ## Implementation from scratch
#
# ### The test potential and the monitor function
#
# The paper's motivating example (its eq. (2.1), according to the authors' code) is a "modified
# harmonic" potential: a weak harmonic part $cx^2/2$ plus a narrow, steep feature near $x_0$. We
# use the force as the authors' code defines it,
#
# ```{math}
# :label: eq-potential
# V'(x) = \big(\omega(x)^2 + c\big)\,x, \qquad \omega(x) = \frac{b}{b/a + (x - x_0)^2},
# ```
#
# with $a = 2.75$, $b = 0.1$, $x_0 = 0.5$, $c = 0.1$ and temperature $\tau = 0.1$. Integrating
# $V'$ in closed form (with $u = x - x_0$ and $k = b/a$) gives
# $V(x) = b^2\big[-\tfrac{1}{2(k+u^2)} + x_0\big(\tfrac{u}{2k(k+u^2)}
# + \tfrac{1}{2k^{3/2}}\arctan\tfrac{u}{\sqrt k}\big)\big] + \tfrac c2 x^2$, which MALA needs.
# The monitor function is small where $\omega$ is large:
#
# ```{math}
# :label: eq-monitor
# g(x) = \Big(\frac1M + \frac{1}{\sqrt{\omega(x)^{-2} + m}}\Big)^{-1},
# \qquad m = 0.001,\; M = 1.5,
# ```
#
# so that $g \approx (\omega + 1/M)^{-1}$ is small near $x_0$ and $g \to M$ far away. (The authors' code uses
# $m$ inside $g$ and $m^2$ in its formula for $g'$; we differentiate our $g$ exactly. With
# $m = 0.001$ the difference is negligible.)

# %%
A_PARAM, B_PARAM, X0, C_PARAM = 2.75, 0.1, 0.5, 0.1  # a, b, x0, c of eq. (8)
TAU = 0.1  # temperature
M_UPPER, M_LOWER = 1.5, 0.001  # M and m of eq. (9)
K = B_PARAM / A_PARAM  # b / a


def omega(x):
    """The bump omega(x) of eq. (8)."""
    return B_PARAM / (K + (x - X0) ** 2)


def grad_potential(x):
    """V'(x) = (omega^2 + c) x, minus the force, eq. (8)."""
    return (omega(x) ** 2 + C_PARAM) * x


def potential(x):
    """V(x), the closed-form antiderivative of eq. (8) (up to a constant)."""
    u = x - X0
    bump = -1 / (2 * (K + u**2)) + X0 * (
        u / (2 * K * (K + u**2)) + np.arctan(u / math.sqrt(K)) / (2 * K**1.5)
    )
    return B_PARAM**2 * bump + C_PARAM * x**2 / 2


def monitor(x, big_m=M_UPPER, small_m=M_LOWER):
    """The monitor function g(x) of eq. (9)."""
    return 1 / (1 / big_m + 1 / np.sqrt(1 / omega(x) ** 2 + small_m))


def monitor_prime(x, big_m=M_UPPER, small_m=M_LOWER):
    """g'(x), differentiated exactly: g' = g^2 s' / s^2 with s = sqrt(omega^-2 + m)."""
    inv_omega = (K + (x - X0) ** 2) / B_PARAM
    s = np.sqrt(inv_omega**2 + small_m)
    s_prime = inv_omega * (2 * (x - X0) / B_PARAM) / s
    return monitor(x, big_m, small_m) ** 2 * s_prime / s**2


# %% [markdown]
# The reference moments come from quadrature of $e^{-V/\tau}$ (`utils.langevin`, which wraps
# `scipy.integrate.quad` and splits the interval at $x_0$). We track the second moment
# $\mathbb E_\pi[x^2]$, one of the moments that the authors' code computes for the paper's
# Figure 7.

# %%
LO, HI = -12.0, 12.0  # pi is negligible outside: V/tau > 70 there
ref_m2 = boltzmann_expectation(potential, lambda x: x**2, TAU, LO, HI, points=[X0])
ref_m1 = boltzmann_expectation(potential, lambda x: x, TAU, LO, HI, points=[X0])
mean_g = boltzmann_expectation(potential, monitor, TAU, LO, HI, points=[X0])
well_mass = boltzmann_expectation(
    potential, lambda x: float(abs(x - X0) < 0.3), TAU, LO, HI, points=[X0 - 0.3, X0, X0 + 0.3]
)
xs = np.linspace(-3, 3, 60001)
curvature = np.gradient(grad_potential(xs), xs)  # V''
print(f"E_pi[x] = {ref_m1:.4f},  E_pi[x^2] = {ref_m2:.4f}  (quadrature)")
print(f"mass of pi within 0.3 of x0: {well_mass:.3f};  E_pi[g] = {mean_g:.3f}")
print(
    f"V'' ranges from {curvature.min():.1f} to {curvature.max():.1f} (max at x = "
    f"{xs[curvature.argmax()]:.2f}): EM's local stability limit 2 / max V'' = "
    f"{2 / curvature.max():.3f}, against 2 / c = {2 / C_PARAM:.0f} far from the cliff"
)
print(f"g ranges from {monitor(X0):.3f} at x0 to {M_UPPER} far away")

# %% [markdown]
# Before trusting any sampler on this target, look at it. The figure shows $V$ and $\pi$ (left)
# and, on the right, the monitor $g$ beside the local stability limit of EM, $2/V''(x)$ where
# $V'' > 0$.

# %% tags=["hide-input"]
fig, axes = plt.subplots(1, 2, figsize=(6.8, 2.7))
grid_plot = np.linspace(-3.5, 2.5, 1201)
density = np.exp(-(potential(grid_plot) - potential(grid_plot).min()) / TAU)
density /= np.trapezoid(density, grid_plot)
ax = axes[0]
ax.plot(grid_plot, potential(grid_plot) - potential(grid_plot).min(), color="C0", label="$V(x)$")
ax.set_ylabel("$V(x)$")
ax.set_ylim(0, 1.5)
ax2 = ax.twinx()
ax2.fill_between(grid_plot, density, color="C1", alpha=0.4, label="$\\pi(x)$")
ax2.set_ylabel("density $\\pi(x)$")
ax.set_xlabel("$x$")
ax.set_title("Potential and target", fontsize=10)
ax.legend(loc="upper left", fontsize=8)
ax2.legend(loc="upper right", fontsize=8)
ax = axes[1]
positive = curvature > 0
limit = np.where(positive, 2 / np.where(positive, curvature, 1.0), np.nan)
ax.semilogy(xs, limit, color="C3", label="EM limit $2/V''$")
ax.semilogy(grid_plot, monitor(grid_plot), color="C2", label="monitor $g(x)$")
ax.axvline(X0, color="0.6", ls=":", lw=1)
ax.set_xlim(-3.5, 2.5)
ax.set_ylim(0.03, 30)
ax.set_xlabel("$x$")
ax.set_ylabel("step / time factor")
ax.set_title("Where steps must be small", fontsize=10)
ax.legend(fontsize=8, loc="lower left")
fig.tight_layout()
plt.show()

# %% [markdown]
# $V$ has a single minimum at 0 but a cliff near $x_0 = 0.5$, where the force jumps; $\pi$ is
# pushed to the left of it and its mean is negative (printed above). The curvature $V''$ swings
# between large negative and large positive values in a narrow band around $x_0$, so EM's local
# stability limit $2/V''$ drops there to the small value printed above, against $2/c = 20$ far
# away. The monitor follows that
# shape: it is smallest at the cliff and about $1.5$ elsewhere. Only a small part of $\pi$'s mass
# sits near the cliff (printed above), yet a fixed step must respect it: this is the situation the
# paper designs for. Under $\pi$ the average of $g$ is above 1 (printed above), so the adaptive
# scheme covers *more* physical time per step on average than EM with the same $h$, not less.
#
# ### Overdamped samplers: EM, adaptive EM, MALA
#
# Every overdamped sampler is a map from the particles and a standard normal draw to new
# particles. MALA {cite}`roberts1996exponential` proposes an EM step and accepts it with the
# Metropolis–Hastings probability, which makes $\pi$ exactly invariant at any $h$; it costs one
# force and one potential evaluation per step.


# %%
def em_step(x, h, noise):
    """One Euler-Maruyama step of eq. (1) for all particles x (n,)."""
    return x - h * grad_potential(x) + math.sqrt(2 * TAU * h) * noise


def adaptive_em_step(x, h, noise, big_m=M_UPPER):
    """One step of the time-rescaled, drift-corrected scheme, eq. (5)."""
    g = monitor(x, big_m)
    drift = -g * grad_potential(x) + TAU * monitor_prime(x, big_m)
    return x + h * drift + np.sqrt(2 * TAU * h * g) * noise


def mala_step(x, h, noise, uniform):
    """One MALA step: an EM proposal, accepted with the Metropolis-Hastings probability."""
    proposal = em_step(x, h, noise)

    def log_q(to, frm):
        """log density (up to a constant) of proposing `to` from `frm`."""
        return -((to - frm + h * grad_potential(frm)) ** 2) / (4 * TAU * h)

    log_ratio = (
        -(potential(proposal) - potential(x)) / TAU + log_q(x, proposal) - log_q(proposal, x)
    )
    accept = np.log(uniform) < log_ratio
    return np.where(accept, proposal, x), accept


def run_overdamped(scheme, h, n_particles, t_final, rng):
    """Run a scheme from x = 0 for t_final / h steps.

    Returns E[x^2] averaged over the particles and over the second half of the steps, its
    standard error (from the spread of the particles' own time averages, which are independent),
    and the acceptance rate (1 for unadjusted schemes).
    """
    x = np.zeros(n_particles)
    n_steps = int(round(t_final / h))
    sums, count, accepted = np.zeros(n_particles), 0, 0.0
    for k in range(n_steps):
        noise = rng.standard_normal(n_particles)
        if scheme == "MALA":
            x, accept = mala_step(x, h, noise, rng.random(n_particles))
            accepted += accept.mean()
        elif scheme == "adaptive EM":
            x = adaptive_em_step(x, h, noise)
        else:
            x = em_step(x, h, noise)
        if k >= n_steps // 2:
            sums += x**2
            count += 1
    acceptance = accepted / n_steps if scheme == "MALA" else 1.0
    per_particle = sums / count
    return per_particle.mean(), per_particle.std() / math.sqrt(n_particles), acceptance


# %% [markdown]
# Like the authors' code, every run starts all particles at $x = 0$ and integrates to a final
# time $T$ in $s$ with $T/h$ steps, so all schemes at a given $h$ cost the same number of force
# evaluations. Where the paper averages over particles at the final time, we also average over
# the second half of the steps, which lowers the Monte Carlo noise at no extra cost (the
# relaxation time of the harmonic part, $1/c = 10$, is short against $T/2$).
#
# ### Each scheme's stationary law, without sampling noise
#
# An EM-type step is a Gaussian transition $x' \sim \mathcal N(\mu(x), \sigma^2(x))$, with
# $\mu(x) = x - hV'(x)$, $\sigma^2 = 2\tau h$ for EM and the mean and variance of
# {eq}`eq-adaptive-em` for the adaptive scheme. On a fine grid this is a stochastic matrix, and its
# invariant vector is the scheme's stationary law, computed by one linear solve
# (`utils.langevin.stationary_density_1d`). This gives the bias of a scheme exactly (up to the
# grid), separating it from the noise of a finite simulation.

# %%
GRID = np.linspace(-7.0, 5.0, 961)  # spacing 0.0125


def stationary_law(scheme, h, big_m=M_UPPER, grid=GRID):
    """Stationary probabilities on the grid of EM, adaptive EM or the naive rescaled EM, step h.

    "naive" rescales time by g but drops the correction tau g' (the foil of eq. (4)).
    """
    if scheme == "EM":
        mean, var = grid - h * grad_potential(grid), np.full(grid.size, 2 * TAU * h)
    else:
        g = monitor(grid, big_m)
        correction = TAU * monitor_prime(grid, big_m) if scheme == "adaptive EM" else 0.0
        mean = grid + h * (-g * grad_potential(grid) + correction)
        var = 2 * TAU * h * g
    return stationary_density_1d(grid, mean, var)


# %% [markdown]
# ### Underdamped splittings
#
# One function runs any string of A, B and O pieces, each taking its share of the step (a piece
# that appears twice gets half a step each time). With `adaptive=True` it uses the transformed
# pieces {eq}`eq-pieces`, with the correction in $\hat{\text B}$.


# %%
GAMMA = 1.0  # friction (our choice; the paper's value for this test is not confirmed here)


def implicit_midpoint(x, p, delta, tol=1e-12, max_iter=60):
    """Solve x' = x + delta p g((x + x') / 2) by fixed-point iteration; return x', iterations."""
    x_new = x + delta * p * monitor(x)  # explicit guess
    iterations, converged = 0, False
    while not converged and iterations < max_iter:
        x_next = x + delta * p * monitor((x + x_new) / 2)
        converged = np.max(np.abs(x_next - x_new)) < tol
        x_new = x_next
        iterations += 1
    return x_new, iterations


def a_piece(x, p, delta, adaptive):
    """A: x' = x + delta p (fixed) or the implicit midpoint rule for dx = g(x) p (adaptive).

    adaptive="explicit" uses the naive explicit step x' = x + delta g(x) p instead (not symmetric).
    """
    if not adaptive:
        return x + delta * p
    if adaptive == "explicit":
        return x + delta * p * monitor(x)
    return implicit_midpoint(x, p, delta)[0]


def b_piece(x, p, delta, adaptive):
    """B: the force kick, with the factor g and the correction tau g' when adaptive."""
    if not adaptive:
        return p - delta * grad_potential(x)
    return p + delta * (-monitor(x) * grad_potential(x) + TAU * monitor_prime(x))


def o_piece(x, p, delta, noise, adaptive):
    """O: exact Ornstein-Uhlenbeck step of friction gamma (times g(x) when adaptive)."""
    rate = GAMMA * (monitor(x) if adaptive else 1.0)
    decay = np.exp(-rate * delta)
    return decay * p + np.sqrt((1 - decay**2) * TAU) * noise


def splitting_step(order, x, p, h, noise, adaptive):
    """One step of the splitting `order` (e.g. "BAOAB") with step h."""
    for piece in order:
        delta = h / order.count(piece)
        if piece == "A":
            x = a_piece(x, p, delta, adaptive)
        elif piece == "B":
            p = b_piece(x, p, delta, adaptive)
        else:
            p = o_piece(x, p, delta, noise, adaptive)
    return x, p


def run_underdamped(order, adaptive, h, n_particles, t_final, rng):
    """E[x^2] over particles and the second half of the steps, and its standard error.

    Starts from x = 0, p ~ N(0, tau) and takes t_final / h steps.
    """
    x = np.zeros(n_particles)
    p = math.sqrt(TAU) * rng.standard_normal(n_particles)
    n_steps = int(round(t_final / h))
    total, count = np.zeros(n_particles), 0
    for k in range(n_steps):
        x, p = splitting_step(order, x, p, h, rng.standard_normal(n_particles), adaptive)
        if k >= n_steps // 2:
            total += x**2
            count += 1
    per_particle = total / count
    return per_particle.mean(), per_particle.std() / math.sqrt(n_particles)


# %% [markdown]
# ## Cross-check
#
# ### The corrected generators annihilate the target (symbolic)
#
# `sympy` applies the adjoint {eq}`eq-generator` to $\pi$ for arbitrary functions $V$ and $g$,
# with and without the correction. For the underdamped dynamics it does the same in $(x, p)$ with
# $\mathcal L^*\rho = -\partial_x(g p\rho) - \partial_p(F_p\rho) + \gamma\tau\,\partial_p^2(g\rho)$.
# Symbolic simplification can miss a zero, so we also evaluate each residual at random points for
# a concrete $V$ and $g$ (the chapter's).

# %%
x_s, p_s = sp.symbols("x p", real=True)
tau_s, gamma_s = sp.symbols("tau gamma", positive=True)
V_s, g_s = sp.Function("V")(x_s), sp.Function("g")(x_s)
pi_s = sp.exp(-V_s / tau_s)


def overdamped_residual(drift):
    """L* pi / pi for dX = drift dt + sqrt(2 tau g) dW, simplified."""
    adjoint = -sp.diff(drift * pi_s, x_s) + tau_s * sp.diff(g_s * pi_s, x_s, 2)
    return sp.simplify(adjoint / pi_s)


def underdamped_residual(drift_p):
    """L* rho / rho for dx = g p dt, dp = drift_p dt + sqrt(2 gamma tau g) dW."""
    rho = sp.exp(-(V_s + p_s**2 / 2) / tau_s)
    adjoint = (
        -sp.diff(g_s * p_s * rho, x_s)
        - sp.diff(drift_p * rho, p_s)
        + gamma_s * tau_s * sp.diff(g_s * rho, p_s, 2)
    )
    return sp.simplify(adjoint / rho)


V1, g1 = sp.diff(V_s, x_s), sp.diff(g_s, x_s)
residuals = {
    "overdamped, corrected": overdamped_residual(-g_s * V1 + tau_s * g1),
    "overdamped, uncorrected": overdamped_residual(-g_s * V1),
    "underdamped, corrected": underdamped_residual(-g_s * V1 + tau_s * g1 - gamma_s * g_s * p_s),
    "underdamped, uncorrected": underdamped_residual(-g_s * V1 - gamma_s * g_s * p_s),
}
for name, expr in residuals.items():
    print(f"L* pi / pi, {name}: {expr}")

# The same residuals for the chapter's V and g, at random points (x, p).
x_c = sp.Symbol("x", real=True)
u_c = x_c - X0
V_concrete = B_PARAM**2 * (
    -1 / (2 * (K + u_c**2))
    + X0 * (u_c / (2 * K * (K + u_c**2)) + sp.atan(u_c / math.sqrt(K)) / (2 * K**1.5))
) + C_PARAM * x_c**2 / 2
g_concrete = 1 / (1 / M_UPPER + 1 / sp.sqrt(((K + u_c**2) / B_PARAM) ** 2 + M_LOWER))
rng_points = np.random.default_rng(seed)
points = rng_points.uniform(-2, 2, size=(20, 2))


def concrete_residual(name):
    """Max |L* pi / pi| at the random points for the chapter's V and g."""
    expr = residuals[name].subs({tau_s: TAU, gamma_s: GAMMA}).subs(x_s, x_c)
    expr = expr.subs({V_s.subs(x_s, x_c): V_concrete, g_s.subs(x_s, x_c): g_concrete}).doit()
    fn = sp.lambdify((x_c, p_s), expr, "numpy")
    return float(np.max(np.abs([fn(xv, pv) for xv, pv in points])))


adjoint_residual = max(concrete_residual(n) for n in residuals if n.endswith(", corrected"))
uncorrected_residual = min(concrete_residual(n) for n in residuals if n.endswith("uncorrected"))
print(f"max |L* pi / pi| with the correction, chapter's V and g: {adjoint_residual:.1e}")
print(f"without it (smallest of the two dynamics):              {uncorrected_residual:.1e}")

# %% [markdown]
# With the correction both residuals simplify to zero, and numerically they vanish to rounding
# error. Without it the residual is a multiple of $g'$ (printed above): zero only where $g$ is
# constant, which is plain Langevin dynamics.
#
# ### The potential, the monitor and the reference values
#
# The closed-form $V$ is checked against quadrature of $V'$, and $g'$ against central
# differences. The grid computation of the stationary law is checked in `tests/test_langevin.py`
# against the closed-form stationary variance of EM on a Gaussian; here we check that refining
# the grid does not change its answer, and that at a tiny step it reproduces quadrature.

# %%
test_points = np.array([-2.5, -0.7, 0.2, 0.45, 0.5, 0.8, 1.9])
potential_error = max(
    abs((potential(b) - potential(0.0)) - integrate.quad(grad_potential, 0.0, b, points=[X0])[0])
    if b > X0
    else abs((potential(b) - potential(0.0)) - integrate.quad(grad_potential, 0.0, b)[0])
    for b in test_points
)
eps = 1e-6
fd = (monitor(test_points + eps) - monitor(test_points - eps)) / (2 * eps)
monitor_prime_error = float(np.max(np.abs(fd - monitor_prime(test_points))))
law_fine = stationary_law("EM", math.exp(-1), grid=np.linspace(-8.0, 6.0, 1681))
law = stationary_law("EM", math.exp(-1))
grid_change = abs(law @ GRID**2 - law_fine @ np.linspace(-8.0, 6.0, 1681) ** 2)
tiny_step_error = abs(stationary_law("adaptive EM", 0.002) @ GRID**2 - ref_m2)
print(f"closed-form V against quadrature of V': max error {potential_error:.1e}")
print(f"g' against central differences:        max error {monitor_prime_error:.1e}")
print(f"EM at h = e^-1, E[x^2] on two grids:   difference {grid_change:.1e}")
print(f"adaptive EM at h = 0.002 (grid):       |E[x^2] - quadrature| = {tiny_step_error:.1e}")

# %% [markdown]
# Everything agrees to many digits, and at a tiny step the adaptive scheme's stationary law has
# the quadrature moment up to a small remaining bias (printed above), as {eq}`eq-adjoint-zero`
# predicts.
#
# ## Experiment
#
# ### Overdamped: fixed step against adaptive step, at equal cost
#
# We sweep $h$ over powers of $e$, as the authors' code for the paper's Figure 7 does (its steps
# run from $e^{-4.5}$ to $e^{-0.5}$, with $10^5$ particles and $T = 100$), and run EM, adaptive
# EM and MALA with the same number of steps $T/h$ and the same number of particles. The trivial
# baseline ignores the cliff: it samples the harmonic part alone,
# $\mathcal N(0, \tau/c)$, whose second moment is $\tau/c = 1$.

# %%
LOG_STEPS = utils.pick([-2.0, -1.0, -0.5], [-3.0, -2.5, -2.0, -1.5, -1.0, -0.5])
n_particles = utils.pick(6000, 10000)
t_final = utils.pick(50.0, 100.0)
SCHEMES = ["EM", "adaptive EM", "MALA"]
overdamped = {}  # (scheme, log h) -> dict of results
for log_h in LOG_STEPS:
    h = math.exp(log_h)
    for scheme in SCHEMES:
        rng = np.random.default_rng([seed, int(round(10 * log_h)) + 100, SCHEMES.index(scheme)])
        m2, stderr, acceptance = run_overdamped(scheme, h, n_particles, t_final, rng)
        row = {"m2": m2, "stderr": stderr, "acceptance": acceptance}
        if scheme != "MALA":
            law = stationary_law(scheme, h)
            row["m2_exact"] = law @ GRID**2
        overdamped[(scheme, log_h)] = row
    overdamped[("naive", log_h)] = {"m2_exact": stationary_law("naive", h) @ GRID**2}
trivial_error = abs(TAU / C_PARAM - ref_m2)

print(f"{n_particles} particles, T = {t_final:.0f}; reference E[x^2] = {ref_m2:.4f}")
print("  h       |  E[x^2] error: EM (grid)   adaptive (grid)    MALA   | naive (grid) | MALA acc.")
for log_h in LOG_STEPS:
    em, ad, ma = (overdamped[(s, log_h)] for s in SCHEMES)
    print(
        f"  e^{log_h:<5} | {em['m2'] - ref_m2:+.3f} ({em['m2_exact'] - ref_m2:+.3f})   "
        f"{ad['m2'] - ref_m2:+.3f} ({ad['m2_exact'] - ref_m2:+.3f})   "
        f"{ma['m2'] - ref_m2:+.3f}  |    "
        f"({overdamped[('naive', log_h)]['m2_exact'] - ref_m2:+.3f}) | {ma['acceptance']:.2f}"
    )
print(f"trivial baseline N(0, tau/c): error {trivial_error:+.3f}")
bias_ratios = [
    overdamped[("EM", lh)]["m2_exact"] - ref_m2 for lh in LOG_STEPS
] / (np.array([overdamped[("adaptive EM", lh)]["m2_exact"] for lh in LOG_STEPS]) - ref_m2)
print("exact bias of EM / exact bias of adaptive EM:", " ".join(f"{r:.1f}" for r in bias_ratios))
naive_ratio_large = abs(overdamped[("naive", -0.5)]["m2_exact"] - ref_m2) / abs(
    overdamped[("EM", -0.5)]["m2_exact"] - ref_m2
)
naive_small_step = stationary_law("naive", 0.002) @ GRID**2 - ref_m2
print(
    f"naive rescaling without the correction: |bias| / |EM bias| at e^-0.5 = "
    f"{naive_ratio_large:.2f}; bias at h = 0.002: {naive_small_step:+.3f} "
    f"(adaptive EM: {tiny_step_error:.1e})"
)
stderrs = [row["stderr"] for row in overdamped.values() if "stderr" in row]
print(f"standard errors of the simulated E[x^2]: {min(stderrs):.3f} to {max(stderrs):.3f}")
for scheme in ("EM", "adaptive EM"):
    bias = np.array([overdamped[(scheme, lh)]["m2_exact"] - ref_m2 for lh in LOG_STEPS])
    slopes = np.diff(np.log(bias)) / np.diff(LOG_STEPS)
    fitted = np.polyfit(LOG_STEPS, np.log(bias), 1)[0]
    print(f"{scheme}: pairwise log-log slopes of the exact bias {slopes.round(2)}, "
          f"fit {fitted:.2f}")
sim_vs_grid = max(
    abs(overdamped[(s, lh)]["m2"] - overdamped[(s, lh)]["m2_exact"]) / overdamped[(s, lh)]["stderr"]
    for s in ("EM", "adaptive EM")
    for lh in LOG_STEPS
)
mala_z = max(abs(overdamped[("MALA", lh)]["m2"] - ref_m2) / overdamped[("MALA", lh)]["stderr"]
             for lh in LOG_STEPS)
print(f"largest gap between simulation and grid computation: {sim_vs_grid:.1f} standard errors")
print(f"largest |error| of MALA: {mala_z:.1f} standard errors")

# %% [markdown]
# The figure puts the table on a log–log scale: simulated errors as markers, the exact
# (grid) stationary bias of each unadjusted scheme as a line.

# %% tags=["hide-input"]
fig, ax = plt.subplots(figsize=(6.8, 3.4))
steps = np.exp(LOG_STEPS)
for scheme, color, marker in (("EM", "C3", "o"), ("adaptive EM", "C2", "s"), ("MALA", "C0", "^")):
    errors = [abs(overdamped[(scheme, lh)]["m2"] - ref_m2) for lh in LOG_STEPS]
    ax.loglog(steps, errors, marker, color=color, label=f"{scheme} (simulation)")
    if scheme != "MALA":
        exact = [abs(overdamped[(scheme, lh)]["m2_exact"] - ref_m2) for lh in LOG_STEPS]
        ax.loglog(steps, exact, "-", color=color, lw=1, label=f"{scheme} (exact bias)")
naive_exact = [abs(overdamped[("naive", lh)]["m2_exact"] - ref_m2) for lh in LOG_STEPS]
ax.loglog(steps, naive_exact, "-.", color="C4", lw=1, label="naive, no correction (exact)")
ax.axhline(trivial_error, color="0.4", ls="--", lw=1, label="ignore the cliff: N(0, τ/c)")
ax.axhline(2 * max(stderrs), color="0.6", ls=":", lw=1, label="2 standard errors")
ax.set_xticks(steps, [f"$e^{{{lh:g}}}$" for lh in LOG_STEPS])
ax.minorticks_off()
ax.set_xlabel("step size $h$")
ax.set_ylabel("|error in $E[x^2]$|")
ax.set_title("Overdamped: error in the second moment against the step", fontsize=10)
ax.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.01, 0.5))
fig.tight_layout()
plt.show()

# %% [markdown]
# The simulations sit on the exact bias curves within a few standard errors (printed above),
# which confirms both computations. EM's bias grows faster than $h$ over this range (pairwise
# slopes printed above): every step but the two smallest is beyond EM's local stability limit, so
# these are not yet the small steps where the $O(h)$ bias of EM would show. At $h = e^{-1}$ EM's
# error equals that of the trivial baseline, and at $h = e^{-0.5}$ it is more than twice as
# large: EM then knows less about $E[x^2]$ than a Gaussian that ignores the cliff. The adaptive
# scheme's exact bias is smaller at every step, by a factor that grows with $h$ (ratios printed
# above): this is the paper's claim. MALA, at the same number of force evaluations, has no visible
# bias at any of these
# steps, and its acceptance rate stays high (printed above): on this one-dimensional problem the
# Metropolis correction is cheap and beats both unadjusted schemes.
#
# The dash-dotted line is the paper's foil: the same time rescaling without the correction
# $\tau g'$. Its bias does not vanish as $h \to 0$ (printed above: it tends to the bias of
# $\pi/g$, Exercise 3), yet at the largest step it is *smaller* than EM's, by the ratio printed
# above, and no larger than the corrected scheme's. Beating EM at a large step therefore does not
# show that the correction works: there EM is so biased that a sampler of the wrong law beats it.
# The claim check asserts both halves: the ratio to EM at large steps, and that the corrected
# scheme's stationary law tends to $\pi$ as $h \to 0$, which the naive one does not.
#
# Look at the samples too. The histograms below are the particles at the final time for the
# largest step.

# %% tags=["hide-input"]
h_big = math.exp(LOG_STEPS[-1])
fig, axes = plt.subplots(1, 3, figsize=(6.8, 2.3), sharey=True)
bins = np.linspace(-3.5, 2.5, 61)
for ax, scheme, color in zip(axes, SCHEMES, ("C3", "C2", "C0")):
    rng = np.random.default_rng([seed, 999, SCHEMES.index(scheme)])
    x = np.zeros(n_particles)
    for _ in range(int(round(t_final / h_big))):
        noise = rng.standard_normal(n_particles)
        if scheme == "MALA":
            x = mala_step(x, h_big, noise, rng.random(n_particles))[0]
        elif scheme == "EM":
            x = em_step(x, h_big, noise)
        else:
            x = adaptive_em_step(x, h_big, noise)
    ax.hist(x, bins=bins, density=True, color=color, alpha=0.6, label="samples")
    ax.plot(grid_plot, density, "k", lw=1, label="$\\pi$")
    ax.set_title(f"{scheme}, h = e^{LOG_STEPS[-1]}", fontsize=9)
    ax.set_xlabel("$x$")
axes[0].set_ylabel("density")
axes[0].legend(fontsize=7)
fig.tight_layout()
plt.show()
print(f"largest force |V'| near the cliff: {np.abs(grad_potential(xs)).max():.2f}")
print(
    f"EM's kick h |V'| there at h = e^{LOG_STEPS[-1]}: "
    f"{h_big * np.abs(grad_potential(xs)).max():.2f}; "
    f"standard deviation of pi: {math.sqrt(ref_m2 - ref_m1**2):.2f}"
)

# %% [markdown]
# EM's sample is too wide and sits too far to the left: its peak has moved away from the cliff,
# and its left tail is too heavy. A particle that reaches the cliff receives a kick $hV'$ to the
# left that is several times the standard deviation of $\pi$ (both printed above), so the
# cliff throws particles back into the left tail instead of holding them near the mode. The
# adaptive particles follow $\pi$ closely, with a small excess just right of the mode; MALA's
# match $\pi$.
#
# ### Underdamped: BAOAB and ABOBA, fixed and adaptive
#
# The same comparison for the splittings, now with a momentum. We run BAOAB and ABOBA and the
# one-sided Lie splitting BAO, each with a fixed step and adaptively. All use one force
# evaluation per step (B's kick at the end of one step is reused at the start of the next in a
# careful implementation; ours recomputes it, which changes the run time but not the results).
# The adaptive ones also iterate the implicit midpoint rule in A.

# %%
SPLITTINGS = [("BAOAB", False), ("ABOBA", False), ("BAO", False)]
SPLITTINGS += [("BAOAB", True), ("ABOBA", True), ("BAO", True)]
LOG_STEPS_UD = utils.pick([-1.0, 0.0], [-2.0, -1.5, -1.0, -0.5, 0.0])
n_particles_ud = utils.pick(2000, 3000)
t_final_ud = utils.pick(50.0, 100.0)
underdamped, underdamped_stderr = {}, []
for log_h in LOG_STEPS_UD:
    for index, (order, adaptive) in enumerate(SPLITTINGS):
        rng = np.random.default_rng([seed, int(round(10 * log_h)) + 200, index])
        m2, stderr = run_underdamped(
            order, adaptive, math.exp(log_h), n_particles_ud, t_final_ud, rng
        )
        underdamped[(order, adaptive, log_h)] = m2 - ref_m2
        underdamped_stderr.append(stderr)


def label(order, adaptive):
    """Name of a splitting in tables and legends."""
    return ("adaptive " if adaptive else "") + order


print(
    f"fixed-step splittings are locally stable for h < 2 / sqrt(max V'') = "
    f"{2 / math.sqrt(curvature.max()):.2f} (harmonic analysis)"
)
print(f"{n_particles_ud} particles, T = {t_final_ud:.0f}, gamma = {GAMMA}: error in E[x^2]")
print("  h      | " + " ".join(f"{label(o, a):>14}" for o, a in SPLITTINGS))
for log_h in LOG_STEPS_UD:
    errors = " ".join(f"{underdamped[(o, a, log_h)]:>+14.3f}" for o, a in SPLITTINGS)
    print(f"  e^{log_h:<4} | {errors}")

# %% tags=["hide-input"]
fig, ax = plt.subplots(figsize=(6.8, 3.4))
steps_ud = np.exp(LOG_STEPS_UD)
styles = {"BAOAB": ("C3", "o"), "ABOBA": ("C1", "s"), "BAO": ("C4", "v")}
for order, adaptive in SPLITTINGS:
    color, marker = styles[order]
    errors = [abs(underdamped[(order, adaptive, lh)]) for lh in LOG_STEPS_UD]
    ax.loglog(
        steps_ud, errors, marker + ("-" if adaptive else "--"), color=color,
        mfc="white" if not adaptive else color, label=label(order, adaptive),
    )
ax.axhline(trivial_error, color="0.4", ls="--", lw=1, label="ignore the cliff")
ax.axhline(2 * np.median(underdamped_stderr), color="0.6", ls=":", lw=1, label="2 std. errors")
ax.set_xticks(steps_ud, [f"$e^{{{lh:g}}}$" for lh in LOG_STEPS_UD])
ax.minorticks_off()
ax.set_xlabel("step size $h$")
ax.set_ylabel("|error in $E[x^2]$|")
ax.set_title("Underdamped: error in the second moment against the step", fontsize=10)
ax.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.01, 0.5))
fig.tight_layout()
plt.show()
print(
    f"standard errors of these estimates: {min(underdamped_stderr):.3f} to "
    f"{max(underdamped_stderr):.3f}"
)

# %% [markdown]
# Dashed lines with open markers are fixed-step schemes, solid lines with filled markers their
# adaptive versions. The fixed-step symmetric splittings are accurate at small steps and break
# down at the two largest ones, which exceed their local stability limit at the cliff (printed
# above). Adaptive BAOAB stays near the noise level up to $h = 1$; adaptive ABOBA does too up
# to $e^{-0.5}$, with a small bias at $h = 1$ that some seeds resolve. The one-sided BAO splitting is
# biased at every step, adaptive or not: the symmetry of the splitting matters as much as the
# adaptivity, which is the notes' point about symmetric schemes. Between BAOAB and ABOBA the
# differences are small at the smallest steps; at the two largest, fixed-step ABOBA is clearly the
# worse of the two, consistent with the analysis of {cite}`leimkuhler2013rational`, which
# favours BAOAB for averages of functions of the position. Errors within two or three standard
# errors (printed above) of zero are not resolved by these runs.
#
# Does the implicit midpoint rule in A matter? The next cell reruns adaptive BAOAB with the
# naive explicit step $x' = x + \delta\,g(x)\,p$ in A, which breaks the symmetry of the
# scheme, with the same random numbers as the implicit run (so the difference has less noise
# than either error).

# %%
explicit_a = {}
for log_h in LOG_STEPS_UD:
    rng = np.random.default_rng([seed, int(round(10 * log_h)) + 200, 3])  # as adaptive BAOAB
    m2, _ = run_underdamped(
        "BAOAB", "explicit", math.exp(log_h), n_particles_ud, t_final_ud, rng
    )
    explicit_a[log_h] = m2 - ref_m2
print("adaptive BAOAB, error in E[x^2]:  h = " + "  ".join(f"e^{lh:g}" for lh in LOG_STEPS_UD))
print("  implicit midpoint in A: " + "  ".join(
    f"{underdamped[('BAOAB', True, lh)]:+.3f}" for lh in LOG_STEPS_UD))
print("  explicit step in A:     " + "  ".join(f"{explicit_a[lh]:+.3f}" for lh in LOG_STEPS_UD))
print("  difference (paired):    " + "  ".join(
    f"{explicit_a[lh] - underdamped[('BAOAB', True, lh)]:+.3f}" for lh in LOG_STEPS_UD))

# %% [markdown]
# With the explicit A step the adaptive scheme is still far better than fixed-step BAOAB at the
# large steps. The paired difference (printed above) shows what the explicit step changes: it
# shifts $E[x^2]$ down by a few hundredths at the largest steps. That is of the size of the
# Monte Carlo error of either run, so in a given run the explicit variant's error need not be
# the larger of the two. The symmetric A piece is worth having here at the level of a few
# hundredths in $E[x^2]$, not more, and the claim check does not assert it.
#
# The adaptive A piece costs extra monitor evaluations. The next cell counts the fixed-point
# iterations of the implicit midpoint rule.

# %%
rng_iter = np.random.default_rng(seed)
x_iter = rng_iter.normal(-0.5, 0.8, 2000)
p_iter = math.sqrt(TAU) * rng_iter.standard_normal(2000)
for log_h in (-1.0, 0.0):
    iterations = implicit_midpoint(x_iter, p_iter, math.exp(log_h) / 2)[1]
    print(f"h = e^{log_h}: implicit midpoint converged to 1e-12 in {iterations} iterations")

# %% [markdown]
# Between ten and a few tens of monitor evaluations per A piece (printed above). On this problem
# $g$ is as cheap
# as the force, so at equal step the adaptive splittings cost several times more than the fixed
# ones in wall time; in molecular or Bayesian problems, where the force dominates the cost, the
# count of force evaluations is the fair measure, and there the two are equal. A looser tolerance
# would cut the iterations.
#
# ### Underdamped, in the paper's own setting
#
# The runs above use the overdamped test's temperature $\tau = 0.1$ and our friction
# $\gamma = 1$. There, at the paper's largest underdamped step ($0.368 \approx e^{-1}$),
# fixed-step BAOAB is still accurate (table above), and it takes steps beyond its stability
# limit to make it fail. The authors' code for the paper's Figures 8 and 9 uses another setting:
# $\tau = 1$, $\gamma = 0.1$, monitor parameters $M = 1.1$, $m = 0.1$, and steps from $0.202$ to
# $0.368$; its stored data (the authors' repository, $10^6$ trajectories) give fixed-step BAOAB an
# error in $E[x^2]$ of $0.22$ at $h = 0.202$ and $1.61$ at $h = 0.368$, and the adaptive BAOAB
# (correction in $\hat{\text B}$) errors below $0.01$. We rerun that setting with the same
# BAOAB code; the functions read $\tau$, $\gamma$ and the monitor's parameters as globals, so the
# cell sets them for the run and restores them afterwards.

# %%
PAPER_SETTING = {"TAU": 1.0, "GAMMA": 0.1, "M_UPPER": 1.1, "M_LOWER": 0.1}
STEPS_PAPER = utils.pick([0.368], [0.202, 0.368])
n_particles_paper = utils.pick(2500, 4000)
t_final_paper = utils.pick(300.0, 400.0)


def run_in_setting(setting, fn, *args):
    """Call fn(*args) with the module's TAU, GAMMA, M_UPPER, M_LOWER set to `setting`."""
    saved = {name: globals()[name] for name in setting}
    saved_defaults = monitor.__defaults__, monitor_prime.__defaults__
    globals().update(setting)
    monitor.__defaults__ = monitor_prime.__defaults__ = (setting["M_UPPER"], setting["M_LOWER"])
    try:
        return fn(*args)
    finally:
        globals().update(saved)
        monitor.__defaults__, monitor_prime.__defaults__ = saved_defaults


ref_m2_paper = boltzmann_expectation(potential, lambda x: x**2, 1.0, -60.0, 60.0, points=[X0])
paper_setting = {}  # (adaptive, h) -> (error in E[x^2], standard error)
for h in STEPS_PAPER:
    for adaptive in (False, True):
        rng = np.random.default_rng([seed, int(1000 * h), 300 + adaptive])
        m2, stderr = run_in_setting(
            PAPER_SETTING, run_underdamped, "BAOAB", adaptive, h, n_particles_paper,
            t_final_paper, rng,
        )
        paper_setting[(adaptive, h)] = (m2 - ref_m2_paper, stderr)
print(f"paper's setting: tau = 1, gamma = 0.1, M = 1.1, m = 0.1; E_pi[x^2] = {ref_m2_paper:.4f}")
print(f"{n_particles_paper} particles, T = {t_final_paper:.0f}: error in E[x^2] (standard error)")
for h in STEPS_PAPER:
    fixed, adapt = paper_setting[(False, h)], paper_setting[(True, h)]
    print(
        f"  h = {h}: BAOAB {fixed[0]:+.3f} ({fixed[1]:.3f});  "
        f"adaptive BAOAB {adapt[0]:+.3f} ({adapt[1]:.3f})"
    )
assert monitor(X0) == monitor(X0, 1.5, 0.001) and TAU == 0.1  # the globals are restored

# %% [markdown]
# In the paper's setting, fixed-step BAOAB is biased already at the paper's step sizes, which are
# within its linear stability limit, while the adaptive BAOAB's error is of the size of its
# standard error (printed above), as in the authors' data. This is the paper's underdamped claim
# in the paper's own regime; the $h = 1$ comparison above is this chapter's extension of it.
#
# ## Claim check
#
# The thresholds were fixed from a prototype before this chapter's runs: the adaptive scheme's
# error must be at most half of the fixed-step scheme's at the large steps; the underdamped
# adaptive BAOAB must stay below 0.05 at $h = 1$, where the fixed-step one is above 0.2; the
# Lie splitting must be worse by at least 0.03 than the symmetric one at $h = e^{-1}$. The code
# rows check the derivation, the grid computation against the simulation, and MALA against
# quadrature. The two rows that compare a simulation
# with an exact value are judged in units of the simulation's standard error (at most 4): we
# first set them as absolute gaps of 0.03, which one seed of the fast mode exceeded (a gap of
# 0.032 against a standard error near 0.01, i.e. noise), and changed them to the statistically
# meaningful form; a biased implementation gives gaps of many standard errors.
#
# A referee then found that the large-step ratio rows pass even without the correction (the
# naive scheme's ratio is printed in the Experiment), and that the underdamped rows used neither
# the paper's parameters nor its steps. Three rows were added after that review, so their
# thresholds were set knowing a prototype's values: the corrected scheme's stationary
# $E[x^2]$ at $h = 0.002$ must be within 0.01 of quadrature (the naive scheme misses by more
# than 0.1); in the paper's setting at $h = 0.368$, fixed-step BAOAB must be off by at least 0.8
# (half the authors' 1.61) and adaptive BAOAB by at most a fifth of that.

# %%
em_large, ad_large = overdamped[("EM", -0.5)], overdamped[("adaptive EM", -0.5)]
em_mid, ad_mid = overdamped[("EM", -1.0)], overdamped[("adaptive EM", -1.0)]
utils.check_claims(
    "09",
    [
        utils.Claim(
            "Overdamped, h = e^-0.5: |E[x^2] error| of adaptive EM / that of fixed-step EM",
            "0.15 (0.074 / 0.482, authors' stored data for Fig. 7)",
            abs(ad_large["m2"] - ref_m2) / abs(em_large["m2"] - ref_m2),
            "<=",
            0.5,
            kind="paper",
        ),
        utils.Claim(
            "Overdamped, h = e^-1: |E[x^2] error| of adaptive EM / that of fixed-step EM",
            "n/a (same figure)",
            abs(ad_mid["m2"] - ref_m2) / abs(em_mid["m2"] - ref_m2),
            "<=",
            0.5,
            kind="paper",
        ),
        utils.Claim(
            "Overdamped, h = 0.002 (grid): |stationary E[x^2] of adaptive EM - quadrature|",
            "0 as h -> 0 (eq. (4)); the naive rescaling tends to pi / g instead",
            tiny_step_error,
            "<=",
            0.01,
            kind="paper",
        ),
        utils.Claim(
            "Paper's setting (tau 1, gamma 0.1), h = 0.368: |E[x^2] error| of fixed BAOAB",
            "1.61 (authors' stored data for Fig. 8)",
            abs(paper_setting[(False, 0.368)][0]),
            ">=",
            0.8,
            kind="paper",
        ),
        utils.Claim(
            "Paper's setting, h = 0.368: |error| of adaptive BAOAB / that of fixed BAOAB",
            "0.004 (0.006 / 1.61, same data)",
            abs(paper_setting[(True, 0.368)][0]) / abs(paper_setting[(False, 0.368)][0]),
            "<=",
            0.2,
            kind="paper",
        ),
        utils.Claim(
            "Our setting (tau 0.1, gamma 1), h = 1: |E[x^2] error| of adaptive BAOAB",
            "n/a (beyond the paper's steps)",
            abs(underdamped[("BAOAB", True, 0.0)]),
            "<=",
            0.05,
            kind="paper",
        ),
        utils.Claim(
            "Our setting, h = 1: |E[x^2] error| of fixed-step BAOAB",
            "n/a",
            abs(underdamped[("BAOAB", False, 0.0)]),
            ">=",
            0.2,
            kind="paper",
        ),
        utils.Claim(
            "Adaptive, h = e^-1: |error| of Lie splitting BAO minus that of symmetric BAOAB",
            "n/a (notes: watch symmetric splittings)",
            abs(underdamped[("BAO", True, -1.0)]) - abs(underdamped[("BAOAB", True, -1.0)]),
            ">=",
            0.03,
            kind="paper",
        ),
        utils.Claim(
            "Corrected generators' adjoints applied to pi: max |L* pi / pi| at random points",
            "0 (by construction of the correction)",
            adjoint_residual,
            "<=",
            1e-8,
            kind="code",
        ),
        utils.Claim(
            "Same without the correction tau g' (must not vanish)",
            "nonzero",
            uncorrected_residual,
            ">=",
            1e-3,
            kind="code",
        ),
        utils.Claim(
            "Simulated vs grid-exact stationary E[x^2], EM and adaptive EM: max gap / std. error",
            "n/a",
            sim_vs_grid,
            "<=",
            4.0,
            kind="code",
        ),
        utils.Claim(
            "MALA (unbiased baseline): max |E[x^2] error| / std. error over all steps",
            "n/a",
            mala_z,
            "<=",
            4.0,
            kind="code",
        ),
    ],
    headline=(
        "Time-rescaled, drift-corrected Langevin schemes stay accurate at step sizes where "
        "fixed-step schemes break down"
    ),
    verdict="reproduced",
)

# %% [markdown]
# The paper's claim reproduces on its own test problem: at the two largest steps the adaptive
# overdamped scheme's bias is a fraction of EM's, while its stationary law tends to $\pi$ as
# $h \to 0$ (which the naive rescaling's does not); in the paper's underdamped setting, at the
# paper's largest step, adaptive BAOAB is accurate where fixed-step BAOAB is off by more than
# one unit of $E[x^2]$; and in our setting it stays accurate up to $h = 1$. The large-step ratio
# alone would not prove the point: the naive rescaling without the correction also beats EM
# there. The symmetric splitting matters as much
# as the adaptivity. Two qualifications belong with the verdict. This is a one-dimensional
# problem with one stiff spot, the easiest setting for a monitor function that was designed
# for it. And MALA, at the same number of force evaluations (plus one evaluation of $V$ per
# step), shows no bias above the Monte Carlo noise at any step (last row), while the adaptive
# scheme's bias at the larger steps is well above it: adaptivity shrinks the discretisation
# bias, a Metropolis test removes it. MALA's advantage is expected to shrink in high dimension,
# where its step
# must fall like $d^{-1/3}$ to keep a useful acceptance rate {cite}`roberts1998optimal`; that is
# not tested here.

# %% [markdown]
# ## Explore
#
# The claim turns on the step $h$, and the adaptive scheme on how far the monitor lets steps grow
# away from the cliff, the cap $M$. Move $h$ and $M$: the left panel shows the exact stationary
# laws of EM and adaptive EM (computed on the grid, no sampling noise) against $\pi$, the right
# panel the monitor function.

# %%
_law_cache = {}


def cached_law(scheme, log_h, big_m):
    """Stationary law on the grid, computed once per setting."""
    key = (scheme, log_h, big_m if scheme != "EM" else None)
    if key not in _law_cache:
        _law_cache[key] = stationary_law(scheme, math.exp(log_h), big_m)
    return _law_cache[key]


def plot_step(log_h: float = -1.0, cap_m: float = 1.5) -> plt.Figure:
    """Exact stationary laws of EM and adaptive EM at step e^log_h, and the monitor with cap M."""
    spacing = GRID[1] - GRID[0]
    fig, axes = plt.subplots(1, 2, figsize=(6.8, 2.8), gridspec_kw={"width_ratios": [1.6, 1]})
    ax = axes[0]
    ax.plot(grid_plot, density, "k", lw=1.5, label="$\\pi$")
    for scheme, color in (("EM", "C3"), ("adaptive EM", "C2")):
        law = cached_law(scheme, log_h, cap_m)
        error = law @ GRID**2 - ref_m2
        ax.plot(GRID, law / spacing, color=color, label=f"{scheme}: E[x²] error {error:+.3f}")
    ax.set_xlim(-3.5, 2.5)
    ax.set_ylim(0, 1.4 * density.max())
    ax.set_xlabel("$x$")
    ax.set_ylabel("stationary density")
    ax.set_title(f"h = e^{log_h:g} = {math.exp(log_h):.3f}", fontsize=10)
    ax.legend(fontsize=7, loc="upper left")
    ax = axes[1]
    ax.plot(grid_plot, monitor(grid_plot, cap_m), color="C2")
    ax.axvline(X0, color="0.6", ls=":", lw=1)
    ax.set_xlim(-3.5, 2.5)
    ax.set_ylim(0, 5.2)
    ax.set_xlabel("$x$")
    ax.set_ylabel("$g(x)$")
    ax.set_title(f"Monitor, M = {cap_m:g}", fontsize=10)
    fig.tight_layout()
    return fig


plot_step()
plt.show()

# %%
utils.explore(
    plot_step, log_h=[-3.0, -2.5, -2.0, -1.5, -1.0, -0.5], cap_m=[0.5, 1.5, 5.0]
)

# %% [markdown]
# Things to try: at $h = e^{-3}$ both laws lie close to $\pi$; from $h = e^{-1.5}$ on, EM's law
# moves to the left of $\pi$ and loses its sharp edge at the cliff, while the adaptive law stays
# close.
# Raising the cap $M$ lets the adaptive scheme take larger steps away from the cliff, and its
# bias grows (the legend gives the error); lowering it makes the scheme more accurate, but each
# step then covers less physical time ($g \le M$), so the particles need more steps to spread
# over $\pi$.

# %% [markdown]
# ## Exercises
#
# ```{exercise}
# :label: ch09-ex1
#
# Linearised about a point $x$, a step $x' = x + hF(x) + \text{noise}$ multiplies small
# deviations by $1 + hF'(x)$. Where $F' < 0$ (the drift pulls back) the step overshoots and
# oscillates with growing amplitude once $1 + hF'(x) < -1$, that is once $h > 2/|F'(x)|$;
# where $F' > 0$ deviations grow at any $h$, as they do for the exact dynamics, so those points
# set no step limit. For EM, $F = -V'$, and this gives the limit $2/\max V''$ printed at the
# start of the chapter. Find the same limit for the adaptive scheme {eq}`eq-adaptive-em`, whose
# drift is $F = -gV' + \tau g'$: the largest step `h_limit_adaptive` with $1 + hF'(x) \ge -1$ at
# every $x \in [-3, 3]$ (differentiate $F$ numerically on a fine grid). How many times larger
# than EM's is it, and which steps of the sweep exceed it?
# ```
#
# ```{solution-start} ch09-ex1
# :class: dropdown
# ```

# %% tags=["solution"]
### BEGIN SOLUTION
fine = np.linspace(-3, 3, 200001)
drift = -monitor(fine) * grad_potential(fine) + TAU * monitor_prime(fine)
h_limit_adaptive = 2 / (-np.gradient(drift, fine)).max()
### END SOLUTION
h_limit_em = 2 / curvature.max()
print(f"h_limit_adaptive = {h_limit_adaptive:.3f};  EM: {h_limit_em:.3f}")
print(
    f"ratio {h_limit_adaptive / h_limit_em:.1f};  "
    f"largest step of the sweep e^-0.5 = {math.exp(-0.5):.3f}"
)

# %% [markdown]
# $F'$ is most negative just left of $x_0$, where $V''$ peaks too (the term $2x\,\omega\omega'$
# of $V'' = \omega^2 + c + 2x\,\omega\omega'$ adds to $\omega^2$ there). The factor $g$, small at
# the cliff, raises the local limit by the ratio printed above. All steps of the sweep up to
# $e^{-1}$ are within the adaptive limit; the largest, $e^{-0.5}$, exceeds it. For EM only the
# two smallest steps are within its limit. (This is a linear, local argument: a particle spends
# only a few steps at the cliff, so
# exceeding the limit there causes bias rather than blow-up.)
#
# ```{solution-end}
# ```

# %% tags=["check", "remove-input"]
utils.check_that(
    "ch09-ex1",
    lambda: 2 / curvature.max() < float(h_limit_adaptive) < 1.0,
    "h_limit_adaptive is larger than EM's limit and below 1",
)
### BEGIN HIDDEN TESTS
_fine = np.linspace(-3, 3, 600001)
_drift = -monitor(_fine) * grad_potential(_fine) + TAU * monitor_prime(_fine)
utils.check_value("ch09-ex1", h_limit_adaptive, 2 / (-np.gradient(_drift, _fine)).max(), rtol=2e-3)
### END HIDDEN TESTS

# %% [markdown]
# ```{exercise}
# :label: ch09-ex2
#
# The chapter puts the correction $\tau g'$ into the kick $\hat{\text B}$. The paper also
# considers putting it into O instead, so that O solves
# $\mathrm dp = \big(\tau g'(x) - \gamma g(x)\,p\big)\mathrm ds
# + \sqrt{2\gamma\tau g(x)}\,\mathrm dW_s$
# with $x$ frozen, and B is the plain kick $-g V'$. Solve this Ornstein–Uhlenbeck equation exactly
# over a time $\delta$ and write `o_piece_corrected(x, p, delta, noise)` (arrays `x`, `p`,
# `noise` of the same shape; use `monitor`, `monitor_prime`, `TAU` and `GAMMA`). Then run
# adaptive BAOAB with this placement at $h = 1$ and compare its error in $E[x^2]$ with that of
# the B placement.
# ```
#
# ```{solution-start} ch09-ex2
# :class: dropdown
# ```


# %% tags=["solution"]
def o_piece_corrected(x, p, delta, noise):
    """O with the correction: exact OU step towards the mean tau g' / (gamma g)."""
    ### BEGIN SOLUTION
    g = monitor(x)
    decay = np.exp(-GAMMA * g * delta)
    centre = TAU * monitor_prime(x) / (GAMMA * g)
    return decay * p + (1 - decay) * centre + np.sqrt((1 - decay**2) * TAU) * noise
    ### END SOLUTION


### BEGIN SOLUTION
def step_o_placement(x, p, h, noise):
    """Adaptive BAOAB with the correction in O."""
    p = p - h / 2 * monitor(x) * grad_potential(x)
    x = a_piece(x, p, h / 2, adaptive=True)
    p = o_piece_corrected(x, p, h, noise)
    x = a_piece(x, p, h / 2, adaptive=True)
    p = p - h / 2 * monitor(x) * grad_potential(x)
    return x, p


rng_ex2 = np.random.default_rng(seed)
x_ex2 = np.zeros(n_particles_ud)
p_ex2 = math.sqrt(TAU) * rng_ex2.standard_normal(n_particles_ud)
n_steps_ex2 = int(round(t_final_ud))
total_ex2 = []
for k in range(n_steps_ex2):
    x_ex2, p_ex2 = step_o_placement(x_ex2, p_ex2, 1.0, rng_ex2.standard_normal(n_particles_ud))
    if k >= n_steps_ex2 // 2:
        total_ex2.append(np.mean(x_ex2**2))
error_o_placement = float(np.mean(total_ex2) - ref_m2)
### END SOLUTION
print(f"adaptive BAOAB at h = 1: correction in O {error_o_placement:+.3f}, "
      f"in B {underdamped[('BAOAB', True, 0.0)]:+.3f}")

# %% [markdown]
# With $x$ frozen, $\mathrm dp = -\gamma g\,(p - \bar p)\,\mathrm dt + \sqrt{2\gamma\tau g}\,
# \mathrm dW$ with $\bar p = \tau g'/(\gamma g)$, an OU process around $\bar p$. Its exact solution
# over $\delta$ is $p' = \bar p + e^{-\gamma g\delta}(p - \bar p) + \sqrt{\tau(1 - e^{-2\gamma g
# \delta})}\,\xi$. Both placements give a consistent scheme whose continuous limit is
# {eq}`eq-underdamped`; on this problem their errors at $h = 1$ are both at the noise level
# (printed above). Note that O now pushes $p$ towards $\bar p$, which is large where $g'$ is
# large and $g$ small, at the edges of the cliff.
#
# ```{solution-end}
# ```

# %% tags=["check", "remove-input"]
_xs2 = np.array([-1.3, 0.1, 0.42, 0.5, 0.61, 2.0])
_ps2 = np.array([0.3, -0.2, 0.05, 0.4, -0.6, 0.1])
_ns2 = np.array([0.5, -1.1, 0.0, 2.0, 0.3, -0.4])
utils.check_that(
    "ch09-ex2",
    lambda: np.shape(o_piece_corrected(_xs2, _ps2, 0.3, _ns2)) == _xs2.shape
    and np.allclose(
        o_piece_corrected(_xs2, _ps2, 1e-12, np.zeros(6)), _ps2, atol=1e-9
    ),
    "o_piece_corrected keeps the shape, and over a vanishing time without noise leaves p unchanged",
)
### BEGIN HIDDEN TESTS
_gamma_saved = GAMMA
try:
    for GAMMA, _delta in ((1.0, 0.05), (0.3, 0.5), (2.5, 3.0)):  # GAMMA = 1 hides a lost gamma
        _g2 = monitor(_xs2)
        _decay = np.exp(-GAMMA * _g2 * _delta)
        _centre = TAU * monitor_prime(_xs2) / (GAMMA * _g2)
        utils.check_array(
            "ch09-ex2",
            o_piece_corrected(_xs2, _ps2, _delta, _ns2),
            _decay * _ps2 + (1 - _decay) * _centre + np.sqrt((1 - _decay**2) * TAU) * _ns2,
            rtol=1e-9,
            atol=1e-12,
        )
finally:
    GAMMA = _gamma_saved
### END HIDDEN TESTS

# %% [markdown]
# ```{exercise}
# :label: ch09-ex3
#
# Drop the correction: run time-rescaled dynamics with drift $-gV'$ and diffusion $2\tau g$
# only. The Background says its invariant density is $\pi/g$. Write $\pi/g$ as a Boltzmann
# density $e^{-U/\tau}$ (what is $U$?), compute its second moment by quadrature (use
# `boltzmann_expectation`, or `scipy.integrate.quad` directly) to six digits, and store it in
# `uncorrected_m2`. Check your answer against the grid computation of the stationary law of the
# uncorrected EM scheme at a small step.
# ```
#
# ```{solution-start} ch09-ex3
# :class: dropdown
# ```

# %% tags=["solution"]
### BEGIN SOLUTION
# The invariant density is pi / g = exp(-(V + tau log g) / tau).
uncorrected_m2 = boltzmann_expectation(
    lambda x: potential(x) + TAU * np.log(monitor(x)), lambda x: x**2, TAU, LO, HI, points=[X0]
)
_g_grid = monitor(GRID)
law_uncorrected = stationary_density_1d(
    GRID, GRID - 0.002 * _g_grid * grad_potential(GRID), 2 * TAU * 0.002 * _g_grid
)
print(f"grid, uncorrected EM at h = 0.002: E[x^2] = {law_uncorrected @ GRID**2:.4f}")
### END SOLUTION
print(f"uncorrected_m2 = {uncorrected_m2:.4f};  E_pi[x^2] = {ref_m2:.4f}")

# %% [markdown]
# The adjoint of $g\mathcal L$ is $\rho \mapsto \mathcal L^*(g\rho)$, so $\rho = \pi/g$ is
# invariant. Dividing by $g$ puts weight where $g$ is small, at the cliff, and the second
# moment moves towards $x_0^2$; the bias does not vanish as $h \to 0$, unlike the
# discretisation bias of the corrected scheme.
#
# ```{solution-end}
# ```

# %% tags=["check", "remove-input"]
utils.check_that(
    "ch09-ex3",
    lambda: 0 < float(uncorrected_m2) and abs(float(uncorrected_m2) - ref_m2) > 0.02,
    "uncorrected_m2 is positive and clearly different from the target's second moment",
)
### BEGIN HIDDEN TESTS
utils.check_value(
    "ch09-ex3",
    uncorrected_m2,
    boltzmann_expectation(
        lambda x: potential(x) + TAU * np.log(monitor(x)), lambda x: x**2, TAU, LO, HI, points=[X0]
    ),
    rtol=1e-6,
)
### END HIDDEN TESTS

# %% [markdown]
# ```{exercise}
# :label: ch09-ex4
#
# (Open-ended.) The monitor {eq}`eq-monitor` was built from the known shape of this potential.
# Design a monitor that needs no such knowledge, for instance one built from the size of the
# force, $g(x) = \big(1/M + |V'(x)|/\sqrt{\tau}\,\big)^{-1}$, or from the curvature. Derive its
# $g'$, run the adaptive EM scheme and the adaptive BAOAB with it over the chapter's steps, and
# compare errors at equal cost with the paper's monitor and with MALA. What is a fair measure of
# cost when the monitor needs a second derivative? Would your monitor work for a target in
# many dimensions, where $g$ must be a single number per state?
# ```
#
# ```{solution-start} ch09-ex4
# :class: dropdown
# ```

# %% tags=["solution"]
### BEGIN SOLUTION
def force_monitor(x, big_m=M_UPPER):
    """g = (1/M + |V'| / sqrt(tau))^-1, smoothed: |V'| replaced by sqrt(V'^2 + 1e-6)."""
    return 1 / (1 / big_m + np.sqrt(grad_potential(x) ** 2 + 1e-6) / math.sqrt(TAU))


def force_monitor_prime(x, big_m=M_UPPER, eps=1e-6):
    """g' by central differences (exact enough for a sketch)."""
    return (force_monitor(x + eps, big_m) - force_monitor(x - eps, big_m)) / (2 * eps)


for log_h in (-2.0, -1.0, -0.5):
    h = math.exp(log_h)
    g_grid = force_monitor(GRID)
    law = stationary_density_1d(
        GRID,
        GRID + h * (-g_grid * grad_potential(GRID) + TAU * force_monitor_prime(GRID)),
        2 * TAU * h * g_grid,
    )
    mean_g_force = boltzmann_expectation(potential, force_monitor, TAU, LO, HI, points=[X0])
    print(
        f"h = e^{log_h}: force monitor, E[x^2] error {law @ GRID**2 - ref_m2:+.3f} "
        f"(paper's monitor {stationary_law('adaptive EM', h) @ GRID**2 - ref_m2:+.3f}); "
        f"E_pi[g] = {mean_g_force:.2f}"
    )
### END SOLUTION

# %% [markdown]
# A good answer reports errors and the average physical time per step $h\,E_\pi[g]$ side by
# side: a monitor that makes $g$ small everywhere is accurate but covers little time per step,
# which is just a smaller fixed step in disguise. The force-based monitor above needs no
# knowledge of where the cliff is, and its errors come out close to those of the paper's monitor
# with a slightly smaller $E_\pi[g]$ (printed above): on this problem, knowing the shape of the
# potential buys little. A fair comparison fixes the physical time covered, or the effective
# sample size per force evaluation. A full answer
# also notes that curvature-based monitors need $V''$ (or a Hessian norm in many dimensions),
# whose cost must be counted, and that a single scalar $g$ cannot adapt to a target that is stiff
# in one direction and soft in another.
#
# ```{solution-end}
# ```

# %% [markdown]
# ## Takeaways and limits
#
# - Rescaling time by a monitor $g(x)$ alone changes the invariant law to $\pi/g$; the drift
#   correction $\tau g'$ restores $\pi$. The generator and its adjoint give this in two lines,
#   for overdamped and underdamped dynamics alike (checked symbolically above).
# - On the paper's one-dimensional test, the adaptive EM scheme's bias in $E[x^2]$ is a
#   fraction of fixed-step EM's at large steps, at the same number of force evaluations, and it
#   vanishes as $h \to 0$. The naive rescaling without the correction also beats EM at the
#   largest step, so the large-step comparison alone does not test the correction.
# - In the paper's underdamped setting, adaptive BAOAB is accurate at the paper's largest step,
#   where fixed-step BAOAB is off by more than one unit of $E[x^2]$. In our setting
#   ($\tau = 0.1$, $\gamma = 1$) fixed-step BAOAB fails only beyond its stability limit, and
#   the adaptive one stays accurate up to $h = 1$.
# - The splitting's symmetry matters as much as adaptivity: the one-sided BAO is biased at
#   every step, adaptive or not. Symmetric splittings (BAOAB, ABOBA) keep the adaptive scheme
#   accurate; solving A by the implicit midpoint rule instead of an explicit step removes a
#   further bias of a few hundredths at the largest steps.
# - An exact computation of a scheme's stationary law on a grid separates bias from noise in
#   one dimension, and confirms the simulations.
# - Limits of this study: one dimension and one stiff spot, with a monitor designed for it;
#   the paper goes further (a Bayesian problem with a steep prior, several monitors). MALA at
#   equal cost has no detectable bias here, so it beats both unadjusted schemes at the larger
#   steps; its advantage is expected to shrink in high dimension, which we did not test. We
#   counted cost in force evaluations; the fixed-point iterations of the implicit midpoint rule
#   add monitor evaluations, which matter when the force is cheap. The friction $\gamma = 1$ of the
#   main underdamped sweep is our choice; the paper's own setting ($\tau = 1$, $\gamma = 0.1$) is
#   checked separately at its step sizes.
# - The notes' idea of using underdamped (momentum-carrying) dynamics for video generation is
#   a research suggestion that this chapter does not test.
#
# Chapter 10 uses the unadjusted Langevin algorithm (EM for {eq}`eq-overdamped`) inside annealed
# samplers, and its step-size window is a cousin of the stability limit of Exercise 1.
# Related reading: the rational construction of Langevin splittings and the BAOAB scheme
# {cite}`leimkuhler2013rational`, the textbook {cite}`leimkuhler2015molecular`, and the
# diffusion process background in {cite}`pavliotis2014stochastic`. A follow-up by Leimkuhler and
# co-authors drives the step size by an auxiliary variable that averages the monitor over time,
# in the spirit of the Adam optimiser {cite}`leimkuhler2025adam`.

# %% [markdown]
# ## References and further reading
#
# ```{bibliography}
# :filter: docname in docnames
# ```
