import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Create a local administrator account for development (once), and demo accounts "
        "for the other roles, and print their credentials. The password is kept in "
        "var/admin-password.txt, outside git."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")

    def handle(self, *args, **options):
        username = options["username"]
        password_file = Path(settings.BASE_DIR) / "var" / "admin-password.txt"
        User = get_user_model()
        user = User.objects.filter(username=username).first()
        if user is None:
            password = secrets.token_urlsafe(12)
            User.objects.create_superuser(username, f"{username}@wijkwijzer.localhost", password)
            password_file.parent.mkdir(parents=True, exist_ok=True)
            password_file.write_text(password + "\n")
            password_file.chmod(0o600)
        elif password_file.exists():
            password = password_file.read_text().strip()
        else:
            self.stdout.write(
                f"User {username!r} already exists; its password was not made by this command. "
                f"Set one with: python manage.py changepassword {username}"
            )
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Admin: http://127.0.0.1:8000/admin/  user: {username}  password: {password}"
            )
        )
        from coalition.demo import ensure_demo_users

        for name, role in ensure_demo_users(password):
            self.stdout.write(f"  {role}: user {name}, same password")
