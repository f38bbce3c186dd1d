import type { System } from './system.entity';
import type { SystemResponse } from './systems.responses';

/** The secret itself never leaves: only whether one is set and when it last changed. */
export function systemView(s: System): SystemResponse {
  return {
    id: s.id,
    key: s.key,
    name: s.name,
    kind: s.kind,
    description: s.description,
    dataCategories: s.dataCategories,
    purposes: s.purposes,
    processor: s.processorName
      ? {
          name: s.processorName,
          contact: s.processorContact,
          country: s.processorCountry,
          transferSafeguards: s.transferSafeguards,
        }
      : null,
    webhook: s.webhookUrl
      ? {
          url: s.webhookUrl,
          secretSet: !!s.webhookSecret,
          secretRotatedAt: s.webhookSecretRotatedAt?.toISOString() ?? null,
        }
      : null,
    active: s.active,
    createdAt: s.createdAt.toISOString(),
    updatedAt: s.updatedAt.toISOString(),
  };
}
