/**
 * The live training page: trains a GAN (the article's networks by default) or a VAE on MNIST digits on the chosen
 * backend, on the main thread. The Trainer yields to the event loop as it goes (and every webgl step awaits its
 * read-back), so clicks are answered and the canvases repaint while it trains.
 *
 * URL parameters, for tests and experiments: `?backend=wasm`, `?model=vae`, `?recipe=recommended`, `?steps=200`
 * (stop after that many steps), `?drawEvery=10` (redraw the samples every that many steps).
 */
import * as tf from '@tensorflow/tfjs-core';
import { probeBackend, type MlpGanRecipeName, type StepLogs } from 'tfjs-generative';
import { PAGE_BACKENDS, useBackend, wasmThreads, type PageBackend } from './backends';
import { LossChart, type Series } from './chart';
import { digitTensor, fetchDigits, type Digits } from './digits';
import { installHooks, pageState, refreshTfState } from './hooks';
import { TrainingSession, type ModelKind, type SessionState } from './session';
import { drawGanSamples, drawVae } from './views';

const params = new URLSearchParams(location.search);
const positive = (v: string | null): number | undefined => (v !== null && Number(v) >= 1 ? Math.floor(Number(v)) : undefined);
const MAX_STEPS = positive(params.get('steps')) ?? 1_000_000;
const DRAW_EVERY = positive(params.get('drawEvery')) ?? 10;
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
  progress: element<HTMLSpanElement>('progress'),
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
  idle: () => 'Ready: press Start.',
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
  ui.start.textContent = state === 'paused' ? 'Resume' : 'Start';
  ui.start.disabled = running || state === 'done' || !pageState.ready;
  ui.pause.disabled = !running;
  ui.reset.disabled = !pageState.ready;
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

function start(): void {
  if (session === undefined) {
    session = new TrainingSession({
      kind,
      recipe: ui.recipe.value as MlpGanRecipeName,
      seed: SEED,
      batchSize: BATCH_SIZE,
      maxSteps: MAX_STEPS,
      data: digitsFor(kind),
      onStep,
      onEnd: (state, error) => {
        if (error !== undefined) fail(error);
        chart.draw();
        setState(state);
        void redraw();
      },
    });
  }
  stepTimes.length = 0;
  session.start();
  setState(session.state);
}

/** Stops and disposes the run, and clears the chart. */
async function reset(): Promise<void> {
  const old = session;
  session = undefined;
  if (old !== undefined) await old.dispose();
  pageState.steps = 0;
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
  await reset();
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
  ui.backend.addEventListener('change', () => void switchBackend(ui.backend.value as PageBackend).catch(fail));
  ui.tabs.gan.addEventListener('click', () => void switchModel('gan').catch(fail));
  ui.tabs.vae.addEventListener('click', () => void switchModel('vae').catch(fail));
  window.addEventListener('error', (e) => fail(e.error ?? e.message));
  window.addEventListener('unhandledrejection', (e) => fail(e.reason));
}

async function main(): Promise<void> {
  wire();
  installHooks(reset, () => switchBackend(backend));
  showTab(kind);
  digits = await fetchDigits();
  await switchBackend(backend);
}

main().catch(fail);
