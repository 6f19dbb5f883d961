import { SegmentLimits, type Segment } from '../domain/segment.js';
import type { Herald } from '../main/compose.js';
import { CliExit, expectPositionals, parseCommand, UsageError, withHerald, type CommandContext } from './cli-command.js';
import { fmt, isoTime, jsonLine, table, timeText } from './cli-output.js';

/** `herald segments list`: every segment, newest first, with its size as last computed. */
export async function segmentsCommand(args: string[], ctx: CommandContext): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'list') throw new UsageError(`unknown command: segments ${sub ?? ''}`.trim());
  const { values, positionals } = parseCommand(rest, {});
  expectPositionals(positionals, [], 'segments list');
  const segments = await withHerald(ctx.config, allSegments);
  if (values.json) {
    ctx.io.stdout.write(
      jsonLine(
        segments.map((s) => ({
          id: s.id,
          type: s.type,
          name: s.name,
          size: s.size,
          size_computed_at: isoTime(s.size_computed_at),
          created_at: isoTime(s.created_at),
        })),
      ),
    );
    return CliExit.ok;
  }
  ctx.io.stdout.write(
    table(segments, [
      { header: 'ID', value: (s) => s.id },
      { header: 'TYPE', value: (s) => s.type },
      { header: 'NAME', value: (s) => s.name },
      { header: 'SIZE', value: (s) => fmt(s.size), right: true },
      // A filter's size is computed in the background, within about a second of a change.
      { header: 'SIZE COMPUTED AT', value: (s) => (s.size_computed_at === null ? 'pending' : timeText(s.size_computed_at)) },
    ]),
  );
  return CliExit.ok;
}

/** Segments are few (each is a definition, not its members): all of them, a page at a time. */
async function allSegments(herald: Herald): Promise<Segment[]> {
  const found: Segment[] = [];
  let next: string | undefined;
  do {
    const page = await herald.services.segments.query({ filter: {}, limit: SegmentLimits.queryPage, next });
    found.push(...page.items);
    next = page.next;
  } while (next !== undefined);
  return found;
}
