// "Start on login": whether Overtime starts in the tray when the user logs in. The host writes
// or removes the system's autostart entry at once; it is not part of the configuration file.

import { writable, type Readable } from 'svelte/store';
import type { AutostartState } from '../bindings';
import { api, asCommandError } from '../ipc';

export interface AutostartStoreState {
  state: AutostartState | null;
  busy: boolean;
  error: string | null;
}

export interface Autostart extends Readable<AutostartStoreState> {
  load(): Promise<void>;
  set(enabled: boolean): Promise<boolean>;
}

export function createAutostart(): Autostart {
  const store = writable<AutostartStoreState>({ state: null, busy: false, error: null });
  async function run(call: () => Promise<AutostartState>): Promise<boolean> {
    store.update((s) => ({ ...s, busy: true, error: null }));
    try {
      const state = await call();
      store.set({ state, busy: false, error: null });
      return true;
    } catch (e) {
      store.update((s) => ({ ...s, busy: false, error: asCommandError(e).message }));
      return false;
    }
  }
  return {
    subscribe: store.subscribe,
    load: () => run(() => api.getAutostart()).then(() => undefined),
    set: (enabled) => run(() => api.setAutostart(enabled)),
  };
}

export const autostart = createAutostart();
