import { z } from 'zod';
import { mlflowBool, mlflowCalls, mlflowController, mlflowMaxResults } from '../mlflow-http';
import { versionNumber } from './mlflow-registry';
import { MlflowRegistryService } from './mlflow-registry.service';

const keyValues = z.array(z.object({ key: z.string().min(1).max(250), value: z.string().max(5000).default('') })).max(100).default([]);
const name = z.string().min(1);
const version = z.union([z.string(), z.number()]).transform(versionNumber);
const orderBy = z.union([z.array(z.string()), z.string().transform((s) => [s])]).default([]);
const Search = z.object({ filter: z.string().optional(), max_results: mlflowMaxResults(100, 1000), order_by: orderBy, page_token: z.string().optional() });
// MLflow's own ceiling for model versions (the client asks for 200,000 per page by default).
const VersionSearch = Search.extend({ max_results: mlflowMaxResults(10_000, 200_000) });
const Name = z.object({ name });
const CreateModel = z.object({ name, description: z.string().max(10000).optional(), tags: keyValues });
const UpdateModel = z.object({ name, description: z.string().max(10000).default('') });
const RenameModel = z.object({ name, new_name: name });
const ModelTag = z.object({ name, key: z.string().min(1).max(250), value: z.string().max(5000).default('') });
const ModelTagKey = z.object({ name, key: z.string().min(1) });
const LatestVersions = z.object({ name, stages: z.union([z.array(z.string()), z.string().transform((s) => [s])]).default([]) });
const Alias = z.object({ name, alias: z.string().min(1).max(255), version });
const AliasName = z.object({ name, alias: z.string().min(1) });
const Version = z.object({ name, version });
const CreateVersion = z.object({
  name,
  source: z.string().min(1).max(2048),
  run_id: z.string().optional(),
  model_id: z.string().optional(),
  description: z.string().max(10000).optional(),
  tags: keyValues,
});
const UpdateVersion = z.object({ name, version, description: z.string().max(10000).optional() });
const VersionTag = z.object({ name, version, key: z.string().min(1).max(250), value: z.string().max(5000).default('') });
const VersionTagKey = z.object({ name, version, key: z.string().min(1) });
const Transition = z.object({ name, version, stage: z.string(), archive_existing_versions: mlflowBool.default(false) });

const call = mlflowCalls<MlflowRegistryService>();

/** MLflow's model registry calls: HTTP ⇄ the registry facade over our model streams. */
export const MlflowRegistryController = mlflowController('MlflowRegistryController', MlflowRegistryService, [
  call('POST', 'registered-models/create', CreateModel, (registry, r) => registry.createRegisteredModel(r)),
  call('GET', 'registered-models/get', Name, (registry, r) => registry.getRegisteredModel(r.name)),
  call('GET', 'registered-models/search', Search, (registry, r) => registry.searchRegisteredModels(r)),
  call('PATCH', 'registered-models/update', UpdateModel, (registry, r) => registry.updateRegisteredModel(r.name, r.description)),
  call('POST', 'registered-models/rename', RenameModel, (registry, r) => registry.renameRegisteredModel(r.name, r.new_name)),
  call('DELETE', 'registered-models/delete', Name, (registry, r) => registry.deleteRegisteredModel(r.name)),
  call('POST', 'registered-models/get-latest-versions', LatestVersions, (registry, r) => registry.latestVersions(r.name, r.stages)),
  call('GET', 'registered-models/get-latest-versions', LatestVersions, (registry, r) => registry.latestVersions(r.name, r.stages)),
  call('POST', 'registered-models/set-tag', ModelTag, (registry, r) => registry.setRegisteredModelTag(r.name, r.key, r.value)),
  call('DELETE', 'registered-models/delete-tag', ModelTagKey, (registry, r) => registry.deleteRegisteredModelTag(r.name, r.key)),
  call('POST', 'registered-models/alias', Alias, (registry, r) => registry.setAlias(r.name, r.alias, r.version)),
  call('DELETE', 'registered-models/alias', AliasName, (registry, r) => registry.deleteAlias(r.name, r.alias)),
  call('GET', 'registered-models/alias', AliasName, (registry, r) => registry.versionByAlias(r.name, r.alias)),
  call('POST', 'model-versions/create', CreateVersion, (registry, r) => registry.createModelVersion(r)),
  call('GET', 'model-versions/get', Version, (registry, r) => registry.getModelVersion(r.name, r.version)),
  call('PATCH', 'model-versions/update', UpdateVersion, (registry, r) => registry.updateModelVersion(r.name, r.version, r.description)),
  call('DELETE', 'model-versions/delete', Version, (registry, r) => registry.deleteModelVersion(r.name, r.version)),
  call('GET', 'model-versions/search', VersionSearch, (registry, r) => registry.searchModelVersions(r)),
  call('POST', 'model-versions/transition-stage', Transition, (registry, r) => registry.transitionStage(r.name, r.version, r.stage, r.archive_existing_versions)),
  call('GET', 'model-versions/get-download-uri', Version, (registry, r) => registry.downloadUri(r.name, r.version)),
  call('POST', 'model-versions/set-tag', VersionTag, (registry, r) => registry.setModelVersionTag(r.name, r.version, r.key, r.value)),
  call('DELETE', 'model-versions/delete-tag', VersionTagKey, (registry, r) => registry.deleteModelVersionTag(r.name, r.version, r.key)),
]);
