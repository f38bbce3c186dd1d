import { OpenGdprError, openGdprStatus, parseOpenGdprBody } from './opengdpr-body';

const valid = {
  subject_request_id: 'a7551968-d5d6-44b2-9831-815ac9017798',
  subject_request_type: 'erasure',
  submitted_time: '2018-10-02T15:00:00Z',
  subject_identities: [{ identity_type: 'email', identity_value: 'johndoe@example.com', identity_format: 'raw' }],
  api_version: '0.1',
  status_callback_urls: ['https://examplecontroller.com/opengdpr_callbacks'],
  extensions: { 'example-processor.com': { 'foo-processor-custom-id': 123456 } },
};

const errorsOf = (body: unknown): string[] => {
  try {
    parseOpenGdprBody(body);
  } catch (e) {
    return (e as OpenGdprError).errors.map((x) => x.message);
  }
  return [];
};

describe('OpenGDPR request body', () => {
  it('accepts the specification example', () => {
    const parsed = parseOpenGdprBody(valid);
    expect(parsed.subject_request_type).toBe('erasure');
    expect(parsed.submitted_time.toISOString()).toBe('2018-10-02T15:00:00.000Z');
    expect(parsed.subject_identities).toHaveLength(1);
  });

  it('names every problem, in the spec error shape, without identity values', () => {
    const e = (() => {
      try {
        parseOpenGdprBody({
          ...valid,
          subject_request_id: 'A7551968-D5D6-44B2-9831-815AC9017798',
          subject_request_type: 'rectification',
          subject_identities: [
            { identity_type: 'email', identity_value: 'johndoe@example.com', identity_format: 'base64' },
          ],
        });
      } catch (err) {
        return err as OpenGdprError;
      }
      throw new Error('accepted');
    })();
    expect(e.code).toBe(400);
    expect(e.body().error.code).toBe(400);
    expect(e.errors.map((x) => x.message)).toEqual([
      'subject_request_id is required and must be a lowercase UUID v4.',
      'subject_request_type is required and must be one of access, portability, erasure.',
      'subject_identities[0].identity_format must be one of raw, sha1, md5, sha256.',
    ]);
    expect(JSON.stringify(e.body())).not.toContain('johndoe');
    expect(e.errors[0]).toMatchObject({ domain: 'Validation', reason: 'IllegalArgumentException' });
  });

  it('requires identities, a past submitted_time and http(s) callbacks', () => {
    expect(errorsOf({ ...valid, subject_identities: [] })).toEqual([
      'subject_identities is required: 1 to 50 identity objects.',
    ]);
    expect(errorsOf({ ...valid, submitted_time: '2999-01-01T00:00:00Z' })).toEqual([
      'submitted_time may not lie in the future.',
    ]);
    expect(errorsOf({ ...valid, submitted_time: '02.10.2018' })).toEqual([
      'submitted_time is required and must be an RFC 3339 date.',
    ]);
    expect(errorsOf({ ...valid, status_callback_urls: ['ftp://x'] })).toEqual([
      'status_callback_urls[0] must be an http(s) URL.',
    ]);
    expect(errorsOf([])).toEqual(['body must be a JSON object']);
  });

  it('maps internal states onto the four OpenGDPR ones', () => {
    expect(openGdprStatus('verified')).toBe('pending');
    expect(openGdprStatus('awaiting_recipients')).toBe('in_progress');
    expect(openGdprStatus('failed')).toBe('in_progress');
    expect(openGdprStatus('completed')).toBe('completed');
    expect(openGdprStatus('cancelled')).toBe('cancelled');
  });
});
