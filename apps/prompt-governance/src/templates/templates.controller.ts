import { Body, Controller, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { notFound } from '@mlops/event-sourcing';
import { CommandRoute, createdReply, IfMatch, PageRoute, presentPage, ReadRoute, ResourceRoutes, TaggedBody, updatedReply, withVersionTag } from '@mlops/platform';
import { PROMPT_GOVERNANCE_API } from '../routes';
import {
  ApproveDto,
  AuditQueryDto,
  CreateTemplateDto,
  LabelHistoryQueryDto,
  LabelParamsDto,
  ListTemplatesQueryDto,
  MoveLabelDto,
  NewVersionDto,
  RejectDto,
  RenderDto,
  RetireDto,
  TemplateIdParamsDto,
  TemplateVersionParamsDto,
} from './template-requests.dto';
import { AuditPageDto, LabelDto, LabelHistoryPageDto, RenderedDto, TemplateDetailDto, TemplatePageDto, TemplateVersionDto } from './template-responses.dto';
import { presentAudit, presentDetail, presentMove, presentSummary, presentVersion, presentVersionNumbered, templateLocation, templateVersionLocation } from './templates.presenter';
import { TemplateCommandResult, TemplatesService } from './templates.service';


/** Template commands apply to the template's stream version, whichever version of the template they are about. */
const IF_MATCH = 'ETag ("<template stream version>") the command applies to';

@ApiTags('templates')
@Controller(`${PROMPT_GOVERNANCE_API}/templates`)
@ResourceRoutes({
  service: TemplatesService,
  id: 'id',
  params: TemplateIdParamsDto,
  location: templateLocation,
  present: presentDetail,
  create: {
    body: CreateTemplateDto,
    createdId: (_, dto) => dto.id,
    docs: {
      summary: 'Create a template (id unique) with its version 1 as a draft; latest points at it',
      created: { type: TemplateDetailDto, description: 'ETag: the template’s stream version' },
      badRequest: 'Invalid input, invalid mustache, or a body that does not match the type (problem+json)',
      conflict: 'A template with this id exists',
    },
  },
  list: { query: ListTemplatesQueryDto, present: presentSummary, docs: { summary: 'List templates (filters: status — any version in it, owner, tag)', page: TemplatePageDto } },
  get: {
    summary: 'Template detail with every version, its status, evaluation and labels',
    ok: { type: TemplateDetailDto, description: 'ETag: the template’s stream version' },
    notFound: 'No such template',
  },
})
export class TemplatesController {
  constructor(private readonly templates: TemplatesService) {}

  @Post(':id/versions')
  @CommandRoute({
    summary: 'Add an immutable version as a draft (next number); latest moves to it',
    ifMatch: IF_MATCH,
    created: TemplateVersionDto,
    badRequest: 'Invalid input',
    notFound: 'No such template',
    preconditionFailed: 'If-Match does not match',
  })
  async addVersion(@Param() params: TemplateIdParamsDto, @Body() dto: NewVersionDto, @IfMatch() ifMatch?: number) {
    const result = await this.templates.addVersion(params.id, dto, ifMatch);
    return createdReply(result, templateVersionLocation(result.templateId, result.versionNumber), presentVersionNumbered(result.versionNumber));
  }

  @Get(':id/versions/:version')
  @ReadRoute({
    summary: 'One version',
    ok: { type: TemplateVersionDto, description: 'ETag: the template’s stream version' },
    notFound: 'No such template or version',
  })
  async getVersion(@Param() params: TemplateVersionParamsDto) {
    const doc = await this.templates.get(params.id);
    const view = doc.versions.find((v) => v.version === params.version);
    if (!view) throw notFound(`Template ${params.id} has no version ${params.version}`);
    return withVersionTag(doc.version, presentVersion(doc, view));
  }

  @Post(':id/:version/submit')
  @HttpCode(200)
  @CommandRoute({
    summary: 'Submit a draft for review (draft → pending_review)',
    ifMatch: IF_MATCH,
    ok: TemplateVersionDto,
    notFound: 'No such template or version',
    unprocessable: 'The version is not a draft',
  })
  async submit(@Param() params: TemplateVersionParamsDto, @IfMatch() ifMatch?: number) {
    return this.versionReply(await this.templates.submit(params.id, params.version, ifMatch));
  }

  @Post(':id/:version/approve')
  @HttpCode(200)
  @CommandRoute({
    summary: 'Approve a version under review (pending_review → approved)',
    description: 'The caller needs the approver role (X-Roles) and must be neither the version’s author nor its submitter (four-eyes). With the template’s evaluation policy, the version’s latest evaluation must have passed.',
    ifMatch: IF_MATCH,
    ok: TemplateVersionDto,
    forbidden: 'No approver role, or the approver wrote or submitted the version',
    notFound: 'No such template or version',
    unprocessable: 'Not under review, or no passing evaluation where the policy needs one',
  })
  async approve(@Param() params: TemplateVersionParamsDto, @Body() dto: ApproveDto, @IfMatch() ifMatch?: number) {
    return this.versionReply(await this.templates.approve(params.id, params.version, dto.comment ?? '', ifMatch));
  }

  @Post(':id/:version/reject')
  @HttpCode(200)
  @CommandRoute({
    summary: 'Reject a version under review with a reason (pending_review → rejected); needs the approver role',
    ifMatch: IF_MATCH,
    ok: TemplateVersionDto,
    badRequest: 'No reason',
    forbidden: 'No approver role',
    unprocessable: 'Not under review',
  })
  async reject(@Param() params: TemplateVersionParamsDto, @Body() dto: RejectDto, @IfMatch() ifMatch?: number) {
    return this.versionReply(await this.templates.reject(params.id, params.version, dto.reason, ifMatch));
  }

  @Post(':id/:version/retire')
  @HttpCode(200)
  @CommandRoute({
    summary: 'Retire an approved version (approved → retired) once no label but latest points at it; needs the approver role',
    ifMatch: IF_MATCH,
    ok: TemplateVersionDto,
    forbidden: 'No approver role',
    unprocessable: 'Not approved, or a label points at it',
  })
  async retire(@Param() params: TemplateVersionParamsDto, @Body() dto: RetireDto, @IfMatch() ifMatch?: number) {
    return this.versionReply(await this.templates.retire(params.id, params.version, dto.reason ?? '', ifMatch));
  }

  @Get(':id/labels/history')
  @PageRoute({ summary: 'Every label move (who, when, from → to), oldest first; filter: label', page: LabelHistoryPageDto, notFound: 'No such template' })
  async labelHistory(@Param() params: TemplateIdParamsDto, @Query() query: LabelHistoryQueryDto): Promise<LabelHistoryPageDto> {
    return presentPage(await this.templates.labelHistory(params.id, query), presentMove);
  }

  @Get(':id/audit')
  @PageRoute({
    summary: 'The audit trail: every change to the template (creation, versions, reviews, evaluations, label moves) with who, when and the request, in order; filters: action, version',
    page: AuditPageDto,
    notFound: 'No such template',
  })
  async audit(@Param() params: TemplateIdParamsDto, @Query() query: AuditQueryDto): Promise<AuditPageDto> {
    return presentPage(await this.templates.audit(params.id, query), presentAudit);
  }

  @Put(':id/labels/:label')
  @CommandRoute({
    summary: 'Point a label at a version; production only at an approved one; latest moves by itself',
    ifMatch: IF_MATCH,
    ok: LabelDto,
    badRequest: 'Invalid input, or the label latest',
    notFound: 'No such template or version',
    unprocessable: 'production at a version that is not approved, or any label at a rejected or retired one',
  })
  async moveLabel(@Param() params: LabelParamsDto, @Body() dto: MoveLabelDto, @IfMatch() ifMatch?: number) {
    const result = await this.templates.moveLabel(params.id, params.label, dto.version, ifMatch);
    return updatedReply(result, templateLocation(params.id), (doc) => doc.labels.find((l) => l.label === params.label)!);
  }

  @Post(':id/render')
  @HttpCode(200)
  @ReadRoute({
    summary: 'Render a version, by label (default production) or number, with variables — the run-time call',
    description: 'ETag: content hash of (template id, version, variables); If-None-Match with it answers 304.',
    headers: [{ name: 'If-None-Match', required: false }],
    ok: RenderedDto,
    responses: [{ status: 304, description: 'Not modified' }],
    badRequest: 'Missing variables (listed in errors[]), or both label and version',
    notFound: 'No such template, label or version',
  })
  async render(@Param() params: TemplateIdParamsDto, @Body() dto: RenderDto) {
    const rendered = await this.templates.render(params.id, dto);
    const { doc, view } = rendered;
    const body = { id: doc.template_id, version: view.version, label: rendered.label, type: doc.type, prompt: rendered.prompt, config: JSON.parse(view.config_json) } satisfies RenderedDto;
    return new TaggedBody(rendered.etag, body, { conditional: true });
  }

  /** Answers with the version a review command was about (the template's stream version as the ETag). */
  private versionReply(result: TemplateCommandResult) {
    return updatedReply(result, templateLocation(result.templateId), presentVersionNumbered(result.versionNumber));
  }
}
