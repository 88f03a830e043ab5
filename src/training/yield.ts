/**
 * Resolves on a new macrotask, so that timers, input events and messages queued meanwhile run first (and a page gets
 * the chance to repaint between tasks).
 *
 * A `MessageChannel` message where one exists (browsers, web and Node workers, Node >= 15, Deno, Bun), otherwise
 * `setTimeout(0)`. Not `requestAnimationFrame` (what `tf.nextFrame()` uses in a browser): a hidden tab never fires
 * animation frames, so a run that waits on one stalls as soon as the user switches tabs. Nor `setTimeout` first:
 * browsers clamp chained timers to 4 ms, and to 1 s or more in a hidden tab. Message events are neither throttled
 * nor clamped.
 *
 * @returns a promise that resolves once the event loop has run the tasks already queued
 *
 * @example
 * ```ts
 * import { nextMacrotask } from './yield'; // internal: not exported by the package
 *
 * for (let chunk = 0; chunk < 10; chunk++) {
 *   tf.dispose(tf.tidy(() => tf.matMul(tf.randomNormal([256, 256]), tf.randomNormal([256, 256]))));
 *   await nextMacrotask(); // lets a click handler or an abort run between chunks
 * }
 * ```
 * @internal
 */
export function nextMacrotask(): Promise<void> {
  return new Promise<void>((resolve) => {
    const Channel = globalThis.MessageChannel as typeof MessageChannel | undefined;
    if (typeof Channel !== 'function') {
      setTimeout(resolve, 0);
      return;
    }
    // One channel per yield, closed as soon as it has delivered: an open port keeps a Node process alive, and a
    // shared port would need `unref`, which would let Node exit while a run awaits its message.
    const channel = new Channel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      channel.port2.close();
      resolve();
    };
    channel.port2.postMessage(undefined);
  });
}
