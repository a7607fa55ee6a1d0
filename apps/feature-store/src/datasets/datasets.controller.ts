import { Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CommandRoute, IfMatch, ResourceRoutes, updatedReply } from '@mlops/platform';
import { FEATURE_STORE_API } from '../routes';
import { DatasetDto, DatasetIdParamsDto, DatasetPageDto, ListDatasetsQueryDto, RegisterDatasetDto } from './datasets.dto';
import { datasetLocation, presentDataset } from './datasets.presenter';
import { DatasetsService } from './datasets.service';

/** Registered before the features controller, so `/features/datasets…` is never taken for a feature name. */
@ApiTags('datasets')
@Controller(`${FEATURE_STORE_API}/datasets`)
@ResourceRoutes({
  service: DatasetsService,
  id: 'id',
  params: DatasetIdParamsDto,
  location: datasetLocation,
  present: presentDataset,
  create: {
    name: 'register',
    body: RegisterDatasetDto,
    createdId: (_, dto) => dto.name,
    docs: {
      summary: 'Register a CSV or Parquet file under the data root, or a table of a DuckDB database file; DuckDB profiles it',
      description: 'The dataset id is its name: a lowercase slug, unique (409). DuckDB reads the schema, row count, size and a per-column profile (null count, approximate distinct count, min/max, mean and standard deviation of numbers) before anything is stored.',
      created: DatasetDto,
      badRequest: 'Invalid input, or a path outside the data root (../, absolute elsewhere, a symlink out)',
      conflict: 'A dataset with this name exists',
      unprocessable: 'DuckDB cannot read the file or table (missing, unreadable, malformed); its reason is the detail',
    },
  },
  list: { query: ListDatasetsQueryDto, docs: { summary: 'List datasets (filters: source_type, tag)', page: DatasetPageDto } },
  get: { summary: 'Get a dataset with its schema, size, row count and per-column profile', ok: DatasetDto, notFound: 'No such dataset' },
})
export class DatasetsController {
  constructor(private readonly datasets: DatasetsService) {}

  @Post(':id/refresh')
  @HttpCode(200)
  @CommandRoute({
    summary: 'Re-profile the dataset; a changed schema also records the added, removed and retyped columns',
    ifMatch: 'ETag ("<version>") the refresh applies to',
    ok: DatasetDto,
    notFound: 'No such dataset',
    conflict: 'A concurrent refresh won',
    preconditionFailed: true,
    unprocessable: 'DuckDB can no longer read the dataset, or it now resolves outside the data root',
  })
  async refresh(@Param() params: DatasetIdParamsDto, @IfMatch() ifMatch?: number) {
    return updatedReply(await this.datasets.refresh(params.id, ifMatch), datasetLocation(params.id), presentDataset);
  }
}
