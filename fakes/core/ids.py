"""The one seeded random source of a tenant: every id, token, code and trace id comes from here."""

from __future__ import annotations

import random
import string
import uuid

_ALNUM = string.ascii_letters + string.digits
_URLSAFE = _ALNUM + "-_"
# RFC 4122 version 4: the variant bits (10) and the version nibble (4), as uuid.UUID(version=4) sets them.
_UUID4_CLEAR = ~((0xC000 << 48) | (0xF000 << 64))
_UUID4_SET = (0x8000 << 48) | (4 << 76)


class IdSource:
    """Deterministic ids in each vendor's format, from `random.Random(seed)`."""

    def __init__(self, seed: str | int) -> None:
        self._random = random.Random(str(seed))

    def digits(self, length: int) -> str:
        first = self._random.choice("123456789")
        return first + "".join(self._random.choice(string.digits) for _ in range(length - 1))

    def meta_id(self) -> str:
        """Meta object ids (apps, businesses, WABAs, phone numbers) are 15-16 digit decimal strings."""
        return self.digits(15)

    def shuffled(self, items: list[str]) -> list[str]:
        """A seeded permutation (for orders a vendor does not keep stable)."""
        copy = list(items)
        self._random.shuffle(copy)
        return copy

    def text(self, alphabet: str, length: int) -> str:
        return "".join(self._random.choice(alphabet) for _ in range(length))

    def access_token(self) -> str:
        """Graph business tokens start with EAA and run to a couple of hundred characters."""
        return "EAA" + self.text(_ALNUM, 197)

    def auth_code(self) -> str:
        """Embedded Signup codes start with AQ and run to hundreds of characters."""
        return "AQ" + self.text(_URLSAFE, 318)

    def fbtrace_id(self) -> str:
        """Modern fbtrace ids: 23 characters starting with A."""
        return "A" + self.text(_URLSAFE, 22)

    def fb_request_id(self) -> str:
        return "A" + self.text(_URLSAFE, 22)

    def uuid4(self) -> str:
        """`str(uuid.UUID(int=<128 random bits>, version=4))`, formatted directly (once per Telnyx answer)."""
        value = self._random.getrandbits(128) & _UUID4_CLEAR | _UUID4_SET
        text = f"{value:032x}"
        return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"

    def uuid7(self, unix_seconds: float) -> str:
        """Telnyx's recent resource ids are UUIDv7: 48-bit millisecond timestamp, then random bits."""
        millis = int(unix_seconds * 1000) & ((1 << 48) - 1)
        value = (millis << 80) | (0x7 << 76) | (self._random.getrandbits(12) << 64)
        value |= (0b10 << 62) | self._random.getrandbits(62)
        return str(uuid.UUID(int=value))

    def telnyx_api_key(self) -> str:
        return "KEY" + self.text(string.ascii_uppercase + string.digits, 26) + "_" + self.text(_ALNUM, 22)
