import type { LiveUpdate } from '@fiberstack/contracts';
import { useQueryClient } from '@tanstack/react-query';
import { createContext, type ReactNode, useContext, useEffect, useState } from 'react';

export type LiveState = 'connecting' | 'live' | 'offline';

const LiveContext = createContext<{ state: LiveState; at: string | null }>({ state: 'connecting', at: null });

/**
 * One EventSource on /api/live for the whole app. An `update` invalidates the queries it affects
 * (fleet, events, changed nodes' series); losing the stream marks the app offline and refetches
 * everything so error states appear; `hello` after a reconnect refreshes everything again.
 */
export function LiveProvider({ children }: { children: ReactNode }) {
  const client = useQueryClient();
  const [state, setState] = useState<LiveState>('connecting');
  const [at, setAt] = useState<string | null>(null);

  useEffect(() => {
    let source: EventSource | null = null;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let wasOffline = false;
    const connect = () => {
      source = new EventSource('/api/live');
      source.addEventListener('hello', () => {
        setState('live');
        if (wasOffline) void client.invalidateQueries();
        wasOffline = false;
      });
      source.addEventListener('update', (e) => {
        const update = JSON.parse((e as MessageEvent<string>).data) as LiveUpdate;
        setAt(update.seen_at);
        void client.invalidateQueries({ queryKey: ['fleet'] });
        void client.invalidateQueries({ queryKey: ['events'] });
        void client.invalidateQueries({ queryKey: ['regions'] });
        for (const id of update.nodes) {
          void client.invalidateQueries({ queryKey: ['node', id] });
          void client.invalidateQueries({ queryKey: ['metrics', id] });
        }
      });
      source.onerror = () => {
        setState('offline');
        if (!wasOffline) void client.invalidateQueries();
        wasOffline = true;
        // The browser retries by itself unless the server answered an error: then we do.
        if (source?.readyState === EventSource.CLOSED) {
          source.close();
          retry = setTimeout(connect, 2000);
        }
      };
    };
    connect();
    return () => {
      clearTimeout(retry);
      source?.close();
    };
  }, [client]);

  return <LiveContext.Provider value={{ state, at }}>{children}</LiveContext.Provider>;
}

export const useLive = () => useContext(LiveContext);
