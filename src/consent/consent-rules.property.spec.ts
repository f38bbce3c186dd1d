import fc from 'fast-check';
import { DateTime } from 'luxon';
import {
  applyEvent,
  currentGrant,
  decide,
  DecisionInput,
  decisionRows,
  decisionValidUntil,
  EventFacts,
  StateFacts,
} from './consent-rules';
import { Channel, ConsentEventKind, ExpressedBy, LegalBasis } from './consent.types';

/*
 * Issue 16 item 1: a decision kept as a row is `decide` applied to the history, trusted until `valid_until`. These
 * properties hold for any history (folded by applyEvent, as the write path moves consent_state) and any facts: the
 * row never outlives its decision.
 */

const T0 = Date.parse('2024-01-01T00:00:00Z');
const YEAR = 365 * 24 * 3600 * 1000;
const instant = fc.integer({ min: T0, max: T0 + 6 * YEAR }).map((ms) => new Date(ms));
const day = instant.map((d) => DateTime.fromJSDate(d).setZone('Europe/Warsaw').toISODate()!);
// Mostly false: the path through `decide` where time matters (an active subject, no objection, no suppression, a
// confirmed grant) must come up often, not once in a hundred cases.
const rarely = fc.constantFrom(false, false, false, true);

const event = (seq: number): fc.Arbitrary<EventFacts> =>
  fc.record({
    seq: fc.constant(String(seq)),
    id: fc.constant(`e${seq}`),
    decision: fc.constantFrom(ConsentEventKind.Granted, ConsentEventKind.Granted, ...Object.values(ConsentEventKind)),
    version: fc.integer({ min: 1, max: 4 }),
    locale: fc.constantFrom('pl', 'en'),
    textSha256: fc.constant('a'.repeat(64)),
    pending: rarely,
    // Confirmations name an earlier grant, or one that does not exist.
    confirmsEventId: fc.integer({ min: 0, max: seq }).map((n) => `e${n}`),
    occurredAt: instant,
    expiresAt: fc.option(instant, { nil: null }),
    expressedBy: fc.constantFrom(...Object.values(ExpressedBy)),
    suppressed: rarely,
  });

const history: fc.Arbitrary<EventFacts[]> = fc
  .integer({ min: 0, max: 8 })
  .chain((n) => (n === 0 ? fc.constant([]) : fc.tuple(...Array.from({ length: n }, (_, i) => event(i + 1)))));

const fold = (events: EventFacts[]): StateFacts | undefined =>
  events.reduce<StateFacts | undefined>((s, e) => applyEvent(s, e), undefined);

const input = (state: StateFacts | undefined): fc.Arbitrary<DecisionInput> =>
  fc.record({
    purpose: fc.record({
      legalBasis: fc.constantFrom(...Object.values(LegalBasis)),
      marketing: fc.boolean(),
      minimumAge: fc.integer({ min: 13, max: 21 }),
      reconsentFromVersion: fc.integer({ min: 0, max: 4 }),
    }),
    channel: fc.constantFrom(...Object.values(Channel)),
    subject: fc.option(
      fc.record({
        status: fc.constantFrom('active' as const, 'active' as const, 'restricted' as const, 'erased' as const),
        minorUntil: fc.option(day, { nil: null }),
        objectedToDirectMarketing: rarely,
        objectedToPurpose: rarely,
      }),
      { nil: undefined, freq: 6 },
    ),
    state: fc.constant(state),
    grantedOnOtherChannel: fc.boolean(),
    identifierSuppressed: rarely,
    now: instant,
  });

const withState = history.chain((events) => input(fold(events)));

describe('decision rules: what a decision row may rely on', () => {
  it('gives the same decision at every moment before valid_until', () => {
    fc.assert(
      fc.property(withState, fc.double({ min: 0, max: 1, noNaN: true }), (i, fraction) => {
        const until = decisionValidUntil(i);
        const horizon = until ? until.getTime() : i.now.getTime() + 10 * YEAR;
        // Any moment in [now, valid_until): the decision made at `now` still holds there.
        const later = new Date(i.now.getTime() + Math.floor((horizon - 1 - i.now.getTime()) * fraction));
        expect(decide({ ...i, now: later })).toEqual(decide(i));
      }),
      { numRuns: 3000 },
    );
  });

  it('holds up to the last millisecond before valid_until, which is always ahead', () => {
    fc.assert(
      fc.property(withState, (i) => {
        const until = decisionValidUntil(i);
        // Never in the past, never now: a row is good at least for the instant it was written.
        if (until) expect(until.getTime()).toBeGreaterThan(i.now.getTime());
        // The decision a millisecond before the next moment is the one now; if it changes, it changes there.
        if (until) {
          const before = decide({ ...i, now: new Date(until.getTime() - 1) });
          expect(before).toEqual(decide(i));
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('keeps, in each row of a subject and purpose, the decision for that channel until the row is due', () => {
    const channels = fc.subarray(Object.values(Channel), { minLength: 1 });
    const rowsInput = fc.record({
      channels,
      histories: fc.array(history, {
        minLength: Object.values(Channel).length,
        maxLength: Object.values(Channel).length,
      }),
      rest: input(undefined),
      fraction: fc.double({ min: 0, max: 1, noNaN: true }),
    });
    fc.assert(
      fc.property(rowsInput, ({ channels: offered, histories, rest, fraction }) => {
        const subject = rest.subject ?? {
          status: 'active' as const,
          minorUntil: null,
          objectedToDirectMarketing: false,
          objectedToPurpose: false,
        };
        const states = Object.fromEntries(offered.map((c, i) => [c, fold(histories[i])]));
        const rows = decisionRows({ purpose: rest.purpose, channels: offered, subject, states, now: rest.now });
        expect(rows.map((r) => r.channel)).toEqual(offered);
        for (const row of rows) {
          const horizon = row.validUntil ? row.validUntil.getTime() : rest.now.getTime() + 10 * YEAR;
          if (row.validUntil) expect(horizon).toBeGreaterThan(rest.now.getTime());
          // Now, and any moment before the row is due: the rules asked afresh (as the live statement asks them)
          // give the row's reasons, by id and for a suppressed identifier.
          for (const at of [
            rest.now.getTime(),
            rest.now.getTime() + Math.floor((horizon - 1 - rest.now.getTime()) * fraction),
          ]) {
            const now = new Date(at);
            const live = {
              purpose: rest.purpose,
              channel: row.channel,
              subject,
              state: states[row.channel],
              grantedOnOtherChannel: offered.some((c) => c !== row.channel && currentGrant(states[c], now)),
              now,
            };
            expect(decide({ ...live, identifierSuppressed: false }).reason).toBe(row.reason);
            expect(decide({ ...live, identifierSuppressed: true }).reason).toBe(row.reasonIfSuppressed);
            // The answer kept with the row carries the validUntil a check decided without the row gives.
            expect(decisionValidUntil({ ...live, identifierSuppressed: false })).toEqual(row.answerValidUntil);
          }
        }
      }),
      { numRuns: 3000 },
    );
  });
});
