"""Write the golden JSON files the engine tests compare against, from PyTorch and SciPy themselves.

Run by hand where torch and scipy are installed (never by the test suite):

    pip install torch==2.13.0 scipy
    python tests/golden/make_golden.py

It writes shapes.json, signal.json, losses.json, init.json, batchnorm.json and misc.json next to itself. Every
expected value comes from running the real library on random arguments (fixed seed) and on hand-picked edge
cases; where the library raises, the case records the library's message under "raises" and the engine must
raise `EngineError` too. Nothing here imports cvquiz: the references must not come from the code under test.
The detection metrics have their own generator (pycocotools), not this one.

Each file is {"about", "generator", "versions", "functions": {name: [case, ...]}} with cases
{"kwargs": {...}, "expected": ...} or {"kwargs": {...}, "raises": "..."}; some cases carry extra reference
values (e.g. "grad"). Array arguments are nested lists; int-or-pair arguments are ints or 2-lists.
"""

from __future__ import annotations

import json
import math
import sys
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import numpy as np
import scipy
import scipy.signal
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

HERE = Path(__file__).resolve().parent
SEED = 20260302
Case = dict[str, Any]

warnings.filterwarnings("ignore")  # PyTorch warns about even kernels with padding="same" etc.
torch.set_default_dtype(torch.float64)


def outcome(kwargs: dict[str, Any], compute: Callable[[], Any], **extra: Any) -> Case:
    """Run the reference; record its result, or its error message if it raises."""
    try:
        expected = compute()
    except (RuntimeError, ValueError, IndexError) as exc:  # the library's refusal is the reference
        return {
            "kwargs": kwargs,
            "raises": f"{type(exc).__name__}: {str(exc).splitlines()[0][:160]}",
        }
    return {"kwargs": kwargs, "expected": expected, **extra}


def pick(rng: np.random.Generator, options: list[Any], p: list[float] | None = None) -> Any:
    return options[int(rng.choice(len(options), p=p))]


def int_or_pair(rng: np.random.Generator, low: int, high: int, pair_chance: float = 0.25) -> Any:
    if rng.random() < pair_chance:
        return [int(rng.integers(low, high + 1)), int(rng.integers(low, high + 1))]
    return int(rng.integers(low, high + 1))


