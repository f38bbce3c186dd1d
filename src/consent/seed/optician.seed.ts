import { ProblemError } from '../../common/problem/problem.error';
import { Channel, LegalBasis, SpecialCategoryBasis } from '../consent.types';
import { CreatePurposeDto } from '../purposes.dto';
import { PurposesService } from '../purposes.service';
import { TextsService } from '../texts.service';

interface SeedPurpose {
  purpose: CreatePurposeDto;
  texts: { locale: 'pl' | 'en'; title: string; body: string }[];
}

const RECIPIENTS_PL =
  '{{#if purpose.recipients.length}} Odbiorcy: {{#each purpose.recipients}}{{this}}{{#unless @last}}, {{/unless}}{{/each}}.{{/if}}';
const RECIPIENTS_EN =
  '{{#if purpose.recipients.length}} Recipients: {{#each purpose.recipients}}{{this}}{{#unless @last}}, {{/unless}}{{/each}}.{{/if}}';
const WITHDRAW_PL = ' Zgodę możesz wycofać w każdej chwili, równie łatwo jak jej udzielono (art. 7 ust. 3 RODO).';
const WITHDRAW_EN = ' You may withdraw consent at any time, as easily as you gave it (Art. 7(3) GDPR).';

/** An optician chain: marketing by e-mail and SMS, service reminders, orders, and eye-exam records (health data). */
export const OPTICIAN_PURPOSES: SeedPurpose[] = [
  {
    purpose: {
      key: 'newsletter',
      name: 'Newsletter',
      description: 'Offers, new collections and events of the optician chain by e-mail.',
      legalBasis: LegalBasis.Consent,
      dataCategories: ['e-mail address', 'first name', 'preferred store'],
      subjectCategories: ['customers', 'newsletter subscribers'],
      recipients: ['e-mail delivery provider'],
      processors: ['e-mail delivery provider (EEA)'],
      transfers: [],
      channels: [Channel.Email],
      doubleOptIn: true,
      marketing: true,
      retention: 'until withdrawal, then proof of consent for 3 years',
    },
    texts: [
      {
        locale: 'pl',
        title: 'Newsletter e-mail',
        body: `Wyrażam zgodę na otrzymywanie od {{controller.name}} informacji handlowych (newsletter) na mój adres e-mail, zgodnie z art. 398 Prawa komunikacji elektronicznej.${RECIPIENTS_PL} Dane przechowujemy: {{purpose.retention}}.${WITHDRAW_PL}`,
      },
      {
        locale: 'en',
        title: 'E-mail newsletter',
        body: `I agree to receive marketing information (newsletter) from {{controller.name}} at my e-mail address.${RECIPIENTS_EN} We keep the data: {{purpose.retention}}.${WITHDRAW_EN}`,
      },
    ],
  },
  {
    purpose: {
      key: 'sms-promotions',
      name: 'SMS promotions',
      description: 'Discount codes and promotions by SMS.',
      legalBasis: LegalBasis.Consent,
      dataCategories: ['phone number', 'first name'],
      subjectCategories: ['customers'],
      recipients: ['SMS gateway operator'],
      processors: ['SMS gateway operator (EEA)'],
      transfers: [],
      channels: [Channel.Sms],
      validityDays: 730,
      marketing: true,
      retention: 'until withdrawal or 2 years, then proof of consent for 3 years',
    },
    texts: [
      {
        locale: 'pl',
        title: 'Promocje SMS',
        body: `Wyrażam zgodę na otrzymywanie od {{controller.name}} wiadomości SMS z promocjami na mój numer telefonu (art. 398 Prawa komunikacji elektronicznej).{{#if purpose.validityDays}} Zgoda wygasa po {{purpose.validityDays}} dniach.{{/if}}${RECIPIENTS_PL}${WITHDRAW_PL}`,
      },
      {
        locale: 'en',
        title: 'SMS promotions',
        body: `I agree to receive promotional text messages from {{controller.name}} on my phone number.{{#if purpose.validityDays}} This consent lapses after {{purpose.validityDays}} days.{{/if}}${RECIPIENTS_EN}${WITHDRAW_EN}`,
      },
    ],
  },
  {
    purpose: {
      key: 'exam-reminders',
      name: 'Eye exam reminders',
      description: 'A text message when the next eye examination or lens replacement is due.',
      legalBasis: LegalBasis.Consent,
      dataCategories: ['phone number', 'date of the last examination'],
      subjectCategories: ['patients'],
      recipients: ['SMS gateway operator'],
      processors: ['SMS gateway operator (EEA)'],
      transfers: [],
      channels: [Channel.Sms],
      retention: 'until withdrawal',
    },
    texts: [
      {
        locale: 'pl',
        title: 'Przypomnienia o badaniu wzroku',
        body: `Wyrażam zgodę na otrzymywanie od {{controller.name}} SMS-ów przypominających o terminie kolejnego badania wzroku lub wymiany soczewek. Dane przechowujemy: {{purpose.retention}}.${WITHDRAW_PL}`,
      },
      {
        locale: 'en',
        title: 'Eye exam reminders',
        body: `I agree to receive text messages from {{controller.name}} reminding me of my next eye examination or lens replacement. We keep the data: {{purpose.retention}}.${WITHDRAW_EN}`,
      },
    ],
  },
  {
    purpose: {
      key: 'order-fulfilment',
      name: 'Order fulfilment',
      description: 'Making and delivering glasses and lenses ordered, invoices, warranty and complaints.',
      legalBasis: LegalBasis.Contract,
      dataCategories: ['name', 'contact details', 'order', 'prescription values', 'payment'],
      subjectCategories: ['customers'],
      recipients: ['lens laboratory', 'courier', 'accounting office'],
      processors: ['lens laboratory', 'courier', 'accounting office'],
      transfers: [],
      channels: [Channel.Email, Channel.Sms, Channel.Post],
      retention:
        '5 years from the end of the financial year (accounting act art. 74); complaints 1 year after settlement',
    },
    texts: [
      {
        locale: 'pl',
        title: 'Realizacja zamówienia',
        body: `{{controller.name}} przetwarza Twoje dane w celu realizacji zamówienia (art. 6 ust. 1 lit. b RODO).${RECIPIENTS_PL} Okres przechowywania: {{purpose.retention}}.`,
      },
      {
        locale: 'en',
        title: 'Order fulfilment',
        body: `{{controller.name}} processes your data to fulfil your order (Art. 6(1)(b) GDPR).${RECIPIENTS_EN} Retention: {{purpose.retention}}.`,
      },
    ],
  },
  {
    purpose: {
      key: 'eye-exam-records',
      name: 'Eye examination records',
      description: 'Optometric examination results kept as medical documentation.',
      legalBasis: LegalBasis.LegalObligation,
      specialCategoryBasis: SpecialCategoryBasis.HealthCare,
      dataCategories: ['health data: eye examination results', 'identification data'],
      subjectCategories: ['patients'],
      recipients: [],
      processors: ['medical records software provider (EEA)'],
      transfers: [],
      channels: [],
      retention: '20 years from the end of the year of the last entry (patient rights act art. 29)',
    },
    texts: [
      {
        locale: 'pl',
        title: 'Dokumentacja badania wzroku',
        body: `{{controller.name}} prowadzi dokumentację badań optometrycznych, która zawiera dane o zdrowiu (art. 9 ust. 2 lit. h RODO) i jest przechowywana: {{purpose.retention}}.`,
      },
      {
        locale: 'en',
        title: 'Eye examination records',
        body: `{{controller.name}} keeps records of optometric examinations, which are health data (Art. 9(2)(h) GDPR), for {{purpose.retention}}.`,
      },
    ],
  },
];

/**
 * Creates the purposes and publishes version 1 of their texts. Safe to run again: existing purposes and
 * published texts are left as they are.
 */
export async function seedOptician(purposes: PurposesService, texts: TextsService): Promise<string[]> {
  const seeded: string[] = [];
  for (const { purpose, texts: localised } of OPTICIAN_PURPOSES) {
    const existing = await purposes.get(purpose.key).catch((e: unknown) => {
      if (e instanceof ProblemError && e.code === 'purpose_not_found') return null;
      throw e;
    });
    const row = existing ?? (await purposes.create(purpose));
    if (row.currentVersion === null) {
      let version: number | undefined;
      for (const t of localised) {
        const draft = await texts.addText(row.key, { ...t, version });
        version = draft.version;
      }
      await texts.publish(row.key, version!, false);
      seeded.push(row.key);
    }
  }
  return seeded;
}
