"""Write the golden values that tests/test_engine_detection.py checks cvquiz.engine.detection against.

Run by hand where pycocotools is installed (it is not a test dependency):

    python tests/golden/make_golden_detection.py

It writes three files next to itself:

- ``detection_coco.json``: random COCO-like problems and what pycocotools' ``COCOeval`` (bbox) reports:
  the twelve ``stats`` and per-category AP@[.50:.95] read from ``eval["precision"]``.
- ``detection_voc.json``: the same kind of problems with "difficult" flags, and the AP of every class by an
  independent transcription, below, of the Pascal VOC devkit's ``voc_eval``/``voc_ap`` (as in
  py-faster-rcnn's ``lib/datasets/voc_eval.py``), adapted to continuous coordinates (no ``+ 1`` on widths).
- ``detection_iou.json``: box pairs with their IoU from pycocotools' ``mask.iou`` (box mode), box matrices,
  binary masks with their IoU from pycocotools' RLE ``mask.iou``, and GIoU/DIoU/CIoU. torchvision is not
  installed here, so GIoU/DIoU/CIoU come from a plain-Python transcription, below, of
  ``torchvision.ops.boxes`` (``generalized_box_iou``, ``_box_diou_iou``, ``complete_box_iou``); when
  torchvision is importable the script uses it instead and records so in ``meta``.

Nothing here imports cvquiz: the values come only from the libraries and the transcriptions.
"""

from __future__ import annotations

import contextlib
import copy
import io
import json
import math
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np
from pycocotools import mask as mask_utils
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

HERE = Path(__file__).parent
SEED = 20240531
PYCOCOTOOLS = version("pycocotools")


# ----------------------------------------------------------------------------------------------------------
# Random COCO-like problems
# ----------------------------------------------------------------------------------------------------------


def _round(rng: np.random.Generator, value: float, integer: bool) -> float:
    return float(round(value)) if integer else round(float(value), 2)


def random_box(rng: np.random.Generator, integer: bool) -> list[float]:
    # Log-uniform sizes from 4 to 250 px span COCO's small (<= 32²), medium and large (>= 96²) ranges.
    scale = math.exp(rng.uniform(math.log(4), math.log(250)))
    aspect = math.exp(rng.uniform(-0.7, 0.7))
    w, h = max(scale * aspect, 1.0), max(scale / aspect, 1.0)
    x, y = rng.uniform(0, 300), rng.uniform(0, 300)
    return [
        _round(rng, x, integer),
        _round(rng, y, integer),
        _round(rng, w, integer),
        _round(rng, h, integer),
    ]


def jitter(rng: np.random.Generator, box: list[float], sigma: float, integer: bool) -> list[float]:
    x, y, w, h = box
    nx = x + rng.normal(0, sigma) * w
    ny = y + rng.normal(0, sigma) * h
    nw = max(w * math.exp(rng.normal(0, sigma)), 0.5)
    nh = max(h * math.exp(rng.normal(0, sigma)), 0.5)
    return [
        _round(rng, nx, integer),
        _round(rng, ny, integer),
        _round(rng, nw, integer),
        _round(rng, nh, integer),
    ]


