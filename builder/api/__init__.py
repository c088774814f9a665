"""The HTTP API: per-user tokens and JSON/XML endpoints under /api/v1/."""
