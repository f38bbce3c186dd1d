import { PolicyFields, policyErrors } from './retention-policy-rules';

const ok: PolicyFields = {
  dataCategory: 'contact_data',
  purpose: null,
  system: null,
  trigger: 'last_activity',
  period: 'P2Y',
  action: 'erase',
};

describe('policyErrors', () => {
  it('accepts a category policy, a purpose policy, and a review of another system', () => {
    expect(policyErrors(ok)).toEqual([]);
    expect(policyErrors({ ...ok, dataCategory: null, purpose: 'newsletter' })).toEqual([]);
    expect(policyErrors({ ...ok, system: 'zgoda' })).toEqual([]);
    expect(policyErrors({ ...ok, system: 'exam-records', action: 'review' })).toEqual([]);
    expect(policyErrors({ ...ok, period: 'P100Y' })).toEqual([]);
  });

  it.each<[string, Partial<PolicyFields>, string, RegExp]>([
    ['both scopes', { purpose: 'newsletter' }, 'dataCategory', /exactly one/],
    ['no scope', { dataCategory: null }, 'dataCategory', /exactly one/],
    ['a broken period', { period: 'P1.5Y' }, 'period', /not an ISO 8601 duration/],
    ['a zero period', { period: 'PT0S' }, 'period', /longer than zero/],
    ['a period past 100 years', { period: 'P100Y1D' }, 'period', /at most 100 years/],
    ['erasing in another system', { system: 'shop' }, 'action', /cannot erase data held in system shop/],
    ['anonymising in another system', { system: 'shop', action: 'anonymise' }, 'action', /cannot anonymise/],
  ])('refuses %s', (_name, change, field, message) => {
    const errors = policyErrors({ ...ok, ...change });
    expect(errors).toEqual([{ field, message: expect.stringMatching(message) }]);
  });
});
