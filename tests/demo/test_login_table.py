"""Item 21 of issue 10: the demo's logins are printed in aligned columns, last."""

from solidaire.demo.seed import Login
from solidaire.demo.welcome import login_table, welcome_text

LOGINS = [
    Login("Région Grand Est", "Administrateur", "admin@grandest.example"),
    Login("Région Grand Est", "Responsable financier", "tresorerie@grandest.example"),
    Login("Ville de Strasbourg", "Administrateur", "admin@strasbourg.example"),
]


def test_the_login_table_lines_up_its_columns():
    lines = login_table(LOGINS).splitlines()
    assert len(lines) == 2 + len(LOGINS)
    # Every e-mail starts at the same column, and so does every role.
    assert len({line.index(login.email) for line, login in zip(lines[2:], LOGINS, strict=True)}) == 1
    assert len({line.index(login.role) for line, login in zip(lines[2:], LOGINS, strict=True)}) == 1
    assert lines[0].index("E-mail") == lines[2].index("admin@grandest.example")
    assert set(lines[1].strip()) <= {"-", " "}


def test_the_welcome_text_ends_with_the_voucher_after_the_logins():
    text = welcome_text(
        logins=LOGINS, password="solidaire-demo", port="8080", voucher_url="http://127.0.0.1:8080/bons/1/?t=x"
    )
    assert "http://127.0.0.1:8080/gestion/" in text and "http://strasbourg.localhost:8080/" in text
    assert text.index("password for all: solidaire-demo") < text.index("admin@strasbourg.example")
    assert text.rstrip().endswith("http://127.0.0.1:8080/bons/1/?t=x")


def test_seed_demo_keeps_the_logins_for_serve_to_print_last(tmp_path, monkeypatch):
    import importlib
    import io

    from django.core.management import call_command

    command = importlib.import_module("solidaire.demo.management.commands.seed-demo")
    monkeypatch.setattr(command, "seed", lambda: LOGINS)
    monkeypatch.setattr(command, "sample_voucher", lambda: None)
    monkeypatch.setenv("SOLIDAIRE_PUBLIC_PORT", "8080")
    output = io.StringIO()
    call_command("seed-demo", "--welcome-file", str(tmp_path / "welcome.txt"), stdout=output)
    assert "admin@" not in output.getvalue() and "Demo ready." in output.getvalue()
    welcome = (tmp_path / "welcome.txt").read_text(encoding="utf-8")
    assert login_table(LOGINS) in welcome and "http://127.0.0.1:8080/gestion/" in welcome
    # The platform operator’s address too: its back office answers on its own host only.
    assert "http://operator.localhost:8080/operator/" in welcome
