import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

type ExportDocs = { name: string; where: string; summary: boolean; example: boolean; groups: string[] };

/** Every name an entry point exports, with its TSDoc: whether it has a summary and an `@example`, and its `@group`s. */
function readExportedDocs(): ExportDocs[] {
  const entries = ['src/index.ts', 'src/wasm/index.ts'].map((f) => join(root, f));
  const program = ts.createProgram(entries, { strict: true, skipLibCheck: true, noEmit: true });
  const checker = program.getTypeChecker();
  return entries.flatMap((entry) =>
    checker.getExportsOfModule(checker.getSymbolAtLocation(program.getSourceFile(entry)!)!).map((exported) => {
      const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      const declarations = symbol.declarations ?? [];
      const docs = declarations.flatMap((d) => ts.getJSDocCommentsAndTags(d)).filter(ts.isJSDoc);
      const first = declarations[0];
      const file = first?.getSourceFile();
      const line = first && file ? file.getLineAndCharacterOfPosition(first.getStart()).line + 1 : 0;
      return {
        name: exported.name,
        where: file ? `${file.fileName.slice(root.length)}:${line}` : '?',
        summary: docs.some((d) => ts.getTextOfJSDocComment(d.comment)?.trim()),
        example: docs.some((d) => (d.tags ?? []).some((t) => t.tagName.text === 'example')),
        groups: docs
          .flatMap((d) => d.tags ?? [])
          .filter((t) => t.tagName.text === 'group')
          .map((t) => ts.getTextOfJSDocComment(t.comment)?.trim() ?? ''),
      };
    }),
  );
}

let read: ExportDocs[] | undefined;
// One program for every test here: building it is most of their time.
const exportedDocs = (): ExportDocs[] => (read ??= readExportedDocs());

// Folders whose exports may still lack an example: another branch is changing them, and their examples follow its
// merge. An export declared under one of them is tolerated; every other must have both.
const PENDING: string[] = [];

it('every export has a TSDoc summary and an @example', () => {
  const docs = exportedDocs();
  expect(docs.length).toBeGreaterThan(100);
  const missing = docs
    .filter((d) => !d.summary || !d.example)
    .filter((d) => !PENDING.some((folder) => d.where.startsWith(folder)))
    .map(
      (d) =>
        `${d.name} (${d.where}): ${[!d.summary && 'no summary', !d.example && 'no @example']
          .filter(Boolean)
          .join(', ')}`,
    );
  expect(missing, missing.join('\n')).toEqual([]);
}, 120_000);

// The site's sections, in the order typedoc.json's groupOrder shows them.
const GROUPS = ['Losses', 'Models', 'Architectures', 'Training', 'Metrics', 'Backends', 'Utilities'];

it('every export has exactly one @group, one of the site sections', () => {
  const docs = exportedDocs();
  expect(docs.length).toBeGreaterThan(100);
  const wrong = docs
    .filter((d) => d.groups.length !== 1 || !GROUPS.includes(d.groups[0]!))
    .map(
      (d) => `${d.name} (${d.where}): ${d.groups.length === 0 ? 'no @group' : `@group ${d.groups.join(', @group ')}`}`,
    );
  expect(wrong, wrong.join('\n')).toEqual([]);
}, 120_000);

it("typedoc.json's groupOrder starts with the site sections, in order", () => {
  const config = JSON.parse(readFileSync(join(root, 'typedoc.json'), 'utf8')) as { groupOrder?: string[] };
  expect(config.groupOrder?.slice(0, GROUPS.length)).toEqual(GROUPS);
});
