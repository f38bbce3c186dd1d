import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApiProperty, ApiPropertyOptional, DECORATORS } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { IsInstant } from '../validation/is-instant';
import { documentValidationBounds } from './validation-bounds';

class Sample {
  @ApiProperty()
  @IsString()
  @Length(1, 64)
  @Matches(/^[a-z]+$/)
  key: string;

  @ApiProperty({ maxLength: 10 })
  @IsString()
  @MaxLength(20)
  stated: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsUUID()
  id?: string;

  @ApiProperty()
  @IsInt()
  @Min(1)
  @Max(500)
  limit: number;

  @ApiProperty({ type: [String] })
  @ArrayMaxSize(3)
  @Matches(/^[a-z]+$/, { each: true })
  tags: string[];

  @ApiProperty()
  @IsInstant()
  at: string;

  @ApiProperty()
  @Matches(/^[a-z]+$/i)
  caseless: string;

  @IsString()
  @MaxLength(5)
  undocumented: string;
}

const schemaOf = (property: keyof Sample) =>
  Reflect.getMetadata(DECORATORS.API_MODEL_PROPERTIES, Sample.prototype, property) as Record<string, unknown>;

describe('documentValidationBounds', () => {
  beforeAll(() => documentValidationBounds());

  it('states the bounds class-validator enforces on documented properties', () => {
    expect(schemaOf('key')).toMatchObject({ minLength: 1, maxLength: 64, pattern: '^[a-z]+$' });
    expect(schemaOf('id')).toMatchObject({ format: 'uuid', required: false });
    expect(schemaOf('limit')).toMatchObject({ type: 'integer', minimum: 1, maximum: 500 });
    expect(schemaOf('at')).toMatchObject({ format: 'date-time' });
  });

  it('keeps what @ApiProperty states, and bounds of items or flags it cannot write off the property', () => {
    expect(schemaOf('stated').maxLength).toBe(10);
    expect(schemaOf('tags')).toMatchObject({ maxItems: 3, isArray: true });
    expect(schemaOf('tags').pattern).toBeUndefined();
    expect(schemaOf('caseless').pattern).toBeUndefined();
    expect(schemaOf('undocumented')).toBeUndefined();
  });

  it('is in the committed document: the consent check states its parameters as the service checks them', () => {
    const doc = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'openapi.json'), 'utf8')) as {
      paths: Record<string, Record<string, { parameters: { name: string; schema: Record<string, unknown> }[] }>>;
    };
    const params = Object.fromEntries(
      doc.paths['/v1/consents/check'].get.parameters.map((p) => [p.name, p.schema] as const),
    );
    expect(params.purpose).toMatchObject({ minLength: 1, maxLength: 64, pattern: expect.any(String) });
    expect(params.subjectId).toMatchObject({ format: 'uuid' });
    expect(params.email).toMatchObject({ maxLength: 1024 });
  });
});