def random_problem(
    rng: np.random.Generator,
    *,
    voc: bool,
    n_images: int | None = None,
    n_categories: int | None = None,
) -> dict[str, Any]:
    n_images = n_images or int(rng.integers(1, 5))
    n_categories = n_categories or int(rng.integers(1, 5))
    categories = sorted(
        int(c) for c in rng.choice(np.arange(1, 12), size=n_categories, replace=False)
    )
    images = sorted(int(i) for i in rng.choice(np.arange(1, 50), size=n_images, replace=False))
    integer = bool(rng.random() < 0.4)
    coarse_scores = bool(rng.random() < 0.3)
    crowd_rate = 0.0 if voc else float(rng.choice([0.0, 0.1, 0.3]))
    difficult_rate = float(rng.choice([0.0, 0.15, 0.35])) if voc else 0.0
    area_rate = 0.0 if voc else float(rng.choice([0.0, 0.5]))
    # The last category often has no ground truth at all: detections only.
    gt_categories = categories[:-1] if len(categories) > 1 and rng.random() < 0.3 else categories
    gts: list[dict[str, Any]] = []
    for image in images:
        for _ in range(int(rng.integers(0, 7))):
            gt: dict[str, Any] = {
                "image_id": image,
                "category_id": int(rng.choice(gt_categories)),
                "bbox": random_box(rng, integer),
            }
            if crowd_rate and rng.random() < crowd_rate:
                gt["iscrowd"] = 1
            elif crowd_rate:
                gt["iscrowd"] = 0
            if area_rate and rng.random() < area_rate:
                gt["area"] = round(gt["bbox"][2] * gt["bbox"][3] * rng.uniform(0.4, 1.0), 1)
            if difficult_rate and rng.random() < difficult_rate:
                gt["difficult"] = True
            gts.append(gt)
    dets: list[dict[str, Any]] = []
    for gt in gts:
        for _ in range(int(rng.choice([0, 1, 1, 1, 2, 3]))):
            category = gt["category_id"] if rng.random() < 0.9 else int(rng.choice(categories))
            sigma = float(rng.choice([0.02, 0.08, 0.2, 0.4]))
            dets.append(
                {
                    "image_id": gt["image_id"],
                    "category_id": category,
                    "bbox": jitter(rng, gt["bbox"], sigma, integer),
                }
            )
    for image in images:
        for _ in range(int(rng.poisson(2))):
            dets.append(
                {
                    "image_id": image,
                    "category_id": int(rng.choice(categories)),
                    "bbox": random_box(rng, integer),
                }
            )
    order = rng.permutation(len(dets))
    dets = [dets[i] for i in order]
    for det in dets:
        det["score"] = round(float(rng.random()), 1 if coarse_scores else 3)
    return {"ground_truths": gts, "detections": dets}


