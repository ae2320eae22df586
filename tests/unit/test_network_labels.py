"""How the new networks are named to the owner: the Connect wizard's choices and each account's label."""

from __future__ import annotations

from dataclasses import dataclass

from autoposter_gui.engine.labels import account_label
from autoposter_gui.engine.networks import choices, platform_label, platform_short_label


@dataclass
class Row:
    platform: str
    name: str
    username: str | None = None


def test_the_wizard_offers_every_network_in_the_registry_order() -> None:
    offered = choices()
    assert [c.key for c in offered] == ["meta", "x", "google"]
    x = next(c for c in offered if c.key == "x")
    assert x.label == "X" and x.platforms == ("x",)


def test_platform_labels_long_and_short() -> None:
    assert platform_label("x") == "X" and platform_short_label("x") == "X"
    assert platform_short_label("google") == "Google"
    assert platform_short_label("instagram") == "Instagram"


def test_account_labels_name_the_network() -> None:
    assert account_label(Row("facebook", "Sandbox Bakery", "bakery")) == "Facebook Page Sandbox Bakery"
    assert account_label(Row("instagram", "Bakery", "sandbox.bakery")) == "Instagram account @sandbox.bakery"
    assert account_label(Row("x", "Sandbox Cafe", "sandboxcafe")) == "X account @sandboxcafe"
    assert account_label(Row("google", "Sandbox Cafe — Main St")) == "Google Business Profile Sandbox Cafe — Main St"


def test_who_answers_for_each_platform() -> None:
    from autoposter_gui.engine.networks import network_of, provider_name

    assert [network_of(p) for p in ("facebook", "instagram", "x", "google")] == ["meta", "meta", "x", "google"]
    assert [provider_name(p) for p in ("instagram", "x", "google")] == ["Meta", "X", "Google"]


def test_providers_names_each_network_once() -> None:
    from autoposter_gui.engine.networks import providers

    assert providers(["facebook", "instagram"]) == "Meta"
    assert providers(["instagram", "x", "facebook", "google"]) == "Meta, X and Google"
    assert providers(["x", "facebook"]) == "X and Meta"
    assert providers([]) == "the network"
