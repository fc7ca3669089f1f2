import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { messageOf } from '../api/client';

export interface Resource<T> {
  data: T | undefined;
  /** The last load's error; `data` keeps the last good value, so a failed refresh never blanks the page. */
  error: string | undefined;
  loading: boolean;
  /** When `data` was last loaded. */
  loadedAt: Date | undefined;
  reload: () => Promise<void>;
}

/**
 * Loads `load()` when `key` changes and, with `pollMs`, again that long after each load finishes (never
 * two at once), while the tab is visible. Results of a load for an older key are dropped.
 */
export function useResource<T>(key: string, load: () => Promise<T>, pollMs?: number): Resource<T> {
  const [state, setState] = useState<Omit<Resource<T>, 'reload'>>({
    data: undefined,
    error: undefined,
    loading: true,
    loadedAt: undefined,
  });
  const loadRef = useRef(load);
  loadRef.current = load;
  const keyRef = useRef(key);
  const inFlight = useRef<Promise<void> | null>(null);

  const run = useCallback(async () => {
    if (inFlight.current) return inFlight.current;
    const forKey = keyRef.current;
    setState((previous) => ({ ...previous, loading: true }));
    const attempt = (async () => {
      try {
        const data = await loadRef.current();
        if (keyRef.current === forKey) setState({ data, error: undefined, loading: false, loadedAt: new Date() });
      } catch (error) {
        if (keyRef.current === forKey)
          setState((previous) => ({ ...previous, error: messageOf(error), loading: false }));
      }
    })();
    inFlight.current = attempt;
    await attempt; // never rejects: the error is in the state
    if (inFlight.current === attempt) inFlight.current = null;
  }, []);

  useEffect(() => {
    keyRef.current = key;
    inFlight.current = null;
    setState({ data: undefined, error: undefined, loading: true, loadedAt: undefined });
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = async () => {
      if (!document.hidden) await run();
      if (!stopped && pollMs) timer = setTimeout(tick, pollMs);
    };
    void tick();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    };
  }, [key, pollMs, run]);

  return { ...state, reload: run };
}
