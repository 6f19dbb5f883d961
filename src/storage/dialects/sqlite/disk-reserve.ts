import { existsSync, unlinkSync, writeFileSync } from 'node:fs';

/**
 * A few MiB of disk that Herald holds beside the SQLite file (`herald.db-reserve`) and gives
 * up when the disk is full, so that it can still write why it stopped: a full disk fails every
 * write, the one that would stop the campaign with its reason included, and a rolled-back batch
 * leaves no WAL space behind to reuse. Put back once there is room again.
 */
// The stop of a campaign writes a few pages; 4 MiB holds them and the WAL frames many times.
const RESERVE_BYTES = 4 * 1024 * 1024;

export class DiskReserve {
  constructor(private readonly file: string | null) {}

  /** Makes the reserve if it is missing; a disk with no room for it is left alone. */
  keep(): void {
    if (!this.file || existsSync(this.file)) return;
    try {
      writeFileSync(this.file, Buffer.alloc(RESERVE_BYTES));
    } catch {
      // No room yet: the next round tries again.
      try {
        unlinkSync(this.file);
      } catch {
        // never written
      }
    }
  }

  /** Frees the reserve; false when there was none to free. */
  release(): boolean {
    if (!this.file || !existsSync(this.file)) return false;
    unlinkSync(this.file);
    return true;
  }
}
