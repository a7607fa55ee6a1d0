import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CommandRoute, createdReply, IfMatch, PageRoute, presentPage, READ_MODEL_BEHIND, ReadRoute, updatedReply, withVersionTag } from '@mlops/platform';
import { FEATURE_STORE_API } from '../routes';
import { DatasetDto, DatasetIdParamsDto, DatasetPageDto, ListDatasetsQueryDto, RegisterDatasetDto } from './datasets.dto';
import { datasetLocation, presentDataset } from './datasets.presenter';
import { DatasetsService } from './datasets.service';

/** Registered before the features controller, so `/features/datasets…` is never taken for a feature name. */
@ApiTags('datasets')
@Controller(`${FEATURE_STORE_API}/datasets`)
export class DatasetsController {
  constructor(private readonly datasets: DatasetsService) {}

  @Post()
  @CommandRoute({
    summary: 'Register a CSV or Parquet file under the data root, or a table of a DuckDB database file; DuckDB profiles it',
    description: 'The dataset id is its name: a lowercase slug, unique (409). DuckDB reads the schema, row count, size and a per-column profile (null count, approximate distinct count, min/max, mean and standard deviation of numbers) before anything is stored.',
    created: DatasetDto,
    accepted: { description: READ_MODEL_BEHIND },
    badRequest: 'Invalid input, or a path outside the data root (../, absolute elsewhere, a symlink out)',
    conflict: 'A dataset with this name exists',
    unprocessable: 'DuckDB cannot read the file or table (missing, unreadable, malformed); its reason is the detail',
  })
  async register(@Body() dto: RegisterDatasetDto) {
    return createdReply(await this.datasets.register(dto), datasetLocation(dto.name), presentDataset);
  }

  @Get()
  @PageRoute({ summary: 'List datasets (filters: source_type, tag)', page: DatasetPageDto })
  async list(@Query() query: ListDatasetsQueryDto): Promise<DatasetPageDto> {
    return presentPage(await this.datasets.list(query), presentDataset);
  }

  @Get(':id')
  @ReadRoute({ summary: 'Get a dataset with its schema, size, row count and per-column profile', ok: DatasetDto, notFound: 'No such dataset' })
  async get(@Param() params: DatasetIdParamsDto) {
    const dataset = await this.datasets.get(params.id);
    return withVersionTag(dataset.version, presentDataset(dataset));
  }

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
