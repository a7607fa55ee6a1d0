"""The model registry through the real MLflow client, each fact checked through our own REST API."""

import mlflow
import pytest
from mlflow.exceptions import MlflowException


def a_run_with_metrics():
    with mlflow.start_run() as run:
        mlflow.log_metric("auc", 0.91)
        mlflow.log_param("depth", "6")
    return run


def source_of(run):
    return f"{run.info.artifact_uri}/model"


def test_registered_model_create_get_update_tags_and_search(client, rest, unique):
    name = unique("churn")
    created = client.create_registered_model(name, tags={"team": "growth"}, description="weekly churn")
    assert (created.name, created.description, created.tags) == (name, "weekly churn", {"team": "growth"})
    with pytest.raises(MlflowException) as duplicate:
        client.create_registered_model(name)
    assert duplicate.value.error_code == "RESOURCE_ALREADY_EXISTS"
    client.update_registered_model(name, description="daily churn")
    client.set_registered_model_tag(name, "tier", "gold")
    client.delete_registered_model_tag(name, "team")
    model = client.get_registered_model(name)
    assert (model.description, model.tags, model.latest_versions) == ("daily churn", {"tier": "gold"}, [])
    assert [m.name for m in client.search_registered_models(filter_string=f"name = '{name}'")] == [name]
    assert [m.name for m in client.search_registered_models(filter_string=f"name LIKE '{name[:-3]}%'")] == [name]
    with pytest.raises(MlflowException) as missing:
        client.get_registered_model(unique("missing"))
    assert missing.value.error_code == "RESOURCE_DOES_NOT_EXIST"


def test_model_versions_from_a_run_copy_its_metrics_and_carry_tags(client, rest, unique):
    name = unique("ranker")
    client.create_registered_model(name)
    run = a_run_with_metrics()
    first = client.create_model_version(name, source_of(run), run_id=run.info.run_id, tags={"data": "2026-11"}, description="first")
    second = client.create_model_version(name, source_of(run), run_id=run.info.run_id)
    assert (first.version, first.status, first.current_stage, first.tags) == ("1", "READY", "None", {"data": "2026-11"})
    assert second.version == "2"
    ours = rest.get(f"/models/{name}/1")
    assert ours["run_id"] == run.info.run_id
    assert ours["artifact_uri"] == source_of(run)
    assert ours["description"] == "first"
    assert {m["key"]: m["value"] for m in ours["metrics"]} == {"auc": 0.91}
    assert ours["properties"] == [{"key": "data", "value": "2026-11"}]
    client.update_model_version(name, "1", description="first, revised")
    client.set_model_version_tag(name, "1", "validated", "yes")
    client.delete_model_version_tag(name, "1", "data")
    version = client.get_model_version(name, "1")
    assert (version.description, version.tags) == ("first, revised", {"validated": "yes"})
    assert client.get_model_version_download_uri(name, "1") == source_of(run)
    found = client.search_model_versions(f"name = '{name}'")
    assert sorted(v.version for v in found) == ["1", "2"]
    assert [v.version for v in client.search_model_versions(f"name = '{name}' and tags.validated = 'yes'")] == ["1"]
    with pytest.raises(MlflowException) as no_model:
        client.create_model_version(unique("unregistered"), source_of(run), run_id=run.info.run_id)
    assert no_model.value.error_code == "RESOURCE_DOES_NOT_EXIST"


def test_renaming_a_registered_model_takes_its_versions_aliases_and_tags_to_the_new_name(client, rest, unique):
    name, new_name = unique("churn"), unique("attrition")
    client.create_registered_model(name, tags={"team": "growth"})
    run = a_run_with_metrics()
    first = client.create_model_version(name, source_of(run), run_id=run.info.run_id)
    client.set_registered_model_alias(name, "champion", first.version)
    client.rename_registered_model(name, new_name)  # the client drops the answer
    renamed = client.get_registered_model(new_name)
    assert (renamed.name, renamed.tags, renamed.aliases) == (new_name, {"team": "growth"}, {"champion": first.version})
    assert client.get_model_version_by_alias(new_name, "champion").version == first.version
    assert client.get_model_version(new_name, first.version).name == new_name
    second = client.create_model_version(new_name, source_of(run), run_id=run.info.run_id)
    assert second.version == "2"
    assert sorted(v.version for v in client.search_model_versions(f"name = '{new_name}'")) == ["1", "2"]
    assert client.search_model_versions(f"name = '{name}'") == []
    assert [m.name for m in client.search_registered_models(filter_string=f"name = '{new_name}'")] == [new_name]
    with pytest.raises(MlflowException) as gone:
        client.get_registered_model(name)
    assert gone.value.error_code == "RESOURCE_DOES_NOT_EXIST"
    ours = rest.get(f"/models/{new_name}/1")
    assert (ours["model_name"], ours["run_id"]) == (new_name, run.info.run_id)
    assert sorted(v["version"] for v in rest.get("/models", model_name=new_name)["items"]) == [1, 2]
    assert rest.get("/models", model_name=name)["items"] == []
    assert rest.status_of(f"/models/{name}/1") == 404
    other = unique("other")
    client.create_registered_model(other)
    with pytest.raises(MlflowException) as taken:
        client.rename_registered_model(other, new_name)
    assert taken.value.error_code == "RESOURCE_ALREADY_EXISTS"
    with pytest.raises(MlflowException) as duplicate:
        client.create_registered_model(new_name)
    assert duplicate.value.error_code == "RESOURCE_ALREADY_EXISTS"
    client.set_registered_model_tag(new_name, "tier", "gold")
    client.delete_registered_model_alias(new_name, "champion")
    assert (client.get_registered_model(new_name).tags, client.get_registered_model(new_name).aliases) == ({"team": "growth", "tier": "gold"}, {})
    client.delete_registered_model(new_name)
    assert rest.get("/models", model_name=new_name)["items"] == []