def special_problems(rng: np.random.Generator, *, voc: bool) -> list[tuple[str, dict[str, Any]]]:
    problems: list[tuple[str, dict[str, Any]]] = []
    base = random_problem(rng, voc=voc, n_images=3, n_categories=2)
    problems.append(
        ("empty detections", {"ground_truths": base["ground_truths"], "detections": []})
    )
    problems.append(("no ground truth", {"ground_truths": [], "detections": base["detections"]}))
    gts = [
        {"image_id": 1, "category_id": 1, "bbox": [0.0, 0.0, 10.0, 10.0]},
        {"image_id": 1, "category_id": 1, "bbox": [20.0, 0.0, 10.0, 10.0]},
        {"image_id": 2, "category_id": 2, "bbox": [5.0, 5.0, 40.0, 20.0]},
    ]
    perfect = [dict(g, score=0.9 - 0.1 * i) for i, g in enumerate(gts)]
    problems.append(("perfect detections", {"ground_truths": gts, "detections": perfect}))
    touching = [
        {
            "image_id": 1,
            "category_id": 1,
            "bbox": [10.0, 0.0, 10.0, 10.0],
            "score": 0.9,
        },  # touches gt 1 and 2
        {
            "image_id": 1,
            "category_id": 1,
            "bbox": [0.0, 10.0, 10.0, 10.0],
            "score": 0.8,
        },  # touches gt 1 below
        {
            "image_id": 2,
            "category_id": 2,
            "bbox": [45.0, 5.0, 10.0, 20.0],
            "score": 0.7,
        },  # touches gt 3 right
    ]
    problems.append(("touching boxes", {"ground_truths": gts, "detections": touching}))
    # IoU exactly 0.5: COCO (IoU >= t) counts it at 0.5, VOC (IoU > t) does not.
    half = [
        {"image_id": 1, "category_id": 1, "bbox": [0.0, 0.0, 10.0, 5.0], "score": 0.9},
        {"image_id": 1, "category_id": 1, "bbox": [20.0, 0.0, 10.0, 10.0], "score": 0.9},
        {"image_id": 2, "category_id": 2, "bbox": [5.0, 5.0, 20.0, 20.0], "score": 0.9},
    ]
    problems.append(
        ("IoU exactly one half, tied scores", {"ground_truths": gts, "detections": half})
    )
    dup = [
        {"image_id": 1, "category_id": 1, "bbox": [0.0, 0.0, 10.0, 10.0], "score": 0.5},
        {"image_id": 1, "category_id": 1, "bbox": [0.5, 0.0, 10.0, 10.0], "score": 0.5},
        {"image_id": 1, "category_id": 1, "bbox": [0.0, 0.5, 10.0, 10.0], "score": 0.5},
    ]
    problems.append(("duplicates with equal scores", {"ground_truths": gts, "detections": dup}))
    # More than 100 detections on one image and class (COCO keeps the top 100).
    many_gts = [
        {"image_id": 1, "category_id": 3, "bbox": random_box(rng, integer=False)} for _ in range(40)
    ] + [
        {"image_id": 2, "category_id": 3, "bbox": random_box(rng, integer=False)} for _ in range(5)
    ]
    many_dets = []
    for g in many_gts:
        for _ in range(3):
            many_dets.append(
                {
                    "image_id": g["image_id"],
                    "category_id": 3,
                    "bbox": jitter(rng, g["bbox"], 0.1, False),
                }
            )
    for _ in range(30):
        many_dets.append({"image_id": 1, "category_id": 3, "bbox": random_box(rng, integer=False)})
    for det in many_dets:
        det["score"] = round(float(rng.random()), 2)
    problems.append(
        ("more than 100 detections per image", {"ground_truths": many_gts, "detections": many_dets})
    )
    # Ground truths at the area-range borders 32² and 96² (inclusive on both sides in pycocotools).
    border = [
        {"image_id": 1, "category_id": 1, "bbox": [0.0, 0.0, 32.0, 32.0]},
        {"image_id": 1, "category_id": 1, "bbox": [100.0, 0.0, 96.0, 96.0]},
        {"image_id": 1, "category_id": 1, "bbox": [0.0, 100.0, 16.0, 64.0]},
    ]
    border_dets = [
        dict(jitter_det, score=s)
        for jitter_det, s in zip(
            [
                {"image_id": 1, "category_id": 1, "bbox": jitter(rng, b["bbox"], 0.05, True)}
                for b in border
            ],
            [0.3, 0.2, 0.1],
            strict=True,
        )
    ]
    border_dets += [dict(b, score=0.05) for b in border]
    problems.append(("area range borders", {"ground_truths": border, "detections": border_dets}))
    # A detection with exactly equal IoU (0.905) with two ground truths: pycocotools takes the later one,
    # the devkit the first; the next detection then finds the other one free.
    twins = [
        {"image_id": 1, "category_id": 1, "bbox": [0.0, 0.0, 10.0, 10.0]},
        {"image_id": 1, "category_id": 1, "bbox": [1.0, 0.0, 10.0, 10.0]},
    ]
    twin_dets = [
        {"image_id": 1, "category_id": 1, "bbox": [0.5, 0.0, 10.0, 10.0], "score": 0.9},
        {"image_id": 1, "category_id": 1, "bbox": [0.0, 0.0, 10.0, 10.0], "score": 0.8},
    ]
    problems.append(
        ("equal IoU with two ground truths", {"ground_truths": twins, "detections": twin_dets})
    )
    # Recall exactly 3/5 = 0.6 just before a false positive: the devkit's arange grid point is
    # 0.6000000000000001, which 0.6 does not reach.
    five = [{"image_id": i, "category_id": 1, "bbox": [0.0, 0.0, 10.0, 10.0]} for i in range(1, 6)]
    five_dets = [dict(g, score=1.0 - 0.1 * i) for i, g in enumerate(five[:3])]
    five_dets.append(
        {"image_id": 1, "category_id": 1, "bbox": [50.0, 50.0, 10.0, 10.0], "score": 0.65}
    )
    five_dets += [dict(g, score=0.6 - 0.1 * i) for i, g in enumerate(five[3:])]
    problems.append(("recall exactly 0.6", {"ground_truths": five, "detections": five_dets}))
    if voc:
        diff = [dict(g, difficult=(i == 0)) for i, g in enumerate(gts)]
        problems.append(
            ("difficult ground truth matched", {"ground_truths": diff, "detections": perfect})
        )
        only_difficult = [dict(g, difficult=True) for g in gts]
        problems.append(
            (
                "only difficult ground truths",
                {"ground_truths": only_difficult, "detections": perfect},
            )
        )
    else:
        crowd = [
            {"image_id": 1, "category_id": 1, "bbox": [0.0, 0.0, 100.0, 100.0], "iscrowd": 1},
            {"image_id": 1, "category_id": 1, "bbox": [10.0, 10.0, 20.0, 20.0], "iscrowd": 0},
            {"image_id": 1, "category_id": 2, "bbox": [0.0, 0.0, 50.0, 50.0], "iscrowd": 1},
        ]
        crowd_dets = [
            {"image_id": 1, "category_id": 1, "bbox": [11.0, 10.0, 20.0, 20.0], "score": 0.9},
            {"image_id": 1, "category_id": 1, "bbox": [50.0, 50.0, 20.0, 20.0], "score": 0.8},
            {"image_id": 1, "category_id": 1, "bbox": [60.0, 60.0, 20.0, 20.0], "score": 0.7},
            {"image_id": 1, "category_id": 1, "bbox": [12.0, 10.0, 20.0, 20.0], "score": 0.6},
            {"image_id": 1, "category_id": 2, "bbox": [10.0, 10.0, 20.0, 20.0], "score": 0.6},
        ]
        problems.append(("crowd regions", {"ground_truths": crowd, "detections": crowd_dets}))
    return problems


