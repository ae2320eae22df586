"""Composition root for the desktop app (`autoposter-gui`): config, services, scheduler, window and tray."""

from __future__ import annotations

import argparse
import contextlib
import gc
import logging
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from autoposter_gui import APP_NAME, APP_ORG, DESKTOP_ID, __version__, window_title

if TYPE_CHECKING:
    from datetime import timedelta

    from PySide6.QtWidgets import QApplication, QWidget

    from autoposter_gui.config import AppConfig
    from autoposter_gui.domain.clock import Clock
    from autoposter_gui.engine.context import Context, TokenStore
    from autoposter_gui.engine.reads import StartupReads
    from autoposter_gui.engine.scheduler import PublishScheduler
    from autoposter_gui.sandbox.server import SandboxServer
    from autoposter_gui.ui.controller import AppController
    from autoposter_gui.ui.errors import ExceptionHook
    from autoposter_gui.ui.main_window import MainWindow
    from autoposter_gui.ui.missed_posts import MissedPosts
    from autoposter_gui.ui.preferences import Preferences
    from autoposter_gui.ui.tray import TrayController

log = logging.getLogger("autoposter_gui.app")
PREFERRED_SANDBOX_PORT = 8765
SCHEDULER_INTERVAL_SECONDS = 60
BACKEND_DELAY_MS = 1000  # the scheduler (and its first tick's thread) starts this long after the window is up
GEOMETRY_KEY = "window/geometry"  # the same key as ui.main_window.GEOMETRY_KEY (not imported: that is heavy)
# When set, the app prints this variable's value on its own line to stdout the moment its window is usable (the
# tabs built, the accounts and the first Queue page shown and painted): the start-up benchmark (B6) waits for it.
READY_MARK_ENV = "AUTOPOSTER_READY_MARK"
# Likewise, printed the moment its first frame is on screen (the loading shell's, or the real window's on a quick
# start): the benchmark notes it without watching the app's events itself (a Python event filter on the whole
# application would run for every event of the first show, and cost the app what it measures).
FIRST_MARK_ENV = "AUTOPOSTER_FIRST_MARK"
# Likewise, printed the moment the engine is open behind a window that was filled from the quick start-up read (its
# actions work from then on).
ENGINE_MARK_ENV = "AUTOPOSTER_ENGINE_MARK"
DEMO_LOADING = "Connecting the sandbox's demo accounts…"
_STARTED = time.perf_counter()  # about when the process started (this module is imported first)


def sandbox_clients() -> dict[str, tuple[str, str | None]]:
    """The sandbox fakes' demo OAuth clients (ID, secret or None), prefilled in the Connect wizard's sign-in pages."""
    import importlib

    clients: dict[str, tuple[str, str | None]] = {}
    for key, module, id_name, secret_name in (
        ("x", "autoposter_gui.sandbox.x_state", "X_CLIENT_ID", None),
        ("google", "autoposter_gui.sandbox.google_api", "CLIENT_ID", "CLIENT_SECRET"),
    ):
        try:
            fake = importlib.import_module(module)
        except ImportError:  # a network whose fake is not in this build
            continue
        clients[key] = (str(getattr(fake, id_name)), str(getattr(fake, secret_name)) if secret_name else None)
    return clients


class DemoKeyring:
    """In-memory secrets, used only in sandbox mode when no OS keyring works (the demo tokens are fake)."""

    priority = 1

    def __init__(self) -> None:
        self._data: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self._data.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self._data[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self._data.pop((service, username), None)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="autoposter-gui",
        description="Autoposter: compose, schedule and publish posts to your Facebook Page and Instagram account.",
    )
    parser.add_argument(
        "--sandbox",
        action="store_true",
        help="try the app against a local stand-in for Meta, with demo accounts and a separate data folder",
    )
    parser.add_argument("--data-dir", metavar="PATH", help="keep data in PATH instead of the default folder")
    parser.add_argument("--minimized", action="store_true", help="start in the system tray without the window")
    parser.add_argument("--version", action="version", version=f"autoposter-gui {__version__}")
    parser.add_argument(
        "--probe-video",
        metavar="PATH",
        help="print what Autoposter reads of a video (format, codecs, length, size) as JSON, and exit",
    )
    parser.add_argument(
        "--probe-networks",
        action="store_true",
        help="load every network, check a sample post with each and prepare each sign-in (nothing is sent); "
        "print JSON and exit",
    )
    return parser


class _NoSecrets:
    """An empty keyring for --probe-networks (nothing is read or kept)."""

    def get(self, key: str) -> str | None:
        return None

    def set(self, key: str, value: str) -> None:
        pass

    def delete(self, key: str) -> None:
        pass


