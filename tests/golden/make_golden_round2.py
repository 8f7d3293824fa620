"""Write the golden JSON files for the second round of engine functions, from the libraries themselves.

Run by hand where torch, torchvision, scipy and pycocotools are installed (never by the test suite):

    pip install torch==2.14.1 torchvision==0.29.1 scipy pycocotools
    python tests/golden/make_golden_round2.py

It writes, next to itself:

- ``proposals.json``: ``torchvision.ops.nms`` / ``batched_nms``; ``torchvision.models.detection._utils.Matcher``
  on IoU matrices; and the RPN's anchor labels from ``RegionProposalNetwork.assign_targets_to_anchors`` on
  boxes.
- ``optim.json``: one to three steps of ``torch.optim.SGD`` (momentum, dampening, Nesterov, weight decay),
  ``Adam`` and ``AdamW``, with the optimiser state after every step.
- ``attention.json``: shapes, parameter counts and ``torch.utils.flop_counter.FlopCounterMode`` FLOPs of
  ``nn.MultiheadAttention`` (``need_weights=True``, whose attention runs as ``bmm``: the fused CPU kernel that
  ``need_weights=False`` selects is not counted by the flop counter).
- ``layergroupnorm.json``: ``F.layer_norm`` and ``F.group_norm`` with the biased statistics
  (``torch.var_mean(correction=0)``) of the same groups.
- ``segmentation.json``: confusion matrices, per-class IoU, mIoU and pixel accuracy by the confusion-matrix code
  of torchvision's segmentation reference scripts (``references/segmentation/utils.py``, transcribed below),
  with Dice from the same matrix, and ``torch.nanmean`` over the classes whose IoU is defined.
- ``interpolate.json``: ``F.interpolate(mode="bilinear")`` and ``F.grid_sample(mode="bilinear")`` with both
  settings of ``align_corners``.
- ``quant.json``: ``MinMaxObserver`` (per-tensor affine and symmetric, quint8 and qint8) scales and zero
  points, and ``torch.quantize_per_tensor`` integers and their ``dequantize``.
- ``keypoints.json``: OKS from pycocotools' ``COCOeval`` (``iouType="keypoints"``), read from ``ious``.
- ``geometry.json``: pinhole projections through ``K [R | t]`` (rotations from ``scipy.spatial.transform``),
  homographies applied in homogeneous coordinates, and RANSAC iteration counts: the least N, found
  in 50-digit ``mpmath`` arithmetic, with ``1 − (1 − wˢ)ᴺ ≥ p``.
- ``kalman.json``: a constant-velocity Kalman predict/update written out with NumPy and ``scipy.linalg`` (the
  covariance update in Joseph form, so that it is not the same expression as the engine's).

Nothing here imports cvquiz: the references must not come from the code under test. Every file is
{"about", "generator", "seed", "versions", "functions": {name: [case, ...]}}, cases being
{"kwargs": {...}, "expected": ...} or {"kwargs": {...}, "raises": "..."}.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import sys
import warnings
from collections.abc import Callable, Iterator
from importlib.metadata import version
from pathlib import Path
from typing import Any

import mpmath
import numpy as np
import scipy
import scipy.linalg
import torch
import torch.nn.functional as F
import torchvision
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval
from scipy.spatial.transform import Rotation
from torch import nn
from torch.ao.quantization.observer import MinMaxObserver
from torch.utils.flop_counter import FlopCounterMode
from torchvision.models.detection import _utils as det_utils
from torchvision.models.detection.anchor_utils import AnchorGenerator
from torchvision.models.detection.rpn import RegionProposalNetwork, RPNHead

HERE = Path(__file__).resolve().parent
SEED = 20260418
Case = dict[str, Any]

warnings.filterwarnings("ignore")


def outcome(kwargs: dict[str, Any], compute: Callable[[], Any], **extra: Any) -> Case:
    """Run the reference; record its result, or its error message if it raises."""
    try:
        expected = compute()
    except (RuntimeError, ValueError, IndexError, AssertionError) as exc:
        message = str(exc).splitlines()[0][:160] if str(exc) else type(exc).__name__
        return {"kwargs": kwargs, "raises": f"{type(exc).__name__}: {message}"}
    return {"kwargs": kwargs, "expected": expected, **extra}


def r3(values: Any) -> Any:
    return np.round(np.asarray(values, dtype=np.float64), 3).tolist()


# --- proposals ------------------------------------------------------------------------------------------------


def random_boxes(rng: np.random.Generator, n: int, integer: bool) -> list[list[float]]:
    boxes = []
    for _ in range(n):
        if integer:
            x1, y1 = int(rng.integers(0, 10)), int(rng.integers(0, 10))
            boxes.append([x1, y1, x1 + int(rng.integers(1, 7)), y1 + int(rng.integers(1, 7))])
        else:
            x1, y1 = rng.uniform(0, 50), rng.uniform(0, 50)
            w, h = rng.uniform(1, 30), rng.uniform(1, 30)
            boxes.append(r3([x1, y1, x1 + w, y1 + h]))
    return boxes


def nms_cases(rng: np.random.Generator, count: int) -> list[Case]:
    cases = []
    for i in range(count):
        n = int(rng.integers(1, 10))
        integer = i % 2 == 0
        boxes = random_boxes(rng, n, integer)
        scores = [float(s) for s in rng.permutation(np.arange(1, 100))[:n] / 100]
        threshold = (
            float(rng.choice([0.3, 0.4, 0.5, 0.6, 0.7]))
            if integer
            else round(rng.uniform(0.1, 0.9), 3)
        )
        kwargs = {"boxes": boxes, "scores": scores, "iou_threshold": threshold}
        cases.append(
            outcome(
                kwargs,
                lambda kw=kwargs: torchvision.ops.nms(
                    torch.tensor(kw["boxes"], dtype=torch.float64),
                    torch.tensor(kw["scores"], dtype=torch.float64),
                    kw["iou_threshold"],
                ).tolist(),
            )
        )
    # An IoU exactly at the threshold does not suppress (torchvision keeps boxes with IoU <= threshold).
    for boxes, threshold in (
        ([[0, 0, 4, 2], [0, 0, 2, 2]], 0.5),  # IoU 4/8 = 0.5
        ([[0, 0, 4, 4], [0, 0, 4, 3]], 0.75),  # IoU 12/16 = 0.75
        ([[0, 0, 4, 4], [0, 0, 4, 3], [0, 1, 4, 4]], 0.7),
    ):
        kwargs = {
            "boxes": boxes,
            "scores": [0.9, 0.8, 0.7][: len(boxes)],
            "iou_threshold": threshold,
        }
        cases.append(
            outcome(
                kwargs,
                lambda kw=kwargs: torchvision.ops.nms(
                    torch.tensor(kw["boxes"], dtype=torch.float64),
                    torch.tensor(kw["scores"], dtype=torch.float64),
                    kw["iou_threshold"],
                ).tolist(),
            )
        )
    return cases


def batched_nms_cases(rng: np.random.Generator, count: int) -> list[Case]:
    cases = []
    for _ in range(count):
        n = int(rng.integers(1, 10))
        boxes = random_boxes(rng, n, True)
        scores = [float(s) for s in rng.permutation(np.arange(1, 100))[:n] / 100]
        classes = [int(c) for c in rng.integers(0, 3, n)]
        threshold = float(rng.choice([0.3, 0.5, 0.7]))
        kwargs = {"boxes": boxes, "scores": scores, "iou_threshold": threshold, "classes": classes}
        cases.append(
            outcome(
                kwargs,
                lambda kw=kwargs: torchvision.ops.batched_nms(
                    torch.tensor(kw["boxes"], dtype=torch.float64),
                    torch.tensor(kw["scores"], dtype=torch.float64),
                    torch.tensor(kw["classes"]),
                    kw["iou_threshold"],
                ).tolist(),
            )
        )
    return cases


THRESHOLDS = [(0.7, 0.3, True), (0.5, 0.4, True), (0.5, 0.5, False), (0.6, 0.4, False)]


def matcher_cases(rng: np.random.Generator, count: int) -> list[Case]:
    cases = []
    for i in range(count):
        m, n = int(rng.integers(1, 5)), int(rng.integers(1, 9))
        # Every third matrix is on a 0.1 grid, so ties (within a column and within a row) are common.
        matrix = rng.uniform(0, 1, (m, n))
        matrix = np.round(matrix, 1) if i % 3 == 0 else np.round(matrix, 3)
        if i % 4 == 0:
            high, low, allow = THRESHOLDS[int(rng.integers(0, len(THRESHOLDS)))]
        else:
            low = round(float(rng.uniform(0.1, 0.5)), 2)
            high = round(float(rng.uniform(low, 0.9)), 2)
            allow = bool(rng.integers(0, 2))
        kwargs = {
            "iou_matrix": matrix.tolist(),
            "high_threshold": high,
            "low_threshold": low,
            "allow_low_quality_matches": allow,
        }
        cases.append(
            outcome(
                kwargs,
                lambda kw=kwargs: det_utils.Matcher(
                    kw["high_threshold"], kw["low_threshold"], kw["allow_low_quality_matches"]
                )(torch.tensor(kw["iou_matrix"], dtype=torch.float64)).tolist(),
            )
        )
    for kwargs in (
        {
            "iou_matrix": [[]],
            "high_threshold": 0.7,
            "low_threshold": 0.3,
            "allow_low_quality_matches": True,
        },
        {
            "iou_matrix": [[0.5]],
            "high_threshold": 0.3,
            "low_threshold": 0.7,
            "allow_low_quality_matches": False,
        },
    ):
        cases.append(
            outcome(
                kwargs,
                lambda kw=kwargs: det_utils.Matcher(
                    kw["high_threshold"], kw["low_threshold"], kw["allow_low_quality_matches"]
                )(torch.tensor(kw["iou_matrix"], dtype=torch.float64)).tolist(),
            )
        )
    return cases


def rpn_labels(
    gt_boxes: list[list[float]], anchors: list[list[float]], high: float, low: float
) -> list[int]:
    """The labels torchvision's RPN trains each anchor with (1, 0 or -1), from its own code."""
    rpn = RegionProposalNetwork(
        AnchorGenerator(),
        RPNHead(1, 1),
        fg_iou_thresh=high,
        bg_iou_thresh=low,
        batch_size_per_image=256,
        positive_fraction=0.5,
        pre_nms_top_n={"training": 10, "testing": 10},
        post_nms_top_n={"training": 10, "testing": 10},
        nms_thresh=0.7,
    )
    labels, _ = rpn.assign_targets_to_anchors(
        [torch.tensor(anchors, dtype=torch.float64)],
        [{"boxes": torch.tensor(gt_boxes, dtype=torch.float64)}],
    )
    return [int(v) for v in labels[0].tolist()]


