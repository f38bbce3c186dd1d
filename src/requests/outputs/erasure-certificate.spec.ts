import { certificatePayload, erasureOutcome, systemOutcome } from './erasure-certificate';

const at = new Date('2026-12-01T10:00:00Z');
const system = (key: string, kind: string, status: string, found: boolean | null) => ({
  key,
  kind,
  status,
  found,
  completedAt: at,
  retainedReason: status === 'retained' ? 'ustawa o rachunkowości art. 74' : null,
  retainedUntil: null,
});
const nothingLeft = {
  checkedAt: at,
  dataKey: false,
  identifiers: 0,
  encryptedFields: 0,
  holdReasons: 0,
  consentEvidence: 0,
  suppressedIdentifiers: 1,
};
const input = (
  subjectId: string | null,
  systems: ReturnType<typeof system>[],
  residue: typeof nothingLeft | null = subjectId ? nothingLeft : null,
) => ({
  residue,
  issuer: 'https://zgoda.example.com',
  controller: 'Optyk',
  requestId: '00000000-0000-4000-8000-000000000001',
  subjectId,
  receivedAt: at,
  completedAt: at,
  resolution: 'fulfilled',
  systems,
});

describe('erasure certificate outcomes', () => {
  it('states per system only what it reported', () => {
    expect(systemOutcome({ status: 'done', found: null })).toBe('erased');
    expect(systemOutcome({ status: 'done', found: true })).toBe('erased');
    expect(systemOutcome({ status: 'done', found: false })).toBe('not_found');
    expect(systemOutcome({ status: 'retained', found: true })).toBe('retained');
    expect(systemOutcome({ status: 'failed', found: null })).toBe('failed');
  });

  it('is "no data found" only when every system found nothing', () => {
    expect(erasureOutcome(['not_found', 'not_found'])).toBe('no_data_found');
    expect(erasureOutcome(['not_found', 'erased'])).toBe('erased');
    expect(erasureOutcome(['erased', 'retained'])).toBe('partially_erased');
    expect(erasureOutcome([])).toBe('erased');
  });

  it('names nobody and claims no suppression for a request that matched nobody', () => {
    const p = certificatePayload(
      input(null, [system('zgoda', 'internal', 'done', false), system('shop', 'webhook', 'done', false)]),
    );
    expect(p.subject).toEqual({ id: null, found: false, suppressed: false });
    expect(p.residueCheck).toBeNull();
    expect(p.request.outcome).toBe('no_data_found');
    expect(p.systems.map((s) => s.outcome)).toEqual(['not_found', 'not_found']);
  });

  it('claims suppression only where Zgoda itself erased the subject', () => {
    const id = '00000000-0000-4000-8000-000000000002';
    const erased = certificatePayload(input(id, [system('zgoda', 'internal', 'done', true)]));
    expect(erased.subject).toEqual({ id, found: true, suppressed: true });
    expect(erased.residueCheck).toMatchObject({ dataKey: false, identifiers: 0, clean: true });
    // Nothing to suppress: a subject known by no identifier.
    const anonymous = certificatePayload(
      input(id, [system('zgoda', 'internal', 'done', true)], { ...nothingLeft, suppressedIdentifiers: 0 }),
    );
    expect(anonymous.subject.suppressed).toBe(false);
    const held = certificatePayload(
      input(id, [system('zgoda', 'internal', 'retained', true)], {
        ...nothingLeft,
        dataKey: true,
        encryptedFields: 2,
        suppressedIdentifiers: 0,
      }),
    );
    expect(held.subject).toEqual({ id, found: true, suppressed: false });
    expect(held.residueCheck).toMatchObject({ dataKey: true, encryptedFields: 2, clean: false });
    expect(held.request.outcome).toBe('partially_erased');
    expect(held.systems[0]).toMatchObject({ outcome: 'retained', retainedReason: 'ustawa o rachunkowości art. 74' });
  });
});
