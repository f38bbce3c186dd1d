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

@Global()
@Module({
  imports: [TypeOrmModule.forFeature(AUDIT_ENTITIES)],
  controllers: [AuditController],
  providers: [
    AuditService,
    AuditRepository,
    AuditTreeRepository,
    AuditVerifier,
    AuditLogReaderService,
    AuditLogReaderRepository,
  ],
  exports: [AuditService, AuditVerifier, AuditLogReaderService],
})
export class AuditModule {}
