"""Tracking through the real MLflow client (fluent API and MlflowClient), each fact checked through our own REST API."""

import json
import os
import time
import urllib.request

import mlflow
import pytest
from mlflow.entities import Metric, Param, RunTag, ViewType
from mlflow.exceptions import MlflowException


def tag_values(doc):
    return {t["key"]: t["value"] for t in doc.get("tag_values", [])}


def error_code(excinfo):
    return excinfo.value.error_code


def test_start_run_without_an_experiment_logs_into_the_default_experiment(tracking_uri, client, rest, monkeypatch):
    # Other tests in this process chose an experiment with set_experiment: forget it, as a fresh script would.
    monkeypatch.setattr(mlflow.tracking.fluent, "_active_experiment_id", None)
    monkeypatch.delenv("MLFLOW_EXPERIMENT_ID", raising=False)
    monkeypatch.delenv("MLFLOW_EXPERIMENT_NAME", raising=False)
    with mlflow.start_run() as run:
        mlflow.log_param("alpha", "0.5")
    assert run.info.experiment_id == "0"
    assert client.get_experiment("0").name == "Default"
    ours = rest.get(f"/runs/{run.info.run_id}")
    assert ours["experiment_name"] == "Default"
    assert ours["status"] == "completed"
    assert ours["params"] == [{"key": "alpha", "value": "0.5"}]


def test_experiments_create_get_by_id_and_name_with_tags(client, rest, unique):
    name = unique("exp")
    experiment_id = client.create_experiment(name, tags={"team": "risk", "tier": "gold"})
    assert experiment_id.isdigit()
    experiment = client.get_experiment(experiment_id)
    assert (experiment.name, experiment.lifecycle_stage, experiment.tags) == (name, "active", {"team": "risk", "tier": "gold"})
    assert experiment.artifact_location.startswith("mlflow-artifacts:/")
    assert client.get_experiment_by_name(name).experiment_id == experiment_id
    assert client.get_experiment_by_name(unique("missing")) is None
    client.set_experiment_tag(experiment_id, "tier", "silver")
    assert client.get_experiment(experiment_id).tags["tier"] == "silver"
    ours = rest.get(f"/experiments/{name}")
    assert ours["mlflow_id"] == experiment_id
    assert tag_values(ours) == {"team": "risk", "tier": "silver"}
    with pytest.raises(MlflowException) as duplicate:
        client.create_experiment(name)
    assert error_code(duplicate) == "RESOURCE_ALREADY_EXISTS"


def test_experiments_delete_and_restore_follow_view_type_and_our_archived_status(client, rest, unique):
    name = unique("gone")
    experiment_id = client.create_experiment(name)
    client.delete_experiment(experiment_id)
    assert client.get_experiment(experiment_id).lifecycle_stage == "deleted"
    assert rest.get(f"/experiments/{name}")["status"] == "archived"
    active = [e.name for e in client.search_experiments(filter_string=f"name = '{name}'")]
    deleted = [e.name for e in client.search_experiments(view_type=ViewType.DELETED_ONLY, filter_string=f"name = '{name}'")]
    assert (active, deleted) == ([], [name])
    with pytest.raises(MlflowException) as refused:
        client.create_run(experiment_id)
    assert error_code(refused) == "INVALID_PARAMETER_VALUE"
    client.restore_experiment(experiment_id)
    assert rest.get(f"/experiments/{name}")["status"] == "active"
    assert [e.name for e in client.search_experiments(filter_string=f"name = '{name}'")] == [name]