def rpn_label_cases(rng: np.random.Generator, count: int) -> list[Case]:
    cases = []
    for _ in range(count):
        gts = random_boxes(rng, int(rng.integers(1, 4)), True)
        anchors = random_boxes(rng, int(rng.integers(2, 8)), True)
        high, low = [(0.7, 0.3), (0.5, 0.4), (0.6, 0.3)][int(rng.integers(0, 3))]
        kwargs = {"gt_boxes": gts, "anchors": anchors, "high_threshold": high, "low_threshold": low}
        cases.append(
            outcome(
                kwargs,
                lambda kw=kwargs: rpn_labels(
                    kw["gt_boxes"], kw["anchors"], kw["high_threshold"], kw["low_threshold"]
                ),
            )
        )
    return cases


def proposals_file(rng: np.random.Generator) -> dict[str, list[Case]]:
    return {
        "nms": nms_cases(rng, 120),
        "batched_nms": batched_nms_cases(rng, 60),
        "match_anchors": matcher_cases(rng, 150),
        "rpn_labels": rpn_label_cases(rng, 80),
    }


# --- optimisers ---------------------------------------------------------------------------------------------


def run_optimizer(
    kind: str, param: list[float], grads: list[list[float]], options: dict[str, Any]
) -> list[Any]:
    p = torch.tensor(param, dtype=torch.float64, requires_grad=True)
    make = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam, "adamw": torch.optim.AdamW}[kind]
    opt = make([p], **options)
    states = []
    for grad in grads:
        p.grad = torch.tensor(grad, dtype=torch.float64)
        opt.step()
        state = opt.state[p]
        if kind == "sgd":
            buffer = state.get("momentum_buffer")
            states.append(
                {
                    "param": p.detach().tolist(),
                    "momentum_buffer": None if buffer is None else buffer.tolist(),
                }
            )
        else:
            states.append(
                {
                    "param": p.detach().tolist(),
                    "exp_avg": state["exp_avg"].tolist(),
                    "exp_avg_sq": state["exp_avg_sq"].tolist(),
                }
            )
    return states


