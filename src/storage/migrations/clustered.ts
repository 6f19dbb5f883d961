import { sql, type CreateTableBuilder } from 'kysely';
import type { DialectCaps } from '../dialects/dialect-caps.js';

/**
 * On SQLite, a table keyed by a composite primary key is stored as that key's B-tree
 * (WITHOUT ROWID) instead of a rowid table plus a second B-tree for the key: one tree to
 * update per insert instead of two, on the tables the send loop writes most.
 */
export const clustered =
  (caps: DialectCaps) =>
  <T extends string, C extends string>(builder: CreateTableBuilder<T, C>): CreateTableBuilder<T, C> =>
    caps.name === 'sqlite' ? builder.modifyEnd(sql`without rowid`) : builder;
