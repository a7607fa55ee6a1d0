import { queryOptions, useQuery } from '@tanstack/react-query';
import type { CallerApi } from '../caller';
import { useApis } from './api-context';

export const callerKeys = { me: ['caller', 'me'] as const };

export const callerQueries = (api: CallerApi) => ({
  me: () => queryOptions({ queryKey: callerKeys.me, queryFn: async () => (await api.me()).data, staleTime: 60_000 }),
});

/** The signed-in caller: actor, roles and how the gateway authenticated them (one client per API key, so one answer per key). */
export const useCaller = () => useQuery(callerQueries(useApis().caller).me());
