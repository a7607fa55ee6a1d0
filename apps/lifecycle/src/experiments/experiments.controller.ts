import { Body, Controller, Get, Headers, Param, Patch, Post, Query, Res } from '@nestjs/common';
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
} from '@nestjs/swagger';
import type { Response } from 'express';
import { etagOf, parseIfMatch, sendCommandResult } from '@mlops/platform';
import { LIFECYCLE_API } from '../routes';
import {
  AcceptedDto,
  CreateExperimentDto,
  ExperimentDetailDto,
  ExperimentDetailQueryDto,
  ExperimentDto,
  ExperimentPageDto,
  ListExperimentsQueryDto,
  UpdateExperimentDto,
} from './experiments.dto';
import { ExperimentDocument } from './experiments.projection';
import { ExperimentsService } from './experiments.service';

const present = ({ _id, ...experiment }: ExperimentDocument): ExperimentDto => experiment;
const locationOf = (name: string) => `/${LIFECYCLE_API}/experiments/${encodeURIComponent(name)}`;

@ApiTags('experiments')
@Controller(`${LIFECYCLE_API}/experiments`)
export class ExperimentsController {
  constructor(private readonly experiments: ExperimentsService) {}

  @Post()
  @ApiOperation({ summary: 'Create an experiment (name unique)' })
  @ApiCreatedResponse({ type: ExperimentDto })
  @ApiAcceptedResponse({ type: AcceptedDto, description: 'Stored; the read model did not catch up within the bound' })
  @ApiBadRequestResponse({ description: 'Invalid input (problem+json)' })
  @ApiConflictResponse({ description: 'An experiment with this name exists' })
  async create(@Body() dto: CreateExperimentDto, @Res({ passthrough: true }) res: Response) {
    const result = await this.experiments.create(dto);
    return sendCommandResult(res, result, { location: locationOf(dto.name), created: true }, present);
  }

  @Get()
  @ApiOperation({ summary: 'List experiments (filters: owner, status, tag)' })
  @ApiOkResponse({ type: ExperimentPageDto })
  async list(@Query() query: ListExperimentsQueryDto): Promise<ExperimentPageDto> {
    const page = await this.experiments.list(query);
    return { items: page.items.map(present), next_cursor: page.next_cursor };
  }

  @Get(':name')
  @ApiOperation({ summary: 'Get an experiment with its run counts and, with ?metric=, its best run' })
  @ApiOkResponse({ type: ExperimentDetailDto })
  @ApiNotFoundResponse({ description: 'No such experiment' })
  async get(
    @Param('name') name: string,
    @Query() query: ExperimentDetailQueryDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<ExperimentDetailDto> {
    const { experiment, ...runs } = await this.experiments.detail(name, query);
    res.setHeader('ETag', etagOf(experiment.version));
    return { ...present(experiment), ...runs };
  }

  @Patch(':name')
  @ApiOperation({ summary: 'Update description, tags or status (active ↔ archived)' })
  @ApiHeader({ name: 'If-Match', required: false, description: 'ETag ("<version>") the update applies to' })
  @ApiOkResponse({ type: ExperimentDto })
  @ApiNotFoundResponse({ description: 'No such experiment' })
  @ApiPreconditionFailedResponse({ description: 'If-Match does not match the current version' })
  async update(
    @Param('name') name: string,
    @Body() dto: UpdateExperimentDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    const result = await this.experiments.update(name, dto, parseIfMatch(ifMatch));
    return sendCommandResult(res, result, { location: locationOf(name), created: false }, present);
  }
}
