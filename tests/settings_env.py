"""Where the settings live and which environment variables they read (for settings tests)."""

import re
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
SETTINGS_FILE = BASE_DIR / "forge" / "settings.py"

# The variables settings.py reads, cleared so that the environment the suite runs in (such as
# DATABASE_URL in the PostgreSQL pass) cannot leak in: every upper-case name quoted in the file,
# plus DATABASE_URL, which dj-database-url reads by itself.
SETTINGS_VARIABLES = {
    "DATABASE_URL",
    *re.findall(r'"([A-Z][A-Z0-9_]+)"', SETTINGS_FILE.read_text(encoding="utf-8")),
}
