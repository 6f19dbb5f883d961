import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CompiledQuery, type KyselyPlugin, type RootOperationNode } from 'kysely';
import { createStorage } from '../src/storage/storage.js';
import { sqliteBackend, type CreatedDatabase } from './support/backends.js';

/**
 * Plans of the statements whose plan once went wrong without statistics, on SQLite (whose
 * planner never has statistics for tables the send just filled). Each statement is captured
 * as the store compiles it and explained with its own parameters.
 */
describe('query plans on sqlite', () => {
  let created: CreatedDatabase;
  const captured: CompiledQuery[] = [];

  before(async () => {
    created = await sqliteBackend.create();
  });
  after(() => created.dispose());

  /** The store, with every statement it runs compiled into `captured`. */
  function capturingStorage() {
    const { db } = created.database;
    const capture: KyselyPlugin = {
      transformQuery: ({ node, queryId }) => {
        captured.push(db.getExecutor().compileQuery(node as RootOperationNode, queryId));
        return node as RootOperationNode;
      },
      transformResult: async ({ result }) => result,
    };
    return createStorage({ ...created.database, db: db.withPlugin(capture) });
  }

  async function planOf(run: () => Promise<unknown>): Promise<string> {
    captured.length = 0;
    await run();
    assert.equal(captured.length, 1, 'one statement');
    const [query] = captured;
    const rows = await created.database.db.executeQuery<{ detail: string }>(CompiledQuery.raw(`explain query plan ${query.sql}`, [...query.parameters]));
    return rows.rows.map((r) => r.detail).join('\n');
  }

  it("reads a send batch's messages through the primary key, not every message of the campaign", async () => {
    const storage = capturingStorage();
    const plan = await planOf(() => storage.messages.batchOfCampaign('c1', { firstId: 'a', lastId: 'b', limit: 500 }));
    assert.match(plan, /SEARCH messages USING INDEX sqlite_autoindex_messages_1 \(id>\? AND id<\?\)/);
    assert.doesNotMatch(plan, /messages_campaign|TEMP B-TREE/);
  });

  it('counts unread messages per membership through messages_channel, never by scanning messages', async () => {
    const storage = capturingStorage();
    const plan = await planOf(() => storage.channels.unreadCountsOf(['u1', 'u2']));
    assert.match(plan, /SEARCH m USING INDEX messages_channel \(channel_pk=\?\)/);
    assert.match(plan, /SEARCH cm USING (COVERING )?INDEX channel_members_user/);
    assert.doesNotMatch(plan, /SCAN m\b/);
  });
});
