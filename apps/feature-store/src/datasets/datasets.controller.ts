import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPreconditionFailedResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { createdReply, IfMatch, presentPage, updatedReply, withVersionTag } from '@mlops/platform';
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
  @ApiOperation({
    summary: 'Register a CSV or Parquet file under the data root, or a table of a DuckDB database file; DuckDB profiles it',
    description:
      'The dataset id is its name: a lowercase slug, unique (409). DuckDB reads the schema, row count, size and a per-column profile (null count, approximate distinct count, min/max, mean and standard deviation of numbers) before anything is stored.',
  })
  @ApiCreatedResponse({ type: DatasetDto })
  @ApiAcceptedResponse({ description: 'Stored; the read model did not catch up within the bound' })
  @ApiBadRequestResponse({ description: 'Invalid input, or a path outside the data root (../, absolute elsewhere, a symlink out)' })
  @ApiConflictResponse({ description: 'A dataset with this name exists' })
  @ApiUnprocessableEntityResponse({ description: 'DuckDB cannot read the file or table (missing, unreadable, malformed); its reason is the detail' })
  async register(@Body() dto: RegisterDatasetDto) {
    return createdReply(await this.datasets.register(dto), datasetLocation(dto.name), presentDataset);
  }

  @Get()
  @ApiOperation({ summary: 'List datasets (filters: source_type, tag)' })
  @ApiOkResponse({ type: DatasetPageDto })
  async list(@Query() query: ListDatasetsQueryDto): Promise<DatasetPageDto> {
    return presentPage(await this.datasets.list(query), presentDataset);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get a dataset with its schema, size, row count and per-column profile' })
  @ApiOkResponse({ type: DatasetDto })
  @ApiNotFoundResponse({ description: 'No such dataset' })
  async get(@Param() params: DatasetIdParamsDto) {
    const dataset = await this.datasets.get(params.id);
    return withVersionTag(dataset.version, presentDataset(dataset));
  }

  @Post(':id/refresh')
  @HttpCode(200)
  @ApiOperation({ summary: 'Re-profile the dataset; a changed schema also records the added, removed and retyped columns' })
  @ApiHeader({ name: 'If-Match', required: false, description: 'ETag ("<version>") the refresh applies to' })
  @ApiOkResponse({ type: DatasetDto })
  @ApiNotFoundResponse({ description: 'No such dataset' })
  @ApiConflictResponse({ description: 'A concurrent refresh won' })
  @ApiPreconditionFailedResponse({ description: 'If-Match does not match the current version' })
  @ApiUnprocessableEntityResponse({ description: 'DuckDB can no longer read the dataset, or it now resolves outside the data root' })
  async refresh(@Param() params: DatasetIdParamsDto, @IfMatch() ifMatch?: number) {
    return updatedReply(await this.datasets.refresh(params.id, ifMatch), datasetLocation(params.id), presentDataset);
  }
}