def probe_networks_command() -> int:
    """``--probe-networks``: what a build must have bundled for the networks the registry loads by name: each
    package, its post rules (X's weighted length reads a data file) and its OAuth libraries (a sign-in URL is made;
    no call goes out)."""
    import json
    from datetime import UTC, datetime
    from urllib.parse import urlsplit

    from autoposter_gui.networks.protocol import ConnectError, Env, Post
    from autoposter_gui.networks.registry import keys as network_keys
    from autoposter_gui.networks.registry import network as load_network

    report: dict[str, object] = {}
    for key in network_keys():
        network = load_network(key)
        env = Env(origin="http://127.0.0.1:9", secrets=_NoSecrets(), now=lambda: datetime.now(UTC))
        sample = "Fresh bread \N{CROISSANT} today at https://example.com"
        problems = [str(e) for p in network.platforms for e in network.preflight(Post(0, p, sample))]
        try:
            flow = network.begin_connect(env, client_id="probe", client_secret="probe", port=8719)
            sign_in: str | None = urlsplit(flow.authorization_url).path
        except ConnectError:
            sign_in = None  # Meta connects with an app id and a token instead
        labels = [network.label(p) for p in network.platforms]
        report[key] = {"labels": labels, "preflight": problems, "sign_in": sign_in}
    print(json.dumps(report))
    return 0


def probe_video_command(path: str) -> int:
    """``--probe-video``: the preflight's reading of a video, and how it would go out on each network."""
    import json
    from dataclasses import asdict

    from autoposter_gui.domain.errors import ValidationError
    from autoposter_gui.domain.video import probe_video, route_for

    try:
        info = probe_video(path)
    except ValidationError as exc:
        print(f"autoposter-gui: {exc}", file=sys.stderr)
        return 2
    routes: dict[str, str] = {}
    for platform in ("facebook", "instagram"):
        try:
            routes[platform] = route_for(info, platform).value
        except ValidationError as exc:
            routes[platform] = f"refused: {exc}"
    print(json.dumps({**asdict(info), "path": str(info.path), "routes": routes}))
    return 0


def make_config(sandbox: bool, data_dir: str | None) -> AppConfig:
    from autoposter_gui.config import AppConfig

    if data_dir:
        base = Path(data_dir).expanduser().resolve()
        return AppConfig(base / "sandbox", sandbox=True) if sandbox else AppConfig(base)
    return AppConfig.from_env(sandbox=sandbox)


def restart_command(sandbox: bool, data_dir: str | None) -> tuple[str, list[str]]:
    """How to start this app again (in the other mode)."""
    flags = ["--sandbox"] if sandbox else []
    if data_dir:
        flags += ["--data-dir", data_dir]
    if getattr(sys, "frozen", False):
        return sys.executable, flags
    return sys.executable, ["-m", "autoposter_gui.app", *flags]


