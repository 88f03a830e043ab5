import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Trainer, type Trainable } from '../../src/training';
import { nextMacrotask } from '../../src/training/yield';

/** Wraps the real MessageChannel, counting channels made and ports closed. */
function countingChannel(): { Channel: typeof MessageChannel; made: () => number; closed: () => number } {
  const Real = globalThis.MessageChannel;
  let made = 0;
  let closed = 0;
  class Channel extends Real {
    constructor() {
      super();
      made++;
      for (const port of [this.port1, this.port2]) {
        const close = port.close.bind(port);
        port.close = () => {
          closed++;
          close();
        };
      }
    }
  }
  return { Channel, made: () => made, closed: () => closed };
}

function block(ms: number): void {
  const end = tf.util.now() + ms;
  while (tf.util.now() < end);
}

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

describe('nextMacrotask', () => {
  it('runs after a timer that is already due, which no microtask does', async () => {
    let fired = false;
    setTimeout(() => (fired = true), 0);
    block(3);
    await Promise.resolve();
    expect(fired).toBe(false);
    await nextMacrotask();
    expect(fired).toBe(true);
  });

  it('posts on a MessageChannel and closes both of its ports', async () => {
    const counting = countingChannel();
    vi.stubGlobal('MessageChannel', counting.Channel);
    const timeout = vi.spyOn(globalThis, 'setTimeout');
    await nextMacrotask();
    await nextMacrotask();
    expect(counting.made()).toBe(2);
    expect(counting.closed()).toBe(4);
    expect(timeout).not.toHaveBeenCalled();
  });

  it('falls back to setTimeout(0) where there is no MessageChannel', async () => {
    vi.stubGlobal('MessageChannel', undefined);
    const timeout = vi.spyOn(globalThis, 'setTimeout');
    await nextMacrotask();
    expect(timeout).toHaveBeenCalledTimes(1);
    expect(timeout.mock.calls[0]?.[1]).toBe(0);
  });
});

describe('Trainer yields', () => {
  const busy: Trainable<number> = {
    trainStep(b) {
      block(1);
      return { loss: b };
    },
  };
  const batches = Array.from({ length: 20 }, (_, i) => i);

  it('never waits on an animation frame, so a hidden tab (which fires none) keeps training', async () => {
    // A hidden tab: requestAnimationFrame callbacks never run.
    const frame = vi.fn((_callback: FrameRequestCallback) => 0);
    vi.stubGlobal('requestAnimationFrame', frame);
    const counting = countingChannel();
    vi.stubGlobal('MessageChannel', counting.Channel);
    const history = await new Trainer(busy).fit(batches, { yieldEvery: 0 });
    expect(history.steps).toHaveLength(20);
    expect(frame).not.toHaveBeenCalled();
    expect(counting.made()).toBe(20); // one macrotask per step at yieldEvery: 0
  });

  it("yields at the cadence asked, and not at all with 'never'", async () => {
    const counting = countingChannel();
    vi.stubGlobal('MessageChannel', counting.Channel);
    await new Trainer(busy).fit(batches, { yieldEvery: 'never' });
    expect(counting.made()).toBe(0);
    await new Trainer(busy, { yieldEvery: 5 }).fit(batches);
    // 20 steps of at least 1 ms: a yield at least every 5 steps, and never more than one per step.
    expect(counting.made()).toBeGreaterThanOrEqual(3);
    expect(counting.made()).toBeLessThanOrEqual(20);
  });
});
