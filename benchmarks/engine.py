"""Time cvquiz.engine.detection.coco_map against pycocotools' COCOeval on a COCO-sized problem.

Run by hand where pycocotools is installed:

    python benchmarks/engine.py [--images 500] [--classes 80] [--detections 20000] [--repeats 5]

The problem imitates COCO val: about 7 objects per image over 80 classes with a skewed class frequency,
COCO-like sizes (roughly 40% small, 35% medium, 25% large), 1% crowd regions, and detections that are
jittered copies of the objects (good and poor localisation, duplicates, wrong class) plus background boxes,
with scores that favour the good ones. Both sides see the same annotations. The baseline is
``COCOeval.evaluate()`` + ``COCOeval.accumulate()`` (+ ``summarize()``, which is cheap); building the COCO
objects is not timed. cvquiz's time includes reading the annotation dicts. The script asserts that both
report the same twelve summary numbers, then prints the median times and their ratio.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import io
import math
import statistics
import time
from typing import Any

import numpy as np
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

from cvquiz.engine.detection import coco_map


def make_problem(
    rng: np.random.Generator, n_images: int, n_classes: int, n_detections: int
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    class_weights = 1.0 / np.arange(1, n_classes + 1) ** 0.9
    class_weights /= class_weights.sum()
    ground_truths: list[dict[str, Any]] = []
    for image in range(1, n_images + 1):
        for _ in range(int(rng.poisson(7.3))):
            kind = rng.random()
            side = (
                rng.uniform(6, 32)
                if kind < 0.4
                else rng.uniform(32, 96)
                if kind < 0.75
                else rng.uniform(96, 400)
            )
            aspect = math.exp(rng.normal(0, 0.5))
            w, h = min(side * math.sqrt(aspect), 600.0), min(side / math.sqrt(aspect), 450.0)
            ground_truths.append(
                {
                    "image_id": image,
                    "category_id": int(rng.choice(n_classes, p=class_weights)) + 1,
                    "bbox": [float(rng.uniform(0, 640 - w)), float(rng.uniform(0, 480 - h)), w, h],
                    "iscrowd": int(rng.random() < 0.01),
                    "area": w * h * float(rng.uniform(0.5, 0.9)),
                }
            )
    detections: list[dict[str, Any]] = []
    per_gt = max(1, round(0.7 * n_detections / max(len(ground_truths), 1)))
    for gt in ground_truths:
        x, y, w, h = gt["bbox"]
        for j in range(per_gt):
            quality = float(rng.choice([0.03, 0.1, 0.25, 0.5]))
            category = (
                gt["category_id"] if rng.random() < 0.9 else int(rng.integers(1, n_classes + 1))
            )
            box = [
                x + rng.normal(0, quality) * w,
                y + rng.normal(0, quality) * h,
                w * math.exp(rng.normal(0, quality)),
                h * math.exp(rng.normal(0, quality)),
            ]
            score = float(np.clip(rng.normal(0.9 - quality - 0.1 * j, 0.2), 0.001, 1.0))
            detections.append(
                {"image_id": gt["image_id"], "category_id": category, "bbox": box, "score": score}
            )
    while len(detections) < n_detections:
        w, h = float(rng.uniform(8, 300)), float(rng.uniform(8, 300))
        detections.append(
            {
                "image_id": int(rng.integers(1, n_images + 1)),
                "category_id": int(rng.choice(n_classes, p=class_weights)) + 1,
                "bbox": [float(rng.uniform(0, 640 - w)), float(rng.uniform(0, 480 - h)), w, h],
                "score": float(rng.uniform(0.001, 0.6)),
            }
        )
    order = rng.permutation(len(detections))[:n_detections]
    return ground_truths, [detections[i] for i in order]


def pycocotools_objects(
    ground_truths: list[dict[str, Any]],
    detections: list[dict[str, Any]],
    n_images: int,
    n_classes: int,
) -> tuple[COCO, COCO]:
    dataset = {
        "images": [{"id": i} for i in range(1, n_images + 1)],
        "categories": [{"id": c} for c in range(1, n_classes + 1)],
        "annotations": [dict(g, id=i + 1) for i, g in enumerate(ground_truths)],
    }
    with contextlib.redirect_stdout(io.StringIO()):
        coco_gt = COCO()
        coco_gt.dataset = dataset
        coco_gt.createIndex()
        coco_dt = coco_gt.loadRes(copy.deepcopy(detections))
    return coco_gt, coco_dt


def run_pycocotools(coco_gt: COCO, coco_dt: COCO) -> tuple[float, list[float]]:
    with contextlib.redirect_stdout(io.StringIO()):
        start = time.perf_counter()
        evaluator = COCOeval(coco_gt, coco_dt, iouType="bbox")
        evaluator.evaluate()
        evaluator.accumulate()
        evaluator.summarize()
        elapsed = time.perf_counter() - start
    return elapsed, [float(s) for s in evaluator.stats]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=500)
    parser.add_argument("--classes", type=int, default=80)
    parser.add_argument("--detections", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    ground_truths, detections = make_problem(
        np.random.default_rng(args.seed), args.images, args.classes, args.detections
    )
    coco_gt, coco_dt = pycocotools_objects(ground_truths, detections, args.images, args.classes)
    print(
        f"problem: {args.images} images, {args.classes} classes, {len(ground_truths)} ground truths "
        f"({sum(g['iscrowd'] for g in ground_truths)} crowd), {len(detections)} detections"
    )

    ours_times, theirs_times = [], []
    for _ in range(args.repeats):
        start = time.perf_counter()
        ours = coco_map(ground_truths, detections)
        ours_times.append(time.perf_counter() - start)
        elapsed, theirs = run_pycocotools(coco_gt, coco_dt)
        theirs_times.append(elapsed)
        np.testing.assert_allclose(ours.stats(), theirs, rtol=1e-9, atol=1e-12)

    names = ["AP", "AP50", "AP75", "APs", "APm", "APl", "AR1", "AR10", "AR100", "ARs", "ARm", "ARl"]
    print("  ".join(f"{n}={v:.4f}" for n, v in zip(names, ours.stats(), strict=True)))
    print("the twelve summary numbers agree with pycocotools (rtol 1e-9)")
    ours_median, theirs_median = statistics.median(ours_times), statistics.median(theirs_times)
    print(
        f"pycocotools COCOeval evaluate+accumulate+summarize: median {theirs_median * 1000:8.1f} ms"
    )
    print(
        f"cvquiz.engine.detection.coco_map:                   median {ours_median * 1000:8.1f} ms"
    )
    print(
        f"ratio cvquiz / pycocotools: {ours_median / theirs_median:.3f} (speed-up x{theirs_median / ours_median:.1f})"
    )


if __name__ == "__main__":
    main()
