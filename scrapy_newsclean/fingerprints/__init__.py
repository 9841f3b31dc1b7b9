"""The near-duplicate fingerprint algorithm (pure), one concept per module.

- :mod:`.params`: :class:`~.params.SimhashConfig`, the tunable parameters;
- :mod:`.features`: text -> features -> 8-byte feature and shingle hashes;
- :mod:`.simhash64`: the 64-bit Charikar simhash, Hamming distance, storage;
- :mod:`.sketch`: the min-hash sketch and its index keys;
- :mod:`.build`: :func:`~.build.fingerprint` and :data:`~.build.FINGERPRINT_VERSION`;
- :mod:`.near`: the near-duplicate predicate.

Users import these through :mod:`scrapy_newsclean.simhash`.
"""
