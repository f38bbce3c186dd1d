import { ValidateBy, ValidationOptions } from 'class-validator';

// An RFC 3339 date-time: date, time, and a zone (Z or ±hh:mm). A value without a zone would be read in the
// server's time zone, so a legal clock (Art. 12(3)) or a record of when someone was told would move with it.
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/i;

export function isInstant(value: unknown): value is string {
  if (typeof value !== 'string' || !INSTANT.test(value)) return false;
  const t = Date.parse(value);
  // Date.parse rolls 2026-02-30 over to March; a real instant survives the round trip of its date part.
  if (Number.isNaN(t)) return false;
  const [y, mo, d] = value.slice(0, 10).split('-').map(Number);
  const probe = new Date(Date.UTC(y, mo - 1, d));
  return probe.getUTCFullYear() === y && probe.getUTCMonth() === mo - 1 && probe.getUTCDate() === d;
}

/** An ISO 8601 / RFC 3339 date-time with its offset; `2026-01-31T23:30:00` (no zone) is refused. */
export function IsInstant(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isInstant',
      validator: {
        validate: (value) => isInstant(value),
        defaultMessage: (args) =>
          `${args?.property} must be a date-time with a time zone offset (e.g. 2026-01-31T23:30:00+01:00)`,
      },
    },
    options,
  );
}
