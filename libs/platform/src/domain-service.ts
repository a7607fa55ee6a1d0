import { Module, Type } from '@nestjs/common';
import { z } from 'zod';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { EventCatalog } from '@mlops/events';
import { EventSourcingModule, Projection, ReactorRegistration } from '@mlops/event-sourcing';
import { createHttpApp } from './bootstrap';
import { wantsReadYourWrites } from './command-response';
import { commandMetadata } from './request-context';
import { ConfigError, kafkaClientSecurity, loadConfig, serviceConfigSchema, ServiceConfig, withDefaults } from './config';
import { IdentityVerifier } from './identity-token';
import { answerRefusedRequests } from './request-heads';
import { createLogger } from './logging';
import { PlatformModule } from './platform.module';

export interface DomainServiceDefinition {
  /** kebab-case service name: logs, metrics, consumer groups. */
  service: string;
  defaultPort: number;
  title: string;
  description: string;
  catalog: EventCatalog;
  projections: Projection<any>[];
  /** Process managers reacting to events (any domain's topic); each handler class becomes a provider. */
  reactors?: ReactorRegistration[];
  controllers: Type<unknown>[];
  providers: Type<unknown>[];
  /** The service's own settings, validated with the shared ones and injected as SERVICE_CONFIG. */
  configSchema?: z.ZodObject<z.ZodRawShape>;
}

export interface DomainServiceApp {
  app: NestExpressApplication;
  config: ServiceConfig;
}

/**
 * Wires a domain service the same way every time: validated config, JSON logs, health, metrics,
 * problem+json, validation, OpenAPI, and the event-sourcing machinery with its projections.
 */
export async function createDomainService(
  definition: DomainServiceDefinition,
  env: Record<string, string | undefined>,
): Promise<DomainServiceApp> {
  const schema = definition.configSchema ? serviceConfigSchema.extend(definition.configSchema.shape) : serviceConfigSchema;
  const config: ServiceConfig = loadConfig(
    schema as typeof serviceConfigSchema,
    withDefaults({ PORT: String(definition.defaultPort), MONGO_DB: `mlops_${definition.service.replace(/-/g, '_')}` }, env),
    definition.service,
  );
  const logger = createLogger(definition.service, config.LOG_LEVEL);

  @Module({
    imports: [
      PlatformModule.forRoot({ config, logger }),
      EventSourcingModule.forRoot({
        service: definition.service,
        mongoUrl: config.MONGO_URL,
        mongoDb: config.MONGO_DB,
        mongoServerSelectionTimeoutMs: config.MONGO_SERVER_SELECTION_TIMEOUT_MS,
        kafka: {
          brokers: config.KAFKA_BROKERS,
          clientId: definition.service,
          topicPrefix: config.KAFKA_TOPIC_PREFIX,
          partitions: config.KAFKA_TOPIC_PARTITIONS,
          replicationFactor: config.KAFKA_TOPIC_REPLICATION_FACTOR,
          ...kafkaClientSecurity(config),
        },
        catalog: definition.catalog,
        projections: definition.projections,
        reactors: definition.reactors,
        logger,
        outboxPollIntervalMs: config.OUTBOX_POLL_INTERVAL_MS,
        snapshotEvery: config.SNAPSHOT_EVERY_COMMITS,
        projectionGenerationPollMs: config.PROJECTION_GENERATION_POLL_MS,
        readYourWritesTimeoutMs: config.READ_YOUR_WRITES_TIMEOUT_MS,
        commandContext: () => ({ metadata: commandMetadata(), awaitReadModel: wantsReadYourWrites() }),
      }),
    ],
    controllers: definition.controllers,
    providers: [...definition.providers, ...(definition.reactors ?? []).map((r) => r.handler).filter((h) => !definition.providers.includes(h))],
  })
  class DomainServiceModule {}

  const app = await createHttpApp(DomainServiceModule, {
    service: definition.service,
    logger,
    parseJsonBody: true,
    bodyLimit: config.BODY_LIMIT,
    identityVerifier: config.IDENTITY_VERIFY_KEYS_FILE && (await identityVerifierOf(config.IDENTITY_VERIFY_KEYS_FILE)),
    openApi: { title: definition.title, description: definition.description, version: '1.0.0' },
  });
  // Whatever the gateway forwards must fit here with the headers it adds; past this, a problem+json 431.
  answerRefusedRequests(app.getHttpServer(), SERVICE_MAX_HEADER_BYTES);
  return { app, config };
}

/** Request line and headers a service parses: more than anything the gateway forwards. */
const SERVICE_MAX_HEADER_BYTES = 1024 * 1024;

/** The verifier for IDENTITY_VERIFY_KEYS_FILE, or a start-up error naming the variable. */
async function identityVerifierOf(file: { path: string; pem: string }): Promise<IdentityVerifier> {
  try {
    return await IdentityVerifier.fromPem(file.pem);
  } catch (error) {
    throw new ConfigError(`Invalid configuration:\n  IDENTITY_VERIFY_KEYS_FILE: ${file.path} ${(error as Error).message}`);
  }
}
