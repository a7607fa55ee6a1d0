import 'reflect-metadata';
import { Body, Controller, Get, Headers, Module, Param, Patch, Post, Query } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ApiOkResponse, ApiProperty, ApiPropertyOptional, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsNumber, IsOptional, Min } from 'class-validator';
import { buildOpenApi } from './bootstrap';
import { ListQueryDto, PageDto } from './list-query.dto';
import { PROBLEM_SCHEMA_NAME } from './openapi';

type Json = Record<string, any>;

class CreateWidgetDto {
  @ApiProperty({ minimum: 1 })
  @IsInt()
  @Min(1)
  size!: number;

  @ApiProperty({ type: [Number] })
  @IsInt({ each: true })
  sizes!: number[];

  @ApiPropertyOptional()
  @IsOptional()
  @IsNumber()
  weight?: number;
}

class WidgetDto {
  @ApiProperty() id!: string;
  @ApiProperty() version!: number;
}

class WidgetPageDto extends PageDto(WidgetDto) {}

class WidgetParamsDto {
  @ApiProperty()
  @Type(() => Number)
  @IsInt()
  widget!: number;
}

@Controller('widgets')
class RunsController {
  @Post()
  @ApiOkResponse({ type: WidgetDto })
  create(@Body() _dto: CreateWidgetDto): WidgetDto {
    return { id: 'w', version: 1 };
  }

  @Get()
  @ApiOkResponse({ type: WidgetPageDto })
  list(@Query() _query: ListQueryDto): WidgetPageDto {
    return { items: [], next_cursor: null };
  }

  @Patch(':widget')
  @ApiOkResponse({ type: WidgetDto })
  @ApiUnprocessableEntityResponse({ description: 'Illegal transition' })
  update(@Param() _params: WidgetParamsDto, @Body() _dto: CreateWidgetDto, @Headers('if-match') _ifMatch?: string): WidgetDto {
    return { id: 'w', version: 2 };
  }

  @Get('health')
  health(): string {
    return 'up';
  }
}

@Module({ controllers: [RunsController] })
class WidgetModule {}

describe('the OpenAPI contract a service states', () => {
  let document: Json;

  beforeAll(async () => {
    const app = await NestFactory.create(WidgetModule, { logger: false });
    document = buildOpenApi(app, { title: 'Widgets', description: 'test', version: '1' }, 'widget-shop') as unknown as Json;
    await app.close();
  });

  const operation = (path: string, method: string) => document.paths[path][method] as Json;

  it('prefixes operation ids with the service, so two services’ RunsControllers do not collide', () => {
    expect(operation('/widgets', 'post').operationId).toBe('WidgetShopRunsController_create');
    expect(operation('/widgets', 'get').operationId).toBe('WidgetShopRunsController_list');
  });

  it('types as integer what the validation takes as an integer, in bodies, query and path', () => {
    const body = document.components.schemas.CreateWidgetDto.properties as Json;
    expect(body.size.type).toBe('integer');
    expect(body.sizes).toMatchObject({ type: 'array', items: { type: 'integer' } });
    expect(body.weight.type).toBe('number');
    const limit = (operation('/widgets', 'get').parameters as Json[]).find((p) => p.name === 'limit')!;
    expect(limit.schema.type).toBe('integer');
    const widget = (operation('/widgets/{widget}', 'patch').parameters as Json[]).find((p) => p.name === 'widget')!;
    expect(widget.schema.type).toBe('integer');
  });

  it('documents the problem answers each operation can give, as problem+json', () => {
    const statuses = (path: string, method: string) => Object.keys(operation(path, method).responses).map(Number).filter((s) => s >= 400).sort();
    expect(statuses('/widgets', 'post')).toEqual([400, 401, 403, 413, 415, 429, 503]);
    expect(statuses('/widgets', 'get')).toEqual([400, 401, 403, 429, 503]);
    expect(statuses('/widgets/{widget}', 'patch')).toEqual([400, 401, 403, 404, 412, 413, 415, 422, 429, 503]);
    expect(statuses('/widgets/health', 'get')).toEqual([401, 403, 429, 503]);
    const unprocessable = operation('/widgets/{widget}', 'patch').responses['422'] as Json;
    expect(unprocessable.description).toBe('Illegal transition');
    expect(unprocessable.content).toEqual({ 'application/problem+json': { schema: { $ref: `#/components/schemas/${PROBLEM_SCHEMA_NAME}` } } });
    expect(operation('/widgets', 'get').responses['503'].headers['Retry-After']).toBeDefined();
    expect(document.components.schemas[PROBLEM_SCHEMA_NAME].required).toEqual(['type', 'title', 'status']);
  });

  it('declares ETag on resource responses, not on pages', () => {
    expect(operation('/widgets', 'post').responses['200'].headers.ETag.schema.pattern).toBe('^"[0-9]+"$');
    expect(operation('/widgets/{widget}', 'patch').responses['200'].headers.ETag).toBeDefined();
    expect(operation('/widgets', 'get').responses['200'].headers).toBeUndefined();
  });
});
