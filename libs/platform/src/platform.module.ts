import { DynamicModule, Global, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import type { Logger } from 'pino';
import { READINESS } from '@mlops/event-sourcing';
import { HealthController, ReadinessRegistry } from './health';

export const LOGGER = Symbol('LOGGER');
export const SERVICE_CONFIG = Symbol('SERVICE_CONFIG');

/** Config, logger, health and readiness for one process. Metrics are served by `createHttpApp`. */
@Global()
@Module({})
export class PlatformModule {
  static forRoot<Config>(options: { config: Config; logger: Logger }): DynamicModule {
    return {
      module: PlatformModule,
      imports: [TerminusModule.forRoot({ logger: false })],
      controllers: [HealthController],
      providers: [
        ReadinessRegistry,
        { provide: READINESS, useExisting: ReadinessRegistry },
        { provide: LOGGER, useValue: options.logger },
        { provide: SERVICE_CONFIG, useValue: options.config },
      ],
      exports: [ReadinessRegistry, READINESS, LOGGER, SERVICE_CONFIG],
    };
  }
}
