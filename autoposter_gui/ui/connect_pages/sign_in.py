"""What the browser sign-in page says for each network that signs in through the system browser."""

from __future__ import annotations

from autoposter_gui.engine.networks import callback_url, platform_label
from autoposter_gui.ui.connect_pages.browser import SignInSpec

GBP_ACCESS_URL = "https://developers.google.com/my-business/content/prereqs"


def sign_in_spec(key: str) -> SignInSpec:
    """The page's words for network ``key`` ("x" or "google")."""
    if key == "x":
        return SignInSpec(
            key="x",
            label=platform_label("x"),
            button="Sign in with X",
            intro=(
                "Autoposter posts through your own app in X's developer portal (developer.x.com): under "
                "“User authentication settings” choose “Native App”, add the callback URL below exactly as shown, "
                "and copy the app's OAuth 2.0 Client ID here. Autoposter never sees your password."
            ),
            callback=callback_url("x"),
        )
    return SignInSpec(
        key=key,
        label=platform_label(key),
        button="Sign in with Google",
        intro=(
            "Autoposter posts through your own Google Cloud project: create an OAuth client of type “Desktop app” "
            "under APIs & Services → Credentials, and copy its Client ID and Client secret here. Then sign in with "
            "the Google account that manages your business."
        ),
        secret=True,
        note=(
            "Google grants the Business Profile API on request: your project must be approved before it can post "
            f'(see <a href="{GBP_ACCESS_URL}">Google\'s access steps</a> and the README section “X and '
            "Google Business Profile”)."
        ),
        choose=True,
        noun="location",
    )
