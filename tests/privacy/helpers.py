import re

from django.core import mail

LINK = re.compile(r"https?://\S+/dons/mon-espace/lien/\S+/")


def link_in_last_email() -> str:
    (url,) = LINK.findall(mail.outbox[-1].body)
    return url


def path_of(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]
