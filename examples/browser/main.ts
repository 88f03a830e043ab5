/**
 * The live training page: trains a GAN (the article's networks by default) or a VAE on MNIST digits on the chosen
 * backend, on the main thread. The Trainer yields to the event loop as it goes (and every webgl step awaits its
 * read-back), so clicks are answered and the canvases repaint while it trains.
 *
 * The run is saved in IndexedDB (one slot per tab) every `saveEvery` steps, when a pause takes hold and when it is
 * done. Loading the page, or switching the tab or the backend, restores the tab's saved run, ready to resume at the
 * same step with the same weights; Reset starts a fresh run (which saves over the old one in time), and "Forget
 * saved run" deletes the saved one and starts over.
 *
 * URL parameters, for tests and experiments: `?backend=wasm`, `?model=vae`, `?recipe=recommended`, `?steps=200`
 * (stop after that many steps), `?drawEvery=10` (redraw the samples every that many steps), `?saveEvery=50` (steps
 * between saves). Switching the tab or the backend writes them into the address, so a reload comes back to the same.
 */
import * as tf from '@tensorflow/tfjs-core';
import { probeBackend, type MlpGanRecipeName, type StepLogs, type TrainerPosition } from 'tfjs-generative';
import { PAGE_BACKENDS, keepWebglReadsPromptWhenHidden, useBackend, wasmThreads, type PageBackend } from './backends';
import { LossChart, type Series } from './chart';
import { digitTensor, fetchDigits, type Digits } from './digits';
import { installHooks, pageState, refreshTfState } from './hooks';
import {
  forgetRun,
  loadRun,
  sameSettings,
  saveRun,
  savedRunUrl,
  stateChecksum,
  type RunSettings,
  type StatefulModel,
} from './saved-run';
import { TrainingSession, type ModelKind, type SessionState } from './session';
import { drawGanSamples, drawVae } from './views';

const params = new URLSearchParams(location.search);
const positive = (v: string | null): number | undefined => (v !== null && Number(v) >= 1 ? Math.floor(Number(v)) : undefined);
const MAX_STEPS = positive(params.get('steps')) ?? 1_000_000;
const DRAW_EVERY = positive(params.get('drawEvery')) ?? 10;
const SAVE_EVERY = positive(params.get('saveEvery')) ?? 50;
const BATCH_SIZE = 64;
const SEED = 1;
const TRAIN_DIGITS = 9_000; // the rest are held out for the VAE's reconstructions

const element = <T extends HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (el === null) throw new Error(`#${id} is missing from index.html`);
  return el as T;
};
const ui = {
  status: element<HTMLParagraphElement>('status'),
  tabs: { gan: element<HTMLButtonElement>('tab-gan'), vae: element<HTMLButtonElement>('tab-vae') },
  backend: element<HTMLSelectElement>('backend'),
  recipe: element<HTMLSelectElement>('recipe'),
  recipeLabel: element<HTMLLabelElement>('recipe-label'),
  start: element<HTMLButtonElement>('start'),
  pause: element<HTMLButtonElement>('pause'),
  reset: element<HTMLButtonElement>('reset'),
  forget: element<HTMLButtonElement>('forget'),
  progress: element<HTMLSpanElement>('progress'),
  saved: element<HTMLSpanElement>('saved'),
  speed: element<HTMLSpanElement>('speed'),
  backendInfo: element<HTMLParagraphElement>('backend-info'),
  samples: element<HTMLCanvasElement>('samples'),
  chart: element<HTMLCanvasElement>('chart'),
  vaePanel: element<HTMLDivElement>('vae-panel'),
  reconstructions: element<HTMLCanvasElement>('reconstructions'),
  interpolation: element<HTMLCanvasElement>('interpolation'),
};

const SERIES: Record<ModelKind, Series[]> = {
  gan: [
    { key: 'discriminatorLoss', label: 'D loss', color: '#d62728' },
    { key: 'generatorLoss', label: 'G loss', color: '#1f77b4' },
  ],
  vae: [
    { key: 'loss', label: '−ELBO', color: '#2ca02c' },
    { key: 'kl', label: 'KL', color: '#9467bd' },
  ],
};

let digits: Digits | undefined;
let kind: ModelKind = params.get('model') === 'vae' ? 'vae' : 'gan';
let backend: PageBackend = PAGE_BACKENDS.find((b) => b === params.get('backend')) ?? 'webgl';
let session: TrainingSession | undefined;
let chart = new LossChart(ui.chart, SERIES[kind]);
let restoredFrom: TrainerPosition | undefined; // the saved run's position, until the restored session starts
const data = new Map<string, tf.Tensor2D>(); // training and display digits on the current backend
const stepTimes: number[] = [];

function digitsFor(name: 'gan' | 'vae' | 'fixed'): tf.Tensor2D {
  let t = data.get(name);
  if (t === undefined) {
    if (digits === undefined) throw new Error('the digits are not loaded yet');
    t =
      name === 'fixed'
        ? digitTensor(digits, [0, 1], TRAIN_DIGITS, TRAIN_DIGITS + 8)
        : digitTensor(digits, name === 'gan' ? [-1, 1] : [0, 1], 0, TRAIN_DIGITS);
    data.set(name, t);
  }
  return t;
}

