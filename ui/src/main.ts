// Entry point: guard the locale first (see i18n/guard.ts), then load the app.
import './lib/i18n/guard';
import './app.css';

const target = document.getElementById('app');
if (target) {
  const [{ mount }, { default: App }] = await Promise.all([import('svelte'), import('./App.svelte')]);
  mount(App, { target });
}
