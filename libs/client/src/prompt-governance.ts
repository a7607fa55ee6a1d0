import { type ApiClient, ok } from './client';
import type { components, operations } from './schema';

type Schemas = components['schemas'];
type Query<Op extends keyof operations> = NonNullable<operations[Op]['parameters']['query']>;

export type TemplateSummary = Schemas['TemplateSummaryDto'];
export type TemplateDetail = Schemas['TemplateDetailDto'];
export type TemplateVersion = Schemas['TemplateVersionDto'];
export type TemplateVersionStatus = TemplateVersion['status'];
export type TemplateText = TemplateVersion['template'];
export type Finding = Schemas['FindingDto'];
export type EvaluationResult = Schemas['EvaluationResultDto'];
export type LabelMove = Schemas['LabelMoveDto'];
export type AuditEntry = Schemas['AuditEntryDto'];
export type Rendered = Schemas['RenderedDto'];
export type RenderRequest = Schemas['RenderDto'];
export type NewVersion = Schemas['NewVersionDto'];
export type UsagePage = Schemas['UsagePageDto'];
export type UsageDay = Schemas['UsageDayDto'];
export type ReviewPolicy = Schemas['ReviewPolicyDto'];
export type TemplateFilter = Omit<Query<'PromptGovernanceTemplatesController_list'>, 'cursor'>;
export type UsageFilter = Omit<Query<'PromptGovernanceUsageController_read'>, 'cursor'>;

const BASE = '/api/v1/prompt-governance';
const ifMatch = (etag: string | null | undefined) => (etag ? { 'If-Match': etag } : undefined);

/** The Prompt Governance API over the typed client: each call answers its data and ETag or throws ApiError. */
export function promptGovernanceApi(client: ApiClient) {
  const version = (id: string, v: number) => ({ id, version: v });
  return {
    listTemplates: (filter: TemplateFilter = {}, cursor?: string) => ok(client.GET(`${BASE}/templates`, { params: { query: { ...filter, cursor } } })),
    getTemplate: (id: string) => ok(client.GET(`${BASE}/templates/{id}`, { params: { path: { id } } })),
    createTemplate: (body: Schemas['CreateTemplateDto']) => ok(client.POST(`${BASE}/templates`, { body })),
    addVersion: (id: string, body: NewVersion, etag?: string | null) =>
      ok(client.POST(`${BASE}/templates/{id}/versions`, { params: { path: { id }, header: ifMatch(etag) }, body })),
    submit: (id: string, v: number, etag?: string | null) =>
      ok(client.POST(`${BASE}/templates/{id}/{version}/submit`, { params: { path: version(id, v), header: ifMatch(etag) } })),
    approve: (id: string, v: number, comment: string | undefined, etag?: string | null) =>
      ok(client.POST(`${BASE}/templates/{id}/{version}/approve`, { params: { path: version(id, v), header: ifMatch(etag) }, body: comment ? { comment } : {} })),
    reject: (id: string, v: number, reason: string, etag?: string | null) =>
      ok(client.POST(`${BASE}/templates/{id}/{version}/reject`, { params: { path: version(id, v), header: ifMatch(etag) }, body: { reason } })),
    retire: (id: string, v: number, reason: string | undefined, etag?: string | null) =>
      ok(client.POST(`${BASE}/templates/{id}/{version}/retire`, { params: { path: version(id, v), header: ifMatch(etag) }, body: reason ? { reason } : {} })),
    moveLabel: (id: string, label: string, v: number, etag?: string | null) =>
      ok(client.PUT(`${BASE}/templates/{id}/labels/{label}`, { params: { path: { id, label }, header: ifMatch(etag) }, body: { version: v } })),
    labelHistory: (id: string, label?: string, cursor?: string) =>
      ok(client.GET(`${BASE}/templates/{id}/labels/history`, { params: { path: { id }, query: { label, cursor } } })),
    audit: (id: string, cursor?: string) => ok(client.GET(`${BASE}/templates/{id}/audit`, { params: { path: { id }, query: { cursor } } })),
    render: (id: string, body: RenderRequest) => ok(client.POST(`${BASE}/templates/{id}/render`, { params: { path: { id } }, body })),
    evaluate: (body: Schemas['EvaluateDto']) => ok(client.POST(`${BASE}/evaluate`, { body })),
    reviewPolicy: () => ok(client.GET(`${BASE}/review-policy`)),
    usage: (id: string, v: number, filter: UsageFilter = {}, cursor?: string) =>
      ok(client.GET(`${BASE}/templates/{id}/{version}/usage`, { params: { path: version(id, v), query: { ...filter, cursor } } })),
    logUsage: (id: string, v: number, body: Schemas['UsageRecordDto'] | Schemas['UsageBatchDto']) =>
      ok(client.POST(`${BASE}/templates/{id}/{version}/usage`, { params: { path: version(id, v) }, body })),
  };
}

export type PromptGovernanceApi = ReturnType<typeof promptGovernanceApi>;

/** A version's text as one string: a text template as is, chat messages as `role: content` blocks. */
export function templateText(template: TemplateText): string {
  return typeof template === 'string' ? template : template.map((m) => `[${m.role}]\n${m.content}`).join('\n\n');
}

/** The spans of a text a finding points at (character offsets in a text template, or in one chat message). */
export function findingSpans(findings: Finding[], message: number | null = null): { start: number; end: number; finding: Finding }[] {
  return findings
    .filter((f) => f.location.start !== null && f.location.end !== null && f.location.test_case === null && f.location.message === message)
    .map((f) => ({ start: f.location.start!, end: f.location.end!, finding: f }))
    .sort((a, b) => a.start - b.start || b.end - a.end);
}
