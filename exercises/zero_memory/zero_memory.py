"""ZeRO memory accounting. Read README.md in this folder, then replace each
``raise NotImplementedError`` with your code and run ``grade exercises/zero_memory``."""


def training_memory_bytes(
    n_params: int,
    n_gpus: int = 1,
    zero_stage: int = 0,
    param_bytes: int = 2,
    grad_bytes: int = 2,
    optimizer_bytes: int = 12,
) -> float:
    """Per-GPU bytes of parameters, gradients and optimizer states under ZeRO ``zero_stage``.

    Stage 0 partitions nothing, 1 the optimizer states, 2 the optimizer states
    and gradients, 3 all three: a partitioned state costs ``bytes * n_params /
    n_gpus`` per GPU (no rounding), a replicated one ``bytes * n_params``.
    Raises ValueError for a stage other than 0, 1, 2 or 3.
    """
    raise NotImplementedError


def max_trainable_params(memory_bytes: float, n_gpus: int = 1, zero_stage: int = 0) -> int:
    """The largest parameter count whose model states (2 + 2 + 12 bytes per parameter,
    partitioned as ``zero_stage`` says) need at most ``memory_bytes`` per GPU.

    A model that needs exactly ``memory_bytes`` fits. 0 when not even one
    parameter fits. Raises ValueError for a stage other than 0, 1, 2 or 3.
    """
    raise NotImplementedError
