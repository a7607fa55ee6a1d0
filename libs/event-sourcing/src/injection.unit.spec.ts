import { Injectable, Provider } from '@nestjs/common';
import { SELF_DECLARED_DEPS_METADATA } from '@nestjs/common/constants';
import { Decider } from './decider';
import { defineAggregate } from './aggregate';
import { EventSourcingModule, EventSourcingOptions } from './event-sourcing.module';
import { aggregateToken, InjectAggregate, InjectReadModel, readModelToken } from './injection';
import { Projection, ReadModelDocument } from './projection';

const projectionNamed = (name: string): Projection<ReadModelDocument> => ({ name, topic: 't', streamType: name, evolve: () => ({}) });
const decider: Decider<never, never, object> = { initialState: () => ({}), decide: () => [], evolve: (state) => state };
const aggregateOf = (projection: Projection<ReadModelDocument>) =>
  defineAggregate({ decider, streamId: (id: string) => `${projection.streamType}:${id}`, projection, describe: (id) => `Thing ${id}` });

const things = projectionNamed('things');
const others = projectionNamed('others');
const thingAggregate = aggregateOf(things);
// Same read model name, another definition: its own provider all the same.
const lookalikeAggregate = aggregateOf(projectionNamed('things'));
const otherAggregate = aggregateOf(others);

@Injectable()
class ThingsService {
  constructor(
    @InjectAggregate(thingAggregate) readonly things: unknown,
    @InjectAggregate(lookalikeAggregate) readonly lookalikes: unknown,
    @InjectAggregate(otherAggregate) readonly others: unknown,
    @InjectReadModel(things) readonly thingDocs: unknown,
  ) {}
}

const options = (projections: Projection<any>[]) => ({ projections }) as unknown as EventSourcingOptions;
const tokenOf = (provider: Provider) => (typeof provider === 'function' ? provider : provider.provide);

describe('injectable aggregates and read models', () => {
  it('take one token per definition object, never shared by two definitions alike in name', () => {
    expect(aggregateToken(thingAggregate)).toBe(aggregateToken(thingAggregate));
    expect(aggregateToken(thingAggregate)).not.toBe(aggregateToken(lookalikeAggregate));
    expect(readModelToken(things)).not.toBe(readModelToken(lookalikeAggregate.projection));
    expect(String(aggregateToken(thingAggregate))).toBe('Symbol(Aggregate(things))');
  });

  it('are what the decorated constructor asks Nest for, by those tokens', () => {
    const declared = (Reflect.getMetadata(SELF_DECLARED_DEPS_METADATA, ThingsService) as { index: number; param: symbol }[]).sort((a, b) => a.index - b.index);
    expect(declared.map((dep) => dep.param)).toEqual([aggregateToken(thingAggregate), aggregateToken(lookalikeAggregate), aggregateToken(otherAggregate), readModelToken(things)]);
  });

  it('are provided and exported for the read models the service runs and the injected aggregates kept by them, no others', () => {
    const module = EventSourcingModule.forRoot(options([things]));
    const provided = module.providers!.map(tokenOf);
    expect(provided).toEqual(expect.arrayContaining([readModelToken(things), aggregateToken(thingAggregate)]));
    expect(provided).not.toContain(aggregateToken(lookalikeAggregate));
    expect(provided).not.toContain(aggregateToken(otherAggregate));
    expect(provided).not.toContain(readModelToken(others));
    expect(module.exports).toEqual(expect.arrayContaining([readModelToken(things), aggregateToken(thingAggregate)]));
  });
});
