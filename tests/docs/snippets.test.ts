import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { expect, it } from 'vitest';
import { allSnippets, AMBIENT, asModule, type LibraryEntry } from './snippets';

const root = fileURLToPath(new URL('../..', import.meta.url));

// Files whose examples still fail, each for a reason being fixed: a typed `Trainer` (training.md), tfjs-layers calls
// written as `tf.` and free names in older examples.
const PENDING = new Set<string>([]);

function compilerOptions(): ts.CompilerOptions {
  const config = ts.readConfigFile(join(root, 'tsconfig.json'), ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, root);
  // A snippet shows a call; what it leaves unused is the reader's to use.
  return { ...parsed.options, noUnusedLocals: false, noUnusedParameters: false, noEmit: true };
}

it('every TypeScript block in README.md, docs/guides and the TSDoc @examples type-checks', () => {
  const options = compilerOptions();
  // The library's export names, read from its entry points by the compiler itself.
  const entry = join(root, 'src/index.ts');
  const wasmEntry = join(root, 'src/wasm/index.ts');
  const base = ts.createProgram([entry, wasmEntry], options);
  const checker = base.getTypeChecker();
  const entryOf = (specifier: string, file: string): LibraryEntry => {
    const symbols = checker.getExportsOfModule(checker.getSymbolAtLocation(base.getSourceFile(file)!)!);
    const isValue = (s: ts.Symbol) =>
      ((s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s).flags & ts.SymbolFlags.Value) !== 0;
    return {
      specifier,
      values: symbols.filter(isValue).map((s) => s.name),
      types: symbols.filter((s) => !isValue(s)).map((s) => s.name),
    };
  };
  const entries = [entryOf('tfjs-generative', entry), entryOf('tfjs-generative/wasm', wasmEntry)];

  const snippets = allSnippets(root);
  const virtual = new Map<string, { text: string; origin: string }>();
  snippets.forEach((s, i) => {
    const file = s.origin.split(':')[0]!;
    virtual.set(join(root, dirname(file), `__snippet_${i}.ts`), { text: asModule(s.code, entries), origin: s.origin });
  });
  const ambient = join(root, 'tests/docs/__ambient.ts');
  virtual.set(ambient, { text: AMBIENT, origin: 'ambient' });

  const host = ts.createCompilerHost(options);
  const { getSourceFile, fileExists, readFile } = host;
  host.fileExists = (f) => virtual.has(f) || fileExists(f);
  host.readFile = (f) => virtual.get(f)?.text ?? readFile(f);
  host.getSourceFile = (f, language, ...rest) => {
    const v = virtual.get(f);
    return v ? ts.createSourceFile(f, v.text, language) : getSourceFile(f, language, ...rest);
  };
  const program = ts.createProgram([...virtual.keys()], options, host, base);
  const problems = ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.file !== undefined && virtual.has(d.file.fileName))
    .filter((d) => !PENDING.has(virtual.get(d.file!.fileName)!.origin.split(':')[0]!))
    .map((d) => {
      const { origin, text } = virtual.get(d.file!.fileName)!;
      const line = d.file!.getLineAndCharacterOfPosition(d.start ?? 0).line;
      const prelude = text.split('\n').findIndex((l) => !l.startsWith('import ') || l === '');
      return `${origin} (+${line - prelude + 1}): ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
    });
  expect(snippets.length).toBeGreaterThan(100);
  expect(problems, problems.join('\n')).toEqual([]);
}, 180_000);
