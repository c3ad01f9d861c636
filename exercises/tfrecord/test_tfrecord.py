"""Tests for tfrecord: published CRC-32C check values, a bit-at-a-time CRC and a
struct-built layout as oracles, and every single-byte corruption and truncation."""

import struct

import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

HEADER, FOOTER = 12, 4


def bitwise_crc32c(data):
    """The definition, one bit at a time: reflected CRC, polynomial 0x82F63B78."""
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0x82F63B78 if crc & 1 else crc >> 1
    return crc ^ 0xFFFFFFFF


def mask(crc):
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def record_layout(data):
    """One record, field by field: length, masked CRC of the length, data, masked CRC of the data."""
    length = struct.pack("<Q", len(data))
    return (
        length + struct.pack("<I", mask(bitwise_crc32c(length))) + data + struct.pack("<I", mask(bitwise_crc32c(data)))
    )


def file_layout(records):
    return b"".join(record_layout(data) for data in records)


def boundaries(records):
    """The offsets where records start, and the end of the file."""
    offsets = [0]
    for data in records:
        offsets.append(offsets[-1] + HEADER + len(data) + FOOTER)
    return offsets


def field_at(records, position):
    """Which field of which record byte ``position`` of the file belongs to, for messages."""
    offsets = boundaries(records)
    for index, (start, data) in enumerate(zip(offsets, records)):
        offset = position - start
        if offset < HEADER + len(data) + FOOTER:
            if offset < 8:
                field = "length"
            elif offset < HEADER:
                field = "CRC of the length"
            elif offset < HEADER + len(data):
                field = "data"
            else:
                field = "CRC of the data"
            return f"byte {position} (the {field} of record {index})"
    raise AssertionError(f"position {position} is past the end of the file")


def short(blob, limit=48):
    """bytes for a message: the hex of the first ``limit`` bytes."""
    text = blob[:limit].hex(" ")
    return f"{text} ... ({len(blob)} bytes)" if len(blob) > limit else text or "(empty)"


def hex32(value):
    """A CRC for a message: 0x-prefixed, 8 hex digits; anything that is not an int as its repr."""
    return f"{value:#010x}" if isinstance(value, int) and value >= 0 else repr(value)


def first_difference(got, expected, records):
    """Where two files first differ, for a message."""
    first = next((i for i, (a, b) in enumerate(zip(got, expected)) if a != b), min(len(got), len(expected)))
    return field_at(records, first) if first < len(expected) else f"byte {first}, past the end of the expected file"


def check_reads_intact_file(submission, blob, records):
    """Before damaging a file: the submission must read the intact one."""
    message, returned = read_error(submission, blob)
    assert message is None and returned == records, (
        f"read_records on the intact file of {records!r} ({short(blob, 64)}) "
        + (f"raised ValueError({message!r})" if message is not None else f"returned {returned!r}")
        + f"; expected {records!r}"
    )


def read_error(submission, blob):
    """The ValueError message read_records raised for ``blob``, or what it returned instead."""
    try:
        records = submission.read_records(blob)
    except ValueError as error:
        return str(error), None
    return None, records


record_lists = st.lists(st.binary(max_size=40), max_size=6)
small_files = st.lists(st.binary(max_size=10), min_size=1, max_size=3)


@pytest.mark.points(2)
def test_crc32c_check_values(submission):
    # RFC 3720 (iSCSI), appendix B.4, and the usual "123456789" check value.
    cases = [
        (b"123456789", 0xE3069283),
        (b"", 0),
        (b"a", 0xC1D04330),
        (bytes(32), 0x8A9136AA),
        (b"\xff" * 32, 0x62A8AB43),
        (bytes(range(32)), 0x46DD794E),
        (bytes(range(31, -1, -1)), 0x113FDB5C),
    ]
    for data, expected in cases:
        got = submission.crc32c(data)
        assert got == expected, f"crc32c({data!r}) returned {hex32(got)}, expected {hex32(expected)}"


def test_masked_crc32c_known_values(submission):
    cases = [(b"", 0xA282EAD8), (b"123456789", 0xC78AB0E5), (bytes(8), 0x07980329), (b"hello", 0x191C1FBB)]
    for data, expected in cases:
        got = submission.masked_crc32c(data)
        assert got == expected, f"masked_crc32c({data!r}) returned {hex32(got)}, expected {hex32(expected)}"


def test_known_files(submission):
    hello = bytes.fromhex("0500000000000000eab2043e68656c6c6fbb1f1c19")
    empty_record = bytes.fromhex("000000000000000029039807d8ea82a2")
    cases = [([b"hello"], hello), ([b""], empty_record), ([], b"")]
    for records, blob in cases:
        got = submission.write_records(list(records))
        shown = short(got) if isinstance(got, bytes) else repr(got)
        assert got == blob, f"write_records({records}) returned {shown}, expected {short(blob)}"
        got = submission.read_records(blob)
        assert got == records, f"read_records({short(blob)}) returned {got!r}, expected {records}"


@pytest.mark.points(2)
@given(data=st.binary(max_size=200))
def test_crc32c_matches_the_bitwise_definition(submission, data):
    got = submission.crc32c(data)
    expected = bitwise_crc32c(data)
    assert got == expected, f"crc32c(bytes.fromhex({data.hex()!r})) returned {hex32(got)}, expected {hex32(expected)}"