def optim_cases(rng: np.random.Generator, kind: str, count: int) -> list[Case]:
    cases = []
    for i in range(count):
        size = int(rng.integers(1, 4))
        steps = int(rng.integers(1, 4))
        if i % 2 == 0:  # the regime of the practice cards: round numbers
            param = [float(v) for v in rng.integers(-4, 5, size)]
            grads = [[float(v) for v in rng.integers(-4, 5, size) / 2] for _ in range(steps)]
        else:
            param = r3(rng.normal(0, 2, size))
            grads = [r3(rng.normal(0, 2, size)) for _ in range(steps)]
        if kind == "sgd":
            momentum = float(rng.choice([0.0, 0.5, 0.9, 0.99]))
            nesterov = bool(momentum > 0 and rng.random() < 0.5)
            options = {
                "lr": float(rng.choice([0.1, 0.01, 0.5, 1.0])),
                "momentum": momentum,
                "dampening": 0.0 if nesterov or rng.random() < 0.7 else 0.1,
                "weight_decay": float(rng.choice([0.0, 0.0, 0.01, 0.1])),
                "nesterov": nesterov,
            }
        else:
            options = {
                "lr": float(rng.choice([0.1, 0.01, 0.001])),
                "betas": [
                    float(rng.choice([0.9, 0.8, 0.5])),
                    float(rng.choice([0.999, 0.99, 0.9])),
                ],
                "eps": float(rng.choice([1e-8, 1e-6, 0.1])),
                "weight_decay": float(rng.choice([0.0, 0.01, 0.1])),
            }
        kwargs = {"param": param, "grads": grads, **options}
        cases.append(
            outcome(
                kwargs,
                lambda kw=kwargs, opts=options: run_optimizer(
                    kind,
                    kw["param"],
                    kw["grads"],
                    {**opts, "betas": tuple(opts["betas"])} if "betas" in opts else opts,
                ),
            )
        )
    return cases


def optim_file(rng: np.random.Generator) -> dict[str, list[Case]]:
    return {
        "sgd": optim_cases(rng, "sgd", 120),
        "adam": optim_cases(rng, "adam", 80),
        "adamw": optim_cases(rng, "adamw", 80),
    }


# --- attention ------------------------------------------------------------------------------------------------


def run_attention(tokens: int, dim: int, heads: int, batch: int, bias: bool) -> dict[str, Any]:
    layer = nn.MultiheadAttention(dim, heads, bias=bias, batch_first=True).double()
    x = torch.randn(batch, tokens, dim, dtype=torch.float64)
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        out, weights = layer(x, x, x, need_weights=True, average_attn_weights=False)
    by_op = {str(op): int(v) for op, v in counter.get_flop_counts()["Global"].items()}
    attention = sum(v for op, v in by_op.items() if "bmm" in op)
    return {
        "output_shape": list(out.shape),
        "scores_shape": list(weights.shape),
        "params": sum(p.numel() for p in layer.parameters()),
        "flops": int(counter.get_total_flops()),
        "attention_flops": attention,
        "projection_flops": int(counter.get_total_flops()) - attention,
    }


