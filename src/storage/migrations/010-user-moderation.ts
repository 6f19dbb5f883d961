import type { Kysely, Migration } from 'kysely';
import type { DialectCaps } from '../dialects/dialect-caps.js';

/**
 * A shadow-banned user's messages are stored like any other, marked `shadowed`: clients hide
 * them (stream-chat's channel state drops shadowed messages), the chat feed delivers them to
 * their author only, and they count as unread for no one.
 */
export const userModeration = (_caps: DialectCaps): Migration => ({
  async up(db: Kysely<any>) {
    await db.schema.alterTable('messages').addColumn('shadowed', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  },
});
