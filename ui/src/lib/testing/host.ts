// Test double for the agent host: Tauri's IPC mock with the `host_call` envelope unwrapped, so
// tests speak in the host's method names and parameters, as ipc.ts sends them.

import { mockIPC } from '@tauri-apps/api/mocks';
import { HOST_CALL } from '../ipc';

type Params = Record<string, unknown>;

/** Answers every host method with `handler(method, params)`; a throw becomes a rejection. */
export function mockHost(
  handler: (method: string, params: Params) => unknown,
  options: { shouldMockEvents?: boolean } = {},
): void {
  mockIPC((cmd, args) => {
    if (cmd !== HOST_CALL) throw new Error(`the UI called ${cmd} instead of ${HOST_CALL}`);
    const { method, params } = (args ?? {}) as { method: string; params: Params };
    return handler(method, params ?? {});
  }, options);
}
