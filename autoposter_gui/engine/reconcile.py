"""Asking the provider whether an attempt that may have landed actually published, before anything else."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from autoposter_gui.domain.decide import AttemptFacts, CheckResult
from autoposter_gui.domain.errors import PublishError
from autoposter_gui.domain.models import Platform, PublishResult
from autoposter_gui.meta.publisher import MetaPublisher
from autoposter_gui.storage.repo import WorkAccount, WorkItem

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Reconciliation:
    """Meta's answer: ``found`` is set when it went out, ``container`` when a FINISHED container is ready."""

    check: CheckResult
    found: PublishResult | None = None
    container: str | None = None
    error: PublishError | None = None


def reconcile(
    publisher: MetaPublisher,
    account: WorkAccount,
    item: WorkItem,
    attempt: AttemptFacts,
    token: str,
    used_ids: set[str],
) -> Reconciliation:
    """Check with Meta whether ``attempt`` published ``item``.

    The search starts at the attempt's own start (on Meta's clock, see MetaPublisher.window_start), never earlier:
    a post with the same words made before it (by hand, or by another item) is not ours.
    """
    try:
        if item.platform == Platform.INSTAGRAM.value:
            if attempt.container_id:
                status = publisher.container_status(attempt.container_id, token)
                log.info("reconcile item %s: container status %s", item.id, status)
                if status == "FINISHED":
                    return Reconciliation(CheckResult.READY_CONTAINER, container=attempt.container_id)
                if status != "PUBLISHED":
                    return Reconciliation(CheckResult.NOT_FOUND)  # never published: a new container is safe
            found = publisher.find_instagram_media(account.external_id, token, item.text, attempt.started_at, used_ids)
        else:
            found = publisher.find_facebook_post(account.external_id, token, item.text, attempt.started_at, used_ids)
    except PublishError as exc:
        log.warning("reconcile item %s: provider check failed (%s)", item.id, exc.error_code)
        return Reconciliation(CheckResult.UNKNOWN, error=exc)
    if found is None and item.platform == Platform.INSTAGRAM.value and attempt.container_id:
        # Instagram says the container is PUBLISHED but the media is not listed: it went out; never republish.
        found = PublishResult(attempt.container_id, None, {"container_id": attempt.container_id})
    log.info("reconcile item %s: %s", item.id, "found" if found else "not found")
    return Reconciliation(CheckResult.FOUND if found else CheckResult.NOT_FOUND, found=found)
