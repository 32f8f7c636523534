"""`python -m core.dotenv`: write a local `.env` for the demo (fresh SECRET_KEY) unless one exists."""

from __future__ import annotations

import secrets
import sys
from pathlib import Path

ENV_FILE = Path(__file__).resolve().parent.parent / ".env"

TEMPLATE = """\
# Written by `make run` for the local demo. See .env.example for every setting.
DEBUG=true
SECRET_KEY={secret_key}
"""


def ensure_env_file(path: Path = ENV_FILE) -> bool:
    """Create `path` with a fresh SECRET_KEY; return False (and leave it alone) when it already exists."""
    if path.exists():
        return False
    path.write_text(TEMPLATE.format(secret_key=secrets.token_urlsafe(50)))
    path.chmod(0o600)
    return True


if __name__ == "__main__":
    created = ensure_env_file()
    print(f"{'Wrote' if created else 'Using'} {ENV_FILE}", file=sys.stderr)