const STATUS: Partial<Record<SessionState, () => string>> = {
  idle: () =>
    restoredFrom === undefined
      ? 'Ready: press Start.'
      : `Restored the run saved at step ${restoredFrom.step}: press Resume to carry on, or Forget saved run to start over.`,
  training: () => 'Training…',
  paused: () => 'Paused: press Resume.',
  done: () => `Done after ${pageState.steps} steps (the ?steps= limit): press Reset to start over.`,
  stopped: () => 'Stopped.',
};

function setState(state: SessionState): void {
  pageState.state = state;
  const status = STATUS[state];
  if (status !== undefined && pageState.ready && pageState.error === null) ui.status.textContent = status();
  const running = state === 'training';
  ui.start.textContent = state === 'paused' || restoredFrom !== undefined ? 'Resume' : 'Start';
  ui.start.disabled = running || state === 'done' || !pageState.ready;
  ui.pause.disabled = !running;
  ui.reset.disabled = !pageState.ready;
  ui.forget.disabled = !pageState.ready || pageState.saved === null;
  ui.backend.disabled = running;
  ui.recipe.disabled = session !== undefined;
}

async function redraw(): Promise<void> {
  if (session === undefined) return;
  const model = session.model;
  if (kind === 'gan' && 'generator' in model) await drawGanSamples(model, ui.samples);
  if (kind === 'vae' && 'encoder' in model) await drawVae(model, digitsFor('fixed'), ui);
  pageState.redraws++;
  refreshTfState();
}

function showSaved(): void {
  ui.saved.textContent = pageState.saved === null ? 'not saved' : `saved at step ${pageState.saved.step}`;
}

/** This run's settings: what a saved run must match to be restored. */
function settings(): RunSettings {
  return { kind, recipe: kind === 'gan' ? ui.recipe.value : 'default', seed: SEED, batchSize: BATCH_SIZE };
}

async function onStep(step: number, logs: StepLogs): Promise<void> {
  pageState.steps = step + 1;
  pageState.losses.push(logs);
  chart.push(logs);
  stepTimes.push(performance.now());
  if (stepTimes.length > 20) stepTimes.shift();
  const first = stepTimes[0]!;
  const last = stepTimes[stepTimes.length - 1]!;
  if (stepTimes.length > 1) pageState.stepsPerSecond = ((stepTimes.length - 1) * 1000) / (last - first);
  ui.progress.textContent = `step ${step + 1}`;
  ui.speed.textContent = `${pageState.stepsPerSecond.toFixed(1)} steps/s`;
  if ((step + 1) % DRAW_EVERY === 0 || step === 0) {
    chart.draw();
    await redraw();
  }
}

function createSession(resumeFrom?: TrainerPosition): TrainingSession {
  const run = settings();
  const url = savedRunUrl(run.kind);
  const created: TrainingSession = new TrainingSession({
    kind: run.kind,
    recipe: ui.recipe.value as MlpGanRecipeName,
    seed: run.seed,
    batchSize: run.batchSize,
    maxSteps: MAX_STEPS,
    data: digitsFor(run.kind),
    onStep,
    onEnd: (state, error) => {
      if (error !== undefined) fail(error);
      chart.draw();
      setState(state);
      void redraw();
    },
    ...(resumeFrom !== undefined && { resumeFrom }),
    saveEvery: SAVE_EVERY,
    async save(position) {
      const model = await created.model.getState();
      try {
        await saveRun(url, { model, trainer: position, settings: run });
      } catch (e) {
        // No IndexedDB (some private modes) or no quota left: training goes on, unsaved.
        ui.saved.textContent = `not saved: ${e instanceof Error ? e.message : String(e)}`;
        return;
      }
      pageState.saved = { step: position.step, checksum: stateChecksum(model) };
      pageState.saves++;
      showSaved();
      ui.forget.disabled = false;
    },
  });
  return created;
}

function start(): void {
  session ??= createSession();
  restoredFrom = undefined;
  stepTimes.length = 0;
  session.start();
  setState(session.state);
}

/**
 * Restores the run saved for this tab, if any and if it fits (same networks, seed and batch size): a session built
 * from its state, not yet started, and the step counter where it was. Returns whether it restored one.
 */
async function restoreSaved(): Promise<boolean> {
  const saved = await loadRun(savedRunUrl(kind)).catch(() => undefined); // no IndexedDB: nothing saved
  pageState.saved = null;
  if (saved !== undefined) {
    // The GAN's networks are a setting of the page: take the saved run's, so that it fits.
    if (kind === 'gan' && Array.from(ui.recipe.options).some((o) => o.value === saved.settings.recipe)) {
      ui.recipe.value = saved.settings.recipe;
    }
    pageState.saved = { step: saved.trainer.step, checksum: stateChecksum(saved.model) };
  }
  showSaved();
  if (saved === undefined || !sameSettings(saved.settings, settings())) return false;
  const restored = createSession(saved.trainer);
  const model: StatefulModel = restored.model; // a GAN takes a GANState, a VAE a VAEState: the settings matched
  model.setState(saved.model);
  session = restored;
  restoredFrom = saved.trainer;
  // Read back from the model, not the stored copy: this is what training will carry on from.
  pageState.restored = { step: saved.trainer.step, checksum: stateChecksum(await restored.model.getState()) };
  pageState.steps = saved.trainer.step;
  pageState.lossesFrom = saved.trainer.step;
  chart = new LossChart(ui.chart, SERIES[kind], undefined, saved.trainer.step);
  ui.progress.textContent = `step ${saved.trainer.step}`;
  await redraw();
  return true;
}

