import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from solidaire.core.errors import ActionError
from solidaire.mutualaid import conversations

# Exit statuses a mail server understands (sysexits.h): a pipe transport bounces the e-mail to its
# sender on these, with what the command wrote on stderr.
EX_DATAERR, EX_NOUSER, EX_UNAVAILABLE = 65, 67, 69
STATUS = {"unknown": EX_NOUSER, "closed": EX_UNAVAILABLE, "rate_limited": EX_UNAVAILABLE}
MAX_BYTES = 1_000_000


class Command(BaseCommand):
    help = (
        "Read one raw e-mail (RFC 5322) on standard input, sent to a mutual-aid relay address "
        "(entraide+<token>@SOLIDAIRE_RELAY_DOMAIN), and post its new text as the sender's message in "
        "the conversation (docs/adr/0024). For a mail server's pipe transport: exit status 0 when posted "
        "or ignored (an automatic answer), 67 for an unknown address or sender, 69 when the conversation "
        "is closed or the sender wrote too much, 65 for anything else refused."
    )

    def handle(self, *args, **options):
        raw = sys.stdin.buffer.read(MAX_BYTES + 1)
        if len(raw) > MAX_BYTES:
            raise CommandError("message too large", returncode=EX_DATAERR)
        try:
            with translation.override("en"):
                message = conversations.receive(raw)
        except ActionError as exc:
            if exc.code == "automatic":
                self.stdout.write("ignored: an automatic answer")
                return
            with translation.override("en"):
                reason = str(exc.message)
            raise CommandError(reason, returncode=STATUS.get(exc.code, EX_DATAERR)) from exc
        self.stdout.write(f"posted message {message.pk} in conversation {message.conversation_id}")
