// The public surface of the retention module: what other modules and the entry points may import (docs/ARCHITECTURE.md).
export { currentActor } from './current-actor';
export { seedRetentionDefaults } from './retention-defaults';
export { describeRetention } from './retention-due';
export { RetentionPoliciesService } from './retention-policies.service';
export { RetentionRunsService } from './retention-runs.service';
export { policyView, runView } from './retention-views';
export type { RetentionPolicyRecord } from './retention-policy.types';
export { RetentionModule } from './retention.module';
