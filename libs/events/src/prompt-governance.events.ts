import { EventCatalog } from './catalog';
import { PayloadReference } from './payload-ref';
import { Topics } from './topics';
import templateCreated from '../schemas/prompt-governance/template.created.v1.json';
import templateVersionCreated from '../schemas/prompt-governance/template_version.created.v1.json';
import templateVersionSubmitted from '../schemas/prompt-governance/template_version.submitted.v1.json';
import templateVersionApproved from '../schemas/prompt-governance/template_version.approved.v1.json';
import templateVersionRejected from '../schemas/prompt-governance/template_version.rejected.v1.json';
import templateVersionRetired from '../schemas/prompt-governance/template_version.retired.v1.json';
import templateVersionEvaluated from '../schemas/prompt-governance/template_version.evaluated.v1.json';
import templateLabelMoved from '../schemas/prompt-governance/template_label.moved.v1.json';
import usageLogged from '../schemas/prompt-governance/usage.logged.v1.json';

export type PromptTemplateType = 'text' | 'chat';
export type PromptVersionStatus = 'draft' | 'pending_review' | 'approved' | 'rejected' | 'retired';
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: string;
}
/** A text template is one string; a chat template is a list of messages, each content a template. */
export type PromptTemplateBody = string | ChatMessage[];

export interface TemplatePolicy {
  /** Approval needs a passing automatic evaluation of the version being approved. */
  require_passing_evaluation: boolean;
}

export interface TemplateCreatedData {
  template_id: string;
  name: string;
  description: string;
  type: PromptTemplateType;
  owner: string;
  tags: string[];
  policy: TemplatePolicy;
}
export interface TemplateVersionCreatedData {
  template_id: string;
  version: number;
  template: PromptTemplateBody;
  /** Placeholders used by the template (top-level names), sorted. */
  variables: string[];
  /** Variables the author declared; null when none were declared. */
  declared_variables: string[] | null;
  /** Model settings as canonical JSON text: any JSON object, never stored with user keys as document keys. */
  config_json: string;
  commit_message: string;
  author: string;
}
export interface TemplateVersionSubmittedData {
  template_id: string;
  version: number;
  submitted_by: string;
}
export interface TemplateVersionApprovedData {
  template_id: string;
  version: number;
  approved_by: string;
  comment: string;
}
export interface TemplateVersionRejectedData {
  template_id: string;
  version: number;
  rejected_by: string;
  reason: string;
}
export interface TemplateVersionRetiredData {
  template_id: string;
  version: number;
  retired_by: string;
  reason: string;
}
export type FindingSeverity = 'info' | 'warning' | 'error';
export interface EvaluationFinding {
  check: string;
  severity: FindingSeverity;
  message: string;
  /** Where in the template (or which test case): message index for chat templates, character offsets. */
  location: { message: number | null; test_case: number | null; start: number | null; end: number | null };
}
export interface TemplateVersionEvaluatedData {
  template_id: string;
  version: number;
  evaluation_id: string;
  score: number;
  passed: boolean;
  pass_score: number;
  approx_tokens: number;
  test_cases: { total: number; passed: number };
  findings: EvaluationFinding[];
  evaluated_by: string;
}
export interface TemplateLabelMovedData {
  template_id: string;
  label: string;
  from_version: number | null;
  to_version: number;
  moved_by: string;
  /** `latest` moves by itself with every new version. */
  automatic: boolean;
}

export type UsageOutcome = 'success' | 'error';
export interface UsageRecord {
  caller: string;
  environment: string;
  input_tokens: number;
  output_tokens: number;
  latency_ms: number;
  cost: number;
  outcome: UsageOutcome;
  timestamp: string;
}
export interface UsageLoggedData {
  template_id: string;
  version: number;
  batch_id: string;
  /** The batch's records (1–1,000 {@link UsageRecord}s) in the payload store: events stay small. */
  records_ref: PayloadReference;
  count: number;
  error_count: number;
  input_tokens: number;
  output_tokens: number;
  cost: number;
  /** Sum of the records' latencies: with `count`, a consumer's mean latency without reading the records. Absent on events logged before it existed. */
  latency_ms_sum?: number;
}

export type TemplateEvent =
  | { type: 'TemplateCreated'; data: TemplateCreatedData }
  | { type: 'TemplateVersionCreated'; data: TemplateVersionCreatedData }
  | { type: 'TemplateVersionSubmitted'; data: TemplateVersionSubmittedData }
  | { type: 'TemplateVersionApproved'; data: TemplateVersionApprovedData }
  | { type: 'TemplateVersionRejected'; data: TemplateVersionRejectedData }
  | { type: 'TemplateVersionRetired'; data: TemplateVersionRetiredData }
  | { type: 'TemplateVersionEvaluated'; data: TemplateVersionEvaluatedData }
  | { type: 'TemplateLabelMoved'; data: TemplateLabelMovedData };

export type UsageEvent = { type: 'UsageLogged'; data: UsageLoggedData };

export const promptGovernanceCatalog = new EventCatalog(Topics.promptGovernance, '/mlops/prompt-governance', [
  { name: 'TemplateCreated', type: 'mlops.prompt-governance.template.created.v1', schema: templateCreated },
  { name: 'TemplateVersionCreated', type: 'mlops.prompt-governance.template_version.created.v1', schema: templateVersionCreated },
  { name: 'TemplateVersionSubmitted', type: 'mlops.prompt-governance.template_version.submitted.v1', schema: templateVersionSubmitted },
  { name: 'TemplateVersionApproved', type: 'mlops.prompt-governance.template_version.approved.v1', schema: templateVersionApproved },
  { name: 'TemplateVersionRejected', type: 'mlops.prompt-governance.template_version.rejected.v1', schema: templateVersionRejected },
  { name: 'TemplateVersionRetired', type: 'mlops.prompt-governance.template_version.retired.v1', schema: templateVersionRetired },
  { name: 'TemplateVersionEvaluated', type: 'mlops.prompt-governance.template_version.evaluated.v1', schema: templateVersionEvaluated },
  { name: 'TemplateLabelMoved', type: 'mlops.prompt-governance.template_label.moved.v1', schema: templateLabelMoved },
  { name: 'UsageLogged', type: 'mlops.prompt-governance.usage.logged.v1', schema: usageLogged },
]);
