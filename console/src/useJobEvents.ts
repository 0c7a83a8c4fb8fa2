// The job's event stream over graphql-ws, resumed from the last cursor after a dropped
// connection: the server replays what happened meanwhile, so the log has every event once.
import { useEffect, useRef, useState } from "react";
import { useClient } from "urql";
import type { JobEventsSubscription as Result } from "./gql/graphql";
import { JobEventsSubscription } from "./operations";

export type JobEvent = Result["jobEvents"];

const TERMINAL = new Set(["COMPLETED", "FAILED", "CANCELED"]);

export type EventStream = {
  events: JobEvent[];
  /** The highest progress seen: a bar built on it never moves back. */
  progress: number;
  connected: boolean;
  reconnects: number;
  done: boolean;
  /** Subscribe again after the last cursor (after a retry or an export: the stream had ended). */
  resume: () => void;
};

type State = Omit<EventStream, "resume">;
const INITIAL: State = { events: [], progress: 0, connected: false, reconnects: 0, done: false };

export function useJobEvents(jobId: string, onEvent: (e: JobEvent) => void): EventStream {
  const client = useClient();
  const [state, setState] = useState<State>(INITIAL);
  const handler = useRef(onEvent);
  handler.current = onEvent;
  const restart = useRef<() => void>(() => undefined);

  useEffect(() => {
    let cursor: string | null = null;
    let lastSequence = 0;
    let stopped = false;
    let timer = 0;
    let failures = 0;
    let sub: { unsubscribe(): void } | null = null;
    setState(INITIAL);

    const start = () => {
      sub?.unsubscribe();
      sub = client.subscription(JobEventsSubscription, { jobId, after: cursor }).subscribe((result) => {
        if (stopped) return;
        if (result.error) {
          // The socket dropped (or the server restarted): subscribe again after the last cursor.
          sub?.unsubscribe();
          failures += 1;
          setState((s) => ({ ...s, connected: false, reconnects: s.reconnects + 1 }));
          timer = window.setTimeout(start, Math.min(500 * 2 ** Math.min(failures - 1, 4), 8000));
          return;
        }
        const event = result.data?.jobEvents;
        if (!event || event.sequence <= lastSequence) return; // already seen
        failures = 0;
        lastSequence = event.sequence;
        cursor = event.cursor;
        const done = TERMINAL.has(event.status) && event.type !== "RENDER_UPDATED";
        setState((s) => ({
          events: [...s.events, event],
          progress: Math.max(s.progress, event.progress),
          connected: true,
          reconnects: s.reconnects,
          done: s.done || done,
        }));
        handler.current(event);
      });
    };
    start();
    restart.current = () => {
      if (stopped) return;
      window.clearTimeout(timer);
      setState((s) => ({ ...s, done: false }));
      start();
    };
    return () => {
      stopped = true;
      window.clearTimeout(timer);
      sub?.unsubscribe();
    };
  }, [client, jobId]);

  return { ...state, resume: () => restart.current() };
}
