"""The fixed Parquet schemas of exports, and how a document row becomes a Parquet row.

Columns whose shape depends on the project (answers, payloads, metadata, telemetry, rubrics,
model suggestions, result details, gold answers) are JSON text, so every project's export has
the same schema and DuckDB/Polars/Spark read them all alike (``json_extract`` on those columns).
"""

from __future__ import annotations

from typing import Any

import orjson
import pyarrow as pa

TIMESTAMP = pa.timestamp("us", tz="UTC")

REVIEW = pa.struct(
    [
        ("id", pa.string()),
        ("reviewer_id", pa.string()),
        ("stage", pa.string()),
        ("verdict", pa.string()),
        ("reason", pa.string()),
        ("score", pa.float64()),
        ("rubric", pa.string()),  # JSON
        ("edited_answer", pa.string()),  # JSON
        ("created_at", TIMESTAMP),
    ]
)

# The provenance every response carries, in responses rows and inside results rows.
_RESPONSE_FIELDS = [
    ("worker_id", pa.string()),
    ("answer", pa.string()),  # JSON
    ("guideline_version", pa.int64()),
    ("model_suggestion", pa.string()),  # JSON
    ("active_time_ms", pa.int64()),
    ("telemetry", pa.string()),  # JSON
    ("status", pa.string()),
    ("gold_correct", pa.bool_()),
    ("created_at", TIMESTAMP),
    ("reviews", pa.list_(REVIEW)),
]
RESPONSE = pa.struct([("id", pa.string()), *_RESPONSE_FIELDS])

_TASK_FIELDS = [
    ("task_id", pa.string()),
    ("unique_id", pa.string()),
    ("project_id", pa.string()),
    ("batch_id", pa.string()),
    ("is_gold", pa.bool_()),
    ("gold_answer", pa.string()),  # JSON; only on gold tasks, only for requesters
]

RESULTS_SCHEMA = pa.schema(
    [
        *_TASK_FIELDS,
        ("state", pa.string()),
        ("payload", pa.string()),  # JSON
        ("metadata", pa.string()),  # JSON
        ("created_at", TIMESTAMP),
        ("completed_at", TIMESTAMP),
        ("result_answer", pa.string()),  # JSON
        ("result_confidence", pa.float64()),
        ("result_method", pa.string()),
        ("result_method_version", pa.string()),
        ("result_response_ids", pa.list_(pa.string())),
        ("result_details", pa.string()),  # JSON
        ("result_created_at", TIMESTAMP),
        ("result_delivered_at", TIMESTAMP),
        ("responses", pa.list_(RESPONSE)),
    ]
)

RESPONSES_SCHEMA = pa.schema(
    [
        ("response_id", pa.string()),
        *_TASK_FIELDS,
        ("task_payload", pa.string()),  # JSON
        ("task_metadata", pa.string()),  # JSON
        *_RESPONSE_FIELDS,
        ("in_result", pa.bool_()),
    ]
)

_JSON_REVIEW = ("rubric", "edited_answer")
_JSON_RESPONSE = ("answer", "model_suggestion", "telemetry")
_JSON_TASK = ("gold_answer", "payload", "metadata", "task_payload", "task_metadata")


def parquet_schema(kind: str) -> pa.Schema:
    """Return the schema of a ``results`` or ``responses`` export."""
    return RESULTS_SCHEMA if kind == "results" else RESPONSES_SCHEMA


def _json(value: Any) -> str | None:
    return None if value is None else orjson.dumps(value).decode()


def _encode(row: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    encoded = dict(row)
    for key in keys:
        if key in encoded:
            encoded[key] = _json(encoded[key])
    return encoded


def _encode_response(response: dict[str, Any]) -> dict[str, Any]:
    encoded = _encode(response, _JSON_RESPONSE)
    encoded["reviews"] = [_encode(review, _JSON_REVIEW) for review in response["reviews"]]
    return encoded


def _results_row(document: dict[str, Any]) -> dict[str, Any]:
    row = _encode({k: v for k, v in document.items() if k != "result"}, _JSON_TASK)
    result = document["result"] or {}
    row["result_answer"] = _json(result.get("answer"))
    row["result_confidence"] = result.get("confidence")
    row["result_method"] = result.get("method")
    row["result_method_version"] = result.get("method_version")
    row["result_response_ids"] = result.get("response_ids", [])
    row["result_details"] = _json(result.get("details"))
    row["result_created_at"] = result.get("created_at")
    row["result_delivered_at"] = result.get("delivered_at")
    row["responses"] = [_encode_response(r) for r in document["responses"]]
    return row


def parquet_row(kind: str, row: dict[str, Any]) -> dict[str, Any]:
    """Encode a document row (as written to JSONL) with its free-form fields as JSON text."""
    if kind == "results":
        return _results_row(row)
    return _encode(_encode_response(row), _JSON_TASK)