def attention_file(rng: np.random.Generator) -> dict[str, list[Case]]:
    cases = []
    for i in range(80):
        heads = int(rng.choice([1, 2, 4, 8]))
        dim = heads * int(rng.choice([2, 4, 8, 16]))
        if i % 20 == 0:
            dim += 1  # not divisible: PyTorch refuses
        kwargs = {
            "tokens": int(rng.integers(1, 50)),
            "dim": dim,
            "heads": heads,
            "batch": int(rng.integers(1, 4)),
            "bias": bool(rng.random() < 0.8),
        }
        cases.append(outcome(kwargs, lambda kw=kwargs: run_attention(**kw)))
    return {"attention_cost": cases}


# --- layer and group norm ------------------------------------------------------------------------------------


def layer_norm_cases(rng: np.random.Generator, count: int) -> list[Case]:
    cases = []
    for i in range(count):
        shape = [int(rng.integers(1, 4)) for _ in range(int(rng.integers(1, 4)))] + [
            int(rng.integers(2, 6))
        ]
        trailing = int(rng.integers(1, len(shape) + 1))
        normalized = shape[len(shape) - trailing :]
        x = (
            rng.integers(-5, 6, shape).astype(float)
            if i % 2 == 0
            else np.round(rng.normal(0, 3, shape), 3)
        )
        affine = rng.random() < 0.6
        weight = r3(rng.uniform(0.5, 2, normalized)) if affine else None
        bias = r3(rng.uniform(-1, 1, normalized)) if affine else None
        eps = float(rng.choice([1e-5, 1e-3, 0.1]))
        kwargs = {
            "x": x.tolist(),
            "normalized_shape": normalized,
            "weight": weight,
            "bias": bias,
            "eps": eps,
        }

        def run(kw: dict[str, Any] = kwargs) -> dict[str, Any]:
            t = torch.tensor(kw["x"], dtype=torch.float64)
            w = None if kw["weight"] is None else torch.tensor(kw["weight"], dtype=torch.float64)
            b = None if kw["bias"] is None else torch.tensor(kw["bias"], dtype=torch.float64)
            y = F.layer_norm(t, kw["normalized_shape"], w, b, kw["eps"])
            lead = t.shape[: t.dim() - len(kw["normalized_shape"])]
            var, mean = torch.var_mean(t.reshape(*lead, -1), dim=-1, correction=0)
            return {"y": y.tolist(), "mean": mean.tolist(), "var": var.tolist()}

        cases.append(outcome(kwargs, run))
    return cases


def group_norm_cases(rng: np.random.Generator, count: int) -> list[Case]:
    cases = []
    for i in range(count):
        groups = int(rng.choice([1, 2, 3, 4]))
        channels = groups * int(rng.integers(1, 4))
        if i % 25 == 0:
            channels += 1 if groups > 1 else 0  # G does not divide C: PyTorch refuses
        shape = [int(rng.integers(1, 3)), channels] + [
            int(rng.integers(1, 4)) for _ in range(int(rng.integers(0, 3)))
        ]
        x = (
            rng.integers(-5, 6, shape).astype(float)
            if i % 2 == 0
            else np.round(rng.normal(0, 3, shape), 3)
        )
        affine = rng.random() < 0.6
        weight = r3(rng.uniform(0.5, 2, channels)) if affine else None
        bias = r3(rng.uniform(-1, 1, channels)) if affine else None
        eps = float(rng.choice([1e-5, 1e-3, 0.1]))
        kwargs = {"x": x.tolist(), "num_groups": groups, "weight": weight, "bias": bias, "eps": eps}

        def run(kw: dict[str, Any] = kwargs) -> dict[str, Any]:
            t = torch.tensor(kw["x"], dtype=torch.float64)
            w = None if kw["weight"] is None else torch.tensor(kw["weight"], dtype=torch.float64)
            b = None if kw["bias"] is None else torch.tensor(kw["bias"], dtype=torch.float64)
            y = F.group_norm(t, kw["num_groups"], w, b, kw["eps"])
            var, mean = torch.var_mean(
                t.reshape(t.shape[0], kw["num_groups"], -1), dim=-1, correction=0
            )
            return {"y": y.tolist(), "mean": mean.tolist(), "var": var.tolist()}

        cases.append(outcome(kwargs, run))
    return cases


def norm_file(rng: np.random.Generator) -> dict[str, list[Case]]:
    return {"layer_norm": layer_norm_cases(rng, 100), "group_norm": group_norm_cases(rng, 100)}


# --- segmentation -----------------------------------------------------------------------------------------------


class ConfusionMatrix:
    """torchvision's references/segmentation/utils.py ConfusionMatrix (update and compute), transcribed."""

    def __init__(self, num_classes: int) -> None:
        self.num_classes = num_classes
        self.mat: torch.Tensor | None = None

    def update(self, a: torch.Tensor, b: torch.Tensor) -> None:
        n = self.num_classes
        if self.mat is None:
            self.mat = torch.zeros((n, n), dtype=torch.int64, device=a.device)
        with torch.inference_mode():
            k = (a >= 0) & (a < n)
            inds = n * a[k].to(torch.int64) + b[k]
            self.mat += torch.bincount(inds, minlength=n**2).reshape(n, n)

    def compute(self) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        assert self.mat is not None
        h = self.mat.float()
        acc_global = torch.diag(h).sum() / h.sum()
        acc = torch.diag(h) / h.sum(1)
        iu = torch.diag(h) / (h.sum(1) + h.sum(0) - torch.diag(h))
        return acc_global, acc, iu


