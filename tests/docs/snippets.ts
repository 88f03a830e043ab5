import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** A TypeScript code block from the docs: where it is, and its code. */
export interface Snippet {
  /** `README.md:18` or `src/models/gan/gan.ts:212`: the line of the block's opening fence. */
  readonly origin: string;
  readonly code: string;
}

const FENCE = /^(\s*)```(ts|typescript)\s*$/;

function files(dir: string, ext: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path, ext) : path.endsWith(ext) ? [path] : [];
  });
}

/** The ```ts blocks of a markdown file, or of the TSDoc comments of a source file (their ` * ` margins removed). */
export function snippetsOf(path: string, root: string): Snippet[] {
  const lines = readFileSync(path, 'utf8').split('\n');
  const inComment = path.endsWith('.ts');
  const snippets: Snippet[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = inComment ? lines[i]!.replace(/^\s*\* ?/, '') : lines[i]!;
    if (!FENCE.test(line) || (inComment && !/^\s*\*/.test(lines[i]!))) continue;
    const start = i;
    const code: string[] = [];
    for (i++; i < lines.length; i++) {
      const inner = inComment ? lines[i]!.replace(/^\s*\* ?/, '') : lines[i]!;
      if (/^\s*```\s*$/.test(inner)) break;
      code.push(inner);
    }
    snippets.push({ origin: `${relative(root, path)}:${start + 1}`, code: code.join('\n') });
  }
  return snippets;
}

/** Every TypeScript block in README.md, docs/guides, examples/README.md and the TSDoc of src/. */
export function allSnippets(root: string): Snippet[] {
  const docs = [
    join(root, 'README.md'),
    join(root, 'examples/README.md'),
    ...files(join(root, 'docs/guides'), '.md'),
    ...files(join(root, 'src'), '.ts'),
  ];
  return docs.flatMap((path) => snippetsOf(path, root));
}

/**
 * What a snippet may use without defining: the values the surrounding prose speaks of (a trained model, a batch of
 * images). Declared once for all snippets; a snippet that defines one of them shadows it.
 */
export const AMBIENT = `
import type * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { GAN, Trainer, TrainerContext, VAE } from 'tfjs-generative';
declare global {
  // Data.
  const images: tf.Tensor2D;
  const testImages: tf.Tensor2D;
  const batch: tf.Tensor2D;
  const realBatch: tf.Tensor2D;
  const real: tf.Tensor2D;
  const fake: tf.Tensor2D;
  const bytes: Uint8Array;
  // Models, networks and their parts.
  const gan: GAN;
  const vae: VAE;
  const trainer: Trainer;
  const discriminator: tfl.LayersModel;
  const critic: tfl.LayersModel;
  const criticModel: tfl.LayersModel;
  const classifier: tfl.LayersModel;
  const optimizer: tf.Optimizer;
  const criticVars: tf.Variable[];
  const criticVariables: tf.Variable[];
  const discriminatorVariables: tf.Variable[];
  const handler: tf.io.IOHandler;
  // Values inside a callback, a catch or a loss.
  const ctx: TrainerContext;
  const e: unknown;
  const fakeLogits: tf.Tensor;
  const realClassLogits: tf.Tensor2D;
  const fakeClassLogits: tf.Tensor2D;
  const realLabels: tf.Tensor1D;
  const fakeLabels: tf.Tensor1D;
  const realFeatures: tf.Tensor2D;
  const fakeFeatures: tf.Tensor2D;
  const featuresOf: (images: tf.Tensor) => tf.Tensor2D;
  const epochs: number;
}
export {};
`;

/** An entry point of the package: its specifier and the names it exports, values and types apart. */
export interface LibraryEntry {
  readonly specifier: string;
  readonly values: readonly string[];
  readonly types: readonly string[];
}

/**
 * The snippet as a module: with the imports of `tf`, `tfl` and the library's names it uses but does not import, as a
 * reader pastes it below the imports the page showed earlier.
 */
export function asModule(code: string, entries: readonly LibraryEntry[]): string {
  const imported = new Set<string>();
  for (const m of code.matchAll(/import\s+(?:type\s+)?\{([^}]*)\}\s+from/g)) {
    for (const part of m[1]!.split(',')) {
      const name = part
        .trim()
        .replace(/^type\s+/, '')
        .split(/\s+as\s+/)
        .at(-1)!
        .trim();
      if (name) imported.add(name);
    }
  }
  for (const m of code.matchAll(/import\s+\*\s+as\s+(\w+)/g)) imported.add(m[1]!);
  for (const m of code.matchAll(/import\s+(\w+)\s+from/g)) imported.add(m[1]!);
  const declared = new Set(
    [...code.matchAll(/\b(?:const|let|class|function|interface|type)\s+(\w+)/g)].map((m) => m[1]!),
  );
  for (const m of code.matchAll(/\b(?:const|let)\s*[{[]([^}\]]*)[}\]]/g)) {
    for (const part of m[1]!.split(',')) declared.add(part.split(':').at(-1)!.split('=')[0]!.trim());
  }
  // Not a property (`x.name`) nor inside a string, but a spread (`...name`) counts.
  const uses = (name: string) => new RegExp(`(?<![\\w$'"])(?<![^.]\\.)${name}\\b`).test(code);
  const prelude: string[] = [];
  if (!imported.has('tf') && /\btf\./.test(code)) prelude.push("import * as tf from '@tensorflow/tfjs-core';");
  if (!imported.has('tfl') && /\btfl\./.test(code)) prelude.push("import * as tfl from '@tensorflow/tfjs-layers';");
  for (const { specifier, values, types } of entries) {
    const wanted = (n: string) => !imported.has(n) && !declared.has(n) && uses(n);
    const names = [...values.filter(wanted), ...types.filter(wanted).map((n) => `type ${n}`)];
    if (names.length > 0) prelude.push(`import { ${names.join(', ')} } from '${specifier}';`);
  }
  return `${prelude.join('\n')}\n${code}\nexport {};\n`;
}
