import { z } from 'zod';
import { dataSection } from './sections/data.js';
import { driftSection } from './sections/drift.js';
import { modelSection } from './sections/model.js';
import { serveSection } from './sections/serve.js';
import { storageSection } from './sections/storage.js';
import { storeSection } from './sections/store.js';
import { registrySection, trackSection } from './sections/track.js';
import { trainSection } from './sections/train.js';

/**
 * The one config schema. It validates YAML files and key=value overrides, supplies defaults, and generates
 * `gnnops config show`, the CLI help for keys and docs/config.md. Add a section by adding a file in sections/.
 */
export const configSchema = z.strictObject({
  data: dataSection.prefault({}),
  model: modelSection.prefault({}),
  train: trainSection.prefault({}),
  serve: serveSection.prefault({}),
  track: trackSection.prefault({}),
  registry: registrySection.prefault({}),
  drift: driftSection.prefault({}),
  storage: storageSection.prefault({}),
  store: storeSection.prefault({}),
});

export type Config = z.infer<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;
