import { randomUUID } from 'node:crypto';
import {
  DynamicModule,
  FactoryProvider,
  Global,
  Inject,
  Injectable,
  Module,
  OnApplicationBootstrap,
  OnApplicationShutdown,
  Optional,
  Type,
} from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { Admin, Kafka, Partitioners, Producer } from 'kafkajs';
import mongoose, { mongo } from 'mongoose';
import { EventCatalog } from '@mlops/events';
import { Aggregate, AggregateDefinition, AggregateMachinery, CommandContext, ReadModel } from './aggregate';
import { CommandHandler } from './command-handler';
import { DomainEvent } from './decider';
import { assertWorkersRunning, ConsumerStatus, SupervisedWorker } from './consumer-supervisor';
import { EventStore } from './event-store';
import { aggregateToken, AnyAggregateDefinition, BoundAggregate, injectedAggregates, readModelToken } from './injection';
import { createKafka, ensureTopic, KafkaSettings, LogSink, topicPartitionCount } from './kafka';
import { OutboxRelay } from './outbox-relay';
import { PayloadStore } from './payload-store';
import { Projection, ReadModelDocument } from './projection';
import { ProjectionRunner } from './projection-runner';
import { ReactionHandler, Reactor, ReactorRunner } from './reactor';

/** Where readiness probes are registered (libs/platform provides it). */
export const READINESS = Symbol.for('mlops.readiness');
export interface ReadinessRegistrar {
  register(name: string, probe: () => Promise<unknown>): void;
}

export interface EventSourcingOptions {
  service: string;
  mongoUrl: string;
  mongoDb: string;
  kafka: KafkaSettings;
  catalog: EventCatalog;
  projections: Projection<any>[];
  /** Process managers: each reactor's handler is a provider of the service, resolved at start. */
  reactors?: ReactorRegistration[];
  logger: LogSink;
  outboxPollIntervalMs: number;
  projectionGenerationPollMs: number;
  readYourWritesTimeoutMs: number;
  /** How long a store operation waits for a reachable server before failing (and the request answering 503). */
  mongoServerSelectionTimeoutMs?: number;
  /** A stream load that folded this many commits after the last snapshot writes a new one. */
  snapshotEvery?: number;
  /** The current request's caller and preference (libs/platform reads them from the request context). */
  commandContext?: () => CommandContext;
}

const systemContext = (): CommandContext => ({ metadata: { actor: 'system', correlationId: randomUUID(), now: new Date() }, awaitReadModel: true });

export type ReactorRegistration = Reactor & { handler: Type<ReactionHandler> };

const OPTIONS = Symbol('EVENT_SOURCING_OPTIONS');

