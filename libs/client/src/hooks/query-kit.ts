import { type InfiniteData, infiniteQueryOptions, type QueryClient, useMutation, useQueryClient } from '@tanstack/react-query';
import type { Tagged } from '../client';
import type { Page } from '../lifecycle';
import { ApiError } from '../problem';
import type { components } from '../schema';

/** A command's 202: stored, but the service's read model did not show it yet; no resource in the body. */
export type Accepted = components['schemas']['AcceptedDto'];
const isAccepted = (body: unknown): body is Accepted => (body as Partial<Accepted> | null)?.status === 'accepted' && typeof (body as Accepted).location === 'string';

/** Caches a command's answer as the resource under `key`; after a 202 the resource is read again instead. */
export const storeAnswer = (queryClient: QueryClient, key: readonly unknown[], answer: Tagged<unknown>) =>
  isAccepted(answer.data) ? queryClient.invalidateQueries({ queryKey: key }) : queryClient.setQueryData(key, answer);


type Lister<F, P> = (filter: F, cursor?: string) => Promise<Tagged<P>>;

/** A cursor-paged list as an infinite query under `[...key, 'list', filter]`; a page may carry more than its items (usage aggregates). */
export const pages = <F, P extends Page<unknown>>(key: readonly unknown[], list: Lister<F, P>, filter: F) =>
  infiniteQueryOptions({
    queryKey: [...key, 'list', filter],
    queryFn: async ({ pageParam }) => (await list(filter, pageParam)).data,
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last: P) => last.next_cursor ?? undefined,
  });

export const flatten = <T>(data: InfiniteData<Page<T>> | undefined): T[] => data?.pages.flatMap((page) => page.items) ?? [];

/** The ETag the cache holds for a resource: what the change was decided on, sent as If-Match. */
export const etagOf = (queryClient: QueryClient, key: readonly unknown[]) => queryClient.getQueryData<Tagged<unknown>>(key)?.etag;

/** A 412 answer: the resource changed after it was read; the view should offer a reload. */
export const changedElsewhere = (error: unknown) => error instanceof ApiError && error.isConflict;

/** `reload()` after a 412: fetch the resource again and clear the failed change. */
export function withReload<M extends { reset(): void; error: unknown }>(mutation: M, queryClient: QueryClient, key: readonly unknown[]) {
  return {
    ...mutation,
    changedElsewhere: changedElsewhere(mutation.error),
    reload: async () => {
      await queryClient.invalidateQueries({ queryKey: key });
      mutation.reset();
    },
  };
}

/**
 * Mutation options for a change to the resource cached under `key`: sent with If-Match from the
 * ETag it was read with, then everything under `invalidate` (the resource, its lists, what it
 * affects) is fetched again. Node code drives them with a MutationObserver, React with the hook below.
 */
export function taggedChange<V, R>(
  queryClient: QueryClient,
  key: readonly unknown[],
  invalidate: readonly unknown[],
  change: (variables: V, etag: string | null | undefined) => Promise<R>,
) {
  return {
    mutationFn: (variables: V) => change(variables, etagOf(queryClient, key)),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: invalidate }),
  };
}

export function useTaggedChange<V, R>(
  key: readonly unknown[],
  invalidate: readonly unknown[],
  change: (variables: V, etag: string | null | undefined) => Promise<R>,
) {
  const queryClient = useQueryClient();
  const mutation = useMutation(taggedChange(queryClient, key, invalidate, change));
  return withReload(mutation, queryClient, key);
}
