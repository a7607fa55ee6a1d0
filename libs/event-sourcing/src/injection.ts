import { Inject } from '@nestjs/common';
import type { Aggregate, AggregateDefinition } from './aggregate';
import type { Projection } from './projection';

/** The handle `@InjectAggregate(definition)` gives: the aggregate bound to the running machinery, typed by its definition. */
export type BoundAggregate<Definition> =
  Definition extends AggregateDefinition<infer Command, infer Event, infer State, infer Doc, infer Id> ? Aggregate<Command, Event, State, Doc, Id> : never;

export type AnyAggregateDefinition = AggregateDefinition<any, any, any, any, any>;

// One token per definition object (not per name), so two definitions never share a provider.
const tokens = new WeakMap<object, symbol>();
const tokenOf = (definition: object, description: string): symbol => {
  let token = tokens.get(definition);
  if (!token) tokens.set(definition, (token = Symbol(description)));
  return token;
};

export const aggregateToken = (definition: AnyAggregateDefinition): symbol => tokenOf(definition, `Aggregate(${definition.projection.name})`);
export const readModelToken = (projection: Projection<any>): symbol => tokenOf(projection, `ReadModel(${projection.name})`);

/**
 * The aggregates some class injects, recorded as the decorator runs (at class definition, before
 * the module is built), so the module provides each one without a second list to keep in step.
 */
const injected = new Set<AnyAggregateDefinition>();

/** Injects `definition` bound to the service's machinery: a `BoundAggregate<typeof definition>`. */
export const InjectAggregate = (definition: AnyAggregateDefinition) => {
  injected.add(definition);
  return Inject(aggregateToken(definition));
};

/** Injects the read model `projection` keeps: a `ReadModel<Doc>`; the projection must be one the service runs. */
export const InjectReadModel = (projection: Projection<any>) => Inject(readModelToken(projection));

/** Every aggregate definition some class injects (the module provides those whose read model the service runs). */
export const injectedAggregates = (): AnyAggregateDefinition[] => [...injected];
