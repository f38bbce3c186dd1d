import fc from 'fast-check';
import { validationPipe } from '../common/validation/validation-pipe';
import { plainBatchBody, plainCheckQuery } from './consent-check.route';
import { BatchDecisionDto, DecisionQuery } from './consent-decision.dto';
import { Channel } from './consent.types';

/*
 * Issue 16 item 1: the check's common case skips Nest's pipeline, so its own query check must accept exactly what
 * the global ValidationPipe accepts for DecisionQuery, and give the same values. A query it accepts and the pipe
 * refuses would answer where the contract says 422; one it refuses and the pipe accepts only costs the slow path,
 * but is asserted equal too, so the two cannot drift apart unseen.
 */

/** What the global pipe makes of `value` for the DTO, or null when it refuses it. */
const viaPipe = async (value: unknown, type: 'query' | 'body', metatype: new () => object): Promise<object | null> => {
  try {
    return (await validationPipe.transform(value, { type, metatype })) as object;
  } catch {
    return null;
  }
};

/**
 * The property: over `inputs`, `fast` accepts exactly what the pipe accepts (`slow`), with the same values; and both
 * sides came up (a generator that only made refusals would prove nothing).
 */
async function expectSameAsPipe<T>(
  inputs: fc.Arbitrary<T>,
  fast: (input: T) => object | null,
  slow: (input: T) => Promise<object | null>,
): Promise<void> {
  let accepted = 0;
  await fc.assert(
    fc.asyncProperty(inputs, async (input) => {
      const mine = fast(input);
      const pipes = await slow(input);
      expect(mine === null).toBe(pipes === null);
      if (mine && pipes) {
        accepted += 1;
        expect(mine).toEqual({ ...pipes });
      }
    }),
    { numRuns: 2000 },
  );
  expect(accepted).toBeGreaterThan(100);
}

// Absent one time in `freq`; otherwise good four times in five.
const value = (good: fc.Arbitrary<string | boolean>, bad: fc.Arbitrary<unknown>, freq = 2) =>
  fc.option(fc.oneof({ arbitrary: good, weight: 4 }, { arbitrary: bad, weight: 1 }), { nil: undefined, freq });

const query = fc.record(
  {
    purpose: value(
      fc.constantFrom('newsletter', 'sms_offers', 'a-b', 'x'.repeat(64)),
      fc.constantFrom('', 'News', 'a--b', '-a', 'x'.repeat(65), ['a', 'b']),
      20,
    ),
    channel: value(fc.constantFrom(...Object.values(Channel)), fc.constantFrom('Email', 'fax', '', ['email']), 20),
    subjectId: value(fc.uuid(), fc.constantFrom('', 'not-a-uuid', '00000000-0000-0000-0000-00000000000g', '{6a1b...}')),
    email: value(fc.string({ maxLength: 30 }), fc.constantFrom('a'.repeat(1025), ['a@b.pl', 'c@d.pl'])),
    phone: value(fc.string({ maxLength: 20 }), fc.constant('1'.repeat(65))),
    externalId: value(fc.string({ maxLength: 20 }), fc.constant('x'.repeat(401))),
    record: value(fc.constantFrom('true', 'false'), fc.constantFrom('TRUE', '1', '', 'yes')),
    // An unknown field: forbidNonWhitelisted refuses it.
    extra: fc.option(fc.constant('1'), { nil: undefined, freq: 6 }),
  },
  { requiredKeys: [] },
);

const withoutUndefined = (q: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(q).filter(([, v]) => v !== undefined));

describe('plainCheckQuery (the check route outside Nest)', () => {
  it('accepts exactly what the global validation pipe accepts for DecisionQuery, with the same values', async () => {
    await expectSameAsPipe(
      query.map(withoutUndefined),
      (q) => plainCheckQuery(q),
      (q) => viaPipe({ ...q }, 'query', DecisionQuery),
    );
  });

  it('refuses what is not a query object', () => {
    expect(plainCheckQuery(null)).toBeNull();
    expect(plainCheckQuery('purpose=a')).toBeNull();
    expect(plainCheckQuery({ purpose: 'newsletter', channel: 'email', record: true })).toBeNull();
  });
});

// A list: good entries with now and then a bad one, or something that is not a list of strings at all.
const list = (good: fc.Arbitrary<string>, bad: fc.Arbitrary<unknown>) =>
  fc.option(
    fc.oneof(
      { arbitrary: fc.array(good, { maxLength: 6 }), weight: 6 },
      { arbitrary: fc.array(fc.oneof(good, bad), { minLength: 1, maxLength: 4 }), weight: 2 },
      { arbitrary: fc.constantFrom(null, 'a@b.pl', {}, [[]], 7), weight: 1 },
    ),
    { nil: undefined, freq: 2 },
  );

const body = fc.record(
  {
    purpose: value(
      fc.constantFrom('newsletter', 'a-b', 'x'.repeat(64)),
      fc.constantFrom('', 'News', 'x'.repeat(65), null, 5, ['a']),
      20,
    ),
    channel: value(fc.constantFrom(...Object.values(Channel)), fc.constantFrom('Email', 'fax', null, ['email']), 20),
    subjectIds: list(fc.uuid(), fc.constantFrom('', 'not-a-uuid', 5, null)),
    emails: list(fc.string({ maxLength: 30 }), fc.constantFrom('a'.repeat(1025), 5, null, { a: 1 })),
    phones: list(fc.string({ maxLength: 20 }), fc.constantFrom('1'.repeat(65), true)),
    externalIds: list(fc.string({ maxLength: 20 }), fc.constant('x'.repeat(401))),
    record: value(fc.boolean(), fc.constantFrom('true', 1, null)),
    extra: fc.option(fc.constant('1'), { nil: undefined, freq: 6 }),
  },
  { requiredKeys: [] },
);

describe('plainBatchBody (the batch route outside Nest)', () => {
  it('accepts exactly what the global validation pipe accepts for BatchDecisionDto, with the same values', async () => {
    await expectSameAsPipe(
      body.map(withoutUndefined),
      (b) => plainBatchBody(b),
      (b) => viaPipe(JSON.parse(JSON.stringify(b)), 'body', BatchDecisionDto),
    );
  });

  it('refuses what is not a JSON object', () => {
    expect(plainBatchBody(null)).toBeNull();
    expect(plainBatchBody([{ purpose: 'newsletter', channel: 'email' }])).toBeNull();
    expect(plainBatchBody('{}')).toBeNull();
  });
});
