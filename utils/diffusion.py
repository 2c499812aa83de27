"""Diffusion helpers shared by chapters 10-13: the linear VP schedule, exact noise predictors,
and classical Runge-Kutta baselines for the probability-flow ODE.

Conventions follow Lu et al. (DPM-Solver, 2022): x_t = alpha_t x_0 + sigma_t eps with
alpha_t^2 + sigma_t^2 = 1, and lambda_t = log(alpha_t / sigma_t) (half the log-SNR).
The schedule accepts Python floats, NumPy arrays and torch tensors. The Gaussian-mixture
model is exact: its noise predictor eps*(x, alpha, sigma) = -sigma * grad log p_t(x) is what a
perfectly trained network would output, so solvers can be tested without training anything.

The Runge-Kutta steps (`rk_lambda_step`, `rk_time_step`) are the baselines that exponential
integrators such as DPM-Solver are measured against: the same noise predictor, the same number
of evaluations per step, but the whole drift (linear part included) is approximated. A step
function has the signature step(x, s, t, eps_fn, sched) -> x at time t, where eps_fn(x, t) is
the noise predictor and sched has alpha, sigma, lambda_t and t_of_lambda (and beta for the ODE in t).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

ArrayLike = Any  # float, numpy array or torch tensor


def _xp(x: ArrayLike):
    """Return the array module (torch or numpy) that matches x."""
    return torch if isinstance(x, torch.Tensor) else np


def _as_array(x: ArrayLike, name: str) -> ArrayLike:
    """Return x as a float array (torch tensors pass through), after checking it is real and finite."""
    if isinstance(x, torch.Tensor):
        if not torch.is_floating_point(x):
            x = x.double()
        if not torch.isfinite(x).all():
            raise ValueError(f"{name} contains NaN or inf: pass finite values.")
        return x
    if isinstance(x, (bool, str, bytes)):
        raise TypeError(f"{name} must be a number or an array of numbers, got {type(x).__name__}.")
    try:
        arr = np.asarray(x, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a number or an array of numbers, got {type(x).__name__}.") from None
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or inf: pass finite values.")
    return arr


def _minimum(x: ArrayLike) -> float:
    return float(x.min()) if isinstance(x, torch.Tensor) else float(np.min(x))


def _maximum(x: ArrayLike) -> float:
    return float(x.max()) if isinstance(x, torch.Tensor) else float(np.max(x))


def _out(x: ArrayLike, original: ArrayLike) -> ArrayLike:
    """Return a Python float when the input was a scalar number, else the array."""
    if isinstance(original, (int, float, np.floating, np.integer)):
        return float(x)
    return x


@dataclass(frozen=True)
class LinearVPSchedule:
    """The linear variance-preserving schedule beta(t) = beta_0 + (beta_1 - beta_0) t on t in [0, 1]."""

    beta_0: float = 0.1
    beta_1: float = 20.0

    def __post_init__(self) -> None:
        for name in ("beta_0", "beta_1"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                raise TypeError(f"{name} must be a finite number, got {value!r}.")
        if not 0 < self.beta_0 < self.beta_1:
            raise ValueError(f"need 0 < beta_0 < beta_1, got beta_0={self.beta_0}, beta_1={self.beta_1}.")

    def _check_t(self, t: ArrayLike, allow_zero: bool = True) -> ArrayLike:
        t = _as_array(t, "t")
        lo, hi = _minimum(t), _maximum(t)
        if hi > 1.0 or lo < 0.0 or (not allow_zero and lo <= 0.0):
            interval = "[0, 1]" if allow_zero else "(0, 1]"
            raise ValueError(f"t must lie in {interval} (got values in [{lo:.3g}, {hi:.3g}]); sample with t_end > 0.")
        return t

    def beta(self, t: ArrayLike) -> ArrayLike:
        """Return beta(t) = beta_0 + (beta_1 - beta_0) t, so that d log alpha_t / dt = -beta(t) / 2."""
        tt = self._check_t(t)
        return _out(self.beta_0 + (self.beta_1 - self.beta_0) * tt, t)

    def log_alpha(self, t: ArrayLike) -> ArrayLike:
        """Return log alpha_t = -(beta_1 - beta_0) t^2 / 4 - beta_0 t / 2."""
        tt = self._check_t(t)
        return _out(-(self.beta_1 - self.beta_0) * tt**2 / 4.0 - self.beta_0 * tt / 2.0, t)

    def alpha(self, t: ArrayLike) -> ArrayLike:
        """Return alpha_t, the signal scale."""
        tt = self._check_t(t)
        return _out(_xp(tt).exp(self.log_alpha(tt)), t)

    def sigma(self, t: ArrayLike) -> ArrayLike:
        """Return sigma_t = sqrt(1 - alpha_t^2), the noise scale."""
        tt = self._check_t(t)
        xp = _xp(tt)
        return _out(xp.sqrt(-xp.expm1(2.0 * self.log_alpha(tt))), t)

    def lambda_t(self, t: ArrayLike) -> ArrayLike:
        """Return lambda_t = log(alpha_t / sigma_t), half the log signal-to-noise ratio (t > 0)."""
        tt = self._check_t(t, allow_zero=False)
        xp = _xp(tt)
        log_alpha = self.log_alpha(tt)
        return _out(log_alpha - 0.5 * xp.log(-xp.expm1(2.0 * log_alpha)), t)

    def t_of_lambda(self, lam: ArrayLike) -> ArrayLike:
        """Return the time t with lambda_t = lam (the inverse of `lambda_t`)."""
        ll = _as_array(lam, "lam")
        xp = _xp(ll)
        zero = torch.zeros_like(ll) if xp is torch else 0.0
        log_term = xp.logaddexp(-2.0 * ll, zero)  # log(e^{-2 lam} + 1), stable for large |lam|
        t = 2.0 * log_term / (xp.sqrt(self.beta_0**2 + 2.0 * (self.beta_1 - self.beta_0) * log_term) + self.beta_0)
        lam_min = float(self.lambda_t(1.0))
        if _minimum(ll) < lam_min - 1e-9:
            raise ValueError(f"lam must be >= lambda_1 = {lam_min:.4f} (the value at t = 1), got {_minimum(ll):.4f}.")
        return _out(t, lam)


def _as_float64_tensor(x: ArrayLike, name: str, ndim: int) -> torch.Tensor:
    t = torch.as_tensor(np.asarray(x, dtype=float) if not isinstance(x, torch.Tensor) else x, dtype=torch.float64)
    if t.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimensions, got shape {tuple(t.shape)}.")
    if not torch.isfinite(t).all():
        raise ValueError(f"{name} contains NaN or inf.")
    return t


def _check_scale(value: ArrayLike, name: str) -> float:
    if isinstance(value, torch.Tensor):
        if value.numel() != 1:
            raise ValueError(f"{name} must be a single number (one noise level for the whole batch).")
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)):
        raise TypeError(f"{name} must be a number, got {type(value).__name__}.")
    value = float(value)
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a finite number >= 0, got {value}.")
    return value


class GaussianMixture:
    """A Gaussian-mixture data distribution with its exact noised densities and noise predictor.

    weights: (K,) positive, summing to 1; means: (K, d); covs: (K, d, d) symmetric positive definite.
    """

    def __init__(self, weights: ArrayLike, means: ArrayLike, covs: ArrayLike) -> None:
        self.weights = _as_float64_tensor(weights, "weights", 1)
        self.means = _as_float64_tensor(means, "means", 2)
        self.covs = _as_float64_tensor(covs, "covs", 3)
        k, d = self.means.shape
        if self.weights.shape[0] != k or self.covs.shape != (k, d, d):
            raise ValueError(
                f"shapes do not match: weights {tuple(self.weights.shape)}, means {tuple(self.means.shape)}, "
                f"covs {tuple(self.covs.shape)}; expected (K,), (K, d), (K, d, d)."
            )
        if (self.weights <= 0).any() or abs(float(self.weights.sum()) - 1.0) > 1e-8:
            raise ValueError("weights must be positive and sum to 1: divide them by their sum.")
        if not torch.allclose(self.covs, self.covs.transpose(1, 2), atol=1e-10):
            raise ValueError("covs must be symmetric matrices.")
        if (torch.linalg.eigvalsh(self.covs) <= 0).any():
            raise ValueError("covs must be positive definite (all eigenvalues > 0).")

    @classmethod
    def gaussian(cls, mean: ArrayLike, cov: ArrayLike) -> GaussianMixture:
        """Return the single Gaussian N(mean, cov) as a one-component mixture."""
        mean = _as_float64_tensor(mean, "mean", 1)
        cov = _as_float64_tensor(cov, "cov", 2)
        return cls(torch.ones(1), mean[None], cov[None])

    @property
    def dim(self) -> int:
        """Return the data dimension d."""
        return int(self.means.shape[1])

    def _check_x(self, x: torch.Tensor) -> torch.Tensor:
        if not isinstance(x, torch.Tensor):
            raise TypeError(f"x must be a torch tensor of shape (n, {self.dim}), got {type(x).__name__}.")
        if x.ndim != 2 or x.shape[1] != self.dim:
            raise ValueError(f"x must have shape (n, {self.dim}), got {tuple(x.shape)}.")
        return x.to(torch.float64)

    def _noised(self, alpha: float, sigma: float) -> tuple[torch.Tensor, torch.Tensor]:
        """Return the component means (K, d) and covariances (K, d, d) of x_t = alpha x_0 + sigma eps."""
        if alpha == 0 and sigma == 0:
            raise ValueError("alpha and sigma cannot both be 0.")
        eye = torch.eye(self.dim, dtype=torch.float64)
        return alpha * self.means, alpha**2 * self.covs + sigma**2 * eye

    def log_prob(self, x: torch.Tensor, alpha: float = 1.0, sigma: float = 0.0) -> torch.Tensor:
        """Return log p(x) (shape (n,)) of x_t = alpha x_0 + sigma eps; defaults give the data density."""
        alpha, sigma = _check_scale(alpha, "alpha"), _check_scale(sigma, "sigma")
        x64 = self._check_x(x)
        means, covs = self._noised(alpha, sigma)
        comps = torch.distributions.MultivariateNormal(means, covariance_matrix=covs)
        log_comp = comps.log_prob(x64[:, None, :])  # (n, K)
        return torch.logsumexp(log_comp + torch.log(self.weights), dim=1).to(x.dtype)

    def eps(self, x: torch.Tensor, alpha: float, sigma: float) -> torch.Tensor:
        """Return the exact noise predictor eps*(x) = -sigma * grad log p_t(x), shape (n, d)."""
        alpha, sigma = _check_scale(alpha, "alpha"), _check_scale(sigma, "sigma")
        if sigma == 0:
            raise ValueError("eps* needs sigma > 0: at sigma = 0 there is no noise to predict.")
        x64 = self._check_x(x)
        means, covs = self._noised(alpha, sigma)
        chol = torch.linalg.cholesky(covs)  # (K, d, d)
        diff = x64[:, None, :] - means[None]  # (n, K, d)
        # Sigma_k^{-1} (x - m_k) by two triangular solves.
        sol = torch.cholesky_solve(diff.permute(1, 2, 0), chol)  # (K, d, n)
        precision_diff = sol.permute(2, 0, 1)  # (n, K, d)
        log_det = 2 * torch.log(torch.diagonal(chol, dim1=1, dim2=2)).sum(-1)  # (K,)
        log_comp = -0.5 * ((diff * precision_diff).sum(-1) + log_det) + torch.log(self.weights)  # (n, K)
        resp = torch.softmax(log_comp, dim=1)  # responsibilities
        return (sigma * (resp[..., None] * precision_diff).sum(1)).to(x.dtype)

    def sample(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        """Return n samples (n, d) of the data distribution, float64."""
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
            raise ValueError(f"n must be a positive integer, got {n!r}.")
        comp = torch.multinomial(self.weights, int(n), replacement=True, generator=generator)
        z = torch.randn(int(n), self.dim, dtype=torch.float64, generator=generator)
        chol = torch.linalg.cholesky(self.covs)
        return self.means[comp] + torch.einsum("nij,nj->ni", chol[comp], z)

    def flow_map(
        self, x_s: torch.Tensor, alpha_s: float, sigma_s: float, alpha_t: float, sigma_t: float
    ) -> torch.Tensor:
        """Return the exact probability-flow ODE map x_s -> x_t (one Gaussian only).

        For data N(m, C) the marginal at time t is N(alpha_t m, S_t) with S_t = alpha_t^2 C + sigma_t^2 I,
        and the flow is x_t = alpha_t m + S_t^{1/2} S_s^{-1/2} (x_s - alpha_s m).
        """
        if self.means.shape[0] != 1:
            raise ValueError(
                "flow_map is exact only for a single Gaussian; for a mixture integrate the ODE numerically."
            )
        values = [
            _check_scale(v, n)
            for v, n in ((alpha_s, "alpha_s"), (sigma_s, "sigma_s"), (alpha_t, "alpha_t"), (sigma_t, "sigma_t"))
        ]
        alpha_s, sigma_s, alpha_t, sigma_t = values
        x64 = self._check_x(x_s)
        evals, evecs = torch.linalg.eigh(self.covs[0])
        scale = torch.sqrt((alpha_t**2 * evals + sigma_t**2) / (alpha_s**2 * evals + sigma_s**2))
        linear = evecs @ torch.diag(scale) @ evecs.T
        mean = self.means[0]
        return (alpha_t * mean + (x64 - alpha_s * mean) @ linear.T).to(x_s.dtype)


# --- Classical Runge-Kutta baselines for the probability-flow ODE ---------------------------------

EpsFn = Callable[[torch.Tensor, float], torch.Tensor]

# Explicit Runge-Kutta tableaux (nodes c, coefficients a, weights b), one per order. Their nodes are
# those of DPM-Solver-k's default intermediate points (0; 0, 1/2; 0, 1/3, 2/3), so that an order-k
# Runge-Kutta step and a DPM-Solver-k step evaluate the noise predictor at the same times.
RK_TABLEAUS: dict[int, tuple[tuple[float, ...], tuple[tuple[float, ...], ...], tuple[float, ...]]] = {
    1: ((0.0,), ((),), (1.0,)),  # Euler
    2: ((0.0, 0.5), ((), (0.5,)), (0.0, 1.0)),  # explicit midpoint
    3: ((0.0, 1 / 3, 2 / 3), ((), (1 / 3,), (0.0, 2 / 3)), (0.25, 0.0, 0.75)),  # Heun's third order
}


def probability_flow_drift_lambda(x: torch.Tensor, t: float, eps_fn: EpsFn, sched: Any) -> torch.Tensor:
    """Return dx/dlambda = sigma_t^2 x - sigma_t eps(x, t), the probability-flow ODE in lambda (VP)."""
    sigma = sched.sigma(t)
    return sigma**2 * x - sigma * eps_fn(x, t)


def probability_flow_drift_time(x: torch.Tensor, t: float, eps_fn: EpsFn, sched: Any) -> torch.Tensor:
    """Return dx/dt = -beta(t) x / 2 + beta(t) eps(x, t) / (2 sigma_t), the probability-flow ODE in t (VP)."""
    if not hasattr(sched, "beta"):
        raise TypeError("the ODE in t needs sched.beta(t): use a LinearVPSchedule (or add a beta method).")
    beta = sched.beta(t)
    return -0.5 * beta * x + 0.5 * beta / sched.sigma(t) * eps_fn(x, t)


def _check_step_args(x: Any, s: float, t: float, eps_fn: Any, order: int) -> None:
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"x must be a torch tensor, got {type(x).__name__}.")
    if not callable(eps_fn):
        raise TypeError("eps_fn must be a function eps_fn(x, t) returning the predicted noise, shaped like x.")
    if isinstance(order, bool) or order not in RK_TABLEAUS:
        raise ValueError(f"order must be one of {sorted(RK_TABLEAUS)}, got {order!r}.")
    if float(s) == float(t):
        raise ValueError(f"s and t must differ (got s = t = {float(s)}): a step needs a non-zero length.")


def _rk_step(x: torch.Tensor, h: float, node: Callable[[float], float], drift: Callable, order: int) -> torch.Tensor:
    """One explicit Runge-Kutta step of length h for dx/dv = drift(x, node(c)), v the ODE's variable."""
    nodes, coefficients, weights = RK_TABLEAUS[order]
    slopes: list[torch.Tensor] = []
    for c_i, a_i in zip(nodes, coefficients):
        stage = x + h * sum(a_ij * k for a_ij, k in zip(a_i, slopes)) if slopes else x
        slopes.append(drift(stage, node(c_i)))
    return x + h * sum(b_i * k for b_i, k in zip(weights, slopes))


