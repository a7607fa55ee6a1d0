import 'reflect-metadata';
import { Controller, Get, Injectable, Module, Param } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import pino from 'pino';
import { CommandResult, notFound, Page } from '@mlops/event-sourcing';
import { buildOpenApi } from './bootstrap';
import { ResponseInterceptor, withVersionTag } from './http-response';
import { ListQueryDto, PageDto } from './list-query.dto';
import { ProblemDetailsFilter } from './problem-details';
import { ResourceRoutes } from './resource-routes';
import { IF_MATCH_COMMAND, IF_MATCH_MISMATCH, READ_MODEL_BEHIND } from './route-docs';
import { createValidationPipe } from './validation';

type Json = Record<string, any>;

interface ShelfDocument {
  _id: string;
  name: string;
  colour: string;
  version: number;
}

class RegisterShelfDto {
  @ApiProperty({ pattern: '^[a-z]+$' })
  @IsString()
  @Matches(/^[a-z]+$/)
  name!: string;

  @ApiProperty({ enum: ['oak', 'pine'] })
  @IsIn(['oak', 'pine'])
  colour!: string;
}

class RepaintShelfDto {
  @ApiProperty({ enum: ['oak', 'pine'] })
  @IsIn(['oak', 'pine'])
  colour!: string;
}

class ListShelvesQueryDto extends ListQueryDto {
  @ApiPropertyOptional({ enum: ['oak', 'pine'] })
  @IsOptional()
  @IsIn(['oak', 'pine'])
  colour?: string;
}

class ShelfNameParamsDto {
  @ApiProperty({ pattern: '^[a-z]+$' })
  @Matches(/^[a-z]+$/)
  @MaxLength(20)
  name!: string;
}

class ShelfDto {
  @ApiProperty() name!: string;
  @ApiProperty() colour!: string;
  @ApiProperty() version!: number;
}

class ShelfPageDto extends PageDto(ShelfDto) {}

/** An in-memory store behind the conventional service methods, recording what each was called with. */
@Injectable()
class ShelvesService {
  readonly shelves = new Map<string, ShelfDocument>();
  readonly calls: unknown[][] = [];

  async register(dto: RegisterShelfDto): Promise<CommandResult<ShelfDocument> & { shelfName: string }> {
    this.calls.push(['register', dto]);
    const doc = { _id: `shelf:${dto.name}`, name: dto.name, colour: dto.colour, version: 1 };
    this.shelves.set(dto.name, doc);
    return { version: 1, doc, shelfName: dto.name };
  }

  async list(query: ListShelvesQueryDto): Promise<Page<ShelfDocument>> {
    this.calls.push(['list', query]);
    return { items: [...this.shelves.values()].filter((s) => !query.colour || s.colour === query.colour).slice(0, query.limit), next_cursor: null };
  }

  async get(name: string): Promise<ShelfDocument> {
    this.calls.push(['get', name]);
    const doc = this.shelves.get(name);
    if (!doc) throw notFound(`No shelf ${name}`);
    return doc;
  }

  async update(name: string, dto: RepaintShelfDto, ifMatch?: number): Promise<CommandResult<ShelfDocument>> {
    this.calls.push(['update', name, dto, ifMatch]);
    const current = this.shelves.get(name);
    if (!current) throw notFound(`No shelf ${name}`);
    const doc = { ...current, colour: dto.colour, version: current.version + 1 };
    this.shelves.set(name, doc);
    // The read model has not caught up: the answer is 202.
    return dto.colour === 'pine' ? { version: doc.version, doc: null } : { version: doc.version, doc };
  }
}

const presentShelf = ({ name, colour, version }: ShelfDocument): ShelfDto => ({ name, colour, version });

@Controller('shelves')
@ResourceRoutes({
  service: ShelvesService,
  id: 'name',
  params: ShelfNameParamsDto,
  location: (name) => `/shelves/${name}`,
  present: presentShelf,
  named: async (_, docs) => docs.map((doc) => ({ ...doc, name: doc.name.toUpperCase() })),
  create: {
    name: 'register',
    body: RegisterShelfDto,
    createdId: (result) => result.shelfName,
    headers: (result) => ({ 'X-Shelf': result.shelfName }),
    docs: { summary: 'Register a shelf', created: ShelfDto, conflict: 'Taken' },
  },
  list: { query: ListShelvesQueryDto, docs: { summary: 'List shelves', page: ShelfPageDto } },
  get: { summary: 'Get a shelf', ok: ShelfDto, notFound: 'No such shelf' },
  update: { body: RepaintShelfDto, docs: { summary: 'Repaint a shelf', ok: ShelfDto } },
})
class ShelvesController {
  constructor(private readonly shelves: ShelvesService) {}

