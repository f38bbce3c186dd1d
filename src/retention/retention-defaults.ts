import { ProblemError } from '../common/problem/problem.error';
import type { CreatePolicyDto } from './retention-policies.dto';
import type { RetentionPoliciesService } from './retention-policies.service';

/**
 * Polish defaults (LEGAL item 26), each with the provision it rests on. Where the data lives in another
 * system (books, tax files, medical records) the action is `review`: Zgoda raises a task, a person
 * destroys the documents where they are kept. Zgoda's own records are anonymised or erased.
 * For `end_of_year_after_last_entry`, the last entry is the date the system keeping those records reported for
 * the category (POST /v1/subjects/{id}/activity with `kind`), else Zgoda's last recorded activity of the subject;
 * complaints count from the settlement a system reported (`kind: complaint_settled`).
 */
export const POLISH_DEFAULT_POLICIES: CreatePolicyDto[] = [
  {
    key: 'accounting-records',
    dataCategory: 'accounting_records',
    trigger: 'end_of_year_after_last_entry',
    period: 'P5Y',
    action: 'review',
    owner: 'accounting',
    legalBasis:
      'Ustawa o rachunkowości, art. 74 ust. 2 pkt 1 w zw. z ust. 3: księgi rachunkowe przechowuje się 5 lat, ' +
      'licząc od początku roku następującego po roku obrotowym, którego dotyczą.',
  },
  {
    key: 'complaints',
    dataCategory: 'complaints',
    trigger: 'complaint_settled',
    period: 'P1Y',
    action: 'review',
    owner: 'customer service',
    legalBasis:
      'Ustawa o rachunkowości, art. 74 ust. 2 pkt 6: dokumenty dotyczące rękojmi i reklamacji przechowuje się ' +
      '1 rok po terminie upływu rękojmi lub rozliczenia reklamacji.',
  },
  {
    key: 'tax-records',
    dataCategory: 'tax_records',
    trigger: 'end_of_year_after_last_entry',
    period: 'P5Y',
    action: 'review',
    owner: 'accounting',
    legalBasis:
      'Ordynacja podatkowa, art. 86 § 1 w zw. z art. 70 § 1: księgi i dowody przechowuje się do upływu ' +
      'przedawnienia zobowiązania podatkowego, 5 lat licząc od końca roku kalendarzowego, w którym upłynął ' +
      'termin płatności podatku.',
  },
  {
    key: 'eye-exam-records',
    dataCategory: 'eye_exam_records',
    trigger: 'end_of_year_after_last_entry',
    period: 'P20Y',
    action: 'review',
    owner: 'optometrist in charge',
    legalBasis:
      'Ustawa o prawach pacjenta i Rzeczniku Praw Pacjenta, art. 29 ust. 1 pkt 1: dokumentację medyczną ' +
      'przechowuje się 20 lat, licząc od końca roku kalendarzowego, w którym dokonano ostatniego wpisu; ' +
      'dane o zdrowiu przetwarzane na podstawie art. 9 ust. 2 lit. h RODO.',
  },
  {
    key: 'customer-contact',
    dataCategory: 'contact_data',
    trigger: 'last_activity',
    period: 'P2Y',
    action: 'anonymise',
    owner: 'customer service',
    legalBasis:
      'Art. 5 ust. 1 lit. e i art. 6 ust. 1 lit. f RODO: dane kontaktowe do obsługi klienta przechowuje się ' +
      '2 lata od ostatniego kontaktu (okres przyjęty przez administratora).',
  },
  {
    key: 'marketing-consent-proof',
    dataCategory: 'consent_records',
    trigger: 'consent_withdrawn',
    period: 'P3Y',
    roundToYearEnd: true,
    action: 'erase',
    owner: 'DPO',
    legalBasis:
      'Art. 7 ust. 1 i art. 17 ust. 3 lit. e RODO w zw. z art. 118 Kodeksu cywilnego: dane marketingowe do ' +
      'wycofania zgody, następnie dowód zgody przez 3 lata (przedawnienie roszczeń związanych z ' +
      'prowadzeniem działalności gospodarczej), do końca roku kalendarzowego.',
  },
];

/** Creates the defaults that are missing; never changes a policy an operator has already adapted. */
export async function seedRetentionDefaults(policies: RetentionPoliciesService): Promise<string[]> {
  const created: string[] = [];
  for (const dto of POLISH_DEFAULT_POLICIES) {
    try {
      await policies.create(dto);
      created.push(dto.key);
    } catch (e) {
      if (!(e instanceof ProblemError) || e.code !== 'policy_exists') throw e;
    }
  }
  return created;
}
