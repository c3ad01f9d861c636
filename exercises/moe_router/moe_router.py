"""Mixture-of-experts routing. Read README.md in this folder, then replace each
``raise NotImplementedError`` with your code and run ``grade exercises/moe_router``."""

from torch import Tensor


def top_k_routing(router_logits: Tensor, k: int) -> tuple[Tensor, Tensor]:
    """Send each token to its ``k`` most probable experts.

    ``router_logits`` is a (T, E) float32 or float64 tensor: one row of E expert
    logits per token (T may be 0). ``1 <= k <= E``.

    Returns ``(weights, experts)``, both of shape (T, k):

    - ``experts`` (int64): the indices of the k largest probabilities of
      ``softmax(router_logits, dim=-1)``, in descending order of probability;
      equal probabilities are ordered by ascending expert index (so a tie for the
      last place goes to the lower index);
    - ``weights`` (the dtype of ``router_logits``): those k probabilities divided
      by their sum, so that each row sums to 1, in the same order.

    Large logits (hundreds or thousands) must not overflow.
    """
    raise NotImplementedError


def load_balancing_loss(router_logits: Tensor, experts: Tensor) -> Tensor:
    """The Switch Transformer auxiliary loss ``E · Σ_i f_i · P_i``.

    ``router_logits`` (T, E) float, T >= 1; ``experts`` (T, k) int64, the experts
    each token was sent to (distinct within a row, in any order).

    - ``f_i``: the fraction of the T·k assignments that went to expert i;
    - ``P_i``: the mean over the T tokens of expert i's probability under
      ``softmax(router_logits, dim=-1)`` (all E experts, before top-k).

    Returns a 0-dim tensor in the dtype of ``router_logits``. Uniform router
    probabilities, or perfectly balanced assignments, give exactly 1.
    """
    raise NotImplementedError


def expert_capacity(n_tokens: int, n_experts: int, k: int, capacity_factor: float) -> int:
    """Token slots per expert: ``ceil(k · n_tokens · capacity_factor / n_experts)``, an int.

    ``n_tokens >= 0``, ``n_experts >= 1``, ``1 <= k <= n_experts``,
    ``capacity_factor > 0``.
    """
    raise NotImplementedError
