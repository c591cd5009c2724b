"""The FastAPI application: JSON API under /api, health check, self-hosted docs."""
