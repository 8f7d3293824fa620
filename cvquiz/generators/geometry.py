"""Generators about geometry and tracking: pinhole projection, applying a homography, RANSAC's iteration count
and one predict/update of a constant-velocity Kalman filter.

Cameras follow OpenCV's convention (x right, y down, z forward, no distortion); points have small integer
coordinates; RANSAC problems keep log(1 − p)/log(1 − wˢ) away from a whole number, so that rounding up is
never in doubt.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from cvquiz import engine
from cvquiz.answers import AnswerKind
from cvquiz.generators.core import Draw, ParamSpec, Reject, Solved, register
from cvquiz.generators.text import Steps, bi, num, spaced
from cvquiz.i18n import N_


def _same(value: float) -> float:
    return value


def _matrix_text(rows: Sequence[Sequence[float]]) -> str:
    return (
        "\\begin{bmatrix}"
        + "\\\\".join(" & ".join(num(v) for v in row) for row in rows)
        + "\\end{bmatrix}"
    )


def _paren(value: float) -> str:
    return f"({num(value)})" if value < 0 else num(value)


# --------------------------------------------------------------------------------------------------------------
# Pinhole projection

ROTATIONS: dict[str, tuple[tuple[int, ...], ...]] = {
    "yaw90": ((0, 0, 1), (0, 1, 0), (-1, 0, 0)),
    "yaw-90": ((0, 0, -1), (0, 1, 0), (1, 0, 0)),
    "roll180": ((-1, 0, 0), (0, -1, 0), (0, 0, 1)),
    "roll90": ((0, -1, 0), (1, 0, 0), (0, 0, 1)),
}
"""Rotations with integer entries, so that the camera coordinates stay whole numbers."""


def solve_camera_project(params: Mapping[str, Any]) -> Solved:
    """The pixel (u, v) of a 3-D point through a pinhole camera K [R | t]."""
    fx, fy = float(params["fx"]), float(params["fy"])
    cx, cy = float(params["cx"]), float(params["cy"])
    point = [float(v) for v in params["point"]]
    rotation = params.get("rotation")
    translation = params.get("translation")
    R = None if rotation is None else np.asarray(ROTATIONS[str(rotation)], dtype=np.float64)
    K = engine.intrinsics(fx, fy, cx, cy)
    projection = engine.camera_project(K, point, R, translation)
    expected = list(projection.pixel)
    world = rotation is not None or translation is not None
    k_text = _matrix_text(K.tolist())
    pose_zh = pose_en = ""
    if world:
        r_text = _matrix_text(R.tolist()) if R is not None else "I"
        t_text = "(" + ", ".join(num(v) for v in (translation or (0, 0, 0))) + ")^T"
        pose_zh = f"外参 $R = {r_text}$，$t = {t_text}$（世界到相机：$X_c = R X_w + t$）。点的世界坐标 $X_w"
        pose_en = (
            f"The extrinsics are $R = {r_text}$ and $t = {t_text}$ (world to camera: $X_c = R X_w + t$). The point "
            "has world coordinates $X_w"
        )
    else:
        pose_zh = "点在相机坐标系中的坐标 $X_c"
        pose_en = "The point has camera coordinates $X_c"
    coords = ", ".join(num(v) for v in point)
    prompt = bi(
        f"针孔相机（OpenCV 约定：x 向右、y 向下、z 朝前，无畸变），内参 $K = {k_text}$。{pose_zh} = ({coords})$。"
        "它投影到哪个像素 $(u, v)$？",
        f"A pinhole camera (OpenCV's convention: x right, y down, z forward; no distortion) has the intrinsics "
        f"$K = {k_text}$. {pose_en} = ({coords})$. Which pixel $(u, v)$ does it project to?",
    )
    steps = Steps()
    steps.math(
        "\\lambda \\begin{bmatrix}u\\\\ v\\\\ 1\\end{bmatrix} = K\\,[R \\mid t]\\begin{bmatrix}X\\\\ 1\\end{bmatrix}"
        ",\\qquad u = f_x \\frac{X_c}{Z_c} + c_x,\\quad v = f_y \\frac{Y_c}{Z_c} + c_y"
    )
    camera = projection.camera_point
    if world:
        rows = R.tolist() if R is not None else np.eye(3).tolist()
        shift = list(translation or (0.0, 0.0, 0.0))
        parts = []
        for axis, row, t_i, value in zip("XYZ", rows, shift, camera, strict=True):
            expression = " + ".join(
                f"{num(r)}\\cdot{_paren(p)}" for r, p in zip(row, point, strict=True) if r
            )
            parts.append(f"{axis}_c = {expression} + {_paren(t_i)} = {num(value)}")
        steps.math(",\\quad ".join(parts))
    X, Y, Z = camera
    u = steps.calc(lambda a, b, f=fx, c=cx: f * a / b + c, X, Z, label="u", expect=expected[0])
    v = steps.calc(lambda a, b, f=fy, c=cy: f * a / b + c, Y, Z, label="v", expect=expected[1])
    steps.math(
        f"u = {num(fx)}\\times\\frac{{{num(X)}}}{{{num(Z)}}} + {num(cx)} = {u},\\quad "
        f"v = {num(fy)}\\times\\frac{{{num(Y)}}}{{{num(Z)}}} + {num(cy)} = {v}"
    )
    steps.add(
        "先除以深度 $Z_c$（透视除法）再乘焦距、加主点：远处的点更靠近主点 $(c_x, c_y)$。",
        "Divide by the depth $Z_c$ first (the perspective division), then scale by the focal length and add the "
        "principal point: farther points land closer to $(c_x, c_y)$.",
    )
    steps.answer(f"[{u}, {v}]")
    return Solved(
        prompt,
        expected,
        AnswerKind.VECTOR,
        steps.text(),
        bi("按 [u, v] 作答，如 [412.5, 240]", "answer as [u, v], e.g. [412.5, 240]"),
        checks=tuple(steps.checks()),
    )


@register(
    "camera_project",
    title=bi(
        "针孔相机：三维点投影到像素（内参、外参）",
        "Pinhole camera: the pixel of a 3-D point (intrinsics, extrinsics)",
    ),
    kinds=[AnswerKind.VECTOR],
    space=[
        ParamSpec(
            "pose",
            bi(
                "camera：点已在相机坐标系；translation / rotation：给出外参",
                "camera: the point is in camera "
                "coordinates; translation / rotation: extrinsics are given",
            ),
            choices=("camera", "translation", "rotation"),
        ),
        ParamSpec(
            "focal", bi("焦距（像素）", "focal length (pixels)"), choices=(500, 600, 800, 1000)
        ),
        ParamSpec(
            "square_pixels", bi("f_x 是否等于 f_y", "whether f_x equals f_y"), choices=(True, False)
        ),
    ],
    solve=solve_camera_project,
    decimals=2,
)
def draw_camera_project(d: Draw) -> dict[str, Any]:
    f = d.param("focal")
    fy = f if d.param("square_pixels") else d.choice((500, 600, 800, 1000))
    if fy == f and not d.param("square_pixels"):
        raise Reject(N_("f_x equals f_y"))
    cx, cy = d.choice(((320, 240), (640, 360), (640, 480)))
    point = [d.integer(-3, 3), d.integer(-3, 3), d.integer(2, 10)]
    pose = d.param("pose")
    rotation = d.choice(tuple(ROTATIONS)) if pose == "rotation" else None
    translation = (
        [d.integer(-2, 2), d.integer(-2, 2), d.integer(0, 4)] if pose != "camera" else None
    )
    R = None if rotation is None else np.asarray(ROTATIONS[rotation], dtype=np.float64)
    camera = (
        R @ np.asarray(point, dtype=np.float64)
        if R is not None
        else np.asarray(point, dtype=np.float64)
    ) + (np.asarray(translation, dtype=np.float64) if translation is not None else 0.0)
    if camera[2] < 2:
        raise Reject(N_("the point is behind or too close to the camera"))
    u, v = f * camera[0] / camera[2] + cx, fy * camera[1] / camera[2] + cy
    if not (0 <= u <= 2 * cx and 0 <= v <= 2 * cy):
        raise Reject(N_("the point falls outside the image"))
    return {
        "fx": f,
        "fy": fy,
        "cx": cx,
        "cy": cy,
        "point": point,
        "rotation": rotation,
        "translation": translation,
    }


# --------------------------------------------------------------------------------------------------------------
# Homography


def solve_homography(params: Mapping[str, Any]) -> Solved:
    """Where a homography maps a point."""
    H = [[float(v) for v in row] for row in params["H"]]
    x, y = (float(v) for v in params["point"])
    expected = list(engine.homography_apply(H, [x, y]))
    prompt = bi(
        f"单应矩阵 $H = {_matrix_text(H)}$ 把点 $(x, y) = ({num(x)}, {num(y)})$ 映射到哪里？（齐次坐标 $(x, y, 1)$，"
        "结果除以第三个分量。）",
        f"Where does the homography $H = {_matrix_text(H)}$ map the point $(x, y) = ({num(x)}, {num(y)})$? "
        "(Use homogeneous coordinates $(x, y, 1)$ and divide by the third component.)",
    )
    steps = Steps()
    rows = []
    for name, row in zip(("x'", "y'", "w'"), H, strict=True):
        value = steps.calc(
            lambda a, b, c, x_=x, y_=y: a * x_ + b * y_ + c, row[0], row[1], row[2], label=name
        )
        rows.append(value)
        steps.math(
            f"{name} = {num(row[0])}\\cdot{_paren(x)} + {_paren(row[1])}\\cdot{_paren(y)} + {_paren(row[2])} = {value}"
        )
    xw = steps.calc(
        lambda a, w: a / w, rows[0], rows[2], places=4, label="x'/w'", expect=expected[0]
    )
    yw = steps.calc(
        lambda a, w: a / w, rows[1], rows[2], places=4, label="y'/w'", expect=expected[1]
    )
    steps.math(
        f"\\left(\\frac{{x'}}{{w'}}, \\frac{{y'}}{{w'}}\\right) = \\left(\\frac{{{rows[0]}}}{{{rows[2]}}}, \\frac{{{rows[1]}}}{{{rows[2]}}}\\right) = ({xw}, {yw})"
    )
    if H[2][0] == 0 and H[2][1] == 0:
        steps.add(
            "最后一行是 (0, 0, 1) 时 $w' = 1$：这是仿射变换（平行线保持平行）。",
            "With a last row of (0, 0, 1), $w' = 1$: an affine map (parallel lines stay parallel).",
        )
    else:
        steps.add(
            "最后一行的 $h_{31}, h_{32}$ 让 $w'$ 随位置变化：这正是透视效果（平行线会相交于消失点）。"
            "H 有 8 个自由度，4 对点（DLT）即可求出。",
            "The $h_{31}, h_{32}$ of the last row make $w'$ vary with the position: that is perspective (parallel "
            "lines meet at a vanishing point). H has 8 degrees of freedom, fixed by 4 point pairs (DLT).",
        )
    steps.answer(f"[{xw}, {yw}]")
    return Solved(
        prompt,
        expected,
        AnswerKind.VECTOR,
        steps.text(),
        bi("按 [x', y'] 作答，如 [12.5, 30]", "answer as [x', y'], e.g. [12.5, 30]"),
        checks=tuple(steps.checks()),
    )


@register(
    "homography_apply",
    title=bi("用单应矩阵映射一个点", "Mapping a point with a homography"),
    kinds=[AnswerKind.VECTOR],
    space=[
        ParamSpec(
            "kind",
            bi("仿射（最后一行 0 0 1）或透视", "affine (last row 0 0 1) or projective"),
            choices=("affine", "projective"),
        ),
    ],
    solve=solve_homography,
    decimals=2,
)
def draw_homography(d: Draw) -> dict[str, Any]:
    a, b = d.choice((1.0, 2.0, 0.5, 1.5)), d.choice((0.0, 0.5, -0.5, 1.0))
    c, e = d.choice((0.0, -0.5, 0.5, 1.0)), d.choice((1.0, 2.0, 0.5, 1.5))
    tx, ty = d.integer(-20, 20), d.integer(-20, 20)
    g, h = (
        (0.0, 0.0)
        if d.param("kind") == "affine"
        else (d.choice((0.0, 0.01, 0.02, -0.01)), d.choice((0.01, 0.02, -0.01, 0.005)))
    )
    H = [[a, b, float(tx)], [c, e, float(ty)], [g, h, 1.0]]
    if abs(a * e - b * c) < 0.25:
        raise Reject(N_("a nearly singular map"))
    point = [d.integer(0, 40), d.integer(0, 40)]
    w = g * point[0] + h * point[1] + 1
    if w < 0.3:
        raise Reject(N_("the point maps too far out"))
    return {"H": H, "point": point}


# --------------------------------------------------------------------------------------------------------------
# RANSAC iterations

MODELS: dict[int, tuple[str, str]] = {
    2: ("直线", "a line"),
    3: ("平面", "a plane"),
    4: ("单应矩阵（4 对点）", "a homography (4 point pairs)"),
    5: ("本质矩阵（五点法）", "an essential matrix (five-point algorithm)"),
    7: ("基础矩阵（七点法）", "a fundamental matrix (seven-point algorithm)"),
    8: ("基础矩阵（八点法）", "a fundamental matrix (eight-point algorithm)"),
}


def solve_ransac(params: Mapping[str, Any]) -> Solved:
    """RANSAC's iteration count for an inlier ratio, a minimal sample size and a confidence."""
    w, s, p = float(params["inlier_ratio"]), int(params["sample_size"]), float(params["confidence"])
    expected = engine.ransac_iterations(w, s, p)
    model_zh, model_en = MODELS.get(s, (f"{s} 点模型", f"a {s}-point model"))
    prompt = bi(
        f"用 RANSAC 拟合{model_zh}，每次随机取最少的 s = {s} 个点。数据中内点比例 w = {num(w)}，希望以至少 "
        f"p = {num(p)} 的概率至少抽到一次全是内点的样本（各次抽样独立）。最少需要多少次迭代？（向上取整。）",
        f"RANSAC fits {model_en} from minimal samples of s = {s} points drawn at random. The inlier ratio is "
        f"w = {num(w)}, and with probability at least p = {num(p)} at least one sample should be all inliers "
        "(samples drawn independently). What is the fewest number of iterations? (Round up.)",
    )
    steps = Steps()
    steps.math("1 - (1 - w^s)^N \\ge p \\iff N \\ge \\frac{\\log(1 - p)}{\\log(1 - w^s)}")
    clean = steps.calc(lambda x, k=s: x**k, w, places=6, label="w^s")
    top = steps.calc(lambda x: math.log(1 - x), p, label="log(1 - p)")
    bottom = steps.calc(lambda c: math.log(1 - c), clean, places=6, label="log(1 - w^s)")
    quotient = steps.calc(lambda a, b: a / b, top, bottom, places=3, label="quotient")
    answer = steps.calc(math.ceil, quotient, places=0, label="ceil", expect=expected)
    steps.add(
        f"一次抽样全是内点的概率 $w^s = {num(w)}^{s} = {clean}$。",
        f"A sample is all inliers with probability $w^s = {num(w)}^{s} = {clean}$.",
    )
    steps.math(
        f"N = \\left\\lceil \\frac{{\\ln(1 - {num(p)})}}{{\\ln(1 - {clean})}} \\right\\rceil = "
        f"\\left\\lceil \\frac{{{top}}}{{{bottom}}} \\right\\rceil = \\lceil {quotient} \\rceil = {answer}"
    )
    steps.add(
        "s 每加 1，$w^s$ 就再乘一次 w：外点多时最小样本越小越好（所以五点法优于八点法）。"
        "OpenCV 的 `RANSACUpdateNumIters` 取最近整数而不是向上取整。",
        "Each extra point in the sample multiplies $w^s$ by w again: with many outliers, smaller minimal samples "
        "win (which is why the five-point algorithm beats the eight-point one). OpenCV's `RANSACUpdateNumIters` "
        "rounds to the nearest integer instead of up.",
    )
    steps.answer(answer)
    return Solved(prompt, expected, AnswerKind.INTEGER, steps.text(), checks=tuple(steps.checks()))


