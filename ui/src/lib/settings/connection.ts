// "Test connection" for each provider: the host builds the provider from the form as it stands
// (saved or not) and asks the service for its real state, with a time limit. One result per
// provider, so testing BOINC does not hide what Vast.ai said.

import { writable, type Readable } from 'svelte/store';
import type { ProviderCheck, ProvidersForm, ProviderTarget } from '../bindings';
import { api, asCommandError } from '../ipc';
import { fieldMessage } from './store';

export interface ConnectionState {
  running: Partial<Record<ProviderTarget, boolean>>;
  results: Partial<Record<ProviderTarget, ProviderCheck>>;
}

export interface Connections extends Readable<ConnectionState> {
  test(target: ProviderTarget, form: ProvidersForm): Promise<ProviderCheck>;
}

export function createConnections(): Connections {
  const state = writable<ConnectionState>({ running: {}, results: {} });
  return {
    subscribe: state.subscribe,
    async test(target, form) {
      state.update((s) => ({
        running: { ...s.running, [target]: true },
        results: { ...s.results, [target]: undefined },
      }));
      let result: ProviderCheck;
      try {
        result = await api.testProvider(target, form);
      } catch (e) {
        const err = asCommandError(e);
        // Invalid settings: name the fields, since the test used what the form holds.
        const fields = err.fields.map((f) => `${f.field}: ${fieldMessage(f)}`);
        result = { outcome: 'failed', message: [err.message, ...fields].join('\n') };
      }
      state.update((s) => ({
        running: { ...s.running, [target]: false },
        results: { ...s.results, [target]: result },
      }));
      return result;
    },
  };
}

export const connections = createConnections();
