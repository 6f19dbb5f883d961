import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from './api';

export interface Polled<T> {
  data: T | undefined;
  error: ApiError | Error | undefined;
  /** Loads again now (after an action), without waiting for the next tick. */
  refresh: () => Promise<void>;
}

/**
 * Loads `load()` now and again every `intervalMs` (0: once), one request at a time: a slow
 * answer delays the next tick instead of piling requests up. Hidden tabs do not poll. A change
 * of `key` (another page, filter or cursor) starts over and drops answers to the old key.
 */
export function usePolling<T>(load: () => Promise<T>, intervalMs: number, key: string): Polled<T> {
  const [state, setState] = useState<{ key: string; data?: T; error?: Error }>({ key });
  const loadRef = useRef(load);
  loadRef.current = load;
  const generation = useRef(0);
  const inFlight = useRef<Promise<void> | null>(null);

  const run = useCallback(async () => {
    const mine = generation.current;
    try {
      const data = await loadRef.current();
      if (mine === generation.current) setState({ key, data });
    } catch (error) {
      if (mine === generation.current) setState((s) => ({ key, data: s.key === key ? s.data : undefined, error: error as Error }));
    }
  }, [key]);

  const refresh = useCallback(async () => {
    if (inFlight.current) await inFlight.current;
    inFlight.current = run().finally(() => (inFlight.current = null));
    await inFlight.current;
  }, [run]);

  useEffect(() => {
    generation.current++;
    setState((s) => (s.key === key ? s : { key }));
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    const tick = async () => {
      if (!document.hidden) await refresh();
      if (!stopped && intervalMs > 0) timer = setTimeout(tick, intervalMs);
    };
    void tick();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [key, intervalMs, refresh]);

  const current = state.key === key ? state : { data: undefined, error: undefined };
  return { data: current.data, error: current.error, refresh };
}

/** Calls `fn` once the value has stopped changing for `delayMs`. */
export function useDebounced<T>(value: T, delayMs: number, fn: (value: T) => void): void {
  const fnRef = useRef(fn);
  fnRef.current = fn;
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    const timer = setTimeout(() => fnRef.current(value), delayMs);
    return () => clearTimeout(timer);
  }, [value, delayMs]);
}

export const isApiError = (error: unknown): error is ApiError => error instanceof ApiError;
