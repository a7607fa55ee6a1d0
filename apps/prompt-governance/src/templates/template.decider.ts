import {
  PromptTemplateBody,
  PromptTemplateType,
  PromptVersionStatus,
  TemplateEvent,
  TemplatePolicy,
  TemplateVersionEvaluatedData,
} from '@mlops/events';
import { conflict, Decider, forbidden, invalidInput, invalidState, notFound } from '@mlops/event-sourcing';
import { sameActor } from '@mlops/platform';
import { placeholdersOf, RESERVED_VARIABLES } from './prompt-text';

export const VERSION_STATUSES: PromptVersionStatus[] = ['draft', 'pending_review', 'approved', 'rejected', 'retired'];

/** The approval machine: submit, approve | reject, retire. Nothing returns to draft. */
export const STATUS_TRANSITIONS: Record<PromptVersionStatus, PromptVersionStatus[]> = {
  draft: ['pending_review'],
  pending_review: ['approved', 'rejected'],
  approved: ['retired'],
  rejected: [],
  retired: [],
};

export const PRODUCTION_LABEL = 'production';
export const LATEST_LABEL = 'latest';

export interface TemplateVersionState {
  version: number;
  author: string;
  status: PromptVersionStatus;
  submitted_by: string | null;
  approved_by: string | null;
  template: PromptTemplateBody;
  variables: string[];
  /** The latest automatic evaluation of this version. */
  evaluation: { score: number; passed: boolean } | null;
}

export interface TemplateState {
  exists: boolean;
  type: PromptTemplateType;
  policy: TemplatePolicy;
  versions: TemplateVersionState[];
  labels: { label: string; version: number }[];
}

export interface NewVersion {
  template: PromptTemplateBody;
  declared_variables: string[] | null;
  config_json: string;
  commit_message: string;
}

/** Who is acting, with the roles the gateway vouched for and the role approving needs. */
export interface Approver {
  actor: string;
  roles: string[];
  approver_role: string;
}

export type TemplateCommand =
  | {
      type: 'CreateTemplate';
      data: { template_id: string; name: string; description: string; type: PromptTemplateType; owner: string; tags: string[]; policy: TemplatePolicy; actor: string } & NewVersion;
    }
  | { type: 'AddVersion'; data: { template_id: string; actor: string } & NewVersion }
  | { type: 'SubmitVersion'; data: { template_id: string; version: number; actor: string } }
  | { type: 'ApproveVersion'; data: { template_id: string; version: number; comment: string } & Approver }
  | { type: 'RejectVersion'; data: { template_id: string; version: number; reason: string } & Approver }
  | { type: 'RetireVersion'; data: { template_id: string; version: number; reason: string } & Approver }
  | { type: 'RecordEvaluation'; data: Omit<TemplateVersionEvaluatedData, 'evaluated_by'> & { actor: string } }
  | { type: 'MoveLabel'; data: { template_id: string; label: string; version: number; actor: string } };

export const TEMPLATE_STREAM_PREFIX = 'template:';
export const templateStreamId = (templateId: string) => `${TEMPLATE_STREAM_PREFIX}${templateId}`;

export const findVersion = (state: TemplateState, version: number) => state.versions.find((v) => v.version === version);
export const labelOf = (state: TemplateState, label: string) => state.labels.find((l) => l.label === label);

