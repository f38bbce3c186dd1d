import { ConsentDecisionRecord, ConsentDecisionResult } from './consent-decision-record.entity';
import { ConsentChange } from './consent-change.entity';
import { DecisionRow, DecisionRowsBuilt } from './decision-row.entity';
import { ConsentImport, ConsentImportChunk, ConsentImportError } from './consent-import.entity';
import { ConsentEvent } from './consent-event.entity';
import { ConsentEvidence } from './consent-evidence.entity';
import { ConsentState } from './consent-state.entity';
import { ConsentSubscription } from './consent-subscription.entity';
import { ConsentText } from './consent-text.entity';
import { ConsentWebhookDelivery } from './consent-webhook-delivery.entity';
import { Purpose } from './purpose.entity';
import { ReceiptSigningKey } from './receipt-signing-key.entity';

/** The tables this module owns (docs/ARCHITECTURE.md). */
export const CONSENT_ENTITIES = [
  Purpose,
  ConsentText,
  ConsentEvent,
  ConsentEvidence,
  ConsentState,
  ConsentSubscription,
  ConsentWebhookDelivery,
  ReceiptSigningKey,
  ConsentDecisionRecord,
  ConsentDecisionResult,
  ConsentChange,
  DecisionRow,
  DecisionRowsBuilt,
  ConsentImport,
  ConsentImportChunk,
  ConsentImportError,
];
