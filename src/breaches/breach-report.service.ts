import { Injectable } from '@nestjs/common';
import { Env } from '../config/env';
import { AffectedSubjectsRepository } from './affected-subjects.repository';
import { NotificationPhase } from './breach-authority-notification.entity';
import { deadlineOf, isLateNotification, notifyAuthorityBy } from './breach-deadline';
import { escapePdfMarkup, renderMarkupPdf } from '../common/pdf/markup-pdf';
import { formatDate, renderBreachTemplate } from './breach-templates';
import { RiskAssessment } from './breach.entity';
import { BreachesRepository } from './breaches.repository';
import { BreachesService } from './breaches.service';

const PHASE_PL: Record<NotificationPhase, string> = {
  initial: 'wstępne',
  supplementary: 'uzupełniające',
  final: 'ostateczne (kompletne)',
};

const RISK_PL: Record<RiskAssessment, string> = {
  none: 'naruszenie nie skutkuje prawdopodobnie ryzykiem naruszenia praw lub wolności osób fizycznych',
  risk: 'ryzyko naruszenia praw lub wolności osób fizycznych',
  high_risk: 'wysokie ryzyko naruszenia praw lub wolności osób fizycznych',
};

/** The notification to UODO (Art. 33(3)), in Polish, laid out in the order of UODO's form. */
@Injectable()
export class BreachReportService {
  constructor(
    private readonly breaches: BreachesService,
    private readonly repo: BreachesRepository,
    private readonly affected: AffectedSubjectsRepository,
    private readonly env: Env,
  ) {}

  async authorityReportHtml(id: string): Promise<string> {
    return renderBreachTemplate('authority-report/pl.html.hbs', await this.model(id));
  }

  /** The same document as a PDF (DejaVu Sans or the font configured, for the Polish letters). */
  async authorityReportPdf(id: string): Promise<Buffer> {
    const fonts = { regular: this.env.PDF_FONT_PATH, bold: this.env.PDF_FONT_BOLD_PATH };
    const model = await this.model(id);
    const markup = renderBreachTemplate('authority-report/pl.pdf.hbs', escapePdfMarkup(model));
    return renderMarkupPdf(markup, fonts, {
      title: 'Zgłoszenie naruszenia ochrony danych osobowych',
      subject: `Naruszenie ${id}`,
    });
  }

  private async model(id: string) {
    const b = await this.breaches.get(id);
    const [notifications, subjects] = await Promise.all([this.repo.listNotifications(id), this.affected.counts(id)]);
    const now = new Date();
    const first = notifications[0];
    // Art. 33(1): a notification after 72 hours carries the reasons for the delay; the report says so
    // whether it is the late one already sent or one about to be sent late.
    const late = first ? first.late : isLateNotification(b.awareAt, now);
    const pl = (d: Date | null) => formatDate(d, 'pl');
    return {
      generatedAt: pl(now),
      controller: { name: this.env.CONTROLLER_NAME },
      dpo: { name: this.env.DPO_NAME, email: this.env.DPO_EMAIL },
      breach: {
        id: b.id,
        description: b.description,
        occurredAt: pl(b.occurredAt),
        awareAt: pl(b.awareAt),
        containedAt: pl(b.containedAt),
        reportedBy: b.reportedBy,
        systems: b.systems,
        dataCategories: b.dataCategories,
        subjectCategories: b.subjectCategories,
        // As text, so that a known 0 is printed and only an unknown number reads "nieustalona".
        approxSubjects: b.approxSubjects === null ? null : String(b.approxSubjects),
        approxRecords: b.approxRecords === null ? null : String(b.approxRecords),
        likelyConsequences: b.likelyConsequences,
        measuresTaken: b.measuresTaken,
        measuresProposed: b.measuresProposed,
        risk: b.riskAssessment ? RISK_PL[b.riskAssessment] : null,
        riskReasoning: b.riskReasoning,
      },
      deadline: { notifyAuthorityBy: pl(notifyAuthorityBy(b.awareAt)), overdue: deadlineOf(b, now).overdue },
      late,
      delayReasons: first?.delayReasons ?? null,
      notifications: notifications.map((n) => ({
        phase: PHASE_PL[n.phase],
        sentAt: pl(n.sentAt),
        reference: n.reference,
      })),
      subjects: {
        selected: subjects.total,
        told: subjects.sent,
        highRisk: b.riskAssessment === RiskAssessment.HighRisk,
      },
    };
  }
}