# ----------------------------------------------------------------------------------------------------------
# pycocotools reference
# ----------------------------------------------------------------------------------------------------------


def coco_reference(
    ground_truths: list[dict[str, Any]], detections: list[dict[str, Any]]
) -> dict[str, Any]:
    images = sorted({a["image_id"] for a in ground_truths} | {a["image_id"] for a in detections})
    categories = sorted(
        {a["category_id"] for a in ground_truths} | {a["category_id"] for a in detections}
    )
    annotations = []
    for i, g in enumerate(ground_truths):
        w, h = g["bbox"][2:]
        annotations.append(
            {
                "id": i + 1,  # pycocotools treats a matched id of 0 as "unmatched": start at 1
                "image_id": g["image_id"],
                "category_id": g["category_id"],
                "bbox": list(g["bbox"]),
                "area": g.get("area", w * h),
                "iscrowd": int(g.get("iscrowd", 0)),
            }
        )
    dataset = {
        "images": [{"id": i} for i in images],
        "categories": [{"id": c} for c in categories],
        "annotations": annotations,
    }
    with contextlib.redirect_stdout(io.StringIO()):
        coco_gt = COCO()
        coco_gt.dataset = dataset
        coco_gt.createIndex()
        if detections:
            coco_dt = coco_gt.loadRes(copy.deepcopy(detections))
        else:  # loadRes cannot take an empty list; this is the object it would build
            coco_dt = COCO()
            coco_dt.dataset = {
                "images": dataset["images"],
                "categories": dataset["categories"],
                "annotations": [],
            }
            coco_dt.createIndex()
        evaluator = COCOeval(coco_gt, coco_dt, iouType="bbox")
        evaluator.evaluate()
        evaluator.accumulate()
        evaluator.summarize()
    precision = evaluator.eval["precision"]  # (T, R, K, A, M)
    per_class = {}
    for k, c in enumerate(evaluator.params.catIds):
        p = precision[:, :, k, 0, -1]
        per_class[str(c)] = float(np.mean(p[p > -1])) if (p > -1).any() else -1.0
    return {"stats": [float(s) for s in evaluator.stats], "per_class": per_class}


