// The 24-hour timeline, fetched from the agent host (`timeline`): once when the dashboard
// opens, again when a GPU changes mode, and once a minute so "now" and the open session move
// on. A fetch that fails keeps the last good strip and shows why.

import { writable, type Readable } from 'svelte/store';
import type { UiTimeline } from '../bindings';
import { api, asCommandError } from '../ipc';

/** How often the strip is re-read while the dashboard is open. */
export const REFRESH_MS = 60_000;

export interface TimelineStore {
  timeline: Readable<UiTimeline | null>;
  error: Readable<string | null>;
  /** Asks for a fresh strip; calls made while one is in flight are folded into one more. */
  refresh(): Promise<void>;
  /** Fetches now and every `REFRESH_MS`; returns the function that stops it. */
  start(): () => void;
}

export function createTimeline(): TimelineStore {
  const timeline = writable<UiTimeline | null>(null);
  const error = writable<string | null>(null);
  let inFlight: Promise<void> | null = null;
  let again = false;

  async function fetchOnce() {
    try {
      timeline.set(await api.timeline());
      error.set(null);
    } catch (e) {
      error.set(asCommandError(e).message);
    }
  }

  function refresh(): Promise<void> {
    if (inFlight) {
      again = true;
      return inFlight;
    }
    inFlight = (async () => {
      do {
        again = false;
        await fetchOnce();
      } while (again);
      inFlight = null;
    })();
    return inFlight;
  }

  function start() {
    void refresh();
    const timer = setInterval(() => void refresh(), REFRESH_MS);
    return () => clearInterval(timer);
  }

  return { timeline, error, refresh, start };
}
