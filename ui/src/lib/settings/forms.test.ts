// The settings forms as a user meets them, mounted in jsdom with the host mocked: what is typed
// is what the host receives, and what the host says ends up next to the right field.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { flushSync, mount, tick, unmount } from 'svelte';
import { clearMocks } from '@tauri-apps/api/mocks';
import { mockHost } from '../testing/host';
import { settingsView } from '../testing/fixtures';
import { locale } from '../i18n/store';
import type { CredentialState, ElectricityForm, ProvidersForm, SettingsView } from '../bindings';
import ElectricitySettings from './ElectricitySettings.svelte';
import CredentialField from './CredentialField.svelte';
import GamesSettings from './GamesSettings.svelte';
import ProvidersSettings from './ProvidersSettings.svelte';
import { credentials } from './credentials';

let target: HTMLElement;
let component: ReturnType<typeof mount> | null = null;

beforeEach(() => {
  target = document.createElement('div');
  document.body.appendChild(target);
});
afterEach(() => {
  if (component) unmount(component);
  component = null;
  target.remove();
  clearMocks();
  locale.set('en-US');
});

const byTestId = (id: string) => target.querySelector<HTMLElement>(`[data-testid="${id}"]`);

function type(id: string, text: string) {
  const input = byTestId(id) as HTMLInputElement;
  input.value = text;
  input.dispatchEvent(new Event('input', { bubbles: true }));
  flushSync();
}

/** Lets the mocked host answer and the page redraw. */
async function settle() {
  for (let i = 0; i < 5; i++) await tick();
  await new Promise((r) => setTimeout(r, 0));
  flushSync();
}

describe('electricity form', () => {
  it('takes a price with a German decimal comma, saves it exactly and shows it saved', async () => {
    locale.set('de-DE');
    let sent: ElectricityForm | null = null;
    mockHost((method, params) => {
      expect(method).toBe('save_electricity');
      sent = params.form as ElectricityForm;
      const view: SettingsView = settingsView();
      view.electricity = { ...view.electricity, price_per_kwh: '0.32' };
      return view;
    });
    component = mount(ElectricitySettings, { target, props: { view: settingsView() } });
    flushSync();
    // The saved "0.30" is shown as a German writes it.
    expect((byTestId('electricity-price') as HTMLInputElement).value).toBe('0,30');
    type('electricity-price', '0,32');
    byTestId('electricity-save')!.click();
    await settle();
    expect(sent!.price_per_kwh).toBe('0,32');
    expect(sent!.periods).toEqual([]);
    expect(byTestId('electricity-saved')).not.toBeNull();
  });

  it('puts the host’s field errors next to the right period', async () => {
    mockHost(() => {
      throw {
        code: 'invalid_settings',
        message: 'some settings are not valid; fix the marked fields and save again',
        fields: [{ field: 'electricity.period[1].price_per_kwh', message: '"0,4x" is not a decimal number' }],
      };
    });
    const view = settingsView();
    const period = { name: '', days: [true, true, true, true, true, false, false], start_hour: 17, end_hour: 21, price_per_kwh: '0.40' };
    view.electricity = { ...view.electricity, periods: [period, { ...period, start_hour: 6, end_hour: 9 }] };
    component = mount(ElectricitySettings, { target, props: { view } });
    flushSync();
    expect(target.querySelectorAll('fieldset.period')).toHaveLength(2);
    type('period-1-price', '0,4x');
    byTestId('electricity-save')!.click();
    await settle();
    const error = byTestId('error-electricity.period[1].price_per_kwh');
    expect(error?.textContent).toContain('"0,4x" is not a decimal number');
    expect(byTestId('error-electricity.period[0].price_per_kwh')).toBeNull();
    expect((byTestId('period-1-price') as HTMLInputElement).getAttribute('aria-invalid')).toBe('true');
    // The rejected input stays for the user to fix.
    expect((byTestId('period-1-price') as HTMLInputElement).value).toBe('0,4x');
  });
});

describe('credential field', () => {
  it('stores a typed Vast.ai key, then shows only that it is set', async () => {
    const KEY = 'vast-4f9c2e1b-DO-NOT-SHOW';
    let set = false;
    const states = (): CredentialState[] => [
      { name: 'vast_api_key', set, env_var: null, error: null },
      { name: 'boinc_password', set: false, env_var: null, error: null },
    ];
    let received: unknown = null;
    mockHost((method, params) => {
      if (method === 'set_credential') {
        received = params;
        set = true;
      }
      return states();
    });
    await credentials.load();
    component = mount(CredentialField, { target, props: { name: 'vast_api_key' } });
    flushSync();
    expect(byTestId('credential-vast_api_key-state')?.textContent?.trim()).toBe('not set');
    type('credential-vast_api_key-input', KEY);
    byTestId('credential-vast_api_key-save')!.click();
    await settle();
    expect(received).toEqual({ name: 'vast_api_key', value: KEY });
    expect(byTestId('credential-vast_api_key-state')?.textContent?.trim()).toBe('set');
    expect((byTestId('credential-vast_api_key-input') as HTMLInputElement).value).toBe('');
    expect(target.innerHTML).not.toContain(KEY);
    expect(byTestId('credential-vast_api_key-remove')).not.toBeNull();
  });
});

describe('games picker', () => {
  it('adds a running program to the list without repeating one already there', async () => {
    mockHost((method) => {
      expect(method).toBe('running_processes');
      return ['cs2', 'eldenring.exe', 'steam'];
    });
    component = mount(GamesSettings, { target, props: { view: settingsView() } });
    flushSync();
    byTestId('games-pick')!.click();
    await settle();
    const list = byTestId('games-running') as HTMLSelectElement;
    expect([...list.options].map((o) => o.value)).toEqual(['eldenring.exe', 'steam']);
    list.value = 'eldenring.exe';
    list.dispatchEvent(new Event('change', { bubbles: true }));
    flushSync();
    byTestId('games-add')!.click();
    flushSync();
    expect((byTestId('games') as HTMLTextAreaElement).value).toBe('cs2\neldenring.exe');
  });
});

describe('providers form', () => {
  it('tests BOINC with the port as typed, unsaved, and shows what to do', async () => {
    let tested: { target: string; form: ProvidersForm } | null = null;
    mockHost((method, params) => {
      if (method === 'get_credentials') return [];
      if (method === 'test_provider') {
        tested = params as { target: string; form: ProvidersForm };
        return { outcome: 'failed', message: 'BOINC is not reachable at 127.0.0.1:31417: connection refused. Is it running?' };
      }
      throw new Error(`unexpected ${method}`);
    });
    component = mount(ProvidersSettings, { target, props: { view: settingsView() } });
    flushSync();
    type('field-providers.boinc.port', '31417');
    byTestId('test-boinc')!.click();
    await settle();
    expect(tested!.target).toBe('boinc');
    expect(tested!.form.boinc.port).toBe('31417');
    const result = byTestId('test-boinc-result')!;
    expect(result.dataset.outcome).toBe('failed');
    expect(result.textContent).toContain('Is it running?');
  });
});
