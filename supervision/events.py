"""What supervision tells the apps above it (``cases.events`` explains the mechanism)."""

from django.dispatch import Signal

#: A leader decided a four-category flag, inside the transaction: ``flag`` (decided), ``case``, ``actor``.
flag_decided = Signal()
