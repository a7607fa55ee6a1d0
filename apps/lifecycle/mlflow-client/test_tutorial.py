"""The issue's "Done when": an MLflow tutorial script, unmodified in style, runs against the gateway,
and the same run, metrics, model version and artifact bytes are visible through /api/v1/ml/lifecycle."""

import hashlib
import os

import mlflow
import mlflow.pyfunc
import pandas as pd
from mlflow import MlflowClient

from _artifact_bytes import artifact_bytes, store_path


class AddN(mlflow.pyfunc.PythonModel):
    """The MLflow docs' custom pyfunc model: adds n to every input value."""

    def __init__(self, n):
        self.n = n

    def predict(self, context, model_input, params=None):
        return model_input.apply(lambda column: column + self.n)


def tutorial(experiment_name, model_name):
    """What a tutorial does: experiment, params, metrics over steps, a logged pyfunc model, register, alias, load by alias."""
    mlflow.set_experiment(experiment_name)
    with mlflow.start_run(run_name="add-n-training") as run:
        mlflow.log_params({"n": 5, "learning_rate": 0.01})
        for epoch in range(10):
            mlflow.log_metric("loss", 1.0 / (epoch + 1), step=epoch)
        mlflow.log_metric("accuracy", 0.93)
        model_info = mlflow.pyfunc.log_model(name="model", python_model=AddN(n=5), pip_requirements=["mlflow", "pandas"])
    version = mlflow.register_model(model_info.model_uri, model_name)
    MlflowClient().set_registered_model_alias(model_name, "champion", version.version)
    loaded = mlflow.pyfunc.load_model(f"models:/{model_name}@champion")
    predictions = loaded.predict(pd.DataFrame({"x": [1.0, 2.0, 3.0]}))
    return run, model_info, version, predictions


def test_tutorial_runs_to_completion_and_our_api_shows_the_same_facts(tracking_uri, client, rest, unique):
    experiment_name, model_name = unique("tutorial"), unique("add-n")
    run, model_info, version, predictions = tutorial(experiment_name, model_name)

    assert list(predictions["x"]) == [6.0, 7.0, 8.0]
    assert version.version == "1" and version.status == "READY"
    assert client.get_model_version_by_alias(model_name, "champion").version == "1"

    # The run, its params and its metrics, through our API.
    ours = rest.get(f"/runs/{run.info.run_id}")
    assert ours["experiment_name"] == experiment_name
    assert ours["status"] == "completed"
    assert {p["key"]: p["value"] for p in ours["params"]} == {"n": "5", "learning_rate": "0.01"}
    history = rest.get(f"/runs/{run.info.run_id}/metrics/loss", limit=100)["items"]
    logged_points = [(p["step"], p["value"]) for p in history]
    # log_model also logs the run's latest metrics at the model's step (MLflow 3 links them to the model).
    assert all(point in logged_points for point in [(epoch, 1.0 / (epoch + 1)) for epoch in range(10)]), logged_points

    # The model version: from that run, with its release checklist, the alias, and the logged model's files.
    detail = rest.get(f"/models/{model_name}/1")
    assert detail["run_id"] == run.info.run_id
    assert detail["stage"] == "none"
    assert detail["aliases"] == ["champion"]
    assert {item["key"] for item in detail["checklist"]} >= {"evaluation_passed"}
    assert {m["key"]: m["value"] for m in detail["metrics"]}["accuracy"] == 0.93
    logged = client.get_logged_model(model_info.model_id)
    assert detail["artifact_uri"] == logged.artifact_location

    # The artifact's bytes: what the client downloads is what our API serves, with the recorded sha256.
    local = mlflow.artifacts.download_artifacts(artifact_uri=f"models:/{model_name}@champion")
    with open(os.path.join(local, "MLmodel"), "rb") as f:
        downloaded = f.read()
    served, sha256 = artifact_bytes(tracking_uri, f"{store_path(logged.artifact_location)}/MLmodel")
    assert served == downloaded
    assert sha256 == hashlib.sha256(downloaded).hexdigest()
