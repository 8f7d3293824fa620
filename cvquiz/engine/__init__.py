"""The NumPy reference engine: the numbers compute cards check answers against.

Pure functions of their arguments (no I/O, no clock, no hidden randomness) that agree with PyTorch, SciPy and
pycocotools, each raising `EngineError` with a message a person can act on when an argument makes no sense or
where the reference library would raise. See `docs/engine.md` for the list and the golden tests.

Modules: `shapes` (layer output shapes, parameters, MACs), `signal` (2-D convolution and correlation modes),
`conv` (conv2d, unfold, max pooling, depthwise-separable conv on (N, C, H, W) arrays), `mlp` (a two-layer MLP's
backward pass), `losses` (cross-entropy, BCE, focal, hinge, regression losses, softmax), `init` (initialisation scales),
`norm` (batch, layer and group norm), `misc` (slicing, learning-rate scaling, receptive field), `detection`
(IoU, AP, mAP), `proposals` (NMS, anchor matching), `optim` (SGD, Adam, AdamW steps), `attention` (multi-head
attention shapes and FLOPs), `segmentation` (per-class IoU and Dice), `interpolate` (bilinear resizing and
sampling), `quant` (8-bit affine quantization), `keypoints` (OKS), `geometry` (camera projection,
homographies, RANSAC) and `kalman` (a constant-velocity Kalman step).
"""

from __future__ import annotations

from cvquiz.engine.attention import AttentionCost, attention_cost
from cvquiz.engine.conv import conv2d, depthwise_separable_conv2d, max_pool2d, unfold
from cvquiz.engine.detection import *  # noqa: F403  (its __all__ decides what it exports)
from cvquiz.engine.detection import __all__ as _detection_all
from cvquiz.engine.errors import EngineError
from cvquiz.engine.geometry import (
    Projection,
    camera_project,
    homography_apply,
    intrinsics,
    ransac_iterations,
)
from cvquiz.engine.init import (
    NONLINEARITIES,
    calculate_gain,
    fan_in_and_fan_out,
    kaiming_normal_std,
    kaiming_uniform_bound,
    xavier_normal_std,
    xavier_uniform_bound,
)
from cvquiz.engine.interpolate import (
    SourceIndex,
    grid_sample_bilinear,
    resize_bilinear,
    source_index,
)
from cvquiz.engine.kalman import KalmanStep, kalman_cv_step
from cvquiz.engine.keypoints import COCO_KEYPOINT_NAMES, COCO_KEYPOINT_SIGMAS, oks
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
from cvquiz.engine.mlp import MlpGradients, mlp_backward
from cvquiz.engine.norm import BatchNormResult, NormResult, batch_norm_train, group_norm, layer_norm
from cvquiz.engine.optim import AdamState, SgdState, adam_steps, sgd_steps
from cvquiz.engine.proposals import (
    BELOW_LOW_THRESHOLD,
    BETWEEN_THRESHOLDS,
    anchor_labels,
    match_anchors,
    nms,
)
from cvquiz.engine.quant import QUANT_RANGES, QParams, dequantize, qparams, quantize
from cvquiz.engine.segmentation import (
    SegmentationScores,
    segmentation_confusion,
    segmentation_scores,
)
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
    "BELOW_LOW_THRESHOLD",
    "BETWEEN_THRESHOLDS",
    "COCO_KEYPOINT_NAMES",
    "COCO_KEYPOINT_SIGMAS",
    "NONLINEARITIES",
    "QUANT_RANGES",
    "AdamState",
    "AttentionCost",
    "BatchNormResult",
    "EngineError",
    "KalmanStep",
    "MlpGradients",
    "NormResult",
    "Projection",
    "QParams",
    "ReceptiveField",
    "SegmentationScores",
    "SgdState",
    "SourceIndex",
    "adam_steps",
    "anchor_labels",
    "attention_cost",
    "batch_norm_train",
    "bce_with_logits",
    "calculate_gain",
    "camera_project",
    "conv2d",
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
    "depthwise_separable_conv2d",
    "dequantize",
    "dice_loss",
    "eval_slice",
    "fan_in_and_fan_out",
    "fc_params",
    "grid_sample_bilinear",
    "group_norm",
    "homography_apply",
    "intrinsics",
    "kaiming_normal_std",
    "kaiming_uniform_bound",
    "kalman_cv_step",
    "kl_div",
    "l1_loss",
    "layer_norm",
    "log_softmax",
    "match_anchors",
    "max_pool2d",
    "mlp_backward",
    "mse_loss",
    "multiclass_hinge_grad",
    "multiclass_hinge_loss",
    "nms",
    "oks",
    "parse_slice",
    "pool2d_output_shape",
    "qparams",
    "quantize",
    "ransac_iterations",
    "receptive_field",
    "resize_bilinear",
    "scale_lr",
    "segmentation_confusion",
    "segmentation_scores",
    "separable_conv2d_params",
    "sgd_steps",
    "sigmoid",
    "sigmoid_focal_loss",
    "smooth_l1_loss",
    "softmax",
    "source_index",
    "unfold",
    "xavier_normal_std",
    "xavier_uniform_bound",
]
__all__ += _detection_all