function versionEvents(state: TemplateState, templateId: string, type: PromptTemplateType, next: NewVersion, actor: string): TemplateEvent[] {
  if (type === 'text' && typeof next.template !== 'string') {
    throw invalidInput('A text template is one string', [{ field: 'template', message: 'must be a string for a text template' }]);
  }
  if (type === 'chat' && typeof next.template === 'string') {
    throw invalidInput('A chat template is a list of {role, content} messages', [{ field: 'template', message: 'must be an array of messages for a chat template' }]);
  }
  const { variables } = placeholdersOf(next.template);
  const reserved = [
    ...variables.filter((name) => RESERVED_VARIABLES.includes(name)).map((name) => ({ field: 'template', message: `{{${name}}} is a reserved name; no render could supply it` })),
    ...(next.declared_variables ?? []).filter((name) => RESERVED_VARIABLES.includes(name)).map((name) => ({ field: 'variables', message: `${name} is a reserved name` })),
  ];
  if (reserved.length) throw invalidInput(`Variables may not be named ${RESERVED_VARIABLES.join(' or ')}`, reserved);
  const version = state.versions.length + 1;
  const latest = labelOf(state, LATEST_LABEL);
  return [
    { type: 'TemplateVersionCreated', data: { template_id: templateId, version, ...next, variables, author: actor } },
    {
      type: 'TemplateLabelMoved',
      data: { template_id: templateId, label: LATEST_LABEL, from_version: latest?.version ?? null, to_version: version, moved_by: actor, automatic: true },
    },
  ];
}

function existing(state: TemplateState, templateId: string, version: number): TemplateVersionState {
  if (!state.exists) throw notFound(`Template ${templateId} does not exist`);
  const found = findVersion(state, version);
  if (!found) throw notFound(`Template ${templateId} has no version ${version}`);
  return found;
}

function transition(current: TemplateVersionState, templateId: string, to: PromptVersionStatus) {
  if (!STATUS_TRANSITIONS[current.status].includes(to)) {
    throw invalidState(`Version ${current.version} of ${templateId} is ${current.status}; it cannot become ${to}`);
  }
}

function requireApprover({ actor, roles, approver_role }: Approver, action: string) {
  if (!roles.includes(approver_role)) throw forbidden(`${actor} may not ${action}: the ${approver_role} role is required`);
}

export function decide(command: TemplateCommand, state: TemplateState): TemplateEvent[] {
  switch (command.type) {
    case 'CreateTemplate': {
      const { template_id, name, description, type, owner, tags, policy, actor, ...next } = command.data;
      if (state.exists) throw conflict(`Template ${template_id} already exists`);
      return [
        { type: 'TemplateCreated', data: { template_id, name, description, type, owner, tags, policy } },
        ...versionEvents(state, template_id, type, next, actor),
      ];
    }
    case 'AddVersion': {
      const { template_id, actor, ...next } = command.data;
      if (!state.exists) throw notFound(`Template ${template_id} does not exist`);
      return versionEvents(state, template_id, state.type, next, actor);
    }
    case 'SubmitVersion': {
      const { template_id, version, actor } = command.data;
      transition(existing(state, template_id, version), template_id, 'pending_review');
      return [{ type: 'TemplateVersionSubmitted', data: { template_id, version, submitted_by: actor } }];
    }
    case 'ApproveVersion': {
      const { template_id, version, comment, ...approver } = command.data;
      const current = existing(state, template_id, version);
      requireApprover(approver, 'approve');
      transition(current, template_id, 'approved');
      // Four-eyes: someone other than the one who wrote it and the one who asked for review.
      // Canonical comparison here too: versions written before actors were canonicalised at entry keep their author as sent.
      if (sameActor(approver.actor, current.submitted_by)) throw forbidden(`${approver.actor} submitted version ${version} and may not approve it`);
      if (sameActor(approver.actor, current.author)) throw forbidden(`${approver.actor} wrote version ${version} and may not approve it`);
      if (state.policy.require_passing_evaluation && !current.evaluation?.passed) {
        throw invalidState(
          current.evaluation
            ? `Version ${version} of ${template_id} failed its latest evaluation (score ${current.evaluation.score}); the template's policy needs a passing one`
            : `Version ${version} of ${template_id} has not been evaluated; the template's policy needs a passing evaluation before approval`,
        );
      }
      return [{ type: 'TemplateVersionApproved', data: { template_id, version, approved_by: approver.actor, comment } }];
    }
    case 'RejectVersion': {
      const { template_id, version, reason, ...approver } = command.data;
      const current = existing(state, template_id, version);
      requireApprover(approver, 'reject');
      transition(current, template_id, 'rejected');
      return [{ type: 'TemplateVersionRejected', data: { template_id, version, rejected_by: approver.actor, reason } }];
    }
    case 'RetireVersion': {
      const { template_id, version, reason, ...approver } = command.data;
      const current = existing(state, template_id, version);
      requireApprover(approver, 'retire');
      transition(current, template_id, 'retired');
      const pointing = state.labels.filter((l) => l.version === version && l.label !== LATEST_LABEL).map((l) => l.label);
      if (pointing.length) throw invalidState(`Labels ${pointing.join(', ')} point at version ${version}; move them first`);
      return [{ type: 'TemplateVersionRetired', data: { template_id, version, retired_by: approver.actor, reason } }];
    }
    case 'RecordEvaluation': {
      const { actor, ...result } = command.data;
      existing(state, result.template_id, result.version);
      return [{ type: 'TemplateVersionEvaluated', data: { ...result, evaluated_by: actor } }];
    }
    case 'MoveLabel': {
      const { template_id, label, version, actor } = command.data;
      if (label === LATEST_LABEL) {
        throw invalidInput(`${LATEST_LABEL} follows the newest version by itself`, [{ field: 'label', message: `${LATEST_LABEL} cannot be moved` }]);
      }
      const target = existing(state, template_id, version);
      if (target.status === 'rejected' || target.status === 'retired') {
        throw invalidState(`Version ${version} of ${template_id} is ${target.status}; no label may point at it`);
      }
      if (label === PRODUCTION_LABEL && target.status !== 'approved') {
        throw invalidState(`Only an approved version may be labelled ${PRODUCTION_LABEL}; version ${version} is ${target.status}`);
      }
      const current = labelOf(state, label);
      if (current?.version === version) return [];
      return [{ type: 'TemplateLabelMoved', data: { template_id, label, from_version: current?.version ?? null, to_version: version, moved_by: actor, automatic: false } }];
    }
  }
}

