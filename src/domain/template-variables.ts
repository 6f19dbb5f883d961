import { liquid } from './template.js';

/** One static path a template reads under a variable: object keys and array indexes. */
export type VarPath = readonly (string | number)[];

// Members Liquid computes on arrays and strings rather than reads: `tags.size` is there
// whenever `tags` is, so a path is counted up to them.
const LIQUID_MEMBERS = new Set(['size', 'first', 'last']);

const IDENTIFIER = /^[A-Za-z_][\w-]*$/;

/** How a path is shown: `receiver.first_name`, `receiver.teams[0]`, `receiver["last name"]`. */
export const formatVarPath = (root: string, path: VarPath): string =>
  root + path.map((k) => (typeof k === 'number' ? `[${k}]` : IDENTIFIER.test(k) ? `.${k}` : `[${JSON.stringify(k)}]`)).join('');

/**
 * The paths under `root` (say `receiver`) that a template reads from its variables, found by
 * LiquidJS's static analysis: variables the template assigns itself are not among them. A
 * path stops at a dynamic key (`receiver[sender.id]`) and before a Liquid member (`size`,
 * `first`, `last`); a bare `{{ receiver }}` is no path. A template that does not parse reads
 * nothing here: the sender fails its targets with the reason instead.
 */
export function templatePaths(source: string, root: string): VarPath[] {
  let segments;
  try {
    segments = liquid.globalVariableSegmentsSync(source);
  } catch {
    return [];
  }
  const paths = new Map<string, VarPath>();
  for (const [head, ...rest] of segments) {
    if (head !== root) continue;
    const path: (string | number)[] = [];
    for (const k of rest) {
      const staticKey = typeof k === 'number' ? Number.isSafeInteger(k) : typeof k === 'string' && !LIQUID_MEMBERS.has(k);
      if (!staticKey) break;
      path.push(k as string | number);
    }
    if (path.length > 0) paths.set(formatVarPath(root, path), path);
  }
  return [...paths.values()];
}

/** The template reads `root` at all (a channel id that does not is the same for every target). */
export function templateReads(source: string, root: string): boolean {
  try {
    return liquid.globalVariablesSync(source).includes(root);
  } catch {
    return false;
  }
}

/**
 * The value at `path` is missing: undefined or null somewhere along it. Keys are own
 * properties of plain objects, indexes index arrays (negative from the end), as the
 * databases' JSON paths of the preview's counts read them.
 */
export function isMissingAt(value: unknown, path: VarPath): boolean {
  let at = value;
  for (const k of path) {
    if (at === null || at === undefined) return true;
    if (typeof k === 'number') at = Array.isArray(at) ? at[k < 0 ? at.length + k : k] : undefined;
    else at = typeof at === 'object' && !Array.isArray(at) && Object.hasOwn(at, k) ? (at as Record<string, unknown>)[k] : undefined;
  }
  return at === null || at === undefined;
}
