// Compiles the AssemblyScript kernels (src/engine/kernels/assembly) to build/kernels.wasm with asc's API.
// The module imports one shared memory (env.memory) so the main thread and every worker instantiate it on the same
// bytes; initial/maximum here are lower/upper bounds the runtime's WebAssembly.Memory must fit in.
// Skips the compile when the output is newer than every source (so `npm test` stays fast); --force rebuilds.
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import asc from 'assemblyscript/asc';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const srcDir = join(root, 'src/engine/kernels/assembly');
const out = join(root, 'build/kernels.wasm');
const force = process.argv.includes('--force');

const sources = readdirSync(srcDir).filter((f) => f.endsWith('.ts'));
const newestSource = Math.max(
  statSync(import.meta.filename ?? fileURLToPath(import.meta.url)).mtimeMs,
  ...sources.map((f) => statSync(join(srcDir, f)).mtimeMs),
);
let outTime = 0;
try {
  outTime = statSync(out).mtimeMs;
} catch {}
if (!force && outTime > newestSource) {
  console.log('build-kernels: build/kernels.wasm is up to date');
  process.exit(0);
}

mkdirSync(dirname(out), { recursive: true });
const t0 = performance.now();
const { error, stderr } = await asc.main([
  join(srcDir, 'index.ts'),
  '--outFile',
  out,
  '-O3',
  '--noAssert',
  '--runtime',
  'stub',
  '--use',
  'abort=',
  '--importMemory',
  '--sharedMemory',
  '--initialMemory',
  '1',
  '--maximumMemory',
  '65536',
  '--enable',
  'simd',
  '--enable',
  'threads',
]);
if (error) {
  console.error(stderr.toString());
  console.error(`build-kernels: ${error.message}`);
  process.exit(1);
}
console.log(`build-kernels: wrote build/kernels.wasm in ${Math.round(performance.now() - t0)} ms`);
