"""Request parsing for the sandbox: query strings, url-encoded and multipart bodies, Graph ``fields=`` lists."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl

_PARAM_RE = re.compile(r';\s*([\w*-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]*))')


@dataclass(frozen=True)
class Upload:
    """A file part of a multipart body."""

    filename: str | None
    content_type: str | None
    data: bytes


class FormError(ValueError):
    """The body cannot be parsed."""


def header_params(value: str) -> tuple[str, dict[str, str]]:
    """Split a header like ``form-data; name="x"; filename="a.jpg"`` into its value and parameters."""
    main, _, rest = value.partition(";")
    params: dict[str, str] = {}
    for match in _PARAM_RE.finditer(";" + rest):
        key = match.group(1).lower()
        raw = match.group(2)
        params[key] = re.sub(r"\\(.)", r"\1", raw) if raw is not None else (match.group(3) or "")
    return main.strip().lower(), params


def part_headers(head: bytes) -> dict[str, str]:
    """The headers of one multipart part (names lower-cased), from the bytes before its blank line."""
    headers: dict[str, str] = {}
    for line in head.decode("utf-8", "replace").split("\r\n"):
        name, colon, value = line.partition(":")
        if colon:
            headers[name.strip().lower()] = value.strip()
    return headers


def parse_query(query: str) -> dict[str, str]:
    return dict(parse_qsl(query, keep_blank_values=True))


def parse_body(content_type: str, body: bytes) -> tuple[dict[str, str], dict[str, Upload]]:
    """Form fields and files of a POST body (url-encoded or multipart); other types give nothing."""
    if not body:
        return {}, {}
    mime, params = header_params(content_type)
    if mime == "multipart/form-data":
        boundary = params.get("boundary")
        if not boundary:
            raise FormError("multipart body without boundary")
        return parse_multipart(body, boundary)
    if mime in ("application/x-www-form-urlencoded", ""):
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise FormError("form body is not UTF-8") from exc
        return dict(parse_qsl(text, keep_blank_values=True)), {}
    return {}, {}


def parse_multipart(body: bytes, boundary: str) -> tuple[dict[str, str], dict[str, Upload]]:
    form: dict[str, str] = {}
    files: dict[str, Upload] = {}
    delimiter = b"\r\n--" + boundary.encode("latin-1")
    chunks = (b"\r\n" + body).split(delimiter)
    if len(chunks) < 2:
        raise FormError("multipart boundary not found")
    for chunk in chunks[1:]:
        if chunk.startswith(b"--"):
            break
        if chunk.startswith(b"\r\n"):
            chunk = chunk[2:]
        head, sep, content = chunk.partition(b"\r\n\r\n")
        if not sep:
            raise FormError("multipart part without headers")
        headers = part_headers(head)
        disposition, dparams = header_params(headers.get("content-disposition", ""))
        field_name = dparams.get("name")
        if disposition != "form-data" or field_name is None:
            continue
        if "filename" in dparams or "filename*" in dparams:
            files[field_name] = Upload(dparams.get("filename"), headers.get("content-type"), content)
        else:
            form[field_name] = content.decode("utf-8", "replace")
    return form, files


def parse_fields(spec: str | None) -> dict[str, str]:
    """``id,name,instagram_business_account{id,username}`` -> {"id": "", "name": "", "instag...": "id,username"}."""
    result: dict[str, str] = {}
    if not spec:
        return result
    depth = 0
    start = 0
    items: list[str] = []
    for i, ch in enumerate(spec):
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth = max(0, depth - 1)
        elif ch == "," and depth == 0:
            items.append(spec[start:i])
            start = i + 1
    items.append(spec[start:])
    for item in items:
        item = item.strip()
        if not item:
            continue
        name, brace, sub = item.partition("{")
        name = name.strip()
        # Modifiers such as .limit(10) are accepted and ignored.
        name = name.split(".", 1)[0]
        result[name] = sub.rstrip("}").strip() if brace else ""
    return result


def parse_bool(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() not in ("false", "0", "no", "off")
