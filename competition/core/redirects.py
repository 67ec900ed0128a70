"""Safe redirect targets: `next` may only point to a path on this site."""

from __future__ import annotations

from urllib.parse import urlsplit


def safe_next(target: str | None) -> str | None:
    """Return `target` if it is a local path ("/…", not "//host" or "/\\host"), else None."""
    if not target or len(target) > 2000:
        return None
    target = target.strip()
    if any(ch in target for ch in "\r\n\t\\"):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    if not target.startswith("/") or target.startswith("//"):
        return None
    return target
