"""Fixtures for the real MLflow client against the gateway.

The jest spec apps/lifecycle/src/mlflow/mlflow-client.e2e.spec.ts starts the platform and runs pytest
here with MLFLOW_TRACKING_URI (the gateway) and MLFLOW_TRACKING_TOKEN (a gateway API key) set.
"""

import json
import os
import urllib.error
import urllib.parse
import urllib.request
import uuid

import mlflow
import pytest
from mlflow import MlflowClient

LIFECYCLE_API = "/api/v1/ml/lifecycle"
FEATURE_STORE_API = "/api/v1/features"


def _require(name):
    value = os.environ.get(name)
    if not value:
        raise RuntimeError(f"{name} is not set: run these tests through mlflow-client.e2e.spec.ts")
    return value


class Rest:
    """Our own REST API through the gateway (the lifecycle's by default), to check what the MLflow calls wrote."""

    def __init__(self, base_url, token, api=LIFECYCLE_API):
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.api = api

    def request(self, method, path, body=None):
        url = f"{self.base_url}{self.api}{path}"
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(url, data=data, method=method)
        req.add_header("Authorization", f"Bearer {self.token}")
        if data is not None:
            req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=30) as res:
                return res.status, json.loads(res.read() or b"{}")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"{}")

    def get(self, path, **query):
        status, body = self.request("GET", path + (f"?{urllib.parse.urlencode(query)}" if query else ""))
        assert status == 200, (path, status, body)
        return body

    def status_of(self, path):
        return self.request("GET", path)[0]


@pytest.fixture(scope="session")
def tracking_uri():
    uri = _require("MLFLOW_TRACKING_URI")
    _require("MLFLOW_TRACKING_TOKEN")
    mlflow.set_tracking_uri(uri)
    return uri


@pytest.fixture(scope="session")
def client(tracking_uri):
    return MlflowClient(tracking_uri=tracking_uri)


@pytest.fixture(scope="session")
def rest(tracking_uri):
    return Rest(tracking_uri, os.environ["MLFLOW_TRACKING_TOKEN"])


@pytest.fixture(scope="session")
def feature_store(tracking_uri):
    return Rest(tracking_uri, os.environ["MLFLOW_TRACKING_TOKEN"], FEATURE_STORE_API)


@pytest.fixture(scope="session")
def data_root():
    """The Feature Store's data root (FEATURE_STORE_DATA_ROOT of the platform under test)."""
    return _require("MLOPS_DATA_ROOT")


@pytest.fixture
def unique():
    """A fresh name per test, so tests share one platform without seeing each other's data."""
    return lambda prefix="t": f"{prefix}-{uuid.uuid4().hex[:10]}"


@pytest.fixture(autouse=True)
def no_active_run():
    yield
    while mlflow.active_run():
        mlflow.end_run()
