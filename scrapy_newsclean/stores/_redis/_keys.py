"""The Redis store's key layout, and how a fingerprint becomes script arguments.

Layout per scope (:func:`fingerprint_base`: ``{prefix}:fp:{scope}``), a
constant number of keys:

- ``…:d{k}:b{i}``: one hash per sketch bin
  (:func:`~scrapy_newsclean.neardup._sketch.sketch_bins`); field = the
  bin's value (3 bytes, :func:`bin_fields`), value = the bucket's entries, 32
  bytes each: simhash and sketch (big-endian; Lua's ``bit`` ops read the
  simhash as two 32-bit halves), an 8-byte id and the expiry time (a double:
  ``now + lease`` while pending (renewed by the owner's heartbeat), ``now + ttl`` once committed, infinity
  without a TTL);
- ``…:u``: id -> ``P`` (pending) or ``C`` (committed), then ``=url`` if any;
- ``…:m``: the cleaning sweep's counter and cursors.

Site templates: :func:`template_key` (``{prefix}:tpl:{site}``), a hash of
8-byte key -> count (4 bytes), time last counted (a double), then the
simhashes of the key's sample (8 bytes each); its ``EXPIRE`` (TTL + lease +
a day) is renewed by every count. The fingerprint version: :func:`meta_key`, field
``version``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scrapy_newsclean.neardup._sketch import sketch_bins

if TYPE_CHECKING:
    from scrapy_newsclean.neardup._fingerprint import Fingerprint


def fingerprint_base(prefix: str, scope: str) -> str:
    """The common start of a scope's fingerprint keys."""
    return f"{prefix}:fp:{scope}"


def template_key(prefix: str, site: str) -> str:
    """The hash of a site's template key counts."""
    return f"{prefix}:tpl:{site}"


def meta_key(prefix: str) -> str:
    """The hash holding the stored fingerprints' version."""
    return f"{prefix}:meta"


def bin_fields(sketch: int) -> bytes:
    """The bucket field of each sketch bin (candidates share one)."""
    return b"".join(value.to_bytes(3, "big") for value in sketch_bins(sketch))


def item_args(
    prefix: str, scope: str, fp: Fingerprint, ref: int, url: str | None
) -> list[Any]:
    """One item's script arguments: base id simhash sketch url fields."""
    return [
        fingerprint_base(prefix, scope),
        ref.to_bytes(8, "big"),
        fp.simhash.to_bytes(8, "big"),
        fp.sketch.to_bytes(8, "big"),
        "" if url is None else f"={url}",
        bin_fields(fp.sketch),
    ]
