"""Attachments in an S3-compatible object store (AWS S3, MinIO, Ceph, …), for several app servers sharing files.

Same contract as ``LocalStorage``: an upload streams into a local temporary file (hashed, counted, capped), then
goes up to the bucket under a random key; nothing is held in memory. Credentials come from the standard AWS
sources (``AWS_ACCESS_KEY_ID``/``AWS_SECRET_ACCESS_KEY`` or a role), never from our configuration.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from .storage import _KEY, SpooledFile, StoredFile, spool_stream


class S3Storage:
    def __init__(self, *, bucket: str, endpoint_url: str | None = None, region: str | None = None, prefix: str = "",
                 temp_dir: str | None = None, client=None):
        import boto3
        from botocore.config import Config

        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.temp_dir = Path(temp_dir or tempfile.gettempdir()) / "competition-uploads"
        self.client = client or boto3.client(
            "s3", endpoint_url=endpoint_url, region_name=region,
            config=Config(retries={"max_attempts": 5, "mode": "standard"}, connect_timeout=5, read_timeout=60),
        )

    # --- the Storage interface ---

    def spool(self, *, max_bytes: int | None = None) -> SpooledFile:
        return SpooledFile(self.temp_dir, max_bytes=max_bytes, owner=self)

    def save(self, stream: BinaryIO | SpooledFile, *, max_bytes: int | None = None) -> StoredFile:
        import secrets

        return self._upload(spool_stream(self, stream, max_bytes=max_bytes), secrets.token_hex(16))

    def put(self, key: str, stream: BinaryIO) -> StoredFile:
        self._object(key)
        return self._upload(spool_stream(self, stream), key)

    def open(self, key: str) -> BinaryIO:
        try:
            return self.client.get_object(Bucket=self.bucket, Key=self._object(key))["Body"]
        except self.client.exceptions.NoSuchKey:
            raise FileNotFoundError(key) from None

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._object(key))

    def exists(self, key: str) -> bool:
        return self._head(key) is not None

    def size(self, key: str) -> int:
        head = self._head(key)
        if head is None:
            raise FileNotFoundError(key)
        return head["ContentLength"]

    def iter_keys(self) -> Iterator[str]:
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=self.prefix):
            for item in page.get("Contents", []):
                name = item["Key"][len(self.prefix):]
                if _KEY.fullmatch(name):
                    yield name

    # --- internals ---

    def _object(self, key: str) -> str:
        if not _KEY.fullmatch(key):  # keys are ours; anything else must never reach the bucket
            raise ValueError(f"not a storage key: {key!r}")
        return self.prefix + key

    def _head(self, key: str) -> dict | None:
        from botocore.exceptions import ClientError

        try:
            return self.client.head_object(Bucket=self.bucket, Key=self._object(key))
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in {"404", "NoSuchKey", "NotFound"}:
                return None
            raise

    def _upload(self, spool: SpooledFile, key: str) -> StoredFile:
        try:
            spool._finish()
            self.client.upload_file(str(spool.path), self.bucket, self._object(key),
                                    ExtraArgs={"ContentType": "application/octet-stream"})
            return StoredFile(key=key, size=spool.size, sha256=spool.sha256)
        finally:
            spool.discard()  # the local temporary copy goes either way
