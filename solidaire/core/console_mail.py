"""E-mails printed in the terminal as a person reads them (the embedded mode's default backend).

Django's console backend prints the raw MIME message: a subject with accents becomes
"=?utf-8?q?…?=", a body with a long line is quoted-printable and its links are cut by "=" at
the end of each line. This one prints the headers decoded and the plain-text body whole; HTML
alternatives and attachments are only named."""

import email
from email import policy

from django.core.mail.backends.console import EmailBackend as DjangoConsoleBackend

HEADERS = ("From", "Reply-To", "To", "Cc", "Subject")
RULE = "-" * 79


def readable(message) -> str:
    """A Django EmailMessage as decoded text: headers, the plain-text body, then what else it holds."""
    parsed = email.message_from_bytes(message.message().as_bytes(), policy=policy.default)
    # Long headers are folded on several lines when encoded; printed on one.
    lines = [f"{name}: {' '.join(str(parsed[name]).split())}" for name in HEADERS if parsed[name]]
    if message.bcc:
        lines.append(f"Bcc: {', '.join(message.bcc)}")
    lines.append("")
    body = parsed.get_body(preferencelist=("plain",))
    if body is not None:
        lines.append(body.get_content().rstrip("\n"))
    others = []
    for part in parsed.walk():
        if part is body or part.is_multipart():
            continue
        filename = part.get_filename()
        if filename:
            size = len(part.get_payload(decode=True) or b"")
            others.append(f"[attachment: {filename}, {part.get_content_type()}, {size} bytes]")
        elif part.get_content_type() == "text/html":
            others.append("[an HTML version of this text is attached]")
    if others:
        lines += ["", *others]
    return "\n".join(lines)


class EmailBackend(DjangoConsoleBackend):
    def write_message(self, message):
        self.stream.write(f"{RULE}\n{readable(message)}\n{RULE}\n")
