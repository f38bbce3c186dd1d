import { ErasureJournal } from './erasure-journal.service';
import { RestoreReplay } from './restore-replay.service';
import { ShredVacuumRepository } from './shred-vacuum.repository';
import { ShredVacuum } from './shred-vacuum.service';
import { ComingOfAgeRepository } from './coming-of-age.repository';
import { ComingOfAge } from './coming-of-age.service';
import { SubjectEntriesRepository } from './subject-entries.repository';
import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { SubjectAliases } from '../audit';
import { CONTACT_RESOLVER } from '../notifications';
import { KeyRotationService } from './key-rotation.service';
import { SubjectAliasesProvider } from './subject-aliases.provider';
import { SubjectBatchErasure } from './subject-batch-erasure';
import { SubjectCipher } from './subject-cipher';
import { SubjectHoldsRepository } from './subject-holds.repository';
import { SubjectHooks } from './subject-hooks';
import { SubjectIdentifiersRepository } from './subject-identifiers.repository';
import { SubjectKeysRepository } from './subject-keys.repository';
import { SubjectKeysService } from './subject-keys.service';
import { SubjectLifecycleService } from './subject-lifecycle.service';
import { SubjectLookupService } from './subject-lookup.service';
import { SubjectMerger } from './subject-merge.service';
import { SubjectProfilesRepository } from './subject-profiles.repository';
import { SubjectReader } from './subject-reader.service';
import { SubjectRightsService } from './subject-rights.service';
import { SubjectWriter } from './subject-writer.service';
import { SubjectsController } from './subjects.controller';
import { SUBJECTS_ENTITIES } from './subjects.entities';
import { SubjectImporter } from './subject-import.service';
import { SubjectImportRepository } from './subject-import.repository';
import { SubjectsRepository } from './subjects.repository';

/** Global: consent, requests, notifications, retention and breaches all ask about subjects. */
@Global()
@Module({
  imports: [TypeOrmModule.forFeature(SUBJECTS_ENTITIES)],
  controllers: [SubjectsController],
  providers: [
    SubjectEntriesRepository,
    SubjectLookupService,
    SubjectLifecycleService,
    SubjectRightsService,
    SubjectKeysService,
    SubjectImporter,
    SubjectImportRepository,
    SubjectsRepository,
    SubjectIdentifiersRepository,
    SubjectKeysRepository,
    SubjectHoldsRepository,
    SubjectProfilesRepository,
    SubjectCipher,
    SubjectReader,
    SubjectWriter,
    SubjectMerger,
    SubjectBatchErasure,
    SubjectHooks,
    KeyRotationService,
    ComingOfAge,
    ComingOfAgeRepository,
    ShredVacuum,
    ShredVacuumRepository,
    ErasureJournal,
    RestoreReplay,
    { provide: SubjectAliases, useClass: SubjectAliasesProvider },
    { provide: CONTACT_RESOLVER, useExisting: SubjectLookupService },
  ],
  exports: [
    SubjectLookupService,
    SubjectLifecycleService,
    SubjectImporter,
    SubjectRightsService,
    SubjectKeysService,
    SubjectHooks,
    KeyRotationService,
    RestoreReplay,
    SubjectAliases,
    CONTACT_RESOLVER,
  ],
})
export class SubjectsModule {}
