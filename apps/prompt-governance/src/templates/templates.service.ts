import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { BoundAggregate, CommandMetadata, CommandResult, filterFrom, InjectAggregate, invalidInput, notFound, Page } from '@mlops/event-sourcing';
import { commandMetadata, currentContext, SERVICE_CONFIG } from '@mlops/platform';
import { PromptGovernanceConfig } from '../config';
import { canonicalJson } from './canonical-json';
import { missingVariables, render, Rendered } from './prompt-text';
import { templateAggregate } from './template.aggregate';
import { Approver, PRODUCTION_LABEL, TemplateCommand } from './template.decider';
import { AuditQueryDto, CreateTemplateDto, LabelHistoryQueryDto, ListTemplatesQueryDto, NewVersionDto, RenderDto } from './template-requests.dto';
import {
  AUDIT_COLLECTION,
  AuditEntryDocument,
  LABEL_HISTORY_COLLECTION,
  LabelMoveDocument,
  TemplateDocument,
  TemplateVersionView,
} from './templates.projection';

/** Enough for every one of dozens of parallel new versions of one template to get its number. */
const VERSION_RETRIES = 50;
/**
 * Without If-Match, a command that lost a race to an unrelated one on the same template (an
 * evaluation, a label move) is decided again on the fresh state — where its rules are checked anew.
 */
const COMMAND_RETRIES = 5;

/** A template's documents in the derived collections: `_id` is <template>|<stream version>, so a range on it selects them in order. */
const ofTemplate = (templateId: string) => ({ _id: { $gt: `${templateId}|`, $lt: `${templateId}|~` } });

export type TemplateCommandResult = CommandResult<TemplateDocument> & { templateId: string; versionNumber: number };

export interface RenderResult {
  doc: TemplateDocument;
  view: TemplateVersionView;
  label: string | null;
  prompt: Rendered;
  /** Strong ETag from the content hash of (template id, version, variables): versions never change. */
  etag: string;
}

@Injectable()
export class TemplatesService {
  constructor(
    @InjectAggregate(templateAggregate) private readonly templates: BoundAggregate<typeof templateAggregate>,
    @Inject(SERVICE_CONFIG) private readonly config: PromptGovernanceConfig,
  ) {}

  private approver(actor: string): Approver {
    return { actor, roles: currentContext()?.roles ?? [], approver_role: this.config.PROMPT_APPROVER_ROLE };
  }

  async create(dto: CreateTemplateDto): Promise<TemplateCommandResult> {
    const metadata = commandMetadata();
    const command: TemplateCommand = {
      type: 'CreateTemplate',
      data: {
        template_id: dto.id,
        name: dto.name,
        description: dto.description ?? '',
        type: dto.type ?? 'text',
        owner: dto.owner ?? metadata.actor,
        tags: dto.tags ?? [],
        policy: { require_passing_evaluation: dto.policy?.require_passing_evaluation ?? false },
        actor: metadata.actor,
        ...this.newVersion(dto),
      },
    };
    return this.execute(dto.id, command, 1, {}, metadata);
  }

  async addVersion(templateId: string, dto: NewVersionDto, ifMatch?: number): Promise<TemplateCommandResult> {
    const metadata = commandMetadata();
    const command: TemplateCommand = { type: 'AddVersion', data: { template_id: templateId, actor: metadata.actor, ...this.newVersion(dto) } };
    return this.execute(templateId, command, null, { ifMatch, retries: VERSION_RETRIES }, metadata);
  }

  submit(templateId: string, version: number, ifMatch?: number) {
    const metadata = commandMetadata();
    return this.execute(templateId, { type: 'SubmitVersion', data: { template_id: templateId, version, actor: metadata.actor } }, version, { ifMatch, retries: COMMAND_RETRIES }, metadata);
  }

  approve(templateId: string, version: number, comment: string, ifMatch?: number) {
    const metadata = commandMetadata();
    const command: TemplateCommand = { type: 'ApproveVersion', data: { template_id: templateId, version, comment, ...this.approver(metadata.actor) } };
    return this.execute(templateId, command, version, { ifMatch, retries: COMMAND_RETRIES }, metadata);
  }

