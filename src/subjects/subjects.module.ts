import { Global, Module } from '@nestjs/common';
import { SubjectAliases } from '../audit/subject-aliases';
import { CONTACT_RESOLVER } from '../notifications/contact-resolver';
import { KeyRotationService } from './key-rotation.service';
import { SubjectAliasesProvider } from './subject-aliases.provider';
import { SubjectBatchErasure } from './subject-batch-erasure';
import { SubjectCipher } from './subject-cipher';
import { SubjectErasure } from './subject-erasure.service';
import { SubjectHooks } from './subject-hooks';
import { SubjectLookup } from './subject-lookup.service';
import { SubjectMerger } from './subject-merge.service';
import { SubjectReader } from './subject-reader.service';
import { SubjectRights } from './subject-rights.service';
import { SubjectWriter } from './subject-writer.service';
import { SubjectsController } from './subjects.controller';
import { SubjectsRepository } from './subjects.repository';
import { SubjectsService } from './subjects.service';

/** Global: consent, requests, notifications, retention and breaches all ask about subjects. */
@Global()
@Module({
  controllers: [SubjectsController],
  providers: [
    SubjectsService,
    SubjectsRepository,
    SubjectCipher,
    SubjectLookup,
    SubjectReader,
    SubjectWriter,
    SubjectRights,
    SubjectMerger,
    SubjectErasure,
    SubjectBatchErasure,
    SubjectHooks,
    KeyRotationService,
    { provide: SubjectAliases, useClass: SubjectAliasesProvider },
    { provide: CONTACT_RESOLVER, useExisting: SubjectsService },
  ],
  exports: [SubjectsService, SubjectHooks, KeyRotationService, SubjectAliases, CONTACT_RESOLVER],
})
export class SubjectsModule {}