def test_renaming_an_experiment_keeps_its_id_and_runs_and_our_api_finds_it_by_the_new_name(client, rest, unique):
    name, new_name = unique("exp"), unique("renamed")
    experiment_id = client.create_experiment(name, tags={"team": "risk"})
    run = client.create_run(experiment_id)
    client.rename_experiment(experiment_id, new_name)
    renamed = client.get_experiment(experiment_id)
    assert (renamed.experiment_id, renamed.name, renamed.tags) == (experiment_id, new_name, {"team": "risk"})
    assert client.get_experiment_by_name(new_name).experiment_id == experiment_id
    assert client.get_experiment_by_name(name) is None
    assert [r.info.run_id for r in client.search_runs([experiment_id])] == [run.info.run_id]
    assert client.get_run(run.info.run_id).info.experiment_id == experiment_id
    assert [e.experiment_id for e in client.search_experiments(filter_string=f"name = '{new_name}'")] == [experiment_id]
    ours = rest.get(f"/experiments/{new_name}")
    assert (ours["name"], ours["mlflow_id"], ours["run_counts"]["total"]) == (new_name, experiment_id, 1)
    assert rest.status_of(f"/experiments/{name}") == 404
    status, patched = rest.request("PATCH", f"/experiments/{new_name}", {"description": "renamed once"})
    assert (status, patched["name"], patched["description"]) == (200, new_name, "renamed once")
    assert client.get_experiment(experiment_id).name == new_name
    client.delete_experiment(experiment_id)
    assert rest.get(f"/experiments/{new_name}")["status"] == "archived"
    client.restore_experiment(experiment_id)
    client.set_experiment_tag(experiment_id, "tier", "gold")
    assert client.get_experiment_by_name(new_name).tags == {"team": "risk", "tier": "gold", "mlflow.note.content": "renamed once"}
    other = client.create_experiment(unique("other"))
    with pytest.raises(MlflowException) as taken:
        client.rename_experiment(other, new_name)
    assert error_code(taken) == "RESOURCE_ALREADY_EXISTS"
    with pytest.raises(MlflowException) as duplicate:
        client.create_experiment(new_name)
    assert error_code(duplicate) == "RESOURCE_ALREADY_EXISTS"
    with pytest.raises(MlflowException) as invalid:
        client.rename_experiment(other, "no spaces allowed")
    assert error_code(invalid) == "INVALID_PARAMETER_VALUE"


def test_search_experiments_filters_on_name_and_tags_orders_and_pages(client, unique):
    prefix = unique("search")
    ids = [client.create_experiment(f"{prefix}-{i}", tags={"group": "even" if i % 2 == 0 else "odd"}) for i in range(5)]
    found = client.search_experiments(filter_string=f"name LIKE '{prefix}-%' AND tags.group = 'even'", order_by=["name DESC"])
    assert [e.name for e in found] == [f"{prefix}-4", f"{prefix}-2", f"{prefix}-0"]
    first = client.search_experiments(filter_string=f"name LIKE '{prefix}-%'", order_by=["name ASC"], max_results=2)
    assert [e.experiment_id for e in first] == ids[:2]
    assert first.token
    rest_of = client.search_experiments(filter_string=f"name LIKE '{prefix}-%'", order_by=["name ASC"], max_results=10, page_token=first.token)
    assert [e.experiment_id for e in rest_of] == ids[2:]
    with pytest.raises(MlflowException) as bad:
        client.search_experiments(filter_string="name ~ 'x'")
    assert error_code(bad) == "INVALID_PARAMETER_VALUE"


def test_a_fluent_run_logs_params_metrics_over_steps_tags_and_ends(rest, unique):
    name = unique("fluent")
    mlflow.set_experiment(name)
    with mlflow.start_run(run_name="baseline") as run:
        mlflow.log_param("lr", 0.1)
        mlflow.log_params({"depth": 6, "loss": "log"})
        for step in range(5):
            mlflow.log_metric("loss", 1.0 / (step + 1), step=step)
        mlflow.log_metrics({"acc": 0.91, "auc": 0.88})
        mlflow.set_tag("stage", "dev")
        mlflow.set_tags({"owner": "ana", "purpose": "tutorial"})
        run_id = run.info.run_id
    fetched = mlflow.get_run(run_id)
    assert fetched.info.status == "FINISHED"
    assert fetched.info.run_name == "baseline"
    assert fetched.data.params == {"lr": "0.1", "depth": "6", "loss": "log"}
    assert fetched.data.metrics == {"loss": 0.2, "acc": 0.91, "auc": 0.88}
    assert fetched.data.tags["stage"] == "dev"
    assert fetched.data.tags["mlflow.runName"] == "baseline"
    # The system tags the client sends.
    assert "mlflow.user" in fetched.data.tags and "mlflow.source.name" in fetched.data.tags
    ours = rest.get(f"/runs/{run_id}")
    assert ours["experiment_name"] == name
    assert ours["name"] == "baseline"
    assert ours["status"] == "completed" and ours["end_time"]
    assert sorted(p["key"] for p in ours["params"]) == ["depth", "loss", "lr"]
    assert {m["key"]: m["value"] for m in ours["metrics"]} == {"loss": 0.2, "acc": 0.91, "auc": 0.88}
    assert tag_values(ours)["owner"] == "ana" and tag_values(ours)["mlflow.source.name"] == fetched.data.tags["mlflow.source.name"]
    history = rest.get(f"/runs/{run_id}/metrics/loss")["items"]
    assert [(p["step"], p["value"]) for p in history] == [(s, 1.0 / (s + 1)) for s in range(5)]
    assert ours["created_by"] == os.environ.get("MLOPS_EXPECTED_ACTOR", ours["created_by"])


