from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VouchersConfig(AppConfig):
    name = "solidaire.vouchers"
    verbose_name = _("Vouchers")

    def ready(self):
        from solidaire.donations.signals import gift_reversed

        from .receivers import cancel_voucher_of_reversed_gift

        gift_reversed.connect(cancel_voucher_of_reversed_gift, dispatch_uid="vouchers-cancel-on-reversal")
