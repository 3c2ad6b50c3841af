"""SAC's staff web console: a client of the gateway's public HTTP API."""
