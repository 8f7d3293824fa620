"""``cvquiz calc ...`` through CliRunner: answers with worked solutions, ``--json`` results, one-line errors.

Expected numbers here are the usual textbook values (ResNet's stem, CS231n's hinge example, softmax of
[2, 1, 0.1]) or pycocotools' output for the small files below, never the code under test.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from _english import english_words
from typer.testing import CliRunner

from cvquiz.cli.app import app

runner = CliRunner()


def calc(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["--lang", "en", "calc", *args])
    return result.exit_code, result.stdout, result.stderr


def calc_json(*args: str) -> dict[str, object]:
    code, out, err = calc(*args, "--json")
    assert code == 0, err
    data: dict[str, object] = json.loads(out)
    return data


@pytest.mark.parametrize(
    ("args", "answer"),
    [
        (
            ["conv2d", "--input", "1,3,224,224", "--out", "64", "-k", "7", "-s", "2", "-p", "3"],
            [1, 64, 112, 112],
        ),
        (["conv2d", "-i", "1,3,32,32", "-o", "16", "-k", "3", "-p", "same"], [1, 16, 32, 32]),
        (["conv2d", "-i", "2,8,10,12", "-o", "4", "-k", "3,5", "-d", "2", "-g", "4"], [2, 4, 6, 4]),
        (
            ["conv-transpose", "-i", "1,256,7,7", "-o", "128", "-k", "4", "-s", "2", "-p", "1"],
            [1, 128, 14, 14],
        ),
        (["pool", "-i", "1,64,112,112", "-k", "3", "-s", "2", "-p", "1"], [1, 64, 56, 56]),
        (["pool", "-i", "1,1,5,5", "-k", "2", "--ceil"], [1, 1, 3, 3]),
        (["params", "--in", "64", "--out", "128", "-k", "3"], 73856),
        (["params", "--in", "32", "--out", "32", "-k", "3", "-g", "32", "--no-bias"], 288),
        (["separable", "--in", "32", "--out", "64", "-k", "3"], 2336),
        (["macs", "-i", "1,3,224,224", "-o", "64", "-k", "7", "-s", "2", "-p", "3"], 118013952),
        (
            ["fc-vs-conv", "--size", "7", "--in", "512", "--out", "4096", "--flatten"],
            [102764544, 102764544],
        ),
        (["rf", "3,1", "3,1", "3,1"], 7),
        (["rf", "7,2", "3,2", "--stride"], 4),
        (["slice", "[0,1,2,3,4]", "3::-1"], [3, 2, 1, 0]),
        (["slice", "abcdef", "-2::-2"], "eca"),
        (["prf", "--tp", "6", "--fp", "2", "--fn", "4", "--ask", "precision"], 0.75),
        (["iou", "0,0,4,4", "2,2,6,6"], 4 / 28),
        (["iou", "0,0,2,2", "3,0,5,2", "--metric", "giou"], -0.2),
        (["mask-iou", "--a", "1 1; 0 0", "--b", "1 0; 1 0"], 1 / 3),
        (["lr", "--lr", "0.1", "--base-batch", "256", "--batch", "1024"], 0.4),
        (["lr", "--lr", "0.1", "--base-batch", "256", "--batch", "1024", "--rule", "sqrt"], 0.2),
        (["hinge", "--scores", "3.2 5.1 -1.7", "--target", "0"], 2.9),
        (["smooth-l1", "--pred", "0.5,3", "--target", "0,0"], (0.125 + 2.5) / 2),
        (
            ["conv-mode", "--image", "1 2; 3 4", "--kernel", "1 0; 0 1", "--mode", "full"],
            [[1, 2, 0], [3, 5, 2], [0, 3, 4]],
        ),
        (
            [
                "conv-mode",
                "--image",
                "1 2 3; 4 5 6; 7 8 9",
                "--kernel",
                "0 1; 0 0",
                "--mode",
                "valid",
                "--op",
                "correlate",
            ],
            [[2, 3], [5, 6]],
        ),
        (["bn", "--x", "1; 3", "--ask", "running_var"], [0.9 + 0.1 * 2.0]),
    ],
)
def test_calc_answers(args: list[str], answer: object) -> None:
    data = calc_json(*args)
    result = data["result"]
    if isinstance(answer, float):
        assert isinstance(result, float) and result == pytest.approx(answer, abs=1e-9)
    elif isinstance(answer, list) and answer and isinstance(answer[0], float):
        assert result == pytest.approx(answer, abs=1e-9)
    else:
        assert result == answer
    assert data["answer"] and data["inputs"]


def test_cross_entropy_prints_the_answer_and_the_softmax_table() -> None:
    code, out, _ = calc("ce", "--logits", "2,1,0.1", "--target", "0")
    assert code == 0
    assert out.startswith("Answer: 0.417")
    assert "worked solution" in out and "0.659" in out and "2.71828" in out
    assert calc_json("ce", "--logits", "2,1,0.1", "--target", "0")["result"] == pytest.approx(
        0.4170300162778335
    )


def test_cross_entropy_batch_and_gradient() -> None:
    loss = calc_json("ce", "--logits", "2,1,0.1; 0,0,0", "--target", "0,2")["result"]
    assert loss == pytest.approx((0.4170300162778335 + 1.0986122886681098) / 2)
    grad = calc_json("ce", "--logits", "0,0", "--target", "1", "--grad")["result"]
    assert grad == pytest.approx([0.5, -0.5])
    softmax = calc_json("softmax", "--logits", "0,0,0,0")["result"]
    assert softmax == pytest.approx([0.25] * 4)


def test_binary_losses() -> None:
    assert calc_json("bce", "--logits", "0", "--targets", "1")["result"] == pytest.approx(
        0.6931471805599453
    )
    # α = 0.25, γ = 2 at x = 0: 0.25 · 0.5² · ln 2.
    assert calc_json("focal", "--logits", "0", "--targets", "1")["result"] == pytest.approx(
        0.25 * 0.25 * 0.6931471805599453
    )
    grad = calc_json("hinge", "--scores", "3.2 5.1 -1.7", "--target", "0", "--grad")["result"]
    assert isinstance(grad, list) and grad[0] == pytest.approx([-1.0, 1.0, 0.0])


def test_init_matches_the_textbook_formulas() -> None:
    assert calc_json("init", "--shape", "64,32,3,3")["result"] == pytest.approx((2 / 288) ** 0.5)
    assert calc_json(
        "init", "--shape", "100,200", "--scheme", "xavier_uniform", "--nonlinearity", "linear"
    )["result"] == pytest.approx((6 / 300) ** 0.5)


GT = {
    "images": [{"id": 1}],
    "annotations": [
        {
            "id": 1,
            "image_id": 1,
            "category_id": 1,
            "bbox": [10, 10, 20, 20],
            "area": 400,
            "iscrowd": 0,
        },
        {
            "id": 2,
            "image_id": 1,
            "category_id": 1,
            "bbox": [50, 50, 20, 20],
            "area": 400,
            "iscrowd": 0,
        },
        {
            "id": 3,
            "image_id": 1,
            "category_id": 2,
            "bbox": [0, 0, 10, 10],
            "area": 100,
            "iscrowd": 0,
        },
    ],
}
DETS = [
    {"image_id": 1, "category_id": 1, "bbox": [11, 10, 20, 20], "score": 0.9},
    {"image_id": 1, "category_id": 1, "bbox": [60, 60, 20, 20], "score": 0.8},
    {"image_id": 1, "category_id": 1, "bbox": [50, 51, 20, 20], "score": 0.7},
    {"image_id": 1, "category_id": 2, "bbox": [0, 0, 10, 9], "score": 0.6},
]


@pytest.fixture
def annotation_files(tmp_path: Path) -> tuple[str, str]:
    gt, dets = tmp_path / "gt.json", tmp_path / "dets.json"
    gt.write_text(json.dumps(GT))
    dets.write_text(json.dumps(DETS))
    return str(gt), str(dets)


def test_map_coco_agrees_with_pycocotools(annotation_files: tuple[str, str]) -> None:
    gt, dets = annotation_files
    data = calc_json("map", "--gt", gt, "--dets", dets)
    result = data["result"]
    assert isinstance(result, dict)
    # pycocotools 2.0 COCOeval(bbox).summarize() on these files: 0.826, 0.917, 0.917.
    assert result["map"] == pytest.approx(0.8257425742574257)
    assert result["map_50"] == pytest.approx(0.9174917491749174)
    code, out, _ = calc("map", "--gt", gt, "--dets", dets)
    assert code == 0 and "AP @[.50:.95]" in out and "AR maxDets=100" in out


def test_map_voc_shows_each_class_worked(annotation_files: tuple[str, str]) -> None:
    gt, dets = annotation_files
    # Class 1: TP, FP, TP with 2 objects -> 0.5·1 + 0.5·(2/3); class 2: 1.0.
    data = calc_json("map", "--gt", gt, "--dets", dets, "--metric", "voc")
    assert data["result"] == {
        "map": pytest.approx((0.5 + 1 / 3 + 1.0) / 2),
        "per_class": {"1": pytest.approx(0.5 + 1 / 3), "2": 1.0},
    }
    code, out, _ = calc("map", "--gt", gt, "--dets", dets, "--metric", "voc")
    assert code == 0 and "Category 1" in out and "cum TP" in out and "duplicate" not in out


def test_answers_and_solutions_follow_the_language() -> None:
    result = runner.invoke(app, ["--lang", "zh", "calc", "rf", "3,1", "3,1"])
    assert result.exit_code == 0
    assert result.stdout.startswith("答案：5") and "详细解答" in result.stdout


def test_list_generators() -> None:
    code, out, _ = calc("--list-generators")
    assert code == 0
    for name in ("conv2d_output_shape", "voc_ap", "slice", "batch_norm"):
        assert name in out


@pytest.mark.parametrize(
    ("args", "message", "exit_code"),
    [
        (
            ["conv2d", "--input", "1,3,4,4", "--out", "8", "-k", "7"],
            "kernel height 7 spans 7 > padded input height 4",
            2,
        ),
        (
            ["conv2d", "--input", "1,3,224", "--out", "8", "-k", "3"],
            "--input: expected 4 integers N,C,H,W",
            2,
        ),
        (
            ["conv2d", "--input", "1,3,32,32", "--out", "8", "-k", "3", "-s", "2", "-p", "same"],
            "padding='same'",
            2,
        ),
        (["ce", "--logits", "2,x,1", "--target", "0"], "--logits: could not read", 2),
        (["ce", "--logits", "2,1", "--target", "5"], "out of bounds", 2),
        (["pool", "-i", "1,1,4,4", "-k", "2", "-p", "2"], "padding 2 must be at most half", 2),
        (["slice", "[1,2,3]", "1:2:0"], "step cannot be zero", 2),
        (["iou", "0,0,4", "1,1,2,2"], "BOX_A: a box is four numbers", 2),
        (["conv-mode", "--image", "1 2; 3", "--kernel", "1", "--mode", "full"], "--image", 2),
        (
            ["conv-mode", "--image", "1 2; 3 4", "--kernel", "1", "--mode", "middle"],
            "--mode: use one of full, same, valid",
            2,
        ),
        (["rf", "3"], "each layer is k,s or k,s,d", 2),
        (["init", "--shape", "10", "--scheme", "xavier_normal"], "fewer than 2 dimensions", 2),
        (["lr", "--lr", "-1", "--base-batch", "8", "--batch", "16"], "base_lr must be positive", 2),
        # a soft target has no class for the worked solution's term (it was "too large or too small")
        (
            ["bce", "--logits", "1.5,-1", "--targets", "1,7"],
            "the worked solution takes targets 0 or 1; target 1 is 7",
            2,
        ),
        (
            ["focal", "--logits", "2,-1", "--targets", "0.5,0"],
            "the worked solution takes targets 0 or 1; target 0 is 0.5",
            2,
        ),
        (
            ["fc-vs-conv", "--size", "0", "--in", "512", "--out", "4096"],
            "--size: a feature map is at least 1×1, got '0'",
            2,
        ),
        (
            ["ce", "--logits", "2,1", "--target", "99999999999999999999999"],
            "--target: target 99999999999999999999999 is out of bounds for 2 classes",
            2,
        ),
        (["rf", "7,2,0"], "layer 1: dilation must be a positive integer, got 0", 2),
    ],
)
def test_bad_input_is_one_error_line(args: list[str], message: str, exit_code: int) -> None:
    code, out, err = calc(*args)
    assert code == exit_code
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and message in lines[0], err
    assert "Traceback" not in err


def test_unreadable_annotation_files(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    code, _, err = calc("map", "--gt", str(bad), "--dets", str(bad))
    assert code == 2 and err.startswith("Error: --gt:") and "not valid JSON" in err
    code, _, err = calc("map", "--gt", str(tmp_path / "missing.json"), "--dets", str(bad))
    assert code == 2 and "cannot read" in err


def test_calc_help_does_not_import_the_engine() -> None:
    probe = (
        "import sys\nsys.argv = ['cvquiz', 'calc', '--help']\nfrom cvquiz.cli.app import app\n"
        "try:\n    app()\nexcept SystemExit:\n    pass\nprint('numpy' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip().splitlines()[-1] == "False"


def test_calc_speaks_chinese() -> None:
    result = runner.invoke(
        app, ["--lang", "zh", "calc", "conv2d", "--input", "1,3,8,8", "--out", "1", "-k", "3"]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("答案：(1, 1, 6, 6)")
    # the worked solution is the generator's own bilingual text; the frame around it is translated
    assert "详细解答" in result.stdout and "宽度同理" in result.stdout
    listing = runner.invoke(app, ["--lang", "zh", "calc", "--list-generators"]).stdout
    assert listing.split()[:3] == ["题型", "答案", "所问内容"] and "形状" in listing
    for args, expected in (
        (["conv2d", "--input", "1,3,8", "--out", "1", "-k", "3"], "--input：应为 4 个整数 N,C,H,W"),
        (["iou", "0,0,1", "1,1,2,2"], "BOX_A：一个框是四个数"),
        (
            ["prf", "--tp", "1", "--fp", "1", "--fn", "1", "--ask", "x"],
            "--ask：请用 precision, recall, f1 之一",
        ),
        (["ce", "--logits", "1,2", "--target", "0,1"], "--target：一行 logits 只给一个类别索引"),
        (["rf", "3"], "LAYERS：每层写成 k,s 或 k,s,d"),
        (["rf", "7,2,0"], "第 1 层：dilation 必须是正整数"),
        (["bce", "--logits", "1,2", "--targets", "1,0.5"], "目标只能是 0 或 1"),
    ):
        result = runner.invoke(app, ["--lang", "zh", "calc", *args])
        assert result.exit_code != 0 and expected in result.stderr, result.stderr
        allowed = {"precision", "recall", "logits", "dilation"}
        assert english_words(result.stderr, allow=allowed) == []
