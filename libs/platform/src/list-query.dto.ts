import { Type as ClassType } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import type { Page } from '@mlops/event-sourcing';

/** `limit` + `cursor`, shared by every list endpoint; extend it with the list's filters. */
export class ListQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit: number = 50;

  @ApiPropertyOptional({ description: 'next_cursor from the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  cursor?: string;
}

export type { Page } from '@mlops/event-sourcing';

/**
 * The response shape of a list endpoint, for the OpenAPI document: extend it per item type
 * (`class RunPageDto extends PageDto(RunDto) {}`) so each page keeps its own schema name.
 */
export function PageDto<Item>(item: ClassType<Item>): ClassType<Page<Item>> {
  class PageOfItems implements Page<Item> {
    @ApiProperty({ type: [item] }) items!: Item[];
    @ApiProperty({ type: String, nullable: true, description: 'Cursor of the next page; null on the last one' }) next_cursor!: string | null;
  }
  return PageOfItems;
}

/** A page of read documents as the API answers it: each item presented, the cursor passed on. */
export const presentPage = <Doc, Item>(page: Page<Doc>, present: (doc: Doc) => Item): Page<Item> => ({
  items: page.items.map(present),
  next_cursor: page.next_cursor,
});
