import { ProblemError } from '../common/problem/problem.error';
import { assertValidSystem, assertZgodaSystemChange, EEA_COUNTRIES, SystemShape } from './system-rules';

const base: SystemShape = {
  key: 'shop',
  kind: 'manual',
  active: true,
  webhookUrl: null,
  hasSecret: false,
  processorCountry: null,
  transferSafeguards: null,
};

function fields(shape: Partial<SystemShape>, production = false): string[] {
  try {
    assertValidSystem({ ...base, ...shape }, production);
    return [];
  } catch (e) {
    return ((e as ProblemError).extras.errors ?? []).map((x) => x.field);
  }
}

describe('assertValidSystem', () => {
  it('wants a URL and a secret for a webhook system, and no webhook on any other', () => {
    expect(fields({ kind: 'webhook' })).toEqual(['webhook']);
    expect(fields({ kind: 'webhook', webhookUrl: 'https://x.example.com' })).toEqual(['webhook']);
    expect(fields({ kind: 'webhook', webhookUrl: 'https://x.example.com', hasSecret: true })).toEqual([]);
    expect(fields({ kind: 'manual', webhookUrl: 'https://x.example.com', hasSecret: true })).toEqual(['webhook']);
    expect(fields({ kind: 'internal', hasSecret: true })).toEqual(['webhook']);
  });

  it('wants https for webhooks in production only', () => {
    const hook = { kind: 'webhook' as const, webhookUrl: 'http://shop.local/hook', hasSecret: true };
    expect(fields(hook, false)).toEqual([]);
    expect(fields(hook, true)).toEqual(['webhook.url']);
  });

  it('wants transfer safeguards for a processor outside the EEA (Art. 44-46)', () => {
    expect(fields({ processorCountry: 'PL' })).toEqual([]);
    expect(fields({ processorCountry: 'NO' })).toEqual([]);
    expect(fields({ processorCountry: 'US' })).toEqual(['processor.transferSafeguards']);
    expect(fields({ processorCountry: 'GB' })).toEqual(['processor.transferSafeguards']);
    expect(fields({ processorCountry: 'US', transferSafeguards: 'SCC 2021/914' })).toEqual([]);
    expect(EEA_COUNTRIES).toHaveLength(30);
  });
});

describe('assertZgodaSystemChange', () => {
  it('keeps Zgoda itself internal and active, and leaves other systems alone', () => {
    expect(() => assertZgodaSystemChange('zgoda', { kind: 'webhook' })).toThrow(ProblemError);
    expect(() => assertZgodaSystemChange('zgoda', { active: false })).toThrow(ProblemError);
    expect(() => assertZgodaSystemChange('zgoda', { kind: 'internal', active: true })).not.toThrow();
    expect(() => assertZgodaSystemChange('shop', { kind: 'webhook', active: false })).not.toThrow();
  });
});
