"""TFRecord files. Read README.md in this folder, then replace each
``raise NotImplementedError`` with your code and run ``grade exercises/tfrecord``."""


def crc32c(data: bytes) -> int:
    """The CRC-32C (Castagnoli) of ``data``, an int from 0 to 2**32 - 1.

    Reflected: bits are processed least significant first, with the polynomial
    0x82F63B78; the register starts at 0xFFFFFFFF and the result is xor-ed with
    0xFFFFFFFF. ``crc32c(b"123456789") == 0xE3069283``; ``crc32c(b"") == 0``.
    """
    raise NotImplementedError


def masked_crc32c(data: bytes) -> int:
    """TFRecord's masked CRC: ``crc = crc32c(data)`` rotated right by 15 bits, plus
    0xA282EAD8, modulo 2**32: ``(((crc >> 15) | (crc << 17)) + 0xA282EAD8) % 2**32``."""
    raise NotImplementedError


def write_records(records: list[bytes]) -> bytes:
    """The TFRecord file holding ``records`` in order.

    Each record is written as: its length as a uint64, the masked CRC of those
    8 bytes as a uint32, the data, the masked CRC of the data as a uint32. All
    integers little-endian. ``[]`` gives ``b""``; an empty record is 16 bytes.
    """
    raise NotImplementedError


def read_records(blob: bytes) -> list[bytes]:
    """The records of a TFRecord file, in order (``b""`` gives ``[]``).

    Raises ``ValueError`` when the file is damaged: with "truncated" in the
    message when it ends inside a record, with "corrupt" in the message when
    the CRC of a length or of a record's data does not match. The CRC of the
    length is checked before the length is used.
    """
    raise NotImplementedError
