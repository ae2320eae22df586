"""A keyring stand-in for the network packages' tests (networks.protocol.Secrets): a dict, and the keys written."""

from __future__ import annotations


class DictSecrets:
    def __init__(self, data: dict[str, str] | None = None) -> None:
        self.data: dict[str, str] = {} if data is None else data
        self.writes: list[str] = []  # every key set, in order (a rotated grant must be stored first)

    def get(self, key: str) -> str | None:
        return self.data.get(key)

    def set(self, key: str, value: str) -> None:
        self.data[key] = value
        self.writes.append(key)

    def delete(self, key: str) -> None:
        self.data.pop(key, None)
