"""Uploads and downloads of attachments."""

from flask import Blueprint

bp = Blueprint("attachments", __name__)
