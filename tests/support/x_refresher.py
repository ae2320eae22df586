"""A second Autoposter process for the X lock tests: take an X access token (refreshing it), then post once.

``python -m tests.support.x_refresher '<json>'`` with ``origin``, ``service``, ``now`` (ISO), ``locks`` (a folder
or null), ``user_id``, ``username``, ``text``; the keyring is tests.support.memory_keyring.FileKeyring
(``TEST_KEYRING_FILE``). Inside a cached() scope (as in a runner tick) it reads the grant first, prints ``ready``,
waits for a line on stdin, then prints one JSON line: ``{"token", "tweet"}`` or ``{"error", "category"}`` (``token``
is a digest of the access token used: no token is ever printed, even a fake one).
"""

from __future__ import annotations

import hashlib
import json
import sys
from datetime import datetime
from pathlib import Path

from autoposter_gui.domain.errors import PublishError
from autoposter_gui.networks.protocol import AccountRef, Env, Post
from autoposter_gui.tokens import TokenStore
from autoposter_gui.x import grant
from autoposter_gui.x.publish import XSession
from tests.support.memory_keyring import FileKeyring


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()[:16]


def main(spec: dict[str, str | None]) -> dict[str, str | None]:
    now = datetime.fromisoformat(str(spec["now"]))
    tokens = TokenStore(str(spec["service"]), FileKeyring())
    locks = Path(spec["locks"]) if spec["locks"] else None
    env = Env(origin=spec["origin"], secrets=tokens, now=lambda: now, sandbox=True, locks=locks)
    account = AccountRef(1, "x", str(spec["user_id"]), "Cafe", spec["username"])
    session = XSession(env)
    try:
        with tokens.cached():
            grant.load(tokens, account.external_id)  # this tick has read the grant already (kept in memory)
            print("ready", flush=True)
            sys.stdin.readline()
            token = session.access_token(account) or ""
            result = session.publish(account, token, Post(1, "x", str(spec["text"])), {}, lambda key, value: None)
        return {"token": digest(token), "tweet": result.provider_post_id}
    except PublishError as err:
        return {"error": str(err), "category": err.category.value}
    finally:
        session.close()


if __name__ == "__main__":
    print(json.dumps(main(json.loads(sys.argv[1]))), flush=True)
