"""An Ed25519 public key from its 32-byte private seed, in plain Python (RFC 8032, section 5.1.5).

Only the public half, and only so that a start-up can print a world's webhook public key without loading
`cryptography` (6 MB of resident memory, and its import) before anything is signed: signing itself stays with
`cryptography`. The seed is derived from the world's seed and is no secret of anyone's. About 5 ms per key.
"""

from __future__ import annotations

import hashlib

_P = 2**255 - 19
_D = -121665 * pow(121666, _P - 2, _P) % _P
_SQRT_M1 = pow(2, (_P - 1) // 4, _P)


def _x_of(y: int) -> int:
    """The even x of the curve point with this y."""
    xx = (y * y - 1) * pow(_D * y * y + 1, _P - 2, _P)
    x = pow(xx, (_P + 3) // 8, _P)
    if (x * x - xx) % _P:
        x = x * _SQRT_M1 % _P
    return _P - x if x & 1 else x


_BASE_Y = 4 * pow(5, _P - 2, _P) % _P
_BASE_X = _x_of(_BASE_Y)
_BASE = (_BASE_X, _BASE_Y, 1, _BASE_X * _BASE_Y % _P)  # extended coordinates (X, Y, Z, T)


def _add(p: tuple[int, int, int, int], q: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
    a = (p[1] - p[0]) * (q[1] - q[0]) % _P
    b = (p[1] + p[0]) * (q[1] + q[0]) % _P
    c = 2 * p[3] * q[3] * _D % _P
    d = 2 * p[2] * q[2] % _P
    e, f, g, h = b - a, d - c, d + c, b + a
    return e * f % _P, g * h % _P, f * g % _P, e * h % _P


def public_key(seed: bytes) -> bytes:
    """The 32-byte public key of the private key `seed` (what `Ed25519PrivateKey.from_private_bytes(seed)
    .public_key().public_bytes(Raw, Raw)` gives)."""
    digest = hashlib.sha512(seed).digest()
    scalar = int.from_bytes(digest[:32], "little")
    scalar = (scalar & ((1 << 254) - 8)) | (1 << 254)
    point, addend = (0, 1, 1, 0), _BASE
    while scalar:
        if scalar & 1:
            point = _add(point, addend)
        addend = _add(addend, addend)
        scalar >>= 1
    z_inverse = pow(point[2], _P - 2, _P)
    x, y = point[0] * z_inverse % _P, point[1] * z_inverse % _P
    return (y | (x & 1) << 255).to_bytes(32, "little")