  @Get(':name/colour')
  async colour(@Param('name') name: string) {
    const doc = await this.shelves.get(name);
    return withVersionTag(doc.version, { colour: doc.colour });
  }
}

// The declaration is checked against the service: a body the service method does not take is refused.
ResourceRoutes({
  service: ShelvesService,
  present: presentShelf,
  // @ts-expect-error register takes a RegisterShelfDto
  create: { name: 'register', body: ShelfNameParamsDto, createdId: (result) => result.shelfName, docs: { summary: 'x', created: ShelfDto } },
});

/** The same routes with the controller's own handler placed between the standard ones. */
@Controller('ordered-shelves')
@ResourceRoutes({
  service: ShelvesService,
  order: ['register', 'colour', 'list'],
  id: 'name',
  present: presentShelf,
  create: { name: 'register', body: RegisterShelfDto, createdId: (result) => result.shelfName, docs: { summary: 'Register a shelf', created: ShelfDto } },
  list: { query: ListShelvesQueryDto, docs: { summary: 'List shelves', page: ShelfPageDto } },
  get: { summary: 'Get a shelf', ok: ShelfDto },
})
class OrderedShelvesController {
  async colour() {
    return 'oak';
  }
}

@Module({ controllers: [ShelvesController], providers: [ShelvesService] })
class ShelvesModule {}

