"""What supervision tells the apps above it (``cases.events`` explains the mechanism)."""

from django.dispatch import Signal

#: A leader decided a four-category flag, inside the transaction: ``flag`` (decided), ``case``, ``actor``.
flag_decided = Signal()

#: A case was referred to a deliberation body, inside the transaction: ``referral`` (new), ``case``, ``actor``. A
#: receiver refusing it (the referral rules) raises, and the referral is not made.
referral_created = Signal()
