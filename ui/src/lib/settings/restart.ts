// "Restart now", beside the settings that are read only when Overtime starts (providers, their
// credentials, the local API). The host stops the agent the way Quit does (providers left safe,
// running rentals never ended), starts itself again and opens a new window; this window is
// closed by the host on the way.

import { writable, type Readable } from 'svelte/store';
import { api, asCommandError } from '../ipc';

export interface RestartState {
  /** The host accepted: this window is about to close and a new one to open. */
  restarting: boolean;
  error: string | null;
}

export interface Restart extends Readable<RestartState> {
  request(): Promise<boolean>;
}

export function createRestart(): Restart {
  const store = writable<RestartState>({ restarting: false, error: null });
  return {
    subscribe: store.subscribe,
    async request() {
      store.set({ restarting: true, error: null });
      try {
        await api.restartApp();
        return true;
      } catch (e) {
        store.set({ restarting: false, error: asCommandError(e).message });
        return false;
      }
    },
  };
}

export const restart = createRestart();
