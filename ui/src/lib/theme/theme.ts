// Light, dark, or the system's choice; remembered in local storage and applied as a
// `data-theme` attribute the style sheet keys on.

import { writable } from 'svelte/store';

export type ThemeChoice = 'auto' | 'light' | 'dark';
const KEY = 'overtime.theme';

function initial(): ThemeChoice {
  const saved = globalThis.localStorage?.getItem(KEY);
  return saved === 'light' || saved === 'dark' ? saved : 'auto';
}

export const theme = writable<ThemeChoice>(initial());

theme.subscribe((choice) => {
  globalThis.localStorage?.setItem(KEY, choice);
  const root = globalThis.document?.documentElement;
  if (!root) return;
  if (choice === 'auto') root.removeAttribute('data-theme');
  else root.setAttribute('data-theme', choice);
});

export function nextTheme(c: ThemeChoice): ThemeChoice {
  return c === 'auto' ? 'light' : c === 'light' ? 'dark' : 'auto';
}
