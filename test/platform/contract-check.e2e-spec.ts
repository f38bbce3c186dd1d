import { contractViolation } from '../support/contract';

/*
 * The check every end-to-end response goes through (test/support/contract.ts) must be able to fail: these are
 * answers a route could drift into, checked against the committed openapi.json without a running service.
 */
describe('platform: the contract check of test responses', () => {
  const subject = {
    id: '6f1c1f54-8d55-4f5e-9a55-6c1d5f1e0b11',
    mergedInto: null,
    status: 'active',
    email: 'jan@example.com',
    phone: null,
    externalId: null,
    identifiers: [],
    firstName: null,
    lastName: null,
    birthDate: null,
    locale: null,
    restriction: null,
    objections: { directMarketingSince: null, purposes: [] },
    holds: [],
    onHold: false,
    mergedIds: [],
    createdAt: '2026-12-06T10:00:00.000Z',
    updatedAt: '2026-12-06T10:00:00.000Z',
    lastActivityAt: '2026-12-06T10:00:00.000Z',
    erasedAt: null,
  };
  const get = (status: number, media: string | null, body: unknown) =>
    contractViolation('GET', `/v1/subjects/${subject.id}?x=1`, status, media, body);

  it('passes a documented answer, a nullable object given as null included', () => {
    expect(get(200, 'application/json; charset=utf-8', subject)).toBeNull();
    const problem = { type: 'about:blank', title: 'Not found', status: 404, code: 'unknown_subject' };
    expect(get(404, 'application/problem+json', problem)).toBeNull();
  });

  it('fails a status, a media type or a body the document does not give', () => {
    expect(get(418, 'application/json', subject)).toMatch(/answered 418, which it does not document/);
    expect(get(200, 'text/html', '<p>')).toMatch(/text\/html is not declared/);
    const { email: _dropped, ...missing } = subject;
    expect(get(200, 'application/json', missing)).toMatch(/email/);
    expect(get(200, 'application/json', { ...subject, restriction: 'none' })).toMatch(/restriction/);
    expect(get(404, 'application/problem+json', { title: 'x', status: 404, code: 'no_such_code' })).toMatch(
      /code|type/,
    );
  });

  it('leaves routes outside the contract alone (the console’s pages)', () => {
    expect(contractViolation('GET', '/console/requests', 200, 'text/html', '<html>')).toBeNull();
  });
});
