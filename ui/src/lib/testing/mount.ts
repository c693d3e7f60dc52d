// Mounts a component into the test document and takes it down again after the test, so each
// component test states only what it renders and what it expects.

import { flushSync, mount, unmount, type Component } from 'svelte';

const mounted: { app: Record<string, unknown>; target: HTMLElement }[] = [];

/** Mounts `component` with `props` in a fresh element of the document and returns the element. */
export function show<Props extends Record<string, unknown>>(component: Component<Props>, props: Props): HTMLElement {
  const target = document.createElement('div');
  document.body.append(target);
  const app = mount(component, { target, props });
  flushSync();
  mounted.push({ app, target });
  return target;
}

/** Unmounts and removes everything `show` mounted; call from `afterEach`. */
export function takeDown(): void {
  for (const { app, target } of mounted.splice(0)) {
    unmount(app);
    target.remove();
  }
}
