"""The event envelope (contracts/envelope.schema.json)."""
from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import Any

from opentelemetry.propagate import inject


def current_trace_context() -> dict[str, str]:
    carrier: dict[str, str] = {}
    inject(carrier)
    return carrier


def make_envelope(event_type: str, data: dict[str, Any], producer: str, version: int = 1,
                  event_id: str | None = None, occurred_at: datetime | None = None,
                  trace: dict[str, str] | None = None) -> dict[str, Any]:
    """``trace`` defaults to the current span's context."""
    occurred = occurred_at or datetime.now(timezone.utc)
    return {
        "event_id": event_id or str(uuid.uuid4()),
        "event_type": event_type,
        "version": version,
        "occurred_at": occurred.isoformat(),
        "producer": producer,
        "trace": current_trace_context() if trace is None else trace,
        "data": data,
    }
