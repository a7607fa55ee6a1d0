"""The artifact proxy through the real MLflow client: files logged to runs and logged models, read back
by the client and, byte for byte with the recorded sha256, through our own API."""

import hashlib
import json
import os

import mlflow
import pytest
import requests

from _artifact_bytes import artifact_bytes, store_path


def test_log_artifact_text_and_dict_round_trip(tracking_uri, client, tmp_path, unique):
    mlflow.set_experiment(unique("artifacts"))
    payload = tmp_path / "weights.bin"
    payload.write_bytes(bytes(range(256)) * 64)
    with mlflow.start_run() as run:
        mlflow.log_artifact(str(payload), artifact_path="raw")
        mlflow.log_text("precision is fine\n", "notes/summary.txt")
        mlflow.log_dict({"threshold": 0.5, "labels": ["no", "yes"]}, "config/eval.json")
    assert run.info.artifact_uri.startswith("mlflow-artifacts:/")
    listed = {f.path: f for f in client.list_artifacts(run.info.run_id)}
    assert set(listed) == {"config", "notes", "raw"} and all(f.is_dir for f in listed.values())
    [weights] = client.list_artifacts(run.info.run_id, "raw")
    assert (weights.path, weights.file_size) == ("raw/weights.bin", 256 * 64)
    local = mlflow.artifacts.download_artifacts(run_id=run.info.run_id, artifact_path="raw/weights.bin", dst_path=str(tmp_path / "down"))
    with open(local, "rb") as f:
        assert f.read() == payload.read_bytes()
    assert mlflow.artifacts.load_text(f"{run.info.artifact_uri}/notes/summary.txt") == "precision is fine\n"
    assert mlflow.artifacts.load_dict(f"{run.info.artifact_uri}/config/eval.json") == {"threshold": 0.5, "labels": ["no", "yes"]}

    served, sha256 = artifact_bytes(tracking_uri, f"{store_path(run.info.artifact_uri)}/raw/weights.bin")
    assert served == payload.read_bytes()
    assert sha256 == hashlib.sha256(payload.read_bytes()).hexdigest()
    served_json, _ = artifact_bytes(tracking_uri, f"{store_path(run.info.artifact_uri)}/config/eval.json")
    assert json.loads(served_json) == {"threshold": 0.5, "labels": ["no", "yes"]}


def test_the_proxy_refuses_paths_that_leave_the_store_and_answers_missing_files(tracking_uri):
    headers = {"Authorization": f"Bearer {os.environ['MLFLOW_TRACKING_TOKEN']}"}
    base = f"{tracking_uri.rstrip('/')}/api/2.0/mlflow-artifacts/artifacts"
    escape = requests.get(base, params={"path": "0/../../etc"}, headers=headers, timeout=30)
    assert escape.status_code == 400 and escape.json()["error_code"] == "INVALID_PARAMETER_VALUE"
    encoded = requests.put(f"{base}/0/%2E%2E/%2E%2E/evil.txt", data=b"x", headers=headers, timeout=30)
    assert encoded.status_code == 400 and encoded.json()["error_code"] == "INVALID_PARAMETER_VALUE"
    missing = requests.get(f"{base}/0/none/artifacts/absent.txt", headers=headers, timeout=30)
    assert missing.status_code == 404 and missing.json()["error_code"] == "RESOURCE_DOES_NOT_EXIST"


def test_logged_models_are_created_finalized_searched_and_loaded(client, unique):
    import mlflow.pyfunc
    import pandas as pd

    class Doubler(mlflow.pyfunc.PythonModel):
        def predict(self, context, model_input, params=None):
            return model_input * 2

    experiment_id = mlflow.set_experiment(unique("logged")).experiment_id
    with mlflow.start_run() as run:
        info = mlflow.pyfunc.log_model(name="doubler", python_model=Doubler(), pip_requirements=["mlflow"])
    logged = client.get_logged_model(info.model_id)
    assert (logged.name, logged.source_run_id, str(logged.status)) == ("doubler", run.info.run_id, "READY")
    assert logged.artifact_location.startswith(f"mlflow-artifacts:/{experiment_id}/models/{info.model_id}/")
    found = client.search_logged_models(experiment_ids=[experiment_id], filter_string="name = 'doubler'")
    assert [m.model_id for m in found] == [info.model_id]
    client.set_logged_model_tags(info.model_id, {"stage": "candidate"})
    assert client.get_logged_model(info.model_id).tags["stage"] == "candidate"
    assert list(mlflow.pyfunc.load_model(info.model_uri).predict(pd.DataFrame({"x": [2]}))["x"]) == [4]
    # The run-relative URI resolves to the same logged model.
    assert list(mlflow.pyfunc.load_model(f"runs:/{run.info.run_id}/doubler").predict(pd.DataFrame({"x": [3]}))["x"]) == [6]
    with pytest.raises(mlflow.exceptions.MlflowException) as missing:
        client.get_logged_model("m-" + "0" * 32)
    assert missing.value.error_code == "RESOURCE_DOES_NOT_EXIST"
