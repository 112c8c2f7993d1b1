from allauth.account.adapter import DefaultAccountAdapter
from django.utils import translation

from solidaire.core.emails import enqueue, message_dict


class AccountAdapter(DefaultAccountAdapter):
    """allauth's e-mails (verification, password reset) go through the task queue like ours."""

    def send_mail(self, template_prefix, email, context):
        message = self.render_mail(template_prefix, email, context)
        enqueue(message_dict(message))

    def save_user(self, request, user, form, commit=True):
        user.language = (translation.get_language() or "fr")[:2]
        return super().save_user(request, user, form, commit=commit)