/** The running event-sourcing machinery of one service: store, relay, projections. */
@Injectable()
export class EventSourcing implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly connection: mongoose.Connection;
  readonly kafka: Kafka;
  private producer!: Producer;
  private admin!: Admin;
  private relay!: OutboxRelay;
  private store!: EventStore;
  private handler!: CommandHandler;
  private payloadStore!: PayloadStore;
  private readonly runners = new Map<string, ProjectionRunner<any>>();
  private readonly reactorRunners: ReactorRunner[] = [];
  /** Settles once every projection and reactor consumer has made its first attempt to join. */
  private consumersStarted?: Promise<void>;

  constructor(
    @Inject(OPTIONS) private readonly options: EventSourcingOptions,
    private readonly moduleRef: ModuleRef,
    @Optional() @Inject(READINESS) private readonly readiness?: ReadinessRegistrar,
  ) {
    this.connection = mongoose.createConnection(options.mongoUrl, {
      dbName: options.mongoDb,
      serverSelectionTimeoutMS: options.mongoServerSelectionTimeoutMs ?? 3000,
      autoIndex: false,
    });
    this.kafka = createKafka(options.kafka, options.logger);
  }

  get db(): mongo.Db {
    return this.connection.db!;
  }

  get commands(): CommandHandler {
    return this.handler;
  }

  get eventStore(): EventStore {
    return this.store;
  }

  /** Content-addressed storage for the bulky payloads events refer to. */
  get payloads(): PayloadStore {
    return this.payloadStore;
  }

  get outbox(): OutboxRelay {
    return this.relay;
  }

  runner<Doc extends ReadModelDocument>(name: string): ProjectionRunner<Doc> {
    const runner = this.runners.get(name);
    if (!runner) throw new Error(`No projection named ${name}`);
    return runner;
  }

  /** The read model a projection keeps, typed by the projection; usable from construction on (resolved per call). */
  readModel<Doc extends ReadModelDocument>(projection: Projection<Doc>): ReadModel<Doc> {
    return new ReadModel(() => this.runner<Doc>(projection.name), this.connection);
  }

  /** Binds an aggregate once: `execute`, `load`, `get` (404) and `page` on its stream and read model. */
  aggregate<Command, Event extends DomainEvent, State, Doc extends ReadModelDocument, Id = string>(
    definition: AggregateDefinition<Command, Event, State, Doc, Id>,
  ): Aggregate<Command, Event, State, Doc, Id> {
    return new Aggregate(definition, this.readModel(definition.projection), this.machinery);
  }

  private readonly machinery: AggregateMachinery = {
    handle: (decider, streamId, command, metadata, options) => this.handler.handle(decider, streamId, command, metadata, options),
    load: (streamId, decider) => this.store.aggregate(streamId, decider),
    commandContext: () => (this.options.commandContext ?? systemContext)(),
    waitFor: (runner, streamId, version) => runner.waitFor(streamId, version, this.options.readYourWritesTimeoutMs),
  };

  /** Every consumer's state (projections, reactors, the outbox relay), as readiness sees them. */
  consumerStatuses(): ConsumerStatus[] {
    return this.workers().map((worker) => worker.status());
  }

  private workers(): SupervisedWorker[] {
    return [...this.runners.values(), ...this.reactorRunners, ...(this.relay ? [this.relay] : [])];
  }

  /** Read-your-writes: the document once its projection reaches `version`, or null past the bound. */
  waitForProjection<Doc extends ReadModelDocument>(projection: Projection<Doc>, streamId: string, version: number): Promise<Doc | null> {
    return this.runner<Doc>(projection.name).waitFor(streamId, version, this.options.readYourWritesTimeoutMs);
  }

  async onApplicationBootstrap(): Promise<void> {
    const { options } = this;
    const began = Date.now();
    const phase = (name: string) => options.logger.info({ phase: name, elapsed_ms: Date.now() - began }, `bootstrap: ${name}`);
    await this.connection.asPromise();
    phase('mongodb connected');
    this.store = await EventStore.create(this.db, options.catalog, { snapshotEvery: options.snapshotEvery, logger: options.logger });
    this.payloadStore = new PayloadStore(this.db);
    phase('event store ready');
    this.admin = this.kafka.admin();
    await this.admin.connect();
    // The service's own topic, and the topics its read models and reactors follow (other domains' too).
    const topics = new Set([options.catalog.topic, ...options.projections.map((p) => p.topic), ...(options.reactors ?? []).map((r) => r.topic)]);
    const partitionCounts = new Map<string, number | null>();
    for (const topic of topics) {
      await ensureTopic(this.admin, options.kafka.topicPrefix + topic, options.kafka);
      partitionCounts.set(topic, await topicPartitionCount(this.admin, options.kafka.topicPrefix + topic));
    }
    this.producer = this.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    phase('topics ensured');
    await this.producer.connect();
    phase('producer connected');
    this.relay = new OutboxRelay(
      this.store.collection,
      this.db.collection('outbox_lease'),
      this.producer,
      {
        owner: `${options.service}-${randomUUID()}`,
        topicPrefix: options.kafka.topicPrefix,
        pollIntervalMs: options.outboxPollIntervalMs,
      },
      options.logger,
    );
    this.handler = new CommandHandler(this.store, this.relay);
    for (const projection of options.projections) {
      const runner = new ProjectionRunner(
        this.kafka,
        this.db,
        projection,
        {
          topicPrefix: options.kafka.topicPrefix,
          groupPrefix: `${options.kafka.topicPrefix}${options.service}.`,
          generationPollMs: options.projectionGenerationPollMs,
          partitionCount: partitionCounts.get(projection.topic) ?? undefined,
        },
        options.logger,
      );
      this.runners.set(projection.name, runner);
    }
    for (const { handler, ...reactor } of options.reactors ?? []) {
      this.reactorRunners.push(
        new ReactorRunner(
          this.kafka,
          reactor,
          this.moduleRef.get(handler, { strict: false }),
          { topicPrefix: options.kafka.topicPrefix, groupPrefix: `${options.kafka.topicPrefix}${options.service}.` },
          options.logger,
        ),
      );
    }
    this.relay.start();
    this.readiness?.register('mongodb', () => this.db.command({ ping: 1 }));
    this.readiness?.register('kafka', () => this.admin.describeCluster());
    // The consumers join their groups in the background: after a crash that join waits for the dead
    // process's sessions to expire, and the HTTP server need not. Until every consumer has joined,
    // and whenever one is failing or restarting after an outage, readiness reports not-ready; GETs
    // read the read models as they are, and a command's read-your-writes wait is bounded (202 past
    // it), so serving meanwhile keeps every guarantee.
    this.readiness?.register('consumers', async () => assertWorkersRunning(this.workers()));
    this.consumersStarted = this.startConsumers(phase);
    phase('listening may begin');
  }

  /** A consumer that cannot join now (broker or store down) keeps retrying on its own; readiness tells. */
  private async startConsumers(phase: (name: string) => void): Promise<void> {
    const joined = (worker: SupervisedWorker, name: string) => phase(`${name} ${worker.status().state === 'running' ? 'joined' : 'retrying'}`);
    await Promise.all([
      ...[...this.runners.entries()].map(([name, runner]) => runner.start().then(() => joined(runner, `projection ${name}`))),
      ...this.reactorRunners.map((runner) => runner.start().then(() => joined(runner, `reactor ${runner.reactor.name}`))),
    ]);
    phase('consumers started');
  }

  /** Runs after the HTTP server has drained: finish the relay pass and the projection batches, commit, close. */
  async onApplicationShutdown(): Promise<void> {
    // A consumer still joining would otherwise be left running with nothing to stop it.
    await this.consumersStarted;
    // Reactors first: their in-flight reactions still append, and the relay's last pass sends them.
    await Promise.all(this.reactorRunners.map((runner) => runner.stop()));
    await this.relay?.stop();
    await Promise.all([...this.runners.values()].map((runner) => runner.stop()));
    await this.producer?.disconnect();
    await this.admin?.disconnect();
    await this.connection.close();
  }
}

