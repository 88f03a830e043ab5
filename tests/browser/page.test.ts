/**
 * End-to-end: builds examples/browser with Vite (the production build, not the dev server), serves it with `vite
 * preview` on 127.0.0.1, and drives it in the system Chromium through playwright-core. WebGL 2 comes from SwiftShader
 * (software), so step counts stay small.
 *
 * Without /usr/bin/chromium the suite is skipped, with the reason in the test name; with CI_REQUIRE_BROWSER=1 (set by
 * .ci/run) a missing browser fails instead.
 *
 * The page saves its run to IndexedDB on pause (and every `?saveEvery=` steps) and restores it when it loads, so the
 * tests that start a fresh run press "Forget saved run" first.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { build, preview, type PreviewServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ParityReport } from '../helpers/parity';

const CHROMIUM = '/usr/bin/chromium';
const CONFIG = 'examples/browser/vite.config.ts';
const OUT = 'out/browser';
// The flags that give WebGL 2 through SwiftShader here; the rest keep Chromium off the network.
const ARGS = [
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const GAN_STEPS = 12; // webgl on SwiftShader trains the article GAN at ~2 steps/s on this 2-core machine
const PAUSE_RUN_STEPS = 10_000; // never reached: the run is paused after its first redraw
const CLICK_BOUND_MS = 1000;
const PARITY_TOLERANCE = 1e-5;
const NEVER = 1_000_000; // a ?steps= or ?saveEvery= that a test never reaches
const HIDDEN_STEPS = 12; // steps timed while visible, then while hidden

const available = existsSync(CHROMIUM);
const required = process.env['CI_REQUIRE_BROWSER'] === '1';

if (!available) {
  describe('browser end-to-end', () => {
    if (required) {
      it('has Chromium', () => {
        throw new Error(`CI_REQUIRE_BROWSER=1 but ${CHROMIUM} is missing: apt-get install -y chromium`);
      });
    } else {
      it.skip(`skipped: ${CHROMIUM} not found (apt-get install -y chromium; CI_REQUIRE_BROWSER=1 fails instead)`);
    }
  });
} else {
  describe('live training page in Chromium (vite build + vite preview)', { timeout: 180_000 }, () => {
    let server: PreviewServer;
    let context: BrowserContext;
    let page: Page;
    let url: string;
    let profile: string;
    const errors: string[] = [];

    beforeAll(async () => {
      await build({ configFile: CONFIG, logLevel: 'silent' });
      server = await preview({ configFile: CONFIG, logLevel: 'silent', preview: { port: 0, strictPort: false } });
      url = server.resolvedUrls?.local[0] ?? '';
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      profile = mkdtempSync(join(tmpdir(), 'tfjs-generative-chromium-'));
      context = await chromium.launchPersistentContext(profile, {
        executablePath: CHROMIUM,
        headless: true, // new headless
        chromiumSandbox: false, // --no-sandbox: CI runs as root
        args: ARGS,
        timeout: 30_000,
      });
      context.on('weberror', (e) => errors.push(`pageerror: ${e.error().message}`));
      context.on('console', (m) => {
        if (m.type() === 'error') errors.push(`console.error: ${m.text()}`);
      });
      page = context.pages()[0] ?? (await context.newPage());
      mkdirSync(OUT, { recursive: true });
    }, 120_000);

    afterAll(async () => {
      await context?.close();
      await server?.close();
      if (profile !== undefined) rmSync(profile, { recursive: true, force: true });
    });

    const hooks = () => page.evaluate(() => ({ ...window.__tfjsGenerative, capabilities: null }));
    const waitFor = (predicate: string, timeout = 120_000) => page.waitForFunction(predicate, null, { timeout, polling: 100 });
    const ready = (backend: string) =>
      waitFor(`window.__tfjsGenerative?.error != null || (window.__tfjsGenerative?.ready && window.__tfjsGenerative.backend === '${backend}')`);
    /** The red channel of a canvas: enough to tell blank from drawn, and one drawing from the next. */
    const pixels = (id: string) =>
      page.evaluate((canvasId) => {
        const canvas = document.getElementById(canvasId) as HTMLCanvasElement;
        const rgba = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
        return Array.from(rgba.filter((_, i) => i % 4 === 0));
      }, id);
    /** Presses "Forget saved run" when there is one, so that the next Start begins at step 0. */
    const forgetSaved = async () => {
      if (await page.isDisabled('#forget')) return;
      await page.click('#forget');
      await waitFor(`window.__tfjsGenerative.saved === null && window.__tfjsGenerative.state === 'idle'`);
    };
    const std = (v: number[]) => {
      const mean = v.reduce((a, b) => a + b, 0) / v.length;
      return Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
    };

    it('trains the article GAN on WebGL 2: finite losses, a drawn grid that changes, clicks answered', async () => {
      // A run long enough that it is still training whenever the click comes, however slow the machine is.
      await page.goto(`${url}?backend=webgl&steps=${PAUSE_RUN_STEPS}&drawEvery=4`);
      await ready('webgl');
      const initial = await hooks();
      expect(initial).toMatchObject({ error: null, backend: 'webgl', webglVersion: 2, textureFloat: 'float32' });
      expect(initial.crossOriginIsolated).toBe(true);

      await page.click('#start');
      await waitFor('window.__tfjsGenerative.redraws >= 1');
      // A click while training: the page must run its handler promptly, and the Trainer must stop at the next step.
      expect((await hooks()).state).toBe('training');
      const clicked = Date.now();
      await page.click('#pause', { timeout: CLICK_BOUND_MS * 5 });
      await waitFor(`window.__tfjsGenerative.state === 'paused'`, CLICK_BOUND_MS * 5);
      const roundTrip = Date.now() - clicked;
      const latency = (await hooks()).clickLatencies.at(-1) ?? Infinity;
      expect(latency).toBeLessThan(CLICK_BOUND_MS);
      const pausedAt = (await hooks()).steps;
      await page.waitForTimeout(600);
      expect((await hooks()).steps).toBeLessThanOrEqual(pausedAt + 1); // at most the step already under way
      // The pause is saved once it holds: before the next step, at the step the counter shows.
      await waitFor('window.__tfjsGenerative.saved?.step === window.__tfjsGenerative.steps', CLICK_BOUND_MS * 5);
      const savedAt = (await hooks()).steps;

      // A complete short run from a fresh page.
      await page.goto(`${url}?backend=webgl&steps=${GAN_STEPS}&drawEvery=4`);
      await ready('webgl');
      expect((await hooks()).restored?.step).toBe(savedAt); // the paused run was saved, and came back
      await forgetSaved();
      expect((await hooks()).steps).toBe(0);
      await page.click('#start');
      await waitFor('window.__tfjsGenerative.redraws >= 2'); // after steps 1 and 4 (drawEvery=4)
      const early = await pixels('samples');
      const tensorsEarly = (await hooks()).numTensors; // counted after each redraw
      expect(std(early)).toBeGreaterThan(10); // digits-to-be on a grey grid, not a flat canvas
      await waitFor(`window.__tfjsGenerative.state === 'done'`);
      const done = await hooks();
      expect(done.error).toBeNull();
      expect(done.steps).toBe(GAN_STEPS);
      expect(done.losses).toHaveLength(GAN_STEPS);
      for (const logs of done.losses) {
        expect(Number.isFinite(logs['discriminatorLoss']) && Number.isFinite(logs['generatorLoss'])).toBe(true);
      }
      expect(done.numTensors).toBe(tensorsEarly); // no leak over the run
      const late = await pixels('samples');
      const change = late.reduce((a, v, i) => a + Math.abs(v - early[i]!), 0) / late.length;
      expect(change).toBeGreaterThan(0.5);
      await page.screenshot({ path: `${OUT}/page-webgl.png` });
      writeFileSync(
        `${OUT}/webgl-run.json`,
        JSON.stringify({ stepsPerSecond: done.stepsPerSecond, clickLatencyMs: latency, pauseRoundTripMs: roundTrip, change }, null, 2),
      );
    });

    it('agrees with cpu within 1e-5 per step for 5 steps on webgl (GAN and VAE), and drifts with tfjs’s own ε', async () => {
      const { reports, control } = await page.evaluate(() => window.__runParity({ steps: 5, control: true }));
      writeFileSync(`${OUT}/parity-cpu-webgl.json`, JSON.stringify({ reports, control }, null, 2));
      const check = (report: ParityReport) => {
        expect(report.steps).toHaveLength(5);
        for (const step of report.steps) {
          expect(step.logs, `${report.model} step ${step.step}: ${step.worstLog}`).toBeLessThanOrEqual(PARITY_TOLERANCE);
          expect(step.weights, `${report.model} step ${step.step}: ${step.worstWeight}`).toBeLessThanOrEqual(PARITY_TOLERANCE);
        }
      };
      expect(reports.map((r) => r.model)).toEqual(['gan', 'vae']);
      reports.forEach(check);
      // Without an explicit ε, webgl's Adam uses 1e-4 and cpu's 1e-7: the harness must see that.
      expect(control!.maxWeights).toBeGreaterThan(1e-4);
      await ready('webgl'); // the hook switches back to the page's backend
    });

    it('trains on wasm, multi-threaded, in the built page (the minified-worker trap)', async () => {
      await page.selectOption('#backend', 'wasm');
      await ready('wasm');
      await forgetSaved(); // the webgl run, saved when done, carries over to wasm
      const state = await hooks();
      expect(state.error).toBeNull();
      expect(state.wasmThreads).toBeGreaterThanOrEqual(1);
      expect(state.capabilities).toBeNull(); // stripped by hooks(); the page shows them in #backend-info
      expect(await page.textContent('#backend-info')).toContain('cross-origin isolated');
      await page.click('#start');
      await waitFor(`window.__tfjsGenerative.state === 'done'`);
      const done = await hooks();
      expect(done.steps).toBe(GAN_STEPS);
      expect(done.losses.every((l) => Number.isFinite(l['generatorLoss']))).toBe(true);
      writeFileSync(`${OUT}/wasm-run.json`, JSON.stringify({ stepsPerSecond: done.stepsPerSecond }, null, 2));
    });

    it('trains the VAE tab and draws reconstructions and an interpolation', async () => {
      await page.click('#tab-vae');
      await waitFor(`window.__tfjsGenerative.model === 'vae' && window.__tfjsGenerative.state === 'idle'`);
      await page.click('#start');
      await waitFor(`window.__tfjsGenerative.state === 'done'`);
      const done = await hooks();
      expect(done.error).toBeNull();
      expect(done.losses.every((l) => Number.isFinite(l['loss']) && Number.isFinite(l['kl']))).toBe(true);
      expect(std(await pixels('reconstructions'))).toBeGreaterThan(10);
      expect(std(await pixels('interpolation'))).toBeGreaterThan(5);
      await page.screenshot({ path: `${OUT}/page-vae.png`, fullPage: true });
    });

    it('runs the library unchanged in a Web Worker, on webgl through an OffscreenCanvas', async () => {
      const reply = await page.evaluate(() => window.__runInWorker({ backend: 'webgl', steps: 3 }));
      expect(reply.error).toBeUndefined();
      expect(reply).toMatchObject({ backend: 'webgl', hasDocument: false });
      expect(reply.losses).toHaveLength(3);
      expect(reply.losses.every((l) => Number.isFinite(l.discriminatorLoss) && Number.isFinite(l.generatorLoss))).toBe(true);
    });

    it('saves the run to IndexedDB and carries it on after a reload: same step, same weights, same losses', async () => {
      // No periodic saves: the saved run is the one the pause wrote, however far training goes on after it.
      await page.goto(`${url}?backend=wasm&steps=${NEVER}&drawEvery=5&saveEvery=${NEVER}`);
      await ready('wasm');
      await forgetSaved();
      await page.click('#start');
      await waitFor('window.__tfjsGenerative.steps >= 3');
      await page.click('#pause');
      await waitFor(`window.__tfjsGenerative.state === 'paused' && window.__tfjsGenerative.saved?.step === window.__tfjsGenerative.steps`);
      const paused = await hooks();
      const at = paused.steps;
      await page.click('#start'); // Resume: the reference steps after the save, then a reload mid-training
      await waitFor(`window.__tfjsGenerative.steps >= ${at + 3}`);
      const reference = await hooks();
      expect(reference.state).toBe('training');
      expect(reference.saved).toEqual(paused.saved);

      await page.reload();
      await ready('wasm'); // the saved run is restored before the page reports ready
      const restored = await hooks();
      expect(restored.error).toBeNull();
      // The checksum is of the state read back from the restored model, against the one the old page saved.
      expect(restored.restored).toEqual(paused.saved);
      expect(restored.saved).toEqual(paused.saved);
      expect(restored.steps).toBe(at);
      expect(await page.textContent('#progress')).toBe(`step ${at}`);
      expect(await page.textContent('#start')).toBe('Resume');

      await page.click('#start');
      await waitFor(`window.__tfjsGenerative.steps >= ${at + 3}`);
      const resumed = await hooks();
      expect(resumed.lossesFrom).toBe(at);
      // Steps at, at + 1, at + 2 again, from the restored weights, optimizer and noise: the same numbers.
      expect(resumed.losses.slice(0, 3)).toEqual(reference.losses.slice(at, at + 3));
      await forgetSaved();
      expect((await hooks()).steps).toBe(0);
    });

    it('resumes a run in a Web Worker from IndexedDB, bit for bit (2 steps, then 2 more, equal 4)', async () => {
      const checkpoint = 'indexeddb://tfjs-generative-page/worker-test';
      const run = (steps: number, c?: string) =>
        page.evaluate(([n, url]) => window.__runInWorker({ backend: 'cpu', steps: n, saveEvery: 1, ...(url && { checkpoint: url }) }), [steps, c] as const);
      const first = await run(2, checkpoint);
      expect(first.error).toBeUndefined();
      expect(first).toMatchObject({ resumedFrom: null, step: 2, saves: 2 });
      const rest = await run(4, checkpoint);
      expect(rest).toMatchObject({ resumedFrom: 2, step: 4, saves: 2 });
      const straight = await run(4);
      expect(straight).toMatchObject({ resumedFrom: null, step: 4, saves: 0 });
      expect(rest.losses).toEqual(straight.losses.slice(2));
      expect(rest.checksum).toBe(straight.checksum); // every weight and optimizer slot
    });

    it('keeps training while the page is hidden behind another tab', async () => {
      // Playwright keeps every page it drives "visible" (it emulates focus, which Chromium treats as a capture), so
      // this test launches its own Chromium, without Playwright's background-throttling switches, and attaches with
      // noDefaults: there a second tab hides the first, and the hidden tab's timers are throttled as for a user.
      const dir = mkdtempSync(join(tmpdir(), 'tfjs-generative-hidden-'));
      const chrome = spawn(
        CHROMIUM,
        ['--headless', '--no-sandbox', '--remote-debugging-port=0', `--user-data-dir=${dir}`, ...ARGS, 'about:blank'],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
      let browser: Browser | undefined;
      try {
        browser = await chromium.connectOverCDP(await devtoolsEndpoint(chrome, 30_000), { noDefaults: true, timeout: 30_000 });
        const context = browser.contexts()[0]!;
        const trainer = context.pages()[0] ?? (await context.newPage());
        trainer.on('pageerror', (e) => errors.push(`pageerror (hidden test): ${e.message}`));
        const state = () => trainer.evaluate(() => ({ steps: window.__tfjsGenerative.steps, visibility: document.visibilityState }));
        const wait = (predicate: string) => trainer.waitForFunction(predicate, null, { timeout: 30_000, polling: 100 });
        /** Times the next `n` steps (bounded), and reads the page's visibility once they are done. */
        const rate = async (n: number) => {
          const [a, t0] = [await state(), performance.now()];
          await wait(`window.__tfjsGenerative.steps >= ${a.steps + n}`);
          const [b, t1] = [await state(), performance.now()];
          return { steps: b.steps - a.steps, perSecond: ((b.steps - a.steps) * 1000) / (t1 - t0), visibility: b.visibility };
        };

        await trainer.goto(`${url}?backend=wasm&steps=${NEVER}&drawEvery=10&saveEvery=${NEVER}`);
        await wait(`window.__tfjsGenerative?.ready && window.__tfjsGenerative.backend === 'wasm'`);
        await trainer.click('#start');
        await wait('window.__tfjsGenerative.steps >= 5');
        const visible = await rate(HIDDEN_STEPS);
        expect(visible.visibility).toBe('visible');

        const front = await context.newPage(); // a new tab in the same window, in front
        await wait(`document.visibilityState === 'hidden'`);
        const hidden = await rate(HIDDEN_STEPS); // a page that stopped while hidden would time out here
        expect(hidden.visibility).toBe('hidden');
        await front.close();
        await wait(`document.visibilityState === 'visible'`);

        writeFileSync(`${OUT}/hidden-run.json`, JSON.stringify({ visible, hidden }, null, 2));
        // With animation-frame yields a hidden page stops dead; with macrotask yields it keeps its pace.
        expect(hidden.perSecond).toBeGreaterThan(0.2 * visible.perSecond);
        expect(await trainer.evaluate(() => window.__tfjsGenerative.error)).toBeNull();
      } finally {
        // Closing a CDP connection only disconnects: ask Chromium itself to quit, so that it is done with its profile.
        await browser
          ?.newBrowserCDPSession()
          .then((session) => session.send('Browser.close'))
          .catch(() => {});
        await stopProcess(chrome);
        rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
      }
    });

    it('logged no console errors and no uncaught exceptions', () => {
      expect(errors).toEqual([]);
    });
  });
}

/** The browser-level DevTools URL that Chromium prints on stderr once `--remote-debugging-port` is listening. */
function devtoolsEndpoint(chrome: ChildProcess, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`Chromium printed no DevTools URL in ${timeoutMs} ms:\n${text}`)), timeoutMs);
    chrome.stderr!.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const match = /DevTools listening on (ws:\/\/\S+)/.exec(text);
      if (match !== null) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    chrome.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`Chromium exited with code ${code} before listening:\n${text}`));
    });
  });
}

/** Waits a few seconds for a process this test started to exit, then ends it, and waits until it has exited. */
async function stopProcess(child: ChildProcess): Promise<void> {
  const running = () => child.exitCode === null && child.signalCode === null;
  if (!running()) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const timer = setTimeout(() => child.kill(), 5_000);
  await exited;
  clearTimeout(timer);
}
