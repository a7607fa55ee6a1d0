import fc from 'fast-check';
import { DomainError, replayCommands, snapshotDivergences } from '@mlops/event-sourcing';
import { DeploymentEvent, DeploymentStatus, lifecycleCatalog } from '@mlops/events';
import { canTransition, DEPLOYMENT_STATUSES, DeploymentCommand, deploymentDecider, DeploymentState, PATCHABLE_STATUSES } from './deployment.decider';
import { deploymentsProjection } from './deployments.projection';

const ID = '7f3c1a52-4f0e-4c8e-9d77-2a1a1c7b6a10';
const NOW = '2026-01-01T00:00:00.000Z';
const id = { deployment_id: ID };

const create: fc.Arbitrary<DeploymentCommand> = fc.record({
  type: fc.constant('CreateDeployment' as const),
  data: fc.record({
    deployment_id: fc.constant(ID),
    model_name: fc.constant('churn'),
    model_version: fc.constant(1),
    model_stage: fc.constantFrom('none' as const, 'staging' as const, 'production' as const, 'archived' as const, null),
    environment: fc.constantFrom('development' as const, 'staging' as const, 'production' as const),
    config: fc.record({ replicas: fc.constant(1), resources: fc.constant({}), traffic_percent: fc.integer({ min: 1, max: 100 }) }),
  }),
});
const update: fc.Arbitrary<DeploymentCommand> = fc.record({
  type: fc.constant('UpdateDeployment' as const),
  data: fc.record(
    {
      deployment_id: fc.constant(ID),
      now: fc.constant(NOW),
      status: fc.constantFrom(...PATCHABLE_STATUSES),
      health: fc.constantFrom('healthy' as const, 'degraded' as const),
      metrics: fc.record({ rps: fc.nat(1000), error_rate: fc.double({ min: 0, max: 1, noNaN: true }) }, { requiredKeys: [] }),
    },
    { requiredKeys: ['deployment_id', 'now'] },
  ),
});
const others: fc.Arbitrary<DeploymentCommand> = fc.constantFrom<DeploymentCommand>(
  { type: 'PromoteDeployment', data: id },
  { type: 'RollBackDeployment', data: id },
  { type: 'TerminateDeployment', data: { ...id, now: NOW } },
);
const commands = fc.array(fc.oneof({ arbitrary: update, weight: 6 }, { arbitrary: others, weight: 3 }, { arbitrary: create, weight: 1 }), { maxLength: 30 });

const statusOf = (state: DeploymentState): DeploymentStatus | null => (state.exists ? state.status : null);

const target = { decider: deploymentDecider, projection: deploymentsProjection, catalog: lifecycleCatalog, subject: `deployment:${ID}`, time: NOW };

/** Every status change the events make is a legal transition. */
const play = (sequence: DeploymentCommand[]) =>
  replayCommands(target, sequence, {
    onApplied(before, after) {
      const from = statusOf(before);
      const to = statusOf(after);
      if (from !== null && to !== from) expect(canTransition(from, to!)).toBe(true);
    },
  });

describe('the deployment state machine holds for any command sequence', () => {
  it('only legal transitions happen; the history in the read model is a path through the machine', () => {
    fc.assert(
      fc.property(commands, (sequence) => {
        const { doc } = play(sequence);
        if (!doc) return;
        const path = doc.status_history;
        expect(path[0]).toMatchObject({ from: null, to: 'pending' });
        for (let i = 1; i < path.length; i++) {
          expect(path[i].from).toBe(path[i - 1].to);
          expect(canTransition(path[i].from!, path[i].to)).toBe(true);
        }
        expect(DEPLOYMENT_STATUSES).toContain(doc.status);
        if (doc.status === 'terminated') expect(doc.terminated_at).toBe(NOW);
      }),
      { numRuns: 500 },
    );
  });

  it('an illegal transition is always rejected, so nothing is written', () => {
    const next = fc.oneof(update, others);
    fc.assert(
      fc.property(commands, next, (sequence, command) => {
        const { state } = play(sequence);
        if (!state.exists) return expect(() => deploymentDecider.decide(command, state)).toThrow(DomainError);
        const requested: DeploymentStatus | undefined =
          command.type === 'UpdateDeployment' ? command.data.status : command.type === 'RollBackDeployment' ? 'rollback' : command.type === 'TerminateDeployment' ? 'terminated' : undefined;
        if (requested && requested !== state.status && !canTransition(state.status, requested)) {
          expect(() => deploymentDecider.decide(command, state)).toThrow(expect.objectContaining({ kind: 'invalid_state' }));
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('the read model equals the fold of the events', () => {
    fc.assert(
      fc.property(commands, (sequence) => {
        const { state, doc, log } = play(sequence);
        if (!state.exists) return expect(doc).toBeNull();
        expect(doc!.status).toBe(state.status);
        expect(doc!.config.traffic_percent).toBe(state.traffic_percent);
        expect(doc!.version).toBe(log.length);
        const reports = log.filter((e): e is Extract<DeploymentEvent, { type: 'DeploymentHealthReported' }> => e.type === 'DeploymentHealthReported');
        const health = reports.map((r) => r.data.health).filter(Boolean).pop() ?? 'unknown';
        expect(doc!.health).toBe(health);
        expect(doc!.metrics).toEqual(Object.assign({}, ...reports.map((r) => r.data.metrics ?? {})));
        expect(doc!.status_history.length).toBe(1 + log.filter((e) => ['DeploymentStatusChanged', 'DeploymentRolledBack', 'DeploymentTerminated'].includes(e.type)).length);
      }),
      { numRuns: 500 },
    );
  });
});

describe('snapshots of the deployment state', () => {
  it('fold to the same state as the whole stream, wherever the snapshot was taken', () => {
    fc.assert(
      fc.property(commands, (sequence) => {
        const { log } = play(sequence);
        expect(snapshotDivergences(deploymentDecider, log)).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });
});
