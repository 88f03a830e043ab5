// Run by .ci/bundle-check.sh inside a fresh project that has the packed library, vite and the tfjs packages installed.
// Builds each app twice with `vite build` (Vite's defaults, minified): whole, and with @tensorflow/* external so the
// output is the library's own code. Checks which modules each bundle carries by marker strings that survive
// minification, runs each whole bundle in headless Chromium where there is one, prints a size table, and exits 1 when
// a marker is where it must not be (or missing where it must be) or an app fails to run.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { build, version } from 'vite';

// Strings that only the named module holds; a bundle "carries" a module when any of its strings is in the output.
const markers = {
  GAN: ['tfjs-generative/gan'], // GAN's state format
  Trainer: ['an object with a trainStep(batch) method'],
  'MLP GAN factories': ['MlpGeneratorOptions'],
  VAE: ['tfjs-generative/vae'], // VAE's state format
  'VAE factories': ['MlpEncoderOptions'],
  'custom layers': ['TfjsGenerativeSeededDropout'],
  // Whole builds: a tfjs-layers error text. Library-only builds: the import of the external package.
  'tfjs-layers': ['is not connected, no input to return', '@tensorflow/tfjs-layers'],
};

// The library's own code in the losses-only app, raw bytes: about 10 times what it measured (5.7 kB).
const lossesLibraryCeiling = 60_000;

const lossesSource = `
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { minimaxDiscriminatorLoss, nonSaturatingGeneratorLoss } from 'tfjs-generative';
void tf.setBackend('cpu').then(() => {
  const real = tf.tensor1d([-5, 1.4, 12.5, 2.7]);
  const fake = tf.tensor1d([10, 4.4, -5.5, 3.6]);
  const g = nonSaturatingGeneratorLoss(fake).dataSync()[0];
  const d = minimaxDiscriminatorLoss(real, fake).dataSync()[0];
  document.body.textContent = \`ok losses \${g} \${d}\`;
});
`;

const apps = [
  {
    name: 'losses',
    what: 'losses only (tfjs-core, cpu)',
    source: lossesSource,
    carries: [],
    lacks: Object.keys(markers),
  },
  {
    name: 'gan',
    what: 'GAN + Trainer + MLP factories (tfjs-core, tfjs-layers, cpu)',
    source: `
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { GAN, Trainer, mlpDiscriminator, mlpGenerator } from 'tfjs-generative';
void tf.setBackend('cpu').then(async () => {
  const gan = new GAN(
    { seed: 1 },
    {
      generator: mlpGenerator({ latentDim: 8, hiddenUnits: [16], outputShape: [16], seed: 1 }),
      discriminator: mlpDiscriminator({ inputShape: [16], hiddenUnits: [16], seed: 2 }),
    },
  );
  const data = tf.randomUniform([32, 16], -1, 1);
  const history = await new Trainer(gan).fit(data, { batchSize: 16, steps: 2, seed: 1 });
  // Minifiers rename classes: the error's name must still read ConfigError.
  let name = 'nothing thrown';
  try {
    new GAN({ latentDim: -1 });
  } catch (e) {
    name = e.name;
  }
  document.body.textContent =
    name === 'ConfigError' ? \`ok gan \${history.steps.length} steps, \${name}\` : \`error named \${name}\`;
});
`,
    carries: ['GAN', 'Trainer', 'MLP GAN factories', 'custom layers', 'tfjs-layers'],
    lacks: ['VAE', 'VAE factories'],
  },
  {
    name: 'vae',
    what: 'VAE + MLP factories (tfjs-core, tfjs-layers, cpu)',
    source: `
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { VAE, mlpDecoder, mlpEncoder } from 'tfjs-generative';
void tf.setBackend('cpu').then(async () => {
  const vae = new VAE(
    { latentDim: 4, seed: 1 },
    {
      encoder: mlpEncoder({ inputShape: [16], hiddenUnits: [16], latentDim: 4, seed: 1 }),
      decoder: mlpDecoder({ latentDim: 4, hiddenUnits: [16], outputShape: [16], seed: 2 }),
    },
  );
  const logs = await vae.trainStep(tf.randomUniform([16, 16], 0, 1));
  document.body.textContent = \`ok vae \${logs.loss}\`;
});
`,
    carries: ['VAE', 'VAE factories', 'tfjs-layers'],
    lacks: ['GAN', 'Trainer', 'MLP GAN factories'],
  },
  // References without the library: what tfjs itself weighs in the same build.
  {
    name: 'tfjs-core + cpu',
    source: `
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
void tf.setBackend('cpu').then(() => {
  document.body.textContent = \`ok \${tf.mean(tf.softplus(tf.tensor1d([-5, 1.4]))).dataSync()[0]}\`;
});
`,
    libraryBuild: false,
  },
  {
    name: 'tfjs-core + tfjs-layers + cpu',
    source: `
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
void tf.setBackend('cpu').then(() => {
  const model = tfl.sequential({ layers: [tfl.layers.dense({ units: 1, inputShape: [2] })] });
  document.body.textContent = \`ok \${model.predict(tf.ones([1, 2])).shape}\`;
});
`,
    libraryBuild: false,
  },
];

