from django.dispatch import Signal

# Sent inside the transaction that reverses a confirmed gift (refund or chargeback), so that
# what depends on the gift (its voucher) is cancelled with it.
gift_reversed = Signal()