def test_client_run_lifecycle_update_rename_delete_restore_and_tags(client, rest, unique):
    experiment_id = client.create_experiment(unique("client"))
    run = client.create_run(experiment_id, tags={"mlflow.user": "ana", "kind": "probe"}, run_name="first")
    run_id = run.info.run_id
    assert (run.info.status, run.info.run_name, run.info.user_id) == ("RUNNING", "first", "ana")
    client.log_metric(run_id, "m", 3.5, step=2, timestamp=1_700_000_000_000)
    client.log_param(run_id, "p", "x")
    client.log_param(run_id, "p", "x")  # write-once: the same value again is fine
    with pytest.raises(MlflowException) as changed:
        client.log_param(run_id, "p", "y")
    assert error_code(changed) == "INVALID_PARAMETER_VALUE"
    client.set_tag(run_id, "note", "hello")
    client.delete_tag(run_id, "kind")
    client.update_run(run_id, name="renamed")
    got = client.get_run(run_id)
    assert got.info.run_name == "renamed" and got.data.tags["mlflow.runName"] == "renamed"
    assert "kind" not in got.data.tags and got.data.tags["note"] == "hello"
    assert got.data.metrics == {"m": 3.5}
    [point] = client.get_metric_history(run_id, "m")
    assert (point.step, point.value, point.timestamp) == (2, 3.5, 1_700_000_000_000)
    ours = rest.get(f"/runs/{run_id}")
    assert ours["name"] == "renamed" and "kind" not in tag_values(ours)
    assert ours["metrics"] == [{"key": "m", "value": 3.5, "step": 2, "timestamp": "2023-11-14T22:13:20.000Z"}]
    client.set_terminated(run_id, "KILLED")
    assert rest.get(f"/runs/{run_id}")["status"] == "killed"
    client.delete_run(run_id)
    assert client.get_run(run_id).info.lifecycle_stage == "deleted"
    assert rest.get(f"/runs/{run_id}")["deleted"] is True
    assert client.search_runs([experiment_id]) == []
    assert [r.info.run_id for r in client.search_runs([experiment_id], run_view_type=ViewType.DELETED_ONLY)] == [run_id]
    client.restore_run(run_id)
    assert [r.info.run_id for r in client.search_runs([experiment_id])] == [run_id]
    with pytest.raises(MlflowException) as missing:
        client.get_run("00000000-0000-4000-8000-000000000000")
    assert error_code(missing) == "RESOURCE_DOES_NOT_EXIST"


def test_log_batch_is_stored_at_once_and_the_server_holds_mlflows_limits(client, rest, unique):
    experiment_id = client.create_experiment(unique("batch"))
    run_id = client.create_run(experiment_id).info.run_id
    now = int(time.time() * 1000)
    metrics = [Metric("x", float(i), now, i) for i in range(1000)]
    client.log_batch(run_id, metrics=metrics, params=[Param("a", "1")], tags=[RunTag("t", "v")])
    ours = rest.get(f"/runs/{run_id}")
    assert ours["params"] == [{"key": "a", "value": "1"}] and tag_values(ours)["t"] == "v"
    assert len(client.get_metric_history(run_id, "x")) == 1000
    store = client._tracking_client.store  # the REST store: no client-side splitting into chunks
    with pytest.raises(MlflowException) as too_many:
        store.log_batch(run_id, metrics=[Metric("y", 1.0, now, i) for i in range(1001)], params=[], tags=[])
    assert error_code(too_many) == "INVALID_PARAMETER_VALUE"
    with pytest.raises(MlflowException) as too_many_params:
        store.log_batch(run_id, metrics=[], params=[Param(f"p{i}", "v") for i in range(101)], tags=[])
    assert error_code(too_many_params) == "INVALID_PARAMETER_VALUE"
    assert [p["key"] for p in rest.get(f"/runs/{run_id}")["params"]] == ["a"]
    assert rest.status_of(f"/runs/{run_id}/metrics/y") == 200 and rest.get(f"/runs/{run_id}/metrics/y")["items"] == []


