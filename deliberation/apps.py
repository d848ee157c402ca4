from django.apps import AppConfig


class DeliberationConfig(AppConfig):
    """Deliberation bodies (专业法官会议, 审判委员会, 检察官联席会议, 检察委员会): members, meetings, resolutions."""

    name = "deliberation"
    verbose_name = "deliberation bodies"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from deliberation import hooks

        hooks.connect()
