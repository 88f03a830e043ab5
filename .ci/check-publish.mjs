// Run by `npm publish` (prepublishOnly): refuses to publish a package.json without the fields the registry's page
// needs. npm resolves README.md's relative links (docs/guides/…, examples/…) against `repository`; without it they
// are dead there. The project has no public URL yet, so the fields are set by whoever publishes (CONTRIBUTING.md).
import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const missing = ['repository', 'homepage', 'bugs'].filter((field) => !pkg[field]);
if (missing.length > 0) {
  console.error(`package.json lacks ${missing.join(', ')}: set them before publishing (see CONTRIBUTING.md, "Releasing")`);
  process.exit(1);
}
