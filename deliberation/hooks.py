"""How deliberation hears from the layers below (filled in ``DeliberationConfig.ready``)."""


def connect() -> None:
    """Connect deliberation's receivers and registrations (none yet)."""
