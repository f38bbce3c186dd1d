import type { RetainedCategory } from '../request-task.entity';
import { categoryLines, certificatePayload, erasureOutcome, systemOutcome } from './erasure-certificate';

const at = new Date('2026-12-01T10:00:00Z');
const system = (key: string, kind: string, status: string, found: boolean | null) => ({
  key,
  kind,
  status,
  found,
  completedAt: at,
  retainedReason: status === 'retained' ? 'ustawa o rachunkowości art. 74' : null,
  retainedUntil: null,
  categories: ['email', 'orders'],
  retainedCategories: null as RetainedCategory[] | null,
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

  it('states per data category what was kept under a hold, on what ground and until when, and what was erased', () => {
    const kept: RetainedCategory[] = [
      { category: 'orders', legalBasis: 'legal_claims', until: '2031-01-01T00:00:00.000Z' },
    ];
    const shop = {
      ...system('shop', 'webhook', 'retained', true),
      retainedReason: 'legal_hold',
      retainedCategories: kept,
    };
    expect(categoryLines(shop)).toEqual([
      { category: 'email', outcome: 'erased' },
      { category: 'orders', outcome: 'retained', legalBasis: 'legal_claims', until: '2031-01-01T00:00:00.000Z' },
    ]);
    // Zgoda's own record stays, restricted, as the index the follow-up erasure needs; it is not "erased".
    const own = { ...shop, key: 'zgoda', kind: 'internal' };
    expect(categoryLines({ ...own, retainedCategories: null }).map((l) => l.outcome)).toEqual([
      'restricted_until_hold_ends',
      'restricted_until_hold_ends',
    ]);
    expect(categoryLines(own).map((l) => l.outcome)).toEqual(['restricted_until_hold_ends', 'retained']);
    // A system keeping data for its own reason kept every category; not found and failed say so for each.
    expect(categoryLines(system('crm', 'webhook', 'retained', true)).map((l) => l.outcome)).toEqual([
      'retained',
      'retained',
    ]);
    expect(categoryLines(system('crm', 'webhook', 'done', false)).map((l) => l.outcome)).toEqual([
      'not_found',
      'not_found',
    ]);
    expect(categoryLines(system('crm', 'webhook', 'failed', null)).map((l) => l.outcome)).toEqual(['failed', 'failed']);
    const payload = certificatePayload({ ...input('00000000-0000-4000-8000-000000000003', [shop]), follows: null });
    expect(payload.ver).toBe(3);
    expect(payload.systems[0].categories).toHaveLength(2);
  });
});
