"""Write the golden values of the code cards' engine functions and judges, from PyTorch, torchvision and SciPy.

Run by hand where they are installed (never by the test suite):

    pip install torch torchvision scipy
    python tests/golden/make_golden_code.py

It writes two files next to itself:

- ``conv.json``: random and hand-picked arguments of ``torch.nn.functional.conv2d`` (stride, padding, dilation,
  groups, bias), ``unfold``, ``max_pool2d`` (with ceil_mode and dilation), a depthwise conv followed by a 1×1
  conv, and the gradients autograd gives for a two-layer ReLU MLP with a softmax cross-entropy; where the library
  raises, the case records its message and the engine must raise too.
- ``code_edges.json``: every fixed edge case of the code cards' input generators, read from
  ``cvquiz/codecards/edge_cases.json`` (as data: this script imports nothing from cvquiz), with what the library
  each judge stands for returns on it: ``scipy.signal.convolve2d``, ``F.conv2d``, ``F.unfold``, ``F.max_pool2d``,
  ``F.cross_entropy`` and its autograd gradient, ``nn.MultiMarginLoss`` × C and its gradient,
  ``torchvision.ops.box_iou`` / ``nms`` / ``sigmoid_focal_loss``, ``F.batch_norm(training=True)``, the VOC
  devkit's ``voc_ap`` (the transcription in make_golden_detection.py) and ``torch.flip``. The file records the
  SHA-256 of the edge-case file it was made from, so a test notices when the two drift apart.
"""

from __future__ import annotations

import hashlib
import json
import sys
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import scipy
import scipy.signal
import torch
import torch.nn.functional as F
import torchvision
from torchvision import ops

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from make_golden_detection import devkit_voc_ap  # noqa: E402  (the VOC devkit transcription)

EDGE_FILE = HERE.parent.parent / "cvquiz" / "codecards" / "edge_cases.json"
SEED = 20260314
Case = dict[str, Any]

warnings.filterwarnings("ignore")
torch.set_default_dtype(torch.float64)


def outcome(kwargs: dict[str, Any], compute: Callable[[], Any]) -> Case:
    """Run the reference; record its result (a tensor's shape too), or its error message if it raises."""
    try:
        expected = compute()
    except (RuntimeError, ValueError, IndexError) as exc:
        return {
            "kwargs": kwargs,
            "raises": f"{type(exc).__name__}: {str(exc).splitlines()[0][:160]}",
        }
    if isinstance(expected, torch.Tensor):
        return {"kwargs": kwargs, "expected": expected.tolist(), "shape": list(expected.shape)}
    return {"kwargs": kwargs, "expected": expected}


def values(rng: np.random.Generator, *shape: int) -> np.ndarray:
    return np.round(rng.normal(size=shape), 3)


def t(array: Any) -> torch.Tensor:
    return torch.tensor(np.asarray(array, dtype=np.float64))


def int_or_pair(rng: np.random.Generator, low: int, high: int) -> Any:
    if rng.random() < 0.25:
        return [int(rng.integers(low, high + 1)), int(rng.integers(low, high + 1))]
    return int(rng.integers(low, high + 1))


