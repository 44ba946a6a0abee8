from django.core.management.base import BaseCommand

from workinfrance.core.maintenance import flag_path, maintenance_off, maintenance_on, maintenance_state


class Command(BaseCommand):
    help = "Switch the maintenance page on or off for every web process (planned outages)."

    def add_arguments(self, parser):
        parser.add_argument("switch", choices=["on", "off", "status"])
        parser.add_argument("--notice", default="", help="text shown to visitors, e.g. the expected end")

    def handle(self, *args, switch, notice, **options):
        if switch == "on":
            maintenance_on(notice=notice)
        elif switch == "off":
            maintenance_off()
        state = maintenance_state()
        self.stdout.write(f"maintenance {'on' if state else 'off'} ({flag_path()})")
