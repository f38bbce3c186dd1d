import { RetentionConsentExpiry } from './retention-consent-expiry.entity';
import { RetentionPolicyVersion } from './retention-policy-version.entity';
import { RetentionPolicy } from './retention-policy.entity';
import { RetentionReviewTask } from './retention-review-task.entity';
import { RetentionRunItem } from './retention-run-item.entity';
import { RetentionRun } from './retention-run.entity';
import { RetentionSystemNotice } from './retention-system-notice.entity';

/** The tables this module owns (docs/ARCHITECTURE.md). */
export const RETENTION_ENTITIES = [
  RetentionPolicy,
  RetentionPolicyVersion,
  RetentionRun,
  RetentionRunItem,
  RetentionReviewTask,
  RetentionSystemNotice,
  RetentionConsentExpiry,
];
