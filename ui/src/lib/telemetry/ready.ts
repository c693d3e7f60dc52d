// Tells the shell, once per window, that telemetry is on screen (start-up timing).

import { api } from '../ipc';

let told = false;

export function markDrawn(): void {
  if (told) return;
  told = true;
  api.uiReady().catch(() => {
    told = false;
  });
}
