"""The 64-bit Charikar simhash of 8-byte hashes, its distance and storage.

A bit of the simhash is set when more than half of the (term-frequency
weighted) hashes have it set, as in the ``simhash`` package; the Hamming
distance of two simhashes estimates how much text two articles share.

Storage: all values are unsigned 64-bit ints (bit 63 may be set). SQLite
INTEGER is signed 64-bit: store :func:`to_signed` and read back with
:func:`to_unsigned`.
"""

from __future__ import annotations

MASK64 = (1 << 64) - 1
# ``_BIT_MASKS[b]`` has bit ``b`` set in every byte (for up to 2**16 features;
# ``&`` truncates to the shorter operand, so longer inputs are chunked).
_MAX_CHUNK = 1 << 16
# The value bit of each count of fold(): byte column j (0 = most significant), bit b.
_FOLD_BITS = tuple(1 << (8 * (7 - j) + b) for j in range(8) for b in range(8))
_BIT_MASKS = tuple(
    int.from_bytes(bytes([1 << b]) * _MAX_CHUNK, "big") for b in range(8)
)


def _column_counts(digests: bytes) -> list[int]:
    """Per-bit counts (bit 0 = least significant) over concatenated digests."""
    counts = [0] * 64
    for start in range(0, len(digests), 8 * _MAX_CHUNK):
        chunk = digests[start : start + 8 * _MAX_CHUNK]
        for j in range(8):
            column = int.from_bytes(chunk[j::8], "big")
            base = 8 * (7 - j)
            for b, mask in enumerate(_BIT_MASKS):
                counts[base + b] += (column & mask).bit_count()
    return counts


def fold(digests: bytes, weight: int) -> int:
    """Simhash of concatenated 8-byte digests, each of weight 1 (``weight``: count).

    Bit-sliced: byte column ``j`` of all digests becomes one int and each of
    its 8 bit planes is counted with ``int.bit_count``: 128 C-level operations
    instead of a Python loop over features. Bit set when count > weight / 2.
    """
    half = weight // 2
    if len(digests) > 8 * _MAX_CHUNK:
        counts = _column_counts(digests)
        return sum([1 << position for position, n in enumerate(counts) if n > half])
    counts = [
        (column & mask).bit_count()
        for column in [int.from_bytes(digests[j::8], "big") for j in range(8)]
        for mask in _BIT_MASKS
    ]
    return sum([bit for bit, n in zip(_FOLD_BITS, counts, strict=True) if n > half])


def hamming(a: int, b: int) -> int:
    """Number of differing bits between two 64-bit fingerprints."""
    return ((a ^ b) & MASK64).bit_count()


def to_signed(value: int) -> int:
    """Unsigned 64-bit -> signed int64 (for SQLite INTEGER columns)."""
    return value - (1 << 64) if value >= 1 << 63 else value


def to_unsigned(value: int) -> int:
    """Signed int64 (as read back from SQLite) -> unsigned 64-bit."""
    return value & MASK64
