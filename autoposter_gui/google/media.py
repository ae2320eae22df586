"""A post's photo as a location media item: startUpload, send the bytes, create the item; each id saved first."""

from __future__ import annotations

import mimetypes
from pathlib import Path

from autoposter_gui.domain.errors import ErrorCategory, ErrorKind, PublishError
from autoposter_gui.domain.models import Checkpoint, SaveCheckpoint
from autoposter_gui.google import errors
from autoposter_gui.google.client import UPLOAD_TIMEOUT, Client

# Checkpoint keys, in the order they are saved.
DATA_REF = "google_data_ref"  # the dataRef resourceName from media:startUpload
BYTES_SENT = "google_bytes_sent"  # "1" once the upload answered 2xx
MEDIA_ITEM = "google_media_item"  # the media item's name
MEDIA_URL = "google_media_url"  # its googleUrl: the local post's media sourceUrl


def photo_url(client: Client, parent: str, path: str, checkpoint: Checkpoint, save: SaveCheckpoint) -> str:
    """The googleUrl of ``path`` as a media item of ``parent`` ("accounts/a/locations/l"), reusing a try's steps."""
    done = checkpoint.get(MEDIA_URL)
    if isinstance(done, str) and done:
        return done
    base = f"{client.origins.posts}/v4/{parent}/media"
    ref = checkpoint.get(DATA_REF)
    if not isinstance(ref, str) or not ref:
        answer = client.call("POST", f"{base}:startUpload")
        ref = answer.get("resourceName")
        if not isinstance(ref, str) or not ref:
            raise errors.unexpected("upload reference (resourceName)")
        save(DATA_REF, ref)
    if not checkpoint.get(BYTES_SENT):
        try:
            data = Path(path).read_bytes()
        except OSError:
            raise PublishError(
                ErrorKind.PERMANENT, ErrorCategory.MEDIA_INVALID, f"The photo {Path(path).name} can't be read"
            ) from None
        kind = mimetypes.guess_type(path)[0] or "image/jpeg"
        client.call(
            "POST",
            f"{client.origins.posts}/upload/v1/media/{ref}",
            params={"upload_type": "media"},
            data=data,
            headers={"Content-Type": kind},
            timeout=UPLOAD_TIMEOUT,
        )
        save(BYTES_SENT, "1")
    item = client.call(
        "POST",
        base,
        json={
            "mediaFormat": "PHOTO",
            "locationAssociation": {"category": "ADDITIONAL"},
            "dataRef": {"resourceName": ref},
        },
    )
    name, url = item.get("name"), item.get("googleUrl")
    if not isinstance(url, str) or not url:
        raise errors.unexpected("photo URL (googleUrl)")
    if isinstance(name, str) and name:
        save(MEDIA_ITEM, name)
    save(MEDIA_URL, url)
    return url
