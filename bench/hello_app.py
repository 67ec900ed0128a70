"""The floor for bench/pages.py: a bare Flask app (no extensions, no database), served with the same gunicorn
settings as the platform. GET /healthz answers "hello" (the path gunicorn's readiness check asks for)."""

from flask import Flask

app = Flask(__name__)


@app.get("/healthz")
def hello():
    return "hello"