@register(
    "ransac_iterations",
    title=bi("RANSAC 需要的迭代次数", "How many RANSAC iterations are needed"),
    kinds=[AnswerKind.INTEGER],
    space=[
        ParamSpec(
            "sample_size", bi("最小样本点数 s", "minimal sample size s"), choices=tuple(MODELS)
        ),
        ParamSpec(
            "inlier_ratio",
            bi("内点比例 w", "inlier ratio w"),
            choices=(0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9),
        ),
        ParamSpec("confidence", bi("置信度 p", "confidence p"), choices=(0.95, 0.99, 0.999)),
    ],
    solve=solve_ransac,
)
def draw_ransac(d: Draw) -> dict[str, Any]:
    s, w, p = d.param("sample_size"), d.param("inlier_ratio"), d.param("confidence")
    quotient = math.log1p(-p) / math.log1p(-(w**s))
    if quotient - math.floor(quotient) < 0.02 or quotient > 5000:
        raise Reject(N_("the quotient is nearly whole, or the count absurd"))
    return {"inlier_ratio": w, "sample_size": s, "confidence": p}


# --------------------------------------------------------------------------------------------------------------
# Kalman filter

_KALMAN_ASKS = {
    "x_pred": ("预测后的位置 $\\hat p^-$", "the predicted position $\\hat p^-$"),
    "p_pred": ("预测后的位置方差 $P^-_{00}$", "the predicted position variance $P^-_{00}$"),
    "gain": ("位置的卡尔曼增益 $K_0$", "the Kalman gain of the position, $K_0$"),
    "x_post": ("更新后的位置 $\\hat p$", "the updated position $\\hat p$"),
    "v_post": ("更新后的速度 $\\hat v$", "the updated velocity $\\hat v$"),
    "p_post": ("更新后的位置方差 $P_{00}$", "the updated position variance $P_{00}$"),
}


