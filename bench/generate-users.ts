import { once } from 'node:events';
import { createWriteStream } from 'node:fs';

const FIRST = ['Ann', 'Bob', 'Cyd', 'Dee', 'Eva', 'Finn', 'Gus', 'Hana', 'Ivo', 'Jun', 'Kai', 'Lena', 'Mo', 'Noor'];
const LAST = ['de Vries', 'Jansen', 'Smith', 'García', 'Nakamura', 'Okafor', 'Novak', 'Rossi', 'Khan', 'Müller'];
const COUNTRIES = ['NL', 'US', 'DE', 'FR', 'BR', 'IN', 'JP', 'NG', 'GB', 'ES'];
const PLANS = ['free', 'free', 'free', 'pro', 'team'];
const LANGUAGES = ['en', 'en', 'en', 'nl', 'de', 'fr', 'es', 'ja'];

/** mulberry32: a seeded generator, so that every run imports the same file. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/**
 * One user as a Stream export has it: legacy flat shape, custom fields beside the known ones,
 * about 200 bytes a line. Ids are unique but in scattered order (i times an odd constant,
 * mod 2^32, is a bijection), as exports sorted by created_at are, not by id.
 */
function userLine(i: number, next: () => number): string {
  const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)];
  const id = `u${(Math.imul(i, 2654435761) >>> 0).toString(36)}`;
  const r = next();
  const user: Record<string, unknown> = {
    id,
    name: `${pick(FIRST)} ${pick(LAST)}`,
    role: r < 0.02 ? 'admin' : r < 0.05 ? 'moderator' : 'user',
    ...(next() < 0.1 && { teams: [`team-${Math.floor(next() * 200)}`] }),
    ...(next() < 0.5 && { image: `https://cdn.example.com/avatars/${id}.jpg` }),
    language: pick(LANGUAGES),
    country: pick(COUNTRIES),
    plan: pick(PLANS),
    age: 18 + Math.floor(next() * 60),
    marketing_opt_in: next() < 0.3,
    signup_at: new Date(1_600_000_000_000 + Math.floor(next() * 1e11)).toISOString(),
  };
  return JSON.stringify(user);
}

/** Writes `count` users as NDJSON to `file`, 10,000 lines a write. */
export async function generateUsers(file: string, count: number): Promise<void> {
  const out = createWriteStream(file);
  const next = random(42);
  for (let start = 0; start < count; start += 10_000) {
    const lines: string[] = [];
    for (let i = start; i < Math.min(count, start + 10_000); i++) lines.push(userLine(i, next));
    if (!out.write(`${lines.join('\n')}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}
