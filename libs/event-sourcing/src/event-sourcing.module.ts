import { randomUUID } from 'node:crypto';
import {
  DynamicModule,
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
import { CommandHandler } from './command-handler';
import { EventStore } from './event-store';
import { createKafka, ensureTopic, KafkaSettings, LogSink } from './kafka';
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
  /** A stream load that folded this many commits after the last snapshot writes a new one. */
  snapshotEvery?: number;
}

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

  constructor(
    @Inject(OPTIONS) private readonly options: EventSourcingOptions,
    private readonly moduleRef: ModuleRef,
    @Optional() @Inject(READINESS) private readonly readiness?: ReadinessRegistrar,
  ) {
    this.connection = mongoose.createConnection(options.mongoUrl, {
      dbName: options.mongoDb,
      serverSelectionTimeoutMS: 10_000,
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

  /** Read-your-writes: the document once its projection reaches `version`, or null past the bound. */
  waitForProjection<Doc extends ReadModelDocument>(projection: string, streamId: string, version: number): Promise<Doc | null> {
    return this.runner<Doc>(projection).waitFor(streamId, version, this.options.readYourWritesTimeoutMs);
  }

  async onApplicationBootstrap(): Promise<void> {
    const { options } = this;
    await this.connection.asPromise();
    this.store = await EventStore.create(this.db, options.catalog, { snapshotEvery: options.snapshotEvery, logger: options.logger });
    this.payloadStore = new PayloadStore(this.db);
    this.admin = this.kafka.admin();
    await this.admin.connect();
    // The service's own topic, and the topics its read models and reactors follow (other domains' too).
    const topics = new Set([options.catalog.topic, ...options.projections.map((p) => p.topic), ...(options.reactors ?? []).map((r) => r.topic)]);
    for (const topic of topics) await ensureTopic(this.admin, options.kafka.topicPrefix + topic, options.kafka);
    this.producer = this.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await this.producer.connect();
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
        },
        options.logger,
      );
      this.runners.set(projection.name, runner);
    }
    await Promise.all([...this.runners.values()].map((runner) => runner.start()));
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
    await Promise.all(this.reactorRunners.map((runner) => runner.start()));
    this.relay.start();
    this.readiness?.register('mongodb', () => this.db.command({ ping: 1 }));
    this.readiness?.register('kafka', () => this.admin.describeCluster());
  }

  /** Runs after the HTTP server has drained: finish the relay pass and the projection batches, commit, close. */
  async onApplicationShutdown(): Promise<void> {
    // Reactors first: their in-flight reactions still append, and the relay's last pass sends them.
    await Promise.all(this.reactorRunners.map((runner) => runner.stop()));
    await this.relay?.stop();
    await Promise.all([...this.runners.values()].map((runner) => runner.stop()));
    await this.producer?.disconnect();
    await this.admin?.disconnect();
    await this.connection.close();
  }
}

@Global()
@Module({})
export class EventSourcingModule {
  static forRoot(options: EventSourcingOptions): DynamicModule {
    return {
      module: EventSourcingModule,
      providers: [{ provide: OPTIONS, useValue: options }, EventSourcing],
      exports: [EventSourcing],
    };
  }
}
