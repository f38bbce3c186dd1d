import { heldBack, parseOutcome, TaskCallError } from './task-outcome';

const refusal = (body: unknown) => {
  try {
    parseOutcome(body);
  } catch (e) {
    return e instanceof TaskCallError ? e.code : 'other';
  }
  return null;
};

describe('parseOutcome', () => {
  it('reads whether the system found the person', () => {
    expect(parseOutcome({ status: 'done', found: false }).found).toBe(false);
    expect(parseOutcome({ status: 'done', found: true }).found).toBe(true);
    expect(parseOutcome({ status: 'done' }).found).toBeNull();
  });

  it('refuses a found that is not a boolean, and data retained that was not found', () => {
    expect(refusal({ status: 'done', found: 'no' })).toBe('answer_found_not_boolean');
    expect(refusal({ status: 'retained', reason: 'art. 74', found: false })).toBe('retained_but_not_found');
    expect(refusal({ status: 'retained', reason: 'art. 74', found: true })).toBeNull();
  });
});

describe('heldBack', () => {
  const kept = [
    { category: 'orders', legalBasis: 'legal_claims', until: '2031-01-01T00:00:00.000Z' },
    { category: 'invoices', legalBasis: 'legal_obligation', until: '2030-01-01T00:00:00.000Z' },
  ];
  it('turns "done" into "retained" under a legal hold, until the last held category may go', () => {
    expect(heldBack(kept, { status: 'done', found: true })).toEqual({
      status: 'retained',
      found: true,
      reason: 'legal_hold',
      retainedUntil: new Date('2031-01-01T00:00:00.000Z'),
    });
    expect(heldBack([{ ...kept[0], until: null }], { status: 'done' }).retainedUntil).toBeNull();
  });

  it("leaves nothing-held, not-found, failed and the system's own retention as answered", () => {
    expect(heldBack(null, { status: 'done' })).toEqual({ status: 'done' });
    expect(heldBack(kept, { status: 'done', found: false })).toEqual({ status: 'done', found: false });
    expect(heldBack(kept, { status: 'failed', reason: 'x' })).toEqual({ status: 'failed', reason: 'x' });
    const own = { status: 'retained' as const, reason: 'accounting act art. 74' };
    expect(heldBack(kept, own)).toBe(own);
  });
});