# ----------------------------------------------------------------------------------------------------------
# Pascal VOC devkit reference: voc_eval / voc_ap transcribed, continuous coordinates
# ----------------------------------------------------------------------------------------------------------


def devkit_voc_ap(rec: np.ndarray, prec: np.ndarray, use_07_metric: bool) -> float:
    if use_07_metric:
        ap = 0.0
        for t in np.arange(0.0, 1.1, 0.1):
            p = 0.0 if np.sum(rec >= t) == 0 else float(np.max(prec[rec >= t]))
            ap = ap + p / 11.0
        return float(ap)
    mrec = np.concatenate(([0.0], rec, [1.0]))
    mpre = np.concatenate(([0.0], prec, [0.0]))
    for i in range(mpre.size - 1, 0, -1):
        mpre[i - 1] = np.maximum(mpre[i - 1], mpre[i])
    i = np.where(mrec[1:] != mrec[:-1])[0]
    return float(np.sum((mrec[i + 1] - mrec[i]) * mpre[i + 1]))


def devkit_voc_eval(
    ground_truths: list[dict[str, Any]],
    detections: list[dict[str, Any]],
    classname: int,
    ovthresh: float,
    use_07_metric: bool,
) -> tuple[float | None, list[str]]:
    """AP of one class (None when it has no non-difficult object) and each sorted detection's verdict."""
    imagenames = sorted(
        {a["image_id"] for a in ground_truths} | {a["image_id"] for a in detections}
    )
    class_recs = {}
    npos = 0
    for imagename in imagenames:
        objs = [
            o for o in ground_truths if o["image_id"] == imagename and o["category_id"] == classname
        ]
        bbox = np.array(
            [
                [
                    o["bbox"][0],
                    o["bbox"][1],
                    o["bbox"][0] + o["bbox"][2],
                    o["bbox"][1] + o["bbox"][3],
                ]
                for o in objs
            ]
        ).reshape(-1, 4)
        difficult = np.array([bool(o.get("difficult", False)) for o in objs], dtype=bool)
        det = [False] * len(objs)
        npos = npos + int(np.sum(~difficult))
        class_recs[imagename] = {"bbox": bbox, "difficult": difficult, "det": det}

    mine = [d for d in detections if d["category_id"] == classname]
    image_ids = [d["image_id"] for d in mine]
    confidence = np.array([d["score"] for d in mine], dtype=float)
    BB = np.array(
        [
            [d["bbox"][0], d["bbox"][1], d["bbox"][0] + d["bbox"][2], d["bbox"][1] + d["bbox"][3]]
            for d in mine
        ]
    ).reshape(-1, 4)
    # The devkit sorts by -confidence; a stable sort (MATLAB's sort is stable) keeps tied scores in file order.
    sorted_ind = np.argsort(-confidence, kind="stable")
    BB = BB[sorted_ind, :]
    image_ids = [image_ids[x] for x in sorted_ind]

    nd = len(image_ids)
    tp = np.zeros(nd)
    fp = np.zeros(nd)
    verdicts = []
    for d in range(nd):
        R = class_recs[image_ids[d]]
        bb = BB[d, :].astype(float)
        ovmax = -np.inf
        BBGT = R["bbox"].astype(float)
        jmax = -1
        if BBGT.size > 0:
            ixmin = np.maximum(BBGT[:, 0], bb[0])
            iymin = np.maximum(BBGT[:, 1], bb[1])
            ixmax = np.minimum(BBGT[:, 2], bb[2])
            iymax = np.minimum(BBGT[:, 3], bb[3])
            iw = np.maximum(ixmax - ixmin, 0.0)  # the devkit adds 1 here (pixel-inclusive boxes)
            ih = np.maximum(iymax - iymin, 0.0)
            inters = iw * ih
            uni = (
                (bb[2] - bb[0]) * (bb[3] - bb[1])
                + (BBGT[:, 2] - BBGT[:, 0]) * (BBGT[:, 3] - BBGT[:, 1])
                - inters
            )
            with np.errstate(divide="ignore", invalid="ignore"):
                overlaps = np.where(uni > 0, inters / uni, 0.0)
            ovmax = np.max(overlaps)
            jmax = int(np.argmax(overlaps))
        if ovmax > ovthresh:
            if not R["difficult"][jmax]:
                if not R["det"][jmax]:
                    tp[d] = 1.0
                    R["det"][jmax] = 1
                    verdicts.append("tp")
                else:
                    fp[d] = 1.0
                    verdicts.append("fp")
            else:
                verdicts.append("difficult")
        else:
            fp[d] = 1.0
            verdicts.append("fp")

    if npos == 0:
        return None, verdicts
    fp = np.cumsum(fp)
    tp = np.cumsum(tp)
    rec = tp / float(npos)
    prec = tp / np.maximum(tp + fp, np.finfo(np.float64).eps)
    return devkit_voc_ap(rec, prec, use_07_metric), verdicts


