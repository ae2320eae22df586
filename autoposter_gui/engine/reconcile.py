"""Asking the provider whether an interrupted attempt actually published, before any retry."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from autoposter_gui.domain.errors import PublishError
from autoposter_gui.domain.models import Platform, PublishResult
from autoposter_gui.meta.publisher import MetaPublisher
from autoposter_gui.storage.models import Account, DeliveryAttempt, QueueItem

log = logging.getLogger(__name__)
# Generous, so a machine clock that is off by minutes still finds the post (matching is on exact text).
LOOKBACK = timedelta(hours=1)


@dataclass(frozen=True)
class Reconciliation:
    """found: it went out. resume_container: an IG container ready to publish. unknown: could not tell."""

    found: PublishResult | None = None
    resume_container: str | None = None
    unknown: PublishError | None = None


def reconcile(
    publisher: MetaPublisher,
    account: Account,
    item: QueueItem,
    attempt: DeliveryAttempt,
    token: str,
    used_ids: set[str],
) -> Reconciliation:
    """Check with Meta whether ``attempt`` published ``item``."""
    since = min(item.created_at, attempt.started_at) - LOOKBACK
    try:
        if item.platform == Platform.INSTAGRAM.value:
            if attempt.container_id:
                status = publisher.container_status(attempt.container_id, token)
                log.info("reconcile item %s: container status %s", item.id, status)
                if status == "FINISHED":
                    return Reconciliation(resume_container=attempt.container_id)
                if status != "PUBLISHED":
                    return Reconciliation()  # never published: a new container is safe
            found = publisher.find_instagram_media(account.external_id, token, item.text, since, used_ids)
        else:
            found = publisher.find_facebook_post(account.external_id, token, item.text, since, used_ids)
    except PublishError as exc:
        log.warning("reconcile item %s: provider check failed (%s)", item.id, exc.error_code)
        return Reconciliation(unknown=exc)
    if found is None and item.platform == Platform.INSTAGRAM.value and attempt.container_id:
        # Instagram says the container is PUBLISHED but the media is not listed: it went out; never republish.
        found = PublishResult(attempt.container_id, None, {"container_id": attempt.container_id})
    log.info("reconcile item %s: %s", item.id, "found" if found else "not published")
    return Reconciliation(found=found)
