// Test data shaped like the shell's wire types (typed against the generated bindings, so a
// change in Rust breaks these at compile time too).

import type { SettingsView, UiGpu, UiSnapshot } from '../bindings';

export function gpu(over: Partial<UiGpu> = {}): UiGpu {
  return {
    uuid: 'GPU-0', index: 0, name: 'Simulated RTX 4080 (demo)', mode: 'volunteer',
    sentence: 'Volunteer — rental window closed at 18:00', overridden: false, alert: false,
    since_ms: 1_700_000_000_000, fault: null, power_cap_w: null,
    limits: { soft_limit_c: 83, critical_limit_c: 90, hysteresis_c: 5 },
    reading: {
      temp_c: 64, load_pct: 97, mem_used_mib: 2048, mem_total_mib: 16384, power_w: 280,
      power_limit_w: 320, fan_pct: 55, sm_clock_mhz: 2500, mem_clock_mhz: 11200, throttle: [],
    },
    ...over,
  };
}

export function snapshot(atMs: number, over: Partial<UiSnapshot> = {}): UiSnapshot {
  return {
    at_ms: atMs, agent_version: '0.1.0', simulated: true, sensor_backend: 'simulated GPU',
    timezone: 'Europe/Berlin', gpus: [gpu()], overrides: [], providers: [], games: [],
    input_idle_s: null, schedule_window: null, config_path: null, config_error: null,
    api: { address: '127.0.0.1:47615', disabled: false, error: null }, tray_available: true, ledger: null,
    ...over,
  };
}

export function settingsView(): SettingsView {
  return {
    config_path: '/home/u/.config/overtime/config.toml',
    thermal: [{ gpu_uuid: null, soft_limit_c: 83, critical_limit_c: 90, hysteresis_c: 5 }],
    schedule: Array(168).fill('any'),
    games: ['cs2'],
    electricity: {
      price_per_kwh: '0.30', currency: 'USD', rest_of_pc_w: '0', carbon_g_per_kwh: '',
      periods: [], rental_currency: 'USD', exchange_rate: '',
    },
    providers: {
      volunteer: 'demo', rental: 'demo',
      boinc: { host: '127.0.0.1', port: '31416', password_file: '', control_cpu: false, pause_s: '300' },
      fah: { url: 'ws://127.0.0.1:7396/api/websocket', group: '' },
      vast: {
        api_url: 'https://console.vast.ai/api/v0', machine_id: '0', price_disk: '0.10',
        price_inetu: '0.01', price_inetd: '0.01', min_bid: '', min_chunk: '1',
      },
      hooks: [],
    },
    notifications: {
      thermal_trip: true, rental_started: true, rental_ended: true, provider_error: true,
      override_expired: true,
    },
    api: { enabled: true, port: '47615', metrics: true },
  };
}
