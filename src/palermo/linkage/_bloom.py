"""Keyed hashing of tokens into Bloom-filter bit positions, packing, and hardening.

A token (a name bigram, a date digit …) is hashed with the key of its field's key group:
``BLAKE2b(key=K_group, salt_value || 0x1f || token || counter)`` (or HMAC-SHA256), each digest read
as 16-bit integers taken modulo the length ``l``, as many as the token's bit count ``k``. With
salting, the stable attribute's value is part of every hashed message, so records that differ in it
share no bits (the keyed hash makes this equivalent to a key per value).

Encodings are packed into ``l/64`` unsigned 64-bit words, bit ``i`` of the filter being bit
``i % 64`` of word ``i // 64``; on disk they are the words' little-endian bytes.
"""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from palermo.linkage._schema import LinkageSchema
from palermo.linkage._secret import Secret

IntArray = npt.NDArray[np.int64]
WordArray = npt.NDArray[np.uint64]


class Hasher:
    """Per-key-group keys derived from the secret, and cached token → positions."""

    def __init__(self, schema: LinkageSchema, secret: Secret) -> None:
        config = schema.clk_config
        self.l = config.l
        self._hash = config.hash
        kdf = config.kdf
        hash_name = kdf.hash.lower()
        self._keys: dict[str, bytes] = {}
        for feature in schema.encoded:
            assert feature.hashing is not None
            groups = [feature.hashing.key_group or feature.identifier]
            if feature.hashing.sound is not None:
                groups.append(feature.hashing.sound.key_group or f"{feature.identifier}.sound")
            for group in groups:
                if group not in self._keys:
                    self._keys[group] = secret.derive(
                        f"palermo/field/{group}", salt=kdf.salt, length=kdf.key_size, hash_name=hash_name
                    )
        self.blocking_key = secret.derive("palermo/blocking", salt=kdf.salt, length=64, hash_name=hash_name)
        permutation_seed = secret.derive("palermo/balance", salt=kdf.salt, length=32, hash_name=hash_name)
        self.permutation_seed = int.from_bytes(permutation_seed, "big")
        self.key_check = secret.key_check(salt=kdf.salt)
        self.positions = lru_cache(maxsize=500_000)(self._positions)

    def _positions(self, group: str, salt: str, token: str, k: int) -> tuple[int, ...]:
        key = self._keys[group]
        message = f"{salt}\x1f{token}".encode()
        values: list[int] = []
        counter = 0
        while len(values) < k:
            data = message + counter.to_bytes(2, "big")
            if self._hash == "blake2b":
                digest = hashlib.blake2b(data, key=key, digest_size=64).digest()
            else:
                digest = hmac.new(key, data, "sha256").digest()
            values.extend(int.from_bytes(digest[i : i + 2], "big") % self.l for i in range(0, len(digest), 2))
            counter += 1
        return tuple(values[:k])

    def block_hash(self, name: str, parts: list[str]) -> int:
        """A blocking-key value as a signed 64-bit integer (Spark has no unsigned type)."""
        data = (name + "\x1f" + "\x1e".join(parts)).encode()
        digest = hashlib.blake2b(data, key=self.blocking_key, digest_size=8).digest()
        return int.from_bytes(digest, "little", signed=True)


def set_bits(bits: npt.NDArray[np.bool_], rows: IntArray, positions: IntArray) -> None:
    """Set ``bits[rows[i], positions[i]]`` for every i (a batch of filters, one row each)."""
    if len(rows):
        bits[rows, positions] = True


def harden(
    bits: npt.NDArray[np.bool_], schema: LinkageSchema, permutation_seed: int
) -> npt.NDArray[np.bool_]:
    """Balancing (filter, then its complement, under a keyed permutation) and XOR folding."""
    hardening = schema.clk_config.hardening
    if hardening.balance:
        doubled = np.concatenate([bits, ~bits], axis=1)
        order = np.random.Generator(np.random.PCG64(permutation_seed)).permutation(doubled.shape[1])
        bits = doubled[:, order]
    for _ in range(hardening.xor_folds):
        half = bits.shape[1] // 2
        bits = bits[:, :half] ^ bits[:, half:]
    return bits


def pack(bits: npt.NDArray[np.bool_]) -> WordArray:
    """Rows of bits to rows of little-endian 64-bit words (bit i → word i // 64, bit i % 64)."""
    packed = np.packbits(bits, axis=1, bitorder="little")
    return np.ascontiguousarray(packed).view("<u8").astype(np.uint64, copy=False)


def unpack(words: WordArray) -> npt.NDArray[np.bool_]:
    """The inverse of :func:`pack`."""
    as_bytes = np.ascontiguousarray(words.astype("<u8", copy=False)).view(np.uint8)
    return np.unpackbits(as_bytes, axis=1, bitorder="little").astype(bool)


def popcounts(words: WordArray) -> IntArray:
    """Bits set in each encoding."""
    return np.asarray(np.bitwise_count(words).sum(axis=1, dtype=np.int64), dtype=np.int64)
