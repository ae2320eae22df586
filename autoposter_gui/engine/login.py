"""Facebook Login for the Connect wizard and its login webview: the engine's face of ``meta.login`` (no HTTP)."""

from __future__ import annotations

from autoposter_gui.meta.login import DIALOG_ORIGIN as DIALOG_ORIGIN
from autoposter_gui.meta.login import SCOPES as SCOPES
from autoposter_gui.meta.login import LoginError as LoginError
from autoposter_gui.meta.login import LoginResult as LoginResult
from autoposter_gui.meta.login import is_redirect as is_redirect
from autoposter_gui.meta.login import login_url as login_url
from autoposter_gui.meta.login import new_state as new_state
from autoposter_gui.meta.login import parse_login_redirect as parse_login_redirect
