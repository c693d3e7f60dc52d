// A minimal W3C WebDriver client over fetch, with a timeout on every call: a driver that hangs
// (no display, a wedged web view) fails the test instead of stalling CI.

const CALL_TIMEOUT_MS = 15_000;
const W3C_ELEMENT = 'element-6066-11e4-a52e-4f735466cecf';

export class WebDriver {
  constructor(base) {
    this.base = base;
    this.session = null;
  }

  async call(method, path, body) {
    const res = await fetch(`${this.base}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(CALL_TIMEOUT_MS),
    });
    const json = await res.json().catch(() => ({}));
    if (!res.ok) {
      const v = json.value ?? {};
      throw new Error(`${method} ${path}: ${res.status} ${v.error ?? ''} ${v.message ?? ''}`);
    }
    return json.value;
  }

  s(path) {
    return `/session/${this.session}${path}`;
  }

  async start(application) {
    const value = await this.call('POST', '/session', {
      capabilities: { alwaysMatch: { 'tauri:options': { application } } },
    });
    this.session = value.sessionId;
  }

  async stop() {
    if (this.session) await this.call('DELETE', this.s('')).catch(() => {});
    this.session = null;
  }

  async find(css) {
    const v = await this.call('POST', this.s('/element'), { using: 'css selector', value: css });
    return v[W3C_ELEMENT];
  }

  async findAll(css) {
    const v = await this.call('POST', this.s('/elements'), { using: 'css selector', value: css });
    return v.map((e) => e[W3C_ELEMENT]);
  }

  text(id) {
    return this.call('GET', this.s(`/element/${id}/text`));
  }

  attr(id, name) {
    return this.call('GET', this.s(`/element/${id}/attribute/${name}`));
  }

  prop(id, name) {
    return this.call('GET', this.s(`/element/${id}/property/${name}`));
  }

  setRect(width, height) {
    return this.call('POST', this.s('/window/rect'), { width, height });
  }

  click(id) {
    return this.call('POST', this.s(`/element/${id}/click`), {});
  }

  clear(id) {
    return this.call('POST', this.s(`/element/${id}/clear`), {});
  }

  type(id, text) {
    return this.call('POST', this.s(`/element/${id}/value`), { text });
  }

  execute(script, args = []) {
    return this.call('POST', this.s('/execute/sync'), { script, args });
  }

  async screenshot() {
    return Buffer.from(await this.call('GET', this.s('/screenshot')), 'base64');
  }

  /** Polls `probe` until it returns a truthy value; fails with `what` after `timeoutMs`. */
  async until(what, probe, timeoutMs = 15_000) {
    const end = Date.now() + timeoutMs;
    let last;
    for (;;) {
      try {
        const v = await probe();
        if (v) return v;
      } catch (e) {
        last = e;
      }
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${last.message}` : ''}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}
