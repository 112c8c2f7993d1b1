"""What `make demo` prints last, once the server answers: the addresses, the logins in aligned
columns and a voucher to try the counter. `seed-demo --welcome-file` writes it; `serve --welcome`
prints it."""

from collections.abc import Sequence

HEADER = ("Collectivité", "Role", "E-mail")


def login_table(logins: Sequence, indent: str = "  ") -> str:
    """The logins as a table whose columns line up, under a header and a rule."""
    rows = [HEADER, *((str(login.collectivite), str(login.role), str(login.email)) for login in logins)]
    widths = [max(len(row[column]) for row in rows) for column in range(len(HEADER))]
    rule = tuple("-" * width for width in widths)
    return "\n".join(
        indent + "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in (rows[0], rule, *rows[1:])
    )


def welcome_text(*, logins: Sequence, password: str, port: str, voucher_url: str = "", operator_host: str = "") -> str:
    base = f"http://127.0.0.1:{port}"
    lines = [
        f"Open {base}/ (Région Grand Est) or http://strasbourg.localhost:{port}/ (Ville de Strasbourg).",
        f"Back office: {base}/gestion/ — e-mails are printed here.",
    ]
    if operator_host:
        lines.append(
            f"Platform operator: http://{operator_host}:{port}/operator/ "
            "(first create a superuser: .venv/bin/solidaire createsuperuser)."
        )
    lines += [
        "",
        f"Logins (password for all: {password}):",
        login_table(logins),
    ]
    if voucher_url:
        lines += [
            "",
            "A donor’s voucher to try the counter of cafe@grandest.example (open it, then type its code at the counter):",
            f"  {voucher_url}",
        ]
    return "\n".join(lines) + "\n"
