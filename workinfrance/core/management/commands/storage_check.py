import datetime

from django.core.management.base import BaseCommand, CommandError

from workinfrance.core.files import upload_temp_files_clean
from workinfrance.core.storage_audit import storage_check


class Command(BaseCommand):
    help = (
        "List files without a row (orphans), rows without a file (missing), unfinished moves and "
        "temporary files. With --fix: finish the moves, remove orphans older than a day and stale "
        "temporary files (staged files and web workers' upload spools). Exit 1 while anything is wrong."
    )

    def add_arguments(self, parser):
        parser.add_argument("--fix", action="store_true")
        parser.add_argument("--orphan-min-age-hours", type=float, default=24.0)
        parser.add_argument(
            "--temporary-min-age-seconds",
            type=int,
            default=None,
            help="default: WIF_STAGED_FILE_MAX_AGE_SECONDS",
        )

    def handle(self, *args, fix, orphan_min_age_hours, temporary_min_age_seconds, **options):
        temporary_min_age = (
            None
            if temporary_min_age_seconds is None
            else datetime.timedelta(seconds=temporary_min_age_seconds)
        )
        report = storage_check(
            fix=fix,
            orphan_min_age=datetime.timedelta(hours=orphan_min_age_hours),
            temporary_min_age=temporary_min_age,
        )
        spools = upload_temp_files_clean(max_age_seconds=temporary_min_age_seconds) if fix else 0
        for label, names in (
            ("orphan", report.orphans),
            ("missing", report.missing),
            ("pending move", report.pending_moves),
            ("temporary", report.temporary),
        ):
            for name in names:
                self.stdout.write(f"{label}: {name}")
        self.stdout.write(
            f"orphan files: {len(report.orphans)}, rows without file: {len(report.missing)}, "
            f"pending moves: {len(report.pending_moves)}, temporary files: {len(report.temporary)}"
            + (
                f"; fixed: {len(report.moved)} moved, {len(report.removed)} removed, {spools} upload spools"
                if fix
                else ""
            )
        )
        still_orphans = len(set(report.orphans) - set(report.removed))
        unfinished = len(set(report.pending_moves) - set(report.moved))
        if still_orphans or report.missing or unfinished:
            raise CommandError("storage and rows disagree (see above)")
