import { LegalBasis, SpecialCategoryBasis } from '../consent/consent.types';
import { legalBasisIri, legalBasisText, retentionInWords, specialCategoryIri } from './register-words';

describe('register words', () => {
  it('puts a policy in words, ending with the provision it rests on', () => {
    const policy = {
      period: 'P5Y',
      trigger: 'end_of_year_after_last_entry' as const,
      roundToYearEnd: false,
      action: 'review' as const,
      legalBasis: 'art. 74 ust. 2 uor',
    };
    expect(retentionInWords(policy, 'pl')).toBe(
      '5 lat od końca roku, w którym dokonano ostatniego wpisu – przegląd i zniszczenie (art. 74 ust. 2 uor)',
    );
    expect(
      retentionInWords(
        { ...policy, trigger: 'consent_withdrawn', period: 'P3Y', roundToYearEnd: true, action: 'erase' },
        'en',
      ),
    ).toBe(
      'until consent is withdrawn, then 3 years from its withdrawal, to the end of that calendar year – erasure (art. 74 ust. 2 uor)',
    );
  });

  it('names legal bases in words and as DPV eu-gdpr IRIs', () => {
    expect(legalBasisIri(LegalBasis.Consent)).toBe('eu-gdpr:A6-1-a');
    expect(legalBasisIri(LegalBasis.LegitimateInterests)).toBe('eu-gdpr:A6-1-f');
    expect(specialCategoryIri(SpecialCategoryBasis.HealthCare)).toBe('eu-gdpr:A9-2-h');
    expect(legalBasisText(LegalBasis.LegalObligation, SpecialCategoryBasis.HealthCare, 'pl')).toBe(
      'art. 6 ust. 1 lit. c RODO (obowiązek prawny ciążący na administratorze); art. 9 ust. 2 lit. h RODO (profilaktyka zdrowotna i opieka zdrowotna)',
    );
    expect(legalBasisText(LegalBasis.Contract, null, 'en')).toBe('Art. 6(1)(b) GDPR (performance of a contract)');
  });
});
