import type { Ref, RefKind } from './json-text.js';

/**
 * The ids a generated reference can resolve to: the seeded ones first (fuzz-seed.ts keeps them
 * alive), then ids the fuzzer's own successful requests created. Bounded per kind, so that
 * references keep hitting the seeded data.
 */
export class FuzzPool {
  private readonly ids: Record<RefKind, string[]> = {
    user: [], channel: [], channelType: ['messaging'], cid: [], campaign: [], segment: [], message: [], task: [],
  };
  /** How many leading ids of each kind are seeded: harvested ones rotate after them. */
  private readonly seeded: Partial<Record<RefKind, number>> = {};

  setSeeded(kind: RefKind, ids: readonly string[]): void {
    const harvested = this.ids[kind].slice(this.seeded[kind] ?? 0);
    this.ids[kind] = [...ids, ...harvested.filter((id) => !ids.includes(id))];
    this.seeded[kind] = ids.length;
  }

  seededIds(kind: RefKind): string[] {
    return this.ids[kind].slice(0, this.seeded[kind] ?? 0);
  }

  /** Adds an id a request created; keeps at most 12 beyond the seeded ones. */
  add(kind: RefKind, id: unknown): void {
    if (typeof id !== 'string' || id.length === 0 || id.length > 255 || this.ids[kind].includes(id)) return;
    const list = this.ids[kind];
    list.push(id);
    const keep = (this.seeded[kind] ?? 0) + 12;
    if (list.length > keep) list.splice(this.seeded[kind] ?? 0, 1);
  }

  resolve = (ref: Ref): string => {
    const list = this.ids[ref.kind];
    if (list.length === 0) return `none-${ref.kind}`;
    // Seeded ids most of the time: they are the ones with data behind them.
    const seeded = this.seeded[ref.kind] ?? 0;
    const index = seeded > 0 && ref.pick % 4 !== 0 ? ref.pick % seeded : ref.pick % list.length;
    return list[index];
  };

  /** Ids a successful answer carries (a created campaign, a task, a message) join the pool. */
  harvest(body: unknown): void {
    if (!body || typeof body !== 'object') return;
    const b = body as Record<string, any>;
    this.add('campaign', b.campaign?.id);
    this.add('segment', b.segment?.id);
    this.add('message', b.message?.id);
    this.add('task', b.task_id);
    if (typeof b.channel?.cid === 'string') {
      this.add('cid', b.channel.cid);
      this.add('channel', b.channel.id);
      this.add('channelType', b.channel.type);
    }
  }
}
