// End-to-end through the tray: a real X11 tray (trayer) on the test display shows the icon,
// xdotool opens its menu, and the loopback API tells what the agent did. Needs xvfb-run,
// trayer, xdotool and python3-xlib (scripts/desktop-deps.sh installs them).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer } from 'node:net';

const here = dirname(fileURLToPath(import.meta.url));
const app = resolve(process.env.OVERTIME_DESKTOP_BIN ?? '../target/debug/overtime-desktop');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const x11 = (...args) => execFileSync('/usr/bin/python3', [join(here, 'x11.py'), ...args], { timeout: 10_000 }).toString().trim();
const xdotool = (...args) => execFileSync('xdotool', args, { timeout: 10_000 });

let dir;
let apiPort;
let trayer;
let proc;
let exited;
let log = '';

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

async function status() {
  const token = readFileSync(join(dir, 'state', 'api-token'), 'utf8').trim();
  const res = await fetch(`http://127.0.0.1:${apiPort}/api/v1/status`, {
    headers: { authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(3000),
  });
  return res.json();
}

/** Right-clicks the tray icon and picks a menu entry with the keyboard. */
async function menu(...keys) {
  const [x, y] = x11('icon', 'tray app overtime').split(' ');
  xdotool('mousemove', x, y, 'click', '3');
  await sleep(700);
  xdotool('key', ...keys, 'Return');
}

const webProcesses = () => {
  try {
    return execFileSync('pgrep', ['-P', String(proc.pid), '-f', 'WebKitWebProcess'], { timeout: 5000 })
      .toString().trim().split('\n').filter(Boolean).length;
  } catch {
    return 0;
  }
};

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'overtime-tray-'));
  apiPort = await freePort();
  writeFileSync(join(dir, 'config.toml'), `[api]\nport = ${apiPort}\n`);
  trayer = spawn('trayer', ['--edge', 'top', '--align', 'right', '--widthtype', 'pixel', '--width', '120', '--height', '32'], { stdio: 'ignore' });
  await sleep(800);
  proc = spawn(app, [], {
    env: {
      ...process.env,
      OVERTIME_CONFIG: join(dir, 'config.toml'),
      OVERTIME_DATA_DIR: join(dir, 'data'),
      OVERTIME_STATE_DIR: join(dir, 'state'),
      OVERTIME_DEMO: '1',
      LC_ALL: process.env.LC_ALL ?? 'en_US.UTF-8',
      WEBKIT_DISABLE_COMPOSITING_MODE: '1',
      NO_COLOR: '1',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  proc.stderr.on('data', (b) => (log += b.toString()));
  exited = new Promise((r) => proc.on('exit', (code) => r(code)));
  await until('the API token', () => existsSync(join(dir, 'state', 'api-token')));
  await until('the tray icon', () => x11('icon', 'tray app overtime'));
  await until('the window', () => x11('count', 'Overtime') === '1');
});

after(() => {
  proc?.kill();
  trayer?.kill();
});

test('closing the window keeps Overtime in the tray and gives the web view back', async () => {
  await until('the web process', () => webProcesses() > 0);
  assert.equal(x11('close', 'Overtime'), '1');
  await until('the window to go', () => x11('count', 'Overtime') === '0');
  await until('the web process to end', () => webProcesses() === 0);
  assert.equal(proc.exitCode, null, 'the app keeps running');
  assert.ok((await status()).gpus.length > 0, 'the agent keeps answering');
  assert.doesNotMatch(log, /no system tray found/);
});

test('"Idle now" in the tray menu reaches the agent within a second', async () => {
  await menu('Down', 'Down', 'Down', 'Down');
  const started = Date.now();
  const s = await until('the override', async () => {
    const st = await status();
    return st.overrides.length === 1 && st.gpus[0].mode === 'idle' ? st : null;
  }, 1000, 50);
  assert.equal(s.overrides[0].mode, 'idle');
  assert.ok(Date.now() - started <= 1000);
});

test('"Open dashboard" builds a fresh window', async () => {
  await menu('Up', 'Up');
  await until('the window', () => x11('count', 'Overtime') === '1');
  await until('the web process', () => webProcesses() > 0);
});

test('"Quit" stops the agent cleanly and exits', async () => {
  await menu('Up');
  const code = await Promise.race([exited, sleep(10_000).then(() => 'timeout')]);
  assert.equal(code, 0);
  assert.match(log, /agent stopped cleanly/);
});
