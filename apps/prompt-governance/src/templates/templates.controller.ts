import { Body, Controller, Get, Headers, HttpCode, Param, Post, Put, Query, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPreconditionFailedResponse,
  ApiResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { notFound } from '@mlops/event-sourcing';
import { etagOf, parseIfMatch, sendCommandResult } from '@mlops/platform';
import { PROMPT_GOVERNANCE_API } from '../routes';
import {
  AcceptedDto,
  ApproveDto,
  AuditPageDto,
  AuditQueryDto,
  CreateTemplateDto,
  LabelDto,
  LabelHistoryPageDto,
  LabelHistoryQueryDto,
  LabelParamsDto,
  ListTemplatesQueryDto,
  MoveLabelDto,
  NewVersionDto,
  RejectDto,
  RenderDto,
  RenderedDto,
  RetireDto,
  TemplateDetailDto,
  TemplateIdParamsDto,
  TemplatePageDto,
  TemplateSummaryDto,
  TemplateVersionDto,
  TemplateVersionParamsDto,
} from './templates.dto';
import { AuditEntryDocument, LabelMoveDocument, TemplateDocument, TemplateVersionView } from './templates.projection';
import { TemplateCommandResult, TemplatesService } from './templates.service';

export const templateLocation = (id: string) => `/${PROMPT_GOVERNANCE_API}/templates/${encodeURIComponent(id)}`;

export function presentVersion(doc: TemplateDocument, view: TemplateVersionView): TemplateVersionDto {
  const { config_json, ...rest } = view;
  return { ...rest, config: JSON.parse(config_json) as Record<string, unknown>, labels: doc.labels.filter((l) => l.version === view.version).map((l) => l.label) };
}

const presentSummary = (doc: TemplateDocument): TemplateSummaryDto => ({
  id: doc.template_id,
  name: doc.name,
  description: doc.description,
  type: doc.type,
  owner: doc.owner,
  tags: doc.tags,
  policy: doc.policy,
  latest_version: doc.latest_version,
  statuses: doc.statuses,
  labels: doc.labels,
  created_at: doc.created_at,
  created_by: doc.created_by,
  updated_at: doc.updated_at,
  updated_by: doc.updated_by,
});

const presentDetail = (doc: TemplateDocument): TemplateDetailDto => ({ ...presentSummary(doc), versions: doc.versions.map((v) => presentVersion(doc, v)) });

const presentMove = ({ label, from_version, to_version, moved_by, moved_at, automatic }: LabelMoveDocument) => ({ label, from_version, to_version, moved_by, moved_at, automatic });

const presentAudit = ({ stream_version, action, event_type, version, actor, time, correlation_id, details }: AuditEntryDocument) => ({
  stream_version,
  action,
  event_type,
  version,
  actor,
  time,
  correlation_id,
  details,
});

/** Answers with the version the command was about (its template's stream version as the ETag). */
function sendVersion(res: Response, result: TemplateCommandResult, created: boolean) {
  const location = created ? `${templateLocation(result.templateId)}/versions/${result.versionNumber}` : templateLocation(result.templateId);
  return sendCommandResult(res, result, { location, created }, (doc) => presentVersion(doc, doc.versions.find((v) => v.version === result.versionNumber)!));
}

/** Strong comparison against an If-None-Match list (`*` matches anything; weak tags compare by their value). */
export function noneMatch(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(',').some((tag) => {
    const trimmed = tag.trim();
    return trimmed === '*' || trimmed.replace(/^W\//, '') === etag;
  });
}

const IF_MATCH = { name: 'If-Match', required: false, description: 'ETag ("<template stream version>") the command applies to' };

@ApiTags('templates')
@Controller(`${PROMPT_GOVERNANCE_API}/templates`)
export class TemplatesController {
  constructor(private readonly templates: TemplatesService) {}

  @Post()
  @ApiOperation({ summary: 'Create a template (id unique) with its version 1 as a draft; latest points at it' })
  @ApiCreatedResponse({ type: TemplateDetailDto, description: 'ETag: the template’s stream version' })
  @ApiAcceptedResponse({ type: AcceptedDto, description: 'Stored; the read model did not catch up within the bound' })
  @ApiBadRequestResponse({ description: 'Invalid input, invalid mustache, or a body that does not match the type (problem+json)' })
  @ApiConflictResponse({ description: 'A template with this id exists' })
  async create(@Body() dto: CreateTemplateDto, @Res({ passthrough: true }) res: Response) {
    const result = await this.templates.create(dto);
    return sendCommandResult(res, result, { location: templateLocation(dto.id), created: true }, presentDetail);
  }

  @Get()
  @ApiOperation({ summary: 'List templates (filters: status — any version in it, owner, tag)' })
  @ApiOkResponse({ type: TemplatePageDto })
  async list(@Query() query: ListTemplatesQueryDto): Promise<TemplatePageDto> {
    const page = await this.templates.list(query);
    return { items: page.items.map(presentSummary), next_cursor: page.next_cursor };
  }

  @Get(':id')
  @ApiOperation({ summary: 'Template detail with every version, its status, evaluation and labels' })
  @ApiOkResponse({ type: TemplateDetailDto, description: 'ETag: the template’s stream version' })
  @ApiNotFoundResponse({ description: 'No such template' })
  async get(@Param() params: TemplateIdParamsDto, @Res({ passthrough: true }) res: Response): Promise<TemplateDetailDto> {
    const doc = await this.templates.get(params.id);
    res.setHeader('ETag', etagOf(doc.version));
    return presentDetail(doc);
  }

  @Post(':id/versions')
  @ApiOperation({ summary: 'Add an immutable version as a draft (next number); latest moves to it' })
  @ApiHeader(IF_MATCH)
  @ApiCreatedResponse({ type: TemplateVersionDto })
  @ApiBadRequestResponse({ description: 'Invalid input' })
  @ApiNotFoundResponse({ description: 'No such template' })
  @ApiPreconditionFailedResponse({ description: 'If-Match does not match' })
  async addVersion(@Param() params: TemplateIdParamsDto, @Body() dto: NewVersionDto, @Headers('if-match') ifMatch: string | undefined, @Res({ passthrough: true }) res: Response) {
    return sendVersion(res, await this.templates.addVersion(params.id, dto, parseIfMatch(ifMatch)), true);
  }

  @Get(':id/versions/:version')
  @ApiOperation({ summary: 'One version' })
  @ApiOkResponse({ type: TemplateVersionDto, description: 'ETag: the template’s stream version' })
  @ApiNotFoundResponse({ description: 'No such template or version' })
  async getVersion(@Param() params: TemplateVersionParamsDto, @Res({ passthrough: true }) res: Response): Promise<TemplateVersionDto> {
    const doc = await this.templates.get(params.id);
    const view = doc.versions.find((v) => v.version === params.version);
    if (!view) throw notFound(`Template ${params.id} has no version ${params.version}`);
    res.setHeader('ETag', etagOf(doc.version));
    return presentVersion(doc, view);
  }

  @Post(':id/:version/submit')
  @HttpCode(200)
  @ApiOperation({ summary: 'Submit a draft for review (draft → pending_review)' })
  @ApiHeader(IF_MATCH)
  @ApiOkResponse({ type: TemplateVersionDto })
  @ApiNotFoundResponse({ description: 'No such template or version' })
  @ApiUnprocessableEntityResponse({ description: 'The version is not a draft' })
  async submit(@Param() params: TemplateVersionParamsDto, @Headers('if-match') ifMatch: string | undefined, @Res({ passthrough: true }) res: Response) {
    return sendVersion(res, await this.templates.submit(params.id, params.version, parseIfMatch(ifMatch)), false);
  }

  @Post(':id/:version/approve')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Approve a version under review (pending_review → approved)',
    description: 'The caller needs the approver role (X-Roles) and must be neither the version’s author nor its submitter (four-eyes). With the template’s evaluation policy, the version’s latest evaluation must have passed.',
  })
  @ApiHeader(IF_MATCH)
  @ApiOkResponse({ type: TemplateVersionDto })
  @ApiForbiddenResponse({ description: 'No approver role, or the approver wrote or submitted the version' })
  @ApiNotFoundResponse({ description: 'No such template or version' })
  @ApiUnprocessableEntityResponse({ description: 'Not under review, or no passing evaluation where the policy needs one' })
  async approve(@Param() params: TemplateVersionParamsDto, @Body() dto: ApproveDto, @Headers('if-match') ifMatch: string | undefined, @Res({ passthrough: true }) res: Response) {
    return sendVersion(res, await this.templates.approve(params.id, params.version, dto.comment ?? '', parseIfMatch(ifMatch)), false);
  }

  @Post(':id/:version/reject')
  @HttpCode(200)
  @ApiOperation({ summary: 'Reject a version under review with a reason (pending_review → rejected); needs the approver role' })
  @ApiHeader(IF_MATCH)
  @ApiOkResponse({ type: TemplateVersionDto })
  @ApiBadRequestResponse({ description: 'No reason' })
  @ApiForbiddenResponse({ description: 'No approver role' })
  @ApiUnprocessableEntityResponse({ description: 'Not under review' })
  async reject(@Param() params: TemplateVersionParamsDto, @Body() dto: RejectDto, @Headers('if-match') ifMatch: string | undefined, @Res({ passthrough: true }) res: Response) {
    return sendVersion(res, await this.templates.reject(params.id, params.version, dto.reason, parseIfMatch(ifMatch)), false);
  }

  @Post(':id/:version/retire')
  @HttpCode(200)
  @ApiOperation({ summary: 'Retire an approved version (approved → retired) once no label but latest points at it; needs the approver role' })
  @ApiHeader(IF_MATCH)
  @ApiOkResponse({ type: TemplateVersionDto })
  @ApiForbiddenResponse({ description: 'No approver role' })
  @ApiUnprocessableEntityResponse({ description: 'Not approved, or a label points at it' })
  async retire(@Param() params: TemplateVersionParamsDto, @Body() dto: RetireDto, @Headers('if-match') ifMatch: string | undefined, @Res({ passthrough: true }) res: Response) {
    return sendVersion(res, await this.templates.retire(params.id, params.version, dto.reason ?? '', parseIfMatch(ifMatch)), false);
  }

  @Get(':id/labels/history')
  @ApiOperation({ summary: 'Every label move (who, when, from → to), oldest first; filter: label' })
  @ApiOkResponse({ type: LabelHistoryPageDto })
  @ApiNotFoundResponse({ description: 'No such template' })
  async labelHistory(@Param() params: TemplateIdParamsDto, @Query() query: LabelHistoryQueryDto): Promise<LabelHistoryPageDto> {
    const page = await this.templates.labelHistory(params.id, query);
    return { items: page.items.map(presentMove), next_cursor: page.next_cursor };
  }

  @Get(':id/audit')
  @ApiOperation({ summary: 'The audit trail: every change to the template (creation, versions, reviews, evaluations, label moves) with who, when and the request, in order; filters: action, version' })
  @ApiOkResponse({ type: AuditPageDto })
  @ApiNotFoundResponse({ description: 'No such template' })
  async audit(@Param() params: TemplateIdParamsDto, @Query() query: AuditQueryDto): Promise<AuditPageDto> {
    const page = await this.templates.audit(params.id, query);
    return { items: page.items.map(presentAudit), next_cursor: page.next_cursor };
  }

  @Put(':id/labels/:label')
  @ApiOperation({ summary: 'Point a label at a version; production only at an approved one; latest moves by itself' })
  @ApiHeader(IF_MATCH)
  @ApiOkResponse({ type: LabelDto })
  @ApiBadRequestResponse({ description: 'Invalid input, or the label latest' })
  @ApiNotFoundResponse({ description: 'No such template or version' })
  @ApiUnprocessableEntityResponse({ description: 'production at a version that is not approved, or any label at a rejected or retired one' })
  async moveLabel(@Param() params: LabelParamsDto, @Body() dto: MoveLabelDto, @Headers('if-match') ifMatch: string | undefined, @Res({ passthrough: true }) res: Response) {
    const result = await this.templates.moveLabel(params.id, params.label, dto.version, parseIfMatch(ifMatch));
    return sendCommandResult(res, result, { location: templateLocation(params.id), created: false }, (doc) => doc.labels.find((l) => l.label === params.label)!);
  }

  @Post(':id/render')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Render a version, by label (default production) or number, with variables — the run-time call',
    description: 'ETag: content hash of (template id, version, variables); If-None-Match with it answers 304.',
  })
  @ApiHeader({ name: 'If-None-Match', required: false })
  @ApiOkResponse({ type: RenderedDto })
  @ApiResponse({ status: 304, description: 'Not modified' })
  @ApiBadRequestResponse({ description: 'Missing variables (listed in errors[]), or both label and version' })
  @ApiNotFoundResponse({ description: 'No such template, label or version' })
  async render(@Param() params: TemplateIdParamsDto, @Body() dto: RenderDto, @Headers('if-none-match') ifNoneMatch: string | undefined, @Res({ passthrough: true }) res: Response) {
    const rendered = await this.templates.render(params.id, dto);
    res.setHeader('ETag', rendered.etag);
    if (noneMatch(ifNoneMatch, rendered.etag)) {
      res.status(304);
      return undefined;
    }
    const { doc, view } = rendered;
    return { id: doc.template_id, version: view.version, label: rendered.label, type: doc.type, prompt: rendered.prompt, config: JSON.parse(view.config_json) } satisfies RenderedDto;
  }
}