def test_metric_history_pages_with_page_token(client, unique):
    experiment_id = client.create_experiment(unique("history"))
    run_id = client.create_run(experiment_id).info.run_id
    for step in range(5):
        client.log_metric(run_id, "loss", float(step), step=step, timestamp=1_700_000_000_000 + step)
    store = client._tracking_client.store
    first = store.get_metric_history(run_id, "loss", max_results=2)
    assert [m.step for m in first] == [0, 1] and first.token
    second = store.get_metric_history(run_id, "loss", max_results=2, page_token=first.token)
    third = store.get_metric_history(run_id, "loss", max_results=2, page_token=second.token)
    assert [m.step for m in second] == [2, 3] and [m.step for m in third] == [4] and third.token is None


def test_search_runs_with_mlflows_filter_language_and_order_by(client, unique):
    experiment_id = client.create_experiment(unique("runs"))
    made = {}
    for i, (acc, lr, team) in enumerate([(0.95, "0.1", "alpha"), (0.80, "0.01", "beta"), (0.92, "0.1", "alphabet"), (None, "0.1", "alpha")]):
        run = client.create_run(experiment_id, run_name=f"r{i}", start_time=1_700_000_000_000 + i * 1000, tags={"team": team})
        client.log_param(run.info.run_id, "lr", lr)
        if acc is not None:
            client.log_metric(run.info.run_id, "acc", acc)
        if i == 1:
            client.set_terminated(run.info.run_id, "FINISHED")
        made[f"r{i}"] = run.info.run_id

    def names(filter_string="", order_by=None, **kwargs):
        return [r.info.run_name for r in client.search_runs([experiment_id], filter_string=filter_string, order_by=order_by, **kwargs)]

    assert names("metrics.acc > 0.9", ["metrics.acc DESC"]) == ["r0", "r2"]
    assert names("params.lr = '0.1' AND metrics.acc >= 0.9", ["attributes.start_time ASC"]) == ["r0", "r2"]
    assert names("tags.team LIKE 'alpha%'", ["attributes.run_name"]) == ["r0", "r2", "r3"]
    assert names("tags.team ILIKE 'ALPHA'", ["attributes.run_name"]) == ["r0", "r3"]
    assert names("attributes.status = 'FINISHED'") == ["r1"]
    assert names("attributes.run_name = 'r3'") == ["r3"]
    assert names(f"attributes.start_time >= {1_700_000_002_000}", ["attributes.start_time DESC"]) == ["r3", "r2"]
    assert names("attributes.status IN ('RUNNING') AND params.lr != '0.01'", ["run_name DESC"]) == ["r3", "r2", "r0"]
    # Comparisons the store answers by index, with the same results as MLflow's.
    assert names(f"attributes.start_time > {1_700_000_000_000} AND attributes.start_time < {1_700_000_003_000}", ["attributes.start_time"]) == ["r1", "r2"]
    assert names("attributes.status != 'RUNNING'") == ["r1"]
    assert names("attributes.status NOT IN ('RUNNING', 'SCHEDULED')") == ["r1"]
    assert names("attributes.status IN ('SCHEDULED', 'FINISHED')") == ["r1"]
    assert names("attributes.status = 'SCHEDULED'") == []
    assert names(f"attributes.run_id IN ('{made['r0']}', '{made['r3']}')") == ["r3", "r0"]
    assert names(f"attributes.start_time = {1_700_000_001_000}") == ["r1"]
    # Metric comparisons read the matching runs by index from their latest values.
    assert names("metrics.acc != 0.95", ["attributes.run_name"]) == ["r1", "r2"]
    assert names("metrics.acc > 0.9 AND metrics.acc < 0.93") == ["r2"]
    assert names("metrics.acc = 0.8 AND attributes.status = 'FINISHED'") == ["r1"]
    assert names("metrics.acc > 0.99") == []
    assert names("metrics.missing <= 1") == []
    # Default order: newest first; runs without the metric sort last.
    assert names() == ["r3", "r2", "r1", "r0"]
    assert names(order_by=["metrics.acc ASC"]) == ["r1", "r2", "r0", "r3"]
    page = client.search_runs([experiment_id], max_results=3)
    assert len(page) == 3 and page.token
    assert [r.info.run_name for r in client.search_runs([experiment_id], max_results=3, page_token=page.token)] == ["r0"]
    with pytest.raises(MlflowException) as bad:
        client.search_runs([experiment_id], filter_string="metrics.acc > 'high'")
    assert error_code(bad) == "INVALID_PARAMETER_VALUE"
    with pytest.raises(MlflowException) as unknown:
        client.search_runs(["424242"])
    assert error_code(unknown) == "RESOURCE_DOES_NOT_EXIST"


