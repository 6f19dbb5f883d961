import type { Micros } from './clock.js';

export const TaskStatus = { pending: 'pending', running: 'running', completed: 'completed', failed: 'failed' } as const;
export type TaskStatus = (typeof TaskStatus)[keyof typeof TaskStatus];

export interface Task {
  id: string;
  type: string;
  status: TaskStatus;
  result: Record<string, unknown> | null;
  error: string | null;
  created_at: Micros;
  updated_at: Micros;
}
