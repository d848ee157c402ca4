"""What the case registry tells the apps that build on it, without knowing them.

The layers point down only (README, *Architecture*): ``cases`` never imports supervision, similar-case search,
evaluation or discipline. Where a case service must let them act, it sends one of these Django signals inside
its transaction; the app above connects its receiver in ``AppConfig.ready``. A receiver that raises rolls the
whole write back, exactly as a direct call would, so an event is never half handled.

Every receiver takes keyword arguments only and must accept ``**kwargs`` (Django's signal contract).
"""

from django.dispatch import Signal

#: A person's action was recorded on a case (filing, a logged action, an extension decision, a search report):
#: ``case`` (locked, current) and ``action`` (the new trace action). Bulk imports do not send it.
action_recorded = Signal()

#: A case was closed (结案): ``case`` (with its closing method and outcome) and ``action`` (the closing action).
case_closed = Signal()

#: A case is about to close (``cases.services.case_close``, after its own checks, before anything is written):
#: ``case`` (locked), ``actor``, ``closing_method``. A receiver refuses the closing by raising (a procuratorate's
#: decision reserved to the procurator-general and not on file).
case_closing = Signal()
