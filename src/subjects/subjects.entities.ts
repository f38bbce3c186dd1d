import { SubjectEntry } from './subject-entry.entity';
import { SubjectHold } from './subject-hold.entity';
import { SubjectIdentifier } from './subject-identifier.entity';
import { SubjectKey } from './subject-key.entity';
import { SubjectSuppression } from './subject-suppression.entity';
import { Subject } from './subject.entity';

/** The tables this module owns (docs/ARCHITECTURE.md). */
export const SUBJECTS_ENTITIES = [
  Subject,
  SubjectIdentifier,
  SubjectKey,
  SubjectHold,
  SubjectSuppression,
  SubjectEntry,
];
