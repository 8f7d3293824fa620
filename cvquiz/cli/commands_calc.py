"""``cvquiz calc ...``: the reference engine on the command line, each answer with its worked solution.

Every command parses its options into the parameters of a compute-card generator and prints what
`cvquiz.generators.calculate` returns: the answer, then the worked solution (``--json``: the bare result).
Numbers and matrices are read with the answer reader (``2,1,0.1``, ``1 2; 3 4``, ``[[1, 2], [3, 4]]``), never
evaluated. The engine is imported only when a command runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table

from cvquiz.cli.context import get_env
from cvquiz.cli.errors import handle_errors
from cvquiz.cli.groups import calc_app
from cvquiz.cli.jsonout import print_json
from cvquiz.cli.styled import styled
from cvquiz.errors import UsageError
from cvquiz.i18n import N_, _

if TYPE_CHECKING:
    from cvquiz.generators import Calculation

JsonOption = Annotated[bool, typer.Option("--json", help="Print the bare result as JSON.")]
InputOption = Annotated[str, typer.Option("--input", "-i", help="Input shape N,C,H,W.")]
KernelOption = Annotated[str, typer.Option("--kernel", "-k", help="Kernel size: k or kh,kw.")]
StrideOption = Annotated[str, typer.Option("--stride", "-s", help="Stride: s or sh,sw.")]
PaddingOption = Annotated[str, typer.Option("--padding", "-p", help="Padding: p or ph,pw.")]
DilationOption = Annotated[str, typer.Option("--dilation", "-d", help="Dilation: d or dh,dw.")]
ConvPaddingOption = Annotated[
    str, typer.Option("--padding", "-p", help="Padding: p, ph,pw, same or valid.")
]
GroupsOption = Annotated[int, typer.Option("--groups", "-g", help="Channel groups.")]
OutChannels = Annotated[int, typer.Option("--out", "-o", help="Output channels (filters).")]
ReductionOption = Annotated[str, typer.Option("--reduction", help="mean or sum.")]


def register(app: typer.Typer) -> None:
    """Add the ``calc`` commands to the shared ``calc`` group."""
    calc_app.callback(invoke_without_command=True)(calc_callback)
    for name, command in (
        ("conv2d", conv2d),
        ("conv-transpose", conv_transpose),
        ("pool", pool),
        ("params", params),
        ("separable", separable),
        ("macs", macs),
        ("fc-vs-conv", fc_vs_conv),
        ("conv-mode", conv_mode),
        ("ce", ce),
        ("softmax", softmax),
        ("bce", bce),
        ("focal", focal),
        ("hinge", hinge),
        ("smooth-l1", smooth_l1),
        ("iou", iou),
        ("mask-iou", mask_iou),
        ("prf", prf),
        ("map", map_command),
        ("rf", rf),
        ("slice", slice_command),
        ("init", init),
        ("lr", lr),
        ("bn", bn),
    ):
        # Slices and boxes may start with a minus ("-2::-1", "-1,0,2,2"): take those as arguments, not options.
        settings = {"ignore_unknown_options": True} if name in ("slice", "iou", "rf") else None
        calc_app.command(name, context_settings=settings)(command)


# --------------------------------------------------------------------------------------------------------------
# Reading options


def _read(text: str, kind: str, option: str) -> Any:
    from cvquiz.answers import AnswerParseError, parse_answer

    try:
        return parse_answer(text, kind).value
    except AnswerParseError as error:
        raise UsageError(_("{option}: {problem}").format(option=option, problem=error)) from None


def _numbers(text: str, option: str) -> list[float]:
    return [float(v) for v in _read(text, "vector", option)]


def _integers(text: str, option: str, count: int | None = None, what: str = "") -> list[int]:
    values = _read(text, "vector", option)
    if any(not isinstance(v, int) for v in values) or (count is not None and len(values) != count):
        message = (
            _("{option}: expected {count} integers {what}, got {text!r}")
            if count and what
            else _("{option}: expected {count} integers, got {text!r}")
            if count
            else _("{option}: expected integers, got {text!r}")
        )
        raise UsageError(message.format(option=option, count=count, what=what, text=text))
    return [int(v) for v in values]


def _int_or_pair(text: str, option: str) -> int | list[int]:
    values = _integers(text, option)
    if len(values) == 1:
        return values[0]
    if len(values) == 2:
        return values
    raise UsageError(
        _("{option}: expected an integer or a pair h,w, got {text!r}").format(
            option=option, text=text
        )
    )


def _matrix(text: str, option: str) -> list[list[float]]:
    rows = _read(text, "matrix", option)
    return [[v for v in row] for row in rows]


def _choice(value: str, option: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise UsageError(
            _("{option}: use one of {choices}, got {value!r}").format(
                option=option, choices=", ".join(allowed), value=value
            )
        )
    return value


# --------------------------------------------------------------------------------------------------------------
# Printing


def _solve(ctx: typer.Context, generator: str, parameters: dict[str, Any], as_json: bool) -> None:
    from cvquiz.generators import calculate

    _emit(ctx, calculate(generator, parameters), as_json)


def _emit(ctx: typer.Context, result: Calculation, as_json: bool) -> None:
    from cvquiz.cli.render import card_markdown

    env = get_env(ctx)
    if as_json:
        payload = {
            "result": result.data if result.data is not None else result.expected,
            "answer": result.expected_text,
            "kind": result.kind.value,
            "inputs": result.params,
        }
        print_json(env, payload)
        return
    env.out.print(
        styled(
            _("{answer}: {value}"),
            {"answer": "bold"},
            answer=_("Answer"),
            value=result.expected_text,
        ),
        soft_wrap=True,
    )
    env.out.print(
        Panel(
            card_markdown(result.solution.get(env.lang)),
            title=escape(_("worked solution")),
            title_align="left",
        )
    )


_KIND_NAMES = {
    # TRANSLATORS: the kinds of answer a generator asks for, in `cvquiz calc --list-generators`
    "integer": N_("integer"),
    "number": N_("number"),
    "shape": N_("shape"),
    "vector": N_("vector"),
    "matrix": N_("matrix"),
    "boolean": N_("yes/no"),
    "text": N_("text"),
}


def calc_callback(
    ctx: typer.Context,
    list_generators: Annotated[
        bool, typer.Option("--list-generators", help="List the compute-card generators and exit.")
    ] = False,
) -> None:
    """The reference engine on the command line, with worked solutions."""
    if not list_generators:
        return
    from cvquiz.generators import list_generators as generators

    env = get_env(ctx)
    table = Table(_("generator"), _("answer"), _("what it asks"), box=None)
    for info in generators():
        kinds = "/".join(_(_KIND_NAMES.get(k.value, k.value)) for k in info.kinds)
        table.add_row(info.name, kinds, escape(info.title.get(env.lang)))
    env.out.print(table)
    raise typer.Exit()


# --------------------------------------------------------------------------------------------------------------
# Layer shapes, parameters and cost


def _padding(text: str) -> Any:
    return text if text in ("same", "valid") else _int_or_pair(text, "--padding")


@handle_errors
def conv2d(
    ctx: typer.Context,
    input_shape: InputOption,
    out_channels: OutChannels,
    kernel: KernelOption,
    stride: StrideOption = "1",
    padding: ConvPaddingOption = "0",
    dilation: DilationOption = "1",
    groups: GroupsOption = 1,
    as_json: JsonOption = False,
) -> None:
    """Compute the output shape of a Conv2d layer.

    Example: cvquiz calc conv2d --input 1,3,224,224 --out 64 -k 7 -s 2 -p 3
    """
    parameters = {
        "input_shape": _integers(input_shape, "--input", 4, "N,C,H,W"),
        "out_channels": out_channels,
        "kernel_size": _int_or_pair(kernel, "--kernel"),
        "stride": _int_or_pair(stride, "--stride"),
        "padding": _padding(padding),
        "dilation": _int_or_pair(dilation, "--dilation"),
        "groups": groups,
    }
    _solve(ctx, "conv2d_output_shape", parameters, as_json)


@handle_errors
def conv_transpose(
    ctx: typer.Context,
    input_shape: InputOption,
    out_channels: Annotated[int, typer.Option("--out", "-o", help="Output channels.")],
    kernel: KernelOption,
    stride: StrideOption = "1",
    padding: PaddingOption = "0",
    output_padding: Annotated[
        str, typer.Option("--output-padding", help="output_padding: o or oh,ow.")
    ] = "0",
    dilation: DilationOption = "1",
    as_json: JsonOption = False,
) -> None:
    """Compute the output shape of a ConvTranspose2d layer.

    Example: cvquiz calc conv-transpose --input 1,256,7,7 --out 128 -k 4 -s 2 -p 1
    """
    parameters = {
        "input_shape": _integers(input_shape, "--input", 4, "N,C,H,W"),
        "out_channels": out_channels,
        "kernel_size": _int_or_pair(kernel, "--kernel"),
        "stride": _int_or_pair(stride, "--stride"),
        "padding": _int_or_pair(padding, "--padding"),
        "output_padding": _int_or_pair(output_padding, "--output-padding"),
        "dilation": _int_or_pair(dilation, "--dilation"),
    }
    _solve(ctx, "conv_transpose_output_shape", parameters, as_json)


@handle_errors
def pool(
    ctx: typer.Context,
    input_shape: InputOption,
    kernel: KernelOption,
    stride: Annotated[
        str | None, typer.Option("--stride", "-s", help="Stride (default: the kernel size).")
    ] = None,
    padding: PaddingOption = "0",
    dilation: DilationOption = "1",
    ceil_mode: Annotated[bool, typer.Option("--ceil", help="ceil_mode=True.")] = False,
    average: Annotated[bool, typer.Option("--avg", help="AvgPool2d instead of MaxPool2d.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Compute the output shape of a MaxPool2d or AvgPool2d layer.

    Example: cvquiz calc pool --input 1,64,112,112 -k 3 -s 2 -p 1 --ceil
    """
    parameters = {
        "pool": "avg" if average else "max",
        "input_shape": _integers(input_shape, "--input", 4, "N,C,H,W"),
        "kernel_size": _int_or_pair(kernel, "--kernel"),
        "stride": None if stride is None else _int_or_pair(stride, "--stride"),
        "padding": _int_or_pair(padding, "--padding"),
        "dilation": _int_or_pair(dilation, "--dilation"),
        "ceil_mode": ceil_mode,
    }
    _solve(ctx, "pool_output_shape", parameters, as_json)


