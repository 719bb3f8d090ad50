"""The coordinators' dashboard (FastAPI, server-rendered)."""
