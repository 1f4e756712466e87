from typing import Any

from django.core.management.base import BaseCommand

from unseen.audit.context import current_actor
from unseen.demo.loading import ensure_logins, load_demo


class Command(BaseCommand):
    help = "Load the demo data (sourced deployments, synthetic people and testimonies) and demo sign-ins."

    def handle(self, *args: Any, **options: Any) -> None:
        current_actor.set("cli")
        counts = load_demo()
        if counts:
            for name, count in counts.items():
                self.stdout.write(f"{count:>6} {name}")
        else:
            self.stdout.write("demo data already loaded")
        self.stdout.write("\nDemo sign-ins (demo only; these passwords are public):")
        for login in ensure_logins():
            self.stdout.write(f"  {login.role:<14} {login.username:<11} {login.password}")
