import {
  CloudEvent,
  EvaluationFinding,
  promptGovernanceCatalog,
  PromptTemplateBody,
  PromptTemplateType,
  PromptVersionStatus,
  TemplateEvent,
  TemplatePolicy,
  Topics,
} from '@mlops/events';
import { DerivedDocument, derivedSchema, DerivedWrite, Projection, ReadModelDocument, readModelSchema } from '@mlops/event-sourcing';
import { VERSION_STATUSES } from './template.decider';

export interface EvaluationView {
  evaluation_id: string;
  score: number;
  passed: boolean;
  pass_score: number;
  approx_tokens: number;
  test_cases: { total: number; passed: number };
  findings: EvaluationFinding[];
  evaluated_at: string;
  evaluated_by: string;
}

export interface TemplateVersionView {
  version: number;
  template: PromptTemplateBody;
  variables: string[];
  declared_variables: string[] | null;
  config_json: string;
  commit_message: string;
  status: PromptVersionStatus;
  author: string;
  created_at: string;
  submitted_by: string | null;
  submitted_at: string | null;
  reviewed_by: string | null;
  reviewed_at: string | null;
  review_comment: string | null;
  retired_by: string | null;
  retired_at: string | null;
  evaluation: EvaluationView | null;
}

export interface LabelView {
  label: string;
  version: number;
  moved_by: string;
  moved_at: string;
}

/** One document per template stream (`_id` template:<id>, `version` = stream version = the ETag) with every version and label. */
export interface TemplateDocument extends ReadModelDocument {
  template_id: string;
  name: string;
  description: string;
  type: PromptTemplateType;
  owner: string;
  tags: string[];
  policy: TemplatePolicy;
  latest_version: number;
  /** The statuses its versions have, for the `status` list filter. */
  statuses: PromptVersionStatus[];
  labels: LabelView[];
  versions: TemplateVersionView[];
  created_at: string;
  created_by: string;
  updated_at: string;
  updated_by: string;
}

/** One document per label move: the label history, in stream order. */
export interface LabelMoveDocument extends DerivedDocument {
  template_id: string;
  label: string;
  from_version: number | null;
  to_version: number;
  moved_by: string;
  moved_at: string;
  automatic: boolean;
  stream_version: number;
}

/** One document per event of a template stream: the audit trail (who did what, when, under which request). */
export interface AuditEntryDocument extends DerivedDocument {
  template_id: string;
  stream_version: number;
  /** The event's name, e.g. TemplateVersionApproved. */
  action: string;
  /** The wire type, e.g. mlops.prompt-governance.template_version.approved.v1. */
  event_type: string;
  /** The template version the event is about; null for the template's creation. */
  version: number | null;
  actor: string;
  time: string;
  correlation_id: string;
  /** The event's data without the bulky parts (template text, model settings, findings). */
  details: Record<string, unknown>;
}

export const LABEL_HISTORY_COLLECTION = 'template_label_history';
export const AUDIT_COLLECTION = 'template_audit';
/** `_id` of a template stream's derived documents: the template, then its stream version, so `_id` order is stream order. */
export const labelMoveId = (templateId: string, streamVersion: number) => `${templateId}|${String(streamVersion).padStart(10, '0')}`;
export const auditEntryId = labelMoveId;

/** The list filters, each with `_id` for the keyset page (findPage). */
export const templatesSchema = readModelSchema('templates', {
  template_id: String,
  name: String,
  description: String,
  // `type` declares a field's type in a mongoose schema, so this field says it the long way.
  type: { type: String },
  owner: String,
  tags: [String],
  policy: Object,
  latest_version: Number,
  statuses: [{ type: String, enum: VERSION_STATUSES }],
  labels: [Object],
  versions: [Object],
  created_at: String,
  created_by: String,
  updated_at: String,
  updated_by: String,
});
templatesSchema.index({ statuses: 1, _id: 1 }, { name: 'statuses_id' });
templatesSchema.index({ owner: 1, _id: 1 }, { name: 'owner_id' });
templatesSchema.index({ tags: 1, _id: 1 }, { name: 'tags_id' });

/** Paged by `_id` range (one template's moves, in stream order), filtered by label. */
export const labelHistorySchema = derivedSchema(LABEL_HISTORY_COLLECTION, {
  template_id: String,
  label: String,
  from_version: Number,
  to_version: Number,
  moved_by: String,
  moved_at: String,
  automatic: Boolean,
  stream_version: Number,
});

/** Paged by `_id` range (one template's events, in stream order), filtered by action or version. */
export const auditSchema = derivedSchema(AUDIT_COLLECTION, {
  template_id: String,
  stream_version: Number,
  action: String,
  event_type: String,
  version: Number,
  actor: String,
  time: String,
  correlation_id: String,
  details: Object,
});

const BULKY = new Set(['template', 'config_json', 'findings']);

