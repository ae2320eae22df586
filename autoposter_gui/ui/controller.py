"""The GUI's handle on the core: context, services, scheduler and the signal bridge, shared by every tab."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSettings, QTimer, Signal, Slot

from autoposter_gui.domain.errors import AutoposterError
from autoposter_gui.domain.models import ItemStatus
from autoposter_gui.engine.views import AccountView
from autoposter_gui.ui.bridge import EngineBridge
from autoposter_gui.ui.preferences import Preferences
from autoposter_gui.ui.tasks import TaskRunner

if TYPE_CHECKING:
    from autoposter_gui.config import AppConfig
    from autoposter_gui.domain.clock import Clock
    from autoposter_gui.engine.accounts import AccountService
    from autoposter_gui.engine.context import Context
    from autoposter_gui.engine.posts import PostService
    from autoposter_gui.engine.reads import Reads, StartupReads
    from autoposter_gui.engine.scheduler import PublishScheduler
    from autoposter_gui.engine.settings import SettingsService

PENDING = (ItemStatus.SCHEDULED, ItemStatus.PROCESSING)
STARTING = "Autoposter is still opening its database; try again in a moment"


class EngineStartingError(AutoposterError):
    """An action came before the store and its services were open (the first window is filled from a quick read)."""


class AppController(QObject):
    """Owns nothing heavy: the composition root builds the parts and hands them over."""

    scheduler_changed = Signal()
    notice = Signal(str)
    sandbox_switch_requested = Signal(bool)
    show_tab_requested = Signal(str)
    restore_requested = Signal(object)  # the backup file (Path) the owner chose in Settings
    run_requested = Signal()  # the scheduler was asked to publish due posts now (its next tick's outcome matters)
    accounts_loading_changed = Signal()
    engine_ready = Signal()  # the store and its services are open: every action works from now on
    keep_awake_changed = Signal()  # keep_awake_message changed

    def __init__(
        self,
        ctx: Context | None,
        *,
        bridge: EngineBridge,
        tasks: TaskRunner,
        settings: QSettings,
        scheduler: PublishScheduler | None = None,
        preferences: Preferences | None = None,
        parent: QObject | None = None,
        startup: tuple[StartupReads, AppConfig, Clock] | None = None,
    ) -> None:
        """``ctx`` is the open engine; or None with ``startup``: the first window's quick reads (a database opened on
        its own), its config and clock, until :meth:`attach` hands over the engine."""
        super().__init__(parent)
        self._ctx: Context | None = None
        self._posts: PostService | None = None
        self._engine_settings: SettingsService | None = None
        self._startup: StartupReads | None = None
        self.preferences = preferences if preferences is not None else Preferences()  # app-wide: Settings dialog
        if ctx is not None:
            self.attach(ctx)
        elif startup is not None:
            self._startup, self._config, self._clock = startup
            self._reads: Reads = self._startup
        else:
            raise ValueError("AppController needs the engine's context, or the start-up reads")
        self.bridge = bridge
        self.tasks = tasks
        self.settings = settings  # per data folder: window geometry, composer choices
        self.keep_awake_message: str | None = None  # "Keeping this computer awake for the 09:30 Instagram post"
        self._scheduler = scheduler
        self.sandbox_credentials: tuple[str, str, str] | None = None
        # Sandbox mode: each browser-sign-in network's demo client (ID, secret or None), prefilled in the wizard.
        self.sandbox_clients: dict[str, tuple[str, str | None]] = {}
        # While the accounts are not known yet (sandbox mode connects its demo accounts after start), what the tabs
        # show instead of "No accounts…"; None once they are known.
        self.accounts_loading: str | None = None
        # The scheduler ticks every minute; this timer also wakes it right when the next post is due.
        self._due_timer = QTimer(self)
        self._due_timer.setSingleShot(True)
        self._due_timer.timeout.connect(self._due)
        self._rearm_timer = QTimer(self)
        self._rearm_timer.setSingleShot(True)
        self._rearm_timer.setInterval(200)
        self._rearm_timer.timeout.connect(self.rearm_due_timer)
        bridge.items_changed.connect(self._schedule_rearm)
        bridge.tick_finished.connect(self._schedule_rearm)
        bridge.notice.connect(self._engine_notice)

    @Slot(str, dict)
    def _engine_notice(self, kind: str, payload: dict[str, object]) -> None:
        if kind == "keep_awake":
            message = str(payload.get("message") or "") or None
            if message != self.keep_awake_message:
                self.keep_awake_message = message
                self.keep_awake_changed.emit()
            return
        from autoposter_gui.engine.handoff import HANDOFF_CHANGE_NOTICE  # notices come once the engine is open

        if kind == HANDOFF_CHANGE_NOTICE and self._scheduler is not None and not self._scheduler.state.paused:
            self._scheduler.run_now()  # an owner's change to a post held by Meta: sent on the scheduler thread

    # ----- core access -----------------------------------------------------------------------------
    def attach(self, ctx: Context) -> None:
        """The engine is open: actions work from now on, and reads go through its store."""
        from autoposter_gui.engine.posts import PostService  # the ORM: imported once the first window is up
        from autoposter_gui.engine.settings import SettingsService

        self._ctx = ctx
        self._posts = PostService(ctx)
        self._posts.handoff_at_once = False  # changes to posts held by Meta: sent by the scheduler thread
        self._engine_settings = SettingsService(ctx)  # the settings `autoposter settings` shows (issue 14)
        self.preferences.use_engine(self._engine_settings)
        self._reads = ctx.reads
        self._config, self._clock = ctx.config, ctx.clock
        startup, self._startup = self._startup, None
        if startup is not None:
            startup.close()
            self.engine_ready.emit()

    def close(self) -> None:
        """Close the start-up reads if the engine never came (shut down first)."""
        startup, self._startup = self._startup, None
        if startup is not None:
            startup.close()

    @property
    def ready(self) -> bool:
        """The engine is open (False only in the moment between the first window and the store)."""
        return self._ctx is not None

    @property
    def ctx(self) -> Context:
        if self._ctx is None:
            raise EngineStartingError(STARTING)
        return self._ctx

    @property
    def engine_settings(self) -> SettingsService:
        if self._engine_settings is None:
            raise EngineStartingError(STARTING)
        return self._engine_settings

    @property
    def posts(self) -> PostService:
        if self._posts is None:
            raise EngineStartingError(STARTING)
        return self._posts

    @property
    def reads(self) -> Reads:
        """The read models the tabs show (accounts, Queue pages, Activity rows, one post)."""
        return self._reads

    @property
    def config(self) -> AppConfig:
        return self._ctx.config if self._ctx is not None else self._config

    @property
    def sandbox(self) -> bool:
        return self.config.sandbox

    def now(self) -> datetime:
        return self._clock.now()

    def accounts(self) -> list[AccountView]:
        return self.reads.accounts()

    def set_accounts_loading(self, message: str | None) -> None:
        """Say the accounts are still coming (``message`` is shown where "No accounts…" would be), or known (None)."""
        if message != self.accounts_loading:
            self.accounts_loading = message
            self.accounts_loading_changed.emit()

    def account_service(self) -> AccountService:
        from autoposter_gui.engine.accounts import AccountService  # pulls in the HTTP client: load late

        return AccountService(self.ctx)

    def pending_count(self) -> int:
        """Posts that still need the app running to go out."""
        return self.reads.count_items(PENDING)

    # ----- scheduler -------------------------------------------------------------------------------
    @property
    def scheduler(self) -> PublishScheduler | None:
        return self._scheduler

    def set_scheduler(self, scheduler: PublishScheduler | None) -> None:
        self._scheduler = scheduler
        self.scheduler_changed.emit()
        self.rearm_due_timer()

    @Slot()
    def _schedule_rearm(self, *_args: object) -> None:
        self._rearm_timer.start()

    @Slot()
    def rearm_due_timer(self) -> None:
        """Wake the scheduler when the next post falls due, if that is sooner than its next regular tick."""
        self._due_timer.stop()
        scheduler = self._scheduler
        if scheduler is None or scheduler.state.paused:
            return
        due = self.reads.next_due_at()
        if due is None:
            return
        delay = (due - self.now()).total_seconds()
        interval = float(getattr(scheduler, "interval_seconds", 60))
        if 0 < delay < interval:
            self._due_timer.start(int(delay * 1000) + 250)

    @property
    def due_timer_active(self) -> bool:
        return self._due_timer.isActive()

    @Slot()
    def _due(self) -> None:
        if self._scheduler is not None and not self._scheduler.state.paused:
            self._scheduler.run_now()

    @property
    def paused(self) -> bool:
        return bool(self._scheduler is not None and self._scheduler.state.paused)

    def run_now(self) -> None:
        """Ask the scheduler thread to publish due posts now (the GUI thread never calls Meta)."""
        if self._scheduler is None:
            self._refused("The scheduler is still starting; your post will go out in a moment")
            return
        if self._scheduler.state.paused:
            self._refused("Publishing is paused; resume the scheduler to publish")
            return
        self._scheduler.run_now()
        self.run_requested.emit()

    def _refused(self, text: str) -> None:
        # After the event: callers announce "Publishing now…" right after run_now(), and this must replace it.
        QTimer.singleShot(0, self, lambda: self.notice.emit(text))

    def publish_now(self, item_id: int) -> None:
        self.posts.publish_now(item_id)
        self.run_now()

    def pause(self) -> None:
        if self._scheduler is not None:
            self._scheduler.pause()
            self.notice.emit("Publishing paused: nothing is published until you resume")
            self.scheduler_changed.emit()

    def resume(self) -> None:
        if self._scheduler is not None:
            self._scheduler.resume()
            self.notice.emit("Publishing resumed")
            self.scheduler_changed.emit()
            self.rearm_due_timer()

    def toggle_pause(self) -> None:
        if self.paused:
            self.resume()
        else:
            self.pause()
