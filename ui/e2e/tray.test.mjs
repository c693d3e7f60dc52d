// End-to-end through the tray. The test plays the desktop's tray host: a private D-Bus session
// with a real StatusNotifierWatcher (Debian's status-notifier-watcher), and the calls a panel
// makes — read the item's tooltip, fetch its menu (com.canonical.dbusmenu), click entries,
// left-click the icon — made with gdbus. The loopback API tells what the agent did, and the
// process table shows the dashboard window's process come and go. Needs xvfb-run (the window),
// dbus-daemon, gdbus, status-notifier-watcher, dunst (a real notification service, read back
// with dunstctl) and python3-xlib (scripts/desktop-deps.sh).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer, connect } from 'node:net';
import { t, literal } from './catalogue.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const host = resolve(process.env.OVERTIME_DESKTOP_BIN ?? '../target/debug/overtime-desktop');
const dashboard = resolve(process.env.OVERTIME_DASHBOARD_BIN ?? join(dirname(host), 'overtime-dashboard'));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const x11 = (...args) => execFileSync('/usr/bin/python3', [join(here, 'x11.py'), ...args], { timeout: 10_000 }).toString().trim();

let dir;
let apiPort;
let bus;
let busAddress;
let watcher;
let notifier;
let proc;
let exited;
let log = '';
let item;
/** The running host's PID: the test's child at first, the process it started after a restart. */
let hostPid;

function freePort() {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => ok(port));
    });
    srv.on('error', fail);
  });
}

async function until(what, probe, timeoutMs = 10_000, everyMs = 100) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      const v = await probe();
      if (v) return v;
    } catch {
      // not yet
    }
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

async function api(method, path, body) {
  const token = readFileSync(join(dir, 'state', 'api-token'), 'utf8').trim();
  const res = await fetch(`http://127.0.0.1:${apiPort}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body && JSON.stringify(body),
    signal: AbortSignal.timeout(3000),
  });
  assert.ok(res.ok, `${method} ${path}: ${res.status}`);
}

/** Summaries of the notifications the desktop's notification service has shown. */
function notifications() {
  const opts = { env: { ...process.env, DBUS_SESSION_BUS_ADDRESS: busAddress }, timeout: 5000 };
  // dunst keeps a notification out of its history while it is on screen.
  execFileSync('dunstctl', ['close-all'], opts);
  const out = execFileSync('dunstctl', ['history'], opts).toString();
  return JSON.parse(out).data.flat().map((n) => n.summary.data);
}

async function status() {
  const token = readFileSync(join(dir, 'state', 'api-token'), 'utf8').trim();
  const res = await fetch(`http://127.0.0.1:${apiPort}/api/v1/status`, {
    headers: { authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(3000),
  });
  return res.json();
}

/** One gdbus call on the test's session bus; returns its GVariant text. */
function gdbus(dest, path, method, ...args) {
  return execFileSync('gdbus', ['call', '--address', busAddress, '--dest', dest, '--object-path', path,
    '--method', method, '--', ...args], { timeout: 5000 }).toString().trim();
}

const property = (dest, path, iface, name) =>
  gdbus(dest, path, 'org.freedesktop.DBus.Properties.Get', iface, name);

