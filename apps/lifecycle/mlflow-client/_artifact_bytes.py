"""Reads an artifact's bytes through our own API (/api/v1/ml/lifecycle/artifacts/<path>), with the sha256 the event log recorded."""

import os
import urllib.parse
import urllib.request

LIFECYCLE_API = "/api/v1/ml/lifecycle"


def store_path(artifact_uri):
    assert artifact_uri.startswith("mlflow-artifacts:/"), artifact_uri
    return artifact_uri[len("mlflow-artifacts:/"):].lstrip("/")


def artifact_bytes(tracking_uri, path):
    quoted = "/".join(urllib.parse.quote(segment, safe="") for segment in path.split("/"))
    req = urllib.request.Request(f"{tracking_uri.rstrip('/')}{LIFECYCLE_API}/artifacts/{quoted}")
    req.add_header("Authorization", f"Bearer {os.environ['MLFLOW_TRACKING_TOKEN']}")
    with urllib.request.urlopen(req, timeout=30) as res:
        return res.read(), res.headers.get("X-Artifact-Sha256")