class Application:
    """Builds and owns everything for one data folder; ``start()`` shows the window, ``shutdown()`` stops it all."""

    def __init__(
        self,
        qapp: QApplication,
        config: AppConfig,
        *,
        tokens: TokenStore | None = None,
        clock: Clock | None = None,
        tray_available: bool | None = None,
        sandbox_port: int = PREFERRED_SANDBOX_PORT,
        interval_seconds: int = SCHEDULER_INTERVAL_SECONDS,
        data_dir_arg: str | None = None,
        preferences: Preferences | None = None,
    ) -> None:
        self.qapp = qapp
        self.config = config
        self._tokens = tokens
        self._clock = clock
        self._tray_available = tray_available
        self.sandbox_port = sandbox_port
        self.interval_seconds = interval_seconds
        self.data_dir_arg = data_dir_arg
        self.ctx: Context | None = None
        self.controller: AppController | None = None
        self.window: MainWindow | None = None
        self.tray: TrayController | None = None
        self.scheduler: PublishScheduler | None = None
        self.sandbox_server: SandboxServer | None = None
        self._hook: ExceptionHook | None = None
        self._demo_connected = False
        self.preferences = preferences
        self.missed: MissedPosts | None = None
        # After a restore, posts already due may have gone out after the backup was made: hold them as missed
        # (grace 0) on the first tick, so the owner decides instead of the app publishing them a second time.
        self.hold_due_posts = False
        self.start_note: str | None = None  # shown in the status bar once the window is up (after a restore)
        self.shell: QWidget | None = None  # the light window shown at launch, replaced by the real one in start()
        self.ready = False  # the window is usable: shown and painted with its accounts and first Queue page
        self.before_engine: Callable[[], None] | None = None  # run right before the store opens (late set-up)
        self._events: Any = None  # the engine's event hub (made before the store opens when the start is quick)
        self._held: Any = None  # the window's input, held between a quick first frame and the open engine
        # main() pauses the cyclic garbage collector for the start (thousands of long-lived objects: widgets, enum
        # and dataclass types; its passes would free nothing): it runs again once the engine is open.
        self.gc_paused = False
        self.alerts: Any = None  # email alerts (engine/alerts.py), flushed at each tick's end
        self.keep_awake: Any = None  # the sleep inhibitor around due posts (engine/keep_awake.py)

    # ----- start ---------------------------------------------------------------------------------------
    def start(self, *, show: bool = True, quick: StartupReads | None = None) -> bool:
        """Open the store and show the window; the scheduler (and sandbox) start right after, off the critical path.

        With ``quick`` (the database read on its own: it exists at the current schema), the window is built and
        painted from those reads first, its input held; the store, its services and the rest open right after the
        first frame (:meth:`_open_engine`)."""
        from PySide6.QtCore import QSettings

        from autoposter_gui.domain.clock import SystemClock
        from autoposter_gui.engine.events import Events
        from autoposter_gui.ui.bridge import EngineBridge
        from autoposter_gui.ui.controller import AppController
        from autoposter_gui.ui.errors import ExceptionHook
        from autoposter_gui.ui.main_window import MainWindow
        from autoposter_gui.ui.missed_posts import MissedPosts
        from autoposter_gui.ui.preferences import Preferences
        from autoposter_gui.ui.startup import hold_input_until_ready
        from autoposter_gui.ui.tasks import TaskRunner
        from autoposter_gui.ui.tray import TrayController

        if quick is None and not self._open_store():
            self._close_shell()
            return False
        if self.preferences is None:
            self.preferences = Preferences()
        self._events = self.ctx.events if self.ctx is not None else Events()
        bridge = EngineBridge(self._events)
        settings = QSettings(str(self.config.data_dir / "gui.ini"), QSettings.Format.IniFormat)
        self.controller = AppController(
            self.ctx,
            bridge=bridge,
            tasks=TaskRunner(),
            settings=settings,
            preferences=self.preferences,
            startup=None if quick is None else (quick, self.config, self._clock or SystemClock()),
        )
        if self.config.sandbox:  # the demo accounts come a moment later: never "No accounts…" meanwhile
            self.controller.set_accounts_loading(DEMO_LOADING)
        self.window = MainWindow(self.controller)
        self.window.set_quit_handler(self.quit)
        self.qapp.commitDataRequest.connect(self.window.session_ending)  # log-out: no questions
        self.tray = TrayController(self.controller, available=self._tray_available)
        self.window.set_tray(self.tray)
        has_tray = self.tray.show()
        self.qapp.setQuitOnLastWindowClosed(not has_tray)
        self.controller.sandbox_switch_requested.connect(self.switch_mode)
        self.controller.restore_requested.connect(self._restore_requested)
        self.missed = MissedPosts(self.controller, self.tray, lambda: self.window)
        if self.start_note:
            self.controller.notice.emit(self.start_note)
            self.start_note = None
        window = self.window
        self._hook = ExceptionHook(self.config.log_dir, lambda: window if window.isVisible() else None)
        self._hook.install()
        self.ready = False
        if show or not has_tray:
            self.window.show()
            # No action before the engine is open. Held from here: show() lays out and polishes the whole window
            # at once, with no input possible meanwhile, and those thousands of events need not go through Python.
            self._held = hold_input_until_ready(self.window, self.controller)
            _after_first_frame(self.window, self._first_frame)
        elif not self.controller.ready:
            self._open_engine()
        self._close_shell()
        if self.controller.ready:
            self._engine_opened()
        return True

    def _first_frame(self) -> None:
        _print_mark(FIRST_MARK_ENV)
        self._painted()
        if self._held is not None:  # from now on every event is watched (shortcuts too), not just the window's
            self._held.hold_everywhere()
        if self.controller is not None and not self.controller.ready:
            from PySide6.QtCore import QTimer

            QTimer.singleShot(0, self._open_engine)  # after the first frame is on screen

    def _open_engine(self) -> None:
        """The window came from the quick read: open the store and its services now, and hand them to the UI. If
        the store can't open after all (it changed meanwhile), start over on the normal path, which explains it."""
        controller = self.controller
        if controller is None or controller.ready:
            return
        if self.before_engine is not None:
            self.before_engine()
        from autoposter_gui.domain.errors import AutoposterError
        from autoposter_gui.engine.context import Context

        try:
            self.ctx = Context.open(self.config, tokens=self._tokens, clock=self._clock)
        except (AutoposterError, OSError) as exc:
            log.warning("the store did not open after the quick start (%s); starting again", type(exc).__name__)
            if self._held is not None:
                self._held.release()
            self._discard_window()
            if not self.start(show=True):
                self.quit()
            return
        self.ctx.events = self._events  # the bridge already listens to these
        controller.attach(self.ctx)
        log.info("engine open %.0f ms after start", (time.perf_counter() - _STARTED) * 1000)
        if self.ready:
            self._print_engine_mark()
        self._engine_opened()

    def _engine_opened(self) -> None:
        """The store is open: the sandbox's demo accounts, then the scheduler a moment later."""
        from PySide6.QtCore import QTimer

        if self.gc_paused:  # start-up is over: the collector may run again
            self.gc_paused = False
            gc.enable()

        if self.config.sandbox:  # the demo accounts right after the first frames, not with the scheduler
            QTimer.singleShot(0, self._start_demo)
        QTimer.singleShot(BACKEND_DELAY_MS, self.start_backend)  # off the first frames' path

    def _painted(self) -> None:
        """The window has painted: usable now if its accounts are known, else once they are (and painted)."""
        controller, window = self.controller, self.window
        if controller is None or window is None or self.ready:
            return
        if controller.accounts_loading is None:
            self._mark_ready()
            return

        def known() -> None:
            if controller.accounts_loading is None and window is self.window:
                controller.accounts_loading_changed.disconnect(known)
                window.update()  # a full frame with the accounts in it
                _after_first_frame(window, self._mark_ready)

        controller.accounts_loading_changed.connect(known)

    def _mark_ready(self) -> None:
        if self.ready or self.window is None:
            return
        self.ready = True
        log.info("window usable %.0f ms after start", (time.perf_counter() - _STARTED) * 1000)
        _print_mark(READY_MARK_ENV)
        if self.controller is not None and self.controller.ready:  # opened before the window (the normal path)
            self._print_engine_mark()

    def _print_engine_mark(self) -> None:
        _print_mark(ENGINE_MARK_ENV)

    def _start_demo(self) -> None:
        """Sandbox mode: start the stand-in server and connect the demo accounts (before the scheduler starts)."""
        if self.ctx is None or self.controller is None or self.sandbox_server is not None:
            return
        self._start_sandbox()
        if self.sandbox_server is not None:
            self._connect_demo_accounts()
        else:
            self.controller.set_accounts_loading(None)

    def _close_shell(self) -> None:
        shell, self.shell = self.shell, None
        if shell is not None:
            shell.close()
            shell.deleteLater()

    def _open_store(self) -> bool:
        """Open the database; if it can't be, the recovery dialog (restore the latest backup, or quit). A database
        missing from a folder used before is never replaced by an empty one without the owner saying so."""
        from autoposter_gui.domain.errors import AutoposterError, MissingDatabaseError
        from autoposter_gui.engine.context import Context

        while True:
            try:
                self.config.ensure_dir()
                self.ctx = Context.open(self.config, tokens=self._tokens, clock=self._clock)
                return True
            except MissingDatabaseError as exc:
                log.error("the database is missing: %s", exc.summary)
                if not self._recover(exc.summary + ".", missing=True):
                    return False
            except (AutoposterError, OSError) as exc:
                log.error("cannot open the data folder: %s", exc)
                if not self._recover(str(exc)):
                    return False

    def _recover(self, message: str, *, missing: bool = False) -> bool:
        """Show why the store can't open. True when a backup was restored or the owner chose to start empty (try
        again), False to quit. Restores go through the same engine service as the CLI's `autoposter restore`."""
        from autoposter_gui.domain.clock import SystemClock
        from autoposter_gui.domain.errors import AutoposterError
        from autoposter_gui.engine.backups import BackupService
        from autoposter_gui.ui.recovery_dialog import QUIT, RESTORE, START_EMPTY, RecoveryDialog

        db = self.config.db_path
        service = BackupService(self.config)
        damaged = False
        if db.exists() and not missing:
            damaged = service.database_damaged()  # the same integrity check a backup gets
        latest = service.latest_good() if damaged or missing else None
        dialog = RecoveryDialog(message, self.config.data_dir, damaged=damaged, latest_backup=latest, missing=missing)
        while (choice := dialog.exec()) != QUIT:
            if choice not in (RESTORE, START_EMPTY) or (choice == RESTORE and latest is None):
                return False
            backup = latest if choice == RESTORE else None
            try:
                result = service.restore(backup, (self._clock or SystemClock()).now())
            except AutoposterError as exc:
                dialog.show_error(str(exc))
                continue
            kept = ""
            if result.kept_aside is not None:
                kept = f"; the {'damaged' if damaged else 'previous'} database is kept as {result.kept_aside.name}"
            if backup is None:
                log.warning("the owner started an empty database on purpose%s", kept)
                self.start_note = f"Started with an empty database{kept}"
                return True
            log.warning("restored %s at start%s", backup.name, kept)
            self.hold_due_posts = True
            self.start_note = f"Restored the backup {backup.name}{kept}"
            return True
        return False

    @property
    def demo_ready(self) -> bool:
        """Sandbox mode is all up: the demo accounts connected (right after the first frames) and the scheduler
        started (a moment later)."""
        return self._demo_connected and self.scheduler is not None

    @property
    def grace(self) -> timedelta:
        """The catch-up grace window: none right after a restore, else the owner's setting (default 6 h)."""
        from datetime import timedelta

        if self.hold_due_posts:
            return timedelta(0)
        return self.preferences.grace() if self.preferences is not None else timedelta(hours=6)

    def start_backend(self) -> None:
        """After the window is up: the sandbox server, the runner and its scheduler, and the demo accounts."""
        if self.scheduler is not None or self.ctx is None or self.controller is None:
            return  # already started, or shut down (or restarted) before the delay was over
        if self.config.sandbox and self.sandbox_server is None:
            self._start_demo()
        from autoposter_gui.engine.catchup import CatchUpPolicy
        from autoposter_gui.engine.health import daily_jobs
        from autoposter_gui.engine.insights import InsightsService
        from autoposter_gui.engine.runner import Runner
        from autoposter_gui.engine.scheduler import PublishScheduler

        catchup = CatchUpPolicy(self.ctx, self.grace)  # posts that came due while the app was off or asleep
        if self.hold_due_posts:
            self.hold_due_posts = False
            bridge = self.controller.bridge

            def first_tick_done(_summary: object) -> None:  # from now on, the owner's grace window
                bridge.tick_finished.disconnect(first_tick_done)
                catchup.grace = self.grace

            bridge.tick_finished.connect(first_tick_done)
        # daily_jobs: the token health check (and a backup) at start and once a day.
        self.scheduler = PublishScheduler(
            Runner(self.ctx),
            interval_seconds=self.interval_seconds,
            daily_jobs=daily_jobs(self.ctx),
            catchup=catchup,
            after_tick=InsightsService(self.ctx).tick,  # the due insights snapshots, after the tick's posts
        )
        self._start_alerts_and_keep_awake()
        self.scheduler.start()
        self.controller.set_scheduler(self.scheduler)
        log.info("started (%s mode, data in %s)", "sandbox" if self.config.sandbox else "normal", self.config.data_dir)

    def _start_alerts_and_keep_awake(self) -> None:
        """Email alerts and keep-awake listen to the scheduler's ticks (issue 14)."""
        from autoposter_gui.desktop.keep_awake import for_this_platform
        from autoposter_gui.engine.alerts import AlertService
        from autoposter_gui.engine.keep_awake import KeepAwake

        assert self.ctx is not None
        self.alerts = AlertService(self.ctx, background=True).attach()
        self.keep_awake = KeepAwake(self.ctx, for_this_platform()).attach()

    def _stop_alerts_and_keep_awake(self) -> None:
        if self.keep_awake is not None:
            self.keep_awake.detach()  # releases the inhibitor
            self.keep_awake = None
        if self.alerts is not None:
            self.alerts.detach()
            self.alerts = None

    def _start_sandbox(self) -> None:
        assert self.ctx is not None and self.controller is not None
        import dataclasses

        from autoposter_gui.sandbox.server import SandboxServer

        state = self.config.data_dir / "sandbox-server.json"
        server: SandboxServer | None = None
        for port in dict.fromkeys((self.sandbox_port, 0)):
            try:
                server = SandboxServer("127.0.0.1", port, state_path=state)
                server.start()
                break
            except OSError:
                log.info("sandbox port %s is busy; trying another", port)
                server = None
        if server is None:
            self.controller.notice.emit("The sandbox server could not start; see the log")
            return
        self.sandbox_server = server
        self.config = dataclasses.replace(self.config, graph_origin=server.url)
        self.ctx.config = self.config
        creds = server.credentials
        self.controller.sandbox_credentials = (creds.app_id, creds.app_secret, creds.user_token)
        self.controller.sandbox_clients = sandbox_clients()
        log.info("sandbox server on %s", server.url)

    def _connect_demo_accounts(self) -> None:
        """Connect the demo Pages and Instagram account (HTTP, so on a worker thread)."""
        assert self.ctx is not None and self.controller is not None
        ctx, controller = self.ctx, self.controller
        assert controller.sandbox_credentials is not None
        app_id, secret, token = controller.sandbox_credentials

        def connect() -> Any:
            from autoposter_gui.domain.errors import AutoposterError, KeyringUnavailableError
            from autoposter_gui.engine.health import TokenHealthService

            try:
                accounts = controller.account_service().connect(app_id, secret, token)
            except KeyringUnavailableError:
                # Sandbox only: the demo tokens are fake, so keeping them in memory is fine.
                log.warning("no usable keyring; the sandbox keeps its demo tokens in memory")
                ctx.keep_tokens_in(DemoKeyring())
                accounts = controller.account_service().connect(app_id, secret, token)
            try:
                TokenHealthService(ctx).check_all()  # the Accounts tab shows each token's health straight away
            except AutoposterError as exc:
                log.info("token check after connecting the demo accounts skipped: %s", exc)
            return accounts

        def done(accounts: Any) -> None:
            # Only the demo Pages whose role can create posts are ready; the Cafe is kept (as "can't post") to show
            # what an owner sees when a Page admin has not given them the Create content permission.
            from autoposter_gui.domain.models import AccountStatus

            self._demo_connected = True
            controller.set_accounts_loading(None)
            cannot = AccountStatus.CANNOT_POST.value
            ready = [a for a in accounts if a.status != cannot]
            blocked = "".join(f"; {a.name} can't post (see Accounts)" for a in accounts if a.status == cannot)
            controller.notice.emit(f"Sandbox ready: {len(ready)} demo accounts connected{blocked}")

        def failed(exc: BaseException) -> None:
            from autoposter_gui.ui.errors import user_message

            controller.set_accounts_loading(None)
            controller.notice.emit(f"Could not connect the demo accounts: {user_message(exc)}")

        controller.tasks.submit(connect, done, failed)

    # ----- mode switch and quit ---------------------------------------------------------------------
    def switch_mode(self, to_sandbox: bool) -> None:
        from PySide6.QtCore import QProcess
        from PySide6.QtWidgets import QMessageBox

        program, arguments = restart_command(to_sandbox, self.data_dir_arg)
        if not QProcess.startDetached(program, arguments)[0]:
            QMessageBox.warning(self.window, APP_NAME, f"{APP_NAME} could not restart itself; start it again by hand.")
            return
        self.request_quit()

    def _restore_requested(self, backup: object) -> None:
        from PySide6.QtCore import QTimer

        QTimer.singleShot(0, lambda: self.restore_and_restart(Path(str(backup))))  # once the dialog is gone

    def restore_and_restart(self, backup: Path) -> bool:
        """Settings → Restore from backup: close the store, put the backup in place (the current database is kept
        aside) and start the app again on it, in this process."""
        from autoposter_gui.domain.clock import SystemClock
        from autoposter_gui.domain.errors import AutoposterError
        from autoposter_gui.engine.backups import BackupService

        self._discard_window()
        try:
            result = BackupService(self.config).restore(backup, (self._clock or SystemClock()).now())
        except AutoposterError as exc:
            self.start_note = f"The backup was not restored: {exc}"
        else:
            self.hold_due_posts = True
            kept = f"; the previous database is kept as {result.kept_aside.name}" if result.kept_aside else ""
            self.start_note = f"Restored the backup {backup.name}{kept}"
        if not self.start(show=True):
            self.quit()
            return False
        return True

    def _discard_window(self) -> None:
        """Stop everything and drop the window, tray and controller (to start again in this process)."""
        window, tray = self.window, self.tray
        self.shutdown()
        self.missed = None
        self.controller = None
        self.window = None
        self.tray = None
        self._demo_connected = False
        if window is not None:
            window.hide()
            window.deleteLater()
        if tray is not None:
            tray.deleteLater()

    def show_window(self) -> None:
        """A second launch asked for the window."""
        if self.window is not None:
            self.window.show_and_raise()

    def quit(self) -> None:
        """Leave the event loop. (``QApplication.quit()`` would ask the windows first, and ours hides to the tray.)"""
        self.qapp.exit(0)

    def request_quit(self) -> None:
        """Quit without asking (a signal, log-out, a mode switch): only the owner's own Quit asks first."""
        if self.window is not None:
            self.window.quit_now()
        else:
            self.quit()

    def shutdown(self) -> None:
        """Stop the scheduler (waiting for a tick in progress), the workers and the sandbox; close the store."""
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=True)
            self.scheduler = None
        self._stop_alerts_and_keep_awake()
        if self.controller is not None:
            self.controller.tasks.wait(10_000)
            self.controller.bridge.detach()
            self.controller.settings.sync()
            self.controller.preferences.sync()
            self.controller.close()
        if self.tray is not None:
            self.tray.hide()
        if self.sandbox_server is not None:
            self.sandbox_server.stop()
            self.sandbox_server = None
        if self._hook is not None:
            self._hook.uninstall()
            self._hook = None
        if self.ctx is not None:
            self.ctx.close()
            self.ctx = None


