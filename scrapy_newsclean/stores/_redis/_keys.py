"""The Redis store's key layout (layout 2), and how a fingerprint becomes
script arguments.

Layout per scope (:func:`fingerprint_base`: ``{prefix}:fp:{scope}``), a
constant number of keys:

- ``…:d{k}:b{i}``: one hash per sketch bin
  (:func:`~scrapy_newsclean.neardup._sketch.sketch_bins`, 21 bits each). The
  field is the bin value's high :data:`FIELD_BITS` (14) bits (2 bytes,
  :func:`bin_fields`), so about ``n / 16384`` fingerprints share a field and
  Redis's per-field overhead is spread over them; the value is the field's
  entries, :data:`ENTRY_SIZE` (26) bytes each (:func:`pack_entry`):

  ===== ====== ==========================================================
  bytes offset what
  ===== ====== ==========================================================
  8     0      simhash (big-endian; Lua's ``bit`` ops read two 32-bit halves)
  1     8      the bin value's low 7 bits (``<< 1``), then bit 0: pending
  6     9      id (random, chosen by the client: a retried call finds its own)
  4     15     expiry, whole seconds, rounded up (``0xFFFFFFFF``: never):
                ``now + lease`` while pending (renewed by the owner's
                heartbeat), ``now + ttl`` once committed
  4     19     URL hash (:func:`url_hash`; 0: no URL)
  3     23     host hash (:func:`host_hash` of ``host_key``; 0: no host)
  ===== ====== ==========================================================

  Two fingerprints are candidates when one bin's 21 bits are equal: the
  same field *and* the same low 7 bits in the entry. The hashes stand in for
  the kept URL in the same-host rule
  (:func:`~scrapy_newsclean.neardup._near.counts_as_duplicate`): two URLs whose
  32-bit hashes collide (2**-32 per pair) count as the same URL, two hosts
  whose 24-bit hashes collide (2**-24 per pair compared) as the same host;
  an equal URL hash also tells the caller that the match is its own URL
  fetched again. Ids are 48 random bits: a collision (2**-48 per pair in
  one field) could only make a call take another's entry for its own.
- ``…:u`` (only with ``?urls=1``): id -> the kept article's URL, for
  :attr:`~scrapy_newsclean.stores.Match.url`; removed with the entry.
- ``…:m``: the cleaning sweep's counter and cursors.

Site templates: :func:`template_key` (``{prefix}:tpl:{site}``), a hash of
8-byte key -> count (4 bytes), time last counted (a double), then the
simhashes of the key's sample (8 bytes each); its ``EXPIRE`` (TTL + lease +
a day) is renewed by every count.

The fingerprint version and the layout: :func:`meta_key`, field ``version``
= :func:`version_value` (``3;redis-layout=2``). Layout 1 (a 3-byte field per
bin value, 32-byte entries and the ``…:u`` map of every id's state and URL:
391 B per fingerprint at 1M) wrote the bare fingerprint version; a store
refuses a prefix of another layout, and earlier releases refuse this one as
another fingerprint version, so no process misreads the other's keys.
"""

from __future__ import annotations

import math
import struct
from hashlib import blake2b
from typing import TYPE_CHECKING, Any

from scrapy_newsclean.neardup._near import host_key
from scrapy_newsclean.neardup._sketch import BIN_BITS, BIN_MASK, BIN_SHIFTS

if TYPE_CHECKING:
    from scrapy_newsclean.neardup._fingerprint import Fingerprint

#: This module's key layout (stored in the meta key with the fingerprint version).
LAYOUT = 2
#: Bits of a bin value that name its bucket field; the rest is in the entry.
FIELD_BITS = 14
RESIDUE_BITS = BIN_BITS - FIELD_BITS
ENTRY_SIZE = 26
ID_BYTES = 6
_RESIDUE_MASK = (1 << RESIDUE_BITS) - 1
_FIELDS = struct.Struct(f">{len(BIN_SHIFTS)}H")
#: The expiry of an entry that never expires.
NEVER = 0xFFFF_FFFF


def fingerprint_base(prefix: str, scope: str) -> str:
    """The common start of a scope's fingerprint keys."""
    return f"{prefix}:fp:{scope}"


