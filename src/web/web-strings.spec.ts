import { flatten } from '../rendering';
import { fromAcceptLanguage } from './language';
import { WEB_STRINGS } from './web-strings';

describe('web strings', () => {
  it('has the same keys in Polish and English', () => {
    expect(Object.keys(flatten(WEB_STRINGS.en)).sort()).toEqual(Object.keys(flatten(WEB_STRINGS.pl)).sort());
  });

  it('picks the preferred of pl/en from Accept-Language', () => {
    expect(fromAcceptLanguage('de-DE,en;q=0.8,pl;q=0.9')).toBe('pl');
    expect(fromAcceptLanguage('en-GB,en;q=0.9')).toBe('en');
    expect(fromAcceptLanguage('de')).toBeNull();
    expect(fromAcceptLanguage(undefined)).toBeNull();
  });
});
