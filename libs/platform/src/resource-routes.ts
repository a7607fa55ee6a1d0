import { Body, Get, Inject, Param, Patch, Post, Query, Type } from '@nestjs/common';
import type { CommandResult, Page } from '@mlops/event-sourcing';
import { createdReply, IfMatch, updatedReply, withVersionTag } from './http-response';
import { presentPage } from './list-query.dto';
import { CommandRoute, PageRoute, ReadRoute } from './route-docs';

/** The docs each kind of route takes (route-docs.ts). */
type CommandDocs = Parameters<typeof CommandRoute>[0];
type PageDocs = Parameters<typeof PageRoute>[0];
type ReadDocs = Parameters<typeof ReadRoute>[0];

type AsyncMethod = (...args: any[]) => Promise<unknown>;
/** The names of a service's async methods. */
type MethodName<Service> = { [K in keyof Service]: Service[K] extends AsyncMethod ? K : never }[keyof Service] & string;
type ArgumentOf<Method, Index extends number> = Method extends (...args: infer Args) => Promise<unknown> ? Args[Index] : never;
type ResultOf<Method> = Method extends (...args: any[]) => Promise<infer Result> ? Result : never;
type ListedOf<Method> = ResultOf<Method> extends Page<infer Item> ? Item : never;

export interface CreateRouteOptions<Service, Name extends MethodName<Service>> {
  /** The handler's name (its operation id), which is the service method it calls: `create` unless the domain has its own word. */
  name?: Name;
  /** The request body's DTO: what the service method takes. */
  body: Type<ArgumentOf<Service[Name], 0>>;
  /** The id of the resource the command created, for Location. */
  createdId: (result: ResultOf<Service[Name]>, dto: ArgumentOf<Service[Name], 0>) => string;
  /** Further response headers, from the command's result. */
  headers?: (result: ResultOf<Service[Name]>) => Record<string, string>;
  /** Defaults: 202 READ_MODEL_BEHIND. */
  docs: CommandDocs & { created: unknown };
}

export interface ListRouteOptions<Service> {
  /** The query's DTO (filters, limit, cursor): what the service's `list` takes. */
  query: Type<ArgumentOf<Service[MethodName<Service> & 'list'], 0>>;
  /** The body of each listed document, where a list shows less than a read. */
  present?: (doc: ListedOf<Service[MethodName<Service> & 'list']>) => unknown;
  docs: PageDocs;
}

export interface UpdateRouteOptions<Service> {
  /** The request body's DTO: what the service's `update(id, dto, ifMatch)` takes. */
  body: Type<ArgumentOf<Service[MethodName<Service> & 'update'], 1>>;
  /** Defaults: 202 READ_MODEL_BEHIND, If-Match and its 412, and the 404 of `get`. */
  docs: CommandDocs & { ok: unknown };
}

/**
 * The standard routes of a resource: POST / (`create`), GET / (`list`), GET /:id (`get`) and
 * PATCH /:id (`update`), each calling the service method of its name. Each is declared only where
 * the resource has it.
 */
export interface ResourceRoutesOptions<Service, Doc extends { version: number }, CreateName extends MethodName<Service>> {
  service: Type<Service>;
  /** The API's body of one read document. */
  present: (doc: Doc) => unknown;
  /** The path parameter that names one resource (`:name`), and the one id the service's `get` and `update` take. */
  id?: string;
  /** The path's DTO, validated as `@Param()`; without one the id is read as a string (`@Param('run_id')`). */
  params?: Type<unknown>;
  /** The URL of one resource, by its id: Location of what a command wrote. */
  location?: (id: string) => string;
  /** What the API shows of read documents beyond what they store (names behind keys), resolved in bulk before presenting. */
  named?: (service: Service, docs: Doc[]) => Promise<Doc[]>;
  create?: CreateRouteOptions<Service, CreateName>;
  list?: ListRouteOptions<Service>;
  get?: ReadDocs;
  update?: UpdateRouteOptions<Service>;
  /**
   * The handlers' order where the controller's own stand between the standard ones (unnamed ones
   * follow): the order Nest registers the routes in and the OpenAPI document (and the client
   * generated from it) lists paths and schemas in. Without it, the standard handlers come first.
   */
  order?: string[];
}

/**
 * What every standard command documents unless its declaration says otherwise: its reply is a 202
 * when the read model is behind (createdReply, updatedReply). A 400 is the document's generic one.
 */
const COMMAND_DOCS = { accepted: true } as const;
/** An update also takes If-Match (412 when stale). */
const UPDATE_DOCS = { ...COMMAND_DOCS, ifMatch: true, preconditionFailed: true } as const;

/** Where the standard handlers find the service: injected as a property, so the controller's constructor stays its own. */
const RESOURCE_SERVICE = Symbol('resource service');

interface Handler {
  name: string;
  route: MethodDecorator;
  docs: MethodDecorator;
  /** Each parameter's decorator and its type (what `design:paramtypes` tells the ValidationPipe and Swagger). */
  parameters: [ParameterDecorator, Type<unknown>][];
  body: (this: Record<symbol, any>, ...args: any[]) => Promise<unknown>;
}

/**
 * Defines a handler on the prototype as TypeScript compiles a decorated method: the design types
 * first, then the parameter decorators, then the method's own, bottom-up.
 */
