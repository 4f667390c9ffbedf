"""Internet Archive S3-style keys, from the environment or the ``ia`` tool's ``ia.ini``."""

from __future__ import annotations

import configparser
import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class ArchiveKeys:
    """An access key and secret; ``repr`` never shows the secret."""

    access: str
    secret: str

    def __repr__(self) -> str:
        return f"ArchiveKeys(access={self.access!r}, secret=***)"

    @property
    def authorization(self) -> str:
        """The SPN2 ``Authorization`` header value."""
        return f"LOW {self.access}:{self.secret}"


def ia_config_paths() -> list[Path]:
    """Where the internetarchive tool keeps its config, in the order it looks."""
    home = Path.home()
    config_home = Path(os.environ.get("XDG_CONFIG_HOME", home / ".config"))
    return [config_home / "internetarchive" / "ia.ini", home / ".config" / "ia.ini", home / ".ia"]


def load_keys(environ: dict[str, str] | None = None) -> ArchiveKeys | None:
    """``IA_ACCESS_KEY``/``IA_SECRET_KEY``, else the ``[s3]`` section of ``ia.ini``, else None."""
    env = os.environ if environ is None else environ
    access, secret = env.get("IA_ACCESS_KEY", "").strip(), env.get("IA_SECRET_KEY", "").strip()
    if access and secret:
        return ArchiveKeys(access, secret)
    configured = env.get("IA_CONFIG_FILE")
    for path in [Path(configured)] if configured else ia_config_paths():
        if not path.is_file():
            continue
        parser = configparser.ConfigParser()
        try:
            parser.read(path, encoding="utf-8")
        except (configparser.Error, OSError, UnicodeDecodeError):
            continue
        access = parser.get("s3", "access", fallback="").strip()
        secret = parser.get("s3", "secret", fallback="").strip()
        if access and secret:
            return ArchiveKeys(access, secret)
    return None
