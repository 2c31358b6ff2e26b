"""The HTTP client every source uses: a requests.Session with timeouts, capped bodies and urllib3 retries.

Retries back off exponentially on 429 and 5xx and honour `Retry-After` (capped); failures become DataErrors that
name the source and URL, with any secret redacted.
"""
from __future__ import annotations

import datetime as dt
import re

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from lib.errors import DataError
from lib.ingest.common import Payload, looks_like_html

DEFAULT_TIMEOUT = (10.0, 60.0)        # connect, read (seconds)
DEFAULT_MAX_BYTES = 64 * 1024 * 1024  # no source is near this; a bigger body is an error, not data
RETRY_STATUSES = (429, 500, 502, 503, 504)
USER_AGENT = "llm-frontier-dashboard/ingest (+https://github.com/)"


class CappedRetry(Retry):
    """Retry that honours Retry-After but never sleeps longer than `max_retry_after` seconds."""

    max_retry_after = 120.0

    def get_retry_after(self, response):
        seconds = super().get_retry_after(response)
        return None if seconds is None else min(seconds, self.max_retry_after)


def make_retry(total: int = 4, backoff_factor: float = 1.0, max_retry_after: float = 120.0) -> Retry:
    retry = CappedRetry(
        total=total, connect=total, read=total, status=total,
        backoff_factor=backoff_factor, backoff_max=60,
        status_forcelist=RETRY_STATUSES, allowed_methods=frozenset({"GET"}),
        respect_retry_after_header=True, raise_on_status=True,
    )
    retry.max_retry_after = max_retry_after
    return retry


def make_session(retry: Retry | None = None) -> requests.Session:
    session = requests.Session()
    adapter = HTTPAdapter(max_retries=retry or make_retry())
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    session.headers["User-Agent"] = USER_AGENT
    return session


def _secret_forms(secret: str) -> set[str]:
    """Every way a secret may show up in a message: raw, repr/escaped (a key with a newline is printed as
    'ab\\ncd'), JSON-escaped, URL-encoded, and each of its lines on its own."""
    import json
    from urllib.parse import quote, quote_plus

    forms = {secret, repr(secret)[1:-1], secret.encode("unicode_escape").decode("ascii"), json.dumps(secret)[1:-1],
             quote(secret, safe=""), quote(secret), quote_plus(secret)}
    forms |= {f.lower() for f in forms if "%" in f}  # percent-encoding in lower case
    forms |= {part for part in re.split(r"[\s\x00-\x1f\x7f]+", secret) if len(part) >= 4}
    return {f for f in forms if f}


def redact(message: str, secrets: list[str | None]) -> str:
    """`message` with every form of every secret replaced by ***."""
    message = str(message)
    for s in secrets:
        if s:
            for form in sorted(_secret_forms(str(s)), key=len, reverse=True):
                message = message.replace(form, "***")
    return message


def get(source: str, url: str, *, session: requests.Session | None = None, headers: dict | None = None,
        params: dict | None = None, timeout=None, max_bytes: int = DEFAULT_MAX_BYTES,
        ext: str = "json", secrets: list[str | None] | None = None) -> Payload:
    """GET one URL and return its body exactly as it arrived; any failure is a DataError naming source and URL."""
    session = session or make_session()
    secrets = secrets or []
    timeout = timeout or DEFAULT_TIMEOUT

    def fail(msg: str):
        return DataError(redact(f"{source}: {msg} ({url})", secrets))

    try:
        with session.get(url, headers=headers, params=params, timeout=timeout, stream=True) as resp:
            if resp.status_code >= 400:
                raise fail(f"HTTP {resp.status_code} {resp.reason or ''}".rstrip())
            declared = resp.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                raise fail(f"payload of {int(declared):,} bytes exceeds the cap of {max_bytes:,} bytes")
            chunks, size = [], 0
            for chunk in resp.iter_content(chunk_size=256 * 1024):
                size += len(chunk)
                if size > max_bytes:
                    raise fail(f"payload exceeds the cap of {max_bytes:,} bytes")
                chunks.append(chunk)
            body = b"".join(chunks)
            content_type = resp.headers.get("Content-Type", "")
            final_url = resp.url
    except DataError:
        raise
    except requests.exceptions.RetryError as exc:
        reason = getattr(exc.args[0], "reason", exc) if exc.args else exc
        raise fail(f"gave up after retries: {reason}") from None
    except requests.exceptions.Timeout:
        raise fail(f"timed out (connect/read timeout {timeout} s)") from None
    except requests.exceptions.ChunkedEncodingError as exc:
        raise fail(f"truncated body: the connection closed early ({str(exc).splitlines()[0][:200]})") from None
    except requests.exceptions.ConnectionError as exc:
        if "timed out" in str(exc).lower() or "timeout" in type(getattr(exc.args[0], "reason", None)).__name__.lower():
            raise fail(f"timed out (connect/read timeout {timeout} s)") from None
        raise fail(f"connection failed: {str(exc).splitlines()[0][:200]}") from None
    except requests.exceptions.RequestException as exc:
        raise fail(f"request failed: {str(exc).splitlines()[0][:200]}") from None
    if not body.strip():
        raise fail("empty body")
    if "html" in content_type.lower() or looks_like_html(body):
        raise fail(f"expected {ext.upper()} but got an HTML page (Content-Type {content_type or 'unset'}); "
                   "an error page served with 200?")
    return Payload(source=source, body=body, url=redact(final_url, secrets),
                   retrieved_at=dt.datetime.now(dt.timezone.utc).replace(microsecond=0),
                   content_type=content_type or "application/octet-stream", ext=ext)
