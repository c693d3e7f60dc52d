// Vite builds the dashboard into ui/dist, which the Tauri shell embeds. Tests run under jsdom
// with Svelte's browser build.
import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';

export default defineConfig({
  plugins: [svelte()],
  clearScreen: false,
  base: './',
  build: { target: 'safari15', outDir: 'dist', emptyOutDir: true, sourcemap: false },
  resolve: { conditions: ['browser'] },
  test: { environment: 'jsdom', include: ['src/**/*.test.ts'] },
});