  reject(templateId: string, version: number, reason: string, ifMatch?: number) {
    const metadata = commandMetadata();
    const command: TemplateCommand = { type: 'RejectVersion', data: { template_id: templateId, version, reason, ...this.approver(metadata.actor) } };
    return this.execute(templateId, command, version, { ifMatch, retries: COMMAND_RETRIES }, metadata);
  }

  retire(templateId: string, version: number, reason: string, ifMatch?: number) {
    const metadata = commandMetadata();
    const command: TemplateCommand = { type: 'RetireVersion', data: { template_id: templateId, version, reason, ...this.approver(metadata.actor) } };
    return this.execute(templateId, command, version, { ifMatch, retries: COMMAND_RETRIES }, metadata);
  }

  moveLabel(templateId: string, label: string, version: number, ifMatch?: number) {
    const metadata = commandMetadata();
    return this.execute(templateId, { type: 'MoveLabel', data: { template_id: templateId, label, version, actor: metadata.actor } }, version, { ifMatch, retries: COMMAND_RETRIES }, metadata);
  }

  get(templateId: string): Promise<TemplateDocument> {
    return this.templates.get(templateId);
  }

  list(query: ListTemplatesQueryDto): Promise<Page<TemplateDocument>> {
    return this.templates.page(filterFrom(query, { status: 'statuses', owner: 'owner', tag: 'tags' }), query);
  }

  async labelHistory(templateId: string, query: LabelHistoryQueryDto): Promise<Page<LabelMoveDocument>> {
    await this.get(templateId);
    const history = this.templates.readModel.derived<LabelMoveDocument>(LABEL_HISTORY_COLLECTION);
    return history.page({ ...ofTemplate(templateId), ...filterFrom(query, { label: 'label' }) }, query);
  }

  /** Every event of the template in stream order: the audit trail; filters: action, version. */
  async audit(templateId: string, query: AuditQueryDto): Promise<Page<AuditEntryDocument>> {
    await this.get(templateId);
    const entries = this.templates.readModel.derived<AuditEntryDocument>(AUDIT_COLLECTION);
    return entries.page({ ...ofTemplate(templateId), ...filterFrom(query, { action: 'action', version: 'version' }) }, query);
  }

  async render(templateId: string, dto: RenderDto): Promise<RenderResult> {
    if (dto.label !== undefined && dto.version !== undefined) {
      throw invalidInput('Give a label or a version, not both', [{ field: 'label', message: 'not with version' }]);
    }
    const doc = await this.get(templateId);
    let version = dto.version;
    const label = version === undefined ? (dto.label ?? PRODUCTION_LABEL) : null;
    if (label !== null) {
      version = doc.labels.find((l) => l.label === label)?.version;
      if (version === undefined) throw notFound(`Template ${templateId} has no label ${label}`);
    }
    const view = doc.versions.find((v) => v.version === version);
    if (!view) throw notFound(`Template ${templateId} has no version ${version}`);
    const variables = dto.variables ?? {};
    const missing = missingVariables(view.template, variables);
    if (missing.length) {
      throw invalidInput(
        `Missing variables: ${missing.join(', ')}`,
        missing.map((name) => ({ field: `variables.${name}`, message: `${name} is required by version ${view.version}` })),
      );
    }
    const hash = createHash('sha256').update(canonicalJson([templateId, view.version, variables])).digest('base64url');
    return { doc, view, label, prompt: render(view.template, variables), etag: `"${hash}"` };
  }

  private newVersion(dto: NewVersionDto) {
    return {
      template: dto.template,
      declared_variables: dto.variables ?? null,
      config_json: canonicalJson(dto.config ?? {}),
      commit_message: dto.commit_message ?? '',
    };
  }

  private async execute(
    templateId: string,
    command: TemplateCommand,
    versionNumber: number | null,
    options: { ifMatch?: number; retries?: number },
    metadata: CommandMetadata,
  ): Promise<TemplateCommandResult> {
    const result = await this.templates.execute(templateId, command, { ...options, metadata });
    const created = result.events.find((e) => e.type === 'TemplateVersionCreated');
    const number = versionNumber ?? (created?.data as { version: number }).version;
    return { version: result.version, doc: result.doc, templateId, versionNumber: number };
  }
}
