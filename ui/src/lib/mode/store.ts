// The mode store: manual controls (force a mode, pause, back to automatic) and the outcome of
// the last one. What is in force comes back through the telemetry snapshot, never guessed here.

import { derived, writable, type Readable } from 'svelte/store';
import type { CommandError, PausePreset, UiMode, UiOverride, UiSnapshot } from '../bindings';
import { api, asCommandError } from '../ipc';

export interface ModeControls {
  busy: Readable<boolean>;
  error: Readable<CommandError | null>;
  setMode(mode: UiMode): Promise<void>;
  pause(preset: PausePreset): Promise<void>;
  auto(): Promise<void>;
  /** Forces `mode` on one GPU only (by UUID). */
  setModeFor(gpu: string, mode: UiMode): Promise<void>;
  /** Clears what was forced on one GPU; an override for every GPU stays. */
  autoFor(gpu: string): Promise<void>;
}

export function createModeControls(): ModeControls {
  const busy = writable(false);
  const error = writable<CommandError | null>(null);
  async function run(call: () => Promise<unknown>) {
    busy.set(true);
    try {
      await call();
      error.set(null);
    } catch (e) {
      error.set(asCommandError(e));
    } finally {
      busy.set(false);
    }
  }
  return {
    busy,
    error,
    setMode: (mode) => run(() => api.setMode(mode)),
    pause: (preset) => run(() => api.pause(preset)),
    auto: () => run(() => api.resumeAuto()),
    setModeFor: (gpu, mode) => run(() => api.setMode(mode, gpu)),
    autoFor: (gpu) => run(() => api.resumeAuto(gpu)),
  };
}

/** The override in force for every GPU, if any (the one the header describes). */
export function globalOverride(s: UiSnapshot | null): UiOverride | null {
  return s?.overrides.find((o) => o.gpu_uuid === null) ?? null;
}

/** The override set for this one GPU, if any (an override for every GPU is not included). */
export function gpuOverride(s: UiSnapshot | null, uuid: string): UiOverride | null {
  return s?.overrides.find((o) => o.gpu_uuid === uuid) ?? null;
}

export function activeOverride(snapshot: Readable<UiSnapshot | null>): Readable<UiOverride | null> {
  return derived(snapshot, globalOverride);
}

export const modeControls = createModeControls();
