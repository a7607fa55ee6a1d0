import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InfiniteQueryObserver, MutationObserver, QueryClient, QueryObserver } from '@tanstack/react-query';
import { createApiClient } from '../client';
import { type Deployment, lifecycleApi } from '../lifecycle';
import { ApiError } from '../problem';
import { lifecycleKeys, lifecycleMutations, lifecycleQueries } from './use-model-lifecycle';
import { changedElsewhere } from './query-kit';

/**
 * A real HTTP server answering as the lifecycle service does for one deployment: an ETag on each
 * read, If-Match checked on each change (412 problem+json when stale), cursor pages on the list.
 */
function deploymentServer() {
  let deployment = { deployment_id: 'd1', status: 'pending', version: 1, config: { traffic_percent: 100 } } as unknown as Deployment;
  const ifMatchSeen: (string | undefined)[] = [];
  /** The next change answers 202, as when the service's read model is behind. */
  const state = { acceptNext: false };
  const server = createServer((req, res) => {
    const url = new URL(req.url!, 'http://x');
    const send = (status: number, body: unknown, type = 'application/json') => {
      res.writeHead(status, { 'content-type': type, etag: `"${deployment.version}"` });
      res.end(JSON.stringify(body));
    };
    if (url.pathname === '/api/v1/ml/lifecycle/deployments' && req.method === 'GET') {
      const page = Number(url.searchParams.get('cursor') ?? 0);
      return send(200, { items: [{ ...deployment, deployment_id: `page${page}` }], next_cursor: page < 2 ? String(page + 1) : null });
    }
    if (!/^\/api\/v1\/ml\/lifecycle\/deployments\/d1(\/promote|\/rollback)?$/.test(url.pathname)) return send(404, { type: 'x', title: 'Not Found', status: 404 }, 'application/problem+json');
    if (req.method === 'GET') return send(200, deployment);
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const given = req.headers['if-match'] as string | undefined;
      ifMatchSeen.push(given);
      if (given !== undefined && given !== `"${deployment.version}"`) {
        return send(412, { type: 'urn:mlops:problem:precondition-failed', title: 'Precondition Failed', status: 412, detail: `Deployment d1 is at version ${deployment.version}` }, 'application/problem+json');
      }
      deployment = { ...deployment, ...JSON.parse(body || '{}'), version: deployment.version + 1 };
      if (state.acceptNext) {
        state.acceptNext = false;
        return send(202, { status: 'accepted', version: deployment.version, location: '/api/v1/ml/lifecycle/deployments/d1' });
      }
      send(200, deployment);
    });
  });
  return {
    server,
    ifMatchSeen,
    state,
    /** Another client's change: the version moves on behind the cache's back. */
    changeElsewhere: () => (deployment = { ...deployment, version: deployment.version + 1 }),
  };
}

describe('Model Lifecycle queries and mutations over a real HTTP server', () => {
  let fake: ReturnType<typeof deploymentServer>;
  let server: Server;
  let queryClient: QueryClient;
  let api: ReturnType<typeof lifecycleApi>;

  beforeEach(async () => {
    fake = deploymentServer();
    server = fake.server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    api = lifecycleApi(createApiClient({ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }));
    queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  });
  afterEach(async () => {
    queryClient.clear();
    await new Promise((resolve) => server.close(resolve));
  });

  it('sends If-Match from the ETag it read, and stores the answer with its new ETag', async () => {
    await queryClient.fetchQuery(lifecycleQueries(api).deployment('d1'));
    const mutation = new MutationObserver(queryClient, lifecycleMutations(api, queryClient).deployment('d1'));
    await mutation.mutate({ type: 'move', status: 'validating' });
    expect(fake.ifMatchSeen).toEqual(['"1"']);
    const cached = queryClient.getQueryData<{ data: Deployment; etag: string }>(lifecycleKeys.deployment('d1'));
    expect(cached).toMatchObject({ data: { status: 'validating', version: 2 }, etag: '"2"' });
  });

  it('after a 202 reads the deployment again instead of caching the acceptance', async () => {
    await queryClient.fetchQuery(lifecycleQueries(api).deployment('d1'));
    // A view showing the deployment: what an invalidation fetches again.
    const unsubscribe = new QueryObserver(queryClient, lifecycleQueries(api).deployment('d1')).subscribe(() => undefined);
    fake.state.acceptNext = true;
    await new MutationObserver(queryClient, lifecycleMutations(api, queryClient).deployment('d1')).mutate({ type: 'move', status: 'validating' });
    const cached = queryClient.getQueryData<{ data: Deployment; etag: string }>(lifecycleKeys.deployment('d1'));
    expect(cached).toMatchObject({ data: { deployment_id: 'd1', status: 'validating', version: 2 }, etag: '"2"' });
    unsubscribe();
  });

  it('turns a 412 into the changed-elsewhere state with the problem+json detail', async () => {
    await queryClient.fetchQuery(lifecycleQueries(api).deployment('d1'));
    fake.changeElsewhere();
    const mutation = new MutationObserver(queryClient, lifecycleMutations(api, queryClient).deployment('d1'));
    const error = await mutation.mutate({ type: 'move', status: 'validating' }).catch((e) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(changedElsewhere(error)).toBe(true);
    expect((error as ApiError).problem.detail).toBe('Deployment d1 is at version 2');
  });

  it('invalidates the deployment lists after a change', async () => {
    const list = lifecycleQueries(api).deployments({});
    await queryClient.fetchInfiniteQuery(list);
    await queryClient.fetchQuery(lifecycleQueries(api).deployment('d1'));
    await new MutationObserver(queryClient, lifecycleMutations(api, queryClient).deployment('d1')).mutate({ type: 'promote' });
    expect(queryClient.getQueryState(list.queryKey)?.isInvalidated).toBe(true);
  });

  it('follows next_cursor page after page as an infinite query', async () => {
    const observer = new InfiniteQueryObserver(queryClient, lifecycleQueries(api).deployments({}));
    const unsubscribe = observer.subscribe(() => undefined);
    try {
      await observer.refetch();
      let result = observer.getCurrentResult();
      while (result.hasNextPage) result = await observer.fetchNextPage();
      expect(result.data!.pages.flatMap((p) => p.items.map((d) => d.deployment_id))).toEqual(['page0', 'page1', 'page2']);
    } finally {
      unsubscribe();
    }
  });
});
