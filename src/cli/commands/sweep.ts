import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { stringify } from 'yaml';
import { barChart } from '../../charts/svg.js';
import { ALIASES, BATCH_SIZE } from '../../sweep/aliases.js';
import { parallelCoordinates } from '../../sweep/charts.js';
import { loadTrialFn } from '../../sweep/driver.js';
import { type Executor, InProcessExecutor } from '../../sweep/executor.js';
import { parameterImportance } from '../../sweep/importance.js';
import { moduleSpecifier, ProcessPoolExecutor } from '../../sweep/pool.js';
import { DEFAULT_QUEUE, QueueExecutor, runQueueWorker } from '../../sweep/queue.js';
import { bestTrial, createSweep, runSweep, type SweepSummary } from '../../sweep/runner.js';
import { loadSweepSpec } from '../../sweep/spec.js';
import { SweepStore, type TrialRecord } from '../../sweep/store.js';
import { openStore } from '../../track/store.js';
import { ErrorCodes, GnnopsError } from '../../util/errors.js';
import { writeFileAtomic } from '../../util/fs.js';
import { log } from '../../util/logger.js';
import { emit, intFlag, progressBar, table } from '../output.js';

const DEFAULT_TRIAL_MODULE = new URL(
  import.meta.url.endsWith('.ts') ? '../../jobs/sweep-trial.ts' : '../../jobs/sweep-trial.js',
  import.meta.url,
).href;

const fmt = (v: number | null) => (v === null ? '-' : Number(v.toPrecision(5)).toString());

function aliasHelp(): string {
  const rows = Object.entries(ALIASES).map(([k, a]) => `  ${k.padEnd(16)} → ${a.key}  (${a.doc})`);
  rows.push(`  ${BATCH_SIZE.padEnd(16)} → (none: training is full-batch; noted, never applied)`);
  return `\nParameter names: dotted config keys (train.lr, model.hidden, …) or these aliases (any case, _ or -):\n${rows.join('\n')}\n`;
}

interface SweepOpts {
  config?: string;
  resume?: string;
  workers: number;
  queue?: string;
  queueName: string;
  preset?: string;
  base?: string;
  seed?: number;
  trialModule?: string;
  json?: boolean;
}

function trialsTable(trials: readonly TrialRecord[], metric: string | null): string {
  const names = [...new Set(trials.flatMap((t) => Object.keys(t.params)))];
  const rows = trials.map((t) => [
    t.index,
    t.status,
    fmt(t.value),
    t.epochs,
    ...names.map((n) => {
      const v = t.params[n];
      return typeof v === 'number' ? fmt(v) : String(v);
    }),
  ]);
  return table(['#', 'status', metric ?? 'value', 'epochs', ...names], rows);
}

function summaryText(s: SweepSummary): string {
  const counts = new Map<string, number>();
  for (const t of s.trials) counts.set(t.status, (counts.get(t.status) ?? 0) + 1);
  const lines = [
    `sweep ${s.sweep.id} ${s.sweep.status}: ${s.trials.length}/${s.sweep.runCap} trials (${[...counts].map(([k, n]) => `${n} ${k}`).join(', ')})`,
  ];
  if (s.best) {
    lines.push(
      `best: trial ${s.best.index}, ${s.sweep.metricName} = ${fmt(s.best.value)}${s.best.runId ? `, run ${s.best.runId}` : ''}`,
    );
    for (const [k, v] of Object.entries(s.best.params)) lines.push(`  ${k} = ${JSON.stringify(v)}`);
  }
  lines.push(`details: gnnops sweep show ${s.sweep.id}`);
  return lines.join('\n');
}