def no_nan(value: float) -> float | None:
    """JSON has no NaN: an undefined score is null."""
    return None if math.isnan(value) else value


def segmentation_file(rng: np.random.Generator) -> dict[str, list[Case]]:
    cases = []
    for i in range(120):
        classes = int(rng.integers(2, 6))
        h, w = int(rng.integers(1, 7)), int(rng.integers(1, 7))
        # Few classes per map, so that some classes are absent from one map or from both.
        used = rng.choice(classes, size=int(rng.integers(1, classes + 1)), replace=False)
        target = rng.choice(used, (h, w))
        prediction = np.where(rng.random((h, w)) < 0.6, target, rng.integers(0, classes, (h, w)))
        ignore = None
        if i % 4 == 0:
            ignore = 255
            target = np.where(rng.random((h, w)) < 0.2, 255, target)
        kwargs = {
            "target": target.tolist(),
            "prediction": prediction.tolist(),
            "num_classes": classes,
            "ignore_index": ignore,
        }

        def run(kw: dict[str, Any] = kwargs) -> dict[str, Any]:
            matrix = ConfusionMatrix(kw["num_classes"])
            matrix.update(
                torch.tensor(kw["target"]).flatten(), torch.tensor(kw["prediction"]).flatten()
            )
            acc_global, _, iu = matrix.compute()
            assert matrix.mat is not None
            h64 = matrix.mat.double()
            dice = 2 * torch.diag(h64) / (h64.sum(1) + h64.sum(0))
            iu64 = torch.diag(h64) / (h64.sum(1) + h64.sum(0) - torch.diag(h64))
            return {
                "confusion": matrix.mat.tolist(),
                "iou": [None if math.isnan(v) else v for v in iu64.tolist()],
                "iou_float32": [None if math.isnan(v) else v for v in iu.tolist()],
                "dice": [None if math.isnan(v) else v for v in dice.tolist()],
                "miou": no_nan(float(torch.nanmean(iu64))),
                "mdice": no_nan(float(torch.nanmean(dice))),
                "pixel_accuracy": no_nan(float(acc_global)),
            }

        cases.append(outcome(kwargs, run))
    return {"segmentation_scores": cases}


# --- interpolation ---------------------------------------------------------------------------------------------


def interpolate_file(rng: np.random.Generator) -> dict[str, list[Case]]:
    resize = []
    for i in range(120):
        h, w = int(rng.integers(1, 6)), int(rng.integers(1, 6))
        image = (
            rng.integers(0, 10, (h, w)).astype(float)
            if i % 2 == 0
            else np.round(rng.normal(0, 2, (h, w)), 3)
        )
        size = [int(rng.integers(1, 9)), int(rng.integers(1, 9))]
        align = bool(i % 3 == 0)
        kwargs = {"image": image.tolist(), "size": size, "align_corners": align}
        resize.append(
            outcome(
                kwargs,
                lambda kw=kwargs: F.interpolate(
                    torch.tensor(kw["image"], dtype=torch.float64)[None, None],
                    size=tuple(kw["size"]),
                    mode="bilinear",
                    align_corners=kw["align_corners"],
                )[0, 0].tolist(),
            )
        )
    sample = []
    for i in range(120):
        h, w = int(rng.integers(1, 6)), int(rng.integers(1, 6))
        image = rng.integers(0, 10, (h, w)).astype(float)
        x, y = round(float(rng.uniform(-1.3, 1.3)), 3), round(float(rng.uniform(-1.3, 1.3)), 3)
        align = bool(i % 2 == 0)
        kwargs = {"image": image.tolist(), "x": x, "y": y, "align_corners": align}
        sample.append(
            outcome(
                kwargs,
                lambda kw=kwargs: float(
                    F.grid_sample(
                        torch.tensor(kw["image"], dtype=torch.float64)[None, None],
                        torch.tensor([[[[kw["x"], kw["y"]]]]], dtype=torch.float64),
                        mode="bilinear",
                        padding_mode="zeros",
                        align_corners=kw["align_corners"],
                    )[0, 0, 0, 0]
                ),
            )
        )
    return {"resize_bilinear": resize, "grid_sample_bilinear": sample}


# --- quantization -----------------------------------------------------------------------------------------------


def observe(values: list[float], dtype: str, symmetric: bool) -> tuple[float, int]:
    observer = MinMaxObserver(
        dtype=getattr(torch, dtype),
        qscheme=torch.per_tensor_symmetric if symmetric else torch.per_tensor_affine,
    )
    observer(torch.tensor(values, dtype=torch.float32))
    scale, zero_point = observer.calculate_qparams()
    return float(scale), int(zero_point)


def quantize_one(x: float, scale: float, zero_point: int, dtype: str) -> dict[str, Any]:
    q = torch.quantize_per_tensor(
        torch.tensor([x], dtype=torch.float32), scale, zero_point, getattr(torch, dtype)
    )
    return {"q": int(q.int_repr()[0]), "dequantized": float(q.dequantize()[0])}


