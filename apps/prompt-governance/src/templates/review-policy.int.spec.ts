import request from 'supertest';
import { dropDatabase, isolatedEnv, listen, RunningApp, ServiceProcess, startGateway } from '@mlops/testing';
import { createPromptGovernanceApp } from '../app';

const ROOT = '/api/v1/prompt-governance';
const json = { 'content-type': 'application/json' };

describe('the review policy through the gateway, as the service enforces it', () => {
  const env = isolatedEnv('review_policy', { PROMPT_APPROVER_ROLE: 'reviewers:prompts', PROMPT_EVALUATION_PASS_SCORE: '85' });
  let service: RunningApp;
  let gateway: ServiceProcess;
  const http = () => request(gateway.url);
  const as = (test: request.Test, actor: string, roles: string[] = []) => test.set(json).set('x-actor', actor).set('x-roles', roles.join(','));

  beforeAll(async () => {
    service = await listen((await createPromptGovernanceApp(env)).app);
    gateway = await startGateway({ PROMPT_GOVERNANCE_URL: service.url });
  });
  afterAll(async () => {
    await gateway?.stop();
    await service?.close();
    await dropDatabase(env.MONGO_URL, env.MONGO_DB);
  });

  it('names the configured approver role and pass score, and that role is the one approval needs', async () => {
    const policy = await http().get(`${ROOT}/review-policy`).expect(200);
    expect(policy.body).toEqual({ approver_role: 'reviewers:prompts', evaluation_pass_score: 85 });

    await as(http().post(`${ROOT}/templates`), 'ana').send({ id: 'greeting', name: 'Greeting', template: 'Hello {{name}}' }).expect(201);
    await as(http().post(`${ROOT}/templates/greeting/1/submit`), 'bo').send().expect(200);
    const refused = await as(http().post(`${ROOT}/templates/greeting/1/approve`), 'cy', ['prompt-approver']).send({ comment: 'ok' }).expect(403);
    expect(refused.body.detail).toContain(policy.body.approver_role);
    await as(http().post(`${ROOT}/templates/greeting/1/approve`), 'cy', [policy.body.approver_role]).send({ comment: 'ok' }).expect(200);
  });
});
