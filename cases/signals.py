"""Events of the cases domain that other apps subscribe to (the domain does not import them).

* `deadline_scan(now)`: sent inside the deadline scan's transaction (cases.services.scan); a receiver scans its
  own deadlines and returns {app label: what it did}, which the scan's result reports.
* `dossier_event_recorded(dossier, event)`: sent inside the transaction that appended a DossierEvent; the
  national-portal adapter subscribes to push the dossier's progress (portal.apps);
* `dossier_events_recorded(recorded)`: the same for events written in bulk (the calendar-change recompute):
  `recorded` is a list of (dossier fields, event fields) pairs of dicts — cheap for 100,000 rows; a subscriber
  builds the objects it needs for the rows it acts on — so it can queue its side effects in bulk too.
"""
from django.dispatch import Signal

deadline_scan = Signal()
dossier_event_recorded = Signal()
dossier_events_recorded = Signal()