/** The menu's entries as `{id, label}`, as a panel would lay them out. */
function menuEntries() {
  const layout = gdbus(item, '/MenuBar', 'com.canonical.dbusmenu.GetLayout', '0', '-1', '@as []');
  return [...layout.matchAll(/\((\d+), \{([^{}]*)\}/g)]
    .map(([, id, props]) => ({ id: Number(id), label: /'label': <'([^']*)'>/.exec(props)?.[1] }))
    .filter((e) => e.label);
}

function click(label) {
  const entry = menuEntries().find((e) => e.label === label);
  assert.ok(entry, `the menu has "${label}" (has: ${menuEntries().map((e) => e.label).join(', ')})`);
  gdbus(item, '/MenuBar', 'com.canonical.dbusmenu.Event', String(entry.id), 'clicked', '<int32 0>', '0');
}

/** PIDs of the dashboard window's process (a child of the host). */
const windowProcesses = () => {
  try {
    return execFileSync('pgrep', ['-P', String(hostPid), '-f', 'overtime-dashboard'], { timeout: 5000 })
      .toString().trim().split('\n').filter(Boolean);
  } catch {
    return [];
  }
};

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'overtime-tray-'));
  apiPort = await freePort();
  writeFileSync(join(dir, 'config.toml'), `[api]\nport = ${apiPort}\n`);
  bus = spawn('dbus-daemon', ['--session', '--nofork', '--print-address=1'], { stdio: ['ignore', 'pipe', 'ignore'] });
  busAddress = await new Promise((ok) => bus.stdout.once('data', (b) => ok(b.toString().trim())));
  const env = { ...process.env, DBUS_SESSION_BUS_ADDRESS: busAddress };
  watcher = spawn('status-notifier-watcher', [], { env, stdio: 'ignore' });
  notifier = spawn('dunst', ['-config', '/dev/null'], { env, stdio: 'ignore' });
  await until('the watcher', () => property('org.kde.StatusNotifierWatcher', '/StatusNotifierWatcher',
    'org.kde.StatusNotifierWatcher', 'ProtocolVersion'));
  proc = spawn(host, [], {
    env: {
      ...env,
      OVERTIME_CONFIG: join(dir, 'config.toml'),
      OVERTIME_DATA_DIR: join(dir, 'data'),
      OVERTIME_STATE_DIR: join(dir, 'state'),
      OVERTIME_DASHBOARD_BIN: dashboard,
      OVERTIME_DEMO: '1',
      LC_ALL: process.env.LC_ALL ?? 'en_US.UTF-8',
      WEBKIT_DISABLE_COMPOSITING_MODE: '1',
      NO_COLOR: '1',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  hostPid = proc.pid;
  proc.stderr.on('data', (b) => (log += b.toString()));
  exited = new Promise((r) => proc.on('exit', (code) => r(code)));
  await until('the API token', () => existsSync(join(dir, 'state', 'api-token')));
  item = await trayItemOf(proc.pid);
  await until('the window', () => x11('count', 'Overtime') === '1', 15_000);
});

/** The tray item the host `pid` registered with the watcher. */
function trayItemOf(pid) {
  return until('the tray item', () => {
    const items = property('org.kde.StatusNotifierWatcher', '/StatusNotifierWatcher',
      'org.kde.StatusNotifierWatcher', 'RegisteredStatusNotifierItems');
    // Ours is the one named after our process (other programs on the bus may add their own).
    return new RegExp(`'(org\\.kde\\.StatusNotifierItem-${pid}-\\d+)`).exec(items)?.[1];
  });
}

/** Whether `pid` still runs (a zombie waiting for whoever adopted it counts as ended). */
const alive = (pid) => {
  try {
    return !/^\d+ \(.*\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

/** Calls one method on the host's socket, as the dashboard window does, and returns the reply. */
function hostCall(method) {
  return new Promise((ok, fail) => {
    const socket = connect(join(dir, 'state', 'run', 'desktop.sock'));
    let buffer = '';
    socket.setTimeout(5000, () => socket.destroy(new Error(`no reply to ${method}`)));
    socket.on('error', fail);
    socket.on('data', (b) => {
      buffer += b.toString();
      for (const line of buffer.split('\n').slice(0, -1)) {
        const message = JSON.parse(line);
        if (message.id === 1) {
          socket.end();
          ok(message);
        }
      }
    });
    socket.write(`${JSON.stringify({ id: 1, method, params: null })}\n`);
  });
}

after(() => {
  proc?.kill();
  if (hostPid && alive(hostPid)) process.kill(hostPid);
  notifier?.kill();
  watcher?.kill();
  bus?.kill();
});

test('the tray item shows the mode, the hottest GPU and that it is a demo', () => {
  const tooltip = property(item, '/StatusNotifierItem', 'org.kde.StatusNotifierItem', 'ToolTip');
  const modes = ['rental', 'volunteer', 'idle'].map((m) => literal(t(`mode.${m}`))).join('|');
  assert.match(tooltip, new RegExp(`Overtime — (${modes})[^']* · \\d+ °C · ${literal(t('tray.demo'))}`));
  const pixmap = property(item, '/StatusNotifierItem', 'org.kde.StatusNotifierItem', 'IconPixmap');
  assert.match(pixmap, /\(64, 64, /, 'a 64 px icon');
  assert.doesNotMatch(log, /no system tray found/);
});

test('closing the window ends its process; Overtime stays in the tray', async () => {
  await until('the window process', () => windowProcesses().length === 1);
  assert.equal(x11('close', 'Overtime'), '1');
  await until('the window to go', () => x11('count', 'Overtime') === '0');
  await until('the window process to end', () => windowProcesses().length === 0, 5000);
  assert.equal(proc.exitCode, null, 'the app keeps running');
  assert.ok((await status()).gpus.length > 0, 'the agent keeps answering');
});

test('"Idle now" in the tray menu reaches the agent within a second', async () => {
  const started = Date.now();
  click(t('tray.entry.idle'));
  const s = await until('the override', async () => {
    const st = await status();
    return st.overrides.length === 1 && st.gpus[0].mode === 'idle' ? st : null;
  }, 1000, 50);
  assert.equal(s.overrides[0].mode, 'idle');
  assert.ok(Date.now() - started <= 1000);
  const line = t('tray.untilResumed', { what: t('tray.paused') });
  await until('the override line in the menu', () => menuEntries().some((e) => e.label === line), 3000);
});

test('"Pause for 1 h" shows its time left; "Auto" clears it', async () => {
  click(t('tray.entry.pauseOneHour'));
  const left = [
    t('tray.hoursMinutes', { hours: '1', minutes: '00' }),
    t('tray.minutes', { minutes: '59' }),
  ].map((l) => t('tray.left', { what: t('tray.paused'), left: l }));
  await until('the time left', () => menuEntries().some((e) => left.includes(e.label)), 3000);
  click(t('tray.entry.auto'));
  await until('no override', async () => (await status()).overrides.length === 0, 1000, 50);
  await until('"Automatic" in the menu', () => menuEntries().some((e) => e.label === t('tray.automatic')), 3000);
});

test('an override that runs out is told as a desktop notification', async () => {
  await api('POST', '/api/v1/override', { mode: 'idle', for_s: 2 });
  await until('the notification', () => notifications().includes(t('notify.overrideExpired.summary')), 8000, 200);
});

test('a left click on the icon opens the dashboard again', async () => {
  gdbus(item, '/StatusNotifierItem', 'org.kde.StatusNotifierItem.Activate', '0', '0');
  await until('the window', () => x11('count', 'Overtime') === '1', 15_000);
  await until('the window process', () => windowProcesses().length === 1);
});

test('"Restart now" stops the agent cleanly and a new Overtime comes up with its window', async () => {
  await api('POST', '/api/v1/override', { mode: 'volunteer', for_s: 3600 });
  const reply = await hostCall('restart_app');
  assert.equal(reply.err, undefined, JSON.stringify(reply));
  const code = await Promise.race([exited, sleep(10_000).then(() => 'timeout')]);
  assert.equal(code, 0, 'the old process ends normally');
  await until('the clean stop in the log', () => /agent stopped cleanly/.test(log), 5000);
  const pid = Number(await until('the new process', () => /Overtime restarted pid=(\d+)/.exec(log)?.[1], 5000));
  assert.notEqual(pid, proc.pid);
  hostPid = pid;
  item = await trayItemOf(pid);
  await until('the new window', () => x11('count', 'Overtime') === '1', 15_000);
  await until('the new window process', () => windowProcesses().length === 1);
  const st = await until('the agent to answer again', () => status(), 10_000);
  assert.equal(st.overrides[0]?.mode, 'volunteer', 'the override survived the restart');
  click(t('tray.entry.auto'));
  await until('no override', async () => (await status()).overrides.length === 0, 2000, 50);
});

test('"Quit" closes the window, stops the agent cleanly and exits', async () => {
  const stopsBefore = log.match(/agent stopped cleanly/g)?.length ?? 0;
  click(t('tray.entry.quit'));
  await until('the process to end', () => !alive(hostPid), 10_000);
  // Its last lines may still be in the pipe when the process is gone.
  await until('the clean stop in the log', () => (log.match(/agent stopped cleanly/g)?.length ?? 0) === stopsBefore + 1, 5000);
  await until('the window to go', () => x11('count', 'Overtime') === '0', 5000);
});
