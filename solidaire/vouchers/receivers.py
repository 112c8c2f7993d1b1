def cancel_voucher_of_reversed_gift(sender, gift, **kwargs):
    from .actions import cancel_for

    cancel_for(gift)
