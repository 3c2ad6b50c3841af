"""The floor: a bare FastAPI endpoint doing one INSERT per request (async pool).
Started by bench/intake.py with uvicorn; not part of the platform."""
import os

from fastapi import FastAPI
from psycopg_pool import AsyncConnectionPool

DSN = os.environ.get("FLOOR_DSN", "host=127.0.0.1 user=postgres dbname=bench_floor")
pool = AsyncConnectionPool(DSN, min_size=4, max_size=16, open=False)
app = FastAPI()


@app.on_event("startup")
async def startup():
    await pool.open()
    async with pool.connection() as conn:
        await conn.execute("CREATE TABLE IF NOT EXISTS reports (id bigserial PRIMARY KEY, body jsonb NOT NULL, "
                           "created_at timestamptz NOT NULL DEFAULT now())")


@app.post("/v1/reports", status_code=201)
async def create(report: dict):
    async with pool.connection() as conn:
        cur = await conn.execute("INSERT INTO reports (body) VALUES (%s::jsonb) RETURNING id",
                                 (__import__("json").dumps(report),))
        (rid,) = await cur.fetchone()
    return {"folio": rid}
