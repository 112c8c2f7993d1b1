"""The configuration table in README.md stays true: every environment variable the settings read
is documented, and nothing documented is missing from the settings."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _settings_variables() -> set[str]:
    source = (ROOT / "solidaire" / "settings.py").read_text()
    return set(re.findall(r'env(?:_bool|_int|_list)?\(\s*"([A-Z_]+)"', source))


def _documented_variables() -> set[str]:
    readme = (ROOT / "README.md").read_text()
    return set(re.findall(r"^\| `([A-Z_]+)` \|", readme, flags=re.MULTILINE))


def test_every_setting_variable_is_in_the_readme_table():
    missing = _settings_variables() - _documented_variables()
    assert not missing, f"document these in README.md's configuration table: {sorted(missing)}"


def test_the_readme_table_lists_no_unknown_variable():
    unknown = _documented_variables() - _settings_variables()
    assert not unknown, f"README.md documents variables the settings do not read: {sorted(unknown)}"