async function runCommand(overrides: string[], opts: SweepOpts): Promise<void> {
  if (!opts.config && !opts.resume) {
    throw new GnnopsError(ErrorCodes.INVALID_ARGUMENT, 'give --config sweep.yaml, or --resume SWEEP');
  }
  if (opts.resume && (opts.config || opts.preset || opts.base || opts.seed !== undefined || overrides.length > 0)) {
    throw new GnnopsError(
      ErrorCodes.INVALID_ARGUMENT,
      '--resume continues a recorded sweep with its recorded sweep config, base config and seed; drop --config, --preset, --base, --seed and key=value overrides',
    );
  }
  const store = await openStore();
  const sweeps = new SweepStore(store);
  let executor: Executor | null = null;
  const ac = new AbortController();
  let interrupts = 0;
  const onSignal = () => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    process.stderr.write(
      `\ngnnops: stopping; running trials are recorded as interrupted. Resume with: gnnops sweep --resume ${id}\n`,
    );
    ac.abort(new Error('interrupted'));
  };
  let id = opts.resume ?? '';
  let bar: ReturnType<typeof progressBar> = null;
  try {
    if (opts.resume) {
      id = (await sweeps.get(opts.resume)).id;
    } else {
      const spec = loadSweepSpec(opts.config as string);
      const base = { preset: opts.preset, file: opts.base, overrides };
      id = (await createSweep(sweeps, spec, { base, seed: opts.seed, queue: opts.queue })).id;
    }
    const rec = await sweeps.get(id);
    for (const n of rec.notes) process.stderr.write(`note: ${n}\n`);
    const module = opts.trialModule ? moduleSpecifier(opts.trialModule) : DEFAULT_TRIAL_MODULE;
    // A resumed queue sweep goes back to its queue unless told otherwise.
    const queue = opts.queue ?? rec.queue ?? undefined;
    if (queue) executor = new QueueExecutor({ url: queue, name: opts.queueName }, Math.max(1, opts.workers));
    else if (opts.workers === 0) executor = new InProcessExecutor(await loadTrialFn(module), 1);
    else executor = new ProcessPoolExecutor({ workers: opts.workers, module });
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    const recorded = await sweeps.trials(id);
    const done = recorded.filter((t) => t.status !== 'running' && t.status !== 'interrupted').length;
    // The best so far, kept from the trial-end events (the recorded trials, then each outcome as it lands).
    const goal = rec.goal ?? 'minimize';
    let bestValue = bestTrial(rec, recorded)?.value ?? null;
    bar = progressBar(opts.json, { format: `sweep ${id} [{bar}] {value}/{total} trials | best {best} | {last}` });
    bar?.start(rec.runCap, done, { best: '-', last: '' });
    let finished = done;
    const summary = await runSweep(sweeps, id, {
      executor,
      signal: ac.signal,
      onEvent(e) {
        if (e.type === 'trial-end') {
          finished++;
          const v = e.outcome.value;
          const counts = e.outcome.status === 'finished' || e.outcome.status === 'stopped';
          if (counts && v !== null && (bestValue === null || (goal === 'maximize' ? v > bestValue : v < bestValue)))
            bestValue = v;
          bar?.update(finished, {
            best: fmt(bestValue),
            last: `#${e.index} ${e.outcome.status} ${fmt(e.outcome.value)}`,
          });
          if (!bar)
            log.info({ sweep: id, trial: e.index, status: e.outcome.status, value: e.outcome.value }, 'trial done');
        }
      },
    });
    bar?.stop();
    bar = null;
    emit(Boolean(opts.json), summary, () => summaryText(summary));
    if (summary.sweep.status !== 'finished') process.exitCode = 1;
  } finally {
    bar?.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await executor?.close();
    await store.close();
  }
}

async function showCommand(idArg: string, opts: { out?: string; json?: boolean }): Promise<void> {
  const store = await openStore();
  try {
    const sweeps = new SweepStore(store);
    const rec = await sweeps.get(idArg);
    const trials = await sweeps.trials(rec.id);
    const best = bestTrial(rec, trials);
    // Stopped trials carry partial values (an early epoch), so association is measured on finished ones.
    const importance = parameterImportance(
      rec.spec.parameters,
      trials.filter((t) => t.status === 'finished'),
    );
    const files: string[] = [];
    if (opts.out) {
      const dir = resolve(opts.out);
      mkdirSync(dir, { recursive: true });
      const pc = join(dir, 'parallel-coordinates.svg');
      writeFileAtomic(
        pc,
        parallelCoordinates({
          params: rec.spec.parameters,
          trials,
          metric: rec.metricName ?? 'value',
          goal: rec.goal ?? 'minimize',
          title: `sweep ${rec.id}${rec.name ? ` (${rec.name})` : ''}`,
        }),
      );
      files.push(pc);
      if (importance.length > 0) {
        const imp = join(dir, 'importance.svg');
        writeFileAtomic(
          imp,
          barChart({
            title: `parameter association with ${rec.metricName ?? 'the metric'}`,
            categories: importance.map((i) => `${i.param} (${i.kind === 'eta' ? 'η' : 'ρ'})`),
            series: [{ name: '|correlation|', values: importance.map((i) => Math.abs(i.value)) }],
            yLabel: '|Spearman ρ| or correlation ratio η',
          }),
        );
        files.push(imp);
      }
      if (best?.config) {
        const cfg = join(dir, 'best-config.yaml');
        writeFileAtomic(
          cfg,
          `# best trial ${best.index} of sweep ${rec.id}: ${rec.metricName} = ${best.value}\n${stringify(best.config)}`,
        );
        files.push(cfg);
      }
    }
    const value = { sweep: rec, best, importance, trials, files };
    emit(Boolean(opts.json), value, () => {
      const lines = [
        `sweep ${rec.id}${rec.name ? ` (${rec.name})` : ''}: ${rec.method}, ${rec.metricName ?? 'no metric'}${rec.goal ? ` (${rec.goal})` : ''}, ${rec.status}, ${trials.length}/${rec.runCap} trials, seed ${rec.seed}`,
      ];
      for (const n of rec.notes) lines.push(`note: ${n}`);
      if (best) {
        lines.push(
          '',
          `best: trial ${best.index} ${rec.metricName} = ${fmt(best.value)}${best.runId ? ` (run ${best.runId})` : ''}`,
        );
        for (const [k, v] of Object.entries(best.params)) lines.push(`  ${k} = ${JSON.stringify(v)}`);
      }
      if (importance.length > 0) {
        lines.push(
          '',
          'parameter association with the metric over finished trials (Spearman ρ, or η for categorical):',
        );
        for (const i of importance)
          lines.push(`  ${i.param.padEnd(20)} ${i.kind === 'eta' ? 'η' : 'ρ'} = ${i.value.toFixed(3)}`);
      }
      lines.push('', trialsTable(trials, rec.metricName));
      for (const f of files) lines.push(`wrote ${f}`);
      return lines.join('\n');
    });
  } finally {
    await store.close();
  }
}

