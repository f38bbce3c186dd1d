/** Persisted strings: never rename a value. */
export type SystemKind = 'webhook' | 'manual' | 'internal';
export const SYSTEM_KINDS: readonly SystemKind[] = ['webhook', 'manual', 'internal'];

/**
 * A data system as other modules see it: every column but the sealed webhook secrets, which only the systems
 * module opens (it signs the calls).
 */
export interface SystemRecord {
  readonly id: string;
  readonly key: string;
  readonly name: string;
  readonly kind: SystemKind;
  readonly description: string | null;
  readonly dataCategories: string[];
  readonly purposes: string[];
  readonly processorName: string | null;
  readonly processorContact: string | null;
  readonly processorCountry: string | null;
  readonly transferSafeguards: string | null;
  readonly webhookUrl: string | null;
  readonly webhookSecretRotatedAt: Date | null;
  readonly active: boolean;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}