@given(data=st.binary(max_size=200))
def test_masked_crc32c_rotates_and_adds(submission, data):
    got = submission.masked_crc32c(data)
    crc = bitwise_crc32c(data)
    expected = mask(crc)
    assert got == expected, (
        f"masked_crc32c(bytes.fromhex({data.hex()!r})) returned {hex32(got)}, expected {hex32(expected)}: "
        f"the CRC {hex32(crc)} "
        "rotated right by 15 bits, plus 0xA282EAD8, modulo 2**32"
    )


@pytest.mark.points(2)
@given(records=record_lists)
def test_write_records_matches_the_layout(submission, records):
    got = submission.write_records(list(records))
    expected = file_layout(records)
    assert isinstance(got, bytes), f"write_records returned a {type(got).__name__}, expected bytes"
    assert got == expected, (
        f"write_records({records!r}) returned\n  {short(got, 64)}\nexpected\n  {short(expected, 64)}\n"
        f"first difference at {first_difference(got, expected, records)}"
    )


@pytest.mark.points(2)
@given(records=record_lists)
def test_read_records_reads_an_independently_written_file(submission, records):
    blob = file_layout(records)
    got = submission.read_records(blob)
    assert got == records, f"read_records({short(blob, 64)}) returned {got!r}, expected {records!r}"


@given(records=record_lists)
def test_reading_back_what_was_written(submission, records):
    blob = submission.write_records(list(records))
    got = submission.read_records(blob)
    assert got == records, f"write_records({records!r}) then read_records returned {got!r}"


@pytest.mark.points(2)
# Each example reads the file once per byte position: fewer examples suffice.
@settings(max_examples=25)
@given(records=small_files, flip=st.integers(1, 255))
def test_every_single_byte_corruption_is_detected(submission, records, flip):
    blob = file_layout(records)
    check_reads_intact_file(submission, blob, records)
    for position in range(len(blob)):
        damaged = bytearray(blob)
        damaged[position] ^= flip
        message, returned = read_error(submission, bytes(damaged))
        change = f"{field_at(records, position)} changed from {blob[position]:#04x} to {damaged[position]:#04x}"
        assert message is not None, (
            f"read_records accepted the file of {records!r} with {change}, and returned {returned!r}; "
            "expected a ValueError saying 'corrupt'"
        )
        assert "corrupt" in message.lower(), (
            f"read_records raised ValueError({message!r}) on the file of {records!r} with {change}; "
            "expected a message saying 'corrupt' (a damaged length must fail its own CRC check before it is used)"
        )


@pytest.mark.points(2)
# Each example reads the file once per byte position: fewer examples suffice.
@settings(max_examples=25)
@given(records=small_files)
def test_every_truncation_is_detected(submission, records):
    blob = file_layout(records)
    offsets = boundaries(records)
    check_reads_intact_file(submission, blob, records)
    for cut in range(len(blob)):
        message, returned = read_error(submission, blob[:cut])
        if cut in offsets:  # between records: a valid, shorter file
            complete = records[: offsets.index(cut)]
            assert message is None, (
                f"read_records raised ValueError({message!r}) on the first {cut} bytes of the file of {records!r}; "
                f"they end between two records, so expected {complete!r}"
            )
            assert returned == complete, (
                f"read_records on the first {cut} bytes of the file of {records!r} returned {returned!r}, "
                f"expected the complete records before the cut: {complete!r}"
            )
        else:
            assert message is not None, (
                f"read_records on the first {cut} bytes of the file of {records!r} (cut just before "
                f"{field_at(records, cut)}) returned {returned!r}; expected a ValueError saying 'truncated'"
            )
            assert "truncated" in message.lower(), (
                f"read_records raised ValueError({message!r}) on the first {cut} bytes of the file of "
                f"{records!r} (cut just before {field_at(records, cut)}); expected a message saying 'truncated'"
            )


@st.composite
def large_records(draw):
    """A few records of tens of kilobytes (lengths above 65,535 need three bytes), made from a seed."""
    sizes = draw(st.lists(st.integers(0, 100_000), min_size=1, max_size=3))
    seed = draw(st.integers(0, 255))
    return [bytes((seed + 7 * i + i // 251) % 256 for i in range(size)) for size in sizes]


@pytest.mark.points(2)
# A few large files, not shrunk (the small-input tests above find the small counterexamples).
@settings(max_examples=5, phases=[Phase.explicit, Phase.generate])
@given(records=large_records())
def test_large_records(submission, records):
    sizes = [len(data) for data in records]
    blob = submission.write_records(list(records))
    expected = file_layout(records)
    assert isinstance(blob, bytes), f"write_records returned a {type(blob).__name__}, expected bytes"
    assert blob == expected, (
        f"write_records(records of {sizes} bytes) returned {len(blob)} bytes, expected {len(expected)}; "
        f"first difference at {first_difference(blob, expected, records)}"
    )
    got = submission.read_records(expected)
    assert got == records, f"read_records did not give back the records of {sizes} bytes"
