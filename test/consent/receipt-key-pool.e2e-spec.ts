import { ReceiptsService } from '../../src/consent/receipts.service';
import { startTestApp, TestApp } from '../support/test-app';
import { createSubject, grant, publishedPurpose } from './consent-fixtures';

/**
 * Every grant signs a receipt inside its transaction. Loading the signing key takes a connection of its own, so
 * when the pool was full of grants waiting for that load, none of them ever finished: on a fresh installation
 * (no key yet) and again each time the cached key's minute ran out under load.
 */
describe('consent: receipt signing under a full connection pool', () => {
  let t: TestApp;
  let purpose: string;

  beforeAll(async () => {
    t = await startTestApp({ role: 'api', env: { DB_POOL_SIZE: '4' } });
    purpose = await publishedPurpose(t, 'pool', { channels: ['email'] });
  });

  afterAll(() => t.close());

  async function grantAll(subjects: string[]) {
    const res = await Promise.all(
      subjects.map((id) => t.request('POST', `/v1/subjects/${id}/consents`, { purpose, ...grant() })),
    );
    return res.map((r) => r.status);
  }

  it('signs the first receipts of an installation with more concurrent grants than connections', async () => {
    const subjects = await Promise.all(Array.from({ length: 16 }, () => createSubject(t)));
    expect(await grantAll(subjects)).toEqual(subjects.map(() => 201));
  });

  it('keeps signing while the cached key is refreshed', async () => {
    const subjects = await Promise.all(Array.from({ length: 16 }, () => createSubject(t)));
    // The cache's minute has run out: the next signature triggers the refresh.
    const receipts = t.get(ReceiptsService) as unknown as { active?: { until: number } };
    receipts.active!.until = 0;
    expect(await grantAll(subjects)).toEqual(subjects.map(() => 201));
    expect(receipts.active!.until).toBeGreaterThan(Date.now());
  });
});
