import { setTimeout as sleep } from 'node:timers/promises';

export interface LoopLogger {
  error(details: object, message: string): void;
}

/**
 * Runs `step` again and again: at once while it reports work done, after `idleMs` when it
 * reports none. A failing step is logged and the loop carries on (docs/style.md habit 8); stop()
 * lets the step in flight finish, so shutdown never cuts a batch in half.
 */
export class BackgroundLoop {
  private running = false;
  private done: Promise<void> = Promise.resolve();
  private wake = new AbortController();

  constructor(
    readonly name: string,
    private readonly step: () => Promise<boolean>,
    private readonly idleMs: number,
    private readonly logger: LoopLogger,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.done = this.run();
  }

  /** Cuts the current idle wait short, e.g. when new work was just created in this process. */
  poke(): void {
    this.wake.abort();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.poke();
    await this.done;
  }

  private async run(): Promise<void> {
    while (this.running) {
      let worked = false;
      try {
        worked = await this.step();
      } catch (error) {
        this.logger.error({ err: error, loop: this.name }, 'background step failed');
      }
      if (!worked && this.running) {
        try {
          await sleep(this.idleMs, undefined, { signal: this.wake.signal });
        } catch {
          this.wake = new AbortController();
        }
      }
    }
  }
}
