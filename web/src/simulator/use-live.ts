// Live steps and executions from a console event stream, deduplicated (a reconnect replays them).
import { useEffect, useState } from 'react';
import type { Credentials } from '../api/client.ts';
import { openEventStream, type StreamState } from '../api/sse.ts';
import { useSession } from '../auth/session.tsx';
import type { Execution, SimulatorMessage, Step } from '../api/types.ts';

export interface LiveState {
  steps: Step[];
  executions: Map<string, Execution>;
  messages: SimulatorMessage[];
  connection: 'connecting' | StreamState;
  /** Executions the stream said were deleted while it watched them. */
  deleted: ReadonlySet<string>;
}

const EMPTY: LiveState = { steps: [], executions: new Map(), messages: [], connection: 'connecting', deleted: new Set() };

function upsertBySid<T extends { sid: string }>(list: T[], item: T): T[] {
  const index = list.findIndex((x) => x.sid === item.sid);
  if (index < 0) return [...list, item];
  const next = list.slice();
  next[index] = item;
  return next;
}

/**
 * The events of the stream at `path`, opened with `credentials` (again when they change: signing in
 * again after a refusal). A refusal of them asks to sign in again, as a refused API call does.
 */
export function useLiveEvents(path: string | null, credentials: Credentials | null): LiveState {
  const [state, setState] = useState<LiveState>(EMPTY);
  const { api } = useSession();
  useEffect(() => {
    // A new stream starts empty; no stream (an execution that has just ended) keeps what arrived,
    // so steps seen live do not vanish before a reload brings them back.
    if (!path || !credentials) {
      setState((current) => ({ ...current, connection: 'closed' }));
      return;
    }
    setState(EMPTY);
    return openEventStream(
      path,
      credentials,
      (message) => {
        let data: unknown;
        try {
          data = JSON.parse(message.data);
        } catch {
          return;
        }
        setState((current) => {
          switch (message.event) {
            case 'step':
              return { ...current, steps: upsertBySid(current.steps, data as Step) };
            case 'message':
              return { ...current, messages: upsertBySid(current.messages, data as SimulatorMessage) };
            case 'execution': {
              const executions = new Map(current.executions);
              executions.set((data as Execution).sid, data as Execution);
              return { ...current, executions };
            }
            case 'execution-deleted':
              return { ...current, deleted: new Set(current.deleted).add((data as { sid: string }).sid) };
            default:
              return current;
          }
        });
      },
      (connection) => setState((current) => ({ ...current, connection })),
      // The session's client for these credentials (it changes with them) says they were refused.
      () => {
        if (api?.credentials === credentials) api.refused();
      },
    );
  }, [path, credentials, api]);
  return state;
}
