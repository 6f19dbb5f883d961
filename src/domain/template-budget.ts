import { Context, toValueSync, type Liquid, type Template } from 'liquidjs';
import { ChargingEmitter } from './template-engine.js';

/**
 * What one render of a campaign template may spend. A short campaign template renders in a
 * few µs and visits ~5 nodes; these budgets are three orders of magnitude above that and
 * still keep a hostile template to ~10 ms of CPU and ~2 MB of memory per target.
 */
export const TemplateBudget = {
  /**
   * Template nodes rendered: every loop iteration renders at least one, so this is the loop
   * budget. It is counted, not timed, so it is the same on every machine and at create time.
   */
  steps: 10_000,
  /** Characters that filters, ranges, captures and output allocate in one render. */
  memoryChars: 1_000_000,
  /** Wall time of one render: the backstop for what steps and memory do not count. */
  timeMs: 50,
} as const;

export type BudgetKind = 'steps' | 'memory' | 'output' | 'time';

export class TemplateBudgetExceeded extends Error {
  constructor(readonly kind: BudgetKind, message: string) {
    super(message);
    this.name = 'TemplateBudgetExceeded';
  }
}

/**
 * LiquidJS calls `renderLimit.check(now)` once per rendered node and `memoryLimit.use(n)` for
 * each allocation it knows of; these two stand in for its limiters (whose class it does not
 * export) and throw our own error.
 */
class StepsAndTime {
  private steps = 0;
  private startedAt: number | undefined;
  constructor(private readonly timed: boolean) {}
  check(now: number): void {
    if (++this.steps > TemplateBudget.steps) {
      throw new TemplateBudgetExceeded('steps', `the template renders more than ${TemplateBudget.steps} steps (loops are too long)`);
    }
    if (!this.timed) return;
    this.startedAt ??= now;
    if (now - this.startedAt > TemplateBudget.timeMs) {
      throw new TemplateBudgetExceeded('time', `the template takes longer than ${TemplateBudget.timeMs} ms to render`);
    }
  }
  use(): void {}
}

class Memory {
  private used = 0;
  use(count: number): void {
    if (!(count > 0)) return;
    this.used += count;
    if (this.used > TemplateBudget.memoryChars) {
      throw new TemplateBudgetExceeded('memory', `the template allocates more than ${TemplateBudget.memoryChars} characters`);
    }
  }
  check(): void {}
}

/** The top-level output, capped at what the rendered field may hold. */
class OutputEmitter extends ChargingEmitter {
  constructor(ctx: Context, private readonly maxChars: number) {
    super(ctx);
  }
  override write(html: unknown): void {
    super.write(html);
    if (this.buffer.length > this.maxChars) {
      throw new TemplateBudgetExceeded('output', `the rendered template is longer than ${this.maxChars} characters`);
    }
  }
}

/** LiquidJS wraps what a tag throws (RenderError.originalError); find our own error inside. */
export function findCause<T extends Error>(error: unknown, type: new (...args: never[]) => T): T | undefined {
  for (let e = error; e instanceof Error; e = (e as { originalError?: unknown }).originalError) {
    if (e instanceof type) return e;
  }
  return undefined;
}

/**
 * One render of parsed templates within the budgets; throws TemplateBudgetExceeded past one.
 * `timed: false` leaves out the wall-time backstop, for the check at create time: a verdict
 * that must not depend on how busy the machine is (a loaded machine hit 50 ms before 10,000
 * steps and accepted a template the step budget refuses).
 */
export function renderWithinBudget(liquid: Liquid, templates: Template[], vars: object, maxOutputChars: number, timed = true): string {
  type Limits = NonNullable<ConstructorParameters<typeof Context>[3]>;
  const limits = { renderLimit: new StepsAndTime(timed), memoryLimit: new Memory(), liquid } as unknown as Limits;
  const ctx = new Context(vars, liquid.options, { sync: true }, limits);
  const emitter = new OutputEmitter(ctx, maxOutputChars);
  try {
    toValueSync(liquid.renderer.renderTemplates(templates, ctx, emitter));
  } catch (error) {
    throw findCause(error, TemplateBudgetExceeded) ?? error;
  }
  return emitter.buffer;
}
