"""The NumPy reference engine: the numbers compute cards check answers against.

Pure functions of their arguments (no I/O, no clock, no hidden randomness) that agree with PyTorch, SciPy and
pycocotools, each raising `EngineError` with a message a person can act on when an argument makes no sense or
where the reference library would raise. See `docs/engine.md` for the list and the golden tests.

Modules: `shapes` (layer output shapes, parameters, MACs), `signal` (2-D convolution and correlation modes),
`losses` (cross-entropy, BCE, focal, hinge, regression losses, softmax), `init` (initialisation scales),
`norm` (batch norm), `misc` (slicing, learning-rate scaling, receptive field) and `detection` (IoU, AP, mAP).
"""

from __future__ import annotations

from cvquiz.engine.detection import *  # noqa: F403  (its __all__ decides what it exports)
from cvquiz.engine.detection import __all__ as _detection_all
from cvquiz.engine.errors import EngineError
from cvquiz.engine.init import (
    NONLINEARITIES,
    calculate_gain,
    fan_in_and_fan_out,
    kaiming_normal_std,
    kaiming_uniform_bound,
    xavier_normal_std,
    xavier_uniform_bound,
)
from cvquiz.engine.losses import (
    bce_with_logits,
    cross_entropy,
    cross_entropy_grad,
    dice_loss,
    kl_div,
    l1_loss,
    log_softmax,
    mse_loss,
    multiclass_hinge_grad,
    multiclass_hinge_loss,
    sigmoid,
    sigmoid_focal_loss,
    smooth_l1_loss,
    softmax,
)
from cvquiz.engine.misc import (
    ReceptiveField,
    eval_slice,
    parse_slice,
    receptive_field,
    scale_lr,
)
from cvquiz.engine.norm import BatchNormResult, batch_norm_train
from cvquiz.engine.shapes import (
    conv2d_macs,
    conv2d_output_shape,
    conv2d_params,
    conv_output_size,
    conv_transpose2d_output_shape,
    fc_params,
    pool2d_output_shape,
    separable_conv2d_params,
)
from cvquiz.engine.signal import conv_mode_output_size, convolve2d, correlate2d

__all__ = [
    "NONLINEARITIES",
    "BatchNormResult",
    "EngineError",
    "ReceptiveField",
    "batch_norm_train",
    "bce_with_logits",
    "calculate_gain",
    "conv2d_macs",
    "conv2d_output_shape",
    "conv2d_params",
    "conv_mode_output_size",
    "conv_output_size",
    "conv_transpose2d_output_shape",
    "convolve2d",
    "correlate2d",
    "cross_entropy",
    "cross_entropy_grad",
    "dice_loss",
    "eval_slice",
    "fan_in_and_fan_out",
    "fc_params",
    "kaiming_normal_std",
    "kaiming_uniform_bound",
    "kl_div",
    "l1_loss",
    "log_softmax",
    "mse_loss",
    "multiclass_hinge_grad",
    "multiclass_hinge_loss",
    "parse_slice",
    "pool2d_output_shape",
    "receptive_field",
    "scale_lr",
    "separable_conv2d_params",
    "sigmoid",
    "sigmoid_focal_loss",
    "smooth_l1_loss",
    "softmax",
    "xavier_normal_std",
    "xavier_uniform_bound",
]
__all__ += _detection_all
