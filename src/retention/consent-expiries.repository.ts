import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { EXPIRED_GRANTS_SQL } from '../consent';

export interface ExpiredRow {
  event_id: string;
  subject_id: string;
  purpose_key: string;
  channel: string;
  expires_at: Date;
}

/** The SQL of recorded consent expiries; takes the caller's manager. */
@Injectable()
export class ConsentExpiriesRepository {
  /** Records up to `limit` grants expired by `now` that are not recorded yet; returns those it recorded. */
  async recordExpired(m: EntityManager, now: Date, limit: number): Promise<ExpiredRow[]> {
    return (await m.query(
      `INSERT INTO retention_consent_expiries (event_id, subject_id, purpose_key, channel, expires_at, recorded_at)
       SELECT g.event_id, g.subject_id, g.purpose_key, g.channel, g.expires_at, now()
         FROM (${EXPIRED_GRANTS_SQL}) g
        WHERE NOT EXISTS (SELECT 1 FROM retention_consent_expiries e WHERE e.event_id = g.event_id)
        ORDER BY g.expires_at, g.event_id
        LIMIT $2
       ON CONFLICT DO NOTHING
       RETURNING event_id, subject_id, purpose_key, channel, expires_at`,
      [now, limit],
    )) as ExpiredRow[];
  }
}
