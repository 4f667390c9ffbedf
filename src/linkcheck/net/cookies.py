"""The run's cookie jar: kept for the whole run, optionally loaded from and saved to a file."""

from __future__ import annotations

import http.cookiejar
from pathlib import Path

from linkcheck.errors import OutputError, UsageError


def load_cookie_jar(path: Path | None) -> http.cookiejar.CookieJar:
    """A jar for the run; with ``path``, read from that Netscape cookies.txt file if it exists."""
    if path is None:
        return http.cookiejar.CookieJar()
    jar = http.cookiejar.MozillaCookieJar(str(path))
    if path.exists():
        try:
            jar.load(ignore_discard=True, ignore_expires=False)
        except (OSError, http.cookiejar.LoadError) as exc:
            raise UsageError(f"--cookie-jar {path}: not a Netscape cookies file ({exc})") from None
    return jar


def save_cookie_jar(jar: http.cookiejar.CookieJar, path: Path | None) -> None:
    """Write the jar back to ``path`` (nothing without one)."""
    if path is None or not isinstance(jar, http.cookiejar.MozillaCookieJar):
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        jar.save(ignore_discard=True, ignore_expires=False)
    except OSError as exc:
        raise OutputError(f"--cookie-jar {path}: cannot write ({exc.strerror or exc})") from None