def arg(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


# --- conv.json ---------------------------------------------------------------------------------------------------


def conv2d_cases(rng: np.random.Generator, count: int) -> list[Case]:
    cases = []
    for _ in range(count):
        groups = int(rng.choice([1, 1, 1, 2, 3]))
        c = groups * int(rng.integers(1, 3))
        f = groups * int(rng.integers(1, 3))
        n = int(rng.integers(0, 3)) if rng.random() < 0.1 else int(rng.integers(1, 3))
        h, w = int(rng.integers(1, 8)), int(rng.integers(1, 8))
        kh, kw = int(rng.integers(1, 5)), int(rng.integers(1, 5))
        x, weight = values(rng, n, c, h, w), values(rng, f, c // groups, kh, kw)
        bias = values(rng, f) if rng.random() < 0.6 else None
        kw_ = {
            "x": x.tolist(),
            "x_shape": list(x.shape),
            "weight": weight.tolist(),
            "bias": None if bias is None else bias.tolist(),
            "stride": int_or_pair(rng, 1, 3),
            "padding": int_or_pair(rng, 0, 3),
            "dilation": int_or_pair(rng, 1, 2),
            "groups": groups,
        }
        cases.append(
            outcome(
                kw_,
                lambda k=kw_, x=x: F.conv2d(
                    t(x),
                    t(k["weight"]),
                    None if k["bias"] is None else t(k["bias"]),
                    arg(k["stride"]),
                    arg(k["padding"]),
                    arg(k["dilation"]),
                    k["groups"],
                ),
            )
        )
    return cases


def unfold_cases(rng: np.random.Generator, count: int) -> list[Case]:
    cases = []
    for _ in range(count):
        x = values(
            rng,
            int(rng.integers(1, 3)),
            int(rng.integers(1, 4)),
            int(rng.integers(1, 7)),
            int(rng.integers(1, 7)),
        )
        kw_ = {
            "x": x.tolist(),
            "kernel_size": int_or_pair(rng, 1, 4),
            "stride": int_or_pair(rng, 1, 3),
            "padding": int_or_pair(rng, 0, 2),
            "dilation": int_or_pair(rng, 1, 2),
        }
        cases.append(
            outcome(
                kw_,
                lambda k=kw_: F.unfold(
                    t(k["x"]),
                    arg(k["kernel_size"]),
                    arg(k["dilation"]),
                    arg(k["padding"]),
                    arg(k["stride"]),
                ),
            )
        )
    return cases


def max_pool_cases(rng: np.random.Generator, count: int) -> list[Case]:
    cases = []
    for _ in range(count):
        x = values(
            rng,
            int(rng.integers(1, 3)),
            int(rng.integers(1, 3)),
            int(rng.integers(1, 8)),
            int(rng.integers(1, 8)),
        )
        if rng.random() < 0.2:
            x = -np.abs(x) - 1.0  # every value negative: padding must be −∞, not 0
        if rng.random() < 0.15:
            x = np.round(x)  # ties
        kernel = int_or_pair(rng, 1, 4)
        smallest = min(kernel) if isinstance(kernel, list) else kernel
        kw_ = {
            "x": x.tolist(),
            "kernel_size": kernel,
            "stride": None if rng.random() < 0.2 else int_or_pair(rng, 1, 3),
            # mostly within PyTorch's limit of half the kernel, sometimes beyond it
            "padding": int_or_pair(rng, 0, smallest // 2 if rng.random() < 0.85 else 2),
            "dilation": int_or_pair(rng, 1, 2),
            "ceil_mode": bool(rng.random() < 0.3),
        }
        cases.append(
            outcome(
                kw_,
                lambda k=kw_: F.max_pool2d(
                    t(k["x"]),
                    arg(k["kernel_size"]),
                    arg(k["stride"]),
                    arg(k["padding"]),
                    arg(k["dilation"]),
                    k["ceil_mode"],
                ),
            )
        )
    return cases


def separable_cases(rng: np.random.Generator, count: int) -> list[Case]:
    cases = []
    for _ in range(count):
        c, f, k = int(rng.integers(1, 4)), int(rng.integers(1, 4)), int(rng.integers(1, 4))
        x = values(
            rng, int(rng.integers(1, 3)), c, int(rng.integers(1, 7)), int(rng.integers(1, 7))
        )
        kw_ = {
            "x": x.tolist(),
            "w_depthwise": values(rng, c, 1, k, k).tolist(),
            "w_pointwise": values(rng, f, c, 1, 1).tolist(),
            "stride": int(rng.integers(1, 3)),
            "padding": int(rng.integers(0, 2)),
        }
        cases.append(
            outcome(
                kw_,
                lambda k=kw_: F.conv2d(
                    F.conv2d(
                        t(k["x"]),
                        t(k["w_depthwise"]),
                        None,
                        k["stride"],
                        k["padding"],
                        1,
                        len(k["w_depthwise"]),
                    ),
                    t(k["w_pointwise"]),
                ),
            )
        )
    return cases


def mlp_grads(x: Any, w1: Any, b1: Any, w2: Any, b2: Any, y: Any) -> list[Any]:
    params = [t(p).requires_grad_(True) for p in (w1, b1, w2, b2)]
    scores = torch.relu(t(x) @ params[0] + params[1]) @ params[2] + params[3]
    loss = F.cross_entropy(scores, torch.tensor(y, dtype=torch.int64))
    return [g.tolist() for g in torch.autograd.grad(loss, params)]


def mlp_cases(rng: np.random.Generator, count: int) -> list[Case]:
    cases = []
    for i in range(count):
        n, d, h, c = (
            int(rng.integers(1, 5)),
            int(rng.integers(1, 5)),
            int(rng.integers(1, 6)),
            int(rng.integers(2, 5)),
        )
        x = values(rng, n, d)
        if i % 10 == 0:
            x = np.zeros((n, d))  # pre-activations equal to b1: some exactly 0
        b1 = values(rng, h)
        if i % 10 == 0:
            b1[rng.random(h) < 0.5] = 0.0
        kw_ = {
            "x": x.tolist(),
            "w1": values(rng, d, h).tolist(),
            "b1": b1.tolist(),
            "w2": (values(rng, h, c) * (100.0 if i % 7 == 0 else 1.0)).tolist(),
            "b2": values(rng, c).tolist(),
            "y": rng.integers(0, c, n).tolist(),
        }
        cases.append(outcome(kw_, lambda k=kw_: mlp_grads(**k)))
    return cases


def conv_file(rng: np.random.Generator) -> dict[str, list[Case]]:
    return {
        "conv2d": conv2d_cases(rng, 150),
        "unfold": unfold_cases(rng, 100),
        "max_pool2d": max_pool_cases(rng, 150),
        "depthwise_separable_conv2d": separable_cases(rng, 60),
        "mlp_backward": mlp_cases(rng, 60),
    }


# --- code_edges.json ---------------------------------------------------------------------------------------------


def coerce(kind: str, value: Any, shape: list[int] | None) -> Any:
    if kind in ("text", "integer", "number") or value is None:
        return value
    dtype = {"float": np.float64, "float?": np.float64, "int": np.int64}.get(kind)
    array = np.asarray(value, dtype=dtype)
    return array.reshape(shape) if shape is not None else array


def ce_grad(logits: np.ndarray, targets: np.ndarray) -> list[Any]:
    x = t(logits).requires_grad_(True)
    (grad,) = torch.autograd.grad(F.cross_entropy(x, torch.tensor(targets)), x)
    return grad.tolist()


def hinge(scores: np.ndarray, targets: np.ndarray, margin: float, grad: bool) -> Any:
    x = t(scores).requires_grad_(True)
    loss = F.multi_margin_loss(x, torch.tensor(targets), margin=margin) * scores.shape[1]
    if not grad:
        return loss.item()
    (g,) = torch.autograd.grad(loss, x)
    return g.tolist()


def im2col(x: np.ndarray, kh: int, kw: int, stride: int, padding: int) -> list[Any]:
    cols = F.unfold(t(x), (kh, kw), 1, padding, stride)  # (N, C·KH·KW, L)
    return cols.permute(1, 0, 2).reshape(cols.shape[1], -1).tolist()


def batchnorm(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float) -> list[Any]:
    return F.batch_norm(t(x), None, None, t(gamma), t(beta), training=True, eps=eps).tolist()


JUDGES: dict[str, dict[str, Callable[..., Any]]] = {
    "image_kernel_mode": {
        "convolve2d": lambda image, kernel, mode: scipy.signal.convolve2d(
            image, kernel, mode=mode
        ).tolist()
    },
    "conv2d": {
        "conv2d": lambda x, w, b, stride, padding: F.conv2d(
            t(x), t(w), None if b is None else t(b), stride, padding
        ).tolist()
    },
    "im2col": {"im2col": im2col},
    "max_pool2d": {
        "max_pool2d": lambda x, kernel_size, stride, padding: F.max_pool2d(
            t(x), kernel_size, stride, padding
        ).tolist()
    },
    "depthwise_separable": {
        "depthwise_separable_conv": lambda x, w_depthwise, w_pointwise: F.conv2d(
            F.conv2d(t(x), t(w_depthwise), groups=x.shape[1]), t(w_pointwise)
        ).tolist()
    },
    "logits_targets": {
        "softmax_cross_entropy": lambda logits, targets: F.cross_entropy(
            t(logits), torch.tensor(targets)
        ).item(),
        "softmax_cross_entropy_grad": ce_grad,
    },
    "scores_targets_margin": {
        "svm_hinge_loss": lambda scores, targets, margin: hinge(scores, targets, margin, False),
        "svm_hinge_grad": lambda scores, targets, margin: hinge(scores, targets, margin, True),
    },
    "box_pair": {
        "iou": lambda box_a, box_b: ops.box_iou(t(box_a)[None], t(box_b)[None])[0, 0].item()
    },
    "box_sets": {"box_iou": lambda boxes_a, boxes_b: ops.box_iou(t(boxes_a), t(boxes_b)).tolist()},
    "boxes_scores_threshold": {
        "nms": lambda boxes, scores, iou_threshold: ops.nms(
            t(boxes), t(scores), iou_threshold
        ).tolist()
    },
    "pr_curve": {"voc_ap": lambda recall, precision: devkit_voc_ap(recall, precision, False)},
    "batchnorm": {"batchnorm_forward": batchnorm},
    "mlp": {"mlp_backward": mlp_grads},
    "matrix": {"reverse_rows": lambda a: torch.flip(torch.tensor(a), [0]).tolist()},
    "focal": {
        "sigmoid_focal_loss": lambda logits, targets, alpha, gamma: ops.sigmoid_focal_loss(
            t(logits), t(targets), alpha, gamma, reduction="mean"
        ).item()
    },
}


def edges_file() -> tuple[str, dict[str, list[Case]]]:
    raw = EDGE_FILE.read_bytes()
    data = json.loads(raw)["inputs"]
    out: dict[str, list[Case]] = {}
    for inputs, judges in JUDGES.items():
        entry = data[inputs]
        for reference, run in judges.items():
            cases = []
            for case in entry["cases"]:
                args = {
                    name: coerce(kind, case["args"][name], case.get("shapes", {}).get(name))
                    for name, kind in entry["args"].items()
                }
                cases.append(
                    {
                        "inputs": inputs,
                        "label": case["label"]["en"],
                        **outcome(case["args"], lambda a=args, r=run: r(**a)),
                    }
                )
            out[reference] = cases
    return hashlib.sha256(raw).hexdigest(), out


# --- writing -----------------------------------------------------------------------------------------------------


def dump(path: Path, about: str, functions: dict[str, list[Case]], **extra: Any) -> None:
    """One case per line, so that a regenerated file diffs readably."""
    versions = {
        "torch": torch.__version__,
        "torchvision": torchvision.__version__,
        "scipy": scipy.__version__,
        "numpy": np.__version__,
    }

    def lines() -> Iterator[str]:
        yield "{"
        yield f'"about": {json.dumps(about, ensure_ascii=False)},'
        yield '"generator": "tests/golden/make_golden_code.py",'
        yield f'"seed": {SEED},'
        for key, value in extra.items():
            yield f"{json.dumps(key)}: {json.dumps(value)},"
        yield f'"versions": {json.dumps(versions)},'
        yield '"functions": {'
        for n, (name, cases) in enumerate(functions.items()):
            yield f"{json.dumps(name)}: ["
            for m, case in enumerate(cases):
                comma = "," if m < len(cases) - 1 else ""
                yield (
                    json.dumps(case, separators=(",", ":"), allow_nan=True, ensure_ascii=False)
                    + comma
                )
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
    dump(
        HERE / "conv.json",
        "torch.nn.functional conv2d / unfold / max_pool2d, a depthwise-separable conv, autograd through a 2-layer MLP",
        conv_file(rng),
    )
    digest, edges = edges_file()
    dump(
        HERE / "code_edges.json",
        "the code cards' fixed edge cases (cvquiz/codecards/edge_cases.json) through the libraries the judges stand for",
        edges,
        edge_cases_sha256=digest,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
