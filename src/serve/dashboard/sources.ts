import { existsSync } from 'node:fs';
import { dataSection } from '../../config/sections/data.js';
import type { GraphData } from '../../data/graph.js';
import { loadDataset } from '../../data/load.js';
import { computeProfile, type ReferenceProfile } from '../../monitor/profile.js';
import { parseProfile, readProfile } from '../../monitor/profile-io.js';
import { requestShapedStructure } from '../../monitor/simulate.js';
import { type PromotionHooks, Registry } from '../../registry/index.js';
import type { ModelVersion } from '../../registry/types.js';
import { openStore, type Store, Tracker } from '../../track/index.js';
import { ErrorCodes, GnnopsError, isGnnopsError } from '../../util/errors.js';
import { homePath } from '../../util/home.js';
import type { ServeContext } from '../context.js';
import { loadCheckpointGraph } from '../native/predictor.js';

/** Where the dashboard's data comes from; every field is optional (tests inject what they need). */
export interface DashboardSourceOptions {
  /** Workspace holding gnnops.db (default GNNOPS_HOME). */
  home?: string;
  /** The graph the served model works on; default: loaded from the served registry version's `config.data`. */
  loadGraph?: () => Promise<GraphData>;
  /** Command/webhook run after promotions and rollbacks made in the dashboard (default none). */
  hooks?: PromotionHooks;
}

/** The served graph, with where it came from (shown in the UI). */
export interface ServedGraph {
  graph: GraphData;
  /** `name/version` of the model it was resolved for, or 'injected'. */
  forModel: string;
}

/**
 * Lazily opened read handles on the workspace (store, registry, tracker) and the served model's dataset and
 * reference profile, cached per served model version. Each package migrates its own tables on first use (the
 * registry and sweeps through their stores, the request log and the drift history through the drift worker), so
 * every table the dashboard reads exists even in a fresh workspace.
 */
export class DashboardSources {
  #opened: Promise<{ store: Store; registry: Registry; tracker: Tracker }> | undefined;
  #graph: { key: string; value: Promise<ServedGraph> } | undefined;
  #predictions:
    | { key: string; value: Promise<{ classes: Int32Array; probs: Float32Array; numClasses: number }> }
    | undefined;
  #profile: { key: string; value: Promise<{ profile: ReferenceProfile; source: string }> } | undefined;

  constructor(
    readonly ctx: ServeContext,
    private readonly opts: DashboardSourceOptions = {},
  ) {}

