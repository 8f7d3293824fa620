"""One predict/update cycle of a 1-D constant-velocity Kalman filter (the motion model of SORT's tracks).

The state is position and velocity, ``x = (p, v)``, observed through its position only:

    F = [[1, Δt], [0, 1]]   H = [1, 0]
    predict:  x⁻ = F x,   P⁻ = F P Fᵀ + Q
    update:   y = z − H x⁻,   S = H P⁻ Hᵀ + R,   K = P⁻ Hᵀ / S,   x = x⁻ + K y,   P = (I − K H) P⁻

Golden values come from an independent NumPy/SciPy implementation of the textbook equations
(``tests/golden/kalman.json``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from cvquiz.engine._checks import FloatArray, finite_float, float_array
from cvquiz.engine.errors import N_, EngineError

__all__ = ["KalmanStep", "kalman_cv_step"]


class KalmanStep(NamedTuple):
    """Every quantity of one predict/update cycle.

    Attributes:
        x_pred: x⁻, the predicted state (p, v).
        P_pred: P⁻, the predicted covariance.
        innovation: y = z − H x⁻.
        S: the innovation variance H P⁻ Hᵀ + R.
        K: the Kalman gain (for p and for v).
        x: the updated state.
        P: the updated covariance.
    """

    x_pred: FloatArray
    P_pred: FloatArray
    innovation: float
    S: float
    K: FloatArray
    x: FloatArray
    P: FloatArray


def _square(value: npt.ArrayLike, name: str) -> FloatArray:
    array = float_array(value, name)
    if array.shape != (2, 2) or not np.all(np.isfinite(array)):
        raise EngineError(
            N_("{name} must be a finite 2×2 matrix, got shape {shape}"),
            name=name,
            shape=array.shape,
        )
    if not np.allclose(array, array.T):
        raise EngineError(N_("{name} must be symmetric"), name=name)
    return array


def kalman_cv_step(
    x: Sequence[float],
    P: npt.ArrayLike,
    z: float,
    dt: float,
    Q: npt.ArrayLike,
    R: float,
) -> KalmanStep:
    """Predict and update a constant-velocity state with one position measurement.

    Args:
        x: the state (p, v) after the previous update.
        P: its 2×2 covariance.
        z: the measured position.
        dt: Δt, the time since the previous update.
        Q: the 2×2 process-noise covariance added at the prediction.
        R: the measurement-noise variance.

    Returns:
        The `KalmanStep`.

    Raises:
        EngineError: malformed or non-finite arguments, a negative variance, or S = 0.
    """
    state = float_array(x, "x")
    if state.shape != (2,) or not np.all(np.isfinite(state)):
        raise EngineError(
            N_("x must be a finite (position, velocity) pair, got shape {shape}"), shape=state.shape
        )
    cov = _square(P, "P")
    noise = _square(Q, "Q")
    measured = finite_float(z, "z")
    step = finite_float(dt, "dt")
    r = finite_float(R, "R")
    if r < 0:
        raise EngineError(N_("R must be non-negative, got {r}"), r=r)
    F = np.array([[1.0, step], [0.0, 1.0]])
    H = np.array([1.0, 0.0])
    x_pred = F @ state
    P_pred = F @ cov @ F.T + noise
    innovation = measured - float(H @ x_pred)
    S = float(H @ P_pred @ H) + r
    if S <= 0:
        raise EngineError(N_("the innovation variance S is 0: the update is undefined"))
    gain = P_pred @ H / S
    x_new = x_pred + gain * innovation
    P_new = (np.eye(2) - np.outer(gain, H)) @ P_pred
    return KalmanStep(x_pred, P_pred, innovation, S, gain, x_new, P_new)
