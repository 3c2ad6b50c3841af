"""Lifecycle rules of a report (pure)."""
CAPTURED, IN_PROGRESS, DONE, NOT_VIABLE = "captured", "in_progress", "done", "not_viable"
STATUSES = (CAPTURED, IN_PROGRESS, DONE, NOT_VIABLE)
