import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditLogReaderRepository } from './audit-log-reader.repository';
import { AuditLogReaderService } from './audit-log-reader.service';
import { AUDIT_ENTITIES } from './audit.entities';
import { AuditController } from './audit.controller';
import { AuditRepository } from './audit.repository';
import { AuditService } from './audit.service';
import { AuditTreeRepository } from './audit-tree.repository';
import { AuditVerifier } from './audit-verifier.service';
import { AuditCheckpoints } from './audit-checkpoints.service';
import { AuditCheckpointsRepository } from './audit-checkpoints.repository';
import { AuditProofs } from './audit-proofs.service';
import { AuditProofsController } from './audit-proofs.controller';
import { AuditSealingMetrics } from './audit-sealing.metrics';

@Global()
@Module({
  imports: [TypeOrmModule.forFeature(AUDIT_ENTITIES)],
  controllers: [AuditController, AuditProofsController],
  providers: [
    AuditService,
    AuditRepository,
    AuditTreeRepository,
    AuditVerifier,
    AuditCheckpoints,
    AuditCheckpointsRepository,
    AuditProofs,
    AuditSealingMetrics,
    AuditLogReaderService,
    AuditLogReaderRepository,
  ],
  exports: [AuditService, AuditVerifier, AuditCheckpoints, AuditLogReaderService],
})
export class AuditModule {}
