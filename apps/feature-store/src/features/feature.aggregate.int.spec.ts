import { EventSourcing } from '@mlops/event-sourcing';
import { dropDatabase, isolatedEnv, listen, RunningApp } from '@mlops/testing';
import { createFeatureStoreApp } from '../app';
import { featureAggregate } from './feature.aggregate';
import { FeatureCommand } from './feature.decider';
import { featuresProjection } from './features.projection';

/** The bound aggregate of libs/event-sourcing, used as the services use it, on the real broker and store. */
describe('a bound aggregate (the features of a running Feature Store)', () => {
  let env: Record<string, string>;
  let service: RunningApp;
  let eventSourcing: EventSourcing;
  const features = () => eventSourcing.aggregate(featureAggregate);

  const create = (name: string, entity = 'trip_id'): FeatureCommand => ({
    type: 'CreateFeature',
    data: {
      name,
      description: '',
      entity,
      owner: 'pricing',
      tags: [],
      value_type: 'double',
      schema: { nullable: true, min: null, max: null, allowed_values: null },
      source: { kind: 'column', dataset_id: 'trips', column: 'fare' },
      changelog: 'Initial version',
      dataset_schema: [{ column: 'fare', type: 'DOUBLE' }],
    },
  });

  beforeAll(async () => {
    env = isolatedEnv('feature-aggregate');
    service = await listen((await createFeatureStoreApp(env)).app);
    eventSourcing = service.app.get(EventSourcing);
  });

  afterAll(async () => {
    await service?.close();
    await dropDatabase(env.MONGO_URL, env.MONGO_DB);
  });

  it('executes a command on the stream and answers with the read model once it shows it', async () => {
    const result = await features().execute('fare_a', create('fare_a'));
    expect(result.streamId).toBe('feature:fare_a');
    expect(result.version).toBe(1);
    expect(result.events.map((e) => e.type)).toEqual(['FeatureCreated']);
    expect(result.doc).toMatchObject({ _id: 'feature:fare_a', version: 1, name: 'fare_a' });
    expect(await features().get('fare_a')).toEqual(result.doc);
    expect(await eventSourcing.readModel(featuresProjection).findById('feature:fare_a')).toEqual(result.doc);
    expect((await features().load('fare_a')).version).toBe(1);
  });

  it('answers a 404 problem naming the resource for a stream the read model does not have', async () => {
    await expect(features().get('no_such_feature')).rejects.toMatchObject({ kind: 'not_found', message: 'Feature no_such_feature does not exist' });
    expect(await features().find('no_such_feature')).toBeNull();
  });

  it('refuses a stale If-Match with 412 and appends nothing', async () => {
    const aggregate = features();
    await aggregate.execute('fare_b', create('fare_b'));
    await expect(aggregate.execute('fare_b', { type: 'UpdateFeature', data: { name: 'fare_b', description: 'late' } }, { ifMatch: 7 })).rejects.toMatchObject({
      kind: 'precondition_failed',
    });
    expect((await aggregate.load('fare_b')).version).toBe(1);
    const updated = await aggregate.execute('fare_b', { type: 'UpdateFeature', data: { name: 'fare_b', description: 'now' } }, { ifMatch: 1 });
    expect(updated.doc).toMatchObject({ version: 2, description: 'now' });
  });

  it('pages by cursor through every document matching the filter, and refuses a cursor it did not issue', async () => {
    const aggregate = features();
    for (const name of ['page_1', 'page_2', 'page_3']) await aggregate.execute(name, create(name, 'paged'));
    const first = await aggregate.page({ entity: 'paged' }, { limit: 2 });
    expect(first.items.map((d) => d.name)).toEqual(['page_1', 'page_2']);
    expect(first.next_cursor).toEqual(expect.any(String));
    const second = await aggregate.page({ entity: 'paged' }, { limit: 2, cursor: first.next_cursor! });
    expect(second).toEqual({ items: [expect.objectContaining({ name: 'page_3' })], next_cursor: null });
    await expect(aggregate.page({}, { limit: 2, cursor: 'not-a-cursor' })).rejects.toMatchObject({ kind: 'invalid_input' });
  });
});
