"""Optimiser steps as ``torch.optim`` takes them: SGD (momentum, Nesterov, weight decay), Adam and AdamW.

Each function runs one step per gradient given and returns the parameter after every step, so a worked
solution can show the state in between. The update rules, in PyTorch's order of operations:

- SGD: ``g ← g + λp``; with momentum ``b ← g`` at the first step, ``b ← μb + (1 − τ)g`` after; Nesterov uses
  ``g + μb`` and plain momentum ``b``; ``p ← p − η·that``.
- Adam: ``g ← g + λp`` (L2 in the gradient); AdamW instead decays the parameter first, ``p ← p(1 − ηλ)``. Then
  ``m ← β₁m + (1 − β₁)g``, ``v ← β₂v + (1 − β₂)g²``, ``p ← p − η·(m/(1 − β₁ᵗ)) / (√(v/(1 − β₂ᵗ)) + ε)``.

Golden values from ``torch.optim`` itself are in ``tests/golden/optim.json``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from cvquiz.engine._checks import FloatArray, finite_float, float_array
from cvquiz.engine.errors import N_, EngineError

__all__ = ["AdamState", "SgdState", "adam_steps", "sgd_steps"]


class SgdState(NamedTuple):
    """The state after one SGD step.

    Attributes:
        param: the parameter.
        momentum_buffer: the momentum buffer ``b`` (zeros when momentum is 0).
    """

    param: FloatArray
    momentum_buffer: FloatArray


class AdamState(NamedTuple):
    """The state after one Adam / AdamW step.

    Attributes:
        param: the parameter.
        exp_avg: the first moment ``m``.
        exp_avg_sq: the second moment ``v``.
    """

    param: FloatArray
    exp_avg: FloatArray
    exp_avg_sq: FloatArray


def _start(param: ArrayLike, grads: Sequence[ArrayLike]) -> tuple[FloatArray, list[FloatArray]]:
    p = float_array(param, "param")
    if not np.all(np.isfinite(p)):
        raise EngineError(N_("param must be finite"))
    if len(grads) == 0:
        raise EngineError(N_("give at least one gradient (one per step)"))
    out = []
    for i, grad in enumerate(grads):
        g = float_array(grad, f"grads[{i}]")
        if g.shape != p.shape:
            raise EngineError(
                N_("grads[{i}] has shape {g_shape} but param has shape {p_shape}"),
                i=i,
                g_shape=tuple(g.shape),
                p_shape=tuple(p.shape),
            )
        if not np.all(np.isfinite(g)):
            raise EngineError(N_("grads[{i}] must be finite"), i=i)
        out.append(g)
    return p, out


def _non_negative(value: float, name: str) -> float:
    number = finite_float(value, name)
    if number < 0:
        raise EngineError(N_("{name} must be non-negative, got {number}"), name=name, number=number)
    return number


def sgd_steps(
    param: ArrayLike,
    grads: Sequence[ArrayLike],
    lr: float,
    momentum: float = 0.0,
    dampening: float = 0.0,
    weight_decay: float = 0.0,
    nesterov: bool = False,
) -> list[SgdState]:
    """Steps of ``torch.optim.SGD``, one per gradient.

    Args:
        param: the parameter before the first step.
        grads: the gradient at each step (``∂L/∂p`` at the parameter of that step), each of param's shape.
        lr: the learning rate η.
        momentum: μ.
        dampening: τ (ignored at the first step, as PyTorch does).
        weight_decay: λ, added to the gradient as λp.
        nesterov: Nesterov momentum (needs momentum > 0 and dampening 0, as in PyTorch).

    Returns:
        The state after each step.

    Raises:
        EngineError: non-finite or negative hyperparameters, shape mismatches, or Nesterov without momentum or
            with dampening.
    """
    p, gs = _start(param, grads)
    eta = _non_negative(lr, "lr")
    mu = _non_negative(momentum, "momentum")
    tau = finite_float(dampening, "dampening")
    decay = _non_negative(weight_decay, "weight_decay")
    if nesterov and (mu <= 0 or tau != 0):
        raise EngineError(N_("Nesterov momentum requires a momentum and zero dampening"))
    buffer = np.zeros_like(p)
    states = []
    for step, grad in enumerate(gs):
        g = grad + decay * p if decay else grad
        if mu:
            buffer = g.copy() if step == 0 else mu * buffer + (1 - tau) * g
            g = g + mu * buffer if nesterov else buffer
        p = p - eta * g
        states.append(SgdState(p, buffer.copy()))
    return states


def adam_steps(
    param: ArrayLike,
    grads: Sequence[ArrayLike],
    lr: float = 1e-3,
    betas: tuple[float, float] = (0.9, 0.999),
    eps: float = 1e-8,
    weight_decay: float = 0.0,
    decoupled: bool = False,
) -> list[AdamState]:
    """Steps of ``torch.optim.Adam`` (or ``AdamW`` with ``decoupled=True``), one per gradient.

    Args:
        param: the parameter before the first step.
        grads: the gradient at each step, each of param's shape.
        lr: the learning rate η.
        betas: (β₁, β₂), each in [0, 1).
        eps: ε, added to √v̂.
        weight_decay: λ; Adam adds λp to the gradient, AdamW multiplies p by (1 − ηλ) first.
        decoupled: AdamW's decoupled weight decay.

    Returns:
        The state after each step.

    Raises:
        EngineError: non-finite or out-of-range hyperparameters or shape mismatches.
    """
    p, gs = _start(param, grads)
    eta = _non_negative(lr, "lr")
    beta1, beta2 = (finite_float(b, "betas") for b in betas)
    if not (0 <= beta1 < 1 and 0 <= beta2 < 1):
        raise EngineError(
            N_("betas must lie in [0, 1), got ({beta1}, {beta2})"), beta1=beta1, beta2=beta2
        )
    epsilon = _non_negative(eps, "eps")
    decay = _non_negative(weight_decay, "weight_decay")
    m = np.zeros_like(p)
    v = np.zeros_like(p)
    states = []
    for step, grad in enumerate(gs, start=1):
        g = grad
        if decay and decoupled:
            p = p * (1 - eta * decay)
        elif decay:
            g = g + decay * p
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        m_hat = m / (1 - beta1**step)
        denom = np.sqrt(v) / np.sqrt(1 - beta2**step) + epsilon
        if np.any(denom == 0):
            raise EngineError(N_("a zero gradient with eps 0 divides by zero"))
        p = p - eta * m_hat / denom
        states.append(AdamState(p, m, v))
    return states
