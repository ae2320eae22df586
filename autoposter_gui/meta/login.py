"""Facebook Login for a desktop app: the dialog URL, and reading the token from the redirect (no HTTP here)."""

from __future__ import annotations

import secrets
from urllib.parse import parse_qs, urlencode, urlsplit

from autoposter_gui.meta.client import GRAPH_VERSION
from autoposter_gui.networks.capabilities import LoginError as LoginError
from autoposter_gui.networks.capabilities import LoginResult

REDIRECT_URI = "https://www.facebook.com/connect/login_success.html"
DIALOG_ORIGIN = "https://www.facebook.com"
SCOPES = (
    "pages_show_list",
    "pages_read_engagement",
    "pages_manage_posts",
    "instagram_basic",
    "instagram_content_publish",
    "business_management",  # Pages that belong to a business portfolio are listed only with it
    "read_insights",  # Facebook post insights (issue 16)
    "instagram_manage_insights",  # Instagram media insights
)


def new_state() -> str:
    """A random, unguessable value tying the redirect to this login attempt."""
    return secrets.token_urlsafe(24)


def login_url(app_id: str, state: str, *, dialog_origin: str = DIALOG_ORIGIN, version: str = GRAPH_VERSION) -> str:
    """The OAuth dialog URL for the documented desktop flow (token in the redirect's fragment)."""
    query = urlencode(
        {
            "client_id": app_id,
            "redirect_uri": REDIRECT_URI,
            "response_type": "token",
            "scope": ",".join(SCOPES),
            "state": state,
        }
    )
    return f"{dialog_origin.rstrip('/')}/{version}/dialog/oauth?{query}"


def is_redirect(url: str) -> bool:
    """True when the webview has reached the login redirect (whatever its query or fragment)."""
    parts, target = urlsplit(url), urlsplit(REDIRECT_URI)
    return (parts.scheme, parts.netloc.lower(), parts.path) == (target.scheme, target.netloc, target.path)


def parse_login_redirect(url: str, expected_state: str) -> LoginResult:
    """Read the token from the redirect URL; refuses a foreign URL, an error answer or a mismatched state."""
    if not is_redirect(url):
        raise LoginError("The login did not return to Facebook's login-success page; try again")
    parts = urlsplit(url)
    params = {k: v[0] for k, v in parse_qs(parts.fragment, keep_blank_values=True).items()}
    query = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
    if "error" in query or "error" in params:
        answer = query if "error" in query else params
        reason = answer.get("error_reason") or answer.get("error")
        if reason == "user_denied":
            raise LoginError("You canceled the Facebook login; connect again when you are ready")
        raise LoginError(f"Facebook refused the login ({reason}); check the app's settings and try again")
    state = params.get("state") or query.get("state")
    if not expected_state or not state or not secrets.compare_digest(state, expected_state):
        raise LoginError("The login answer does not belong to this login attempt (state mismatch); try again")
    token = params.get("access_token")
    if not token:
        raise LoginError("Facebook did not return an access token; try again, or paste a token instead")
    expires = params.get("expires_in") or params.get("data_access_expiration_time")
    scopes = params.get("granted_scopes", "")
    return LoginResult(
        access_token=token,
        expires_in=int(expires) if expires and expires.isdigit() else None,
        granted_scopes=tuple(s for s in scopes.split(",") if s),
    )
