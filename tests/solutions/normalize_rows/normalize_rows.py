"""Reference: divide each row by its L2 norm."""


def normalize_rows(x):
    return x / x.norm(dim=-1, keepdim=True)
