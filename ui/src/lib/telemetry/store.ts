// The telemetry store: the latest snapshot and an hour of history per GPU (see history.ts),
// fed by the shell's `snapshot` events (one initial fetch, then pushes; never polling).

import { get, writable, type Readable } from 'svelte/store';
import type { UiSnapshot } from '../bindings';
import { api, onHostLost, onSnapshot } from '../ipc';
import { History } from './history';

export interface Telemetry {
  snapshot: Readable<UiSnapshot | null>;
  /** The same `History` object, announced again after every snapshot it took in. */
  history: Readable<History>;
  /** True once the process that runs the agent has gone: nothing shown updates any more. */
  hostLost: Readable<boolean>;
  /** Feeds the store from the shell; resolves to a function that stops it. */
  connect(): Promise<() => void>;
  /** Takes one snapshot (used by connect, and by tests). */
  accept(s: UiSnapshot): void;
}

export function createTelemetry(): Telemetry {
  const snapshot = writable<UiSnapshot | null>(null);
  const buffer = new History();
  const history = writable<History>(buffer);
  const hostLost = writable(false);

  function accept(s: UiSnapshot) {
    const current = get(snapshot);
    if (current && s.at_ms < current.at_ms) return;
    snapshot.set(s);
    buffer.append(s);
    // Svelte stores treat an object as changed on every `set`, so subscribers redraw.
    history.set(buffer);
  }

  async function connect() {
    try {
      // The hour before this window opened, first: live readings after it are newer.
      buffer.seed(await api.recentReadings());
      history.set(buffer);
    } catch {
      // Charts then fill from now on.
    }
    const unlisten = await onSnapshot(accept);
    const unlistenLost = await onHostLost(() => hostLost.set(true));
    try {
      accept(await api.getSnapshot());
    } catch {
      // The first event will fill the store.
    }
    return () => {
      unlisten();
      unlistenLost();
    };
  }

  return { snapshot, history, hostLost, connect, accept };
}

export const telemetry = createTelemetry();
