/**
 * The model a command works on: `--checkpoint PATH`, or `--model REF` resolved in the registry, or with neither the
 * workspace's only production model (gnnops evaluate, gnnops explain).
 */
import { Registry, registeredTemperature } from '../registry/index.js';
import { fetchMissingBlobs } from '../storage/sync.js';
import { openStore } from '../track/store.js';
import { ErrorCodes, GnnopsError } from '../util/errors.js';

/** What is evaluated: a checkpoint file, or the version a registry reference resolves to (and its checkpoint). */
export interface EvalTarget {
  checkpoint: string;
  model?: {
    name: string;
    version: number;
    ref: string;
    defaulted: boolean;
    /** The calibration temperature stored with the version, if it has one. */
    temperature: number | null;
    /** The checkpoint's SHA-256, as the registry recorded it. */
    digest: string;
  };
}

/**
 * `--checkpoint` as given; `--model` resolved in the registry; neither: the only production model. No production
 * model, or several, is a usage error that lists what could be passed.
 */
export async function evalTarget(f: { checkpoint?: string; model?: string }, verb = 'evaluate'): Promise<EvalTarget> {
  if (f.checkpoint !== undefined && f.model !== undefined) {
    throw new GnnopsError(ErrorCodes.INVALID_ARGUMENT, 'give either --model or --checkpoint, not both', {
      field: 'model',
    });
  }
  if (f.checkpoint !== undefined) return { checkpoint: f.checkpoint };
  const store = await openStore({ recover: false });
  try {
    const registry = new Registry(store);
    let ref = f.model;
    if (ref === undefined) {
      try {
        ref = `${await registry.soleModelWithAlias('production')}@production`;
      } catch (e) {
        if (!(e instanceof GnnopsError && e.code === ErrorCodes.NOT_FOUND)) throw e;
        const names = (await registry.listModels()).map((m) => m.name);
        throw new GnnopsError(
          ErrorCodes.INVALID_ARGUMENT,
          `no model to ${verb}: no registered model has a production version; give --checkpoint PATH or --model NAME, NAME@ALIAS or NAME/VERSION${names.length > 0 ? ` (registered: ${names.join(', ')})` : ' (nothing is registered yet: gnnops train registers a model)'}`,
          { field: 'model', choices: names },
        );
      }
    }
    const v = await registry.resolve(ref);
    return {
      checkpoint: v.checkpointPath,
      model: {
        name: v.model,
        version: v.version,
        ref,
        defaulted: f.model === undefined,
        temperature: registeredTemperature(v),
        digest: v.checkpointDigest,
      },
    };
  } finally {
    await store.close();
  }
}

/**
 * evalTarget with the version's checkpoint present in this workspace: fetched from the shared artifact storage
 * (GNNOPS_STORAGE_URL) and digest-checked when the workspace shares only the registry.
 */
export async function localModelTarget(
  f: { checkpoint?: string; model?: string },
  verb = 'evaluate',
): Promise<EvalTarget> {
  const target = await evalTarget(f, verb);
  if (target.model) {
    const store = await openStore({ recover: false });
    try {
      await fetchMissingBlobs(
        store.cas,
        [target.model.digest],
        undefined,
        `${target.model.name}/${target.model.version}`,
      );
    } finally {
      await store.close();
    }
  }
  return target;
}
