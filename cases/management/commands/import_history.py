"""`python manage.py import_history FILE` (CONTRACTS.md §1.1): a province's history from its previous one-stop
software, JSON Lines, one dossier a line, replayed through the services at each event's moment
(cases.history.history_import). Exit status 0 when every line was imported or already there, 1 otherwise."""
import sys

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from cases.history import history_import


class Command(BaseCommand):
    help = ("Nhập lịch sử hồ sơ từ phần mềm một cửa trước đây (JSON Lines, mỗi dòng một hồ sơ); nhập lại cùng tệp "
            "không thêm gì.")

    def add_arguments(self, parser):
        parser.add_argument("file", help="the JSON Lines file (UTF-8), or - for standard input")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar on standard error")

    def handle(self, *args, file, no_progress=False, **options):
        if file == "-":
            lines = sys.stdin.read().splitlines()
        else:
            try:
                with open(file, encoding="utf-8-sig") as fh:
                    lines = fh.read().splitlines()
            except (OSError, UnicodeDecodeError) as exc:
                raise CommandError(f"{file}: {exc}") from exc
        with tqdm(total=len(lines), unit=" dòng", file=self.stderr._out, disable=no_progress,
                  desc="import_history") as bar:
            summary = history_import(lines, on_line=lambda: bar.update(1))
        for number, reason in summary.rejected:
            self.stderr.write(f"line {number}: {reason}")
        self.stdout.write(f"{summary.imported} imported, {summary.already} already there, "
                          f"{len(summary.rejected)} rejected")
        if summary.rejected:
            raise CommandError(f"{len(summary.rejected)} line(s) rejected", returncode=1)
