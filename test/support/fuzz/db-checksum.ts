import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Database } from '../../../src/storage/database.js';

/**
 * Row count and checksum of every table, in ONE query: the fuzzer takes one after each request,
 * so that a refused request can be checked to have changed nothing. Tables are found in the
 * catalog, so a new migration's tables are covered too. PostgreSQL: md5 of the rows' text,
 * sorted; SQLite: the same over quote() of each column, with md5 as a function of this
 * connection (SQLite has none built in).
 */
export type Checksums = Record<string, string>;

export async function checksumQuery(database: Database): Promise<() => Promise<Checksums>> {
  const { db } = database;
  const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;
  let text: string;
  if (database.sqlite) {
    const raw = database.sqlite;
    raw.function('fuzz_md5', { deterministic: true }, (value: unknown) => createHash('md5').update(String(value)).digest('hex'));
    const tables = raw.prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like 'kysely_%' order by name").all() as Array<{ name: string }>;
    const parts = tables.map(({ name }) => {
      const columns = raw.prepare(`select name from pragma_table_info(?) order by cid`).all(name) as Array<{ name: string }>;
      const row = columns.map((c) => `quote(${quoteIdent(c.name)})`).join(` || ',' || `);
      return `(select count(*) || ':' || fuzz_md5(coalesce(group_concat(r, char(10) order by r), '')) from (select ${row} as r from ${quoteIdent(name)})) as ${quoteIdent(name)}`;
    });
    text = `select ${parts.join(', ')}`;
  } else {
    const { rows } = await sql<{ name: string }>`select table_name as name from information_schema.tables
      where table_schema = current_schema() and table_type = 'BASE TABLE' and table_name not like 'kysely_%' order by table_name`.execute(db);
    const parts = rows.map(({ name }) =>
      `(select count(*) || ':' || md5(coalesce(string_agg(t::text, E'\\n' order by t::text), '')) from ${quoteIdent(name)} t) as ${quoteIdent(name)}`);
    text = `select ${parts.join(', ')}`;
  }
  const query = sql.raw<Checksums>(text);
  return async () => (await query.execute(db)).rows[0];
}

/** The tables whose checksum differs, as `table: before → after`. */
export function changedTables(before: Checksums, after: Checksums): string[] {
  return Object.keys({ ...before, ...after }).filter((t) => before[t] !== after[t]).map((t) => `${t}: ${before[t]} → ${after[t]}`);
}
