from django.apps import AppConfig


class FastsiteConfig(AppConfig):
    name = "fastsite"

    def ready(self):
        from polycache import fast

        fast.watch_credentials()  # every process revokes per-user copies (docs/fast.md)
