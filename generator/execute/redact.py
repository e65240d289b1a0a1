"""Secrets out of everything shown or stored, including output that arrives in arbitrary chunks."""

from __future__ import annotations

MASK = "***"


class Redactor:
    """Replaces every secret value with `***`.

    `feed` is for streams: a chunk that ends with the beginning of a secret keeps that tail back
    until the next chunk says whether the secret follows, so a secret split across two reads never
    reaches the screen. `flush` releases the held tail at end of stream.
    """

    def __init__(self, secrets: list[str] | tuple[str, ...] = ()):
        # Longest first, so that a secret containing another one is masked whole.
        self.secrets = sorted({s for s in secrets if s}, key=len, reverse=True)
        self._pending = ""

    def text(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, MASK)
        return text

    def feed(self, chunk: str) -> str:
        if not self.secrets:
            return chunk
        buffer = self.text(self._pending + chunk)
        keep = self._held_tail(buffer)
        self._pending = buffer[len(buffer) - keep:] if keep else ""
        return buffer[:len(buffer) - keep]

    def flush(self) -> str:
        rest, self._pending = self._pending, ""
        return self.text(rest)

    def _held_tail(self, buffer: str) -> int:
        """Length of the longest end of `buffer` that is the start of some secret."""
        longest = 0
        for secret in self.secrets:
            for size in range(min(len(secret) - 1, len(buffer)), longest, -1):
                if buffer.endswith(secret[:size]):
                    longest = size
                    break
        return longest
