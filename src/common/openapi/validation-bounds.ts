import { DECORATORS } from '@nestjs/swagger';
import { getMetadataStorage } from 'class-validator';
import type { ValidationMetadata } from 'class-validator/types/metadata/ValidationMetadata';

/** The schema keywords a class-validator constraint states, as OpenAPI 3.0 writes them. */
type Bounds = {
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  enum?: unknown[];
  type?: string;
};

/** A JavaScript pattern is an OpenAPI (ECMA-262) pattern as long as no flag changes its meaning. */
const patternOf = (re: unknown): Bounds =>
  re instanceof RegExp && !/[imsy]/.test(re.flags) ? { pattern: re.source } : {};

const BOUNDS: Record<string, (c: unknown[]) => Bounds> = {
  isUuid: () => ({ format: 'uuid' }),
  maxLength: ([max]) => ({ maxLength: max as number }),
  minLength: ([min]) => ({ minLength: min as number }),
  isLength: ([min, max]) => ({ minLength: min as number, ...(max === undefined ? {} : { maxLength: max as number }) }),
  matches: ([re]) => patternOf(re),
  min: ([min]) => ({ minimum: min as number }),
  max: ([max]) => ({ maximum: max as number }),
  isInt: () => ({ type: 'integer' }),
  isIn: ([values]) => ({ enum: values as unknown[] }),
  // Not isIso8601 or isDateString: they take a date without a time as well, which `date-time` refuses.
  isInstant: () => ({ format: 'date-time' }),
  isUrl: () => ({ format: 'uri' }),
  arrayMaxSize: ([max]) => ({ maxItems: max as number }),
  arrayMinSize: ([min]) => ({ minItems: min as number }),
  arrayUnique: () => ({ uniqueItems: true }),
};

/**
 * Issue 24 item 2: the document states the bounds the service enforces. NestJS Swagger's CLI plugin reads
 * class-validator decorators only when `nest build` compiles the code; the document served by tests and the one
 * committed come from code compiled without it, so they said `string` where the service takes a UUID, 64
 * characters or a purpose key. This copies every documented DTO property's class-validator constraints into
 * its Swagger metadata before the document is built. What a property's own `@ApiProperty` states wins, and a
 * constraint on each item (`each: true`) or one limited to some groups is left out, as it does not bound the
 * property itself.
 */
export function documentValidationBounds(): void {
  for (const [target, metadatas] of validatedClasses()) {
    const byProperty = new Map<string, Bounds>();
    for (const m of metadatas) {
      const bounds = m.each || m.groups?.length ? undefined : BOUNDS[m.name ?? m.type]?.(m.constraints ?? []);
      if (bounds) byProperty.set(m.propertyName, { ...byProperty.get(m.propertyName), ...bounds });
    }
    for (const [property, bounds] of byProperty) {
      const existing = Reflect.getMetadata(DECORATORS.API_MODEL_PROPERTIES, target.prototype, property) as
        (Omit<Bounds, 'type'> & { isArray?: boolean; type?: unknown }) | undefined;
      // Only properties the document shows.
      if (!existing) continue;
      const { type, ...rest } = existing.isArray ? arrayBounds(bounds) : bounds;
      const merged = { ...rest, ...existing, ...(type && existing.type === Number ? { type } : {}) };
      Reflect.defineMetadata(DECORATORS.API_MODEL_PROPERTIES, merged, target.prototype, property);
    }
  }
}

/** Of an array property only its size and uniqueness bound the array itself. */
const arrayBounds = ({ minItems, maxItems, uniqueItems }: Bounds): Bounds =>
  Object.fromEntries(Object.entries({ minItems, maxItems, uniqueItems }).filter(([, v]) => v !== undefined));

/**
 * class-validator's storage keeps the classes it validates in a map its types mark private; there is no public
 * way to list them. Failing loudly here (the document test builds the document) beats silently documenting less.
 */
type Class = abstract new (...args: never[]) => unknown;

function validatedClasses(): [Class, ValidationMetadata[]][] {
  const map = (getMetadataStorage() as unknown as { validationMetadatas?: unknown }).validationMetadatas;
  if (!(map instanceof Map)) throw new Error('class-validator metadata storage has changed shape');
  return [...(map as Map<Class | string, ValidationMetadata[]>)].filter(
    (entry): entry is [Class, ValidationMetadata[]] => typeof entry[0] === 'function',
  );
}
