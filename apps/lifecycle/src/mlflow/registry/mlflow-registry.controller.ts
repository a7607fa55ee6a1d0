import { Delete, Patch } from '@nestjs/common';
import { z } from 'zod';
import { MlflowController, MlflowGet, MlflowPost, MlflowRequest, mlflowBool, mlflowMaxResults } from '../mlflow-http';
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

type In<S extends z.ZodType> = z.infer<S>;

/** MLflow's model registry calls: HTTP ⇄ the registry facade over our model streams. */
@MlflowController()
export class MlflowRegistryController {
  constructor(private readonly registry: MlflowRegistryService) {}

  @MlflowPost('registered-models/create')
  createModel(@MlflowRequest(CreateModel) r: In<typeof CreateModel>) {
    return this.registry.createRegisteredModel(r);
  }

  @MlflowGet('registered-models/get')
  getModel(@MlflowRequest(Name) r: In<typeof Name>) {
    return this.registry.getRegisteredModel(r.name);
  }

  @MlflowGet('registered-models/search')
  searchModels(@MlflowRequest(Search) r: In<typeof Search>) {
    return this.registry.searchRegisteredModels(r);
  }

  @Patch('registered-models/update')
  updateModel(@MlflowRequest(UpdateModel) r: In<typeof UpdateModel>) {
    return this.registry.updateRegisteredModel(r.name, r.description);
  }

  @MlflowPost('registered-models/rename')
  renameModel(@MlflowRequest(RenameModel) r: In<typeof RenameModel>) {
    return this.registry.renameRegisteredModel(r.name, r.new_name);
  }

  @Delete('registered-models/delete')
  deleteModel(@MlflowRequest(Name) r: In<typeof Name>) {
    return this.registry.deleteRegisteredModel(r.name);
  }

  @MlflowPost('registered-models/get-latest-versions')
  latestPost(@MlflowRequest(LatestVersions) r: In<typeof LatestVersions>) {
    return this.registry.latestVersions(r.name, r.stages);
  }

  @MlflowGet('registered-models/get-latest-versions')
  latestGet(@MlflowRequest(LatestVersions) r: In<typeof LatestVersions>) {
    return this.registry.latestVersions(r.name, r.stages);
  }

  @MlflowPost('registered-models/set-tag')
  setModelTag(@MlflowRequest(ModelTag) r: In<typeof ModelTag>) {
    return this.registry.setRegisteredModelTag(r.name, r.key, r.value);
  }

  @Delete('registered-models/delete-tag')
  deleteModelTag(@MlflowRequest(ModelTagKey) r: In<typeof ModelTagKey>) {
    return this.registry.deleteRegisteredModelTag(r.name, r.key);
  }

  @MlflowPost('registered-models/alias')
  setAlias(@MlflowRequest(Alias) r: In<typeof Alias>) {
    return this.registry.setAlias(r.name, r.alias, r.version);
  }

  @Delete('registered-models/alias')
  deleteAlias(@MlflowRequest(AliasName) r: In<typeof AliasName>) {
    return this.registry.deleteAlias(r.name, r.alias);
  }

  @MlflowGet('registered-models/alias')
  byAlias(@MlflowRequest(AliasName) r: In<typeof AliasName>) {
    return this.registry.versionByAlias(r.name, r.alias);
  }

  @MlflowPost('model-versions/create')
  createVersion(@MlflowRequest(CreateVersion) r: In<typeof CreateVersion>) {
    return this.registry.createModelVersion(r);
  }

  @MlflowGet('model-versions/get')
  getVersion(@MlflowRequest(Version) r: In<typeof Version>) {
    return this.registry.getModelVersion(r.name, r.version);
  }

  @Patch('model-versions/update')
  updateVersion(@MlflowRequest(UpdateVersion) r: In<typeof UpdateVersion>) {
    return this.registry.updateModelVersion(r.name, r.version, r.description);
  }

  @Delete('model-versions/delete')
  deleteVersion(@MlflowRequest(Version) r: In<typeof Version>) {
    return this.registry.deleteModelVersion(r.name, r.version);
  }

  @MlflowGet('model-versions/search')
  searchVersions(@MlflowRequest(VersionSearch) r: In<typeof VersionSearch>) {
    return this.registry.searchModelVersions(r);
  }

  @MlflowPost('model-versions/transition-stage')
  transition(@MlflowRequest(Transition) r: In<typeof Transition>) {
    return this.registry.transitionStage(r.name, r.version, r.stage, r.archive_existing_versions);
  }

  @MlflowGet('model-versions/get-download-uri')
  downloadUri(@MlflowRequest(Version) r: In<typeof Version>) {
    return this.registry.downloadUri(r.name, r.version);
  }

  @MlflowPost('model-versions/set-tag')
  setVersionTag(@MlflowRequest(VersionTag) r: In<typeof VersionTag>) {
    return this.registry.setModelVersionTag(r.name, r.version, r.key, r.value);
  }

  @Delete('model-versions/delete-tag')
  deleteVersionTag(@MlflowRequest(VersionTagKey) r: In<typeof VersionTagKey>) {
    return this.registry.deleteModelVersionTag(r.name, r.version, r.key);
  }
}
