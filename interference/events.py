"""What the interference register tells the apps above it (``cases.events`` explains the mechanism)."""

from django.dispatch import Signal

#: A record names an officer as the person who asked about a case, inside the transaction: ``record``.
#: (Receivers must keep the recorder protected: never tell the named officer or his chain of command who recorded.)
officer_named = Signal()

#: A department's quarterly report is missing after the grace period (sent once a day while it is missing):
#: ``department``, ``year``, ``quarter``.
report_missing = Signal()
