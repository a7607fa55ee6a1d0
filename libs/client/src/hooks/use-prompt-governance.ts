import { queryOptions, useInfiniteQuery, useQuery } from '@tanstack/react-query';
import type { components } from '../schema';
import { type NewVersion, type PromptGovernanceApi, type RenderRequest, type TemplateFilter, type UsageFilter } from '../prompt-governance';
import { useApis } from './api-context';
import { pages, useTaggedChange } from './query-kit';

export const promptKeys = {
  all: ['prompt-governance'] as const,
  templates: () => [...promptKeys.all, 'templates'] as const,
  template: (id: string) => [...promptKeys.templates(), 'one', id] as const,
};

export function promptGovernanceQueries(api: PromptGovernanceApi) {
  return {
    templates: (filter: TemplateFilter = {}) => pages(promptKeys.templates(), api.listTemplates, filter),
    template: (id: string) => queryOptions({ queryKey: promptKeys.template(id), queryFn: () => api.getTemplate(id) }),
    reviewPolicy: () => queryOptions({ queryKey: [...promptKeys.all, 'review-policy'], queryFn: async () => (await api.reviewPolicy()).data, staleTime: 300_000 }),
    labelHistory: (id: string, label?: string) =>
      pages([...promptKeys.template(id), 'label-history'], (filter: { label?: string }, cursor) => api.labelHistory(id, filter.label, cursor), { label }),
    audit: (id: string) => pages([...promptKeys.template(id), 'audit'], (_: object, cursor) => api.audit(id, cursor), {}),
    usage: (id: string, version: number, filter: UsageFilter = {}) =>
      pages([...promptKeys.template(id), 'usage', version], (f: UsageFilter, cursor) => api.usage(id, version, f, cursor), filter),
  };
}

/** Prompt Governance's API and query options, bound to the client of the nearest ApiProvider. */
export function usePromptGovernance() {
  const { promptGovernance } = useApis();
  return { api: promptGovernance, queries: promptGovernanceQueries(promptGovernance) };
}

export const useTemplates = (filter: TemplateFilter = {}) => useInfiniteQuery(usePromptGovernance().queries.templates(filter));
export const useTemplate = (id: string) => useQuery(usePromptGovernance().queries.template(id));
export const useLabelHistory = (id: string, label?: string) => useInfiniteQuery(usePromptGovernance().queries.labelHistory(id, label));
export const useTemplateAudit = (id: string) => useInfiniteQuery(usePromptGovernance().queries.audit(id));
export const usePromptUsage = (id: string, version: number, filter: UsageFilter = {}) =>
  useInfiniteQuery(usePromptGovernance().queries.usage(id, version, filter));
/** What a review requires here (the approver role), so the console shows review controls to whom they apply. */
export const useReviewPolicy = () => useQuery(usePromptGovernance().queries.reviewPolicy());
/** Versions under review across templates: the approval queue. */
export const usePendingReviews = () => useInfiniteQuery(usePromptGovernance().queries.templates({ status: 'pending_review' }));

/**
 * Every change to a template goes through its stream: each is sent with the template's ETag as
 * If-Match (412 when someone else changed it first) and refreshes the template and its lists.
 */
function useTemplateChange<V, R>(id: string, change: (api: PromptGovernanceApi, variables: V, etag: string | null | undefined) => Promise<R>) {
  const { api } = usePromptGovernance();
  return useTaggedChange(promptKeys.template(id), promptKeys.templates(), (variables: V, etag) => change(api, variables, etag));
}

export const useCreateTemplate = () => {
  const { api } = usePromptGovernance();
  return useTaggedChange(promptKeys.templates(), promptKeys.templates(), (body: components['schemas']['CreateTemplateDto']) => api.createTemplate(body));
};
export const useAddTemplateVersion = (id: string) => useTemplateChange(id, (api, body: NewVersion, etag) => api.addVersion(id, body, etag));
export const useSubmitVersion = (id: string) => useTemplateChange(id, (api, version: number, etag) => api.submit(id, version, etag));
export const useApproveVersion = (id: string) =>
  useTemplateChange(id, (api, { version, comment }: { version: number; comment?: string }, etag) => api.approve(id, version, comment, etag));
export const useRejectVersion = (id: string) =>
  useTemplateChange(id, (api, { version, reason }: { version: number; reason: string }, etag) => api.reject(id, version, reason, etag));
export const useMoveLabel = (id: string) =>
  useTemplateChange(id, (api, { label, version }: { label: string; version: number }, etag) => api.moveLabel(id, label, version, etag));
/** Evaluation is recorded on the template's stream (the version shows its latest result). */
export const useEvaluateVersion = (id: string) =>
  useTemplateChange(id, (api, body: Omit<components['schemas']['EvaluateDto'], 'template_id'>) => api.evaluate({ template_id: id, ...body }));
/** The run-time call: changes nothing, so nothing to invalidate or send If-Match with. */
export function useRenderTemplate(id: string) {
  const { api } = usePromptGovernance();
  return useTaggedChange([...promptKeys.template(id), 'render'], [...promptKeys.template(id), 'render'], (body: RenderRequest) => api.render(id, body));
}
