/**
 * `gnnops models export REF --format onnx [--out FILE] [--quantize int8] [--raw]`: the GCN forward pass on an
 * (x, edge_index) input as an ONNX model (opset 18), runnable by any ONNX runtime. REF is NAME@ALIAS, NAME/VERSION
 * or a checkpoint path. The version's calibration temperature is a Div before the Softmax, so the file's
 * `probabilities` are the calibrated ones the server gives; `logits` is the second output.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { readCheckpoint } from '../../nn/checkpoint.js';
import { gcnWeightsFromCheckpoint } from '../../nn/export/onnx/from-checkpoint.js';
import { exportGcnOnnx } from '../../nn/export/onnx/gcn.js';
import { registeredTemperature } from '../../registry/calibration.js';
import { registryVersion } from '../../serve/loader.js';
import { ErrorCodes, GnnopsError } from '../../util/errors.js';
import { writeFileAtomic } from '../../util/fs.js';
import { homePath } from '../../util/home.js';
import { emit } from '../output.js';
import { modelsCommand } from './models.js';

interface ExportFlags {
  format: string;
  out?: string;
  quantize?: string;
  raw?: boolean;
  json?: boolean;
}

export function register(program: Command): void {
  modelsCommand(program)
    .command('export')
    .description('Export a registered model (or checkpoint) to ONNX: inputs x [n, F] FP32 and edge_index [2, E] INT64.')
    .argument('<ref>', 'NAME@ALIAS, NAME/VERSION or a .safetensors checkpoint')
    .option('--format <format>', 'export format (onnx)', 'onnx')
    .option('--out <file>', 'output file (default <home>/models/exports/<name>-v<version>.onnx)')
    .option('--quantize <kind>', 'store weights as int8 with per-column scales (int8)')
    .option(
      '--raw',
      "export probabilities = softmax(logits) (T = 1) instead of softmax(logits / T) with the version's calibration temperature",
    )
    .option('--json', 'print JSON')
    .action(async (ref: string, f: ExportFlags) => {
      if (f.format !== 'onnx')
        throw new GnnopsError(ErrorCodes.INVALID_ARGUMENT, `--format: "${f.format}" is not supported; allowed: onnx`, {
          field: 'format',
        });
      if (f.quantize !== undefined && f.quantize !== 'int8')
        throw new GnnopsError(ErrorCodes.INVALID_ARGUMENT, `--quantize: "${f.quantize}"; allowed: int8`, {
          field: 'quantize',
        });
      let path = ref;
      let label = ref.replace(/\.safetensors$/, '').replace(/[^A-Za-z0-9_.-]+/g, '-');
      let version: { model: string; version: number } | null = null;
      let fitted: number | null = null;
      if (!existsSync(ref)) {
        const v = await registryVersion(ref);
        path = v.checkpointPath;
        label = `${v.model}-v${v.version}`;
        version = { model: v.model, version: v.version };
        fitted = registeredTemperature(v);
      }
      const ckpt = readCheckpoint(path);
      fitted ??= registeredTemperature(ckpt.meta);
      const temperature = f.raw ? 1 : (fitted ?? 1);
      const bytes = exportGcnOnnx(
        gcnWeightsFromCheckpoint(ckpt),
        { source: ref, dataset: ckpt.meta.dataset.name, dataset_hash: ckpt.meta.dataset.hash },
        { temperature, ...(f.quantize === 'int8' ? { quantize: 'int8' as const } : {}) },
      );
      const out = resolve(f.out ?? homePath('models', 'exports', `${label}${f.quantize ? '-int8' : ''}.onnx`));
      writeFileAtomic(out, bytes);
      const info = {
        ref,
        // The version an alias pointed at when exported (null for a checkpoint file): aliases move later.
        model_name: version?.model ?? null,
        model_version: version?.version ?? null,
        format: 'onnx',
        opset: 18,
        quantize: f.quantize ?? null,
        // the temperature inside the file: the version's fitted one, or 1 with --raw or when it has none
        temperature,
        fitted_temperature: fitted,
        file: out,
        bytes: bytes.byteLength,
        inputs: { x: ['n', ckpt.meta.dims.numFeatures], edge_index: [2, 'E'] },
        outputs: { probabilities: ['n', ckpt.meta.dims.numClasses], logits: ['n', ckpt.meta.dims.numClasses] },
      };
      emit(
        Boolean(f.json),
        info,
        () =>
          `wrote ${out} (${bytes.byteLength} bytes, ONNX opset 18; probabilities = softmax(logits / ${temperature.toPrecision(4)})${fitted === null && !f.raw ? ', the version has no fitted temperature' : ''})`,
      );
    });
}
