"""Mistake: the CRC is computed most significant bit first with the polynomial
0x1EDC6F41 as written (the non-reflected CRC), not least significant bit first
with the reversed polynomial 0x82F63B78: "123456789" gives 0x05440F15, not 0xE3069283."""

import struct

EXPECTED_TO_FAIL = (
    "test_crc32c_check_values",
    "test_masked_crc32c_known_values",
    "test_known_files",
    "test_crc32c_matches_the_bitwise_definition",
    "test_masked_crc32c_rotates_and_adds",
    "test_write_records_matches_the_layout",
    "test_read_records_reads_an_independently_written_file",
    "test_large_records",
)

POLY = 0x1EDC6F41  # should be reflected: 0x82F63B78, bits shifted out at the low end
MASK_DELTA = 0xA282EAD8
HEADER = 12  # uint64 length + uint32 masked CRC of the length
FOOTER = 4  # uint32 masked CRC of the data


def _make_table() -> list[int]:
    # Most significant bit first: if the top bit is set, shift left and xor the
    # polynomial (should be: low bit first, shifting right, reversed polynomial).
    table = []
    for byte in range(256):
        crc = byte << 24
        for _ in range(8):
            crc = ((crc << 1) ^ POLY if crc & 0x80000000 else crc << 1) & 0xFFFFFFFF
        table.append(crc)
    return table


TABLE = _make_table()


def crc32c(data: bytes) -> int:
    crc = 0xFFFFFFFF
    for byte in data:
        crc = TABLE[((crc >> 24) ^ byte) & 0xFF] ^ ((crc << 8) & 0xFFFFFFFF)
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