def quant_file(rng: np.random.Generator) -> dict[str, list[Case]]:
    params, values = [], []
    for i in range(150):
        kind = i % 3
        if kind == 0:
            low, high = -float(rng.uniform(0, 5)), float(rng.uniform(0, 5))
        elif kind == 1:
            low, high = sorted(float(v) for v in rng.uniform(0.1, 8, 2))
        else:
            low, high = sorted(-float(v) for v in rng.uniform(0.1, 8, 2))
        if i % 2 == 0:
            low, high = round(low, 1), round(high, 1)
        else:
            low, high = round(low, 3), round(high, 3)
        dtype = "quint8" if rng.random() < 0.6 else "qint8"
        symmetric = bool(rng.random() < 0.3)
        # The observer sees float32 values; record what it saw.
        low32, high32 = float(np.float32(low)), float(np.float32(high))
        kwargs = {"min_val": low32, "max_val": high32, "dtype": dtype, "symmetric": symmetric}
        case = outcome(
            kwargs,
            lambda kw=kwargs: list(
                observe([kw["min_val"], kw["max_val"]], kw["dtype"], kw["symmetric"])
            ),
        )
        params.append(case)
        scale, zero_point = case["expected"]
        for x in (float(rng.uniform(low - 1, high + 1)), round(float(rng.uniform(low, high)), 2)):
            x32 = float(np.float32(x))
            kw = {"x": x32, "scale": scale, "zero_point": zero_point, "dtype": dtype}
            values.append(
                outcome(
                    kw,
                    lambda kw=kw: quantize_one(kw["x"], kw["scale"], kw["zero_point"], kw["dtype"]),
                )
            )
    # fbgemm's own example: x·(1/s) rounds to 128 where x/s would give 127.
    kw = {
        "x": float(np.float32(0.273939937)),
        "scale": float(np.float32(0.00214854861)),
        "zero_point": 0,
        "dtype": "quint8",
    }
    values.append(
        outcome(kw, lambda: quantize_one(kw["x"], kw["scale"], kw["zero_point"], kw["dtype"]))
    )
    return {"qparams": params, "quantize": values}


# --- keypoints ---------------------------------------------------------------------------------------------------

COCO_SIGMAS = [
    0.26,
    0.25,
    0.25,
    0.35,
    0.35,
    0.79,
    0.79,
    0.72,
    0.72,
    0.62,
    0.62,
    1.07,
    1.07,
    0.87,
    0.87,
    0.89,
    0.89,
]


def coco_oks(cases: list[dict[str, Any]], sigmas: list[float]) -> list[float]:
    """OKS of one (ground truth, detection) pair per image, from COCOeval's own computeOks."""
    k = len(sigmas)
    gt = {
        "images": [{"id": i + 1, "width": 640, "height": 480} for i in range(len(cases))],
        "categories": [
            {"id": 1, "name": "person", "keypoints": [f"k{j}" for j in range(k)], "skeleton": []}
        ],
        "annotations": [],
    }
    dts = []
    for i, case in enumerate(cases):
        flat = [v for point in case["gt_keypoints"] for v in point]
        gt["annotations"].append(
            {
                "id": i + 1,
                "image_id": i + 1,
                "category_id": 1,
                "keypoints": flat,
                "num_keypoints": sum(1 for p in case["gt_keypoints"] if p[2] > 0),
                "area": case["area"],
                "bbox": case["gt_bbox"],
                "iscrowd": 0,
            }
        )
        dts.append(
            {
                "image_id": i + 1,
                "category_id": 1,
                "keypoints": [v for point in case["dt_keypoints"] for v in (*point, 1)],
                "score": 0.9,
            }
        )
    with contextlib.redirect_stdout(io.StringIO()):
        coco_gt = COCO()
        coco_gt.dataset = gt
        coco_gt.createIndex()
        coco_dt = coco_gt.loadRes(dts)
        evaluator = COCOeval(coco_gt, coco_dt, "keypoints")
        evaluator.params.kpt_oks_sigmas = np.array(sigmas)
        evaluator.evaluate()
    return [float(np.asarray(evaluator.ious[(i + 1, 1)])[0, 0]) for i in range(len(cases))]


def keypoint_file(rng: np.random.Generator) -> dict[str, list[Case]]:
    groups = []
    for g in range(6):
        k = 17 if g < 2 else int(rng.integers(2, 6))
        sigmas = (
            [s / 10 for s in COCO_SIGMAS]
            if k == 17
            else [float(v) for v in rng.choice(COCO_SIGMAS, k) / 10]
        )
        batch = []
        for i in range(30):
            x, y = float(rng.integers(50, 400)), float(rng.integers(50, 300))
            w, h = float(rng.integers(20, 200)), float(rng.integers(40, 300))
            gt_points = [
                [
                    float(rng.integers(x, x + w)),
                    float(rng.integers(y, y + h)),
                    int(rng.choice([0, 1, 2, 2])),
                ]
                for _ in range(k)
            ]
            if i % 10 == 0:
                gt_points = [
                    [0.0, 0.0, 0] for _ in range(k)
                ]  # nothing labelled: distances to the box
            spread = float(rng.choice([2, 5, 10, 30]))
            dt_points = [
                [
                    round(p[0] + float(rng.normal(0, spread)), 1),
                    round(p[1] + float(rng.normal(0, spread)), 1),
                ]
                for p in gt_points
            ]
            if i % 10 == 0:
                dt_points = [
                    [
                        float(rng.uniform(x - w * 1.5, x + w * 2.5)),
                        float(rng.uniform(y - h * 1.5, y + h * 2.5)),
                    ]
                    for _ in range(k)
                ]
            area = float(rng.choice([w * h * 0.6, float(rng.integers(500, 20000))]))
            batch.append(
                {
                    "gt_keypoints": gt_points,
                    "dt_keypoints": dt_points,
                    "area": area,
                    "sigmas": sigmas,
                    "gt_bbox": [x, y, w, h],
                }
            )
        for case, value in zip(batch, coco_oks(batch, sigmas), strict=True):
            groups.append({"kwargs": case, "expected": value})
    return {"oks": groups}


