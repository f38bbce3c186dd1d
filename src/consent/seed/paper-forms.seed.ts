import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { ConsentImport } from '../consent-import.entity';
import { ImportsService } from '../imports.service';

const DAY_MS = 24 * 3600 * 1000;
const STORES = ['salon-krakow-01', 'salon-warszawa-03', 'salon-gdansk-02'];

/** The words of the paper form the chain's stores used before Zgoda: the text each signature agreed to. */
export const PAPER_FORM_TEXT = {
  locale: 'pl',
  title: 'Formularz zgód klienta salonu (wersja papierowa 2024)',
  body:
    'Wyrażam zgodę na otrzymywanie od salonu optycznego wiadomości SMS z ofertami promocyjnymi na podany numer ' +
    'telefonu. Zgodę mogę wycofać w każdej chwili w salonie, telefonicznie lub odpowiadając STOP.',
};

/**
 * A sample of the consents an optician chain keeps in binders of signed paper forms: `count` customers, each a form
 * signed at a store counter in the last 600 days (sms-promotions granted or refused, with the store, the staff
 * member, the form's number and the scan's SHA-256 and location as evidence), and every fifth customer's later
 * withdrawal by phone. Rows name the form's own words (`text`): they become a historical text version dated the
 * earliest signature. Each row has an `externalEventId`, so a second run imports nothing twice.
 */
export function paperFormRows(count: number, now = Date.now()): string[] {
  const rows: string[] = [];
  for (let i = 0; i < count; i++) {
    const formId = `${STORES[i % STORES.length].slice(6, 9).toUpperCase()}-2025-${String(i + 1).padStart(4, '0')}`;
    const phone = `+48 600 100 ${String(100 + i)}`;
    const signedAt = now - (600 - i * Math.floor(500 / Math.max(count, 1))) * DAY_MS;
    rows.push(
      JSON.stringify({
        subject: { phone },
        purpose: 'sms-promotions',
        channel: 'sms',
        decision: i % 7 === 3 ? 'refused' : 'granted',
        occurredAt: new Date(signedAt).toISOString(),
        text: PAPER_FORM_TEXT,
        source: { method: 'store', location: STORES[i % STORES.length], staffId: `staff-${(i % 9) + 1}` },
        evidence: {
          formId,
          documentSha256: createHash('sha256').update(`scan of paper form ${formId}`).digest('hex'),
          documentUrl: `https://dms.example.com/formularze/${formId}.pdf`,
        },
        externalEventId: `paper-form:${formId}`,
      }),
    );
    if (i % 5 === 4 && i % 7 !== 3) {
      rows.push(
        JSON.stringify({
          subject: { phone },
          purpose: 'sms-promotions',
          channel: 'sms',
          decision: 'withdrawn',
          occurredAt: new Date(signedAt + 90 * DAY_MS).toISOString(),
          text: PAPER_FORM_TEXT,
          source: { method: 'phone', location: 'infolinia' },
          externalEventId: `paper-form:${formId}:withdrawn`,
        }),
      );
    }
  }
  return rows;
}

/** Queues the sample through the import path (`POST /v1/imports`, its file); a worker imports it. */
export async function seedPaperForms(imports: ImportsService, count = 40): Promise<ConsentImport> {
  const created = await imports.create({ format: 'ndjson', mapping: null, dryRun: false, defaults: {} });
  const file = `${paperFormRows(count).join('\n')}\n`;
  return imports.upload(created.id, Readable.from([Buffer.from(file)]), 'application/x-ndjson');
}
