import { progressOf } from './request-progress';

const t = (status: string, systemKind = 'webhook', systemKey = 'shop') => ({ status, systemKind, systemKey }) as never;

describe('progress of a request in work', () => {
  it('finalises only when every task is done or retained', () => {
    expect(progressOf('in_progress', [t('done'), t('retained')])).toEqual({ next: 'finalise' });
    expect(progressOf('awaiting_recipients', [t('done', 'internal', 'zgoda')])).toEqual({ next: 'finalise' });
    expect(progressOf('in_progress', [t('done'), t('running')])).toEqual({ next: 'none' });
  });

  it('waits for recipients when only call-backs and manual work are left', () => {
    expect(progressOf('in_progress', [t('done'), t('waiting_callback')])).toEqual({
      next: 'status',
      status: 'awaiting_recipients',
    });
    expect(progressOf('in_progress', [t('done', 'internal', 'zgoda'), t('pending', 'manual', 'archive')])).toEqual({
      next: 'status',
      status: 'awaiting_recipients',
    });
    expect(progressOf('awaiting_recipients', [t('waiting_callback'), t('pending')])).toEqual({
      next: 'status',
      status: 'in_progress',
    });
  });

  it('never reports a failed task as success', () => {
    expect(progressOf('in_progress', [t('done'), t('failed')])).toEqual({ next: 'status', status: 'failed' });
    expect(progressOf('in_progress', [t('failed'), t('waiting_callback')])).toEqual({
      next: 'status',
      status: 'failed',
    });
    // something is still running: it may succeed, the request is not failed yet
    expect(progressOf('in_progress', [t('failed'), t('running')])).toEqual({ next: 'none' });
  });

  it('leaves requests that are not in work alone', () => {
    expect(progressOf('failed', [t('done')])).toEqual({ next: 'none' });
    expect(progressOf('completed', [t('done')])).toEqual({ next: 'none' });
    expect(progressOf('in_progress', [])).toEqual({ next: 'status', status: 'awaiting_recipients' });
  });
});