function defineHandler(prototype: object, { name, route, docs, parameters, body }: Handler): void {
  // Swagger and Nest's parameter metadata know a handler by its function's name.
  Object.defineProperty(body, 'name', { value: name });
  const decorators: (MethodDecorator | ParameterDecorator)[] = [
    route,
    docs,
    ...parameters.map(([decorate], index): MethodDecorator => (target, key) => decorate(target, key, index)),
    Reflect.metadata('design:type', Function),
    Reflect.metadata('design:paramtypes', parameters.map(([, type]) => type)),
    Reflect.metadata('design:returntype', Promise),
  ];
  const descriptor = Reflect.decorate(decorators as MethodDecorator[], prototype, name, {
    value: body,
    writable: true,
    enumerable: false,
    configurable: true,
  }) as PropertyDescriptor;
  Object.defineProperty(prototype, name, descriptor);
}

/** The handlers on a prototype, taken off it to be put back in another order. */
function takeHandlers(prototype: object): [string, PropertyDescriptor][] {
  const own = Object.getOwnPropertyNames(prototype)
    .filter((name) => name !== 'constructor')
    .map((name): [string, PropertyDescriptor] => [name, Object.getOwnPropertyDescriptor(prototype, name)!]);
  for (const [name] of own) delete (prototype as Record<string, unknown>)[name];
  return own;
}

/**
 * Declares a resource's standard routes once, as `@nestjsx/crud`'s `@Crud()` does: the controller
 * states its service, DTOs, presenter, location and route docs, and keeps its particular handlers.
 * The standard handlers come first, in the order above, unless `order` says otherwise.
 */
export function ResourceRoutes<Service, Doc extends { version: number }, CreateName extends MethodName<Service> = 'create' & MethodName<Service>>(
  options: ResourceRoutesOptions<Service, Doc, CreateName>,
): ClassDecorator {
  const { present, id, params, location, create, list, get, update } = options;
  const named = async (service: Service, doc: Doc): Promise<Doc> => (options.named ? (await options.named(service, [doc]))[0] : doc);
  const namedResult = async <Result extends CommandResult<Doc>>(service: Service, result: Result): Promise<Result> =>
    result.doc ? { ...result, doc: await named(service, result.doc) } : result;
  const service = (controller: Record<symbol, any>) => controller[RESOURCE_SERVICE] as Record<string, AsyncMethod> & Service;
  const idParameter: [ParameterDecorator, Type<unknown>] = params ? [Param(), params] : [Param(id!), String];
  const idOf = (param: any): string => (params ? param[id!] : param);
  const locationOf = (resourceId: string) => {
    if (!location) throw new Error('ResourceRoutes: a command route needs `location`');
    return location(resourceId);
  };

  const handlers: Handler[] = [];
  if (create) {
    const name = create.name ?? 'create';
    handlers.push({
      name,
      route: Post(),
      docs: CommandRoute({ ...COMMAND_DOCS, ...create.docs }),
      parameters: [[Body(), create.body]],
      async body(dto: any) {
        const result = (await service(this)[name](dto)) as ResultOf<Service[CreateName]> & CommandResult<Doc>;
        return createdReply(await namedResult(service(this), result), locationOf(create.createdId(result, dto)), present, create.headers?.(result));
      },
    });
  }
  if (list) {
    handlers.push({
      name: 'list',
      route: Get(),
      docs: PageRoute(list.docs),
      parameters: [[Query(), list.query]],
      async body(query: unknown) {
        const page = (await service(this).list(query)) as Page<Doc>;
        const presentListed = (list.present ?? present) as (doc: Doc) => unknown;
        return presentPage(options.named ? { ...page, items: await options.named(service(this), page.items) } : page, presentListed);
      },
    });
  }
  if (get) {
    handlers.push({
      name: 'get',
      route: Get(`:${id}`),
      docs: ReadRoute(get),
      parameters: [idParameter],
      async body(param: unknown) {
        const doc = await named(service(this), (await service(this).get(idOf(param))) as Doc);
        return withVersionTag(doc.version, present(doc));
      },
    });
  }
  if (update) {
    handlers.push({
      name: 'update',
      route: Patch(`:${id}`),
      docs: CommandRoute({ ...UPDATE_DOCS, notFound: get?.notFound, ...update.docs }),
      parameters: [idParameter, [Body(), update.body], [IfMatch(), Number]],
      async body(param: unknown, dto: unknown, ifMatch?: number) {
        const result = (await service(this).update(idOf(param), dto, ifMatch)) as CommandResult<Doc>;
        return updatedReply(await namedResult(service(this), result), locationOf(idOf(param)), present);
      },
    });
  }

  return (controller) => {
    const prototype = controller.prototype as object;
    Inject(options.service)(prototype, RESOURCE_SERVICE);
    const own = takeHandlers(prototype);
    for (const handler of handlers) defineHandler(prototype, handler);
    for (const [name, descriptor] of own) Object.defineProperty(prototype, name, descriptor);
    if (options.order) {
      const all = new Map(takeHandlers(prototype));
      for (const name of options.order) if (!all.has(name)) throw new Error(`ResourceRoutes: ${controller.name} has no handler ${name} to order`);
      const ordered = [...options.order, ...[...all.keys()].filter((name) => !options.order!.includes(name))];
      for (const name of ordered) Object.defineProperty(prototype, name, all.get(name)!);
    }
  };
}
