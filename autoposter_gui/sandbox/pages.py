"""Small HTML pages the sandbox serves as permalinks, so that "View Post" works in demo mode."""

from __future__ import annotations

from html import escape

from .store import PostRecord, SandboxStore, meta_time

_STYLE = (
    "body{font-family:system-ui,sans-serif;background:#f0f2f5;margin:0;padding:2em}"
    ".card{max-width:560px;margin:0 auto 1em;background:#fff;border-radius:8px;padding:1em 1.2em;"
    "box-shadow:0 1px 3px rgba(0,0,0,.2)}"
    ".who{font-weight:600}.when{color:#65676b;font-size:.85em}.text{white-space:pre-wrap;margin:.8em 0}"
    "img{max-width:100%;border-radius:4px}.badge{color:#fff;background:#8a3ab9;border-radius:4px;"
    "padding:0 .4em;font-size:.8em}.note{color:#65676b;text-align:center;font-size:.8em}"
)


def _document(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head><body>{body}"
        '<p class="note">Autoposter sandbox: a local stand-in for Facebook and Instagram.</p></body></html>'
    )


def _card(store: SandboxStore, post: PostRecord) -> str:
    if post.platform == "facebook":
        page = store.world.pages_by_id.get(post.account_id)
        who = escape(page.name if page else post.account_id)
        badge = ""
    else:
        ig = store.world.ig_accounts.get(post.account_id)
        who = "@" + escape(ig.username if ig else post.account_id)
        badge = ' <span class="badge">Instagram</span>'
    parts = [
        f'<div class="card" id="post-{escape(post.id)}"><div class="who">{who}{badge}</div>',
        f'<div class="when">{escape(meta_time(post.created_ts))}</div>',
    ]
    if post.text:
        parts.append(f'<div class="text">{escape(post.text)}</div>')
    if post.link:
        parts.append(f'<div><a href="{escape(post.link)}">{escape(post.link)}</a></div>')
    for photo_id in post.photo_ids or ([post.photo_id] if post.photo_id is not None else []):
        photo = store.photos.get(photo_id)
        alt = photo.alt_text if photo is not None and photo.alt_text else "photo"
        parts.append(f'<img src="/sandbox/media/{escape(photo_id)}.jpg" alt="{escape(alt)}">')
    for comment in store.comments_on(post.id):
        parts.append(f'<div class="text" id="comment-{escape(comment.id)}">💬 {escape(comment.message)}</div>')
    parts.append("</div>")
    return "".join(parts)


def post_page(store: SandboxStore, post: PostRecord) -> str:
    kind = "Facebook post" if post.platform == "facebook" else "Instagram post"
    return _document(f"{kind} {post.id}", _card(store, post))


def index_page(store: SandboxStore) -> str:
    posts = list(reversed(store.posts))
    cards = "".join(
        f'<a href="/sandbox/{"post" if p.platform == "facebook" else "ig"}/{escape(p.id)}"'
        ' style="text-decoration:none;color:inherit">' + _card(store, p) + "</a>"
        for p in posts
    )
    if not cards:
        cards = '<div class="card">Nothing published yet.</div>'
    return _document("Autoposter sandbox", f'<div class="card"><b>Published posts</b></div>{cards}')


def not_found_page(what: str) -> str:
    return _document("Not found", f'<div class="card">This content isn\'t available: {escape(what)}</div>')


# ----- the fake Facebook Login dialog (GET /{version}/dialog/oauth) -----

LOGIN_REDIRECT_URI = "https://www.facebook.com/connect/login_success.html"
_SCOPE_WORDS = {
    "public_profile": "Your name and profile picture",
    "pages_show_list": "Show a list of the Pages you manage",
    "pages_read_engagement": "Read content posted on your Pages",
    "pages_manage_posts": "Create and manage content on your Pages",
    "instagram_basic": "Access your Instagram profile and media",
    "instagram_content_publish": "Publish content to your Instagram account",
    "read_insights": "Read your Pages' insights",
    "instagram_manage_insights": "Read insights of your Instagram account",
}
_LOGIN_STYLE = (
    ".login{max-width:460px}.brand{color:#1877f2;font-weight:700;font-size:1.6em;letter-spacing:-.5px}"
    ".brand small{color:#fff;background:#e37400;border-radius:4px;padding:0 .4em;font-size:.45em;"
    "vertical-align:middle;letter-spacing:0}h1{font-size:1.25em;margin:.6em 0 .2em}"
    "ul{padding-left:1.2em}li{margin:.3em 0}code{color:#65676b;font-size:.8em}"
    ".buttons{display:flex;gap:.6em;margin-top:1.2em}button{flex:1;font-size:1em;padding:.6em;border-radius:6px;"
    "border:1px solid #ccd0d5;background:#e4e6eb;cursor:pointer;font-family:inherit}"
    "button.primary{background:#1877f2;color:#fff;border-color:#1877f2;font-weight:600}"
)


def login_dialog_page(app_name: str, user_name: str, params: dict[str, str]) -> str:
    """The consent screen: who is logging in, the app, the permissions asked for, Continue or Cancel."""
    scopes = [s for s in params.get("scope", "").replace(" ", ",").split(",") if s]
    items = (
        "".join(f"<li>{escape(_SCOPE_WORDS.get(s, s))} <code>{escape(s)}</code></li>" for s in scopes)
        or "<li>Your name and profile picture</li>"
    )
    hidden = "".join(
        f'<input type="hidden" name="{escape(k)}" value="{escape(params[k])}">'
        for k in ("client_id", "redirect_uri", "state", "response_type", "scope")
        if k in params
    )
    body = (
        f'<div class="card login"><div class="brand">facebook <small>SANDBOX</small></div>'
        f"<h1>{escape(app_name)}</h1>"
        f"<p>Continue as <b>{escape(user_name)}</b>? {escape(app_name)} is asking for:</p><ul>{items}</ul>"
        f'<form method="post" action="oauth/confirm">{hidden}<div class="buttons">'
        '<button type="submit" name="choice" value="cancel" id="cancel">Cancel</button>'
        f'<button type="submit" name="choice" value="continue" id="continue" class="primary">'
        f"Continue as {escape(user_name)}</button></div></form></div>"
    )
    return _document(f"Log in with Facebook | {app_name}", body).replace("</style>", _LOGIN_STYLE + "</style>", 1)


def login_error_page(title: str, text: str) -> str:
    """What Facebook shows instead of the dialog when the app or the redirect URI is wrong."""
    body = (
        f'<div class="card login"><div class="brand">facebook <small>SANDBOX</small></div>'
        f"<h1>{escape(title)}</h1><p>{escape(text)}</p></div>"
    )
    return _document(title, body).replace("</style>", _LOGIN_STYLE + "</style>", 1)
