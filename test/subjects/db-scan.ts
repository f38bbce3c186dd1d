import { execFileSync } from 'node:child_process';
import { Client } from 'pg';
import { dbUrl, PG_ADMIN_URL } from '../support/test-env';

/** `pg_dump` of a test database as text, as an operator's backup would contain it. */
export function pgDump(dbName: string): string {
  const u = new URL(PG_ADMIN_URL);
  return execFileSync('pg_dump', ['-h', u.hostname, '-p', u.port || '5432', '-U', u.username || 'postgres', dbName], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
}

/**
 * Every (table, column) of the database whose value contains one of `needles`: text-like columns
 * (text, varchar, char, arrays, json, jsonb) compared as text, bytea compared as the needle's UTF-8 bytes.
 */
export async function scanForValues(dbName: string, needles: string[]): Promise<string[]> {
  const columns = await adminQueryIn<{ table_name: string; column_name: string; data_type: string }>(
    dbName,
    `SELECT c.table_name, c.column_name, c.data_type FROM information_schema.columns c
       JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
      WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'
        AND (c.data_type IN ('text', 'character varying', 'character', 'json', 'jsonb', 'bytea', 'ARRAY'))`,
  );
  const hits: string[] = [];
  const c = new Client({ connectionString: dbUrl(dbName) });
  await c.connect();
  try {
    for (const col of columns) {
      const ident = `"${col.table_name}"."${col.column_name}"`;
      for (const needle of needles) {
        const sql =
          col.data_type === 'bytea'
            ? `SELECT count(*)::int AS n FROM "${col.table_name}" WHERE position($1::bytea in "${col.column_name}") > 0`
            : `SELECT count(*)::int AS n FROM "${col.table_name}" WHERE position(lower($1) in lower("${col.column_name}"::text)) > 0`;
        const param = col.data_type === 'bytea' ? Buffer.from(needle, 'utf8') : needle;
        const { rows } = await c.query<{ n: number }>(sql, [param]);
        if (rows[0].n > 0) hits.push(`${ident} contains a canary (${needle.length} chars)`);
      }
    }
  } finally {
    await c.end();
  }
  return hits;
}

/** How many columns the scan covers, so a test can show it looked at something. */
export async function scannedColumnCount(dbName: string): Promise<number> {
  const [row] = await adminQueryIn<{ n: number }>(
    dbName,
    `SELECT count(*)::int AS n FROM information_schema.columns c
       JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
      WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'
        AND c.data_type IN ('text', 'character varying', 'character', 'json', 'jsonb', 'bytea', 'ARRAY')`,
  );
  return row.n;
}

async function adminQueryIn<T>(dbName: string, sql: string): Promise<T[]> {
  const c = new Client({ connectionString: dbUrl(dbName) });
  await c.connect();
  try {
    return (await c.query(sql)).rows as T[];
  } finally {
    await c.end();
  }
}
