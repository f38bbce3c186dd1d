import { ProblemError } from '../../common/problem/problem.error';
import { seedRetentionDefaults } from '../../retention';
import type { RetentionPoliciesService } from '../../retention';
import type { CreateSystemDto } from '../../systems';
import type { SystemsService } from '../../systems';

/**
 * The optician's data systems, next to the purposes of `seedOptician`: with them and the Polish default
 * retention policies every optician activity has its systems, processors with contacts and planned erasure.
 */
export const OPTICIAN_SYSTEMS: CreateSystemDto[] = [
  {
    key: 'medical-records',
    name: 'OptoMed (dokumentacja medyczna)',
    kind: 'manual',
    dataCategories: ['eye_exam_records'],
    purposes: ['eye-exam-records'],
    processor: { name: 'medical records software provider (EEA)', contact: 'optomed@example.com', country: 'PL' },
  },
  {
    key: 'accounting',
    name: 'Program księgowy',
    kind: 'manual',
    dataCategories: ['accounting_records', 'tax_records', 'complaints'],
    purposes: ['order-fulfilment'],
    processor: { name: 'accounting office', contact: 'ksiegowosc@example.com', country: 'PL' },
  },
  {
    key: 'mailer',
    name: 'Platforma wysyłki e-maili',
    kind: 'manual',
    dataCategories: ['email'],
    purposes: ['newsletter'],
    processor: { name: 'e-mail delivery provider (EEA)', contact: 'mailer@example.com', country: 'IE' },
  },
  {
    key: 'sms-gateway',
    name: 'Bramka SMS',
    kind: 'manual',
    dataCategories: ['phone'],
    purposes: ['sms-promotions', 'exam-reminders'],
    processor: { name: 'SMS gateway operator (EEA)', contact: 'bramka@example.com', country: 'PL' },
  },
];

/** Creates what is missing; never changes a system or policy an operator has already adapted. */
export async function seedOpticianRegister(
  systems: SystemsService,
  policies: RetentionPoliciesService,
): Promise<string[]> {
  const created: string[] = [];
  for (const dto of OPTICIAN_SYSTEMS) {
    try {
      await systems.create(dto);
      created.push(`system:${dto.key}`);
    } catch (e) {
      if (!(e instanceof ProblemError) || e.code !== 'system_exists') throw e;
    }
  }
  for (const key of await seedRetentionDefaults(policies)) created.push(`policy:${key}`);
  return created;
}