InChannels = Annotated[int, typer.Option("--in", help="Input channels.")]


@handle_errors
def params(
    ctx: typer.Context,
    in_channels: InChannels,
    out_channels: OutChannels,
    kernel: KernelOption,
    groups: GroupsOption = 1,
    bias: Annotated[bool, typer.Option("--bias/--no-bias", help="Count the bias.")] = True,
    as_json: JsonOption = False,
) -> None:
    """Count the learnable parameters of a Conv2d layer.

    Example: cvquiz calc params --in 64 --out 128 -k 3
    """
    parameters = {
        "in_channels": in_channels,
        "out_channels": out_channels,
        "kernel_size": _int_or_pair(kernel, "--kernel"),
        "groups": groups,
        "bias": bias,
    }
    _solve(ctx, "conv_params", parameters, as_json)


@handle_errors
def separable(
    ctx: typer.Context,
    in_channels: InChannels,
    out_channels: OutChannels,
    kernel: KernelOption,
    bias: Annotated[bool, typer.Option("--bias/--no-bias", help="Count the biases.")] = False,
    ratio: Annotated[
        bool, typer.Option("--ratio", help="Answer the ratio to a standard conv.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Count the parameters of a depthwise-separable convolution and compare with a standard one.

    Example: cvquiz calc separable --in 32 --out 64 -k 3 --ratio
    """
    parameters = {
        "in_channels": in_channels,
        "out_channels": out_channels,
        "kernel_size": _int_or_pair(kernel, "--kernel"),
        "bias": False if ratio else bias,
        "ask": "ratio" if ratio else "separable",
    }
    _solve(ctx, "separable_conv_params", parameters, as_json)


@handle_errors
def macs(
    ctx: typer.Context,
    input_shape: InputOption,
    out_channels: OutChannels,
    kernel: KernelOption,
    stride: StrideOption = "1",
    padding: ConvPaddingOption = "0",
    groups: GroupsOption = 1,
    as_json: JsonOption = False,
) -> None:
    """Count the multiply-accumulates of a Conv2d layer.

    Example: cvquiz calc macs --input 1,3,224,224 --out 64 -k 7 -s 2 -p 3
    """
    parameters = {
        "input_shape": _integers(input_shape, "--input", 4, "N,C,H,W"),
        "out_channels": out_channels,
        "kernel_size": _int_or_pair(kernel, "--kernel"),
        "stride": _int_or_pair(stride, "--stride"),
        "padding": _padding(padding),
        "groups": groups,
    }
    _solve(ctx, "conv_macs", parameters, as_json)


@handle_errors
def fc_vs_conv(
    ctx: typer.Context,
    size: Annotated[str, typer.Option("--size", help="Feature map size: s or h,w.")],
    in_channels: InChannels,
    out_channels: OutChannels,
    kernel: Annotated[int, typer.Option("--kernel", "-k", help="Conv kernel size.")] = 3,
    whole: Annotated[
        bool,
        typer.Option(
            "--flatten", help="FC over the flattened map to --out units (conv kernel = map)."
        ),
    ] = False,
    bias: Annotated[bool, typer.Option("--bias/--no-bias", help="Count the biases.")] = True,
    as_json: JsonOption = False,
) -> None:
    """Compare the parameters of a fully connected layer and a convolution.

    Example: cvquiz calc fc-vs-conv --size 7 --in 512 --out 4096 --flatten
    """
    shape = _int_or_pair(size, "--size")
    h, w = (shape, shape) if isinstance(shape, int) else shape
    if min(h, w) < 1:
        raise UsageError(_("--size: a feature map is at least 1×1, got {text!r}").format(text=size))
    if whole and h != w:
        raise UsageError(_("--flatten: the feature map must be square to be one conv kernel"))
    parameters = {
        "mode": "fc_as_conv" if whole else "dense",
        "height": h,
        "width": w,
        "in_channels": in_channels,
        "out_channels": out_channels,
        "kernel_size": h if whole else kernel,
        "bias": bias,
    }
    _solve(ctx, "fc_vs_conv_params", parameters, as_json)


@handle_errors
def conv_mode(
    ctx: typer.Context,
    image: Annotated[str, typer.Option("--image", help="Image matrix: '1 2 3; 4 5 6; 7 8 9'.")],
    kernel: Annotated[str, typer.Option("--kernel", "-k", help="Kernel matrix: '1 0; 0 -1'.")],
    mode: Annotated[str, typer.Option("--mode", "-m", help="full, same or valid.")] = "full",
    op: Annotated[
        str,
        typer.Option("--op", help="convolve (flip the kernel) or correlate (what Conv2d does)."),
    ] = "convolve",
    as_json: JsonOption = False,
) -> None:
    """Compute scipy.signal.convolve2d / correlate2d of a matrix in the full, same or valid mode.

    Example: cvquiz calc conv-mode --image "1 2 3; 4 5 6; 7 8 9" --kernel "1 0; 0 -1" --mode same
    """
    parameters = {
        "image": _matrix(image, "--image"),
        "kernel": _matrix(kernel, "--kernel"),
        "mode": _choice(mode, "--mode", ("full", "same", "valid")),
        "op": _choice(op, "--op", ("convolve", "correlate")),
    }
    _solve(ctx, "conv_mode_output", parameters, as_json)


# --------------------------------------------------------------------------------------------------------------
# Losses


def _logits(text: str, option: str = "--logits") -> Any:
    return (
        _matrix(text, option)
        if ";" in text or text.strip().startswith("[[")
        else _numbers(text, option)
    )


@handle_errors
def ce(
    ctx: typer.Context,
    logits: Annotated[str, typer.Option("--logits", help="Logits '2,1,0.1', or rows '2,1; 0,3'.")],
    target: Annotated[
        str, typer.Option("--target", "-t", help="Class index, or one per row '0,1'.")
    ],
    smoothing: Annotated[float, typer.Option("--smoothing", help="Label smoothing ε.")] = 0.0,
    grad: Annotated[
        bool, typer.Option("--grad", help="Answer the gradient with respect to the logits.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Compute the softmax cross-entropy of logits (or its gradient).

    Example: cvquiz calc ce --logits "2,1,0.1" --target 0
    """
    values = _logits(logits)
    targets = _integers(target, "--target")
    batched = isinstance(values[0], list)
    if batched and len(targets) != len(values):
        raise UsageError(
            _("--target: give one class per row ({rows}), got {count}").format(
                rows=len(values), count=len(targets)
            )
        )
    if not batched and len(targets) != 1:
        raise UsageError(_("--target: give one class index for one row of logits"))
    classes = len(values[0]) if batched else len(values)
    for index in targets:  # the engine names the others; past int64 one would reach it as an object
        if not -(2**63) <= index < 2**63:
            raise UsageError(
                _("{option}: {problem}").format(
                    option="--target",
                    problem=_("target {target} is out of bounds for {classes} classes").format(
                        target=index, classes=classes
                    ),
                )
            )
    parameters = {
        "logits": values,
        "target": targets if batched else targets[0],
        "label_smoothing": smoothing,
    }
    _solve(ctx, "cross_entropy_grad" if grad else "cross_entropy", parameters, as_json)


@handle_errors
def softmax(
    ctx: typer.Context,
    logits: Annotated[str, typer.Option("--logits", help="Logits '2,1,0.1'.")],
    as_json: JsonOption = False,
) -> None:
    """Compute the softmax of logits.

    Example: cvquiz calc softmax --logits "2,1,0.1"
    """
    _solve(ctx, "softmax", {"logits": _numbers(logits, "--logits")}, as_json)


TargetsOption = Annotated[str, typer.Option("--targets", "-t", help="Targets '1,0,1'.")]


@handle_errors
def bce(
    ctx: typer.Context,
    logits: Annotated[str, typer.Option("--logits", help="Logits '1.5,-1'.")],
    targets: TargetsOption,
    pos_weight: Annotated[
        float | None, typer.Option("--pos-weight", help="Weight of positives.")
    ] = None,
    reduction: ReductionOption = "mean",
    as_json: JsonOption = False,
) -> None:
    """Compute binary cross-entropy with logits.

    Example: cvquiz calc bce --logits "1.5,-1" --targets "1,0"
    """
    parameters = {
        "logits": _numbers(logits, "--logits"),
        "targets": _numbers(targets, "--targets"),
        "pos_weight": pos_weight,
        "reduction": _choice(reduction, "--reduction", ("mean", "sum")),
    }
    _solve(ctx, "bce", parameters, as_json)


@handle_errors
def focal(
    ctx: typer.Context,
    logits: Annotated[str, typer.Option("--logits", help="Logits '1.5,-1'.")],
    targets: TargetsOption,
    alpha: Annotated[float, typer.Option("--alpha", help="α (negative for none).")] = 0.25,
    gamma: Annotated[float, typer.Option("--gamma", help="γ.")] = 2.0,
    reduction: ReductionOption = "mean",
    as_json: JsonOption = False,
) -> None:
    """Compute the sigmoid focal loss (RetinaNet).

    Example: cvquiz calc focal --logits "2,-1" --targets "1,0" --gamma 2
    """
    parameters = {
        "logits": _numbers(logits, "--logits"),
        "targets": _numbers(targets, "--targets"),
        "alpha": alpha,
        "gamma": gamma,
        "reduction": _choice(reduction, "--reduction", ("mean", "sum")),
    }
    _solve(ctx, "focal_loss", parameters, as_json)


@handle_errors
def hinge(
    ctx: typer.Context,
    scores: Annotated[
        str, typer.Option("--scores", help="Scores, one row per sample: '3.2 5.1 -1.7; 1.3 4.9 2'.")
    ],
    target: Annotated[str, typer.Option("--target", "-t", help="True class per row: '0,1'.")],
    margin: Annotated[float, typer.Option("--margin", help="Δ.")] = 1.0,
    grad: Annotated[
        bool, typer.Option("--grad", help="Answer the gradient with respect to the scores.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Compute the multiclass SVM (hinge) loss or its gradient.

    Example: cvquiz calc hinge --scores "3.2 5.1 -1.7" --target 0
    """
    parameters = {
        "scores": _matrix(scores, "--scores"),
        "targets": _integers(target, "--target"),
        "margin": margin,
    }
    _solve(ctx, "hinge_grad" if grad else "hinge_loss", parameters, as_json)


@handle_errors
def smooth_l1(
    ctx: typer.Context,
    pred: Annotated[str, typer.Option("--pred", help="Predictions '0.5,2'.")],
    target: Annotated[str, typer.Option("--target", "-t", help="Targets '0,0'.")],
    beta: Annotated[float, typer.Option("--beta", help="β.")] = 1.0,
    reduction: ReductionOption = "mean",
    as_json: JsonOption = False,
) -> None:
    """Compute the smooth L1 loss.

    Example: cvquiz calc smooth-l1 --pred "0.5,2" --target "0,0"
    """
    parameters = {
        "pred": _numbers(pred, "--pred"),
        "target": _numbers(target, "--target"),
        "beta": beta,
        "reduction": _choice(reduction, "--reduction", ("mean", "sum")),
    }
    _solve(ctx, "smooth_l1", parameters, as_json)


# --------------------------------------------------------------------------------------------------------------
# Detection


@handle_errors
def iou(
    ctx: typer.Context,
    box_a: Annotated[str, typer.Argument(help="Box A as x1,y1,x2,y2.")],
    box_b: Annotated[str, typer.Argument(help="Box B as x1,y1,x2,y2.")],
    metric: Annotated[str, typer.Option("--metric", help="iou, giou or diou.")] = "iou",
    as_json: JsonOption = False,
) -> None:
    """Compute the IoU (or GIoU, DIoU) of two boxes.

    Example: cvquiz calc iou 0,0,4,4 2,2,6,6 --metric giou
    """
    a, b = _numbers(box_a, "BOX_A"), _numbers(box_b, "BOX_B")
    for name, box in (("BOX_A", a), ("BOX_B", b)):
        if len(box) != 4:
            raise UsageError(_("{name}: a box is four numbers x1,y1,x2,y2").format(name=name))
    metric = _choice(metric, "--metric", ("iou", "giou", "diou"))
    if metric == "iou":
        _solve(ctx, "box_iou", {"box_a": a, "box_b": b}, as_json)
    else:
        _solve(ctx, "giou", {"box_a": a, "box_b": b, "metric": metric}, as_json)


@handle_errors
def mask_iou(
    ctx: typer.Context,
    mask_a: Annotated[str, typer.Option("--a", help="Mask A: '0 1; 1 1'.")],
    mask_b: Annotated[str, typer.Option("--b", help="Mask B: '1 1; 0 1'.")],
    as_json: JsonOption = False,
) -> None:
    """Compute the IoU of two binary masks.

    Example: cvquiz calc mask-iou --a "0 1; 1 1" --b "1 1; 0 1"
    """
    masks = [_matrix(mask_a, "--a"), _matrix(mask_b, "--b")]
    for name, mask in zip(("--a", "--b"), masks, strict=True):
        if any(v not in (0, 1) for row in mask for v in row):
            raise UsageError(_("{name}: a mask holds only 0 and 1").format(name=name))
    ints = [[[int(v) for v in row] for row in mask] for mask in masks]
    _solve(ctx, "mask_iou", {"mask_a": ints[0], "mask_b": ints[1]}, as_json)


@handle_errors
def prf(
    ctx: typer.Context,
    tp: Annotated[int, typer.Option("--tp", help="True positives.")],
    fp: Annotated[int, typer.Option("--fp", help="False positives.")],
    fn: Annotated[int, typer.Option("--fn", help="False negatives.")],
    ask: Annotated[str, typer.Option("--ask", help="precision, recall or f1.")] = "f1",
    as_json: JsonOption = False,
) -> None:
    """Compute precision, recall and F1 from counts.

    Example: cvquiz calc prf --tp 7 --fp 3 --fn 2
    """
    parameters = {
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "ask": _choice(ask, "--ask", ("precision", "recall", "f1")),
    }
    _solve(ctx, "precision_recall_f1", parameters, as_json)


def _annotations(path: Path, option: str) -> list[Any]:
    from cvquiz.fileio import read_json_file

    try:
        data = read_json_file(path, error=UsageError)
    except UsageError as error:
        raise UsageError(_("{option}: {problem}").format(option=option, problem=error)) from None
    if isinstance(data, dict) and isinstance(data.get("annotations"), list):
        data = data["annotations"]
    if not isinstance(data, list):
        raise UsageError(
            _(
                "{option}: {path} must hold a list of annotations or a COCO file with 'annotations'"
            ).format(option=option, path=path)
        )
    return data


@handle_errors
def map_command(
    ctx: typer.Context,
    gt: Annotated[
        Path, typer.Option("--gt", help="Ground truths: COCO JSON, or a list of annotations.")
    ],
    dets: Annotated[Path, typer.Option("--dets", help="Detections: a list of COCO results.")],
    metric: Annotated[str, typer.Option("--metric", help="coco (pycocotools) or voc.")] = "coco",
    iou_threshold: Annotated[float, typer.Option("--iou", help="VOC IoU threshold.")] = 0.5,
    method: Annotated[
        str, typer.Option("--method", help="VOC interpolation: all-point or 11-point.")
    ] = "all-point",
    as_json: JsonOption = False,
) -> None:
    """Compute the mAP of detections (COCO, or VOC with the TP/FP table of each class).

    Example: cvquiz calc map --gt gt.json --dets dets.json --metric voc
    """
    from cvquiz.generators import calculate_map

    result = calculate_map(
        _annotations(gt, "--gt"),
        _annotations(dets, "--dets"),
        _choice(metric, "--metric", ("coco", "voc")),
        iou_threshold,
        _choice(method, "--method", ("all-point", "11-point")),
    )
    _emit(ctx, result, as_json)


# --------------------------------------------------------------------------------------------------------------
# Slicing, receptive field, initialisation, learning rate, batch norm


@handle_errors
def rf(
    ctx: typer.Context,
    layers: Annotated[list[str], typer.Argument(help="Layers in order, each k,s or k,s,d.")],
    stride: Annotated[
        bool, typer.Option("--stride", help="Answer the effective stride instead.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Compute the receptive field of a stack of conv/pool layers.

    Example: cvquiz calc rf 7,2 3,2 3,1 3,1
    """
    parsed = []
    for layer in layers:
        values = _integers(layer, "LAYERS")
        if len(values) not in (2, 3):
            raise UsageError(
                _("LAYERS: each layer is k,s or k,s,d, got {layer!r}").format(layer=layer)
            )
        parsed.append(values)
    _solve(
        ctx, "receptive_field", {"layers": parsed, "ask": "stride" if stride else "size"}, as_json
    )


@handle_errors
def slice_command(
    ctx: typer.Context,
    sequence: Annotated[str, typer.Argument(help="A list '[0,1,2,3,4]' or a string 'abcde'.")],
    subscript: Annotated[
        str, typer.Argument(help="What goes between the brackets: '3::-1', '-2:'.")
    ],
    as_json: JsonOption = False,
) -> None:
    """Apply a Python slice to a list or a string, step by step.

    Example: cvquiz calc slice "[0,1,2,3,4]" "3::-1"
    """
    stripped = sequence.strip()
    if stripped.startswith(("[", "(")):
        values: Any = list(_read(stripped, "vector", "SEQUENCE"))
    else:
        values = sequence
    _solve(ctx, "slice", {"sequence": values, "slice": subscript}, as_json)


@handle_errors
def init(
    ctx: typer.Context,
    shape: Annotated[
        str, typer.Option("--shape", help="Weight shape: out,in (Linear) or out,in,kh,kw (Conv2d).")
    ],
    scheme: Annotated[
        str,
        typer.Option(
            "--scheme", help="xavier_normal, xavier_uniform, kaiming_normal or kaiming_uniform."
        ),
    ] = "kaiming_normal",
    nonlinearity: Annotated[
        str, typer.Option("--nonlinearity", help="relu, leaky_relu, tanh, linear...")
    ] = "relu",
    a: Annotated[float, typer.Option("--a", help="Negative slope for leaky_relu.")] = 0.0,
    mode: Annotated[str, typer.Option("--mode", help="fan_in or fan_out (Kaiming).")] = "fan_in",
    as_json: JsonOption = False,
) -> None:
    """Compute the standard deviation (or uniform bound) of a torch.nn.init scheme.

    Example: cvquiz calc init --shape 64,32,3,3 --scheme kaiming_normal
    """
    parameters = {
        "scheme": _choice(
            scheme,
            "--scheme",
            ("xavier_normal", "xavier_uniform", "kaiming_normal", "kaiming_uniform"),
        ),
        "weight_shape": _integers(shape, "--shape"),
        "nonlinearity": nonlinearity,
        "a": a,
        "mode": _choice(mode, "--mode", ("fan_in", "fan_out")),
    }
    _solve(ctx, "init_std", parameters, as_json)


@handle_errors
def lr(
    ctx: typer.Context,
    base_lr: Annotated[float, typer.Option("--lr", help="The tuned learning rate.")],
    base_batch: Annotated[
        int, typer.Option("--base-batch", help="The batch size it was tuned for.")
    ],
    batch: Annotated[int, typer.Option("--batch", help="The new batch size.")],
    rule: Annotated[str, typer.Option("--rule", help="linear or sqrt.")] = "linear",
    as_json: JsonOption = False,
) -> None:
    """Scale a learning rate to a new batch size.

    Example: cvquiz calc lr --lr 0.1 --base-batch 256 --batch 1024
    """
    parameters = {
        "base_lr": base_lr,
        "base_batch": base_batch,
        "new_batch": batch,
        "rule": _choice(rule, "--rule", ("linear", "sqrt")),
    }
    _solve(ctx, "lr_scale", parameters, as_json)


@handle_errors
def bn(
    ctx: typer.Context,
    x: Annotated[str, typer.Option("--x", help="Batch, one sample per row: '1 2; 3 4; 5 6'.")],
    gamma: Annotated[str | None, typer.Option("--gamma", help="γ per channel (default 1).")] = None,
    beta: Annotated[str | None, typer.Option("--beta", help="β per channel (default 0).")] = None,
    running_mean: Annotated[
        str | None, typer.Option("--running-mean", help="Running mean before the step (default 0).")
    ] = None,
    running_var: Annotated[
        str | None,
        typer.Option("--running-var", help="Running variance before the step (default 1)."),
    ] = None,
    momentum: Annotated[float, typer.Option("--momentum", help="Momentum.")] = 0.1,
    eps: Annotated[float, typer.Option("--eps", help="ε.")] = 1e-5,
    ask: Annotated[
        str, typer.Option("--ask", help="output, running_mean or running_var.")
    ] = "output",
    as_json: JsonOption = False,
) -> None:
    """Run one training-mode batch-norm step.

    Example: cvquiz calc bn --x "1 2; 3 6; 5 4"
    """
    batch = _matrix(x, "--x")
    channels = len(batch[0])

    def vector(text: str | None, option: str, default: float) -> list[float]:
        return [default] * channels if text is None else _numbers(text, option)

    parameters = {
        "x": batch,
        "gamma": vector(gamma, "--gamma", 1.0),
        "beta": vector(beta, "--beta", 0.0),
        "running_mean": vector(running_mean, "--running-mean", 0.0),
        "running_var": vector(running_var, "--running-var", 1.0),
        "momentum": momentum,
        "eps": eps,
        "ask": _choice(ask, "--ask", ("output", "running_mean", "running_var")),
    }
    _solve(ctx, "batch_norm", parameters, as_json)
