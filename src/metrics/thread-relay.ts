import type { SendBatchReport, WebhookReport, WorkObserver } from '../app/observer-ports.js';

/**
 * How the sender thread of an `all` process (main/worker-thread.ts) reports to the API
 * thread's registry: every report is posted on the thread's parentPort as it happens, and
 * the API thread hands it to its HeraldMetrics. Reports are rare (one per send batch of up to
 * 5,000 targets, one per webhook claim of up to 256 rows: tens a second at most), so a message
 * each costs nothing, loses nothing and keeps the histogram's observations exact.
 *
 * Not prom-client's AggregatorRegistry: it merges the registries of cluster workers over the
 * cluster's IPC, not those of threads, and a registry in the thread would report the
 * process-wide default metrics (CPU, memory, handles) a second time.
 */
const RELAYED = 'herald:observed';

export type RelayedReport =
  | { kind: typeof RELAYED; sendBatch: SendBatchReport }
  | { kind: typeof RELAYED; webhookDeliveries: WebhookReport };

/** The thread's observer: posts each report, as plain data, with `post`. */
export function relayingObserver(post: (message: RelayedReport) => void): WorkObserver {
  return {
    sendBatch: (report) => post({ kind: RELAYED, sendBatch: report }),
    webhookDeliveries: (report) => post({ kind: RELAYED, webhookDeliveries: report }),
  };
}

/** Hands a relayed report to `observer`; false when `message` is something else. */
export function replayRelayed(message: unknown, observer: WorkObserver): boolean {
  if (typeof message !== 'object' || message === null || (message as { kind?: unknown }).kind !== RELAYED) return false;
  const report = message as RelayedReport;
  if ('sendBatch' in report) observer.sendBatch(report.sendBatch);
  else observer.webhookDeliveries(report.webhookDeliveries);
  return true;
}