async function bundle(entry, outDir, { external = false } = {}) {
  await build({
    configFile: false,
    logLevel: 'warn',
    build: {
      outDir,
      emptyOutDir: true,
      chunkSizeWarningLimit: 4096, // tfjs is large
      rolldownOptions: { input: entry, external: external ? [/^@tensorflow\//] : [] },
    },
  });
  const files = readdirSync(outDir, { recursive: true })
    .map(String)
    .filter((file) => file.endsWith('.js'));
  const code = files.map((file) => readFileSync(join(outDir, file), 'utf8')).join('\n');
  return { outDir, files, code, raw: Buffer.byteLength(code), gzip: gzipSync(code, { level: 9 }).length };
}

// Opens each whole bundle in headless Chromium (as tests/browser does: /usr/bin/chromium, no sandbox as root) and
// returns the text the app wrote, or the error it threw.
async function runInChromium(results) {
  const types = { '.html': 'text/html', '.js': 'text/javascript' };
  const server = createServer((request, response) => {
    const path = join(process.cwd(), decodeURIComponent(new URL(request.url, 'http://x').pathname));
    if (!path.startsWith(process.cwd()) || !existsSync(path)) return response.writeHead(404).end();
    response.writeHead(200, { 'Content-Type': types[extname(path)] ?? 'application/octet-stream' });
    response.end(readFileSync(path));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const profile = mkdtempSync(join(process.cwd(), 'chromium-profile-')); // inside the project the caller deletes
  const texts = [];
  try {
    for (const { outDir, files } of results) {
      const scripts = files.map((file) => `<script type="module" src="./${file}"></script>`).join('');
      const report = `addEventListener('error', (e) => (document.body.textContent = 'error: ' + e.message));
        addEventListener('unhandledrejection', (e) => (document.body.textContent = 'error: ' + e.reason));`;
      writeFileSync(join(outDir, 'index.html'), `<!doctype html><body></body><script>${report}</script>${scripts}`);
      const url = `http://127.0.0.1:${server.address().port}/${outDir}/index.html`;
      const args = ['--headless', '--no-sandbox', '--disable-gpu', `--user-data-dir=${profile}`];
      try {
        const { stdout } = await promisify(execFile)(
          chromium,
          [...args, '--virtual-time-budget=30000', '--dump-dom', url],
          { timeout: 60_000, maxBuffer: 1 << 20 },
        );
        texts.push(/<body>([\s\S]*?)<\/body>/.exec(stdout)?.[1] ?? '(no body)');
      } catch (error) {
        texts.push(`(chromium failed: ${String(error.message).split('\n')[0]})`);
      }
    }
  } finally {
    server.close();
  }
  return texts;
}

const carried = (code, name) => markers[name].some((text) => code.includes(text));
const kB = (bytes) => (bytes / 1000).toFixed(1);
const failures = [];
const rows = [];
mkdirSync('src', { recursive: true });
for (const [i, app] of apps.entries()) {
  const entry = `src/app${i}.js`;
  writeFileSync(entry, app.source);
  const whole = await bundle(entry, `out/app${i}`);
  const library =
    app.libraryBuild === false ? undefined : await bundle(entry, `out/app${i}-library`, { external: true });
  rows.push({ app, whole, library });
  for (const [kind, result] of [
    ['whole', whole],
    ['library only', library],
  ]) {
    if (!result) continue;
    for (const name of app.carries ?? []) {
      // The marker must be findable, or its absence elsewhere proves nothing.
      if (!carried(result.code, name)) failures.push(`${app.name} (${kind}) should carry ${name} but does not`);
    }
    for (const name of app.lacks ?? []) {
      if (carried(result.code, name)) failures.push(`${app.name} (${kind}) carries ${name}, which it must not`);
    }
  }
}
for (const app of apps) {
  for (const name of app.lacks ?? []) {
    if (!apps.some((other) => other.carries?.includes(name)))
      failures.push(`marker ${name} is checked as absent but no app proves it findable`);
  }
}
const chromium = '/usr/bin/chromium';
if (existsSync(chromium)) {
  const texts = await runInChromium(rows.map((row) => row.whole));
  for (const [i, text] of texts.entries()) {
    console.log(`Chromium, ${rows[i].app.name}: ${text}`);
    if (!text.startsWith('ok ')) failures.push(`${rows[i].app.name} did not run in Chromium: ${text}`);
  }
} else if (process.env.CI_REQUIRE_BROWSER === '1') {
  failures.push(`CI_REQUIRE_BROWSER=1 but ${chromium} is missing: apt-get install -y chromium`);
} else {
  console.log(`${chromium} not found: the bundles were built but not run (CI_REQUIRE_BROWSER=1 fails instead)`);
}

const losses = rows.find((row) => row.app.name === 'losses');
if (losses.library.raw > lossesLibraryCeiling)
  failures.push(`losses-only library share ${losses.library.raw} B is above the ${lossesLibraryCeiling} B ceiling`);

console.log(`\nvite ${version}, minified; kB = 1000 bytes; gzip level 9`);
console.log('| App | Whole bundle | gzip | Library only | gzip |');
console.log('| --- | ---: | ---: | ---: | ---: |');
for (const { app, whole, library } of rows) {
  const own = library ? [kB(library.raw), kB(library.gzip)] : ['-', '-'];
  console.log(`| ${app.what ?? app.name} | ${kB(whole.raw)} | ${kB(whole.gzip)} | ${own[0]} | ${own[1]} |`);
}
if (failures.length > 0) {
  console.error(`\nbundle check FAILED:\n- ${failures.join('\n- ')}`);
  process.exit(1);
}
console.log('\nbundle check passed');
