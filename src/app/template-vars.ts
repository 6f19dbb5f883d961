import type { Campaign } from '../domain/campaign.js';
import type { VarPath } from '../domain/template-variables.js';
import type { User } from '../domain/user.js';
import type { UserVarSource } from './audience-ports.js';

/**
 * What templates see of a user: its fields with custom data flattened beside them, as
 * Stream's legacy wire shows a user (`{{ receiver.country }}` reaches a custom field).
 */
export function userVars(u: User): Record<string, unknown> {
  const vars: Record<string, unknown> = { id: u.id, name: u.name, image: u.image, role: u.role, teams: u.teams, language: u.language };
  // Built-in fields win over custom ones of the same name, as on the wire.
  for (const key in u.custom) if (!(key in vars)) vars[key] = u.custom[key];
  return vars;
}

const TEXT_FIELDS = ['id', 'name', 'image', 'role', 'language'] as const;

/**
 * Where userVars above puts `receiver.<path>`, for counts in the database: a user column, a
 * path into teams or custom (built-in fields win), or nowhere (a property of a text field).
 */
export function userVarSource(path: VarPath): UserVarSource {
  const [head, ...rest] = path;
  const column = TEXT_FIELDS.find((f) => f === head);
  if (column) return rest.length === 0 ? { kind: 'column', column } : { kind: 'never' };
  if (head === 'teams') return { kind: 'json', column: 'teams', path: rest };
  return { kind: 'json', column: 'custom', path };
}

export function channelVars(cid: string, type: string, id: string, team: string | null, custom: Record<string, unknown>) {
  return { ...custom, cid, type, id, team };
}

export const campaignVars = (c: Campaign) => ({ id: c.id, name: c.name, description: c.description });
