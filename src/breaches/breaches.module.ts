import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { NotificationsModule } from '../notifications';
import { SubjectsModule } from '../subjects';
import { SystemsModule } from '../systems';
import { HeldInSystemsSelector, AffectedSubjectSelector } from './affected-subject.selector';
import { AffectedSubjectsRepository } from './affected-subjects.repository';
import { AffectedSubjectsService } from './affected-subjects.service';
import { AuthorityNotificationsService } from './authority-notifications.service';
import { BreachDigestService } from './breach-digest.service';
import { BreachReportService } from './breach-report.service';
import { BreachStatsRepository } from './breach-stats.repository';
import { BreachStatsService } from './breach-stats.service';
import { BreachesController } from './breaches.controller';
import { BreachesRepository } from './breaches.repository';
import { BreachesService } from './breaches.service';
import { BREACHES_ENTITIES } from './breaches.entities';

/** Breach register (Art. 33-34): incidents, the 72-hour clock, notifications to UODO and to the subjects, KPIs. */
@Module({
  imports: [NotificationsModule, SubjectsModule, SystemsModule, TypeOrmModule.forFeature(BREACHES_ENTITIES)],
  controllers: [BreachesController],
  providers: [
    BreachesRepository,
    AffectedSubjectsRepository,
    BreachStatsRepository,
    BreachesService,
    AuthorityNotificationsService,
    AffectedSubjectsService,
    BreachStatsService,
    BreachReportService,
    BreachDigestService,
    { provide: AffectedSubjectSelector, useClass: HeldInSystemsSelector },
  ],
  exports: [
    BreachesService,
    AuthorityNotificationsService,
    AffectedSubjectsService,
    BreachStatsService,
    BreachReportService,
  ],
})
export class BreachesModule {}