/** Deletes this tab's saved run and starts over. */
async function forget(): Promise<void> {
  await reset(); // stops the run first, so that it cannot save again
  await forgetRun(savedRunUrl(kind));
  pageState.saved = null;
  showSaved();
  setState('idle');
}

/** Stops and disposes the run, and clears the chart. */
async function reset(): Promise<void> {
  const old = session;
  session = undefined;
  if (old !== undefined) await old.dispose();
  restoredFrom = undefined;
  pageState.restored = null;
  pageState.steps = 0;
  pageState.lossesFrom = 0;
  pageState.losses = [];
  pageState.stepsPerSecond = 0;
  chart = new LossChart(ui.chart, SERIES[kind]);
  chart.draw();
  ui.progress.textContent = 'step 0';
  ui.speed.textContent = '– steps/s';
  refreshTfState();
  setState('idle');
}

async function switchBackend(name: PageBackend): Promise<void> {
  await reset();
  pageState.ready = false;
  setState('idle');
  data.forEach((t) => t.dispose());
  data.clear();
  ui.status.textContent = `Starting the ${name} backend…`;
  await useBackend(name);
  backend = name;
  ui.backend.value = name;
  setUrlParam('backend', name);
  const caps = probeBackend({ secondDerivatives: false });
  Object.assign(pageState, {
    backend: caps.backend,
    webglVersion: caps.webglVersion,
    textureFloat: caps.textureFloat,
    capabilities: caps,
    wasmThreads: name === 'wasm' ? wasmThreads() : 0,
  });
  const details =
    name === 'webgl'
      ? `WebGL ${caps.webglVersion}, ${caps.textureFloat} textures`
      : name === 'wasm'
        ? `${pageState.wasmThreads} thread(s)${pageState.crossOriginIsolated ? ', cross-origin isolated' : ''}`
        : 'plain JavaScript';
  const gaps = caps.missingKernels.length > 0 ? `; lacks ${caps.missingKernels.join(', ')}` : '';
  ui.backendInfo.textContent = `Backend ${caps.backend}: ${details}; Adam ε ${caps.safeEpsilon}${gaps}.`;
  await restoreSaved(); // the saved run carries on on any backend: a state is plain numbers
  pageState.ready = true;
  setState('idle');
}

function showTab(next: ModelKind): void {
  pageState.model = next;
  ui.tabs.gan.setAttribute('aria-selected', String(next === 'gan'));
  ui.tabs.vae.setAttribute('aria-selected', String(next === 'vae'));
  ui.vaePanel.hidden = next !== 'vae';
  ui.recipeLabel.hidden = next !== 'gan';
}

async function switchModel(next: ModelKind): Promise<void> {
  if (next === kind) return;
  kind = next;
  showTab(next);
  setUrlParam('model', next);
  await reset();
  await restoreSaved();
  setState('idle');
}

function setUrlParam(name: string, value: string): void {
  const url = new URL(location.href);
  url.searchParams.set(name, value);
  history.replaceState(null, '', url);
}

function fail(error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  pageState.error = message;
  ui.status.textContent = `Error: ${message}`;
  ui.status.className = 'error';
}

function wire(): void {
  // Measured before any handler: how long each click waited for the main thread.
  document.addEventListener('click', (e) => pageState.clickLatencies.push(performance.now() - e.timeStamp), true);
  ui.start.addEventListener('click', start);
  ui.pause.addEventListener('click', () => {
    session?.pause();
    if (session !== undefined) setState(session.state);
  });
  ui.reset.addEventListener('click', () => void reset().catch(fail));
  ui.forget.addEventListener('click', () => void forget().catch(fail));
  ui.backend.addEventListener('change', () => void switchBackend(ui.backend.value as PageBackend).catch(fail));
  ui.tabs.gan.addEventListener('click', () => void switchModel('gan').catch(fail));
  ui.tabs.vae.addEventListener('click', () => void switchModel('vae').catch(fail));
  window.addEventListener('error', (e) => fail(e.error ?? e.message));
  window.addEventListener('unhandledrejection', (e) => fail(e.reason));
}

async function main(): Promise<void> {
  wire();
  keepWebglReadsPromptWhenHidden();
  installHooks(reset, () => switchBackend(backend));
  showTab(kind);
  if (params.get('recipe') === 'recommended') ui.recipe.value = 'recommended';
  digits = await fetchDigits();
  await switchBackend(backend);
}

main().catch(fail);
