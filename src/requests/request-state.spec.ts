import { checkTransition, OPEN_STATUSES, TRANSITIONS } from './request-state';
import { REQUEST_STATUSES, RequestStatus, Resolution } from './request.types';

const ok = (from: RequestStatus, to: RequestStatus, r?: Resolution) => checkTransition(from, to, r).ok;

describe('request state machine', () => {
  it('knows every status', () => {
    expect(Object.keys(TRANSITIONS).sort()).toEqual([...REQUEST_STATUSES].sort());
  });

  it('walks the happy paths of staff and portal intake', () => {
    expect(ok('received', 'verified')).toBe(true);
    expect(ok('received', 'awaiting_verification')).toBe(true);
    expect(ok('awaiting_verification', 'verified')).toBe(true);
    expect(ok('verified', 'in_progress')).toBe(true);
    expect(ok('in_progress', 'awaiting_recipients')).toBe(true);
    expect(ok('awaiting_recipients', 'in_progress')).toBe(true);
    expect(ok('awaiting_recipients', 'completed', 'fulfilled')).toBe(true);
    expect(ok('in_progress', 'completed', 'partially_fulfilled')).toBe(true);
  });

  it('ends unverified requests rejected, never fulfilled (Recital 64)', () => {
    expect(ok('awaiting_verification', 'completed', 'rejected')).toBe(true);
    expect(ok('awaiting_verification', 'completed', 'fulfilled')).toBe(false);
    expect(ok('received', 'completed', 'partially_fulfilled')).toBe(false);
  });

  it('never reports work that reached recipients as rejected or cancelled', () => {
    expect(ok('in_progress', 'cancelled')).toBe(false);
    expect(ok('in_progress', 'completed', 'rejected')).toBe(false);
    expect(ok('awaiting_recipients', 'cancelled')).toBe(false);
  });

  it('lets a failed request be retried, rejected or cancelled, but not completed as success', () => {
    expect(ok('failed', 'in_progress')).toBe(true);
    expect(ok('failed', 'completed', 'rejected')).toBe(true);
    expect(ok('failed', 'cancelled')).toBe(true);
    expect(ok('failed', 'completed', 'fulfilled')).toBe(false);
  });

  it('treats completed and cancelled as final', () => {
    for (const to of REQUEST_STATUSES) {
      expect(ok('completed', to, to === 'completed' ? 'fulfilled' : undefined)).toBe(false);
      expect(ok('cancelled', to, to === 'completed' ? 'rejected' : undefined)).toBe(false);
    }
    expect(OPEN_STATUSES).not.toContain('completed');
    expect(OPEN_STATUSES).not.toContain('cancelled');
  });

  it('requires a resolution exactly when completing, and explains a refusal', () => {
    expect(checkTransition('in_progress', 'completed')).toEqual({
      ok: false,
      reason: 'completing a request needs a resolution',
    });
    expect(checkTransition('received', 'verified', 'fulfilled').ok).toBe(false);
    expect(checkTransition('verified', 'failed')).toEqual({
      ok: false,
      reason: 'a request that is verified cannot become failed',
    });
  });

  it('does not skip verification into work', () => {
    expect(ok('received', 'in_progress')).toBe(false);
    expect(ok('awaiting_verification', 'in_progress')).toBe(false);
  });
});
