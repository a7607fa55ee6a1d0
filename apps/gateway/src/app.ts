import { Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import { SwaggerModule } from '@nestjs/swagger';
import { answerRefusedRequests, createHttpApp, createLogger, loadConfig, PlatformModule, refuseOversizedHeads, serially } from '@mlops/platform';
import { gatewayAuth } from './auth';
import { gatewayConfigSchema, upstreamsOf } from './config';
import { consoleDir, serveConsole } from './console';
import { HEALTH_TIMEOUT, HealthAggregateController } from './health-aggregate.controller';
import { MeController, withGatewayRoutes } from './me.controller';
import { OpenApiMerger } from './openapi';
import { FORWARDED_HEAD_LIMITS, GATEWAY_PARSED_HEAD_BYTES, proxyTo, upstreamAgents } from './proxy';
import { UPSTREAMS } from './tokens';

/** Kept-alive upstream connections (no TCP handshake per request), closed with the app. */
@Injectable()
class UpstreamAgent implements OnApplicationShutdown {
  readonly agents = upstreamAgents();
  onApplicationShutdown() {
    this.agents.http.destroy();
    this.agents.https.destroy();
  }
}

/** The one public entry point: auth, routing to the four services, one OpenAPI, aggregated health. */
export async function createGatewayApp(env: Record<string, string | undefined> = process.env) {
  const config = loadConfig(gatewayConfigSchema, env, 'gateway');
  const logger = createLogger('gateway', config.LOG_LEVEL);
  const upstreams = upstreamsOf(config);
  const openApi = new OpenApiMerger(upstreams, config.OPENAPI_CACHE_MS, config.HEALTH_TIMEOUT_MS);

  @Module({
    imports: [PlatformModule.forRoot({ config, logger })],
    controllers: [HealthAggregateController, MeController],
    providers: [
      { provide: UPSTREAMS, useValue: upstreams },
      { provide: HEALTH_TIMEOUT, useValue: config.HEALTH_TIMEOUT_MS },
      UpstreamAgent,
    ],
  })
  class GatewayModule {}

  const app = await createHttpApp(GatewayModule, { service: 'gateway', logger, parseJsonBody: false });
  answerRefusedRequests(app.getHttpServer(), GATEWAY_PARSED_HEAD_BYTES);
  // One layer for every proxied request: head limits, auth, then forwarding (or on to the routes below).
  app.use(
    serially(
      refuseOversizedHeads(FORWARDED_HEAD_LIMITS),
      ...(await gatewayAuth(app, config)),
      proxyTo(upstreams, config.PROXY_TIMEOUT_MS, app.get(UpstreamAgent).agents, logger),
    ),
  );
  app.use(serveConsole(consoleDir(env)));
  const gatewayRoutes = withGatewayRoutes(app);
  SwaggerModule.setup('docs', app, () => ({ openapi: '3.0.0', info: { title: 'MLOps Control Plane API', version: '1.0.0' }, paths: {} }), {
    jsonDocumentUrl: 'openapi.json',
    yamlDocumentUrl: 'openapi.yaml',
    patchDocumentOnRequest: async () => gatewayRoutes(await openApi.document()),
    customSiteTitle: 'MLOps Control Plane API',
  });
  return { app, config };
}