def solve_kalman(params: Mapping[str, Any]) -> Solved:
    """One predict/update of a 1-D constant-velocity Kalman filter."""
    x = [float(v) for v in params["x"]]
    P = [[float(v) for v in row] for row in params["P"]]
    Q = [[float(v) for v in row] for row in params["Q"]]
    z, dt, r = float(params["z"]), float(params["dt"]), float(params["R"])
    ask = str(params["ask"])
    if ask not in _KALMAN_ASKS:
        raise engine.EngineError(
            N_("ask must be one of {choices}, got {ask!r}"),
            choices=", ".join(_KALMAN_ASKS),
            ask=ask,
        )
    result = engine.kalman_cv_step(x, P, z, dt, Q, r)
    expected = float(
        {
            "x_pred": result.x_pred[0],
            "p_pred": result.P_pred[0, 0],
            "gain": result.K[0],
            "x_post": result.x[0],
            "v_post": result.x[1],
            "p_post": result.P[0, 0],
        }[ask]
    )
    F = [[1.0, dt], [0.0, 1.0]]
    prompt = bi(
        f"一维匀速运动的卡尔曼滤波（SORT 跟踪框所用的运动模型），状态 $x = (p, v)^T$（位置、速度）。"
        f"上一步后 $\\hat x = ({num(x[0])}, {num(x[1])})^T$，$P = {_matrix_text(P)}$。"
        f"$F = {_matrix_text(F)}$（$\\Delta t = {num(dt)}$），过程噪声 $Q = {_matrix_text(Q)}$，只观测位置 $H = [1, 0]$，"
        f"观测噪声 $R = {num(r)}$。先预测，再用观测 $z = {num(z)}$ 更新。求{spaced(_KALMAN_ASKS[ask][0])}。",
        f"A 1-D constant-velocity Kalman filter (the motion model of SORT's tracks) with state $x = (p, v)^T$ "
        f"(position, velocity). After the last step $\\hat x = ({num(x[0])}, {num(x[1])})^T$ and $P = {_matrix_text(P)}$; "
        f"$F = {_matrix_text(F)}$ ($\\Delta t = {num(dt)}$), process noise $Q = {_matrix_text(Q)}$, only the position "
        f"is observed, $H = [1, 0]$, with noise $R = {num(r)}$. Predict, then update with the measurement "
        f"$z = {num(z)}$. What is {_KALMAN_ASKS[ask][1]}?",
    )
    steps = Steps()
    steps.math(
        "\\hat x^- = F\\hat x,\\quad P^- = FPF^T + Q,\\quad S = HP^-H^T + R,\\quad K = P^-H^T/S,\\quad "
        "\\hat x = \\hat x^- + K(z - H\\hat x^-),\\quad P = (I - KH)P^-"
    )
    p_pred = steps.calc(
        lambda p, v, t=dt: p + v * t, x[0], x[1], label="p-", expect=float(result.x_pred[0])
    )
    steps.math(
        f"\\hat p^- = {num(x[0])} + {_paren(x[1])}\\times{num(dt)} = {p_pred},\\quad \\hat v^- = {num(x[1])}"
    )
    p00 = steps.calc(
        lambda a, b, c, q, t=dt: a + 2 * t * b + t * t * c + q,
        P[0][0],
        P[0][1],
        P[1][1],
        Q[0][0],
        label="P-00",
        expect=float(result.P_pred[0, 0]),
    )
    p01 = steps.calc(
        lambda b, c, q, t=dt: b + t * c + q,
        P[0][1],
        P[1][1],
        Q[0][1],
        label="P-01",
        expect=float(result.P_pred[0, 1]),
    )
    p11 = steps.calc(
        lambda c, q: c + q, P[1][1], Q[1][1], label="P-11", expect=float(result.P_pred[1, 1])
    )
    steps.math(
        f"P^-_{{00}} = P_{{00}} + 2\\Delta t P_{{01}} + \\Delta t^2 P_{{11}} + Q_{{00}} = {num(P[0][0])} + 2\\times{num(dt)}\\times{_paren(P[0][1])} + "
        f"{num(dt)}^2\\times{num(P[1][1])} + {num(Q[0][0])} = {p00}"
    )
    steps.math(
        f"P^-_{{01}} = P_{{01}} + \\Delta t P_{{11}} + Q_{{01}} = {num(P[0][1])} + {num(dt)}\\times{num(P[1][1])} + {num(Q[0][1])} = {p01},\\quad "
        f"P^-_{{11}} = {num(P[1][1])} + {num(Q[1][1])} = {p11}"
    )
    answer = {"x_pred": p_pred, "p_pred": p00}.get(ask)
    if answer is None:
        innovation = steps.calc(lambda a, b: a - b, z, p_pred, label="y")
        S = steps.calc(lambda a, b: a + b, p00, r, label="S")
        k0 = steps.calc(lambda a, b: a / b, p00, S, label="K0", expect=float(result.K[0]))
        k1 = steps.calc(lambda a, b: a / b, p01, S, label="K1", expect=float(result.K[1]))
        steps.math(
            f"y = z - \\hat p^- = {num(z)} - {steps.signed(p_pred)} = {innovation},\\quad S = P^-_{{00}} + R = {p00} + {num(r)} = {S}"
        )
        steps.math(
            f"K = \\frac{{1}}{{S}}(P^-_{{00}}, P^-_{{10}})^T = ({p00}/{S}, {p01}/{S})^T = ({k0}, {k1})^T"
        )
        if ask == "gain":
            answer = k0
        elif ask in ("x_post", "v_post"):
            new_p = steps.calc(
                lambda a, k, e: a + k * e,
                p_pred,
                k0,
                innovation,
                label="p",
                expect=float(result.x[0]),
            )
            new_v = steps.calc(
                lambda a, k, e: a + k * e,
                x[1],
                k1,
                innovation,
                label="v",
                expect=float(result.x[1]),
            )
            steps.math(
                f"\\hat p = {p_pred} + {k0}\\times{steps.signed(innovation)} = {new_p},\\quad "
                f"\\hat v = {num(x[1])} + {k1}\\times{steps.signed(innovation)} = {new_v}"
            )
            answer = new_p if ask == "x_post" else new_v
        else:
            answer = steps.calc(lambda k, a: (1 - k) * a, k0, p00, label="P00", expect=expected)
            steps.math(f"P_{{00}} = (1 - K_0)\\,P^-_{{00}} = (1 - {k0})\\times{p00} = {answer}")
        steps.add(
            "增益 K 在预测方差与观测噪声之间权衡：$P^-$ 大（不确定）就更信观测，R 大就更信预测；更新后方差总会变小。",
            "The gain weighs the prediction's uncertainty against the measurement noise: a large $P^-$ trusts the "
            "measurement more, a large R the prediction; the update always shrinks the variance.",
        )
    answer = steps.calc(_same, answer, label="answer", expect=expected)
    steps.answer(answer)
    return Solved(prompt, expected, AnswerKind.NUMBER, steps.text(), checks=tuple(steps.checks()))


