/**
 * The console's access to Larder: the typed client of `larder/client`
 * (src/client, the CLI's client) aimed at the Worker's own origin, the
 * session it acts for, and hooks that load and poll through it.
 */
import { createContext } from "preact";
import { useCallback, useContext, useEffect, useRef, useState } from "preact/hooks";
import { LarderApiError, LarderClient } from "../../src/client";
import { can, type Scope, type Session } from "./session";

export interface ConsoleContext {
  session: Session;
  client: LarderClient;
  /** Whether the token's claims grant `scope` (the server decides; this only hides what would be refused). */
  can: (scope: Scope) => boolean;
  setProject: (project: string) => void;
  signOut: () => void;
}

export const Console = createContext<ConsoleContext | null>(null);

export function useConsole(): ConsoleContext {
  const ctx = useContext(Console);
  if (!ctx) throw new Error("useConsole outside the signed-in console");
  return ctx;
}

/** A client for `session` on this page's origin (the API is on the same origin as the console). */
export function clientFor(session: { token: string; project?: string }): LarderClient {
  return new LarderClient({ baseUrl: window.location.origin, token: session.token, project: session.project });
}

export function contextFor(session: Session, setProject: (p: string) => void, signOut: () => void): ConsoleContext {
  return {
    session,
    client: clientFor(session),
    can: (scope) => can(session.claims, scope),
    setProject,
    signOut,
  };
}

/**
 * Any failure as a LarderApiError, so every error shows a code and a
 * message: the API's own, or `code` (default CONSOLE_ERROR) for what went
 * wrong in the page before a request was sent.
 */
export function asApiError(err: unknown, code = "CONSOLE_ERROR"): LarderApiError {
  if (err instanceof LarderApiError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new LarderApiError({ status: 0, code, message, requestId: null });
}

export interface Loaded<T> {
  data: T | undefined;
  error: LarderApiError | undefined;
  loading: boolean;
  /** Loads again (keeping the shown data until the answer comes). */
  reload: () => void;
}

/** Loads `load(client)` when `deps` change; a newer load aborts the one before. */
export function useApi<T>(load: (client: LarderClient, signal: AbortSignal) => Promise<T>, deps: unknown[]): Loaded<T> {
  const { client } = useConsole();
  const [state, setState] = useState<{ data?: T; error?: LarderApiError; loading: boolean }>({ loading: true });
  const [round, setRound] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  useEffect(() => {
    const controller = new AbortController();
    setState((s) => ({ ...s, loading: true }));
    loadRef.current(client, controller.signal).then(
      (data) => {
        if (!controller.signal.aborted) setState({ data, loading: false });
      },
      (err: unknown) => {
        if (!controller.signal.aborted) setState((s) => ({ data: s.data, error: asApiError(err), loading: false }));
      },
    );
    return () => controller.abort();
  }, [client, round, ...deps]);
  const reload = useCallback(() => setRound((r) => r + 1), []);
  return { data: state.data, error: state.error, loading: state.loading, reload };
}

/**
 * Loads `source` again every `ms` while `active`, never while a load is
 * still pending (a slow answer is waited for, not aborted by the next tick).
 */
export function usePolling(source: Pick<Loaded<unknown>, "reload" | "loading">, ms: number, active: boolean): void {
  const sourceRef = useRef(source);
  sourceRef.current = source;
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => {
      if (!sourceRef.current.loading) sourceRef.current.reload();
    }, ms);
    return () => clearInterval(timer);
  }, [ms, active]);
}

/** A failure worth trying again: no answer, a timeout, or the server's 429 or 5xx. */
export function isTransient(error: LarderApiError | undefined): boolean {
  if (!error) return false;
  return error.status === 0 ? error.code !== "CONSOLE_ERROR" : error.status === 429 || error.status >= 500;
}

/** The current time, refreshed every `ms` (for "5 s ago" labels that age while shown). */
export function useNow(ms = 1000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(timer);
  }, [ms]);
  return now;
}
