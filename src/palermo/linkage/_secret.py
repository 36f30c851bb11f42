"""The shared project secret: read from a key file, turned into per-field keys with HKDF (RFC 5869).

Every agency of a linkage project holds the same secret; the hub never does. Each field (or key
group) gets its own key, ``HKDF(secret, salt, info="palermo/field/<name>")``, so bits of one field
cannot be confused with bits of another. A *key check* (``HKDF(..., info="palermo/key-check")``,
8 bytes) travels with each encoded file: the hub can tell that two files were encoded under
different secrets, and refuse them, without learning anything it could not learn from the
encodings themselves.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from palermo.errors import LinkageSecretError

MIN_SECRET_BYTES = 16


def hkdf(secret: bytes, salt: bytes, info: bytes, length: int, hash_name: str = "sha256") -> bytes:
    """HKDF extract-and-expand (RFC 5869) with HMAC over ``hash_name``."""
    digest_size = hashlib.new(hash_name).digest_size
    if length > 255 * digest_size:
        raise ValueError("HKDF cannot produce that many bytes")
    prk = hmac.new(salt, secret, hash_name).digest()
    out, block = b"", b""
    counter = 1
    while len(out) < length:
        block = hmac.new(prk, block + info + bytes([counter]), hash_name).digest()
        out += block
        counter += 1
    return out[:length]


@dataclass(frozen=True)
class Secret:
    """A loaded secret. ``repr`` never shows it."""

    _value: bytes

    def __repr__(self) -> str:
        return "Secret(**********)"

    def derive(self, info: str, *, salt: str, length: int = 64, hash_name: str = "sha256") -> bytes:
        return hkdf(self._value, salt.encode(), info.encode(), length, hash_name)

    def key_check(self, *, salt: str) -> str:
        """16 hex characters that differ between secrets and reveal nothing about them."""
        return self.derive("palermo/key-check", salt=salt, length=8).hex()


def read_secret(path: Path | str | None) -> Secret:
    """Load the secret from a key file: its bytes with surrounding whitespace removed, at least
    16 bytes (``palermo link keygen`` writes 64 hex characters)."""
    if path is None:
        raise LinkageSecretError(
            "no linkage secret: give --secret-file KEYFILE (every agency of the project uses the same file)"
        )
    key_path = Path(path)
    try:
        value = key_path.read_bytes().strip()
    except FileNotFoundError:
        raise LinkageSecretError(f"secret file {key_path} does not exist") from None
    except IsADirectoryError:
        raise LinkageSecretError(f"secret file {key_path} is a folder") from None
    except OSError as exc:
        raise LinkageSecretError(f"secret file {key_path} cannot be read ({type(exc).__name__})") from None
    if not value:
        raise LinkageSecretError(f"secret file {key_path} is empty")
    if len(value) < MIN_SECRET_BYTES:
        raise LinkageSecretError(
            f"secret file {key_path} is too short ({len(value)} bytes; at least {MIN_SECRET_BYTES}): "
            "make one with 'palermo link keygen'"
        )
    return Secret(value)


def write_new_secret(path: Path | str, *, overwrite: bool = False) -> Path:
    """Write 32 random bytes as 64 hex characters to a new key file readable by its owner only."""
    key_path = Path(path)
    if key_path.exists() and not overwrite:
        raise LinkageSecretError(f"secret file {key_path} already exists (give --overwrite to replace it)")
    key_path.parent.mkdir(parents=True, exist_ok=True)
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
    fd = os.open(key_path, flags, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(secrets.token_hex(32) + "\n")
    return key_path