@register(
    "kalman_predict",
    title=bi(
        "一维匀速卡尔曼滤波的一次预测与更新",
        "One predict and update of a 1-D constant-velocity Kalman filter",
    ),
    kinds=[AnswerKind.NUMBER],
    space=[
        ParamSpec("ask", bi("问哪个量", "which quantity"), choices=tuple(_KALMAN_ASKS)),
        ParamSpec("dt", bi("时间步 Δt", "time step Δt"), choices=(1.0, 0.5, 2.0)),
        ParamSpec(
            "process_noise",
            bi("过程噪声：none 为 Q = 0", "process noise: none is Q = 0"),
            choices=("none", "diagonal"),
        ),
    ],
    solve=solve_kalman,
    decimals=3,
)
def draw_kalman(d: Draw) -> dict[str, Any]:
    p, v = d.integer(-5, 10), d.integer(-3, 3)
    a, c = d.choice((1.0, 2.0, 4.0)), d.choice((1.0, 0.5, 2.0))
    b = d.choice((0.0, 0.0, 0.5)) if a * c > 0.5 else 0.0
    q = 0.0 if d.param("process_noise") == "none" else d.choice((0.1, 0.5, 1.0))
    dt = d.param("dt")
    z = p + v * dt + d.integer(-3, 3)
    if z == p + v * dt and d.param("ask") in ("x_post", "v_post"):
        raise Reject(N_("a measurement that agrees with the prediction changes nothing"))
    return {
        "x": [float(p), float(v)],
        "P": [[a, b], [b, c]],
        "Q": [[q, 0.0], [0.0, q]],
        "z": float(z),
        "dt": dt,
        "R": d.choice((1.0, 2.0, 4.0)),
        "ask": d.param("ask"),
    }