def as_torch_arg(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def rounded(rng_values: np.ndarray, decimals: int = 3) -> list[Any]:
    return np.round(rng_values, decimals).tolist()


# --- shapes -------------------------------------------------------------------------------------------------


def channel_groups(rng: np.random.Generator, c_in: int, c_out: int) -> int:
    if rng.random() < 0.1:
        return int(rng.integers(1, 5))  # may not divide: PyTorch raises
    divisors = [g for g in range(1, min(c_in, c_out) + 1) if c_in % g == 0 and c_out % g == 0]
    return pick(rng, divisors)


CHANNELS = [1, 2, 3, 4, 6, 8, 12, 16]


def conv2d_cases(rng: np.random.Generator, count: int) -> list[Case]:
    cases = []
    for i in range(count):
        c_in, c_out = pick(rng, CHANNELS), pick(rng, CHANNELS)
        shape = [
            pick(rng, [1, 2, 0], [0.7, 0.28, 0.02]),
            c_in,
            int(rng.integers(1, 33)),
            int(rng.integers(1, 33)),
        ]
        kernel = int_or_pair(rng, 1, 7)
        stride = int_or_pair(rng, 1, 4, 0.2)
        dilation = pick(rng, [1, 1, 1, 2, 3, [1, 2]])
        padding = pick(
            rng,
            [0, 1, 2, 3, [1, 0], [2, 3], "same", "valid", "same"],
        )
        if padding == "same" and rng.random() < 0.6:
            stride = 1
        kwargs = {
            "input_shape": shape,
            "out_channels": c_out,
            "kernel_size": kernel,
            "stride": stride,
            "padding": padding,
            "dilation": dilation,
            "groups": channel_groups(rng, c_in, c_out),
        }
        if i % 25 == 0:  # arguments PyTorch refuses
            bad = pick(rng, ["stride", "dilation", "kernel_size", "padding"])
            kwargs[bad] = pick(rng, [0, -1, "full"] if bad == "padding" else [0, -1])
        cases.append(outcome(kwargs, lambda kw=kwargs: list(run_conv2d(kw))))
    # The example from the docs: kernel 7 with dilation 2 spans 13 > padded input 12.
    kwargs = {
        "input_shape": [1, 3, 8, 8],
        "out_channels": 4,
        "kernel_size": 7,
        "dilation": 2,
        "padding": 2,
    }
    cases.append(outcome(kwargs, lambda: list(run_conv2d(kwargs))))
    return cases


def run_conv2d(kw: dict[str, Any]) -> torch.Size:
    shape = kw["input_shape"]
    layer = nn.Conv2d(
        shape[1],
        kw["out_channels"],
        as_torch_arg(kw["kernel_size"]),
        stride=as_torch_arg(kw.get("stride", 1)),
        padding=as_torch_arg(kw.get("padding", 0)),
        dilation=as_torch_arg(kw.get("dilation", 1)),
        groups=kw.get("groups", 1),
        bias=False,
    )
    with torch.no_grad():
        return layer(torch.zeros(shape)).shape


def conv_transpose2d_cases(rng: np.random.Generator, count: int) -> list[Case]:
    cases = []
    for i in range(count):
        c_in, c_out = pick(rng, CHANNELS), pick(rng, CHANNELS)
        stride = int_or_pair(rng, 1, 4, 0.2)
        dilation = pick(rng, [1, 1, 2, 3])
        limit = max(max(stride) if isinstance(stride, list) else stride, dilation)
        output_padding = int(rng.integers(0, limit + (1 if rng.random() < 0.15 else 0)))
        kwargs = {
            "input_shape": [
                pick(rng, [1, 2]),
                c_in,
                int(rng.integers(1, 17)),
                int(rng.integers(1, 17)),
            ],
            "out_channels": c_out,
            "kernel_size": int_or_pair(rng, 1, 6),
            "stride": stride,
            "padding": pick(rng, [0, 0, 1, 2, 3, [1, 0]]),
            "output_padding": output_padding,
            "dilation": dilation,
            "groups": channel_groups(rng, c_in, c_out),
        }
        if i % 25 == 0:
            bad = pick(rng, ["stride", "padding", "output_padding", "kernel_size"])
            kwargs[bad] = -1
        cases.append(outcome(kwargs, lambda kw=kwargs: list(run_conv_transpose2d(kw))))
    return cases


def run_conv_transpose2d(kw: dict[str, Any]) -> torch.Size:
    shape = kw["input_shape"]
    layer = nn.ConvTranspose2d(
        shape[1],
        kw["out_channels"],
        as_torch_arg(kw["kernel_size"]),
        stride=as_torch_arg(kw["stride"]),
        padding=as_torch_arg(kw["padding"]),
        output_padding=as_torch_arg(kw["output_padding"]),
        groups=kw["groups"],
        bias=False,
        dilation=as_torch_arg(kw["dilation"]),
    )
    with torch.no_grad():
        return layer(torch.zeros(shape)).shape


def pool2d_cases(rng: np.random.Generator, count: int) -> tuple[list[Case], int]:
    cases = []
    corner = 0
    for i in range(count):
        kernel = int_or_pair(rng, 1, 5, 0.2)
        k_small = min(kernel) if isinstance(kernel, list) else kernel
        stride = pick(rng, [None, 1, 2, 2, 3, [2, 1]])
        padding = int(rng.integers(0, k_small // 2 + (2 if rng.random() < 0.1 else 1)))
        ceil_mode = bool(rng.random() < 0.5)
        avg = bool(rng.random() < 0.3)
        kwargs: dict[str, Any] = {
            "input_shape": [
                1,
                pick(rng, [1, 3]),
                int(rng.integers(1, 20)),
                int(rng.integers(1, 20)),
            ],
            "kernel_size": kernel,
            "stride": stride,
            "padding": padding,
            "ceil_mode": ceil_mode,
        }
        if not avg:
            kwargs["dilation"] = pick(rng, [1, 1, 1, 2, 3])
        if i % 30 == 0:
            kwargs[pick(rng, ["kernel_size", "stride", "padding"])] = pick(rng, [0, -1])
        case = outcome(kwargs, lambda kw=kwargs, a=avg: list(run_pool2d(kw, a)))
        case["module"] = "AvgPool2d" if avg else "MaxPool2d"
        if ceil_mode and "expected" in case and drops_last_window(kwargs):
            corner += 1
        cases.append(case)
    # Hand-picked ceil_mode corners: the last window would start in the right padding and is dropped.
    for h, k, s, p in [
        (5, 2, 2, 1),
        (6, 3, 3, 1),
        (4, 2, 3, 1),
        (7, 3, 2, 1),
        (3, 2, 2, 1),
        (10, 4, 3, 2),
    ]:
        kwargs = {
            "input_shape": [1, 1, h, h],
            "kernel_size": k,
            "stride": s,
            "padding": p,
            "ceil_mode": True,
        }
        case = outcome(kwargs, lambda kw=kwargs: list(run_pool2d(kw, False)))
        case["module"] = "MaxPool2d"
        corner += drops_last_window(kwargs)
        cases.append(case)
    return cases, corner


def drops_last_window(kw: dict[str, Any]) -> bool:
    """Whether PyTorch's ceil_mode correction changed the height (for reporting coverage only)."""
    h = kw["input_shape"][2]
    k = kw["kernel_size"][0] if isinstance(kw["kernel_size"], list) else kw["kernel_size"]
    s = kw["stride"] if kw["stride"] is not None else k
    s = s[0] if isinstance(s, list) else s
    p, d = kw["padding"], kw.get("dilation", 1)
    if min(k, s) <= 0 or p < 0:
        return False
    plain = math.ceil((h + 2 * p - d * (k - 1) - 1) / s) + 1
    return bool((plain - 1) * s >= h + p)


def run_pool2d(kw: dict[str, Any], avg: bool) -> torch.Size:
    args = {
        "kernel_size": as_torch_arg(kw["kernel_size"]),
        "stride": as_torch_arg(kw["stride"]),
        "padding": as_torch_arg(kw["padding"]),
        "ceil_mode": kw["ceil_mode"],
    }
    if avg:
        layer: nn.Module = nn.AvgPool2d(**args)
    else:
        layer = nn.MaxPool2d(**args, dilation=as_torch_arg(kw.get("dilation", 1)))
    return layer(torch.zeros(kw["input_shape"])).shape


def param_count(*modules: nn.Module) -> int:
    return sum(p.numel() for m in modules for p in m.parameters())


def conv2d_params_cases(rng: np.random.Generator, count: int) -> list[Case]:
    cases = []
    for _ in range(count):
        c_in, c_out = pick(rng, [*CHANNELS, 32, 64]), pick(rng, [*CHANNELS, 32, 64])
        kwargs = {
            "in_channels": c_in,
            "out_channels": c_out,
            "kernel_size": int_or_pair(rng, 1, 7),
            "groups": channel_groups(rng, c_in, c_out),
            "bias": bool(rng.random() < 0.5),
        }
        cases.append(
            outcome(
                kwargs,
                lambda kw=kwargs: param_count(
                    nn.Conv2d(
                        kw["in_channels"],
                        kw["out_channels"],
                        as_torch_arg(kw["kernel_size"]),
                        groups=kw["groups"],
                        bias=kw["bias"],
                    )
                ),
            )
        )
    return cases


def separable_cases(rng: np.random.Generator, count: int) -> list[Case]:
    cases = []
    for _ in range(count):
        kwargs = {
            "in_channels": int(rng.integers(1, 257)),
            "out_channels": int(rng.integers(1, 257)),
            "kernel_size": int_or_pair(rng, 1, 7),
            "bias": bool(rng.random() < 0.5),
        }

        def count_params(kw: dict[str, Any] = kwargs) -> int:
            depthwise = nn.Conv2d(
                kw["in_channels"],
                kw["in_channels"],
                as_torch_arg(kw["kernel_size"]),
                groups=kw["in_channels"],
                bias=kw["bias"],
            )
            pointwise = nn.Conv2d(kw["in_channels"], kw["out_channels"], 1, bias=kw["bias"])
            return param_count(depthwise, pointwise)

        cases.append(outcome(kwargs, count_params))
    return cases


def fc_cases(rng: np.random.Generator, count: int) -> list[Case]:
    cases = []
    for _ in range(count):
        kwargs = {
            "in_features": int(rng.integers(1, 4097)),
            "out_features": int(rng.integers(1, 1001)),
            "bias": bool(rng.random() < 0.5),
        }
        cases.append(
            outcome(
                kwargs,
                lambda kw=kwargs: param_count(
                    nn.Linear(kw["in_features"], kw["out_features"], kw["bias"])
                ),
            )
        )
    return cases


def macs_cases(rng: np.random.Generator, count: int) -> list[Case]:
    cases = []
    for case in conv2d_cases(rng, count):
        kwargs = case["kwargs"]
        if "raises" in case:
            cases.append(case)
            continue

        def macs(kw: dict[str, Any] = kwargs) -> int:
            counter = FlopCounterMode(display=False)
            with counter:
                run_conv2d(kw)
            flops = counter.get_total_flops()
            assert flops % 2 == 0
            return flops // 2  # FlopCounterMode counts a multiply-accumulate as 2 FLOPs

        cases.append(outcome(kwargs, macs))
    return cases


def conv_output_size_cases(rng: np.random.Generator, count: int) -> list[Case]:
    cases = []
    for i in range(count):
        kwargs = {
            "size": int(rng.integers(1, 65)),
            "kernel": int(rng.integers(1, 8)),
            "stride": int(rng.integers(1, 5)),
            "padding": int(rng.integers(0, 4)),
            "dilation": pick(rng, [1, 1, 2, 3]),
        }
        if i % 20 == 0:
            kwargs[pick(rng, ["kernel", "stride", "padding", "dilation"])] = -1
        cases.append(
            outcome(
                kwargs,
                lambda kw=kwargs: nn.Conv1d(
                    1, 1, kw["kernel"], kw["stride"], kw["padding"], kw["dilation"], bias=False
                )(torch.zeros(1, 1, kw["size"])).shape[-1],
            )
        )
    return cases


def shapes_file(rng: np.random.Generator) -> dict[str, list[Case]]:
    pool, corner = pool2d_cases(rng, 300)
    print(
        f"  pool2d: {corner} cases where ceil_mode drops a window that would start in the padding"
    )
    return {
        "conv2d_output_shape": conv2d_cases(rng, 300),
        "conv_transpose2d_output_shape": conv_transpose2d_cases(rng, 250),
        "pool2d_output_shape": pool,
        "conv2d_params": conv2d_params_cases(rng, 200),
        "separable_conv2d_params": separable_cases(rng, 100),
        "fc_params": fc_cases(rng, 100),
        "conv2d_macs": macs_cases(rng, 150),
        "conv_output_size": conv_output_size_cases(rng, 200),
    }


# --- signal -------------------------------------------------------------------------------------------------


def small_matrix(rng: np.random.Generator, max_side: int) -> np.ndarray:
    shape = (int(rng.integers(1, max_side + 1)), int(rng.integers(1, max_side + 1)))
    if rng.random() < 0.7:
        return rng.integers(-4, 5, shape).astype(float)
    return np.round(rng.normal(size=shape), 2)


def signal_cases(rng: np.random.Generator, count: int, fn: Callable[..., np.ndarray]) -> list[Case]:
    cases = []
    for _ in range(count):
        image = small_matrix(rng, 6)
        kernel = small_matrix(rng, 4 if rng.random() < 0.8 else 7)
        mode = pick(rng, ["full", "same", "valid"])
        kwargs = {"image": image.tolist(), "kernel": kernel.tolist(), "mode": mode}
        cases.append(outcome(kwargs, lambda a=image, k=kernel, m=mode: fn(a, k, mode=m).tolist()))
    return cases


def conv_layer_cases(rng: np.random.Generator, count: int) -> list[Case]:
    """What a one-channel torch.nn.functional.conv2d gives, to check it is correlation, not convolution."""
    cases = []
    for _ in range(count):
        image = small_matrix(rng, 6)
        kernel = rng.integers(-3, 4, (int(rng.integers(1, 4)), int(rng.integers(1, 4)))).astype(
            float
        )
        padding = int(rng.integers(0, 3))
        kwargs = {"image": image.tolist(), "kernel": kernel.tolist(), "padding": padding}
        cases.append(
            outcome(
                kwargs,
                lambda a=image, k=kernel, p=padding: F.conv2d(
                    torch.tensor(a)[None, None], torch.tensor(k)[None, None], padding=p
                )[0, 0].tolist(),
            )
        )
    return cases


def mode_size_cases() -> list[Case]:
    cases = []
    for n in range(1, 10):
        for k in range(1, 10):
            for mode in ("full", "same", "valid"):
                kwargs = {"n": n, "k": k, "mode": mode}
                cases.append(
                    outcome(
                        kwargs,
                        lambda n=n, k=k, m=mode: scipy.signal.convolve2d(
                            np.ones((n, 1)), np.ones((k, 1)), mode=m
                        ).shape[0],
                    )
                )
    return cases


def signal_file(rng: np.random.Generator) -> dict[str, list[Case]]:
    return {
        "convolve2d": signal_cases(rng, 150, scipy.signal.convolve2d),
        "correlate2d": signal_cases(rng, 150, scipy.signal.correlate2d),
        "torch_conv2d_single_channel": conv_layer_cases(rng, 60),
        "conv_mode_output_size": mode_size_cases(),
    }


# --- losses -------------------------------------------------------------------------------------------------


def logits_array(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    scale = pick(rng, [1.0, 3.0, 10.0, 100.0])
    values = np.round(rng.normal(size=shape) * scale, 3)
    if rng.random() < 0.2:  # saturated logits: a naive exp overflows
        mask = rng.random(shape) < 0.4
        values[mask] = rng.choice([1000.0, -1000.0, 999.5], size=int(mask.sum()))
    return values


def grad_and_value(fn: Callable[[torch.Tensor], torch.Tensor], x: np.ndarray) -> tuple[Any, Any]:
    tensor = torch.tensor(x, requires_grad=True)
    value = fn(tensor)
    if value.dim() == 0:
        (grad,) = torch.autograd.grad(value, tensor)
        return value.item(), grad.tolist()
    return value.tolist(), None


def cross_entropy_cases(rng: np.random.Generator, count: int) -> list[Case]:
    cases = []
    for i in range(count):
        layout = pick(rng, ["unbatched", "batch", "spatial"], [0.1, 0.7, 0.2])
        classes = int(rng.integers(1 if rng.random() < 0.05 else 2, 6))
        if layout == "unbatched":
            shape: tuple[int, ...] = (classes,)
        elif layout == "batch":
            shape = (int(rng.integers(1, 6)), classes)
        else:
            shape = (
                int(rng.integers(1, 3)),
                classes,
                *[int(rng.integers(1, 3)) for _ in range(pick(rng, [1, 2]))],
            )
        logits = logits_array(rng, shape)
        index_shape = shape[:1] + shape[2:] if len(shape) > 1 else ()
        kwargs: dict[str, Any] = {"logits": logits.tolist()}
        probability_targets = rng.random() < 0.2
        if probability_targets:
            raw = rng.random(shape) ** 2
            class_axis = 0 if len(shape) == 1 else 1
            targets: Any = np.round(raw / raw.sum(axis=class_axis, keepdims=True), 4)
            kwargs["targets"] = targets.tolist()
            torch_targets = torch.tensor(targets)
        else:
            targets = rng.integers(0, classes, index_shape)
            ignore_index = pick(rng, [-100, -100, int(rng.integers(0, classes)), -1])
            if ignore_index != -100 or rng.random() < 0.5:
                kwargs["ignore_index"] = ignore_index
            if targets.ndim and rng.random() < 0.3:
                mask = rng.random(index_shape) < 0.4
                targets = np.where(mask, ignore_index, targets)
            if targets.ndim and rng.random() < 0.03:
                targets = np.full(index_shape, ignore_index)  # everything ignored: the mean is NaN
            if i % 40 == 0:
                targets = np.full(index_shape, classes + 1)  # out of range: PyTorch raises
            kwargs["targets"] = targets.tolist()
            torch_targets = torch.tensor(targets, dtype=torch.int64)
        if rng.random() < 0.5:
            weight = np.round(rng.uniform(0.1, 2.0, classes + (1 if i % 50 == 7 else 0)), 3)
            if rng.random() < 0.05:
                weight[:] = 0.0
            kwargs["weight"] = weight.tolist()
        if rng.random() < 0.5:
            kwargs["label_smoothing"] = pick(
                rng, [0.05, 0.1, 0.2, 0.5, 1.0, 0.333, 1.5 if i % 30 == 0 else 0.1]
            )
        if probability_targets and rng.random() < 0.1:
            kwargs["ignore_index"] = 0  # PyTorch refuses ignore_index with probability targets
        kwargs["reduction"] = pick(rng, ["mean", "sum", "none"], [0.6, 0.2, 0.2])
        torch_kwargs = {
            "weight": None if "weight" not in kwargs else torch.tensor(kwargs["weight"]),
            "ignore_index": kwargs.get("ignore_index", -100),
            "label_smoothing": kwargs.get("label_smoothing", 0.0),
            "reduction": kwargs["reduction"],
        }

        def compute(
            x: np.ndarray = logits,
            t: torch.Tensor = torch_targets,
            kw: dict[str, Any] = torch_kwargs,
        ) -> Any:
            return grad_and_value(lambda z: F.cross_entropy(z, t, **kw), x)

        case = outcome(kwargs, compute)
        if "expected" in case:
            case["expected"], grad = case["expected"]
            if kwargs["reduction"] != "none":  # the gradient of a reduced loss: mean or sum
                case["grad"] = grad
        cases.append(case)
    # Hand-picked: huge logits, and the plain case whose grad is (softmax - onehot) / B.
    for logits, targets in [
        ([[1000.0, -1000.0, 0.0], [-1000.0, 1000.0, 999.0]], [1, 2]),
        ([[1.0, 2.0, 3.0], [1.0, 1.0, 1.0]], [0, 2]),
        ([[-1000.0, -1000.0], [1000.0, 1000.0]], [0, 1]),
    ]:
        kwargs = {"logits": logits, "targets": targets, "reduction": "mean"}
        x, t = np.array(logits), torch.tensor(targets)
        case = outcome(kwargs, lambda x=x, t=t: grad_and_value(lambda z: F.cross_entropy(z, t), x))
        case["expected"], case["grad"] = case["expected"]
        cases.append(case)
    return cases


def bce_cases(rng: np.random.Generator, count: int) -> list[Case]:
    cases = []
    for i in range(count):
        shape = pick(
            rng, [(int(rng.integers(1, 7)),), (int(rng.integers(1, 5)), int(rng.integers(1, 5)))]
        )
        logits = logits_array(rng, shape)
        soft = rng.random() < 0.3
        targets = (
            np.round(rng.random(shape), 3) if soft else rng.integers(0, 2, shape).astype(float)
        )
        kwargs: dict[str, Any] = {"logits": logits.tolist(), "targets": targets.tolist()}
        torch_kwargs: dict[str, Any] = {}
        if rng.random() < 0.4:
            pos_weight = np.round(rng.uniform(0.2, 5.0, shape[-1]), 3)
            kwargs["pos_weight"] = pos_weight.tolist()
            torch_kwargs["pos_weight"] = torch.tensor(pos_weight)
        if rng.random() < 0.2:
            weight = np.round(rng.uniform(0.2, 2.0, shape[-1]), 3)
            kwargs["weight"] = weight.tolist()
            torch_kwargs["weight"] = torch.tensor(weight)
        kwargs["reduction"] = pick(rng, ["mean", "sum", "none"], [0.5, 0.25, 0.25])
        torch_kwargs["reduction"] = kwargs["reduction"]
        torch_targets = torch.tensor(targets)
        if i % 40 == 0:
            kwargs["targets"] = (
                targets.reshape(-1)[:-1].tolist() if targets.size > 1 else [0.0, 1.0]
            )
            torch_targets = torch.tensor(kwargs["targets"])
        cases.append(
            outcome(
                kwargs,
                lambda x=logits, t=torch_targets, kw=torch_kwargs: (
                    F.binary_cross_entropy_with_logits(torch.tensor(x), t, **kw).tolist()
                ),
            )
        )
    return cases


def torchvision_sigmoid_focal_loss(
    inputs: torch.Tensor,
    targets: torch.Tensor,
    alpha: float = 0.25,
    gamma: float = 2,
    reduction: str = "none",
) -> torch.Tensor:
    """torchvision.ops.sigmoid_focal_loss, copied verbatim from torchvision 0.29.1 (minus its usage logging).

    Copied because torchvision's wheels pin a newer torch than the one this generator runs with; the body is
    torchvision's (itself fvcore's), statement for statement.
    """
    if not (0 <= alpha <= 1) and alpha != -1:
        raise ValueError(
            f"Invalid alpha value: {alpha}. alpha must be in the range [0,1] or -1 for ignore."
        )
    p = torch.sigmoid(inputs)
    ce_loss = F.binary_cross_entropy_with_logits(inputs, targets, reduction="none")
    p_t = p * targets + (1 - p) * (1 - targets)
    loss = ce_loss * ((1 - p_t) ** gamma)
    if alpha >= 0:
        alpha_t = alpha * targets + (1 - alpha) * (1 - targets)
        loss = alpha_t * loss
    if reduction == "none":
        pass
    elif reduction == "mean":
        loss = loss.mean()
    elif reduction == "sum":
        loss = loss.sum()
    else:
        raise ValueError(f"Invalid Value for arg 'reduction': '{reduction}")
    return loss


def focal_cases(rng: np.random.Generator, count: int) -> list[Case]:
    cases = []
    for i in range(count):
        shape = pick(
            rng, [(int(rng.integers(1, 7)),), (int(rng.integers(1, 5)), int(rng.integers(1, 5)))]
        )
        logits = logits_array(rng, shape)
        targets = rng.integers(0, 2, shape).astype(float)
        if rng.random() < 0.2:
            targets = np.round(rng.random(shape), 3)
        alpha = pick(rng, [0.25, 0.25, 0.5, -1.0, 0.75, 0.0, 1.0, 1.5 if i % 40 == 0 else 0.25])
        gamma = pick(rng, [2.0, 2.0, 0.0, 1.0, 0.5, 3.0])
        reduction = pick(rng, ["mean", "sum", "none"], [0.5, 0.25, 0.25])
        kwargs = {
            "logits": logits.tolist(),
            "targets": targets.tolist(),
            "alpha": alpha,
            "gamma": gamma,
            "reduction": reduction,
        }
        cases.append(
            outcome(
                kwargs,
                lambda x=logits, t=targets, a=alpha, g=gamma, r=reduction: (
                    torchvision_sigmoid_focal_loss(
                        torch.tensor(x), torch.tensor(t), a, g, r
                    ).tolist()
                ),
            )
        )
    return cases


def hinge_cases(rng: np.random.Generator, count: int) -> list[Case]:
    """CS231n's SVM loss is PyTorch's MultiMarginLoss (p=1) times the number of classes."""
    cases = []
    for i in range(count):
        n, c = int(rng.integers(1, 6)), int(rng.integers(2, 6))
        scores = np.round(rng.normal(size=(n, c)) * pick(rng, [1.0, 2.0, 5.0]), 3)
        if rng.random() < 0.1:  # ties that make some margins exactly 0
            scores = rng.integers(-2, 3, (n, c)).astype(float)
        targets = rng.integers(0, c, n)
        if i % 40 == 0:
            targets[0] = c
        margin = pick(rng, [1.0, 1.0, 0.5, 2.0, 0.0])
        kwargs = {"scores": scores.tolist(), "targets": targets.tolist(), "margin": margin}

        def compute(s: np.ndarray = scores, t: np.ndarray = targets, m: float = margin) -> Any:
            loss_fn = nn.MultiMarginLoss(p=1, margin=m)
            return grad_and_value(lambda z: loss_fn(z, torch.tensor(t)) * z.shape[1], s)

        case = outcome(kwargs, compute)
        if "expected" in case:
            case["expected"], case["grad"] = case["expected"]
        cases.append(case)
    return cases


def regression_cases(rng: np.random.Generator, count: int, name: str) -> list[Case]:
    cases = []
    for _ in range(count):
        shape = pick(
            rng, [(int(rng.integers(1, 7)),), (int(rng.integers(1, 4)), int(rng.integers(1, 4)))]
        )
        pred = np.round(rng.normal(size=shape) * 2, 3)
        target = np.round(rng.normal(size=shape) * 2, 3)
        reduction = pick(rng, ["mean", "sum", "none"], [0.5, 0.25, 0.25])
        kwargs: dict[str, Any] = {
            "pred": pred.tolist(),
            "target": target.tolist(),
            "reduction": reduction,
        }
        torch_kwargs: dict[str, Any] = {"reduction": reduction}
        if name == "smooth_l1_loss":
            kwargs["beta"] = torch_kwargs["beta"] = pick(rng, [1.0, 1.0, 0.5, 0.1, 2.0, 0.0, -1.0])
        fn = getattr(F, name)
        cases.append(
            outcome(
                kwargs,
                lambda p=pred, t=target, f=fn, kw=torch_kwargs: f(
                    torch.tensor(p), torch.tensor(t), **kw
                ).tolist(),
            )
        )
    return cases


def kl_cases(rng: np.random.Generator, count: int) -> list[Case]:
    cases = []
    for _ in range(count):
        shape = (int(rng.integers(1, 5)), int(rng.integers(2, 6)))
        log_input = np.round(
            torch.log_softmax(torch.tensor(rng.normal(size=shape) * 2), dim=1).numpy(), 4
        )
        target = rng.random(shape) ** 2
        target[rng.random(shape) < 0.2] = 0.0
        target = np.round(target / np.maximum(target.sum(axis=1, keepdims=True), 1e-9), 4)
        log_target = bool(rng.random() < 0.25)
        if log_target:
            target = np.round(np.log(np.maximum(target, 1e-3)), 4)
        reduction = pick(rng, ["batchmean", "batchmean", "mean", "sum", "none"])
        kwargs = {
            "log_input": log_input.tolist(),
            "target": target.tolist(),
            "reduction": reduction,
            "log_target": log_target,
        }
        cases.append(
            outcome(
                kwargs,
                lambda x=log_input, t=target, r=reduction, lt=log_target: F.kl_div(
                    torch.tensor(x), torch.tensor(t), reduction=r, log_target=lt
                ).tolist(),
            )
        )
    return cases


def softmax_cases(
    rng: np.random.Generator, count: int, fn: Callable[..., torch.Tensor]
) -> list[Case]:
    cases = []
    for _ in range(count):
        shape = pick(
            rng, [(int(rng.integers(1, 7)),), (int(rng.integers(1, 4)), int(rng.integers(1, 5)))]
        )
        logits = logits_array(rng, shape)
        axis = pick(rng, [-1, 0]) if len(shape) == 2 else -1
        kwargs = {"logits": logits.tolist(), "axis": axis}
        cases.append(outcome(kwargs, lambda x=logits, a=axis: fn(torch.tensor(x), dim=a).tolist()))
    return cases


def losses_file(rng: np.random.Generator) -> dict[str, list[Case]]:
    return {
        "cross_entropy": cross_entropy_cases(rng, 400),
        "bce_with_logits": bce_cases(rng, 200),
        "sigmoid_focal_loss": focal_cases(rng, 200),
        "multiclass_hinge_loss": hinge_cases(rng, 150),
        "l1_loss": regression_cases(rng, 100, "l1_loss"),
        "mse_loss": regression_cases(rng, 100, "mse_loss"),
        "smooth_l1_loss": regression_cases(rng, 150, "smooth_l1_loss"),
        "kl_div": kl_cases(rng, 120),
        "softmax": softmax_cases(rng, 100, torch.softmax),
        "log_softmax": softmax_cases(rng, 100, torch.log_softmax),
    }


# --- init ---------------------------------------------------------------------------------------------------


def sampled_scale(init: Callable[..., Any], shape: list[int], **kwargs: Any) -> tuple[str, float]:
    """The (distribution, std or bound) torch.nn.init passes to the sampler, read off the call itself."""
    calls: list[tuple[str, float]] = []

    def uniform_(self: torch.Tensor, a: float = 0.0, b: float = 1.0, **_: Any) -> torch.Tensor:
        assert a == -b
        calls.append(("uniform", b))
        return self

    def normal_(self: torch.Tensor, mean: float = 0.0, std: float = 1.0, **_: Any) -> torch.Tensor:
        assert mean == 0
        calls.append(("normal", std))
        return self

    with (
        mock.patch.object(torch.Tensor, "uniform_", uniform_),
        mock.patch.object(torch.Tensor, "normal_", normal_),
    ):
        init(torch.empty(shape), **kwargs)
    assert len(calls) == 1, calls
    return calls[0]


INITS = {
    "xavier_uniform_bound": (nn.init.xavier_uniform_, "uniform"),
    "xavier_normal_std": (nn.init.xavier_normal_, "normal"),
    "kaiming_uniform_bound": (nn.init.kaiming_uniform_, "uniform"),
    "kaiming_normal_std": (nn.init.kaiming_normal_, "normal"),
}


def weight_shape(rng: np.random.Generator) -> list[int]:
    dims = pick(rng, [1, 2, 2, 3, 4, 4, 5], None)
    return [int(rng.integers(1, 65)) if i < 2 else int(rng.integers(1, 8)) for i in range(dims)]


def init_cases(rng: np.random.Generator, count: int, name: str) -> list[Case]:
    init, kind = INITS[name]
    cases = []
    for _ in range(count):
        kwargs: dict[str, Any] = {"weight_shape": weight_shape(rng)}
        if name.startswith("xavier"):
            if rng.random() < 0.6:
                kwargs["gain"] = pick(rng, [1.0, 5.0 / 3, math.sqrt(2.0), 0.5, 3.0])
        else:
            if rng.random() < 0.7:
                kwargs["a"] = pick(rng, [0.0, math.sqrt(5.0), 0.01, 0.2, 1.0])
            if rng.random() < 0.5:
                kwargs["mode"] = pick(rng, ["fan_in", "fan_out", "fan_avg"], [0.45, 0.45, 0.1])
            if rng.random() < 0.7:
                kwargs["nonlinearity"] = pick(
                    rng, ["relu", "leaky_relu", "tanh", "linear", "selu", "gelu"]
                )
        torch_kwargs = {k: v for k, v in kwargs.items() if k != "weight_shape"}

        def compute(kw: dict[str, Any] = kwargs, tkw: dict[str, Any] = torch_kwargs) -> float:
            distribution, scale = sampled_scale(init, kw["weight_shape"], **tkw)
            assert distribution == kind
            return scale

        case = outcome(kwargs, compute)
        if "expected" in case:
            fan_in, fan_out = nn.init._calculate_fan_in_and_fan_out(
                torch.empty(kwargs["weight_shape"])
            )
            case["fans"] = [fan_in, fan_out]
        cases.append(case)
    return cases


def check_init_empirically(rng: np.random.Generator) -> None:
    """Sample real weights for a few shapes: the recorded scales must describe what torch actually draws."""
    generator = torch.Generator().manual_seed(SEED)
    for shape in ([256, 128, 3, 3], [512, 1024], [64, 32, 5, 5]):
        for name, (init, kind) in INITS.items():
            _, scale = sampled_scale(init, shape)
            weights = init(torch.empty(shape), generator=generator)
            if kind == "uniform":
                assert weights.abs().max() <= scale and weights.abs().max() > 0.999 * scale, name
            else:
                assert abs(weights.std().item() / scale - 1) < 0.01, name


def gain_cases() -> list[Case]:
    cases = []
    names = [
        "linear",
        "conv1d",
        "conv2d",
        "conv3d",
        "conv_transpose1d",
        "conv_transpose2d",
        "conv_transpose3d",
        "sigmoid",
        "tanh",
        "relu",
        "leaky_relu",
        "selu",
        "gelu",
        "softmax",
        "ReLU",
    ]
    for name in names:
        for param in (None, 0.2, 0.01, 1.0, -0.5, True):
            kwargs = {"nonlinearity": name, "param": param}
            cases.append(
                outcome(kwargs, lambda n=name, p=param: float(nn.init.calculate_gain(n, p)))
            )
    return cases


def fan_cases(rng: np.random.Generator, count: int) -> list[Case]:
    cases = []
    for _ in range(count):
        kwargs = {"weight_shape": weight_shape(rng)}
        cases.append(
            outcome(
                kwargs,
                lambda kw=kwargs: list(
                    nn.init._calculate_fan_in_and_fan_out(torch.empty(kw["weight_shape"]))
                ),
            )
        )
    return cases


def init_file(rng: np.random.Generator) -> dict[str, list[Case]]:
    check_init_empirically(rng)
    return {
        "calculate_gain": gain_cases(),
        "fan_in_and_fan_out": fan_cases(rng, 100),
        **{name: init_cases(rng, 150, name) for name in INITS},
    }


# --- batch norm ---------------------------------------------------------------------------------------------


def batchnorm_cases(rng: np.random.Generator, count: int) -> list[Case]:
    cases = []
    for i in range(count):
        channels = int(rng.integers(1, 4))
        shape = pick(
            rng,
            [
                (int(rng.integers(2, 9)), channels),
                (int(rng.integers(1, 4)), channels, int(rng.integers(1, 4))),
                (
                    int(rng.integers(1, 3)),
                    channels,
                    int(rng.integers(1, 3)),
                    int(rng.integers(1, 4)),
                ),
            ],
        )
        if i % 30 == 0:
            shape = (1, channels)  # one value per channel: PyTorch raises
        x = np.round(rng.normal(size=shape) * pick(rng, [1.0, 5.0]) + pick(rng, [0.0, 3.0]), 3)
        vectors = {
            "gamma": np.round(rng.uniform(0.5, 2.0, channels), 3),
            "beta": np.round(rng.normal(size=channels), 3),
            "running_mean": np.round(rng.normal(size=channels), 3),
            "running_var": np.round(rng.uniform(0.5, 2.0, channels), 3),
        }
        momentum = pick(rng, [0.1, 0.1, 0.01, 0.5, 1.0, 0.0])
        eps = pick(rng, [1e-5, 1e-5, 1e-3])
        kwargs = {
            "x": x.tolist(),
            **{k: v.tolist() for k, v in vectors.items()},
            "momentum": momentum,
            "eps": eps,
        }

        def compute(
            x: np.ndarray = x,
            v: dict[str, np.ndarray] = vectors,
            m: float = momentum,
            e: float = eps,
        ) -> Any:
            running_mean = torch.tensor(v["running_mean"])
            running_var = torch.tensor(v["running_var"])
            y = F.batch_norm(
                torch.tensor(x),
                running_mean,
                running_var,
                torch.tensor(v["gamma"]),
                torch.tensor(v["beta"]),
                training=True,
                momentum=m,
                eps=e,
            )
            return {
                "y": y.tolist(),
                "running_mean": running_mean.tolist(),
                "running_var": running_var.tolist(),
            }

        cases.append(outcome(kwargs, compute))
    return cases


# --- misc ---------------------------------------------------------------------------------------------------


def receptive_field_by_autograd(layers: list[list[int]]) -> list[int]:
    """Receptive field and effective stride read off PyTorch autograd on a chain of all-ones Conv1d layers."""
    length = 32
    while True:
        x = torch.zeros(1, 1, length, requires_grad=True)
        try:
            y = x
            for kernel, stride, dilation in layers:
                y = F.conv1d(y, torch.ones(1, 1, kernel), stride=stride, dilation=dilation)
        except RuntimeError:
            length *= 2
            continue
        if y.shape[-1] < 2:
            length *= 2
            continue
        first = torch.autograd.grad(y[0, 0, 0], x, retain_graph=True)[0][0, 0].nonzero().flatten()
        second = torch.autograd.grad(y[0, 0, 1], x)[0][0, 0].nonzero().flatten()
        return [int(first.max() - first.min() + 1), int(second.min() - first.min())]


def receptive_field_cases(rng: np.random.Generator, count: int) -> list[Case]:
    cases = []
    for _ in range(count):
        layers = [
            [int(rng.integers(1, 6)), pick(rng, [1, 1, 2, 2, 3]), pick(rng, [1, 1, 1, 2, 3])]
            for _ in range(int(rng.integers(1, 6)))
        ]
        kwargs = {"layers": layers}
        cases.append(outcome(kwargs, lambda ls=layers: receptive_field_by_autograd(ls)))
    return cases


def misc_file(rng: np.random.Generator) -> dict[str, list[Case]]:
    return {"receptive_field": receptive_field_cases(rng, 120)}


# --- writing ------------------------------------------------------------------------------------------------


def dump(path: Path, about: str, functions: dict[str, list[Case]]) -> None:
    """One case per line, so that a regenerated file diffs readably."""
    versions = {"torch": torch.__version__, "scipy": scipy.__version__, "numpy": np.__version__}

    def lines() -> Iterator[str]:
        yield "{"
        yield f'"about": {json.dumps(about, ensure_ascii=False)},'
        yield '"generator": "tests/golden/make_golden.py",'
        yield f'"seed": {SEED},'
        yield f'"versions": {json.dumps(versions)},'
        yield '"functions": {'
        for n, (name, cases) in enumerate(functions.items()):
            yield f"{json.dumps(name)}: ["
            for m, case in enumerate(cases):
                comma = "," if m < len(cases) - 1 else ""
                yield json.dumps(case, separators=(",", ":"), allow_nan=True) + comma
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
    rng = np.random.default_rng(SEED)
    files = [
        (
            "shapes.json",
            "torch.nn Conv2d / ConvTranspose2d / MaxPool2d / AvgPool2d / Linear shapes and sizes",
            shapes_file,
        ),
        (
            "signal.json",
            "scipy.signal.convolve2d / correlate2d, and a one-channel torch conv2d",
            signal_file,
        ),
        (
            "losses.json",
            "torch.nn.functional losses (with autograd gradients) and torchvision's focal loss",
            losses_file,
        ),
        (
            "init.json",
            "torch.nn.init gains, fans and the std / bound each initialiser samples with",
            init_file,
        ),
        (
            "batchnorm.json",
            "torch.nn.functional.batch_norm in training mode",
            lambda r: {"batch_norm_train": batchnorm_cases(r, 100)},
        ),
        (
            "misc.json",
            "receptive field read off torch autograd through chains of Conv1d",
            misc_file,
        ),
    ]
    for name, about, build in files:
        print(f"building {name}")
        dump(HERE / name, about, build(rng))
    return 0


if __name__ == "__main__":
    sys.exit(main())
