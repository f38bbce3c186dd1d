import { formatDateTime, formatDay } from '../rendering';
import type { PageLang } from '../rendering';
import type { ConsoleView } from './console-view';
import type { RequestsService } from '../requests';

/** How the deadline was counted (legal-clock.ts), as the requests module explains it. */
export type ClockRead = Awaited<ReturnType<RequestsService['clock']>>;

/**
 * The deadline explained in sentences a staff member can repeat to the person: receipt, the first day counted
 * (Regulation 1182/71 Art. 3(1)), the month of Art. 12(3), a month without that day, weekends and holidays
 * (Art. 3(4)), an extension, and the date that binds.
 */
export function clockSentences(view: ConsoleView, lang: PageLang, c: ClockRead): string[] {
  const day = (iso: string) => formatDay(new Date(iso), lang);
  const skipped = (days: ClockRead['skipped']) =>
    days
      .map((d) => {
        const why =
          d.reason === 'public_holiday'
            ? ((lang === 'pl' ? d.holidayPl : d.holiday) ?? '')
            : view.t(lang, `request.${d.reason}`);
        return `${day(d.date)}: ${why}`;
      })
      .join('; ');
  const out = [
    view.t(lang, 'request.clockReceived', {
      received: formatDateTime(new Date(c.receivedAt), lang),
      first: day(c.firstDayCounted),
      months: c.months,
      nominal: day(c.nominalEndDate),
    }),
  ];
  if (c.endOfMonthClamped) out.push(view.t(lang, 'request.clockClamped'));
  if (c.skipped.length) out.push(view.t(lang, 'request.clockSkipped', { days: skipped(c.skipped) }));
  if (c.extension) {
    out.push(view.t(lang, 'request.clockExtended', { months: c.extension.months }));
    if (c.extension.endOfMonthClamped) out.push(view.t(lang, 'request.clockClamped'));
    if (c.extension.skipped.length)
      out.push(view.t(lang, 'request.clockSkipped', { days: skipped(c.extension.skipped) }));
  }
  out.push(view.t(lang, 'request.clockDue', { due: day(c.finalDueDate) }));
  return out;
}
