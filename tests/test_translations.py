"""The translation catalogues are complete, correct and in step with the source.

French is the default language; German must be complete too. English msgids are the English
display text, so the English catalogue stays empty and Django falls back to the msgid.

To bring the catalogues up to date after a change of visible strings:
    cd solidaire && ../.venv/bin/solidaire makemessages -l fr -l en -l de --ignore 'static/*'
then translate every new or fuzzy entry of fr and de.
"""

import ast
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.test import override_settings
from django.utils import translation

PACKAGE = Path(__file__).resolve().parent.parent / "solidaire"
LOCALE = PACKAGE / "locale"
TRANSLATED = ("fr", "de")
ALL_LANGUAGES = ("fr", "en", "de")

# A printf-style directive as Python's % operator reads it; "%%" is a literal percent sign.
DIRECTIVE = re.compile(
    r"%(?:\((?P<name>[^)]*)\))?[#0 +\-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?(?P<conversion>[diouxXeEfFgGcrsa%])"
)


def catalogue(language, domain="django", root=LOCALE):
    with open(root / language / "LC_MESSAGES" / f"{domain}.po", "rb") as handle:
        return read_po(handle, locale=language, abort_invalid=True)


def entries(cat):
    """Every message but the header."""
    return [message for message in cat if message.id]


def keys(cat):
    return {(message.context, message.id) for message in entries(cat)}


def directives(text):
    """The placeholders of a python-format string, as a multiset; a stray "%" counts as one."""
    found = Counter(m.group(0) for m in DIRECTIVE.finditer(text) if m.group("conversion") != "%")
    stray = DIRECTIVE.sub("", text).count("%")
    if stray:
        found["stray %"] = stray
    return found


def python_format_ids(language):
    """msgids that xgettext flagged python-format in the file. (Babel adds the flag to any msgid
    that merely looks like a format string, such as "100 % doubles", so its flags are not used.)"""
    flagged, current, msgid = set(), False, None
    path = LOCALE / language / "LC_MESSAGES" / "django.po"
    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        if line.startswith("#,"):
            current = "python-format" in [flag.strip() for flag in line[2:].split(",")]
        elif line.startswith("msgid "):
            msgid = ast.literal_eval(line[len("msgid ") :])
        elif line.startswith('"') and msgid is not None:
            msgid += ast.literal_eval(line)
        elif line.startswith("msgid_plural") or line.startswith("msgstr"):
            if current and msgid:
                flagged.add(msgid)
            current, msgid = False, None
    return flagged


def label(message):
    return message.id if isinstance(message.id, str) else message.id[0]


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_entry_is_translated_and_not_fuzzy(language):
    cat = catalogue(language)
    assert entries(cat), f"{language}: the catalogue is empty"
    problems = []
    for message in entries(cat):
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy:
            problems.append(f"fuzzy: {label(message)!r}")
        if not all(s.strip() for s in strings):
            problems.append(f"untranslated: {label(message)!r}")
        if message.pluralizable and len(strings) != cat.num_plurals:
            problems.append(f"{len(strings)} plural forms instead of {cat.num_plurals}: {label(message)!r}")
    assert not problems, f"{language}/django.po:\n" + "\n".join(problems)


@pytest.mark.parametrize("language", TRANSLATED)
def test_placeholders_of_each_translation_match_its_msgid(language):
    problems = []
    flagged = python_format_ids(language)
    assert flagged, f"{language}: no python-format entry found; is the catalogue readable?"
    for message in entries(catalogue(language)):
        if label(message) not in flagged:
            continue
        if message.pluralizable:
            # Every form may be chosen for a count, so each one carries the plural's placeholders.
            expected = directives(message.id[1])
            strings = message.string
        else:
            expected = directives(message.id)
            strings = (message.string,)
        for string in strings:
            if string and directives(string) != expected:
                problems.append(
                    f"{label(message)!r}: expected {sorted(expected.elements())}, "
                    f"got {sorted(directives(string).elements())} in {string!r}"
                )
    assert not problems, f"{language}/django.po:\n" + "\n".join(problems)


def test_the_three_catalogues_hold_the_same_messages():
    reference = keys(catalogue("fr"))
    for language in ALL_LANGUAGES:
        assert keys(catalogue(language)) == reference, f"{language}/django.po is not in step with fr/django.po"