describe('ResourceRoutes', () => {
  let app: NestExpressApplication;
  let base: string;
  let service: ShelvesService;
  let document: Json;

  beforeAll(async () => {
    app = await NestFactory.create<NestExpressApplication>(ShelvesModule, { logger: false });
    app.useGlobalFilters(new ProblemDetailsFilter(pino({ level: 'silent' })));
    app.useGlobalPipes(createValidationPipe());
    app.useGlobalInterceptors(new ResponseInterceptor());
    document = buildOpenApi(app, { title: 'Shelves', description: 'test', version: '1' }, 'shelf-shop') as unknown as Json;
    await app.listen(0, '127.0.0.1');
    base = await app.getUrl();
    service = app.get(ShelvesService);
  });
  afterAll(() => app?.close());
  beforeEach(() => {
    service.shelves.clear();
    service.calls.length = 0;
  });

  const send = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    fetch(base + path, { method, headers: { 'content-type': 'application/json', ...headers }, body: body === undefined ? undefined : JSON.stringify(body) });

  describe('the handlers it writes', () => {
    it('validate the body with the given DTO before the service sees it', async () => {
      const refused = await send('POST', '/shelves', { name: 'Oak Shelf', colour: 'teak', legs: 4 });
      expect(refused.status).toBe(400);
      const problem = (await refused.json()) as Json;
      expect(problem.errors.map((e: Json) => e.field).sort()).toEqual(['colour', 'legs', 'name']);
      expect(service.calls).toEqual([]);
    });

    it('create: 201 with the named, presented document, ETag, Location and the route’s headers; the DTO is an instance of its class', async () => {
      const created = await send('POST', '/shelves', { name: 'top', colour: 'oak' });
      expect(created.status).toBe(201);
      expect(created.headers.get('etag')).toBe('"1"');
      expect(created.headers.get('location')).toBe('/shelves/top');
      expect(created.headers.get('x-shelf')).toBe('top');
      expect(await created.json()).toEqual({ name: 'TOP', colour: 'oak', version: 1 });
      expect(service.calls[0][1]).toBeInstanceOf(RegisterShelfDto);
    });

    it('list: transforms the query with its DTO and presents the named page', async () => {
      await send('POST', '/shelves', { name: 'top', colour: 'oak' });
      await send('POST', '/shelves', { name: 'low', colour: 'pine' });
      const page = await send('GET', '/shelves?colour=pine&limit=5');
      expect(page.status).toBe(200);
      expect(await page.json()).toEqual({ items: [{ name: 'LOW', colour: 'pine', version: 1 }], next_cursor: null });
      const [, query] = service.calls.at(-1)!;
      expect(query).toBeInstanceOf(ListShelvesQueryDto);
      expect(query).toMatchObject({ colour: 'pine', limit: 5 });
      expect((await send('GET', '/shelves?limit=0')).status).toBe(400);
    });

    it('get: the document with its version as the ETag; the path validated with its DTO; 404 from the service', async () => {
      await send('POST', '/shelves', { name: 'top', colour: 'oak' });
      const read = await send('GET', '/shelves/top');
      expect(read.headers.get('etag')).toBe('"1"');
      expect(await read.json()).toEqual({ name: 'TOP', colour: 'oak', version: 1 });
      expect((await send('GET', '/shelves/TOP')).status).toBe(400);
      expect((await send('GET', '/shelves/none')).status).toBe(404);
    });

    it('update: passes id, body and If-Match to the service; 200 with the document, or 202 while the read model is behind', async () => {
      await send('POST', '/shelves', { name: 'top', colour: 'oak' });
      const changed = await send('PATCH', '/shelves/top', { colour: 'oak' }, { 'if-match': '"1"' });
      expect(changed.status).toBe(200);
      expect(changed.headers.get('etag')).toBe('"2"');
      expect(service.calls.at(-1)).toEqual(['update', 'top', { colour: 'oak' }, 1]);
      const behind = await send('PATCH', '/shelves/top', { colour: 'pine' });
      expect(behind.status).toBe(202);
      expect(behind.headers.get('location')).toBe('/shelves/top');
      expect(await behind.json()).toEqual({ status: 'accepted', version: 3, location: '/shelves/top' });
      expect((await send('PATCH', '/shelves/top', { colour: 'teak' })).status).toBe(400);
    });

    it('leave the controller’s own handlers as they are', async () => {
      await send('POST', '/shelves', { name: 'top', colour: 'oak' });
      expect(await (await send('GET', '/shelves/top/colour')).json()).toEqual({ colour: 'oak' });
    });
  });

  it('puts the handlers in the declared order, the ones it does not name after them', () => {
    expect(Object.getOwnPropertyNames(OrderedShelvesController.prototype)).toEqual(['constructor', 'register', 'colour', 'list', 'get']);
    expect(() => ResourceRoutes({ service: ShelvesService, present: presentShelf, order: ['nothing'] })(class Empty {})).toThrow(/no handler nothing/);
  });

  describe('the OpenAPI document', () => {
    const operation = (path: string, method: string) => document.paths[path][method] as Json;

    it('names each operation by its handler, standard routes first and the controller’s own after them', () => {
      expect(Object.keys(document.paths)).toEqual(['/shelves', '/shelves/{name}', '/shelves/{name}/colour']);
      expect(operation('/shelves', 'post').operationId).toBe('ShelfShopShelvesController_register');
      expect(operation('/shelves', 'get').operationId).toBe('ShelfShopShelvesController_list');
      expect(operation('/shelves/{name}', 'get').operationId).toBe('ShelfShopShelvesController_get');
      expect(operation('/shelves/{name}', 'patch').operationId).toBe('ShelfShopShelvesController_update');
    });

    it('documents the given DTOs as body, query and path', () => {
      expect(operation('/shelves', 'post').requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/RegisterShelfDto' });
      expect(operation('/shelves/{name}', 'patch').requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/RepaintShelfDto' });
      expect((operation('/shelves', 'get').parameters as Json[]).map((p) => `${p.in}:${p.name}`)).toEqual(['query:limit', 'query:cursor', 'query:colour']);
      const path = (operation('/shelves/{name}', 'get').parameters as Json[]).find((p) => p.in === 'path')!;
      expect(path).toMatchObject({ name: 'name', required: true, schema: { pattern: '^[a-z]+$' } });
    });

    it('documents each route’s docs: answers, If-Match and the problems', () => {
      expect(operation('/shelves', 'post').summary).toBe('Register a shelf');
      expect(operation('/shelves', 'post').responses['201'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/ShelfDto' });
      expect(operation('/shelves', 'post').responses['409'].description).toBe('Taken');
      expect(operation('/shelves', 'get').responses['200'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/ShelfPageDto' });
      expect(operation('/shelves/{name}', 'get').responses['404'].description).toBe('No such shelf');
      const ifMatch = (operation('/shelves/{name}', 'patch').parameters as Json[]).find((p) => p.in === 'header');
      expect(ifMatch).toMatchObject({ name: 'If-Match', required: false });
      expect(Object.keys(operation('/shelves/{name}', 'patch').responses)).toEqual(expect.arrayContaining(['200', '202', '412']));
    });

    it('documents what every standard command answers without its declaration saying so: the 202, If-Match, the 412 and the 404 of get', () => {
      const accepted = { description: READ_MODEL_BEHIND, content: { 'application/json': { schema: { $ref: '#/components/schemas/AcceptedDto' } } } };
      expect(operation('/shelves', 'post').responses['202']).toMatchObject(accepted);
      const patch = operation('/shelves/{name}', 'patch');
      expect(patch.responses['202']).toMatchObject(accepted);
      expect((patch.parameters as Json[]).find((p) => p.in === 'header')).toMatchObject({ name: 'If-Match', description: IF_MATCH_COMMAND });
      expect(patch.responses['412'].description).toBe(IF_MATCH_MISMATCH);
      expect(patch.responses['404'].description).toBe('No such shelf');
    });
  });
});
