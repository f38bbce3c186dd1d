import { describeSendFailure, NoContactError } from './send-failure';
import { TemplateRenderError } from '../rendering';

const smtp = (props: Record<string, unknown>) => Object.assign(new Error('smtp said something'), props);

describe('describeSendFailure', () => {
  it('treats a 5xx rejection of the message as permanent, and keeps the address out of the reason', () => {
    const f = describeSendFailure(
      smtp({ code: 'EENVELOPE', responseCode: 550, permanent: true, response: '550 5.1.1 <jan@example.com>: unknown' }),
    );
    expect(f).toEqual({ permanent: true, reason: 'smtp EENVELOPE 550 5.1.1' });
  });

  it('classifies by the reply code when nodemailer does not say', () => {
    expect(describeSendFailure(smtp({ code: 'EMESSAGE', responseCode: 554 })).permanent).toBe(true);
    expect(describeSendFailure(smtp({ code: 'EMESSAGE', responseCode: 451 })).permanent).toBe(false);
    // 503 is a bad command sequence, not a verdict on the message.
    expect(describeSendFailure(smtp({ code: 'EPROTOCOL', responseCode: 503 })).permanent).toBe(false);
  });

  it('retries temporary trouble: 4xx, connection errors, timeouts', () => {
    expect(describeSendFailure(smtp({ code: 'EENVELOPE', responseCode: 451, permanent: false }))).toEqual({
      permanent: false,
      reason: 'smtp EENVELOPE 451',
    });
    expect(describeSendFailure(smtp({ code: 'ESOCKET' })).permanent).toBe(false);
    expect(describeSendFailure(smtp({ code: 'ECONNECTION' })).permanent).toBe(false);
    expect(describeSendFailure(smtp({ code: 'ETIMEDOUT' })).permanent).toBe(false);
  });

  it('retries a refused login: our configuration is wrong, not the message', () => {
    expect(describeSendFailure(smtp({ code: 'EAUTH', responseCode: 535, permanent: true })).permanent).toBe(false);
  });

  it('gives up on an address nodemailer refuses before the server sees it', () => {
    expect(describeSendFailure(smtp({ code: 'EENVELOPE' })).permanent).toBe(true);
  });

  it('gives up when there is no address or the template cannot render', () => {
    expect(describeSendFailure(new NoContactError())).toEqual({ permanent: true, reason: 'no_contact' });
    expect(describeSendFailure(new TemplateRenderError('x/pl.html: model has no "y"')).permanent).toBe(true);
  });

  it('retries anything else, with personal data scrubbed from the reason', () => {
    const f = describeSendFailure(new Error('lookup failed for jan.kowalski@example.com'));
    expect(f.permanent).toBe(false);
    expect(f.reason).toBe('Error: lookup failed for [email]');
  });
});
