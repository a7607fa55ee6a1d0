import { createContext, createElement, type ReactNode, useContext, useMemo } from 'react';
import type { ApiClient } from '../client';
import { lifecycleApi, type LifecycleApi } from '../lifecycle';

interface Apis {
  client: ApiClient;
  lifecycle: LifecycleApi;
}

const ApiContext = createContext<Apis | null>(null);

/** Gives the hooks below it the typed client (one per API key; the console makes a new one on sign-in). */
export function ApiProvider({ client, children }: { client: ApiClient; children?: ReactNode }) {
  const value = useMemo(() => ({ client, lifecycle: lifecycleApi(client) }), [client]);
  return createElement(ApiContext.Provider, { value }, children);
}

export function useApis(): Apis {
  const apis = useContext(ApiContext);
  if (!apis) throw new Error('useApis: wrap the tree in <ApiProvider client={createApiClient(...)}>');
  return apis;
}
