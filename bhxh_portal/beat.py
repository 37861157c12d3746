"""The periodic tasks (Celery beat), built from the settings' intervals (bhxh_portal.settings)."""
from datetime import timedelta

from celery.schedules import crontab


def beat_schedule(s: dict) -> dict:
    """CELERY_BEAT_SCHEDULE from the settings module's names `s`."""
    return {
        "worker-heartbeat": {"task": "core.tasks.heartbeat", "schedule": timedelta(seconds=60),
                             "options": {"expires": 50}},
        "scan-overdue": {
            "task": "cases.tasks.scan_overdue",
            "schedule": timedelta(seconds=s["SCAN_OVERDUE_EVERY"]),
            "options": {"expires": s["SCAN_OVERDUE_EVERY"] * 0.9},
        },
        "deliver-outbox": {
            "task": "notifications.tasks.deliver_pending",
            "schedule": timedelta(seconds=s["OUTBOX_EVERY"]),
            "options": {"expires": s["OUTBOX_EVERY"] * 0.9},
        },
        "director-digest": {
            "task": "cases.tasks.director_digest",
            "schedule": crontab(hour=int(s["DIRECTOR_DIGEST_AT"][:2]), minute=int(s["DIRECTOR_DIGEST_AT"][3:])),
            "options": {"expires": 3600},
        },
        "fetch-portal-papers": {
            "task": "attachments.tasks.fetch_due_papers",
            "schedule": timedelta(seconds=s["SYNC_EVERY"]),
            "options": {"expires": s["SYNC_EVERY"] * 0.9},
        },
        "push-portal": {
            "task": "portal.tasks.push_pending",
            "schedule": timedelta(seconds=s["OUTBOX_EVERY"]),
            "options": {"expires": s["OUTBOX_EVERY"] * 0.9},
        },
        "prune-idempotency-keys": {
            "task": "core.tasks.prune_idempotency_keys",
            "schedule": timedelta(hours=1),
            "options": {"expires": 3000},
        },
        "portal-sync": {
            "task": "portal.tasks.sync_all",
            "schedule": timedelta(seconds=s["SYNC_EVERY"]),
            "options": {"expires": s["SYNC_EVERY"] * 0.9},
        },
        "portal-push": {
            "task": "portal.tasks.push_all",
            "schedule": timedelta(seconds=s["PORTAL_PUSH_EVERY"]),
            "options": {"expires": s["PORTAL_PUSH_EVERY"] * 0.9},
        },
        "portal-sweep": {
            "task": "portal.tasks.sweep_all",
            "schedule": timedelta(seconds=s["PORTAL_SWEEP_EVERY"]),
            "options": {"expires": s["PORTAL_SWEEP_EVERY"] * 0.9},
        },
        "compact-dossier-tally": {
            "task": "reports.tasks.compact_dossier_tally",
            "schedule": timedelta(seconds=s["TALLY_COMPACT_EVERY"]),
            "options": {"expires": s["TALLY_COMPACT_EVERY"] * 0.9},
        },
    }
