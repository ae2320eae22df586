"""Where Autoposter keeps its data, and which Graph origin it talks to."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from autoposter_gui import APP_NAME, APP_ORG

DATA_DIR_ENV = "AUTOPOSTER_DATA_DIR"
GRAPH_URL_ENV = "AUTOPOSTER_GRAPH_URL"
# One origin replacing all of a network's real origins (API, upload, OAuth), real paths kept: fakes and tests.
X_URL_ENV = "AUTOPOSTER_X_URL"
GOOGLE_URL_ENV = "AUTOPOSTER_GOOGLE_URL"
DEFAULT_SANDBOX_PORT = 8765


def default_data_dir() -> Path:
    """``AUTOPOSTER_DATA_DIR`` when set, else the platform's per-user data folder."""
    override = os.environ.get(DATA_DIR_ENV)
    if override:
        return Path(override).expanduser().resolve()
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, APP_ORG)).resolve()


@dataclass(frozen=True)
class AppConfig:
    """Paths and endpoints for one data folder (real or sandbox)."""

    data_dir: Path
    graph_origin: str | None = None  # None: AUTOPOSTER_GRAPH_URL or Meta's origin
    sandbox: bool = False

    @classmethod
    def from_env(cls, *, sandbox: bool = False) -> AppConfig:
        base = default_data_dir()
        if sandbox:
            return cls(base / "sandbox", sandbox=True)
        return cls(base)

    def network_origin(self, key: str) -> str | None:
        """Where network ``key`` is reached (None: the real service). In sandbox mode, once its server runs
        (``graph_origin`` set to it), every network is the sandbox server, which serves all their paths."""
        if self.sandbox and self.graph_origin:
            return self.graph_origin
        if key == "meta" and self.graph_origin:
            return self.graph_origin
        name = {"meta": GRAPH_URL_ENV, "x": X_URL_ENV, "google": GOOGLE_URL_ENV}.get(key)
        return (os.environ.get(name) or None) if name else None

    @property
    def db_path(self) -> Path:
        return self.data_dir / "autoposter.db"

    @property
    def lock_path(self) -> Path:
        return self.data_dir / "runner.lock"

    @property
    def locks_dir(self) -> Path:
        """Lock files that hold across processes (the GUI and a CLI command): one per X account's sign-in."""
        return self.data_dir / "locks"

    @property
    def log_dir(self) -> Path:
        return self.data_dir / "logs"

    @property
    def media_dir(self) -> Path:
        """The media store: copies of posts' images, named by content hash."""
        return self.data_dir / "media"

    @property
    def keyring_service(self) -> str:
        """Keyring service name; one per data folder so demo and real tokens never mix."""
        import hashlib  # OpenSSL's library: loaded with the engine, not before the first window

        digest = hashlib.sha256(str(self.data_dir).encode()).hexdigest()[:10]
        return f"autoposter:{digest}"

    def ensure_dir(self) -> None:
        """Create the data folder, private to its owner (0700 on POSIX, whatever the umask)."""
        from autoposter_gui.storage.folder import private_dir

        private_dir(self.data_dir)
