import 'reflect-metadata';
import { INestApplication, Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import pino from 'pino';
import request from 'supertest';
import { z } from 'zod';
import { LOGGER } from '@mlops/platform';
import { mlflowCalls, mlflowController, mlflowInt } from './mlflow-http';
import { mlflowNotFound } from './mlflow-errors';

@Injectable()
class Shelf {
  readonly seen: unknown[] = [];
  put(name: string, count: number) {
    this.seen.push({ name, count });
    return { name, count };
  }
  get(name: string) {
    if (name === 'missing') throw mlflowNotFound(`No thing ${name}`);
    return { name };
  }
}

const call = mlflowCalls<Shelf>();
const ShelfController = mlflowController('ShelfController', Shelf, [
  call('POST', 'things/put', z.object({ name: z.string().min(1), count: mlflowInt }), (shelf, r) => shelf.put(r.name, r.count)),
  call('GET', 'things/get', z.object({ name: z.string() }), (shelf, r) => shelf.get(r.name)),
  call('PATCH', 'things/:name/count', z.object({ name: z.string(), count: mlflowInt }), (shelf, r) => shelf.put(r.name, r.count)),
  call('DELETE', 'things/:name', z.object({ name: z.string() }), () => undefined),
]);

@Module({ controllers: [ShelfController], providers: [Shelf, { provide: LOGGER, useValue: pino({ enabled: false }) }] })
class ShelfModule {}

describe('MLflow controllers as tables of calls', () => {
  let app: INestApplication;

  beforeAll(async () => {
    app = await NestFactory.create(ShelfModule, { logger: false });
    await app.init();
  });

  afterAll(() => app.close());

  it('serves each call under both MLflow prefixes, 200 whatever the method, GET from the query and the rest from the body', async () => {
    await request(app.getHttpServer()).post('/api/2.0/mlflow/things/put').send({ name: 'a', count: '3' }).expect(200, { name: 'a', count: 3 });
    await request(app.getHttpServer()).get('/ajax-api/2.0/mlflow/things/get?name=b').expect(200, { name: 'b' });
    expect(app.get(Shelf).seen).toEqual([{ name: 'a', count: 3 }]);
  });

  it('joins a path’s parameters to the request, and answers an empty object for nothing', async () => {
    await request(app.getHttpServer()).patch('/api/2.0/mlflow/things/c/count').send({ count: 4, name: 'ignored' }).expect(200, { name: 'c', count: 4 });
    await request(app.getHttpServer()).delete('/api/2.0/mlflow/things/c').expect(200, {});
  });

  it('answers bad input and errors in MLflow’s shape, without calling the service for bad input', async () => {
    const before = app.get(Shelf).seen.length;
    const bad = await request(app.getHttpServer()).post('/api/2.0/mlflow/things/put').send({ name: '', count: 1.5 }).expect(400);
    expect(bad.body).toEqual({ error_code: 'INVALID_PARAMETER_VALUE', message: expect.stringMatching(/name/) });
    expect(app.get(Shelf).seen.length).toBe(before);
    await request(app.getHttpServer()).get('/api/2.0/mlflow/things/get?name=missing').expect(404, { error_code: 'RESOURCE_DOES_NOT_EXIST', message: 'No thing missing' });
  });
});
