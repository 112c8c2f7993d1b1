"""Dependencies point one way: a package imports only packages below it (../shared/STYLE.md's
picture, lowest first). What a lower package must tell a higher one travels as a return value, a
registered handler (payments.inbox.register, ledger.checks.register, campaigns.hooks, core.health)
or a signal it defines. Imports inside functions count too.

The upward imports that remain are listed, to be removed one by one: a new one fails this test,
and so does a listed one that no longer exists (the list stays true)."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "solidaire"

LAYERS = [
    {"core", "geo"},
    {"audit"},
    {"tenants"},
    {"accounts"},
    {"campaigns", "beneficiaries"},
    {"ledger", "payments"},
    {"matching", "vouchers"},
    {"donations"},
    {"payouts", "reporting", "privacy", "mutualaid"},
    {"exports", "opendata"},  # they publish the figures reporting computes
    {"api", "demo"},
]
LAYER = {package: level for level, packages in enumerate(LAYERS) for package in packages}

# Still to be turned around (each is a view or an action of a lower package reaching up).
KNOWN_UPWARD = {
    ("audit", "accounts"),
    ("core", "accounts"),
    ("core", "campaigns"),
    ("tenants", "accounts"),
    ("tenants", "payments"),
    ("beneficiaries", "donations"),
    ("beneficiaries", "vouchers"),
}


def imports() -> set[tuple[str, str]]:
    """(importing package, imported package) for every import of a sibling package."""
    found = set()
    for path in PACKAGE.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        package = path.relative_to(PACKAGE).parts[0].removesuffix(".py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            for name in names:
                parts = name.split(".")
                if len(parts) > 1 and parts[0] == "solidaire" and parts[1] != package:
                    found.add((package, parts[1]))
    return found


def upward() -> set[tuple[str, str]]:
    return {
        (lower, higher)
        for lower, higher in imports()
        if lower in LAYER and higher in LAYER and LAYER[higher] > LAYER[lower]
    }


def test_no_new_upward_import():
    assert upward() - KNOWN_UPWARD == set()


def test_the_list_of_known_upward_imports_is_true():
    assert KNOWN_UPWARD - upward() == set(), "removed: take them off KNOWN_UPWARD"


def test_the_money_path_points_down():
    """The payment inbox does not know gifts; the journal and the matching engine do not know
    the gift's package; vouchers are told what to do by the gift's write path."""
    found = imports()
    for lower, higher in [
        ("payments", "donations"),
        ("ledger", "donations"),
        ("ledger", "matching"),
        ("ledger", "payments"),
        ("matching", "donations"),
        ("vouchers", "donations"),
        ("campaigns", "matching"),
        ("campaigns", "donations"),
    ]:
        assert (lower, higher) not in found, f"{lower} imports {higher}"
