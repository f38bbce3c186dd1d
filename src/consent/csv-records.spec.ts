import { csvRecords, mapRecord } from './csv-records';

async function all(pieces: string[]) {
  const out: string[][] = [];
  for await (const r of csvRecords(
    (async function* () {
      yield* pieces;
    })(),
  ))
    out.push(r);
  return out;
}

describe('csvRecords', () => {
  it('reads quoted commas, doubled quotes, line breaks in quotes and CRLF, split anywhere', async () => {
    const text = 'email,note\r\na@example.com,"Kraków, ""centrum"""\r\nb@example.com,"line one\nline two"\r\n';
    const whole = await all([text]);
    expect(whole).toEqual([
      ['email', 'note'],
      ['a@example.com', 'Kraków, "centrum"'],
      ['b@example.com', 'line one\nline two'],
    ]);
    // The same text in one-character pieces reads the same.
    expect(await all(text.split(''))).toEqual(whole);
    expect(await all(['a,b\nc,d'])).toEqual([
      ['a', 'b'],
      ['c', 'd'],
    ]);
    expect(await all([''])).toEqual([]);
  });
});

describe('mapRecord', () => {
  const header = ['email', 'status', 'optin_time', 'optin_ip'];
  const mapping = {
    columns: { email: 'subject.email', status: 'decision', optin_time: 'occurredAt', optin_ip: 'evidence.ip' },
    values: { decision: { subscribed: 'granted', unsubscribed: 'withdrawn', cleaned: null } },
  };
  it('maps columns to fields and values through their maps; null skips the row', () => {
    expect(mapRecord(header, ['a@example.com', 'subscribed', '2023-01-02T10:00:00Z', '203.0.113.7'], mapping)).toEqual({
      subject: { email: 'a@example.com' },
      decision: 'granted',
      occurredAt: '2023-01-02T10:00:00Z',
      evidence: { ip: '203.0.113.7' },
    });
    expect(mapRecord(header, ['b@example.com', 'cleaned', '2023-01-02T10:00:00Z', ''], mapping)).toBe('skip');
    // An unmapped value stays as it is (and the row's validation names it).
    expect(mapRecord(header, ['c@example.com', 'pending', '', ''], mapping)).toEqual({
      subject: { email: 'c@example.com' },
      decision: 'pending',
    });
  });
});