const updateVersion = (doc: TemplateDocument, version: number, change: Partial<TemplateVersionView>): TemplateVersionView[] =>
  doc.versions.map((v) => (v.version === version ? { ...v, ...change } : v));

function nextVersions(current: TemplateDocument | null, event: CloudEvent<any>, e: TemplateEvent): TemplateVersionView[] {
  const versions = current?.versions ?? [];
  const at = event.time;
  switch (e.type) {
    case 'TemplateVersionCreated': {
      const { template_id: _id, author, ...created } = e.data;
      return [
        ...versions,
        {
          ...created,
          status: 'draft',
          author,
          created_at: at,
          submitted_by: null,
          submitted_at: null,
          reviewed_by: null,
          reviewed_at: null,
          review_comment: null,
          retired_by: null,
          retired_at: null,
          evaluation: null,
        },
      ];
    }
    case 'TemplateVersionSubmitted':
      return updateVersion(current!, e.data.version, { status: 'pending_review', submitted_by: e.data.submitted_by, submitted_at: at });
    case 'TemplateVersionApproved':
      return updateVersion(current!, e.data.version, { status: 'approved', reviewed_by: e.data.approved_by, reviewed_at: at, review_comment: e.data.comment });
    case 'TemplateVersionRejected':
      return updateVersion(current!, e.data.version, { status: 'rejected', reviewed_by: e.data.rejected_by, reviewed_at: at, review_comment: e.data.reason });
    case 'TemplateVersionRetired':
      return updateVersion(current!, e.data.version, { status: 'retired', retired_by: e.data.retired_by, retired_at: at });
    case 'TemplateVersionEvaluated': {
      const { template_id: _id, version, evaluated_by, ...result } = e.data;
      return updateVersion(current!, version, { evaluation: { ...result, evaluated_at: at, evaluated_by } });
    }
    default:
      return versions;
  }
}

/** Templates read model, plus every label move (the label history) and every event (the audit trail) as their own documents. */
export const templatesProjection: Projection<TemplateDocument> = {
  name: 'templates',
  topic: Topics.promptGovernance,
  streamType: 'template',
  derivedCollections: [LABEL_HISTORY_COLLECTION, AUDIT_COLLECTION],
  schema: templatesSchema,
  derivedSchemas: { [LABEL_HISTORY_COLLECTION]: labelHistorySchema, [AUDIT_COLLECTION]: auditSchema },
  evolve(current, event: CloudEvent<any>) {
    const e = { type: promptGovernanceCatalog.nameOf(event.type), data: event.data } as TemplateEvent;
    const touched = { updated_at: event.time, updated_by: event.actor };
    if (e.type === 'TemplateCreated') {
      const { template_id, name, description, type, owner, tags, policy } = e.data;
      return {
        template_id,
        name,
        description,
        type,
        owner,
        tags,
        policy,
        latest_version: 0,
        statuses: [],
        labels: [],
        versions: [],
        created_at: event.time,
        created_by: event.actor,
        ...touched,
      };
    }
    const { _id: _ignored, version: _streamVersion, ...doc } = current!;
    const versions = nextVersions(current, event, e);
    let labels = doc.labels;
    if (e.type === 'TemplateLabelMoved') {
      const moved = { label: e.data.label, version: e.data.to_version, moved_by: e.data.moved_by, moved_at: event.time };
      labels = [...labels.filter((l) => l.label !== e.data.label), moved].sort((a, b) => (a.label < b.label ? -1 : 1));
    }
    return {
      ...doc,
      versions,
      labels,
      latest_version: versions.length,
      statuses: VERSION_STATUSES.filter((status) => versions.some((v) => v.status === status)),
      ...touched,
    };
  },
  derive(event: CloudEvent<any>) {
    const action = promptGovernanceCatalog.nameOf(event.type);
    const data = event.data as Record<string, unknown>;
    const audit: AuditEntryDocument = {
      _id: auditEntryId(data.template_id as string, event.streamversion),
      template_id: data.template_id as string,
      stream_version: event.streamversion,
      action,
      event_type: event.type,
      version: typeof data.version === 'number' ? data.version : typeof data.to_version === 'number' ? data.to_version : null,
      actor: event.actor,
      time: event.time,
      correlation_id: event.correlationid,
      details: Object.fromEntries(Object.entries(data).filter(([key]) => key !== 'template_id' && !BULKY.has(key))),
    };
    const writes: DerivedWrite[] = [{ collection: AUDIT_COLLECTION, documents: [audit], insertOnly: true }];
    if (action !== 'TemplateLabelMoved') return writes;
    const { template_id, label, from_version, to_version, moved_by, automatic } = event.data;
    const document: LabelMoveDocument = {
      _id: labelMoveId(template_id, event.streamversion),
      template_id,
      label,
      from_version,
      to_version,
      moved_by,
      moved_at: event.time,
      automatic,
      stream_version: event.streamversion,
    };
    return [...writes, { collection: LABEL_HISTORY_COLLECTION, documents: [document], insertOnly: true }];
  },
};
