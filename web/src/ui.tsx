import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiError, api } from './api.js';

export interface Loaded<T> {
  data: T | undefined;
  error: ApiError | undefined;
  loading: boolean;
  reload(): void;
}

/** Fetch `path` (null: nothing yet) and re-fetch when it changes; `every` ms polls. */
export function useApi<T>(path: string | null, every?: number): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: ApiError; loading: boolean }>({ loading: path !== null });
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  useEffect(() => {
    if (path === null) {
      setState({ loading: false });
      return;
    }
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    api<T>(path).then(
      (data) => live && setState({ data, loading: false }),
      (e: unknown) =>
        live && setState({ error: e instanceof ApiError ? e : new ApiError(0, String(e)), loading: false }),
    );
    return () => {
      live = false;
    };
  }, [path, tick]);
  useEffect(() => {
    if (!every || path === null) return;
    const t = setInterval(reload, every);
    return () => clearInterval(t);
  }, [every, path, reload]);
  return { data: state.data, error: state.error, loading: state.loading, reload };
}

export function Spinner({ what }: { what: string }) {
  return (
    <div class="loading" role="status">
      <span class="dot" /> Loading {what}…
    </div>
  );
}

export function ErrorBox({ error, retry }: { error: ApiError | Error; retry?: () => void }) {
  return (
    <div class="error" role="alert">
      <strong>{error instanceof ApiError && error.status ? `Error ${error.status}` : 'Error'}:</strong> {error.message}
      {retry && (
        <button type="button" onClick={retry}>
          Retry
        </button>
      )}
    </div>
  );
}

/** Loading / error / content for one fetched value. */
export function Async<T>({
  state,
  what,
  children,
}: {
  state: Loaded<T>;
  what: string;
  children: (d: T) => ComponentChildren;
}) {
  if (state.error) return <ErrorBox error={state.error} retry={state.reload} />;
  if (state.data === undefined) return <Spinner what={what} />;
  return <>{children(state.data)}</>;
}

export function Card({ title, children, wide }: { title: string; children: ComponentChildren; wide?: boolean }) {
  return (
    <section class={wide ? 'card wide' : 'card'}>
      <h2>{title}</h2>
      {children}
    </section>
  );
}

export function Stat({ label, value, hint }: { label: string; value: ComponentChildren; hint?: string }) {
  return (
    <div class="stat" title={hint}>
      <div class="stat-value">{value}</div>
      <div class="stat-label">{label}</div>
    </div>
  );
}

export const pct = (v: number | null | undefined, digits = 1) =>
  v === null || v === undefined || !Number.isFinite(v) ? '—' : `${(v * 100).toFixed(digits)}%`;

export const num = (v: number | null | undefined, digits = 3) => {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  if (Number.isInteger(v)) return v.toLocaleString('en');
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? v.toExponential(2) : v.toFixed(digits);
};

export const when = (ms: number | null | undefined) =>
  ms === null || ms === undefined ? '—' : new Date(ms).toISOString().replace('T', ' ').slice(0, 19);

/** Ten distinguishable colours (Tableau 10), then a hue walk for more classes. */
const PALETTE = [
  '#4e79a7',
  '#f28e2b',
  '#e15759',
  '#76b7b2',
  '#59a14f',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#bab0ac',
];
export function classColor(c: number): string {
  if (c < 0) return '#999999';
  return PALETTE[c] ?? `hsl(${(c * 137.5) % 360} 60% 50%)`;
}