def rk_lambda_step(x: torch.Tensor, s: float, t: float, eps_fn: EpsFn, sched: Any, order: int = 2) -> torch.Tensor:
    """Return x at time t after one explicit Runge-Kutta step of the given order in lambda.

    The whole drift sigma^2 x - sigma eps is approximated (no exact linear part); eps_fn is called
    exactly `order` times, at the times t(lambda_s + c_i h) of the tableau's nodes (RK_TABLEAUS).
    """
    _check_step_args(x, s, t, eps_fn, order)
    lam_s = float(sched.lambda_t(s))
    h = float(sched.lambda_t(t)) - lam_s

    def node(c: float) -> float:
        return s if c == 0 else sched.t_of_lambda(lam_s + c * h)

    return _rk_step(x, h, node, lambda y, tau: probability_flow_drift_lambda(y, tau, eps_fn, sched), order)


def rk_time_step(x: torch.Tensor, s: float, t: float, eps_fn: EpsFn, sched: Any, order: int = 2) -> torch.Tensor:
    """Return x at time t after one explicit Runge-Kutta step of the given order in t (not in lambda).

    Same tableaux as `rk_lambda_step`, applied to dx/dt; eps_fn is called exactly `order` times.
    """
    _check_step_args(x, s, t, eps_fn, order)
    h = float(t) - float(s)
    return _rk_step(x, h, lambda c: s + c * h, lambda y, tau: probability_flow_drift_time(y, tau, eps_fn, sched), order)
