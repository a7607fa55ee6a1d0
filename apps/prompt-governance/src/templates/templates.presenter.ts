import { PROMPT_GOVERNANCE_API } from '../routes';
import type { TemplateDetailDto, TemplateSummaryDto, TemplateVersionDto } from './template-responses.dto';
import type { AuditEntryDocument, LabelMoveDocument, TemplateDocument, TemplateVersionView } from './templates.projection';

export const templateLocation = (id: string) => `/${PROMPT_GOVERNANCE_API}/templates/${encodeURIComponent(id)}`;
export const templateVersionLocation = (id: string, version: number) => `${templateLocation(id)}/versions/${version}`;

export function presentVersion(doc: TemplateDocument, view: TemplateVersionView): TemplateVersionDto {
  const { config_json, ...rest } = view;
  return { ...rest, config: JSON.parse(config_json) as Record<string, unknown>, labels: doc.labels.filter((l) => l.version === view.version).map((l) => l.label) };
}

/** The version a command was about, as the read model shows it after the command. */
export const presentVersionNumbered = (versionNumber: number) => (doc: TemplateDocument) =>
  presentVersion(doc, doc.versions.find((v) => v.version === versionNumber)!);

export const presentSummary = (doc: TemplateDocument): TemplateSummaryDto => ({
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

export const presentDetail = (doc: TemplateDocument): TemplateDetailDto => ({ ...presentSummary(doc), versions: doc.versions.map((v) => presentVersion(doc, v)) });

export const presentMove = ({ label, from_version, to_version, moved_by, moved_at, automatic }: LabelMoveDocument) => ({ label, from_version, to_version, moved_by, moved_at, automatic });

export const presentAudit = ({ stream_version, action, event_type, version, actor, time, correlation_id, details }: AuditEntryDocument) => ({
  stream_version,
  action,
  event_type,
  version,
  actor,
  time,
  correlation_id,
  details,
});
