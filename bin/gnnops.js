#!/usr/bin/env node
// Launcher: runs the compiled CLI (npm run build). During development use `npm run gnnops -- ...`.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const compiled = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
if (!existsSync(compiled)) {
  console.error(
    'gnnops: the CLI is not built yet. Run `npm run build` first (or `npm run gnnops -- <args>` from a checkout).',
  );
  process.exit(1);
}
const { main } = await import(compiled);
await main(process.argv);
