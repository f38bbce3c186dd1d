import { signWebhook, verifyWebhookSignature } from './webhook-signature';

const SECRET = 'whsec_test';
const T = 1_700_000_000;
const BODY = '{"a":1}';
// printf '%s' '1700000000.{"a":1}' | openssl dgst -sha256 -hmac whsec_test
const EXPECTED_HEX = '38877139021993b830af32feea6e18a8da83eb2f6e49ee50bd9e4cf4ca4d3789';
const HEADER = `t=${T},v1=${EXPECTED_HEX}`;
const OTHER_HEX = 'ab'.repeat(32);

describe('signWebhook', () => {
  it('matches the openssl vector', () => {
    expect(signWebhook(SECRET, BODY, T)).toBe(HEADER);
  });

  it('covers the timestamp and every byte of the body', () => {
    expect(signWebhook(SECRET, BODY, T + 1)).not.toBe(`t=${T + 1},v1=${EXPECTED_HEX}`);
    expect(signWebhook(SECRET, '{"a": 1}', T)).not.toBe(HEADER);
    expect(signWebhook('whsec_other', BODY, T)).not.toBe(HEADER);
  });

  it('signs UTF-8 bodies', () => {
    const body = '{"name":"Zażółć"}';
    const header = signWebhook(SECRET, body, T);
    expect(verifyWebhookSignature(SECRET, header, body, T)).toEqual({ ok: true });
  });

  it('refuses an empty secret and a timestamp that is not whole unix seconds', () => {
    expect(() => signWebhook('', BODY, T)).toThrow(TypeError);
    expect(() => signWebhook(SECRET, BODY, T + 0.5)).toThrow(RangeError);
    expect(() => signWebhook(SECRET, BODY, T * 1000)).toThrow(RangeError);
  });
});

describe('verifyWebhookSignature', () => {
  it('accepts the openssl vector', () => {
    expect(verifyWebhookSignature(SECRET, HEADER, BODY, T)).toEqual({ ok: true });
  });

  it('accepts upper-case hex and spaces after commas', () => {
    expect(verifyWebhookSignature(SECRET, `t=${T}, v1=${EXPECTED_HEX.toUpperCase()}`, BODY, T)).toEqual({ ok: true });
  });

  it('accepts any of several v1 entries, in any order (sender rotating its secret)', () => {
    expect(verifyWebhookSignature(SECRET, `t=${T},v1=${OTHER_HEX},v1=${EXPECTED_HEX}`, BODY, T)).toEqual({ ok: true });
    expect(verifyWebhookSignature(SECRET, `v1=${EXPECTED_HEX},t=${T},v1=${OTHER_HEX}`, BODY, T)).toEqual({ ok: true });
  });

  it('accepts a signature made with any of our secrets (we are rotating)', () => {
    expect(verifyWebhookSignature(['whsec_new', SECRET], HEADER, BODY, T)).toEqual({ ok: true });
    expect(verifyWebhookSignature(['whsec_new'], HEADER, BODY, T)).toEqual({ ok: false, reason: 'signature_mismatch' });
  });

  it('ignores unknown schemes next to v1', () => {
    expect(verifyWebhookSignature(SECRET, `t=${T},v0=zzz,v1=${EXPECTED_HEX},v2=whatever`, BODY, T)).toEqual({
      ok: true,
    });
  });

  it('accepts timestamps within the tolerance on both sides, inclusive', () => {
    expect(verifyWebhookSignature(SECRET, HEADER, BODY, T + 300)).toEqual({ ok: true });
    expect(verifyWebhookSignature(SECRET, HEADER, BODY, T - 300)).toEqual({ ok: true });
  });

  it('rejects a replay outside the tolerance', () => {
    const stale = { ok: false, reason: 'timestamp_out_of_tolerance' };
    expect(verifyWebhookSignature(SECRET, HEADER, BODY, T + 301)).toEqual(stale);
    expect(verifyWebhookSignature(SECRET, HEADER, BODY, T - 301)).toEqual(stale);
    expect(verifyWebhookSignature(SECRET, HEADER, BODY, T + 3600)).toEqual(stale);
    expect(verifyWebhookSignature(SECRET, HEADER, BODY, T + 60, 30)).toEqual(stale);
    expect(verifyWebhookSignature(SECRET, HEADER, BODY, T + 60, 600)).toEqual({ ok: true });
  });

  it('reports a wrong signature as a mismatch even when the timestamp is also stale', () => {
    expect(verifyWebhookSignature(SECRET, `t=${T},v1=${OTHER_HEX}`, BODY, T + 3600)).toEqual({
      ok: false,
      reason: 'signature_mismatch',
    });
  });

  it('rejects a changed body, secret or timestamp', () => {
    const mismatch = { ok: false, reason: 'signature_mismatch' };
    expect(verifyWebhookSignature(SECRET, HEADER, '{"a":2}', T)).toEqual(mismatch);
    expect(verifyWebhookSignature(SECRET, HEADER, '{"a": 1}', T)).toEqual(mismatch);
    expect(verifyWebhookSignature('whsec_tesT', HEADER, BODY, T)).toEqual(mismatch);
    expect(verifyWebhookSignature(SECRET, `t=${T + 1},v1=${EXPECTED_HEX}`, BODY, T)).toEqual(mismatch);
  });

  it('rejects a signature with one hex digit changed', () => {
    const last = EXPECTED_HEX[63] === '0' ? '1' : '0';
    expect(verifyWebhookSignature(SECRET, `t=${T},v1=${EXPECTED_HEX.slice(0, 63)}${last}`, BODY, T)).toEqual({
      ok: false,
      reason: 'signature_mismatch',
    });
  });

  it.each([
    ['missing header', undefined],
    ['empty header', ''],
    ['no timestamp', `v1=${EXPECTED_HEX}`],
    ['no signature', `t=${T}`],
    ['only an unknown scheme', `t=${T},v0=${EXPECTED_HEX}`],
    ['two timestamps', `t=${T},t=${T + 1},v1=${EXPECTED_HEX}`],
    ['non-numeric timestamp', `t=abc,v1=${EXPECTED_HEX}`],
    ['negative timestamp', `t=-1,v1=${EXPECTED_HEX}`],
    ['short signature', `t=${T},v1=${EXPECTED_HEX.slice(0, 62)}`],
    ['long signature', `t=${T},v1=${EXPECTED_HEX}00`],
    ['non-hex signature', `t=${T},v1=${'z'.repeat(64)}`],
    ['entry without =', `t=${T},v1`],
    ['oversized header', `t=${T},v1=${EXPECTED_HEX},${'x=1,'.repeat(1000)}x=1`],
  ])('reports %s as malformed', (_label, header) => {
    expect(verifyWebhookSignature(SECRET, header, BODY, T)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('refuses to run without a secret or with milliseconds for now', () => {
    expect(() => verifyWebhookSignature([], HEADER, BODY, T)).toThrow(TypeError);
    expect(() => verifyWebhookSignature('', HEADER, BODY, T)).toThrow(TypeError);
    expect(() => verifyWebhookSignature(SECRET, HEADER, BODY, T * 1000)).toThrow(RangeError);
  });

  it('round-trips what signWebhook produces', () => {
    const body = JSON.stringify({ taskId: 'c1', status: 'erased' });
    const header = signWebhook(SECRET, body, T);
    expect(verifyWebhookSignature(SECRET, header, body, T + 5)).toEqual({ ok: true });
  });
});
