import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import type { Express, Request, Response } from 'express';
import type { Logger } from 'pino';
import { jsonBody, serially } from './http';
import { ResponseInterceptor } from './http-response';
import { completeContract, documentIntegerProperties, operationIdFactory } from './openapi';
import { accessLog, PinoNestLogger } from './logging';
import { enableDefaultMetrics, httpMetricsMiddleware, metricsHandler } from './metrics';
import { ProblemDetailsFilter } from './problem-details';
import type { IdentityVerifier } from './identity-token';
import { identityVerification, requestContextMiddleware } from './request-context';
import { createValidationPipe } from './validation';

export interface HttpAppOptions {
  service: string;
  logger: Logger;
  /** Services parse JSON bodies; the gateway streams them through untouched. */
  parseJsonBody: boolean;
  bodyLimit?: string;
  /** Callers are who the gateway's signed identity token says; without it, X-Actor is taken as sent. */
  identityVerifier?: IdentityVerifier;
  openApi?: { title: string; description: string; version: string };
}

/** Everything every process's HTTP layer shares, in one place. */
export async function createHttpApp(module: unknown, options: HttpAppOptions): Promise<NestExpressApplication> {
  const { logger } = options;
  const app = await NestFactory.create<NestExpressApplication>(module as never, {
    bodyParser: false,
    logger: new PinoNestLogger(logger),
  });
  enableDefaultMetrics(options.service);
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.use(
    serially(
      requestContextMiddleware,
      ...(options.identityVerifier ? [identityVerification(options.identityVerifier)] : []),
      accessLog(logger),
      httpMetricsMiddleware,
    ),
  );
  const http = app.getHttpAdapter().getInstance() as Express;
  http.get('/metrics', metricsHandler);
  if (options.parseJsonBody) app.use(...jsonBody(options.bodyLimit ?? '1mb'));
  app.useGlobalFilters(new ProblemDetailsFilter(logger));
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalInterceptors(new ResponseInterceptor());
  if (options.openApi) {
    const document = buildOpenApi(app, options.openApi, options.service);
    http.get('/openapi.json', (_req: Request, res: Response) => res.json(document));
  }
  return app;
}

export function buildOpenApi(
  app: INestApplication,
  info: { title: string; description: string; version: string },
  service: string,
): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle(info.title)
    .setDescription(info.description)
    .setVersion(info.version)
    .addApiKey({ type: 'apiKey', in: 'header', name: 'X-Actor' }, 'actor')
    .build();
  documentIntegerProperties();
  return completeContract(SwaggerModule.createDocument(app, config, { operationIdFactory: operationIdFactory(service) }));
}