export function register(program: Command): void {
  const sweep = program
    .command('sweep')
    .description('Hyperparameter sweeps from a W&B sweep YAML (grid, random, bayes/TPE; Hyperband early stopping).')
    .argument('[overrides...]', 'key=value overrides of the base config (sweep parameters win over them)')
    .option('-c, --config <file>', 'sweep YAML in the W&B format')
    .option('--resume <sweep>', 'finish a sweep that was interrupted (its recorded config is used)')
    .option(
      '-w, --workers <n>',
      'trials at once: local worker processes, or jobs in flight with --queue (0 = in this process)',
      (v: string) => intFlag('workers', v, 0),
      1,
    )
    .option('--queue <url>', 'redis://host:port: put trials on a BullMQ queue for `gnnops sweep worker`')
    .option('--queue-name <name>', 'BullMQ queue name', DEFAULT_QUEUE)
    .option('--preset <name>', 'base config preset')
    .option('--base <file>', 'base config YAML')
    .option('--seed <n>', 'seed of the search (default random; recorded)', (v: string) => intFlag('seed', v, 0))
    .option('--trial-module <file>', 'module exporting a TrialFn to run instead of the trainer')
    .option('--json', 'print the summary as JSON')
    .addHelpText('after', aliasHelp())
    .action((overrides: string[], opts: SweepOpts) => runCommand(overrides, opts));

  sweep
    .command('worker')
    .description('Pull sweep trials from a BullMQ queue and run them (any number of machines).')
    .option('--queue <url>', 'redis://host:port (required)')
    .option('--queue-name <name>', 'BullMQ queue name', DEFAULT_QUEUE)
    .option(
      '--concurrency <n>',
      'trials at once on this machine, each in its own process',
      (v: string) => intFlag('concurrency', v, 1),
      1,
    )
    .option('--trial-module <file>', 'module exporting a TrialFn to run instead of the trainer')
    .action(async (_opts: unknown, cmd: Command) => {
      // The parent `sweep` command shares option names (--queue, --json …): read them merged with its own.
      const opts = cmd.optsWithGlobals<{
        queue?: string;
        queueName: string;
        concurrency: number;
        trialModule?: string;
      }>();
      if (!opts.queue)
        throw new GnnopsError(ErrorCodes.INVALID_ARGUMENT, 'sweep worker: --queue redis://host:port is required');
      const queue = opts.queue;
      const ac = new AbortController();
      const stop = () => ac.abort();
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
      try {
        await runQueueWorker({
          url: queue,
          name: opts.queueName,
          concurrency: opts.concurrency,
          module: opts.trialModule ? moduleSpecifier(opts.trialModule) : DEFAULT_TRIAL_MODULE,
          signal: ac.signal,
          onJob: (task, o) => log.info({ trial: task.trialId, status: o.status, value: o.value }, 'trial done'),
        });
      } finally {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
      }
    });

  sweep
    .command('show')
    .description('Best config, parameter association with the metric, trials table; SVG charts with --out.')
    .argument('<sweep>', 'sweep id (or a unique prefix)')
    .option('--out <dir>', 'write parallel-coordinates.svg, importance.svg and best-config.yaml here')
    .option('--json', 'print JSON')
    .action((id: string, _opts: unknown, cmd: Command) =>
      showCommand(id, cmd.optsWithGlobals<{ out?: string; json?: boolean }>()),
    );

  sweep
    .command('list')
    .description('Sweeps in this workspace.')
    .option('--json', 'print JSON')
    .action(async (_opts: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<{ json?: boolean }>();
      const store = await openStore();
      try {
        const sweeps = new SweepStore(store);
        const list = await Promise.all(
          (await sweeps.list()).map(async (s) => {
            const trials = await sweeps.trials(s.id);
            return { ...s, trials: trials.length, best: bestTrial(s, trials)?.value ?? null };
          }),
        );
        emit(Boolean(opts.json), list, () =>
          table(
            ['id', 'name', 'method', 'metric', 'status', 'trials', 'best', 'created'],
            list.map((s) => [
              s.id,
              s.name ?? '',
              s.method,
              s.metricName ?? '',
              s.status,
              `${s.trials}/${s.runCap}`,
              fmt(s.best),
              new Date(s.createdAt).toISOString().slice(0, 19),
            ]),
          ),
        );
      } finally {
        await store.close();
      }
    });
}
