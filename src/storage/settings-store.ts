import type { Kysely } from 'kysely';
import type { AppSettingsStore } from '../app/ports.js';
import { emptySettings, type AppSettings } from '../domain/app-settings.js';
import type { DialectCaps } from './dialects/dialect-caps.js';
import type { Schema } from './schema.js';

export class KyselySettingsStore implements AppSettingsStore {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly caps: DialectCaps,
  ) {}

  async get(): Promise<AppSettings> {
    const row = await this.db.selectFrom('app_settings').select('settings').where('id', '=', 1).executeTakeFirst();
    return { ...emptySettings(), ...((row && (this.caps.parseJson(row.settings) as Partial<AppSettings>)) ?? {}) };
  }

  async save(settings: AppSettings, now: number): Promise<void> {
    const value = JSON.stringify(settings);
    await this.db
      .insertInto('app_settings')
      .values({ id: 1, settings: value, updated_at: now })
      .onConflict((oc) => oc.column('id').doUpdateSet({ settings: value, updated_at: now }))
      .execute();
  }
}
