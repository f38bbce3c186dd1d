import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { ProblemError } from '../problem/problem.error';

export class ListQuery {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 500, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit = 50;

  @ApiPropertyOptional({ description: 'Opaque cursor from `nextCursor` of the previous page.' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export function encodeCursor(value: Record<string, string | number>): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

export function decodeCursor<T extends Record<string, string | number>>(
  cursor: string | undefined,
  keys: (keyof T)[],
): T | undefined {
  if (!cursor) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as T;
    if (parsed && typeof parsed === 'object' && keys.every((k) => parsed[k] !== undefined)) return parsed;
  } catch {
    // fall through: a cursor is opaque to clients, so any damage is one error
  }
  throw new ProblemError('invalid_cursor', 'The cursor is not valid.');
}

/** Builds a page from `limit + 1` fetched rows: the extra row only proves there is a next page. */
export function pageOf<R, T>(
  rows: R[],
  limit: number,
  map: (r: R) => T,
  cursorOf: (r: R) => Record<string, string | number>,
): Page<T> {
  const more = rows.length > limit;
  const items = more ? rows.slice(0, limit) : rows;
  return { items: items.map(map), nextCursor: more ? encodeCursor(cursorOf(items[items.length - 1])) : null };
}
