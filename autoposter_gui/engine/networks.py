"""The networks as the owner reads them: the choices the Connect wizard offers and each platform's label."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from autoposter_gui.networks import registry
from autoposter_gui.networks.registry import keys as network_keys

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class NetworkChoice:
    """One network the owner can connect: its registry key, its name, and the platforms it publishes."""

    key: str
    label: str  # "Facebook & Instagram", "X", "Google Business Profile"
    platforms: tuple[str, ...]


def choices() -> list[NetworkChoice]:
    """Every network, in the registry's order (one whose package can't be loaded is named after its platforms;
    connecting it then says why)."""
    found: list[NetworkChoice] = []
    for key in network_keys():
        try:
            network = registry.network(key)
        except ImportError as exc:
            log.warning("network %s is not available: %s", key, exc)
            known = registry.platforms(key)
            found.append(NetworkChoice(key, " & ".join(p.title() for p in known) or key.title(), known))
            continue
        names = " & ".join(dict.fromkeys(network.label(p) for p in network.platforms))
        found.append(NetworkChoice(key, names, tuple(network.platforms)))
    return found


@cache
def platform_label(platform: str) -> str:
    """The long name of a platform: "Facebook", "Instagram", "X", "Google Business Profile"."""
    try:
        return registry.for_platform(platform).label(platform)
    except (ImportError, KeyError):
        return platform.title()


def platform_short_label(platform: str) -> str:
    """The short name, for tight places (chips, lists): the long name's first word ("Google")."""
    return platform_label(platform).split()[0]


def network_of(platform: str) -> str:
    """The key of the network that publishes ``platform`` ("facebook" → "meta")."""
    return next((key for key in network_keys() if platform in registry.platforms(key)), platform)


def provider_name(platform: str) -> str:
    """Who answers for a platform, as the owner knows it: "Meta" (Facebook, Instagram), "X", "Google"."""
    return network_of(platform).title()


def providers(platforms: Iterable[str]) -> str:
    """Who answers for these platforms, each named once: "Meta", "Meta and X", "Meta, X and Google"."""
    names = list(dict.fromkeys(provider_name(p) for p in platforms))
    if not names:
        return "the network"
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def callback_url(key: str) -> str | None:
    """The exact redirect a network's developer portal must list (X's fixed loopback port); None when the
    network takes any free port (Google's installed-app loopback)."""
    from autoposter_gui.networks.loopback import HOST

    try:
        network = registry.network(key)
    except ImportError:
        return None
    return f"http://{HOST}:{network.default_port}{network.redirect_path}" if network.default_port else None
