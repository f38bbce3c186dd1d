/** Persisted strings: never rename a value. */
export enum BreachStatus {
  Open = 'open',
  Contained = 'contained',
  Notified = 'notified',
  Closed = 'closed',
}

/** Art. 33(1) / 34(1): no notification when a risk is unlikely; the authority for a risk; subjects too for a high risk. */
export enum RiskAssessment {
  None = 'none',
  Risk = 'risk',
  HighRisk = 'high_risk',
}

export const BREACH_STATUSES = Object.values(BreachStatus);
export const RISK_ASSESSMENTS = Object.values(RiskAssessment);

/** Art. 33(4): the information may be provided in phases. */
export enum NotificationPhase {
  Initial = 'initial',
  Supplementary = 'supplementary',
  Final = 'final',
}
export const NOTIFICATION_PHASES = Object.values(NotificationPhase);