def _identify(qapp: QApplication) -> None:
    qapp.setApplicationName(APP_NAME)
    qapp.setApplicationDisplayName(APP_NAME)
    qapp.setOrganizationName(APP_ORG)
    qapp.setApplicationVersion(__version__)
    qapp.setDesktopFileName(DESKTOP_ID)  # = desktop.autostart.APP_ID


def _quit_on_signals(qapp: QApplication, app: Application) -> None:
    """SIGTERM (log-out, ``kill``) and Ctrl+C end the event loop, so shutdown runs and the scheduler stops cleanly."""
    import signal

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: app.request_quit())
    # Python runs signal handlers only between bytecodes, and Qt's loop waits in C. On Linux and macOS a pipe
    # takes the signal wake-up byte, so the loop wakes exactly when a signal arrives; on Windows a slow timer.
    if sys.platform != "win32":
        import os

        from PySide6.QtCore import QSocketNotifier

        reader, writer = os.pipe()
        os.set_blocking(reader, False)
        os.set_blocking(writer, False)
        try:
            signal.set_wakeup_fd(writer, warn_on_full_buffer=False)
        except (ValueError, OSError) as exc:  # not the main thread
            log.debug("no signal wake-up fd (%s); falling back to a timer", exc)
            os.close(reader)
            os.close(writer)
        else:
            notifier = QSocketNotifier(reader, QSocketNotifier.Type.Read, qapp)

            def drain() -> None:  # the Python handler has run (or runs right after this slot); empty the pipe
                try:
                    while os.read(reader, 64):
                        pass
                except OSError:  # empty (EAGAIN)
                    pass

            notifier.activated.connect(drain)
            _SIGNAL_WAKEUP.extend((reader, writer, notifier))
            return
    from PySide6.QtCore import QTimer

    wake = QTimer(qapp)  # Windows: no wake-up fd for sockets in Qt's loop; wake Python now and then
    wake.timeout.connect(lambda: None)
    wake.start(500)


