import { Controller, Get, HttpCode, Module, Res } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, EventPattern, KafkaContext, MicroserviceOptions, Payload, Transport } from '@nestjs/microservices';
import type { Response } from 'express';
import { createLogger, kafkaClientSecurity, loadConfig, PinoNestLogger } from '@mlops/platform';
import { BACKGROUND_FETCH } from '@mlops/event-sourcing';
import { monitorConfigSchema } from './config';
import { loadContract } from './contract';
import { EventIntake } from './event-intake';
import { monitorRegistry } from './monitor-metrics';

/**
 * A downstream consumer of the platform's events, built as a user would build theirs: a NestJS
 * microservice on the Kafka transport that knows only the published contract (AsyncAPI + JSON
 * Schemas), folds every topic from offset 0 into the platform's state, and exports it to
 * Prometheus on `/metrics`.
 */
export async function createMonitorApp(env: Record<string, string | undefined> = process.env) {
  const config = loadConfig(monitorConfigSchema, env, 'monitor');
  const logger = createLogger('monitor', config.LOG_LEVEL);
  const contract = loadContract(config.MONITOR_CONTRACT_DIR);
  const topics = [...contract.topics.values()].map((topic) => config.KAFKA_TOPIC_PREFIX + topic);
  const intake = new EventIntake(contract.validators, (topic, reason, detail) => logger.warn({ topic, reason, detail }, 'event rejected'));
  const registry = monitorRegistry(intake.state, intake.counts);
  let consumer = 'starting';

  @Controller()
  class EventsController {
    /** Offsets are committed after this returns (the transport's eachMessage): at-least-once. */
    @EventPattern(topics)
    take(@Payload() value: unknown, @Ctx() context: KafkaContext): void {
      intake.take(context.getTopic(), value);
    }
  }

  @Controller()
  class HttpController {
    @Get('metrics')
    async metrics(@Res() res: Response) {
      res.type(registry.contentType).send(await registry.metrics());
    }
    @Get('health/live')
    live() {
      return { status: 'up' };
    }
    @Get('health/ready')
    @HttpCode(200)
    ready(@Res({ passthrough: true }) res: Response) {
      if (consumer !== 'connected') res.status(503);
      return { status: consumer === 'connected' ? 'up' : 'down', consumer };
    }
  }

  @Module({ controllers: [EventsController, HttpController] })
  class MonitorModule {}

  const app = await NestFactory.create(MonitorModule, { logger: new PinoNestLogger(logger) });
  const kafka = app.connectMicroservice<MicroserviceOptions>({
    transport: Transport.KAFKA,
    options: {
      client: { clientId: 'mlops-monitor', brokers: config.KAFKA_BROKERS, ...kafkaClientSecurity(config) },
      // A fresh group per start reading from the first offset: the state is rebuilt from the log.
      consumer: { groupId: `${config.MONITOR_GROUP_ID}.${Date.now()}`, allowAutoTopicCreation: false, ...BACKGROUND_FETCH },
      subscribe: { fromBeginning: true },
      postfixId: '',
    },
  });
  kafka.status.subscribe((status) => (consumer = String(status)));
  app.enableShutdownHooks();
  await app.startAllMicroservices();
  logger.info({ topics }, 'consuming');
  return { app, config };
}