  /** The workspace store, its registry and tracker, opened on first use and shared by every route. */
  #open(): Promise<{ store: Store; registry: Registry; tracker: Tracker }> {
    this.#opened ??= openStore({ home: this.opts.home, recover: false }).then((store) => ({
      store,
      registry: new Registry(store, { hooks: this.opts.hooks ?? {} }),
      tracker: new Tracker(store),
    }));
    const opened = this.#opened;
    // A store that could not be reached is tried again on the next request.
    opened.catch(() => {
      if (this.#opened === opened) this.#opened = undefined;
    });
    return opened;
  }

  async store(): Promise<Store> {
    return (await this.#open()).store;
  }

  async registry(): Promise<Registry> {
    return (await this.#open()).registry;
  }

  async tracker(): Promise<Tracker> {
    return (await this.#open()).tracker;
  }

  /** The registry version behind the served model, when it came from the registry. */
  async servedVersion(): Promise<ModelVersion | undefined> {
    const m = this.ctx.holder.current?.model;
    if (!m) return undefined;
    try {
      return await (await this.registry()).getVersion(m.name, m.version);
    } catch {
      return undefined; // a checkpoint path or a fixture: not in the registry
    }
  }

  /** The served model's graph (503 with the reason when it cannot be had). */
  graph(): Promise<ServedGraph> {
    const m = this.ctx.holder.current?.model;
    const key = m ? `${m.name}/${m.version}` : 'none';
    if (this.#graph?.key !== key) {
      const value = this.#loadGraph(key);
      value.catch(() => {
        if (this.#graph?.value === value) this.#graph = undefined; // retry on the next request
      });
      this.#graph = { key, value };
    }
    return this.#graph.value;
  }

  /** The checkpoint file behind the served model: its registry version's blob, or the file it was loaded from. */
  async checkpointPath(): Promise<string | undefined> {
    const v = await this.servedVersion();
    if (v) return v.checkpointPath;
    const ref = this.ctx.holder.current?.ref;
    return ref?.endsWith('.safetensors') && existsSync(ref) ? ref : undefined;
  }

  async #loadGraph(key: string): Promise<ServedGraph> {
    if (this.opts.loadGraph) return { graph: await this.opts.loadGraph(), forModel: 'injected' };
    const v = await this.servedVersion();
    const file = v ? undefined : await this.checkpointPath();
    if (file) {
      try {
        return { graph: await loadCheckpointGraph(file), forModel: key };
      } catch (e) {
        const why = isGnnopsError(e) ? e.message : String(e);
        throw new GnnopsError(ErrorCodes.NOT_AVAILABLE, `dataset of checkpoint ${file} cannot be loaded: ${why}`);
      }
    }
    if (!v) {
      throw new GnnopsError(
        ErrorCodes.NOT_AVAILABLE,
        key === 'none'
          ? 'no model is loaded yet, so the dataset is unknown'
          : `model ${key} is not in the registry, so its dataset is unknown`,
      );
    }
    const cfg = (v.config as { data?: unknown } | null)?.data;
    if (cfg === undefined) {
      throw new GnnopsError(
        ErrorCodes.NOT_AVAILABLE,
        `model ${key} has no recorded config.data, so its dataset is unknown`,
      );
    }
    const parsed = dataSection.safeParse(cfg);
    if (!parsed.success) {
      throw new GnnopsError(ErrorCodes.NOT_AVAILABLE, `model ${key}: its recorded config.data is not valid`);
    }
    try {
      return { graph: await loadDataset(parsed.data, { progress: false }), forModel: key };
    } catch (e) {
      const why = isGnnopsError(e) ? e.message : String(e);
      throw new GnnopsError(ErrorCodes.NOT_AVAILABLE, `dataset of model ${key} cannot be loaded: ${why}`);
    }
  }

  /**
   * The drift reference: the served version's registered profile, else `<home>/profiles/<dataset>.json`
   * (what `gnnops drift profile` writes), else one computed from the served graph (request-shaped structure).
   */
  profile(): Promise<{ profile: ReferenceProfile; source: string }> {
    const m = this.ctx.holder.current?.model;
    const key = m ? `${m.name}/${m.version}` : 'none';
    if (this.#profile?.key !== key) {
      const value = this.#loadProfile();
      value.catch(() => {
        if (this.#profile?.value === value) this.#profile = undefined;
      });
      this.#profile = { key, value };
    }
    return this.#profile.value;
  }

  async #loadProfile(): Promise<{ profile: ReferenceProfile; source: string }> {
    const v = await this.servedVersion();
    const { cas } = await this.store();
    if (v?.referenceProfileDigest && cas.has(v.referenceProfileDigest)) {
      const text = cas.read(v.referenceProfileDigest).toString('utf8');
      return { profile: parseProfile(text, 'registered profile'), source: `registered with ${v.model}/${v.version}` };
    }
    const { graph } = await this.graph();
    const file = homePath('profiles', `${graph.name}.json`);
    if (existsSync(file)) return { profile: readProfile(file), source: file };
    const s = requestShapedStructure(graph, { hops: 2, maxNodes: 200, samples: 500 });
    const predicted = await this.predictAll(graph.numNodes);
    const profile = computeProfile(graph.features, graph.numNodes, graph.numFeatures, {
      degrees: s.degrees,
      subgraphSizes: s.subgraphSizes,
      ...(predicted ? { predictions: predicted.classes, numClasses: predicted.numClasses } : {}),
      meta: { dataset: graph.name, datasetHash: graph.hash },
    });
    return { profile, source: `computed from dataset ${graph.name} (${graph.numNodes} nodes) at first use` };
  }

  /**
   * The served model's class and probabilities for every stored node (a row lookup for real models), cached per
   * model version; undefined when the model has no stored graph of this size.
   */
  async predictAll(
    numNodes: number,
  ): Promise<{ classes: Int32Array; probs: Float32Array; numClasses: number } | undefined> {
    const e = this.ctx.holder.current;
    if (!e?.model.graph || e.model.graph.numNodes !== numNodes) return undefined;
    const key = `${e.model.name}/${e.model.version}`;
    if (this.#predictions?.key !== key) {
      const model = e.model;
      const value = (async () => {
        const probs = await model.predictNodes(Int32Array.from({ length: numNodes }, (_, i) => i));
        const C = model.numClasses;
        const classes = new Int32Array(numNodes);
        for (let i = 0; i < numNodes; i++) {
          let best = 0;
          for (let c = 1; c < C; c++) if (probs[i * C + c] > probs[i * C + best]) best = c;
          classes[i] = best;
        }
        return { classes, probs, numClasses: C };
      })();
      value.catch(() => {
        if (this.#predictions?.value === value) this.#predictions = undefined;
      });
      this.#predictions = { key, value };
    }
    return this.#predictions.value;
  }

  async close(): Promise<void> {
    const opened = this.#opened;
    this.#opened = undefined;
    if (opened) await (await opened.catch(() => undefined))?.store.close();
  }
}
