"""An exact class-conditional diffusion model for guided sampling (chapter 12).

`ClassMixture` is a mixture of isotropic Gaussians N(m_k, tau^2 I) with equal weights, each
component carrying a class label. Under x_t = alpha_t x_0 + sigma_t eps its noised density is again
a mixture, so the data prediction x_theta(x, t) = E[x_0 | x_t = x] and the noise prediction
eps(x, t) = (x - alpha_t x_theta) / sigma_t are exact, for the whole mixture (unconditional) and for
each class alone (conditional). That is what classifier-free guidance combines; a perfectly trained
conditional network would output exactly these.

`digit_mixture` places one component on each of a few scikit-learn 8x8 digits (shipped with the
package, nothing is downloaded), scaled to pixel values in [-1, 1].
"""

from __future__ import annotations

import math

import numpy as np
import torch


def _scale(value, name: str) -> float:
    """Return value as a float after checking it is a finite number >= 0."""
    if isinstance(value, torch.Tensor):
        if value.numel() != 1:
            raise ValueError(
                f"{name} must be a single number (one noise level for the whole batch)."
            )
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a number, got {type(value).__name__}.")
    value = float(value)
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a finite number >= 0, got {value}.")
    return value


class ClassMixture:
    """Equal-weight mixture of N(means[k], tau^2 I) components, component k belonging to class labels[k].

    means: (K, d) float tensor; labels: (K,) integer tensor; tau: the component standard deviation.
    """

    def __init__(self, means: torch.Tensor, labels: torch.Tensor, tau: float) -> None:
        means = torch.as_tensor(means, dtype=torch.float64)
        labels = torch.as_tensor(labels)
        if means.ndim != 2 or means.shape[0] < 1:
            raise ValueError(f"means must have shape (K, d) with K >= 1, got {tuple(means.shape)}.")
        if labels.shape != (means.shape[0],) or torch.is_floating_point(labels):
            raise ValueError(
                f"labels must be K = {means.shape[0]} integers, one per component, got {tuple(labels.shape)}."
            )
        if not torch.isfinite(means).all():
            raise ValueError("means contains NaN or inf.")
        tau = _scale(tau, "tau")
        if tau == 0:
            raise ValueError("tau must be > 0: a component with zero width has no density.")
        self.means, self.labels, self.tau = means, labels.long(), tau
        self.classes = torch.unique(self.labels)
        self._sq_norms = (means * means).sum(1)  # (K,)

    @property
    def dim(self) -> int:
        """Return the data dimension d."""
        return int(self.means.shape[1])

    def _check_x(self, x: torch.Tensor) -> torch.Tensor:
        if not isinstance(x, torch.Tensor):
            raise TypeError(
                f"x must be a torch tensor of shape (n, {self.dim}), got {type(x).__name__}."
            )
        if x.ndim != 2 or x.shape[1] != self.dim:
            raise ValueError(
                f"x must have shape (n, {self.dim}), got {tuple(x.shape)}: flatten images first."
            )
        return x.to(torch.float64)

    def _check_labels(self, labels, n: int) -> torch.Tensor | None:
        if labels is None:
            return None
        labels = torch.as_tensor(labels)
        if torch.is_floating_point(labels):
            raise TypeError("labels must be integers (class indices).")
        if labels.ndim == 0:
            labels = labels.expand(n)
        if labels.shape != (n,):
            raise ValueError(
                f"labels must be one integer or {n} integers (one per row of x), got {tuple(labels.shape)}."
            )
        unknown = set(labels.tolist()) - set(self.classes.tolist())
        if unknown:
            raise ValueError(
                f"labels {sorted(unknown)} are not classes of this mixture ({self.classes.tolist()})."
            )
        return labels.long()

    def _logits(self, x64: torch.Tensor, alpha: float, var: float) -> torch.Tensor:
        """Return the (n, K) log-responsibilities up to a constant per row (equal weights and widths)."""
        sq_dist = (
            (x64 * x64).sum(1, keepdim=True)
            - 2 * alpha * x64 @ self.means.T
            + alpha**2 * self._sq_norms
        )
        return -sq_dist / (2 * var)

    def _posterior_mean(self, x64, logits, alpha, sigma, var) -> torch.Tensor:
        """Average the components' posterior means m_k + alpha tau^2 (x - alpha m_k) / var."""
        resp = torch.softmax(logits, dim=1)  # posterior probability of each component
        return (alpha * self.tau**2 * x64 + sigma**2 * (resp @ self.means)) / var

    def _prepare(self, x, alpha, sigma):
        alpha, sigma = _scale(alpha, "alpha"), _scale(sigma, "sigma")
        if alpha == 0:
            raise ValueError(
                "alpha must be > 0: at alpha = 0 the data prediction is the prior mean."
            )
        return self._check_x(x), alpha, sigma, alpha**2 * self.tau**2 + sigma**2

    def x0(self, x: torch.Tensor, alpha: float, sigma: float, labels=None) -> torch.Tensor:
        """Return the exact data prediction E[x_0 | x_t = x], shape (n, d).

        labels: None for the whole mixture, or one class (an int, or one per row of x) for the
        class-conditional model p(x_0 | class).
        """
        x64, alpha, sigma, var = self._prepare(x, alpha, sigma)
        labels = self._check_labels(labels, x64.shape[0])
        logits = self._logits(x64, alpha, var)
        if labels is not None:
            logits = logits.masked_fill(self.labels[None, :] != labels[:, None], -math.inf)
        return self._posterior_mean(x64, logits, alpha, sigma, var).to(x.dtype)

    def x0_pair(
        self, x: torch.Tensor, alpha: float, sigma: float, labels
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Return (unconditional, class-conditional) data predictions, sharing one distance computation.

        Equal to (x0(x, alpha, sigma), x0(x, alpha, sigma, labels)) at about half the cost.
        """
        x64, alpha, sigma, var = self._prepare(x, alpha, sigma)
        labels = self._check_labels(labels, x64.shape[0])
        if labels is None:
            raise ValueError(
                "x0_pair needs labels: use x0(x, alpha, sigma) for the unconditional model alone."
            )
        logits = self._logits(x64, alpha, var)
        masked = logits.masked_fill(self.labels[None, :] != labels[:, None], -math.inf)
        uncond = self._posterior_mean(x64, logits, alpha, sigma, var)
        return uncond.to(x.dtype), self._posterior_mean(x64, masked, alpha, sigma, var).to(x.dtype)

    def eps(self, x: torch.Tensor, alpha: float, sigma: float, labels=None) -> torch.Tensor:
        """Return the exact noise prediction (x - alpha x0) / sigma, shape (n, d); needs sigma > 0."""
        if _scale(sigma, "sigma") == 0:
            raise ValueError("eps needs sigma > 0: at sigma = 0 there is no noise to predict.")
        return (x - alpha * self.x0(x, alpha, sigma, labels)) / sigma

    def sample(self, labels, generator: torch.Generator | None = None) -> torch.Tensor:
        """Return one data sample per entry of labels (a 1-D integer tensor), shape (n, d), float64."""
        labels = torch.as_tensor(labels)
        if labels.ndim != 1 or labels.numel() < 1:
            raise ValueError(
                "labels must be a non-empty 1-D tensor of class indices, one per sample."
            )
        labels = self._check_labels(labels, labels.numel())
        out = torch.empty(labels.numel(), self.dim, dtype=torch.float64)
        for c in labels.unique():
            rows = torch.nonzero(labels == c).flatten()
            members = torch.nonzero(self.labels == c).flatten()
            pick = members[torch.randint(len(members), (len(rows),), generator=generator)]
            noise = torch.randn(len(rows), self.dim, dtype=torch.float64, generator=generator)
            out[rows] = self.means[pick] + self.tau * noise
        return out


def digit_images() -> tuple[torch.Tensor, torch.Tensor]:
    """Return scikit-learn's 1797 digits as (1797, 64) pixels in [-1, 1] and their (1797,) labels."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    pixels = torch.tensor(digits.data / 8.0 - 1.0, dtype=torch.float64)  # 0..16 -> -1..1
    return pixels, torch.tensor(digits.target, dtype=torch.long)


def digit_mixture(per_class: int = 40, tau: float = 0.1) -> ClassMixture:
    """Return a ClassMixture with one component on each of the first per_class digits of every class."""
    if isinstance(per_class, bool) or not isinstance(per_class, int) or not 1 <= per_class <= 170:
        raise ValueError(
            f"per_class must be an integer from 1 to 170 (the smallest class has 174 digits), got {per_class!r}."
        )
    pixels, labels = digit_images()
    chosen = torch.cat([torch.nonzero(labels == c).flatten()[:per_class] for c in range(10)])
    return ClassMixture(pixels[chosen], labels[chosen], tau)