# ----------------------------------------------------------------------------------------------------------
# GIoU / DIoU / CIoU: torchvision.ops.boxes transcribed to plain Python (one pair at a time)
# ----------------------------------------------------------------------------------------------------------


def tv_inter_union(b1: list[float], b2: list[float]) -> tuple[float, float]:
    area1 = (b1[2] - b1[0]) * (b1[3] - b1[1])
    area2 = (b2[2] - b2[0]) * (b2[3] - b2[1])
    lt = [max(b1[0], b2[0]), max(b1[1], b2[1])]
    rb = [min(b1[2], b2[2]), min(b1[3], b2[3])]
    wh = [max(rb[0] - lt[0], 0.0), max(rb[1] - lt[1], 0.0)]
    inter = wh[0] * wh[1]
    return inter, area1 + area2 - inter


def tv_generalized_box_iou(b1: list[float], b2: list[float]) -> float:
    inter, union = tv_inter_union(b1, b2)
    iou = inter / union
    lti = [min(b1[0], b2[0]), min(b1[1], b2[1])]
    rbi = [max(b1[2], b2[2]), max(b1[3], b2[3])]
    whi = [max(rbi[0] - lti[0], 0.0), max(rbi[1] - lti[1], 0.0)]
    areai = whi[0] * whi[1]
    return iou - (areai - union) / areai


def tv_box_diou_iou(b1: list[float], b2: list[float], eps: float = 1e-7) -> tuple[float, float]:
    inter, union = tv_inter_union(b1, b2)
    iou = inter / union
    lti = [min(b1[0], b2[0]), min(b1[1], b2[1])]
    rbi = [max(b1[2], b2[2]), max(b1[3], b2[3])]
    whi = [max(rbi[0] - lti[0], 0.0), max(rbi[1] - lti[1], 0.0)]
    diagonal_distance_squared = whi[0] ** 2 + whi[1] ** 2 + eps
    x_p = (b1[0] + b1[2]) / 2
    y_p = (b1[1] + b1[3]) / 2
    x_g = (b2[0] + b2[2]) / 2
    y_g = (b2[1] + b2[3]) / 2
    centers_distance_squared = (x_p - x_g) ** 2 + (y_p - y_g) ** 2
    return iou - centers_distance_squared / diagonal_distance_squared, iou


def tv_complete_box_iou(b1: list[float], b2: list[float], eps: float = 1e-7) -> float:
    diou, iou = tv_box_diou_iou(b1, b2, eps)
    w_pred = b1[2] - b1[0]
    h_pred = b1[3] - b1[1]
    w_gt = b2[2] - b2[0]
    h_gt = b2[3] - b2[1]
    v = (4 / (math.pi**2)) * (math.atan(w_pred / h_pred) - math.atan(w_gt / h_gt)) ** 2
    alpha = v / (1 - iou + v + eps)
    return diou - alpha * v


