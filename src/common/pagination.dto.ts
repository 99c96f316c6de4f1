import { type Type as ClassType } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  registerDecorator,
  type ValidationArguments,
} from 'class-validator';

export const MAX_LIMIT = 100;
export const MAX_OFFSET = 10_000;
/** `total` is exact up to this; past it the answer is this with `totalExact: false`. */
export const TOTAL_CAP = 10_000;
export const CURSOR_PATTERN = /^[A-Za-z0-9_-]{1,1500}\.[A-Za-z0-9_-]{22}$/;

// An offset and a cursor both say where a page starts: asking for both is ambiguous.
function NotWithOffset(): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'notWithOffset',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: 'use either offset or cursor, not both' },
      validator: { validate: (_value: unknown, args: ValidationArguments) => (args.object as PageQuery).offset === undefined },
    });
}

/** The query of every list: `limit` and either `offset` or `cursor` (the previous page's `nextCursor`). */
export class PageQuery {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_LIMIT, default: 20 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_LIMIT)
  limit: number = 20;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 0,
    maximum: MAX_OFFSET,
    default: 0,
    description: `Rows to skip (at most ${MAX_OFFSET}); page deeper with \`cursor\`. Not with \`cursor\`.`,
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(MAX_OFFSET, { message: `offset must not be greater than ${MAX_OFFSET}: to page deeper, pass the previous page's nextCursor as cursor` })
  offset?: number;

  @ApiPropertyOptional({ type: 'string', description: "Opaque: the previous page's `nextCursor`. Not with `offset`." })
  @IsOptional()
  @IsString()
  @MaxLength(1600)
  @Matches(CURSOR_PATTERN, { message: 'cursor is malformed: pass a nextCursor exactly as received' })
  @NotWithOffset()
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  limit: number;
  /** null when the page was asked for by cursor. */
  offset: number | null;
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
  /** Exact up to TOTAL_CAP (`totalExact: true`), else TOTAL_CAP. */
  total: number;
  totalExact: boolean;
}

/** The same page with its items mapped (entities → responses). */
export function mapPage<T, R>(page: Page<T>, map: (item: T) => R): Page<R> {
  return { ...page, items: page.items.map(map) };
}

/** Where a page lies in its list: every list answer, and a conversation's page of messages. */
export class PageMeta {
  @ApiProperty({ type: 'integer', minimum: 1, maximum: MAX_LIMIT }) limit!: number;
  @ApiProperty({ type: 'integer', minimum: 0, maximum: MAX_OFFSET, nullable: true, description: 'null when paged by cursor' })
  offset!: number | null;
  @ApiProperty({ type: 'string', nullable: true, description: 'The `cursor` of the next page; null on the last page' })
  nextCursor!: string | null;
  @ApiProperty({ type: 'integer', minimum: 0, maximum: TOTAL_CAP, description: `Exact up to ${TOTAL_CAP}; past that ${TOTAL_CAP}` })
  total!: number;
  @ApiProperty({ description: `false when there are more than ${TOTAL_CAP} rows (then total is ${TOTAL_CAP})` })
  totalExact!: boolean;
}

/** The response class of a list of `item`s, for the OpenAPI document: `class UserPage extends PageOf(UserResponse) {}`. */
export function PageOf<T>(item: ClassType<T>): ClassType<Page<T>> {
  class PageOfItems extends PageMeta implements Page<T> {
    @ApiProperty({ type: [item] }) items!: T[];
  }
  return PageOfItems;
}
