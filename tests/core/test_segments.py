"""Evidence files sealed in segments as they stream (#19): tamper, truncation, reordering refused."""

import io
import os
import tracemalloc

import pytest

from unseen.core import sealing

KEY = bytes(range(32))
CONTEXT = "unseen/files.evidencefile/content/sha256=ab"
SMALL = 1024  # segment size for the tests that cut and move segments


def seal(data: bytes, *, segment: int = SMALL, pieces: int = 333, context: str = CONTEXT) -> bytes:
    sealer = sealing.SegmentSealer(KEY, context, segment=segment)
    out = [sealer.update(data[i : i + pieces]) for i in range(0, len(data), pieces)]
    out.append(sealer.finish())
    blob = b"".join(out)
    assert sealer.sealed_bytes == len(blob)
    return blob


def opened(blob: bytes, *, key: bytes = KEY, context: str = CONTEXT) -> bytes:
    return b"".join(sealing.open_segments(key, io.BytesIO(blob), context))


def segments(blob: bytes, segment: int = SMALL) -> tuple[bytes, list[bytes]]:
    header, body = (
        blob[: sealing.SEGMENT_HEADER_BYTES],
        blob[sealing.SEGMENT_HEADER_BYTES :],
    )
    size = segment + sealing.TAG_BYTES
    return header, [body[i : i + size] for i in range(0, len(body), size)]


@pytest.mark.parametrize("size", [0, 1, SMALL - 1, SMALL, SMALL + 1, 3 * SMALL, 5 * SMALL + 7])
def test_it_opens_what_it_sealed_whatever_the_size(size):
    data = os.urandom(size)
    blob = seal(data)
    assert opened(blob) == data
    assert len(blob) == sealing.sealed_length(size, SMALL)
    assert data[:16] not in blob[sealing.SEGMENT_HEADER_BYTES :] or size < 16


def test_it_opens_whatever_the_pieces_it_was_fed_in():
    data = os.urandom(4 * SMALL + 100)
    assert opened(seal(data, pieces=1)) == opened(seal(data, pieces=10 * SMALL)) == data


def test_a_flipped_byte_anywhere_is_refused():
    blob = bytearray(seal(os.urandom(3 * SMALL + 10)))
    for position in (len(sealing.SEGMENT_MAGIC) + 5, 40, SMALL + 60, len(blob) - 1):
        altered = bytearray(blob)
        altered[position] ^= 0x01
        with pytest.raises(sealing.SealingError):
            opened(bytes(altered))


def test_a_file_cut_at_a_segment_boundary_is_refused():
    header, parts = segments(seal(os.urandom(3 * SMALL + 10)))
    assert len(parts) == 4
    for kept in (1, 2, 3):
        with pytest.raises(sealing.SealingError):
            opened(header + b"".join(parts[:kept]))


def test_a_file_cut_inside_a_segment_or_to_its_header_is_refused():
    blob = seal(os.urandom(2 * SMALL))
    for end in (len(blob) - 1, len(blob) - sealing.TAG_BYTES, sealing.SEGMENT_HEADER_BYTES, 5, 0):
        with pytest.raises(sealing.SealingError):
            opened(blob[:end])


def test_an_empty_file_without_its_only_segment_is_refused():
    blob = seal(b"")
    assert opened(blob) == b""
    with pytest.raises(sealing.SealingError):
        opened(blob[: sealing.SEGMENT_HEADER_BYTES])


def test_reordered_or_repeated_segments_are_refused():
    header, parts = segments(seal(os.urandom(3 * SMALL + 10)))
    swapped = [parts[1], parts[0], parts[2], parts[3]]
    repeated = [parts[0], parts[0], parts[2], parts[3]]
    for order in (swapped, repeated):
        with pytest.raises(sealing.SealingError):
            opened(header + b"".join(order))


def test_bytes_added_at_the_end_are_refused():
    blob = seal(os.urandom(2 * SMALL + 3))
    with pytest.raises(sealing.SealingError):
        opened(blob + b"x")
    with pytest.raises(sealing.SealingError):
        opened(blob + seal(b"more")[sealing.SEGMENT_HEADER_BYTES :])


def test_another_context_or_key_does_not_open_it():
    blob = seal(b"scan of a contract")
    with pytest.raises(sealing.SealingError):
        opened(blob, context=CONTEXT + "x")
    with pytest.raises(sealing.SealingError):
        opened(blob, key=sealing.new_key())


def test_a_segment_of_another_file_under_the_same_key_does_not_open_here():
    header, parts = segments(seal(os.urandom(2 * SMALL + 5)))
    _, others = segments(seal(os.urandom(2 * SMALL + 5)))
    with pytest.raises(sealing.SealingError):
        opened(header + parts[0] + others[1] + parts[2])


def test_a_changed_segment_size_in_the_header_is_refused():
    blob = bytearray(seal(os.urandom(3 * SMALL)))
    at = len(sealing.SEGMENT_MAGIC)
    blob[at : at + 4] = (2 * SMALL).to_bytes(4, "big")
    with pytest.raises(sealing.SealingError):
        opened(bytes(blob))
    blob[at : at + 4] = (1 << 31).to_bytes(4, "big")  # refused before anything is allocated
    with pytest.raises(sealing.SealingError, match="out of range"):
        opened(bytes(blob))


def test_what_is_not_a_sealed_file_is_refused():
    with pytest.raises(sealing.SealingError, match="not a sealed evidence file"):
        opened(b"%PDF-1.7\n" + b"x" * 100)


def test_it_seals_and_opens_in_constant_memory(tmp_path):
    """64 MB through the sealer and back: peak Python memory stays near a few segments."""
    target = tmp_path / "sealed"
    piece = os.urandom(64 * 1024)
    tracemalloc.start()
    try:
        sealer = sealing.SegmentSealer(KEY, CONTEXT)
        with target.open("wb") as handle:
            for _ in range(1024):
                handle.write(sealer.update(piece))
            handle.write(sealer.finish())
        _, sealing_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        total = 0
        with target.open("rb") as handle:
            for chunk in sealing.open_segments(KEY, handle, CONTEXT):
                total += len(chunk)
        _, opening_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert total == 64 * 1024 * 1024
    assert sealing_peak < 8 * sealing.SEGMENT_BYTES, sealing_peak
    assert opening_peak < 8 * sealing.SEGMENT_BYTES, opening_peak


def test_a_segment_size_out_of_range_is_refused_when_sealing():
    with pytest.raises(ValueError):
        sealing.SegmentSealer(KEY, CONTEXT, segment=0)
    with pytest.raises(ValueError):
        sealing.SegmentSealer(KEY, CONTEXT, segment=sealing.MAX_SEGMENT_BYTES + 1)
