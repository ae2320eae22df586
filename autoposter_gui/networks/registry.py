"""Which networks exist and which one publishes a platform: the only place that names the network packages."""

from __future__ import annotations

import importlib
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the protocol's module (its dataclasses, the decision types) loads with the first network
    from autoposter_gui.networks.protocol import Network

# key -> the module whose NETWORK implements it (imported on first use: starting the app loads none of them).
_PACKAGES: dict[str, str] = {
    "meta": "autoposter_gui.meta.network",
    "x": "autoposter_gui.x.network",
    "google": "autoposter_gui.google.network",
}

# platform value -> network key
_PLATFORMS: dict[str, str] = {"facebook": "meta", "instagram": "meta", "x": "x", "google": "google"}


@cache
def network(key: str) -> Network:
    """The network called ``key`` (KeyError for an unknown one)."""
    module = importlib.import_module(_PACKAGES[key])
    found: Network = module.NETWORK
    return found


def keys() -> tuple[str, ...]:
    """Every network, in the order choices are listed."""
    return tuple(_PACKAGES)


def for_platform(platform: str) -> Network:
    """The network that publishes ``platform`` (a queue item's or an account's platform value)."""
    return network(_PLATFORMS[platform])


def platforms(key: str) -> tuple[str, ...]:
    """The platform values network ``key`` publishes, without loading its package."""
    return tuple(p for p, k in _PLATFORMS.items() if k == key)