def box_functions() -> tuple[str, Any, Any, Any]:
    try:
        import torch
        from torchvision import ops
    except ImportError:
        return (
            "plain-Python transcription of torchvision.ops.boxes (torchvision not installed)",
            tv_generalized_box_iou,
            lambda a, b: tv_box_diou_iou(a, b)[0],
            tv_complete_box_iou,
        )

    def wrap(fn: Any) -> Any:
        def call(a: list[float], b: list[float]) -> float:
            ta = torch.tensor([a], dtype=torch.float64)
            tb = torch.tensor([b], dtype=torch.float64)
            return float(fn(ta, tb)[0, 0])

        return call

    return (
        "torchvision.ops " + __import__("torchvision").__version__,
        wrap(ops.generalized_box_iou),
        wrap(ops.distance_box_iou),
        wrap(ops.complete_box_iou),
    )


def xyxy_to_xywh(b: list[float]) -> list[float]:
    return [b[0], b[1], b[2] - b[0], b[3] - b[1]]


def random_xyxy(rng: np.random.Generator, integer: bool) -> list[float]:
    x, y, w, h = random_box(rng, integer)
    return [x, y, x + w, y + h]


def iou_cases(rng: np.random.Generator) -> dict[str, Any]:
    source, g_fn, d_fn, c_fn = box_functions()
    pairs: list[tuple[list[float], list[float]]] = [
        ([0.0, 0.0, 10.0, 10.0], [10.0, 0.0, 20.0, 10.0]),  # touching on an edge
        ([0.0, 0.0, 10.0, 10.0], [10.0, 10.0, 20.0, 20.0]),  # touching at a corner
        ([0.0, 0.0, 10.0, 10.0], [0.0, 0.0, 10.0, 10.0]),  # identical
        ([0.0, 0.0, 10.0, 10.0], [2.0, 2.0, 8.0, 8.0]),  # one inside the other
        ([0.0, 0.0, 10.0, 10.0], [0.0, 0.0, 10.0, 5.0]),  # IoU exactly 0.5
        ([0.0, 0.0, 1.0, 1.0], [50.0, 50.0, 60.0, 70.0]),  # far apart
    ]
    for _ in range(120):
        integer = bool(rng.random() < 0.4)
        a = random_xyxy(rng, integer)
        if rng.random() < 0.6:
            x, y, w, h = jitter(rng, xyxy_to_xywh(a), float(rng.choice([0.05, 0.2, 0.5])), integer)
            b = [x, y, x + w, y + h]
        else:
            b = random_xyxy(rng, integer)
        pairs.append((a, b))
    box_pairs = []
    for a, b in pairs:
        iou = float(mask_utils.iou([xyxy_to_xywh(a)], [xyxy_to_xywh(b)], [0])[0, 0])
        box_pairs.append(
            {"a": a, "b": b, "iou": iou, "giou": g_fn(a, b), "diou": d_fn(a, b), "ciou": c_fn(a, b)}
        )
    matrices = []
    for _ in range(10):
        n, m = int(rng.integers(0, 6)), int(rng.integers(0, 6))
        a = [random_xyxy(rng, False) for _ in range(n)]
        b = [random_xyxy(rng, False) for _ in range(m)]
        if n and m:
            # pycocotools' iou(dt, gt) is laid out [dt, gt]
            iou = np.asarray(
                mask_utils.iou([xyxy_to_xywh(x) for x in a], [xyxy_to_xywh(x) for x in b], [0] * m)
            )
        else:
            iou = np.zeros((n, m))
        matrices.append({"a": a, "b": b, "iou": iou.reshape(n, m).tolist()})
    masks = []
    for i in range(40):
        h, w = int(rng.integers(1, 9)), int(rng.integers(1, 9))
        density_a, density_b = rng.uniform(0, 1, size=2)
        ma = rng.random((h, w)) < density_a
        mb = rng.random((h, w)) < density_b
        if i == 0:
            ma[:] = False
            mb[:] = False
        rle_a = mask_utils.encode(np.asfortranarray(ma.astype(np.uint8)))
        rle_b = mask_utils.encode(np.asfortranarray(mb.astype(np.uint8)))
        iou = float(mask_utils.iou([rle_a], [rle_b], [0])[0, 0])
        masks.append({"a": ma.astype(int).tolist(), "b": mb.astype(int).tolist(), "iou": iou})
    return {
        "meta": {
            "iou": f"pycocotools {PYCOCOTOOLS} mask.iou (boxes converted to [x, y, w, h])",
            "giou_diou_ciou": source,
            "masks": f"pycocotools {PYCOCOTOOLS} mask.iou on RLE-encoded masks",
        },
        "box_pairs": box_pairs,
        "matrices": matrices,
        "masks": masks,
    }