def test_the_ajax_api_prefix_and_mlflow_error_bodies(tracking_uri):
    token = os.environ["MLFLOW_TRACKING_TOKEN"]

    def call(path):
        req = urllib.request.Request(f"{tracking_uri}{path}", headers={"Authorization": f"Bearer {token}"})
        try:
            with urllib.request.urlopen(req, timeout=30) as res:
                return res.status, json.loads(res.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())

    status, body = call("/ajax-api/2.0/mlflow/experiments/get?experiment_id=0")
    assert status == 200 and body["experiment"]["name"] == "Default"
    status, body = call("/api/2.0/mlflow/experiments/get?experiment_id=999999")
    assert status == 404 and body["error_code"] == "RESOURCE_DOES_NOT_EXIST" and body["message"]
    status, body = call("/api/2.0/mlflow/runs/get")
    assert status == 400 and body["error_code"] == "INVALID_PARAMETER_VALUE"


def test_log_input_records_the_dataset_by_name_and_digest(rest, unique):
    import numpy as np

    mlflow.set_experiment(unique("inputs"))
    dataset = mlflow.data.from_numpy(np.array([[1.0, 2.0], [3.0, 4.0]]), source="s3://bucket/train.npy", name="train")
    with mlflow.start_run() as run:
        mlflow.log_input(dataset, context="training")
        mlflow.log_input(dataset, context="training")  # the same input again is nothing new
    [logged] = mlflow.get_run(run.info.run_id).inputs.dataset_inputs
    assert (logged.dataset.name, logged.dataset.digest) == ("train", dataset.digest)
    assert {t.key: t.value for t in logged.tags} == {"mlflow.data.context": "training"}
    [ours] = rest.get(f"/runs/{run.info.run_id}")["inputs"]
    assert (ours["name"], ours["digest"], ours["context"], ours["source_type"]) == ("train", dataset.digest, "training", dataset.source._get_source_type())


def test_a_dataset_input_whose_digest_is_a_feature_store_files_sha256_is_linked_to_that_dataset(client, rest, feature_store, data_root, unique):
    import hashlib

    import pandas as pd

    dataset_id = unique("trips")
    content = b"distance,fare\n1.5,7.0\n3.2,12.5\n"
    path = f"mlflow-inputs/{dataset_id}.csv"
    os.makedirs(os.path.join(data_root, "mlflow-inputs"), exist_ok=True)
    with open(os.path.join(data_root, path), "wb") as file:
        file.write(content)
    status, registered = feature_store.request("POST", "/datasets", {"name": dataset_id, "source_type": "csv", "path": path})
    assert status == 201, registered
    sha256 = hashlib.sha256(content).hexdigest()
    assert registered["content_sha256"] == sha256
    dataset = mlflow.data.from_pandas(pd.read_csv(os.path.join(data_root, path)), source=path, name="trips", digest=sha256)
    mlflow.set_experiment(unique("linked"))
    # The lifecycle service learns of the dataset from the Feature Store's events: a run logged
    # before they arrive is not linked, so log fresh runs until one is (bounded).
    deadline = time.monotonic() + 60
    while True:
        with mlflow.start_run() as run:
            mlflow.log_input(dataset, context="training")
        [logged] = client.get_run(run.info.run_id).inputs.dataset_inputs
        tags = {t.key: t.value for t in logged.tags}
        if "mlops.feature_store.dataset_id" in tags or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert tags == {"mlflow.data.context": "training", "mlops.feature_store.dataset_id": dataset_id}
    assert logged.dataset.digest == sha256
    [ours] = rest.get(f"/runs/{run.info.run_id}")["inputs"]
    assert (ours["digest"], ours["dataset_id"], ours["context"]) == (sha256, dataset_id, "training")