_SIGNAL_WAKEUP: list[Any] = []  # the pipe's two ends and the notifier behind signal.set_wakeup_fd, kept alive


def _release_signal_wakeup() -> None:
    """Undo ``set_wakeup_fd`` and close the pipe (at exit)."""
    import os
    import signal

    if not _SIGNAL_WAKEUP:
        return
    reader, writer, notifier = _SIGNAL_WAKEUP
    _SIGNAL_WAKEUP.clear()
    notifier.setEnabled(False)
    with contextlib.suppress(ValueError):
        signal.set_wakeup_fd(-1)
    os.close(reader)
    os.close(writer)


def _print_mark(env: str) -> None:
    """Print the value of the environment variable ``env`` on its own line, if it is set (for the benchmarks)."""
    mark = os.environ.get(env)
    if mark:
        sys.stdout.write(mark + "\n")
        sys.stdout.flush()


def _make_shell(config: AppConfig) -> QWidget:
    """The light window shown at launch, before the store, the tabs and the icons: the title and "Loading…" at the
    saved size and place. ``Application.start`` replaces it with the real window. (Kept bare on purpose: a tab
    bar, or touching the ``Qt`` namespace's enums (PySide6 builds them all on first use), costs 20-30 ms here.)"""
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QHBoxLayout, QLabel, QMainWindow, QVBoxLayout, QWidget

    shell = QMainWindow()
    shell.setWindowTitle(window_title(config.sandbox))
    shell.setMinimumSize(880, 560)
    shell.statusBar().showMessage("Loading…")
    # A loading state in the middle, never an empty grey window (centred by stretches: no alignment enums)
    body = QWidget(shell)
    label = QLabel(
        f"<p align='center' style='font-size:15pt'>Opening {APP_NAME}…</p>"
        "<p align='center' style='color:#666'>Loading your accounts and posts"
        + (" and starting the sandbox" if config.sandbox else "")
        + "</p>",
        body,
    )
    row = QHBoxLayout()
    row.addStretch(1)
    row.addWidget(label)
    row.addStretch(1)
    column = QVBoxLayout(body)
    column.addStretch(2)
    column.addLayout(row)
    column.addStretch(3)
    shell.setCentralWidget(body)
    geometry = QSettings(str(config.data_dir / "gui.ini"), QSettings.Format.IniFormat).value(GEOMETRY_KEY)
    if geometry is None or not shell.restoreGeometry(geometry):
        shell.resize(1120, 720)
    return shell


