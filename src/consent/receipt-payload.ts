import { Channel, ConsentEventKind, SourceMethod } from './consent.types';

export interface ReceiptInput {
  eventId: string;
  subjectId: string;
  /** When the person expressed it: the receipt's consent timestamp and the start of validity. */
  occurredAt: Date;
  decision: ConsentEventKind;
  pending: boolean;
  channel: Channel;
  locale: string;
  version: number;
  textSha256: string;
  expiresAt: Date | null;
  sourceMethod: SourceMethod;
  purpose: {
    key: string;
    name: string;
    legalBasis: string;
    dataCategories: string[];
    recipients: string[];
    specialCategoryBasis: string | null;
    retention: string | null;
  };
  /** From the controller settings (CONTROLLER_IDENTITY), not constants. */
  controller: { name: string; address: string | null; contact: string | null };
  /** Where the records are kept (DATA_STORAGE_LOCATION), ISO/IEC TS 27560 `storageLocation`. */
  storageLocation: string;
  baseUrl: string;
}

/**
 * A receipt shaped after the Kantara Consent Receipt v1.1 (LEGAL item 10), with the ISO/IEC TS 27560
 * fields (retention, storage location, withdrawal method, event state, validity) and the hash of the
 * exact text agreed to. Ids and purpose metadata only: the receipt holds no contact data.
 */
export function buildReceipt(r: ReceiptInput): Record<string, unknown> {
  const iat = Math.floor(r.occurredAt.getTime() / 1000);
  const sensitive = r.purpose.specialCategoryBasis !== null;
  return {
    version: 'KI-CR-v1.1.0',
    jurisdiction: 'PL',
    consentTimestamp: iat,
    collectionMethod: r.sourceMethod,
    consentReceiptID: r.eventId,
    language: r.locale,
    piiPrincipalId: r.subjectId,
    piiControllers: [
      {
        piiController: r.controller.name,
        contact: r.controller.contact ?? r.controller.name,
        ...(r.controller.address ? { address: r.controller.address } : {}),
        piiControllerUrl: r.baseUrl,
      },
    ],
    policyUrl: `${r.baseUrl}/portal`,
    services: [
      {
        service: r.purpose.name,
        purposes: [
          {
            purpose: r.purpose.name,
            purposeCategory: [r.purpose.key],
            consentType: 'EXPLICIT',
            piiCategory: r.purpose.dataCategories,
            primaryPurpose: true,
            termination: r.expiresAt ? `expires ${r.expiresAt.toISOString()} or on withdrawal` : 'on withdrawal',
            thirdPartyDisclosure: r.purpose.recipients.length > 0,
            ...(r.purpose.recipients.length ? { thirdPartyName: r.purpose.recipients.join(', ') } : {}),
            legalBasis: r.purpose.legalBasis,
            channel: r.channel,
          },
        ],
      },
    ],
    sensitive,
    spiCat: sensitive ? [r.purpose.specialCategoryBasis] : [],
    // ISO/IEC TS 27560 record fields
    eventState: r.decision === ConsentEventKind.Granted && r.pending ? 'pending_confirmation' : r.decision,
    validity: { from: r.occurredAt.toISOString(), until: r.expiresAt?.toISOString() ?? null },
    retention: r.purpose.retention,
    storageLocation: r.storageLocation,
    // Art. 7(3): as easy as giving it.
    withdrawalMethod: `${r.baseUrl}/public/unsubscribe (one-click link in every message) or the controller's API`,
    consentText: { purpose: r.purpose.key, version: r.version, locale: r.locale, sha256: r.textSha256 },
    iss: r.baseUrl,
    sub: r.subjectId,
    iat,
    jti: r.eventId,
  };
}
