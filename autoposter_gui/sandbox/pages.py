"""Small HTML pages the sandbox serves as permalinks, so that "View Post" works in demo mode."""

from __future__ import annotations

from html import escape

from . import world
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
        page = world.PAGES_BY_ID.get(post.account_id)
        who = escape(page.name if page else post.account_id)
        badge = ""
    else:
        ig = world.IG_ACCOUNTS.get(post.account_id)
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
    if post.photo_id is not None:
        parts.append(f'<img src="/sandbox/media/{escape(post.photo_id)}.jpg" alt="photo">')
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
