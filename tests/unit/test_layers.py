"""The layer rules in pyproject.toml ([tool.importlinter]) hold for this checkout: a broken contract fails pytest."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
RUN = "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())"


def _contracts() -> list[dict[str, object]]:
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    contracts: list[dict[str, object]] = config["tool"]["importlinter"]["contracts"]
    return contracts


def test_the_contracts_cover_the_whole_rule_set() -> None:
    by_type: dict[str, list[dict[str, object]]] = {}
    for contract in _contracts():
        by_type.setdefault(str(contract["type"]), []).append(contract)
    (layers,) = by_type["layers"]
    assert layers["layers"][1:] == [  # type: ignore[index]
        "autoposter_gui.ui",
        "autoposter_gui.engine | autoposter_gui.logsetup | autoposter_gui.sandbox",
        "autoposter_gui.config",
        "autoposter_gui.storage | autoposter_gui.meta | autoposter_gui.x | autoposter_gui.google | "
        "autoposter_gui.tokens",
        "autoposter_gui.networks",
        "autoposter_gui.domain | autoposter_gui.desktop | autoposter_gui.resources",
    ]
    forbidden = {m for c in by_type["forbidden"] for m in c["forbidden_modules"]}  # type: ignore[attr-defined]
    lower = {"autoposter_gui.storage", "autoposter_gui.meta", "autoposter_gui.tokens"}
    assert {"PySide6", "requests", *lower} <= forbidden
    ui = next(c for c in by_type["forbidden"] if "autoposter_gui.ui" in c["source_modules"])  # type: ignore[operator]
    assert ui.get("allow_indirect_imports") is True  # the UI reaches the store through the engine, never directly
    # Every front end is in the top layer, and every part of the CLI is held to the CLI's rules (a new cli_*.py too).
    fronts = {m.strip() for m in layers["layers"][0].replace(":", "|").split("|")}  # type: ignore[index]
    clis = {f"autoposter_gui.{p.stem}" for p in (REPO / "autoposter_gui").glob("cli*.py")}
    assert fronts == {"autoposter_gui.app", *clis}
    cli = next(
        c
        for c in by_type["forbidden"]
        if "autoposter_gui.ui" in c["forbidden_modules"] and "autoposter_gui.cli" in c["source_modules"]
    )  # type: ignore[operator]
    assert clis <= set(cli["source_modules"])  # type: ignore[call-overload]


def test_lint_imports_keeps_every_contract() -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}  # this checkout, not whatever copy is installed
    done = subprocess.run(
        [sys.executable, "-c", RUN, "--no-cache"], cwd=REPO, env=env, capture_output=True, text=True, timeout=300
    )
    report = done.stdout + done.stderr
    assert done.returncode == 0, report
    assert f"Contracts: {len(_contracts())} kept, 0 broken." in report


def test_nothing_above_networks_imports_a_network_package() -> None:
    """The engine, the UI and every front end reach Meta (and X, Google) only through networks/ and its registry:
    a forbidden contract with no indirect imports allowed, and HTTP stays out of networks/ itself."""
    forbidden = [c for c in _contracts() if c["type"] == "forbidden"]
    (contract,) = [
        c
        for c in forbidden
        if "autoposter_gui.meta" in c["forbidden_modules"]  # type: ignore[operator]
        and "autoposter_gui.engine" in c["source_modules"]  # type: ignore[operator]
    ]
    assert contract.get("allow_indirect_imports") is False
    sources = set(contract["source_modules"])  # type: ignore[call-overload]
    clis = {f"autoposter_gui.{p.stem}" for p in (REPO / "autoposter_gui").glob("cli*.py")}
    assert {"autoposter_gui.engine", "autoposter_gui.ui", "autoposter_gui.app", *clis} <= sources
    network_packages = {"autoposter_gui.meta", "autoposter_gui.x", "autoposter_gui.google"}
    present = {m for m in network_packages if (REPO / m.replace(".", "/")).is_dir()}
    assert present <= set(contract["forbidden_modules"])  # type: ignore[call-overload]
    http = next(c for c in forbidden if c["forbidden_modules"] == ["requests"])
    assert "autoposter_gui.networks" in http["source_modules"]  # type: ignore[operator]
    assert not network_packages & set(http["source_modules"])  # type: ignore[call-overload]