# ----------------------------------------------------------------------------------------------------------


def write(path: Path, meta: dict[str, Any], sections: dict[str, list[Any]]) -> None:
    # One item per line: readable diffs, modest size.
    parts = [f'"meta":{json.dumps(meta)}']
    for key, items in sections.items():
        body = ",\n".join(json.dumps(item, separators=(",", ":")) for item in items)
        parts.append(f'"{key}":[\n{body}\n]')
    path.write_text("{" + ",\n".join(parts) + "}\n", encoding="utf-8")
    counts = ", ".join(f"{len(items)} {key}" for key, items in sections.items())
    print(f"wrote {path.name} ({path.stat().st_size // 1024} KiB: {counts})")


def main() -> None:
    rng = np.random.default_rng(SEED)

    coco_items = []
    named = special_problems(rng, voc=False)
    named += [(f"random {i}", random_problem(rng, voc=False)) for i in range(200)]
    for name, problem in named:
        coco_items.append(
            {
                "name": name,
                **problem,
                **coco_reference(problem["ground_truths"], problem["detections"]),
            }
        )
    write(
        HERE / "detection_coco.json",
        {
            "source": f"pycocotools {PYCOCOTOOLS} COCOeval(iouType='bbox'), numpy {np.__version__}",
            "seed": SEED,
        },
        {"problems": coco_items},
    )

    voc_items = []
    named = special_problems(rng, voc=True)
    named += [(f"random {i}", random_problem(rng, voc=True)) for i in range(200)]
    for name, problem in named:
        gts, dets = problem["ground_truths"], problem["detections"]
        classes = sorted({a["category_id"] for a in gts} | {a["category_id"] for a in dets})
        results = []
        for threshold in (0.5, 0.3, 0.75):
            for use_07 in (False, True):
                aps = {}
                verdicts = {}
                for c in classes:
                    ap, verdict = devkit_voc_eval(gts, dets, c, threshold, use_07)
                    aps[str(c)] = ap
                    verdicts[str(c)] = verdict
                entry: dict[str, Any] = {
                    "iou_threshold": threshold,
                    "method": "11-point" if use_07 else "all-point",
                    "ap": aps,
                }
                if threshold == 0.5 and not use_07:
                    entry["verdicts"] = verdicts
                results.append(entry)
        voc_items.append(
            {"name": name, "ground_truths": gts, "detections": dets, "results": results}
        )
    write(
        HERE / "detection_voc.json",
        {
            "source": "transcription of the Pascal VOC devkit voc_eval/voc_ap (py-faster-rcnn), continuous "
            f"coordinates (no +1), stable sort on score ties; numpy {np.__version__}",
            "seed": SEED,
            "null_ap": "class without a non-difficult ground truth",
        },
        {"problems": voc_items},
    )

    iou = iou_cases(rng)
    sections = {key: iou[key] for key in ("box_pairs", "matrices", "masks")}
    write(HERE / "detection_iou.json", iou["meta"], sections)


if __name__ == "__main__":
    main()
