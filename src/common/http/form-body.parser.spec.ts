import { parseMultipartFields } from './form-body.parser';

describe('parseMultipartFields', () => {
  const b = 'XyZ';
  const body = (...parts: string[]) => `${parts.map((p) => `--${b}\r\n${p}\r\n`).join('')}--${b}--\r\n`;

  it('reads the RFC 8058 one-click field and a token', () => {
    expect(
      parseMultipartFields(
        body(
          'Content-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click',
          'Content-Disposition: form-data; name="token"\r\nContent-Type: text/plain\r\n\r\nabc.def',
        ),
      ),
    ).toEqual({ 'List-Unsubscribe': 'One-Click', token: 'abc.def' });
  });

  it('ignores file parts and malformed input', () => {
    expect(
      parseMultipartFields(body('Content-Disposition: form-data; name="token"; filename="x.txt"\r\n\r\nsecret')),
    ).toEqual({});
    expect(parseMultipartFields('not multipart at all')).toEqual({});
  });
});
