"""Reference solution: the TFRecord container, with CRC-32C computed a byte at a time from a table."""

import struct

POLY = 0x82F63B78  # the Castagnoli polynomial 0x1EDC6F41 with its bits reversed (reflected CRC)
MASK_DELTA = 0xA282EAD8
HEADER = 12  # uint64 length + uint32 masked CRC of the length
FOOTER = 4  # uint32 masked CRC of the data


def _make_table() -> list[int]:
    # TABLE[b] is the effect of shifting the 8 bits of b out of the register:
    # eight steps of the bitwise algorithm (if the low bit is set, shift and
    # xor the polynomial; otherwise just shift), done once for every byte value.
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ POLY if crc & 1 else crc >> 1
        table.append(crc)
    return table


TABLE = _make_table()


def crc32c(data: bytes) -> int:
    crc = 0xFFFFFFFF
    for byte in data:
        crc = TABLE[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def masked_crc32c(data: bytes) -> int:
    # Rotate right by 15 bits and add a constant: a CRC of data that itself
    # contains CRCs is then not the trivial value it would otherwise be.
    crc = crc32c(data)
    return (((crc >> 15) | (crc << 17)) + MASK_DELTA) & 0xFFFFFFFF


def write_records(records: list[bytes]) -> bytes:
    out = bytearray()
    for data in records:
        length = struct.pack("<Q", len(data))  # "<": little-endian, whatever the machine
        out += length + struct.pack("<I", masked_crc32c(length))
        out += data + struct.pack("<I", masked_crc32c(data))
    return bytes(out)


def read_records(blob: bytes) -> list[bytes]:
    records, offset = [], 0
    while offset < len(blob):
        if offset + HEADER > len(blob):
            raise ValueError(
                f"truncated record at offset {offset}: {len(blob) - offset} bytes left of a 12-byte header"
            )
        length_bytes = blob[offset : offset + 8]
        (length_crc,) = struct.unpack("<I", blob[offset + 8 : offset + HEADER])
        # Check the length before using it: a corrupted length can claim any size.
        if masked_crc32c(length_bytes) != length_crc:
            raise ValueError(f"corrupt record at offset {offset}: the CRC of the length does not match")
        (length,) = struct.unpack("<Q", length_bytes)
        start, end = offset + HEADER, offset + HEADER + length
        if end + FOOTER > len(blob):
            raise ValueError(
                f"truncated record at offset {offset}: {length} data bytes and a 4-byte CRC announced, "
                f"{len(blob) - start} bytes left"
            )
        data = blob[start:end]
        (data_crc,) = struct.unpack("<I", blob[end : end + FOOTER])
        if masked_crc32c(data) != data_crc:
            raise ValueError(f"corrupt record at offset {offset}: the CRC of the data does not match")
        records.append(data)
        offset = end + FOOTER
    return records
