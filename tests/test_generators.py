"""Compute-card generators: answers come from the engine, the shown answer is accepted, draws are reproducible.

The reference for every generator below calls `cvquiz.engine` directly on the drawn parameters, so a generator
that computed (or post-processed) an answer on its own would disagree here.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cvquiz import engine
from cvquiz.answers import AnswerKind, judge
from cvquiz.deckfile import load_deck
from cvquiz.generators import (
    GeneratorError,
    Instance,
    calculate,
    check_card,
    generate,
    judge_instance,
    list_generators,
)
from cvquiz.generators.core import format_expected, lookup
from cvquiz.generators.text import Check, Steps
from cvquiz.model import Card, CardType
from cvquiz.paths import bundled_decks_dir

SEEDS = range(200)


def _separable(p: Mapping[str, Any]) -> Any:
    m, n, k, bias = p["in_channels"], p["out_channels"], p["kernel_size"], p["bias"]
    if p["ask"] == "separable":
        return engine.separable_conv2d_params(m, n, k, bias)
    if p["ask"] == "standard":
        return engine.conv2d_params(m, n, k, bias=bias)
    return engine.separable_conv2d_params(m, n, k, False) / engine.conv2d_params(
        m, n, k, bias=False
    )


def _fc_vs_conv(p: Mapping[str, Any]) -> Any:
    h, w, c, out = p["height"], p["width"], p["in_channels"], p["out_channels"]
    out_features = h * w * out if p["mode"] == "dense" else out
    return [
        engine.fc_params(h * w * c, out_features, p["bias"]),
        engine.conv2d_params(c, out, p["kernel_size"], bias=p["bias"]),
    ]


def _init(p: Mapping[str, Any]) -> float:
    shape, scheme = p["weight_shape"], p["scheme"]
    gain = engine.calculate_gain(p["nonlinearity"], p["a"])
    if scheme == "xavier_normal":
        return engine.xavier_normal_std(shape, gain)
    if scheme == "xavier_uniform":
        return engine.xavier_uniform_bound(shape, gain)
    if scheme == "kaiming_normal":
        return engine.kaiming_normal_std(shape, p["a"], p["mode"], p["nonlinearity"])
    return engine.kaiming_uniform_bound(shape, p["a"], p["mode"], p["nonlinearity"])


def _bn(p: Mapping[str, Any]) -> Any:
    result = engine.batch_norm_train(
        p["x"], p["gamma"], p["beta"], p["running_mean"], p["running_var"], p["momentum"], p["eps"]
    )
    return result.y if p["ask"] == "output" else getattr(result, p["ask"])


def _anchors(p: Mapping[str, Any]) -> Any:
    high, low, allow = {
        "rpn": (0.7, 0.3, True),
        "retinanet": (0.5, 0.4, True),
        "roi_heads": (0.5, 0.5, False),
    }[p["preset"]]
    iou = p.get("iou_matrix")
    if iou is None:
        iou = engine.box_iou_matrix(p["gt_boxes"], p["anchors"])
    return engine.anchor_labels(engine.match_anchors(iou, high, low, allow))


def _optimizer(p: Mapping[str, Any]) -> float:
    grads = [[g] for g in p["grads"]]
    if p["optimizer"] in ("adam", "adamw"):
        states = engine.adam_steps(
            [p["param"]],
            grads,
            p["lr"],
            weight_decay=p["weight_decay"],
            decoupled=p["optimizer"] == "adamw",
        )
        return float(states[-1].param[0])
    momentum = 0.0 if p["optimizer"] == "sgd" else 0.9
    sgd = engine.sgd_steps(
        [p["param"]],
        grads,
        p["lr"],
        momentum,
        weight_decay=p["weight_decay"],
        nesterov=p["optimizer"] == "nesterov",
    )
    return float(sgd[-1].param[0])


def _layer_norm(p: Mapping[str, Any]) -> float:
    x = np.asarray(p["x"], dtype=float)
    result = engine.layer_norm(x, x.shape[1], p["weight"], p["bias"])
    if p["ask"] == "output":
        return float(result.y[p["token"], p["feature"]])
    return float(getattr(result, p["ask"])[p["token"]])


def _group_norm(p: Mapping[str, Any]) -> float:
    result = engine.group_norm(np.asarray(p["x"], dtype=float)[None], p["groups"])
    if p["ask"] == "output":
        return float(result.y[0, p["channel"], p["position"]])
    return float(getattr(result, p["ask"])[0, p["group"]])


def _quantize(p: Mapping[str, Any]) -> Any:
    scale, zero = engine.qparams(p["min_val"], p["max_val"], p["dtype"], p["symmetric"])
    q = engine.quantize(p["x"], scale, zero, p["dtype"])
    return {
        "scale": scale,
        "zero_point": zero,
        "q": q,
        "dequantized": engine.dequantize(q, scale, zero),
    }[p["ask"]]


def _attention(p: Mapping[str, Any]) -> Any:
    cost = engine.attention_cost(p["tokens"], p["dim"], p["heads"], p["batch"])
    return {
        "scores_shape": cost.scores_shape,
        "head_shape": cost.qkv_shape,
        "params": cost.params,
        "flops": cost.flops,
        "attention_flops": cost.attention_flops,
    }[p["ask"]]


def _segmentation(p: Mapping[str, Any]) -> float:
    confusion = p.get("confusion")
    if confusion is None:
        confusion = engine.segmentation_confusion(p["target"], p["prediction"], p["classes"])
    scores = engine.segmentation_scores(confusion)
    if p["ask"] in ("iou", "dice"):
        return float(getattr(scores, p["ask"])[p["class_index"]])
    return float(getattr(scores, p["ask"]))


def _bilinear(p: Mapping[str, Any]) -> float:
    if p["op"] == "interpolate":
        out = engine.resize_bilinear(p["image"], tuple(p["size"]), p["align_corners"])
        return float(out[p["row"], p["col"]])
    return engine.grid_sample_bilinear(p["image"], p["x"], p["y"], p["align_corners"])


def _oks(p: Mapping[str, Any]) -> float:
    sigmas = [engine.COCO_KEYPOINT_SIGMAS[engine.COCO_KEYPOINT_NAMES.index(n)] for n in p["names"]]
    return engine.oks(p["gt_keypoints"], p["dt_keypoints"], p["area"], sigmas)


def _camera(p: Mapping[str, Any]) -> Any:
    from cvquiz.generators.geometry import ROTATIONS

    R = None if p["rotation"] is None else ROTATIONS[p["rotation"]]
    K = engine.intrinsics(p["fx"], p["fy"], p["cx"], p["cy"])
    return list(engine.camera_project(K, p["point"], R, p["translation"]).pixel)


def _kalman(p: Mapping[str, Any]) -> float:
    r = engine.kalman_cv_step(p["x"], p["P"], p["z"], p["dt"], p["Q"], p["R"])
    return float(
        {
            "x_pred": r.x_pred[0],
            "p_pred": r.P_pred[0, 0],
            "gain": r.K[0],
            "x_post": r.x[0],
            "v_post": r.x[1],
            "p_post": r.P[0, 0],
        }[p["ask"]]
    )


REFERENCE: dict[str, Callable[[Mapping[str, Any]], Any]] = {
    "conv2d_output_shape": lambda p: engine.conv2d_output_shape(
        p["input_shape"],
        p["out_channels"],
        p["kernel_size"],
        p["stride"],
        p["padding"],
        p["dilation"],
        p["groups"],
    ),
    "conv_transpose_output_shape": lambda p: engine.conv_transpose2d_output_shape(
        p["input_shape"],
        p["out_channels"],
        p["kernel_size"],
        p["stride"],
        p["padding"],
        p["output_padding"],
        p["dilation"],
    ),
    "pool_output_shape": lambda p: engine.pool2d_output_shape(
        p["input_shape"], p["kernel_size"], p["stride"], p["padding"], p["dilation"], p["ceil_mode"]
    ),
    "conv_params": lambda p: engine.conv2d_params(
        p["in_channels"], p["out_channels"], p["kernel_size"], p["groups"], p["bias"]
    ),
    "separable_conv_params": _separable,
    "conv_macs": lambda p: engine.conv2d_macs(
        p["input_shape"],
        p["out_channels"],
        p["kernel_size"],
        p["stride"],
        p["padding"],
        1,
        p["groups"],
    ),
    "fc_vs_conv_params": _fc_vs_conv,
    "conv_mode_output": lambda p: (
        engine.convolve2d if p["op"] == "convolve" else engine.correlate2d
    )(p["image"], p["kernel"], p["mode"]),
    "conv_mode_size": lambda p: [
        engine.conv_mode_output_size(p["image_shape"][0], p["kernel_shape"][0], p["mode"]),
        engine.conv_mode_output_size(p["image_shape"][1], p["kernel_shape"][1], p["mode"]),
    ],
    "cross_entropy": lambda p: engine.cross_entropy(
        np.array(p["logits"]), np.array(p["target"]), label_smoothing=p["label_smoothing"]
    ),
    "cross_entropy_grad": lambda p: engine.cross_entropy_grad(
        np.array(p["logits"]), np.array(p["target"]), label_smoothing=p["label_smoothing"]
    ),
    "softmax": lambda p: engine.softmax(p["logits"]),
    "bce": lambda p: engine.bce_with_logits(
        p["logits"], p["targets"], pos_weight=p["pos_weight"], reduction=p["reduction"]
    ),
    "focal_loss": lambda p: engine.sigmoid_focal_loss(
        p["logits"], p["targets"], p["alpha"], p["gamma"], p["reduction"]
    ),
    "hinge_loss": lambda p: engine.multiclass_hinge_loss(
        p["scores"], np.array(p["targets"]), p["margin"]
    ),
    "hinge_grad": lambda p: engine.multiclass_hinge_grad(
        p["scores"], np.array(p["targets"]), p["margin"]
    ),
    "smooth_l1": lambda p: engine.smooth_l1_loss(p["pred"], p["target"], p["beta"], p["reduction"]),
    "box_iou": lambda p: engine.box_iou(p["box_a"], p["box_b"]),
    "giou": lambda p: (engine.giou if p["metric"] == "giou" else engine.diou)(
        p["box_a"], p["box_b"]
    ),
    "mask_iou": lambda p: engine.mask_iou(p["mask_a"], p["mask_b"]),
    "precision_recall_f1": lambda p: getattr(
        engine.precision_recall_f1(p["tp"], p["fp"], p["fn"]), p["ask"]
    ),
    "voc_ap": lambda p: engine.voc_ap(
        p["ground_truths"], p["detections"], p["iou_threshold"], p["method"]
    )[1],
    "coco_ap": lambda p: (
        engine.coco_map(p["ground_truths"], p["detections"]).map_50
        if p["iou_threshold"] == 0.5
        else engine.coco_map(p["ground_truths"], p["detections"]).map_75
    ),
    "slice": lambda p: engine.eval_slice(p["sequence"], p["slice"]),
    "init_std": _init,
    "lr_scale": lambda p: engine.scale_lr(p["base_lr"], p["base_batch"], p["new_batch"], p["rule"]),
    "receptive_field": lambda p: getattr(engine.receptive_field(p["layers"]), p["ask"]),
    "batch_norm": _bn,
    "nms": lambda p: engine.nms(p["boxes"], p["scores"], p["iou_threshold"], p["classes"]),
    "anchor_assignment": _anchors,
    "optimizer_step": _optimizer,
    "layer_norm": _layer_norm,
    "group_norm": _group_norm,
    "quantize": _quantize,
    "attention_cost": _attention,
    "segmentation_iou": _segmentation,
    "bilinear_interpolate": _bilinear,
    "oks": _oks,
    "camera_project": _camera,
    "homography_apply": lambda p: list(engine.homography_apply(p["H"], p["point"])),
    "ransac_iterations": lambda p: engine.ransac_iterations(
        p["inlier_ratio"], p["sample_size"], p["confidence"]
    ),
    "kalman_predict": _kalman,
}

NAMES = [g.name for g in list_generators()]
NEW_IN_ROUND_TWO = (
    "nms",
    "anchor_assignment",
    "attention_cost",
    "optimizer_step",
    "layer_norm",
    "group_norm",
    "segmentation_iou",
    "bilinear_interpolate",
    "quantize",
    "oks",
    "camera_project",
    "homography_apply",
    "kalman_predict",
    "ransac_iterations",
)


def card(generator: str | None, params: Mapping[str, Any] | None = None, **fields: Any) -> Card:
    return Card(
        id="c", type=CardType.COMPUTE, generator=generator, params=dict(params or {}), **fields
    )


def test_every_generator_has_an_engine_reference() -> None:
    assert sorted(NAMES) == sorted(REFERENCE)
    assert len(NAMES) >= 42


@pytest.mark.parametrize("name", NAMES)
def test_answers_come_from_the_engine_and_the_shown_answer_is_accepted(name: str) -> None:
    reference = REFERENCE[name]
    for seed in SEEDS:
        instance = generate(card(name), seed)
        want = reference(instance.params)
        got = instance.expected
        if isinstance(want, str):
            assert got == want
        else:
            np.testing.assert_allclose(
                np.ravel(np.asarray(got, dtype=float)),
                np.ravel(np.asarray(want, dtype=float)),
                rtol=0,
                atol=1e-12,
            )
        if instance.kind in (AnswerKind.SHAPE, AnswerKind.INTEGER):
            assert got == (tuple(want) if instance.kind is AnswerKind.SHAPE else want)
        verdict = judge_instance(instance, instance.expected_text)
        assert verdict.correct, (seed, instance.expected_text, verdict.message)
        assert (
            instance.kind in next(g.kinds for g in list_generators() if g.name == name)
            or name == "slice"
        )
        assert (
            instance.prompt.zh and instance.prompt.en and instance.prompt.zh != instance.prompt.en
        )
        assert instance.solution.zh and instance.solution.en


@pytest.mark.parametrize("name", NAMES)
def test_the_same_seed_gives_the_same_instance(name: str) -> None:
    for seed in (0, 7, 2**40 + 3):
        assert generate(card(name), seed) == generate(card(name), seed)
    prompts = {generate(card(name), seed).prompt.en for seed in range(30)}
    assert len(prompts) > 5, "seeds should give different problems"


def test_draws_are_pinned_so_stored_seeds_show_the_same_problem() -> None:
    # A change here means reviews logged earlier would show a different problem than was answered.
    assert generate(card("conv2d_output_shape"), 42).params == {
        "input_shape": [32, 128, 127, 127],
        "out_channels": 128,
        "kernel_size": 11,
        "stride": 1,
        "padding": 0,
        "dilation": 3,
        "groups": 2,
    }
    assert generate(card("slice"), 42).params == {
        "sequence": [18, 39, 44, 92, 20, 70],
        "slice": "-4::-2",
    }
    assert generate(card("softmax"), 3).params == {"logits": [0.0, 2.0]}


def _matrices(params: Mapping[str, Any]) -> list[Any]:
    return [v for v in params.values() if isinstance(v, list) and v and isinstance(v[0], list)]


@pytest.mark.parametrize("name", NAMES)
def test_problems_are_small_enough_to_solve_by_hand(name: str) -> None:
    for seed in range(100):
        instance = generate(card(name), seed)
        params = instance.params
        for matrix in _matrices(params):
            assert len(matrix) <= 5 and all(len(row) <= 5 for row in matrix), matrix
        if instance.kind is AnswerKind.MATRIX:
            assert len(instance.expected) <= 5 and all(len(r) <= 5 for r in instance.expected)
        for key in ("logits", "scores"):
            if key in params and name != "nms":  # class scores; NMS has one score per box
                assert np.asarray(params[key]).shape[-1] <= 4
        if "detections" in params:
            assert 3 <= len(params["detections"]) <= 6 and 2 <= len(params["ground_truths"]) <= 4
            scores = [d["score"] for d in params["detections"]]
            assert len(set(scores)) == len(scores)
            assert all(v == int(v) for d in params["detections"] for v in d["bbox"])


def test_conv_mode_instances_are_3_to_5_with_small_integers() -> None:
    for seed in range(100):
        p = generate(card("conv_mode_output"), seed).params
        assert 3 <= len(p["image"]) <= 5 and 2 <= len(p["kernel"]) <= 3
        assert all(
            isinstance(v, int) and -2 <= v <= 3 for row in p["image"] + p["kernel"] for v in row
        )


def test_detection_ious_stay_clear_of_the_threshold() -> None:
    for seed in range(100):
        p = generate(card("voc_ap"), seed).params
        for det in p["detections"]:
            for gt in p["ground_truths"]:
                if gt["image_id"] == det["image_id"]:
                    a = [
                        *det["bbox"][:2],
                        det["bbox"][0] + det["bbox"][2],
                        det["bbox"][1] + det["bbox"][3],
                    ]
                    b = [
                        *gt["bbox"][:2],
                        gt["bbox"][0] + gt["bbox"][2],
                        gt["bbox"][1] + gt["bbox"][3],
                    ]
                    assert abs(engine.box_iou(a, b) - 0.5) >= 0.04


def test_narrowed_params_are_respected() -> None:
    narrowed = card(
        "conv2d_output_shape", {"stride": [2], "dilation": [2], "kernel": {"min": 3, "max": 5}}
    )
    for seed in range(50):
        p = generate(narrowed, seed).params
        assert p["stride"] == 2 and p["dilation"] == 2 and p["kernel_size"] in (3, 5)
    for seed in range(50):
        p = generate(
            card("cross_entropy", {"classes": {"min": 3, "max": 3}, "batch": 2}), seed
        ).params
        assert np.asarray(p["logits"]).shape == (2, 3)
    for seed in range(30):
        p = generate(
            card("pool_output_shape", {"ceil_mode": [True], "stride": ["kernel"]}), seed
        ).params
        assert p["ceil_mode"] is True and p["stride"] is None


def test_card_decimals_and_tolerance_override_the_generator() -> None:
    base = generate(card("cross_entropy"), 5)
    assert base.decimals == 3
    two = generate(card("cross_entropy", decimals=2), 5)
    assert two.decimals == 2 and two.rel_tol is None
    assert two.expected_text == f"{base.expected:.2f}".rstrip("0").rstrip(".")
    assert two.hint is not None and "2 decimals" in two.hint.get("en")
    loose = generate(card("cross_entropy", tolerance={"rel": 0.05}), 5)
    assert loose.decimals is None and loose.rel_tol == 0.05
    assert judge_instance(loose, str(base.expected * 1.04)).correct
    assert not judge_instance(two, str(base.expected + 0.02)).correct


def test_a_wrong_answer_is_wrong() -> None:
    instance = generate(card("conv2d_output_shape"), 1)
    n, c, h, w = instance.expected
    assert not judge_instance(instance, f"({n}, {c}, {h + 1}, {w})").correct
    assert "H" in judge_instance(instance, f"({n}, {c}, {h + 1}, {w})").message


def test_check_card_accepts_a_good_card() -> None:
    assert check_card(card("conv2d_output_shape", {"stride": [1, 2]})) == []


@pytest.mark.parametrize(
    ("bad", "expected"),
    [
        (card("cross_entropi"), "did you mean 'cross_entropy'"),
        (card(None), "names no generator"),
        (card("nonsense_name_xyz"), "unknown generator 'nonsense_name_xyz'"),
        (card("cross_entropy", {"clases": [3]}), "did you mean 'classes'"),
        (card("cross_entropy", {"temperature": [3]}), "has no parameter 'temperature'"),
        (
            card("conv2d_output_shape", {"kernel": [4]}),
            "4 is not allowed (allowed: 1, 3, 5, 7, 11)",
        ),
        (card("cross_entropy", {"classes": {"min": 1, "max": 9}}), "goes outside the allowed 2..4"),
        (card("cross_entropy", {"classes": [5]}), "5 is not allowed (allowed: 2..4)"),
        (card("conv2d_output_shape", {"square": [1]}), "1 is not allowed (allowed: true, false)"),
        (
            card("conv2d_output_shape", {"kernel": {"min": 12, "max": 20}}),
            "no allowed value lies in 12..20",
        ),
        # a range over a list of choices is held to them as a range over min..max is (it was cut down)
        (
            card("conv2d_output_shape", {"stride": {"min": 0, "max": 5}}),
            "range 0..5 goes outside the allowed 1, 2, 3, 4",
        ),
        (card("conv2d_output_shape", {"channels": [3], "groups": [2]}), "no valid problem"),
        (
            card(
                "conv_mode_output",
                {"image": [3], "kernel": [3], "mode": ["full"], "values": ["small"], "op": ["x"]},
            ),
            "'x' is not allowed",
        ),
    ],
)
def test_check_card_reports_bad_cards(bad: Card, expected: str) -> None:
    problems = check_card(bad)
    assert problems and any(expected in p for p in problems), problems


def test_generate_raises_on_a_bad_card_and_a_bad_seed() -> None:
    with pytest.raises(GeneratorError, match="did you mean"):
        generate(card("softmx"), 0)
    with pytest.raises(GeneratorError, match=r"params\.classes"):
        generate(card("softmax", {"classes": [9]}), 0)
    with pytest.raises(GeneratorError, match="seed"):
        generate(card("softmax"), -1)


def test_list_generators_describes_every_parameter() -> None:
    infos = list_generators()
    topics = [
        "shapes",
        "signal",
        "losses",
        "detection",
        "proposals",
        "dense",
        "training",
        "geometry",
        "misc",
    ]
    assert [i.topic for i in infos] == sorted((i.topic for i in infos), key=topics.index)
    beyond_the_notes = {"batch_norm", "receptive_field", *NEW_IN_ROUND_TWO} - {"segmentation_iou"}
    for info in infos:
        assert info.title.zh and info.title.en and info.kinds
        assert bool(info.notes) != (info.name in beyond_the_notes), info.name
        for spec in info.params:
            assert spec.description.zh and spec.description.en and spec.describe()


def test_calculate_solves_given_parameters() -> None:
    result = calculate(
        "conv2d_output_shape",
        {
            "input_shape": [1, 3, 224, 224],
            "out_channels": 64,
            "kernel_size": 7,
            "stride": 2,
            "padding": 3,
        },
    )
    assert result.expected == (1, 64, 112, 112) and result.expected_text == "(1, 64, 112, 112)"
    assert "112" in result.solution.en
    ce = calculate("cross_entropy", {"logits": [2.0, 1.0, 0.1], "target": 0})
    assert math.isclose(ce.expected, 0.4170300162778335) and ce.expected_text == "0.417"
    with pytest.raises(engine.EngineError, match="spans"):
        calculate(
            "conv2d_output_shape",
            {"input_shape": [1, 3, 4, 4], "out_channels": 8, "kernel_size": 7},
        )


def test_worked_solutions_show_the_intermediate_steps() -> None:
    voc = generate(card("voc_ap", {"method": ["all-point"]}), 3)
    assert (
        "cum TP" in voc.solution.en and "interp. P" in voc.solution.en and "AP =" in voc.solution.en
    )
    coco = generate(card("coco_ap"), 3)
    assert "101" in coco.solution.en and "points" in coco.solution.en
    conv = generate(card("conv_mode_output", {"op": ["convolve"]}), 3)
    assert "K' =" in conv.solution.en and "out[0,0]" in conv.solution.en
    ce = generate(card("cross_entropy"), 3)
    assert "e^{z_c}" in ce.solution.en and "累计" not in ce.solution.en


# --------------------------------------------------------------------------------------------------------------
# The bundled practice decks


PRACTICE = sorted(bundled_decks_dir().glob("practice-*.yaml"))


def _practice_cards() -> list[tuple[str, Card]]:
    return [(path.name, c) for path in PRACTICE for c in load_deck(path, bundled=True).cards]


def test_practice_decks_cover_every_generator() -> None:
    cards = _practice_cards()
    assert len(PRACTICE) >= 9
    assert len(cards) >= 120
    assert sum(c.generator in NEW_IN_ROUND_TWO for _, c in cards) >= 36
    assert {c.generator for _, c in cards} == set(NAMES)
    assert all(c.type is CardType.COMPUTE for _, c in cards)
    drills = {g.name: g.notes for g in list_generators()}
    assert all(
        any(t.startswith("notes::") for t in c.tags) for _, c in cards if drills[c.generator or ""]
    )
    assert all(c.question.zh and c.question.en for _, c in cards if c.question.strings())


def test_no_two_practice_cards_ask_the_same_question() -> None:
    seen: dict[tuple[str | None, str], str] = {}
    for name, c in _practice_cards():
        key = (c.generator, repr(sorted(c.params.items())))
        assert key not in seen, f"{name}:{c.id} repeats {seen[key]}"
        seen[key] = f"{name}:{c.id}"


@pytest.mark.parametrize(
    ("deck", "practice_card"), _practice_cards(), ids=lambda v: v if isinstance(v, str) else v.id
)
def test_every_practice_card_generates_valid_instances(deck: str, practice_card: Card) -> None:
    assert check_card(practice_card, samples=5) == []
    for seed in range(50):
        instance = generate(practice_card, seed)
        assert judge_instance(instance, instance.expected_text).correct


# --------------------------------------------------------------------------------------------------------------
# Formatting the expected answer


@given(
    st.floats(min_value=-1e6, max_value=1e6, allow_nan=False),
    st.one_of(st.none(), st.integers(min_value=0, max_value=8)),
    st.sampled_from([None, 1e-4, 1e-3, 0.01, 0.05]),
)
def test_a_displayed_number_is_accepted_with_its_tolerance(
    value: float, decimals: int | None, rel: float | None
) -> None:
    shown = format_expected(value, AnswerKind.NUMBER, decimals, rel, None)
    assert judge(shown, value, AnswerKind.NUMBER, rel_tol=rel, decimals=decimals).correct


@given(
    st.lists(
        st.lists(st.floats(min_value=-100, max_value=100), min_size=3, max_size=3),
        min_size=1,
        max_size=4,
    )
)
def test_a_displayed_matrix_is_accepted(rows: list[list[float]]) -> None:
    shown = format_expected(rows, AnswerKind.MATRIX, 3, None, None)
    assert judge(shown, rows, AnswerKind.MATRIX, decimals=3).correct


def test_instance_is_a_frozen_dataclass() -> None:
    instance = generate(card("softmax"), 0)
    assert isinstance(instance, Instance)
    with pytest.raises(AttributeError):
        instance.seed = 1  # type: ignore[misc]


def test_practice_decks_exist_where_the_package_finds_them() -> None:
    assert all(Path(p).is_file() for p in PRACTICE)


def test_docs_generators_md_is_current() -> None:
    import importlib.util

    root = Path(__file__).resolve().parent.parent
    spec = importlib.util.spec_from_file_location(
        "gen_generators_doc", root / "scripts" / "gen_generators_doc.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    current = (root / "docs" / "generators.md").read_text(encoding="utf-8")
    assert current == module.generators_doc(), "run python scripts/gen_generators_doc.py"


# --------------------------------------------------------------------------------------------------------------
# Worked solutions: every printed step can be redone from the printed numbers


def _solved(name: str, seed: int) -> tuple[Instance, Any]:
    instance = generate(card(name), seed)
    return instance, lookup(name).solve(instance.params)


@pytest.mark.parametrize("name", NAMES)
def test_every_printed_step_redoes_from_the_printed_numbers(name: str) -> None:
    """Redo each recorded step with its operands as printed: the printed result must come out (rounded)."""
    steps = 0
    for seed in SEEDS:
        instance, solved = _solved(name, seed)
        assert solved.solution == instance.solution
        for check in solved.checks:
            steps += 1
            assert check.holds(), (seed, check.label, check.operands, check.result)
            assert check.result in solved.solution.en and check.result in solved.solution.zh
        assert not re.search("[\ue000-\ue002]", solved.solution.en + solved.solution.zh)
    assert steps >= len(SEEDS), "a generator's solution should record its computation steps"


_DECIMAL = re.compile(r"(?<![\w.])-?\d+\.\d+(?:e[-+]?\d+)?(?![\w.])")
# Constants of the formulas the solutions print (0.5·d²/β, 1 − p, ε = 1e-5 ...), not derived values.
_FORMULA_CONSTANTS = {"0.5", "0.1", "0.01", "0.05", "0.95", "0.00", "1.00", "0.50", "0.75", "1.0"}
_FORMULA_CONSTANTS |= {"0.9", "0.999", "0.001"}  # Adam's β₁, β₂ and 1 − β₂, momentum 0.9


@pytest.mark.parametrize("name", NAMES)
def test_every_printed_decimal_is_given_or_a_checked_step(name: str) -> None:
    """A worked solution derives no decimal outside the checked steps: each one it prints is in the prompt,
    a constant of a formula, or the operand or result of a recorded step."""
    for seed in range(60):
        instance, solved = _solved(name, seed)
        known = set(_DECIMAL.findall(instance.prompt.en)) | _FORMULA_CONSTANTS
        for check in solved.checks:
            known.update((check.result, *check.operands))
        stray = set(_DECIMAL.findall(solved.solution.en)) - known
        assert not stray, (seed, sorted(stray))


def test_digits_are_added_until_a_step_redoes() -> None:
    steps = Steps()
    p = steps.value(0.030103417)  # -ln 0.0301 = 3.5032, but the loss is 3.5031
    loss = steps.calc(lambda q: -math.log(q), p, label="-ln p")
    steps.add(f"-ln {p} = {loss}")
    assert steps.text().en == "-ln 0.030103 = 3.5031"
    (check, _) = steps.checks()
    assert check.operands == ("0.030103",) and check.result == "3.5031" and check.holds()
    lazy = Check("-ln p", lambda q: -math.log(q), ("0.0301",), "3.5031", 0.5e-4)
    assert not lazy.holds()


def test_a_step_that_disagrees_with_the_engine_is_a_bug() -> None:
    steps = Steps()
    with pytest.raises(AssertionError, match="engine"):
        steps.calc(lambda a, b: a / b, 1, 3, expect=0.3)
