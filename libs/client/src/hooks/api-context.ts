import { createContext, createElement, type ReactNode, useContext, useMemo } from 'react';
import { callerApi, type CallerApi } from '../caller';
import type { ApiClient } from '../client';
import { evaluationApi, type EvaluationApi } from '../evaluation';
import { featureStoreApi, type FeatureStoreApi } from '../feature-store';
import { lifecycleApi, type LifecycleApi } from '../lifecycle';
import { promptGovernanceApi, type PromptGovernanceApi } from '../prompt-governance';

interface Apis {
  client: ApiClient;
  caller: CallerApi;
  lifecycle: LifecycleApi;
  featureStore: FeatureStoreApi;
  evaluation: EvaluationApi;
  promptGovernance: PromptGovernanceApi;
}

const ApiContext = createContext<Apis | null>(null);

/** Gives the hooks below it the typed client (one per API key; the console makes a new one on sign-in). */
export function ApiProvider({ client, children }: { client: ApiClient; children?: ReactNode }) {
  const value = useMemo(
    () => ({
      client,
      caller: callerApi(client),
      lifecycle: lifecycleApi(client),
      featureStore: featureStoreApi(client),
      evaluation: evaluationApi(client),
      promptGovernance: promptGovernanceApi(client),
    }),
    [client],
  );
  return createElement(ApiContext.Provider, { value }, children);
}

export function useApis(): Apis {
  const apis = useContext(ApiContext);
  if (!apis) throw new Error('useApis: wrap the tree in <ApiProvider client={createApiClient(...)}>');
  return apis;
}