def _after_first_frame(shell: QWidget, work: Callable[[], None]) -> None:
    """Run ``work`` once ``shell`` has painted its first frame (or after a short while, whichever comes first)."""
    from PySide6.QtCore import QEvent, QObject, QTimer

    done = False

    def run() -> None:
        nonlocal done
        if not done:
            done = True
            shell.removeEventFilter(watcher)
            work()

    class _Painted(QObject):
        def eventFilter(self, obj: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint:
                QTimer.singleShot(0, self, run)  # after this frame is flushed to the screen
            return False

    watcher = _Painted(shell)
    shell.installEventFilter(watcher)
    # No paint (a platform that never exposes the window): go on anyway. (Tied to the watcher: nothing runs once
    # the window is gone.)
    QTimer.singleShot(500, watcher, run)


def _preload_store_modules() -> None:
    """Import the store's modules (SQLAlchemy: about half the start-up's Python work) on a thread, while the main
    thread loads Qt and paints the first frame; the main thread's own imports then find them done (or wait for
    the rest under the import lock). Nothing runs there but imports."""
    import importlib
    import threading

    def load() -> None:
        try:
            importlib.import_module("autoposter_gui.engine.context")  # sqlalchemy, the store
            importlib.import_module("autoposter_gui.engine.posts")  # sqlalchemy.orm, the models, the repository
        except Exception:  # the main thread imports them again and reports any real problem
            log.debug("preloading the store's modules failed", exc_info=True)

    threading.Thread(target=load, name="preload", daemon=True).start()


def main(argv: Sequence[str] | None = None) -> int:
    gc_was_enabled = gc.isenabled()
    gc.disable()  # for the start (see Application.gc_paused)
    try:
        return _main(argv, gc_was_enabled)
    finally:
        if gc_was_enabled:
            gc.enable()


def _main(argv: Sequence[str] | None, gc_was_enabled: bool) -> int:
    args, qt_args = build_parser().parse_known_args(list(argv) if argv is not None else sys.argv[1:])
    if args.probe_video:
        return probe_video_command(args.probe_video)
    if args.probe_networks:
        return probe_networks_command()
    from PySide6.QtWidgets import QApplication

    from autoposter_gui.ui.preferences import Preferences
    from autoposter_gui.ui.single_instance import SingleInstance, server_name_for

    existing = QApplication.instance()
    if existing is None:  # the Facebook Login webview (QtWebEngine) needs this before the QApplication exists
        from PySide6.QtCore import QCoreApplication, Qt

        QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
    qapp = existing if isinstance(existing, QApplication) else QApplication([sys.argv[0], *qt_args])
    _identify(qapp)
    config = make_config(args.sandbox, args.data_dir)
    try:
        config.ensure_dir()
    except OSError as exc:
        from PySide6.QtWidgets import QMessageBox

        QMessageBox.critical(None, APP_NAME, f"{APP_NAME} cannot create its data folder {config.data_dir}: {exc}")
        return 1
    preferences = Preferences()
    # The lock decides who is first; the local server's name is made when first needed (after the first frame)
    instance = SingleInstance(config.data_dir / "gui.lock", lambda: server_name_for(config.data_dir))
    if not instance.acquire(listen=False):  # the lock decides; the local server starts after the first frame
        print(f"{APP_NAME} is already running; its window was brought to the front.", file=sys.stderr)
        return 0
    app = Application(qapp, config, data_dir_arg=args.data_dir, preferences=preferences)
    app.gc_paused = gc_was_enabled
    show = not (args.minimized or preferences.start_minimized)
    quick: StartupReads | None = None
    if show:  # a database at the current schema: the real window comes first, filled from a plain read
        from autoposter_gui.engine.reads import startup_reads

        quick = startup_reads(config.db_path)
    if quick is None:
        _preload_store_modules()

    def late_setup() -> None:
        from autoposter_gui.logsetup import configure_logging

        configure_logging(config.log_dir, preferences.startup_log_level())
        instance.listen()

    def begin() -> bool:  # after the shell's first frame, or at once when the start is quick
        from autoposter_gui.ui import icons  # draws at import

        if quick is None:
            late_setup()
        else:  # right after the real window's first frame, before the store opens
            app.before_engine = late_setup
        qapp.setWindowIcon(icons.app_icon())
        if not (app.start(show=show) if quick is None else app.start(show=show, quick=quick)):
            return False
        instance.activation_requested.connect(app.show_window)
        return True

    try:
        _quit_on_signals(qapp, app)
        if quick is not None:
            if not begin():
                return 1
        elif show:  # a light window first; the store, the tabs and the icons load right after its first frame
            app.shell = _make_shell(config)
            app.shell.show()

            def shown() -> None:
                _print_mark(FIRST_MARK_ENV)
                if not begin():
                    qapp.exit(1)

            _after_first_frame(app.shell, shown)
        elif not begin():
            return 1
        return int(qapp.exec())
    finally:
        _release_signal_wakeup()
        app.shutdown()
        instance.release()


if __name__ == "__main__":
    sys.exit(main())
