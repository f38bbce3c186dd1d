import { findInputFault, INPUT_LIMITS } from './input-guard';

const nested = (depth: number): unknown => {
  let v: unknown = 'x';
  for (let i = 0; i < depth; i++) v = [v];
  return v;
};

describe('findInputFault', () => {
  it('passes ordinary bodies, Buffers and Polish text', () => {
    expect(findInputFault({ name: 'Zażółć gęślą jaźń 😀', ids: ['a', 'b'], n: 1, ok: true, none: null })).toBeNull();
    expect(findInputFault(Buffer.from([0, 1, 2]))).toBeNull();
    expect(findInputFault(nested(INPUT_LIMITS.depth - 1))).toBeNull();
  });

  it('stops at the depth limit without recursing, even for 100,000 levels', () => {
    expect(findInputFault(nested(INPUT_LIMITS.depth + 1))).toMatchObject({ code: 'input_too_deep' });
    expect(findInputFault(nested(100_000))).toMatchObject({ code: 'input_too_deep' });
  });

  it('names the field holding a NUL or a lone surrogate', () => {
    expect(findInputFault({ a: { b: ['ok', 'x\u0000y'] } })).toEqual({
      code: 'invalid_characters',
      field: 'a.b[1]',
      message: 'a.b[1] contains a NUL or an unpaired surrogate',
    });
    expect(findInputFault({ s: 'a\uD800' })).toMatchObject({ code: 'invalid_characters', field: 's' });
    expect(findInputFault({ s: '\uDC00a' })).toMatchObject({ code: 'invalid_characters', field: 's' });
    expect(findInputFault({ ['k\u0000']: 1 })).toMatchObject({ code: 'invalid_characters', field: '(name)' });
  });

  it('refuses strings, lists and objects beyond any DTO bound', () => {
    expect(findInputFault({ s: 'x'.repeat(INPUT_LIMITS.stringLength + 1) })).toMatchObject({
      code: 'input_too_large',
      field: 's',
    });
    expect(findInputFault({ ids: new Array(INPUT_LIMITS.arrayLength + 1).fill(1) })).toMatchObject({
      code: 'input_too_large',
      field: 'ids',
    });
    const wide = Object.fromEntries(Array.from({ length: INPUT_LIMITS.objectKeys + 1 }, (_, i) => [`k${i}`, i]));
    expect(findInputFault(wide)).toMatchObject({ code: 'input_too_large', field: '(body)' });
  });
});