def template_key(prefix: str, site: str) -> str:
    """The hash of a site's template key counts."""
    return f"{prefix}:tpl:{site}"


def meta_key(prefix: str) -> str:
    """The hash holding the stored fingerprints' version and layout."""
    return f"{prefix}:meta"


def version_value(fingerprint_version: int) -> str:
    """The meta key's ``version``: the fingerprint version and :data:`LAYOUT`."""
    return f"{fingerprint_version};redis-layout={LAYOUT}"


def parse_version(value: bytes | str) -> tuple[str, int]:
    """(fingerprint version, layout) of a meta ``version`` (bare: layout 1)."""
    text = value.decode("utf-8", "replace") if isinstance(value, bytes) else value
    version, sep, layout = text.partition(";redis-layout=")
    if not sep:
        return version, 1
    return version, int(layout) if layout.isdigit() else -1


def bin_fields(sketch: int) -> tuple[bytes, bytes]:
    """The bucket field of each sketch bin (2 bytes each) and each bin's low
    :data:`RESIDUE_BITS` bits (1 byte each)."""
    bins = [(sketch >> shift) & BIN_MASK for shift in BIN_SHIFTS]
    fields = _FIELDS.pack(*[value >> RESIDUE_BITS for value in bins])
    return fields, bytes([value & _RESIDUE_MASK for value in bins])


def _hash(text: str, size: int, person: bytes) -> bytes:
    digest = blake2b(
        text.encode("utf-8", "surrogatepass"), digest_size=size, person=person
    ).digest()
    return digest if any(digest) else b"\x00" * (size - 1) + b"\x01"


def url_hash(url: str | None) -> bytes:
    """4 bytes standing for *url* (never all zero); no URL: four zero bytes."""
    return _hash(url, 4, b"newsclean-url") if url else b"\x00" * 4


def host_hash(url: str | None) -> bytes:
    """3 bytes standing for ``host_key(url)`` (never all zero); no host: zeros."""
    host = host_key(url) if url else ""
    return _hash(host, 3, b"newsclean-host") if host else b"\x00" * 3


def expiry_seconds(when: float | None) -> int:
    """An entry's expiry: *when* rounded up to whole seconds (None: never)."""
    if when is None or when >= NEVER:
        return NEVER
    return max(0, math.ceil(when))


def pack_entry(
    simhash: int,
    residue: int,
    *,
    pending: bool,
    ref: int,
    expiry: float | None,
    url: str | None,
) -> bytes:
    """One bucket entry (what the scripts write; for tests and tools)."""
    return b"".join(
        (
            simhash.to_bytes(8, "big"),
            bytes([(residue << 1) | pending]),
            ref.to_bytes(ID_BYTES, "big"),
            expiry_seconds(expiry).to_bytes(4, "big"),
            url_hash(url),
            host_hash(url),
        )
    )


def unpack_entry(entry: bytes) -> dict[str, Any]:
    """The fields of one bucket entry (the inverse of :func:`pack_entry`,
    hashes left as bytes)."""
    if len(entry) != ENTRY_SIZE:
        raise ValueError(f"an entry is {ENTRY_SIZE} bytes, got {len(entry)}")
    return {
        "simhash": int.from_bytes(entry[0:8], "big"),
        "residue": entry[8] >> 1,
        "pending": bool(entry[8] & 1),
        "ref": int.from_bytes(entry[9:15], "big"),
        "expiry": int.from_bytes(entry[15:19], "big"),
        "url_hash": entry[19:23],
        "host_hash": entry[23:26],
    }


def item_args(
    prefix: str, scope: str, fp: Fingerprint, ref: int, url: str | None
) -> list[Any]:
    """One item's script arguments: base id simhash urlhash hosthash fields
    residues url (``''`` or ``'='`` + the URL)."""
    fields, residues = bin_fields(fp.sketch)
    return [
        fingerprint_base(prefix, scope),
        ref.to_bytes(ID_BYTES, "big"),
        fp.simhash.to_bytes(8, "big"),
        url_hash(url),
        host_hash(url),
        fields,
        residues,
        "" if url is None else f"={url}",
    ]
