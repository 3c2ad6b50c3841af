"""A message of sac.dead-letter as a row: where it first died, and what to publish again."""
import datetime as dt
import json

from deadletters.messages import parse


def test_parse_reads_the_first_death():
    t = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.timezone.utc)
    e = {"event_id": "0b6a0a5e-5b1a-4f0e-9d51-000000000001", "event_type": "thing_happened", "producer": "catalog"}
    row = parse(json.dumps(e).encode(), {
        "x-death": [{"queue": "q2", "reason": "rejected", "count": 1, "exchange": "sac.dlx", "routing-keys": ["k"],
                     "time": t + dt.timedelta(minutes=5)},
                    {"queue": "q1", "reason": "delivery_limit", "count": 2, "exchange": "catalog.events",
                     "routing-keys": [b"thing_happened"], "time": t}],
        "x-first-death-queue": "q1", "x-first-death-exchange": "catalog.events",
        "x-first-death-reason": "delivery_limit", "nameko.call_id_stack": "a"}, content_type="application/json")
    assert (row["queue"], row["exchange"], row["routing_key"], row["reason"], row["death_count"]) == \
        ("q1", "catalog.events", "thing_happened", "delivery_limit", 3)
    assert row["first_death_at"] == t and row["message_id"] == e["event_id"]
    assert (row["event_type"], row["producer"], row["payload"]) == ("thing_happened", "catalog", e)
    assert row["headers"] == {"nameko.call_id_stack": "a"}  # death headers are not replayed


def test_parse_keeps_a_body_that_is_not_json():
    junk = parse(b"\xff not json", {}, message_id=None)
    assert junk["payload"] is None and junk["message_id"].startswith("sha:") and junk["body"] == b"\xff not json"
    assert (junk["reason"], junk["death_count"]) == ("desconocida", 1)
    assert parse(b"\xff not json", {})["message_id"] == junk["message_id"]  # the same message, the same id
