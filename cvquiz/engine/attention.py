"""The shapes, parameters and cost of multi-head self-attention (``nn.MultiheadAttention``).

For a batch of ``B`` sequences of ``N`` tokens of width ``d`` split into ``h`` heads of width ``d/h``:

- the projections Q, K, V are (B, N, d) each, viewed per head as (B, h, N, d/h);
- the attention scores QKᵀ and the softmax weights are (B, h, N, N): the N² that makes attention quadratic;
- the output is (B, N, d);
- the parameters are the Q, K, V and output projections, 4d² weights and 4d biases.

FLOPs follow ``torch.utils.flop_counter``: only matrix multiplications count, each multiply-accumulate is 2
FLOPs, and biases, the 1/√(d/h) scaling and the softmax are not counted. The projections cost 2·B·N·d² each
(four of them: 8BNd²), QKᵀ and the weighted sum of V cost 2·B·N²·d each (4BN²d). Golden values from
``FlopCounterMode`` over ``nn.MultiheadAttention`` are in ``tests/golden/attention.json``.
"""

from __future__ import annotations

from typing import NamedTuple

from cvquiz.engine._checks import positive_int
from cvquiz.engine.errors import N_, EngineError

__all__ = ["AttentionCost", "attention_cost"]


class AttentionCost(NamedTuple):
    """What one multi-head self-attention layer computes and costs.

    Attributes:
        head_dim: d/h, the width of each head.
        qkv_shape: the per-head shape of Q, K or V, (B, h, N, d/h).
        scores_shape: the shape of QKᵀ and of the attention weights, (B, h, N, N).
        output_shape: (B, N, d).
        params: learnable parameters (4d² weights plus 4d biases when ``bias``).
        projection_flops: FLOPs of the Q, K, V and output projections, 8·B·N·d².
        attention_flops: FLOPs of QKᵀ and of weights × V, 4·B·N²·d.
        flops: their sum.
    """

    head_dim: int
    qkv_shape: tuple[int, int, int, int]
    scores_shape: tuple[int, int, int, int]
    output_shape: tuple[int, int, int]
    params: int
    projection_flops: int
    attention_flops: int
    flops: int


def attention_cost(
    tokens: int, dim: int, heads: int, batch: int = 1, bias: bool = True
) -> AttentionCost:
    """Shapes, parameters and FLOPs of ``nn.MultiheadAttention(dim, heads)`` on (batch, tokens, dim) input.

    Args:
        tokens: N, the sequence length.
        dim: d, the embedding width.
        heads: h, which must divide d.
        batch: B.
        bias: whether the projections have biases (``bias=True`` is PyTorch's default).

    Returns:
        The `AttentionCost`.

    Raises:
        EngineError: a non-positive size or h not dividing d (PyTorch raises too).
    """
    n = positive_int(tokens, "tokens")
    d = positive_int(dim, "dim")
    h = positive_int(heads, "heads")
    b = positive_int(batch, "batch")
    if d % h:
        raise EngineError(
            N_("heads {h} must divide dim {d} (embed_dim must be divisible by num_heads)"), h=h, d=d
        )
    head = d // h
    projection = 2 * 4 * b * n * d * d
    attention = 2 * 2 * b * n * n * d
    return AttentionCost(
        head_dim=head,
        qkv_shape=(b, h, n, head),
        scores_shape=(b, h, n, n),
        output_shape=(b, n, d),
        params=4 * d * d + (4 * d if bias else 0),
        projection_flops=projection,
        attention_flops=attention,
        flops=projection + attention,
    )
