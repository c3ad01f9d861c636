"""ArcFace. Read README.md in this folder, then replace each
``raise NotImplementedError`` with your code and run ``grade exercises/arcface``."""

import torch


def arcface_logits(
    embeddings: torch.Tensor,
    weight: torch.Tensor,
    labels: torch.Tensor,
    s: float = 64.0,
    m: float = 0.5,
    easy_margin: bool = False,
) -> torch.Tensor:
    """The ArcFace logits ``(B, C)``, in the dtype of the inputs.

    ``embeddings`` (B, D) and ``weight`` (C, D) float32 or float64, rows never
    zero and not necessarily of unit length; ``labels`` (B,) int64 in [0, C).
    With cos θ the cosine between embedding b and class centre c (both rows
    L2-normalised), the logit is ``s·cos θ``, except for the target class
    c = labels[b], which gets ``s·cos(θ + m)``, where:

    - easy_margin: cos θ is kept unchanged where cos θ <= 0;
    - otherwise: ``cos θ - m·sin m`` is used where cos θ <= cos(π - m).

    Do not change the inputs.
    """
    raise NotImplementedError