# --- geometry ---------------------------------------------------------------------------------------------------


def geometry_file(rng: np.random.Generator) -> dict[str, list[Case]]:
    projections = []
    for i in range(100):
        fx = float(rng.choice([500.0, 800.0, 1000.0, 600.0]))
        fy = fx if rng.random() < 0.7 else float(rng.choice([500.0, 800.0]))
        K = [
            [fx, 0.0, float(rng.choice([320.0, 640.0]))],
            [0.0, fy, float(rng.choice([240.0, 360.0]))],
            [0.0, 0.0, 1.0],
        ]
        if i % 2 == 0:
            R = Rotation.from_rotvec(rng.normal(0, 0.3, 3)).as_matrix()
            t = r3(rng.normal(0, 1, 3))
            R_list = R.tolist()
        else:
            R_list, t = None, None
        point = [float(rng.integers(-3, 4)), float(rng.integers(-3, 4)), float(rng.integers(2, 10))]
        kwargs = {"K": K, "point": point, "R": R_list, "t": t}

        def project(kw: dict[str, Any] = kwargs) -> Any:
            Rm = np.eye(3) if kw["R"] is None else np.array(kw["R"])
            tv = np.zeros(3) if kw["t"] is None else np.array(kw["t"])
            P = np.array(kw["K"]) @ np.hstack([Rm, tv[:, None]])
            x = P @ np.append(np.array(kw["point"]), 1.0)
            if x[2] <= 0:
                raise ValueError("behind the camera")
            return {"pixel": [float(x[0] / x[2]), float(x[1] / x[2])], "depth": float(x[2])}

        projections.append(outcome(kwargs, project))
    homographies = []
    for _ in range(80):
        H = np.eye(3) + np.round(rng.normal(0, 0.2, (3, 3)), 2)
        H[2, :2] = np.round(rng.normal(0, 0.002, 2), 4)
        point = [float(rng.integers(0, 100)), float(rng.integers(0, 100))]
        kwargs = {"H": H.tolist(), "point": point}

        def apply(kw: dict[str, Any] = kwargs) -> Any:
            x = np.array(kw["H"]) @ np.array([*kw["point"], 1.0])
            return [float(x[0] / x[2]), float(x[1] / x[2])]

        homographies.append(outcome(kwargs, apply))
    ransac = []
    mpmath.mp.dps = 50
    for i in range(150):
        if i < 10:  # exact cases: log(1 - p)/log(1 - w^s) is a whole number
            w, s, n = [(0.5, 1, 2), (0.5, 2, 3), (0.5, 1, 5), (0.5, 3, 1), (0.1, 1, 2)][i % 5]
            p = float(1 - (1 - mpmath.mpf(w) ** s) ** n)
        else:
            w = round(float(rng.uniform(0.1, 0.95)), 2)
            s = int(rng.choice([1, 2, 3, 4, 5, 7, 8]))
            p = float(rng.choice([0.9, 0.95, 0.99, 0.995, 0.999]))
        kwargs = {"inlier_ratio": w, "sample_size": s, "confidence": p}

        def count(kw: dict[str, Any] = kwargs) -> int:
            clean = mpmath.mpf(kw["inlier_ratio"]) ** kw["sample_size"]
            target = mpmath.mpf(kw["confidence"])
            # Start a little below the closed form (counting from 1 would take 10⁹ steps for w^s = 1e-8) and
            # let the definition decide.
            n = max(1, int(mpmath.floor(mpmath.log(1 - target) / mpmath.log(1 - clean))) - 2)
            while n > 1 and 1 - (1 - clean) ** (n - 1) >= target - mpmath.mpf(10) ** -30:
                n -= 1
            while 1 - (1 - clean) ** n < target - mpmath.mpf(10) ** -30:
                n += 1
            return n

        ransac.append(outcome(kwargs, count))
    return {
        "camera_project": projections,
        "homography_apply": homographies,
        "ransac_iterations": ransac,
    }


# --- Kalman -----------------------------------------------------------------------------------------------------


