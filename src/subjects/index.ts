// The public surface of the subjects module: what other modules and the entry points may import (docs/ARCHITECTURE.md).
export { KeyRotationReport, KeyRotationService } from './key-rotation.service';
export { ReplayReport, RestoreReplay } from './restore-replay.service';
export {
  blindIndexOwnersJoin,
  identifierSuppressed,
  soleOwnerOfBlindIndex,
  subjectFactsLateral,
  survivorFactColumns,
  survivorId,
  survivorJoins,
} from './subject-facts.sql';
export { SubjectChangedEvent, SubjectErasedEvent, SubjectHooks, SubjectObjectedEvent } from './subject-hooks';
export { SubjectKeysService } from './subject-keys.service';
export { SubjectLifecycleService, UpdateSubjectInput } from './subject-lifecycle.service';
export { SubjectAddresses, SubjectLookupService } from './subject-lookup.service';
export { SubjectImporter } from './subject-import.service';
export type { ImportedSubject, ImportSubjectRef } from './subject-import.service';
export type { SubjectResidue } from './subject-lookup.service';
export { keptCategories, keptUntil } from './hold-rules';
export type { ActiveHold, KeptCategory } from './hold-rules';
export { HOLD_BASES, RESTRICTION_GROUNDS } from './subject-rules';
export { AddHoldDto, LiftRestrictionDto, RestrictSubjectDto } from './subjects.dto';
export type { HoldBasis } from './subject-rules';
export { SubjectRightsService } from './subject-rights.service';
export type { SubjectResponse } from './subjects.responses';
export type { ReportedEntry } from './subject-rights.service';
export { SubjectsModule } from './subjects.module';
