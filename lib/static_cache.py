"""Streamlit's front-end bundles served from memory, gzipped once: an ASGI middleware in front of the server.

Streamlit serves its hashed bundles (`/static/js/…`, 110 files and 7.8 MB on a first visit) uncompressed, through
a file read per 64 KB chunk on a worker thread: ~0.3 s of server CPU per browser with an empty cache. Here each
file is read (and gzipped, when it compresses) once per process and answered with one `send`. Only the exact
files of Streamlit's static directory are served (a dict lookup: no path is ever joined from a URL); a conditional
or range request, any other path and any other method go on to Streamlit unchanged.
"""
from __future__ import annotations

import asyncio
import gzip
import mimetypes
from collections.abc import Awaitable, Callable, MutableMapping
from email.utils import formatdate
from pathlib import Path
from typing import Any

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]

MARKER = "/static/"  # Streamlit's hashed bundles are `[<base url>]/static/<kind>/<name>.<hash>.<ext>`
IMMUTABLE = b"public, immutable, max-age=31536000"  # what Streamlit sends for them: the names carry a content hash
MIN_GZIP_BYTES = 1000
GZIP_LEVEL = 6
# Already compressed: gzip would only cost CPU.
COMPRESSED = {".woff2", ".woff", ".png", ".jpg", ".jpeg", ".gif", ".webp", ".ico", ".gz", ".br", ".zip"}
PASS_THROUGH_HEADERS = {b"range", b"if-none-match", b"if-modified-since"}


class Entry:
    """One file's response: its headers, its bytes and, when it compresses, its gzipped bytes."""

    __slots__ = ("headers", "body", "gzipped")

    def __init__(self, path: Path):
        self.body = path.read_bytes()
        ctype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if ctype.startswith("text/"):
            ctype += "; charset=utf-8"
        modified = path.stat().st_mtime
        self.headers = [(b"content-type", ctype.encode("latin-1")), (b"cache-control", IMMUTABLE),
                        (b"last-modified", formatdate(modified, usegmt=True).encode("latin-1"))]
        self.gzipped: bytes | None = None
        if len(self.body) >= MIN_GZIP_BYTES and path.suffix.lower() not in COMPRESSED:
            packed = gzip.compress(self.body, GZIP_LEVEL, mtime=0)
            if len(packed) < len(self.body):
                self.gzipped = packed


def bundle_files(static_dir: str | Path) -> dict[str, Path]:
    """{"/static/js/x.js": its path} for every file under `static_dir`/static (Streamlit's hashed bundles)."""
    root = Path(static_dir)
    bundles = root / "static"
    return {"/" + p.relative_to(root).as_posix(): p for p in sorted(bundles.rglob("*")) if p.is_file()}


class StaticCache:
    """ASGI middleware: answers GET/HEAD of a known bundle from memory; everything else goes to `app`."""

    def __init__(self, app: Callable[[Scope, Receive, Send], Awaitable[None]], static_dir: str | Path):
        self.app = app
        self.files = bundle_files(static_dir)
        self.entries: dict[str, Entry] = {}

    def _key(self, scope: Scope) -> str | None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            return None
        path = scope["path"]
        at = path.find(MARKER)
        key = path[at:] if at >= 0 else None
        if key not in self.files:
            return None
        if any(name in PASS_THROUGH_HEADERS for name, _ in scope["headers"]):
            return None  # Streamlit answers a revalidation (304) or a range (206) itself
        return key

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        key = self._key(scope)
        if key is None:
            await self.app(scope, receive, send)
            return
        entry = self.entries.get(key)
        if entry is None:  # first request for this file in this process: read and gzip it off the event loop
            try:
                entry = await asyncio.get_running_loop().run_in_executor(None, Entry, self.files[key])
            except OSError:  # gone from disk (a package upgrade under a running server): Streamlit's answer
                await self.app(scope, receive, send)
                return
            self.entries[key] = entry
        headers, body = list(entry.headers), entry.body
        if entry.gzipped is not None:
            headers.append((b"vary", b"Accept-Encoding"))
            accepted = b",".join(v for k, v in scope["headers"] if k == b"accept-encoding").lower()
            if b"gzip" in accepted:
                headers.append((b"content-encoding", b"gzip"))
                body = entry.gzipped
        headers.append((b"content-length", str(len(body)).encode("latin-1")))
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body})
