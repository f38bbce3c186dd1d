/** Hostile request bodies for the fuzz tests (issue 25, the fault suite). */

const nested = (depth: number, open: string, close: string, inner = '1') =>
  `${open.repeat(depth)}${inner}${close.repeat(depth)}`;
const each = (props: string[], raw: string) => `{${props.map((p) => `${JSON.stringify(p)}:${raw}`).join(',')}}`;

/** Raw JSON texts: every one must be answered with a 4xx (or a success), never a 5xx. */
export function payloads(props: string[]): [string, string][] {
  const some = props.length ? props : ['value'];
  return [
    ['invalid JSON', '{"a":'],
    ['an array', '[1,2,3]'],
    ['a number', '42'],
    ['a string', '"x"'],
    ['null', 'null'],
    ['prototype keys', '{"__proto__":{"admin":true},"constructor":{"prototype":{"x":1}},"zzz":1}'],
    ['objects for every field', each(some, '{"a":{"b":[1]}}')],
    ['arrays for every field', each(some, '[1,"2",null,{}]')],
    ['numbers for every field', each(some, '-1e308')],
    ['5,000 nested arrays', nested(5000, '[', ']')],
    ['5,000 nested objects', `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`],
    ['1 MB strings', each(some.slice(0, 4), JSON.stringify('x'.repeat(1_000_000)))],
    ['NUL in every string', each(some, '"a\\u0000b"')],
    ['unpaired surrogates', each(some, '"a\\ud800b"')],
    ['6 MB body', `{"x":${JSON.stringify('y'.repeat(6 * 1024 * 1024))}}`],
  ];
}

export const FORM = 'application/x-www-form-urlencoded';

/** The same for the routes a browser form posts to. */
export function formPayloads(props: string[]): [string, string][] {
  const some = props.length ? props : ['value'];
  const form = (value: string) => some.map((p) => `${encodeURIComponent(p)}=${value}`).join('&');
  return [
    ['form: nested keys', some.map((p) => `${p}[a][b]=1&${p}[]=2`).join('&')],
    ['form: NUL', form('a%00b')],
    ['form: invalid UTF-8', form('%C3%28%FF')],
    ['form: 1 MB values', form('x'.repeat(1_000_000))],
    ['form: not a form', '%%%&&&==='],
    ['form: 5,000 nested brackets', `${some[0]}${'[a]'.repeat(5000)}=1`],
    ['form: unpaired surrogate (CESU-8)', form('%ED%A0%80')],
    ['form: 20,000 fields', Array.from({ length: 20_000 }, (_, i) => `f${i}=1`).join('&')],
    ['form: the same field 5,000 times', Array.from({ length: 5000 }, () => `${some[0]}=1`).join('&')],
  ];
}