def kalman_file(rng: np.random.Generator) -> dict[str, list[Case]]:
    cases = []
    for i in range(100):
        x = (
            [float(rng.integers(-10, 11)), float(rng.integers(-3, 4))]
            if i % 2 == 0
            else r3(rng.normal(0, 5, 2))
        )
        a, c = float(rng.choice([1.0, 2.0, 4.0, 0.5])), float(rng.choice([1.0, 0.5, 2.0]))
        b = 0.0 if i % 2 == 0 else round(float(rng.uniform(-0.4, 0.4)) * math.sqrt(a * c), 3)
        q = float(rng.choice([0.0, 0.1, 0.5, 1.0]))
        kwargs = {
            "x": x,
            "P": [[a, b], [b, c]],
            "z": float(rng.integers(-10, 14)) if i % 2 == 0 else round(float(rng.normal(0, 8)), 2),
            "dt": float(rng.choice([1.0, 0.5, 2.0])),
            "Q": [[q, 0.0], [0.0, q]] if i % 3 else [[q / 4, q / 2], [q / 2, q]],
            "R": float(rng.choice([1.0, 2.0, 4.0, 0.5])),
        }

        def step(kw: dict[str, Any] = kwargs) -> dict[str, Any]:
            F_ = np.array([[1.0, kw["dt"]], [0.0, 1.0]])
            H = np.array([[1.0, 0.0]])
            x0 = np.array(kw["x"])[:, None]
            P0 = np.array(kw["P"])
            xp = F_ @ x0
            Pp = F_ @ P0 @ F_.T + np.array(kw["Q"])
            y = np.array([[kw["z"]]]) - H @ xp
            S = H @ Pp @ H.T + np.array([[kw["R"]]])
            K = Pp @ H.T @ scipy.linalg.inv(S)
            xn = xp + K @ y
            I_KH = np.eye(2) - K @ H
            Pn = I_KH @ Pp @ I_KH.T + K @ np.array([[kw["R"]]]) @ K.T  # Joseph form
            return {
                "x_pred": xp.ravel().tolist(),
                "P_pred": Pp.tolist(),
                "innovation": float(y[0, 0]),
                "S": float(S[0, 0]),
                "K": K.ravel().tolist(),
                "x": xn.ravel().tolist(),
                "P": Pn.tolist(),
            }

        cases.append(outcome(kwargs, step))
    return {"kalman_cv_step": cases}


# --- writing ---------------------------------------------------------------------------------------------------


def dump(path: Path, about: str, functions: dict[str, list[Case]]) -> None:
    """One case per line, so that a regenerated file diffs readably."""
    versions = {
        "torch": torch.__version__,
        "torchvision": torchvision.__version__,
        "scipy": scipy.__version__,
        "numpy": np.__version__,
        "pycocotools": version("pycocotools"),
        "mpmath": mpmath.__version__,
    }

    def lines() -> Iterator[str]:
        yield "{"
        yield f'"about": {json.dumps(about, ensure_ascii=False)},'
        yield '"generator": "tests/golden/make_golden_round2.py",'
        yield f'"seed": {SEED},'
        yield f'"versions": {json.dumps(versions)},'
        yield '"functions": {'
        for n, (name, cases) in enumerate(functions.items()):
            yield f"{json.dumps(name)}: ["
            for m, case in enumerate(cases):
                comma = "," if m < len(cases) - 1 else ""
                yield json.dumps(case, separators=(",", ":"), allow_nan=False) + comma
            yield "]" + ("," if n < len(functions) - 1 else "")
        yield "}"
        yield "}"

    path.write_text("\n".join(lines()) + "\n", encoding="utf-8")
    raises = sum("raises" in case for cases in functions.values() for case in cases)
    total = sum(len(cases) for cases in functions.values())
    print(
        f"{path.name}: {total} cases ({raises} where the library raises), {path.stat().st_size / 1024:.0f} KiB"
    )


def main() -> int:
    torch.manual_seed(SEED)
    rng = np.random.default_rng(SEED)
    files = [
        (
            "proposals.json",
            "torchvision.ops.nms / batched_nms, the detection Matcher and the RPN's anchor labels",
            proposals_file,
        ),
        (
            "optim.json",
            "torch.optim.SGD / Adam / AdamW, one to three steps with the state after each",
            optim_file,
        ),
        (
            "attention.json",
            "nn.MultiheadAttention shapes, parameters and FlopCounterMode FLOPs",
            attention_file,
        ),
        (
            "layergroupnorm.json",
            "F.layer_norm and F.group_norm with their biased statistics",
            norm_file,
        ),
        (
            "segmentation.json",
            "per-class IoU, Dice, mIoU from torchvision's segmentation reference ConfusionMatrix",
            segmentation_file,
        ),
        (
            "interpolate.json",
            "F.interpolate(mode='bilinear') and F.grid_sample(mode='bilinear')",
            interpolate_file,
        ),
        (
            "quant.json",
            "MinMaxObserver qparams and torch.quantize_per_tensor / dequantize",
            quant_file,
        ),
        ("keypoints.json", "pycocotools COCOeval keypoint OKS", keypoint_file),
        (
            "geometry.json",
            "pinhole projection, homographies (NumPy/SciPy) and RANSAC iterations (mpmath)",
            geometry_file,
        ),
        (
            "kalman.json",
            "a constant-velocity Kalman predict/update in NumPy/SciPy (Joseph form)",
            kalman_file,
        ),
    ]
    for name, about, build in files:
        print(f"building {name}")
        dump(HERE / name, about, build(rng))
    return 0


if __name__ == "__main__":
    sys.exit(main())
