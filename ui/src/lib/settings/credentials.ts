// Provider credentials (Vast.ai API key, BOINC RPC password): typed here, stored by the host in
// the OS keyring. The host never sends a value back, only whether each is set, so this store
// holds states and the outcome of the last action, never a secret.

import { writable, type Readable } from 'svelte/store';
import type { CredentialName, CredentialState } from '../bindings';
import { api, asCommandError } from '../ipc';

export interface CredentialsState {
  states: CredentialState[];
  /** The credential an action is running for. */
  busy: CredentialName | null;
  /** Per credential: why the last action failed. */
  errors: Partial<Record<CredentialName, string>>;
  /** The credential stored or removed last, for a short confirmation. */
  done: { name: CredentialName; action: 'stored' | 'removed' } | null;
  /** Why the states could not be read at all. */
  loadError: string | null;
}

export interface Credentials extends Readable<CredentialsState> {
  load(): Promise<void>;
  /** Stores `value`; true when it was stored. The caller clears its input either way. */
  store(name: CredentialName, value: string): Promise<boolean>;
  remove(name: CredentialName): Promise<boolean>;
}

export function createCredentials(): Credentials {
  const state = writable<CredentialsState>({
    states: [], busy: null, errors: {}, done: null, loadError: null,
  });

  async function act(
    name: CredentialName,
    action: 'stored' | 'removed',
    run: () => Promise<CredentialState[]>,
  ): Promise<boolean> {
    state.update((s) => ({ ...s, busy: name, done: null, errors: { ...s.errors, [name]: undefined } }));
    try {
      const states = await run();
      state.update((s) => ({ ...s, states, busy: null, done: { name, action } }));
      return true;
    } catch (e) {
      const message = asCommandError(e).message;
      state.update((s) => ({ ...s, busy: null, errors: { ...s.errors, [name]: message } }));
      return false;
    }
  }

  return {
    subscribe: state.subscribe,
    async load() {
      try {
        const states = await api.getCredentials();
        state.update((s) => ({ ...s, states, loadError: null }));
      } catch (e) {
        state.update((s) => ({ ...s, loadError: asCommandError(e).message }));
      }
    },
    store: (name, value) => act(name, 'stored', () => api.setCredential(name, value)),
    remove: (name) => act(name, 'removed', () => api.removeCredential(name)),
  };
}

export const credentials = createCredentials();
