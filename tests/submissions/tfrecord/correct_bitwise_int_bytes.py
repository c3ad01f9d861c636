"""Correct, written differently from the reference: a bit-at-a-time CRC, integers
with int.to_bytes / int.from_bytes, and a reader that consumes a memoryview."""

EXPECTED_TO_FAIL = ()


def crc32c(data):
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 & -(crc & 1))
    return ~crc & 0xFFFFFFFF


def masked_crc32c(data):
    crc = crc32c(data)
    rotated = ((crc >> 15) | (crc << 17)) % 2**32
    return (rotated + 0xA282EAD8) % 2**32


def _u32(value):
    return value.to_bytes(4, "little")


def write_records(records):
    parts = []
    for data in records:
        length = len(data).to_bytes(8, "little")
        parts += [length, _u32(masked_crc32c(length)), data, _u32(masked_crc32c(data))]
    return b"".join(parts)


def read_records(blob):
    rest = memoryview(blob)
    records = []
    while len(rest):
        if len(rest) < 12:
            raise ValueError("truncated: the file ends inside a record header")
        length_bytes = bytes(rest[:8])
        if masked_crc32c(length_bytes) != int.from_bytes(rest[8:12], "little"):
            raise ValueError("corrupt length: its checksum does not match")
        length = int.from_bytes(length_bytes, "little")
        rest = rest[12:]
        if len(rest) < length + 4:
            raise ValueError(f"truncated: expected {length} + 4 bytes, found {len(rest)}")
        data = bytes(rest[:length])
        if masked_crc32c(data) != int.from_bytes(rest[length : length + 4], "little"):
            raise ValueError("corrupt data: its checksum does not match")
        records.append(data)
        rest = rest[length + 4 :]
    return records
