"""The French catalogue follows French typography: typographic apostrophes (’, not '), and a
non-breaking space (U+00A0, or the narrow U+202F) before ; : ! ? — never a plain space."""

import re
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo

CATALOGUE = Path(__file__).resolve().parent.parent / "solidaire" / "locale" / "fr" / "LC_MESSAGES" / "django.mo"
# A plain space before ; : ! ?, or none at all ("Date:", "Merci!"); not a URL's "https:" nor "10:30".
PLAIN_SPACE_BEFORE = re.compile(r" [;:!?]|[^\s\u00a0\u202f\d][;!?](?=\s|$)|[^\s\u00a0\u202f\d]:(?=\s|$)")


def french_messages() -> list[str]:
    if not CATALOGUE.exists():
        pytest.skip("the French catalogue is not compiled")
    with CATALOGUE.open("rb") as mo:
        catalogue = read_mo(mo)
    found = []
    for message in catalogue:
        if not message.id:
            continue  # the header
        strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
        found += [s for s in strings if s]
    return found


def test_the_french_catalogue_uses_typographic_apostrophes():
    assert [s for s in french_messages() if "'" in s] == []


def test_the_french_catalogue_puts_a_non_breaking_space_before_high_punctuation():
    assert [s for s in french_messages() if PLAIN_SPACE_BEFORE.search(s)] == []