def test_aliases_point_at_one_version_and_follow_deletes(client, rest, unique):
    name = unique("aliased")
    client.create_registered_model(name)
    run = a_run_with_metrics()
    for _ in range(2):
        client.create_model_version(name, source_of(run), run_id=run.info.run_id)
    client.set_registered_model_alias(name, "champion", "1")
    client.set_registered_model_alias(name, "champion", "2")
    assert client.get_model_version_by_alias(name, "champion").version == "2"
    assert client.get_registered_model(name).aliases == {"champion": "2"}
    assert rest.get(f"/models/{name}/2")["aliases"] == ["champion"]
    assert rest.get(f"/models/{name}/1")["aliases"] == []
    with pytest.raises(MlflowException) as reserved:
        client.set_registered_model_alias(name, "latest", "1")
    assert reserved.value.error_code == "INVALID_PARAMETER_VALUE"
    client.delete_model_version(name, "2")
    with pytest.raises(MlflowException) as gone:
        client.get_model_version_by_alias(name, "champion")
    assert gone.value.error_code == "RESOURCE_DOES_NOT_EXIST"
    assert rest.status_of(f"/models/{name}/2") == 404
    assert [v["version"] for v in rest.get("/models", model_name=name)["items"]] == [1]
    third = client.create_model_version(name, source_of(run), run_id=run.info.run_id)
    assert third.version == "3", "numbers are never reused"
    client.set_registered_model_alias(name, "challenger", "3")
    client.delete_registered_model_alias(name, "challenger")
    assert client.get_registered_model(name).aliases == {}


def test_production_passes_through_the_release_checklist(client, rest, unique):
    name = unique("gated")
    client.create_registered_model(name)
    run = a_run_with_metrics()
    for _ in range(2):
        client.create_model_version(name, source_of(run), run_id=run.info.run_id)
    client.transition_model_version_stage(name, "1", "Staging")
    with pytest.raises(MlflowException) as unchecked:
        client.transition_model_version_stage(name, "1", "Production")
    assert unchecked.value.error_code == "INVALID_PARAMETER_VALUE"
    assert "evaluation_passed" in unchecked.value.message
    assert rest.get(f"/models/{name}/1")["stage"] == "staging"

    checklist = rest.get(f"/models/{name}/1")["checklist"]
    required = [{"key": item["key"], "checked": True} for item in checklist if item["required"]]
    for version in ("1", "2"):
        status, body = rest.request("PATCH", f"/models/{name}/{version}", {"checklist": required})
        assert status == 200, body
    assert client.transition_model_version_stage(name, "1", "Production").current_stage == "Production"
    client.transition_model_version_stage(name, "2", "Staging")
    promoted = client.transition_model_version_stage(name, "2", "production", archive_existing_versions=True)
    assert promoted.current_stage == "Production"
    assert client.get_model_version(name, "1").current_stage == "Archived"
    assert rest.get(f"/models/{name}/1")["stage"] == "archived"
    assert [(v.version, v.current_stage) for v in client.get_latest_versions(name, stages=["Production"])] == [("2", "Production")]
    # Searched by stage through the store's index, with MLflow's stage names.
    assert [v.version for v in client.search_model_versions(f"name = '{name}' AND current_stage = 'Production'")] == ["2"]
    assert [v.version for v in client.search_model_versions(f"name = '{name}' AND current_stage IN ('Archived', 'None')")] == ["1"]
    assert client.search_model_versions(f"name = '{name}' AND current_stage = 'production'") == []
    with pytest.raises(MlflowException) as bad_stage:
        client.transition_model_version_stage(name, "2", "Shipped")
    assert bad_stage.value.error_code == "INVALID_PARAMETER_VALUE"


def test_deleting_a_registered_model_removes_it_and_its_versions(client, rest, unique):
    name = unique("doomed")
    client.create_registered_model(name)
    run = a_run_with_metrics()
    client.create_model_version(name, source_of(run), run_id=run.info.run_id)
    client.delete_registered_model(name)
    with pytest.raises(MlflowException) as gone:
        client.get_registered_model(name)
    assert gone.value.error_code == "RESOURCE_DOES_NOT_EXIST"
    assert rest.status_of(f"/models/{name}/1") == 404
    assert client.search_registered_models(filter_string=f"name = '{name}'") == []
