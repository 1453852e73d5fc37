import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

/**
 * A worker thread running the module `name` that sits beside the caller (`importMetaUrl`): the .ts source under tsx
 * (dev, tests) and the .js file in the build. Node 20 does not apply `--import tsx` to workers, so under tsx the
 * worker registers tsx's loader before importing the module.
 */
export function moduleWorker(name: string, importMetaUrl: string, workerData: unknown): Worker {
  const ext = extname(fileURLToPath(importMetaUrl));
  const url = new URL(`./${name}${ext}`, importMetaUrl);
  return ext === '.ts'
    ? new Worker(`import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(url.href)}); });`, {
        eval: true,
        workerData,
      })
    : new Worker(url, { workerData });
}