def test_english_catalogue_falls_back_to_the_msgids():
    translated = [label(m) for m in entries(catalogue("en")) if any(m.string if m.pluralizable else (m.string,))]
    assert not translated, "English msgids are the display text; leave these msgstr empty: " + repr(translated)


def _copy_of_the_package(tmp_path):
    copy = tmp_path / "solidaire"
    shutil.copytree(
        PACKAGE,
        copy,
        ignore=shutil.ignore_patterns("static", "locale", "__pycache__", "*.pyc", "node_modules"),
    )
    (copy / "locale").mkdir()
    return copy


def _makemessages(copy, *args):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "solidaire.settings",
        "PYTHONPATH": str(copy.parent),
        "SOLIDAIRE_VAR_DIR": str(copy.parent / "var"),
        "SOLIDAIRE_SECRET_KEY": "translations-test",
    }
    # -P: the package directory is the working directory and holds a celery.py; it must not
    # shadow the real packages, and PYTHONPATH makes `solidaire` the copy.
    result = subprocess.run(  # noqa: S603 - our own interpreter on a fixed argument list
        [sys.executable, "-P", "-m", "django", "makemessages", *args],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_catalogues_are_up_to_date_with_the_source(tmp_path):
    """makemessages on a copy of the package finds exactly the committed French msgids."""
    copy = _copy_of_the_package(tmp_path)
    _makemessages(copy, "-l", "fr", "--ignore", "static/*")
    fresh = keys(catalogue("fr", root=copy / "locale"))
    committed = keys(catalogue("fr"))
    missing = sorted(map(repr, fresh - committed))
    stale = sorted(map(repr, committed - fresh))
    assert not missing and not stale, (
        "solidaire/locale is out of date: run `cd solidaire && ../.venv/bin/solidaire makemessages "
        "-l fr -l en -l de --ignore 'static/*'` and translate the new entries.\n"
        f"Missing from the catalogue: {missing}\nNo longer in the source: {stale}"
    )


def test_javascript_strings_have_a_catalogue():
    """No djangojs catalogue today: then no script of ours may call gettext. When one does, add
    the djangojs catalogues (makemessages -d djangojs) and extend these tests to them."""
    if (LOCALE / "fr" / "LC_MESSAGES" / "djangojs.po").exists():
        for language in ALL_LANGUAGES:
            assert (LOCALE / language / "LC_MESSAGES" / "djangojs.po").exists()
        return
    calling = [
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.js")
        if "vendor" not in path.parts
        and "node_modules" not in path.parts
        and re.search(r"\b(n|p|np)?gettext\s*\(|\binterpolate\s*\(", path.read_text(encoding="utf-8", errors="replace"))
    ]
    assert not calling, f"these scripts translate strings but there is no djangojs catalogue: {calling}"


@pytest.fixture
def compiled_catalogues(tmp_path):
    """The committed .po files compiled afresh (the .mo files are build products, not committed),
    so that the page tests below check the catalogues as they are now."""
    for language in ALL_LANGUAGES:
        target = tmp_path / "locale" / language / "LC_MESSAGES"
        target.mkdir(parents=True)
        with open(target / "django.mo", "wb") as handle:
            write_mo(handle, catalogue(language))
    # Changing LOCALE_PATHS resets Django's translation caches on the way in and out.
    with override_settings(LOCALE_PATHS=[tmp_path / "locale"]):
        yield


def _expected(language, msgid):
    with translation.override(language):
        return translation.gettext(msgid)


@pytest.mark.parametrize(
    ("language", "path", "accept"),
    [("de", "/de/", "de"), ("de", "/de/", "fr"), ("en", "/en/", "de"), ("fr", "/", "fr")],
)
def test_home_page_speaks_the_language_of_its_address(
    compiled_catalogues, personas, client_for, language, path, accept
):
    """The language prefix decides (the first visit's redirect by Accept-Language is in
    tests/core/test_first_visit_language.py)."""
    response = client_for(personas.a).get(path, HTTP_ACCEPT_LANGUAGE=accept)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    campaigns = _expected(language, "Campaigns")
    if language != "en":
        assert campaigns != "Campaigns", f"{language}: 'Campaigns' is not translated"
    assert f"<h2>{campaigns}</h2>" in html


def test_home_page_in_german_shows_german_text(compiled_catalogues, personas, client_for):
    html = client_for(personas.a).get("/de/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Aktionen" in html
    assert "Anmelden" in html
    assert "Campagnes" not in html and "Se connecter" not in html
