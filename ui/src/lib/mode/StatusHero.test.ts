import { afterEach, describe, expect, it } from 'vitest';
import { flushSync, tick } from 'svelte';
import { clearMocks } from '@tauri-apps/api/mocks';
import StatusHero from './StatusHero.svelte';
import { mockHost } from '../testing/host';
import { gpu, snapshot } from '../testing/fixtures';
import { telemetry } from '../telemetry/store';
import { locale } from '../i18n/store';
import { show, takeDown } from '../testing/mount';
import type { UiGpu } from '../bindings';

const render = (props: { gpu: UiGpu; ownControls?: boolean }) => show(StatusHero, props);

afterEach(() => {
  takeDown();
  clearMocks();
  locale.set('en-US');
});

const buttons = (el: HTMLElement) => [...el.querySelectorAll<HTMLButtonElement>('[data-testid="gpu-controls-1"] button')];

describe('status of one GPU', () => {
  it('has no controls of its own on a one-GPU machine', () => {
    const el = render({ gpu: gpu() });
    expect(el.querySelector('[role="group"]')).toBeNull();
    expect(el.querySelector('[data-testid="status-reason"]')!.textContent).toBe('Volunteer — rental window closed at 18:00');
  });

  it('sets and clears only its own GPU, and shows what is forced on it', async () => {
    const second = gpu({ uuid: 'GPU-1', index: 1 });
    telemetry.accept(snapshot(1, { gpus: [gpu(), second] }));
    const seen: [string, unknown][] = [];
    mockHost((method, params) => {
      seen.push([method, params]);
    });
    const el = render({ gpu: second, ownControls: true });
    const group = el.querySelector('[data-testid="gpu-controls-1"]')!;
    expect(group.getAttribute('aria-label')).toBe('Mode of GPU 1 only');
    let [auto, rent] = buttons(el);
    expect(auto.getAttribute('aria-pressed')).toBe('true');
    expect(auto.disabled).toBe(true); // nothing of its own to clear
    rent.click();
    await tick();
    await new Promise((r) => setTimeout(r, 0));
    expect(seen).toEqual([['set_mode', { mode: 'rental', gpu: 'GPU-1' }]]);

    // The agent's next snapshot says GPU 1 is forced to rental; a pause for all does not count.
    telemetry.accept(snapshot(2, {
      gpus: [gpu(), second],
      overrides: [
        { mode: 'rental', gpu_uuid: 'GPU-1', until_ms: null },
        { mode: 'idle', gpu_uuid: null, until_ms: 9 },
      ],
    }));
    flushSync();
    [auto, rent] = buttons(el);
    expect(rent.getAttribute('aria-pressed')).toBe('true');
    expect(auto.getAttribute('aria-pressed')).toBe('false');
    expect(auto.disabled).toBe(false);
    auto.click();
    await new Promise((r) => setTimeout(r, 0));
    expect(seen[1]).toEqual(['resume_auto', { gpu: 'GPU-1' }]);
  });

  it('speaks German', () => {
    locale.set('de-DE');
    const second = gpu({ uuid: 'GPU-1', index: 1 });
    telemetry.accept(snapshot(3, { gpus: [gpu(), second] }));
    const el = render({ gpu: second, ownControls: true });
    expect(el.querySelector('[data-testid="gpu-controls-1"]')!.textContent).toContain('Nur diese GPU:');
    expect(buttons(el).map((b) => b.textContent!.trim())).toEqual(['Automatisch', 'Vermietung', 'Ehrenamtlich', 'Leerlauf']);
  });
});
