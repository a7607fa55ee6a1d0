import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { UPSTREAMS } from './tokens';
import type { Upstream } from './config';

export const HEALTH_TIMEOUT = Symbol('HEALTH_TIMEOUT');

/** The platform at a glance: every service's readiness (Kafka and MongoDB included). 503 if any is not ready. */
@ApiExcludeController()
@Controller('health')
export class HealthAggregateController {
  constructor(
    @Inject(UPSTREAMS) private readonly upstreams: Upstream[],
    @Inject(HEALTH_TIMEOUT) private readonly timeoutMs: number,
  ) {}

  @Get()
  async aggregate(@Res() res: Response) {
    const results = await Promise.all(
      this.upstreams.map(async (upstream) => {
        try {
          const response = await fetch(new URL('/health/ready', upstream.url), { signal: AbortSignal.timeout(this.timeoutMs) });
          const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
          return [upstream.name, { status: response.ok ? 'up' : 'down', details: body.details ?? body }] as const;
        } catch (error) {
          return [upstream.name, { status: 'down', error: (error as Error).message }] as const;
        }
      }),
    );
    const allUp = results.every(([, result]) => result.status === 'up');
    res.status(allUp ? 200 : 503).json({ status: allUp ? 'ok' : 'degraded', services: Object.fromEntries(results) });
  }
}
