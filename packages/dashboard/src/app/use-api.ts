import { type DependencyList, useCallback, useEffect, useRef, useState } from 'react';

export interface ApiState<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  /** Runs the call again, keeping the current data on screen until the answer comes. */
  reload: () => void;
}

/**
 * Runs `call` when `deps` change and keeps its answer. An answer that arrives after a newer call
 * started is dropped, so a fast typist never sees an older search win.
 */
export function useApi<T>(call: () => Promise<T>, deps: DependencyList): ApiState<T> {
  const [state, setState] = useState<{ data: T | undefined; error: unknown; loading: boolean }>({
    data: undefined,
    error: undefined,
    loading: true,
  });
  const latest = useRef(0);
  const run = useCallback(() => {
    const id = ++latest.current;
    setState((previous) => ({ ...previous, loading: true }));
    call().then(
      (data) => {
        if (id === latest.current) setState({ data, error: undefined, loading: false });
      },
      (error: unknown) => {
        if (id === latest.current) setState((previous) => ({ ...previous, error, loading: false }));
      },
    );
    // biome-ignore lint/correctness/useExhaustiveDependencies: the caller's deps decide when to call again.
  }, deps);
  useEffect(run, [run]);
  return { ...state, reload: run };
}