const updateVersion = (state: TemplateState, version: number, change: Partial<TemplateVersionState>): TemplateState => ({
  ...state,
  versions: state.versions.map((v) => (v.version === version ? { ...v, ...change } : v)),
});

export function evolve(state: TemplateState, event: TemplateEvent): TemplateState {
  switch (event.type) {
    case 'TemplateCreated':
      return { ...state, exists: true, type: event.data.type, policy: event.data.policy };
    case 'TemplateVersionCreated': {
      const { version, author, template, variables } = event.data;
      return {
        ...state,
        versions: [...state.versions, { version, author, template, variables, status: 'draft', submitted_by: null, approved_by: null, evaluation: null }],
      };
    }
    case 'TemplateVersionSubmitted':
      return updateVersion(state, event.data.version, { status: 'pending_review', submitted_by: event.data.submitted_by });
    case 'TemplateVersionApproved':
      return updateVersion(state, event.data.version, { status: 'approved', approved_by: event.data.approved_by });
    case 'TemplateVersionRejected':
      return updateVersion(state, event.data.version, { status: 'rejected' });
    case 'TemplateVersionRetired':
      return updateVersion(state, event.data.version, { status: 'retired' });
    case 'TemplateVersionEvaluated':
      return updateVersion(state, event.data.version, { evaluation: { score: event.data.score, passed: event.data.passed } });
    case 'TemplateLabelMoved': {
      const { label, to_version } = event.data;
      const others = state.labels.filter((l) => l.label !== label);
      return { ...state, labels: [...others, { label, version: to_version }].sort((a, b) => (a.label < b.label ? -1 : 1)) };
    }
  }
}

export const initialState = (): TemplateState => ({
  exists: false,
  type: 'text',
  policy: { require_passing_evaluation: false },
  versions: [],
  labels: [],
});

export const templateDecider: Decider<TemplateCommand, TemplateEvent, TemplateState> = {
  decide,
  evolve,
  initialState,
  // Bump when TemplateState or evolve changes: older snapshots are then ignored.
  snapshot: { schema: 'template.v1' },
};