/**
 * The service's read models and bound aggregates as providers (`@InjectReadModel`, `@InjectAggregate`):
 * one per projection it runs, and one per injected aggregate whose read model it runs (a class
 * injecting any other fails at start, naming the token, rather than at its first command).
 */
function boundProviders(projections: Projection<any>[]): FactoryProvider[] {
  const readModels = projections.map(
    (projection): FactoryProvider<ReadModel<ReadModelDocument>> => ({
      provide: readModelToken(projection),
      useFactory: (eventSourcing: EventSourcing) => eventSourcing.readModel(projection),
      inject: [EventSourcing],
    }),
  );
  const aggregates = injectedAggregates()
    .filter((definition) => projections.includes(definition.projection))
    .map(
      (definition): FactoryProvider<BoundAggregate<AnyAggregateDefinition>> => ({
        provide: aggregateToken(definition),
        useFactory: (eventSourcing: EventSourcing) => eventSourcing.aggregate(definition),
        inject: [EventSourcing],
      }),
    );
  return [...readModels, ...aggregates];
}

@Global()
@Module({})
export class EventSourcingModule {
  static forRoot(options: EventSourcingOptions): DynamicModule {
    const bound = boundProviders(options.projections);
    return {
      module: EventSourcingModule,
      providers: [{ provide: OPTIONS, useValue: options }, EventSourcing, ...bound],
      exports: [EventSourcing, ...bound.map((provider) => provider.provide)],
    };
  }
}
