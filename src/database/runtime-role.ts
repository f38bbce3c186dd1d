import { Client } from 'pg';

/**
 * The tables the database itself keeps append-only: a `zgoda_refuse_change` trigger on UPDATE and DELETE (tgtype bits 8
 * and 16), the audit log among them. A table with only the TRUNCATE trigger (consent texts: drafts change) is not.
 */
const APPEND_ONLY_TABLES = `
  SELECT DISTINCT c.relname FROM pg_trigger t
    JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_proc p ON p.oid = t.tgfoid
   WHERE p.proname = 'zgoda_refuse_change' AND NOT t.tgisinternal AND (t.tgtype & 24) = 24`;

const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * Issue 16, least privilege. The service works as `role`, never as the owner of its tables or a superuser: it may read
 * and write the working tables, and only read and append to the append-only ones (the audit log, consent events,
 * breach events, policy versions). Not being their owner, it can neither UPDATE, DELETE or TRUNCATE them nor switch
 * their triggers off (ALTER TABLE ... DISABLE TRIGGER and session_replication_role need the owner or a superuser).
 *
 * Run by the owner after every migration (idempotent): the grants follow the tables the migrations made. The role is
 * created (LOGIN, no password: give it one, or let the owner act as it) when missing, and the owner is made a member,
 * so that an installation with one DATABASE_URL can `SET ROLE` to it.
 */
export async function ensureRuntimeRole(ownerUrl: string, role: string): Promise<void> {
  const client = new Client({ connectionString: ownerUrl });
  await client.connect();
  try {
    const r = ident(role);
    await client.query(`
      DO $$ BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = ${client.escapeLiteral(role)}) THEN
          CREATE ROLE ${r} LOGIN;
        END IF;
      EXCEPTION WHEN duplicate_object THEN NULL; -- another replica created it at the same moment
      END $$`);
    const [{ owner, superuser }] = (
      await client.query(
        `SELECT current_user AS owner, rolsuper AS superuser FROM pg_roles WHERE rolname = current_user`,
      )
    ).rows as { owner: string; superuser: boolean }[];
    if (owner === role) throw new Error(`the owner's URL logs in as the runtime role ${role}: give the owner's URL`);
    if (!superuser) await client.query(`GRANT ${r} TO CURRENT_USER`);
    await client.query(`GRANT CONNECT ON DATABASE ${ident(await currentDatabase(client))} TO ${r}`);
    await client.query(`GRANT USAGE ON SCHEMA public TO ${r}`);
    await client.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${r}`);
    await client.query(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${r}`);
    await client.query(`REVOKE ALL ON schema_migrations FROM ${r}`);
    await client.query(`GRANT SELECT ON schema_migrations TO ${r}`);
    for (const { relname } of (await client.query(APPEND_ONLY_TABLES)).rows as { relname: string }[]) {
      await client.query(`REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON ${ident(relname)} FROM ${r}`);
    }
  } finally {
    await client.end();
  }
}

async function currentDatabase(client: Client): Promise<string> {
  return ((await client.query('SELECT current_database() AS db')).rows[0] as { db: string }).db;
}
