import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
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
import type { Response } from 'express';
import { etagOf, parseIfMatch, sendCommandResult } from '@mlops/platform';
import { FEATURE_STORE_API } from '../routes';
import { DatasetDto, DatasetIdParamsDto, DatasetPageDto, ListDatasetsQueryDto, RegisterDatasetDto } from './datasets.dto';
import { DatasetDocument } from './datasets.projection';
import { DatasetsService } from './datasets.service';

const present = ({ _id, ...dataset }: DatasetDocument): DatasetDto => dataset;
const locationOf = (id: string) => `/${FEATURE_STORE_API}/datasets/${encodeURIComponent(id)}`;

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
  async register(@Body() dto: RegisterDatasetDto, @Res({ passthrough: true }) res: Response) {
    const result = await this.datasets.register(dto);
    return sendCommandResult(res, result, { location: locationOf(dto.name), created: true }, present);
  }

  @Get()
  @ApiOperation({ summary: 'List datasets (filters: source_type, tag)' })
  @ApiOkResponse({ type: DatasetPageDto })
  async list(@Query() query: ListDatasetsQueryDto): Promise<DatasetPageDto> {
    const page = await this.datasets.list(query);
    return { items: page.items.map(present), next_cursor: page.next_cursor };
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get a dataset with its schema, size, row count and per-column profile' })
  @ApiOkResponse({ type: DatasetDto })
  @ApiNotFoundResponse({ description: 'No such dataset' })
  async get(@Param() params: DatasetIdParamsDto, @Res({ passthrough: true }) res: Response): Promise<DatasetDto> {
    const dataset = await this.datasets.get(params.id);
    res.setHeader('ETag', etagOf(dataset.version));
    return present(dataset);
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
  async refresh(@Param() params: DatasetIdParamsDto, @Headers('if-match') ifMatch: string | undefined, @Res({ passthrough: true }) res: Response) {
    const result = await this.datasets.refresh(params.id, parseIfMatch(ifMatch));
    return sendCommandResult(res, result, { location: locationOf(params.id), created: false }, present);
  }
}
