// The programs running now, for the games picker: start the game, then pick its name here
// instead of guessing how its executable is called.

import { writable, type Readable } from 'svelte/store';
import { api, asCommandError } from '../ipc';

export interface RunningState {
  names: string[];
  loading: boolean;
  error: string | null;
}

export interface Running extends Readable<RunningState> {
  refresh(): Promise<void>;
}

export function createRunning(): Running {
  const state = writable<RunningState>({ names: [], loading: false, error: null });
  return {
    subscribe: state.subscribe,
    async refresh() {
      state.update((s) => ({ ...s, loading: true, error: null }));
      try {
        const names = await api.runningProcesses();
        state.set({ names, loading: false, error: null });
      } catch (e) {
        state.set({ names: [], loading: false, error: asCommandError(e).message });
      }
    },
  };
}

/** `names` whose text contains `filter` (any case), leaving out those already listed. */
export function pickable(names: string[], filter: string, listed: string[]): string[] {
  const f = filter.trim().toLowerCase();
  const have = new Set(listed.map((g) => g.trim().toLowerCase()));
  return names.filter((n) => !have.has(n.toLowerCase()) && (!f || n.toLowerCase().includes(f)));
}
