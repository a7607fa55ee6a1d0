import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InfiniteQueryObserver, MutationObserver, QueryClient } from '@tanstack/react-query';
import { createApiClient } from '../client';
import { ApiError } from '../problem';
import { promptGovernanceApi, type PromptGovernanceApi } from '../prompt-governance';
import { changedElsewhere, taggedChange } from './query-kit';
import { promptGovernanceQueries, promptKeys } from './use-prompt-governance';

/**
 * A real HTTP server answering as Prompt Governance does for one template: an ETag on each read,
 * If-Match checked on approve (412 when stale), and the four-eyes 403 for the submitter.
 */
function templateServer() {
  let version = 3;
  const seen: { path: string; ifMatch?: string; body: string }[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url!, 'http://x');
    const send = (status: number, body: unknown, type = 'application/json') => {
      res.writeHead(status, { 'content-type': type, etag: `"${version}"` });
      res.end(JSON.stringify(body));
    };
    const problem = (status: number, title: string, detail: string) => send(status, { type: 'about:blank', title, status, detail }, 'application/problem+json');
    if (req.method === 'GET' && url.pathname === '/api/v1/prompt-governance/templates') {
      const page = Number(url.searchParams.get('cursor') ?? 0);
      return send(200, { items: [{ id: `t${page}` }], next_cursor: page < 1 ? String(page + 1) : null });
    }
    if (req.method === 'GET' && url.pathname === '/api/v1/prompt-governance/templates/support') return send(200, { id: 'support', latest_version: 2, versions: [] });
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const ifMatch = req.headers['if-match'] as string | undefined;
      seen.push({ path: url.pathname, ifMatch, body });
      if (ifMatch !== `"${version}"`) return problem(412, 'Precondition Failed', `Template support is at version ${version}`);
      const who = req.headers['x-actor'];
      if (url.pathname.endsWith('/2/approve') && who === 'alice') return problem(403, 'Forbidden', 'alice submitted version 2 and may not approve it');
      version++;
      send(200, { template_id: 'support', version: 2, status: 'approved' });
    });
  });
  return { server, seen, changeElsewhere: () => version++ };
}

describe('Prompt Governance queries and mutations over a real HTTP server', () => {
  let fake: ReturnType<typeof templateServer>;
  let server: Server;
  let queryClient: QueryClient;
  let baseUrl: string;
  const apiAs = (actor: string): PromptGovernanceApi =>
    promptGovernanceApi(createApiClient({ baseUrl, fetch: (request) => (request.headers.set('X-Actor', actor), fetch(request)) }));
  const approve = (api: PromptGovernanceApi) =>
    taggedChange(queryClient, promptKeys.template('support'), promptKeys.templates(), (v: { version: number; comment?: string }, etag) =>
      api.approve('support', v.version, v.comment, etag),
    );

  beforeEach(async () => {
    fake = templateServer();
    server = fake.server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  });
  afterEach(async () => {
    queryClient.clear();
    await new Promise((resolve) => server.close(resolve));
  });

  it('approves with If-Match from the template it read, then refreshes the template and its lists', async () => {
    const bob = apiAs('bob');
    const list = promptGovernanceQueries(bob).templates({ status: 'pending_review' });
    await queryClient.fetchInfiniteQuery(list);
    await queryClient.fetchQuery(promptGovernanceQueries(bob).template('support'));
    await new MutationObserver(queryClient, approve(bob)).mutate({ version: 2, comment: 'Reads well' });
    expect(fake.seen).toEqual([{ path: '/api/v1/prompt-governance/templates/support/2/approve', ifMatch: '"3"', body: '{"comment":"Reads well"}' }]);
    expect(queryClient.getQueryState(list.queryKey)?.isInvalidated).toBe(true);
    expect(queryClient.getQueryState(promptKeys.template('support'))?.isInvalidated).toBe(true);
  });

  it('surfaces the four-eyes 403 as its problem+json, not as a conflict', async () => {
    const alice = apiAs('alice');
    await queryClient.fetchQuery(promptGovernanceQueries(alice).template('support'));
    const error = await new MutationObserver(queryClient, approve(alice)).mutate({ version: 2 }).catch((e) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(403);
    expect((error as ApiError).problem.detail).toBe('alice submitted version 2 and may not approve it');
    expect(changedElsewhere(error)).toBe(false);
  });

  it('turns a stale ETag into the changed-elsewhere state', async () => {
    const bob = apiAs('bob');
    await queryClient.fetchQuery(promptGovernanceQueries(bob).template('support'));
    fake.changeElsewhere();
    const error = await new MutationObserver(queryClient, approve(bob)).mutate({ version: 2 }).catch((e) => e);
    expect(changedElsewhere(error)).toBe(true);
  });

  it('pages the templates list by next_cursor', async () => {
    const observer = new InfiniteQueryObserver(queryClient, promptGovernanceQueries(apiAs('bob')).templates({}));
    const unsubscribe = observer.subscribe(() => undefined);
    try {
      await observer.refetch();
      let result = observer.getCurrentResult();
      while (result.hasNextPage) result = await observer.fetchNextPage();
      expect(result.data!.pages.flatMap((p) => p.items.map((t) => t.id))).toEqual(['t0', 't1']);
    } finally {
      unsubscribe();
    }
  });
});
