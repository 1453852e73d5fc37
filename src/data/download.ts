/**
 * Fetch a dataset's raw files into `<home>/data/<name>/raw` (PyG's layout), from the canonical URLs or a mirror
 * (a local folder or a base URL holding the same file names; `--mirror` or GNNOPS_DATA_MIRROR).
 *
 * - Every file is verified (sha256, git blob id, or for an archive without a published digest the CRC-32 of every
 *   member; each dataset declares which in datasets/*.ts) before it takes its final name; a file already present is
 *   re-verified (streamed, never read whole) and replaced when it is corrupt or truncated.
 * - Downloads stream into `<name>.part` and resume it with an HTTP Range request when the server allows it;
 *   the verified file is renamed into place, so a reader never sees half a file.
 * - A progress bar goes to stderr on a TTY only.
 * - Offline with no mirror, the error names the file, the URL and the cause, and the two ways out.
 */
import { createHash } from 'node:crypto';
import {
  closeSync,
  copyFileSync,
  createReadStream,
  existsSync,
  mkdirSync,
  openSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import cliProgress from 'cli-progress';
import { ErrorCodes, GnnopsError } from '../util/errors.js';
import { gitBlobId, sha256 } from '../util/fs.js';
import { homePath } from '../util/home.js';
import { log } from '../util/logger.js';
import { extractZip } from './import/zip.js';
import { type DatasetName, type DatasetSource, type RawFile, sourceFor, type Verification } from './sources.js';

export interface DownloadOptions {
  /** Folder or http(s) base URL with the same file names. Default: env GNNOPS_DATA_MIRROR, else canonical URLs. */
  mirror?: string;
  /** Raw folder; default `homePath('data', dataset, 'raw')`. */
  rawDir?: string;
  /** Show a progress bar (default: when stderr is a TTY). */
  progress?: boolean;
  /** Abort a download after this long without receiving a byte (default 30 s). */
  stallTimeoutMs?: number;
  /** Re-fetch even when a verified file is present. */
  force?: boolean;
}

export type FileSource = 'cache' | 'mirror-dir' | 'mirror-url' | 'canonical';

export interface FetchedFile {
  name: string;
  path: string;
  bytes: number;
  source: FileSource;
  /** How the bytes were checked. */
  verified: Verification;
  /** Where they came from (path or URL). */
  from: string;
}

export interface DownloadResult {
  dataset: string;
  rawDir: string;
  files: FetchedFile[];
  /** Optional files that could not be fetched, with the reason. */
  skipped: { name: string; reason: string }[];
}

export function rawDirFor(dataset: string): string {
  return homePath('data', dataset, 'raw');
}

export function resolveMirror(mirror: string | undefined): string | undefined {
  const m = mirror ?? process.env.GNNOPS_DATA_MIRROR;
  return m && m.trim().length > 0 ? m.trim() : undefined;
}

const isUrl = (s: string) => /^https?:\/\//i.test(s);

function mismatch(file: RawFile, where: string, what: string, expected: string, got: string, bytes: number): never {
  throw new GnnopsError(
    ErrorCodes.DATA_CHECKSUM,
    `${file.name} from ${where} fails verification: ${what} ${got}, expected ${expected} (${bytes} bytes; a truncated or different file)`,
    { file: file.name, expected, got, bytes },
  );
}

/** Check bytes against the file's expected digest; returns the method, or throws DATA_CHECKSUM. */
export function verifyBytes(file: RawFile, bytes: Uint8Array, where: string): 'sha256' | 'git-blob' {
  if (file.sha256) {
    const got = sha256(bytes);
    if (got !== file.sha256) mismatch(file, where, 'sha256', file.sha256, got, bytes.byteLength);
    return 'sha256';
  }
  if (file.gitBlob) {
    const got = gitBlobId(bytes);
    if (got !== file.gitBlob) mismatch(file, where, 'git blob id', file.gitBlob, got, bytes.byteLength);
    return 'git-blob';
  }
  throw new GnnopsError(ErrorCodes.INTERNAL, `${file.name}: no digest to verify against`);
}

/** sha256 or git blob id of a file, streamed. */
async function digestOf(path: string, kind: 'sha256' | 'git-blob'): Promise<string> {
  const h = createHash(kind === 'sha256' ? 'sha256' : 'sha1');
  if (kind === 'git-blob') h.update(`blob ${statSync(path).size}\0`);
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** Check a file on disk against what its dataset declares; returns the method, or throws DATA_CHECKSUM. */
export async function verifyFile(file: RawFile, path: string, where: string): Promise<Verification> {
  const bytes = statSync(path).size;
  if (file.sha256) {
    const got = await digestOf(path, 'sha256');
    if (got !== file.sha256) mismatch(file, where, 'sha256', file.sha256, got, bytes);
    return 'sha256';
  }
  if (file.gitBlob) {
    const got = await digestOf(path, 'git-blob');
    if (got !== file.gitBlob) mismatch(file, where, 'git blob id', file.gitBlob, got, bytes);
    return 'git-blob';
  }
  if (file.zip) {
    if (file.zip.bytes !== undefined && bytes !== file.zip.bytes) {
      mismatch(file, where, 'size', String(file.zip.bytes), String(bytes), bytes);
    }
    try {
      await extractZip(path, undefined);
    } catch (e) {
      if (!(e instanceof GnnopsError)) throw e;
      throw new GnnopsError(ErrorCodes.DATA_CHECKSUM, `${file.name} from ${where} fails verification: ${e.message}`, {
        ...e.details,
        file: file.name,
      });
    }
    return 'zip-crc32';
  }
  throw new GnnopsError(ErrorCodes.INTERNAL, `${file.name}: no digest to verify against`);
}

async function fileMatches(file: RawFile, path: string): Promise<boolean> {
  try {
    await verifyFile(file, path, path);
    return true;
  } catch (e) {
    if (e instanceof GnnopsError && e.code === ErrorCodes.DATA_CHECKSUM) return false;
    throw e;
  }
}

function waysOut(source: DatasetSource): string {
  return `Two ways out: (1) a mirror holding the same file names: --mirror DIR_OR_URL or GNNOPS_DATA_MIRROR=DIR_OR_URL; (2) ${source.offline.dataFileHint}.`;
}

function describeCause(e: unknown): string {
  const err = e as { message?: string; cause?: { code?: string; message?: string }; name?: string };
  if (err?.name === 'TimeoutError' || err?.name === 'AbortError') return 'no data received before the stall timeout';
  const c = err?.cause;
  if (c?.code === 'ENOTFOUND' || c?.code === 'EAI_AGAIN') return `${c.message ?? c.code} (no network or DNS?)`;
  if (c?.code || c?.message) return `${c.message ?? c.code}`;
  return err?.message ?? String(e);
}

/** Stream url into partPath, resuming from its current size when the server honours Range. */
async function httpDownload(
  url: string,
  partPath: string,
  opts: Required<Pick<DownloadOptions, 'progress' | 'stallTimeoutMs'>>,
  label: string,
): Promise<void> {
  const have = existsSync(partPath) ? statSync(partPath).size : 0;
  const ctrl = new AbortController();
  let timer = setTimeout(() => ctrl.abort(), opts.stallTimeoutMs);
  const poke = () => {
    clearTimeout(timer);
    timer = setTimeout(() => ctrl.abort(), opts.stallTimeoutMs);
  };
  let bar: cliProgress.SingleBar | undefined;
  try {
    const res = await fetch(url, {
      signal: ctrl.signal,
      headers: have > 0 ? { Range: `bytes=${have}-` } : {},
      redirect: 'follow',
    });
    if (res.status === 416 && have > 0) {
      // The part file is already complete (or longer than the file): let verification decide.
      return;
    }
    if (!res.ok || !res.body) throw new Error(`HTTP ${res.status} ${res.statusText}`);
    const resumed = res.status === 206 && have > 0;
    const fd = openSync(partPath, resumed ? 'a' : 'w');
    const length = Number(res.headers.get('content-length') ?? 0);
    const total = (resumed ? have : 0) + length;
    let done = resumed ? have : 0;
    if (opts.progress) {
      bar = new cliProgress.SingleBar(
        { stream: process.stderr, format: `${label} [{bar}] {percentage}% {value}/{total} bytes`, hideCursor: true },
        cliProgress.Presets.shades_classic,
      );
      bar.start(total > 0 ? total : done, done);
    }
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        poke();
        let off = 0;
        while (off < chunk.byteLength) off += writeSync(fd, chunk, off, chunk.byteLength - off);
        done += chunk.byteLength;
        if (bar) {
          if (total <= 0) bar.setTotal(done);
          bar.update(done);
        }
      }
    } finally {
      closeSync(fd);
    }
  } finally {
    clearTimeout(timer);
    bar?.stop();
  }
}

/** Fetch one file into rawDir (verified, atomically). */
async function fetchOne(
  ds: DatasetSource,
  file: RawFile,
  rawDir: string,
  mirror: string | undefined,
  opts: Required<Pick<DownloadOptions, 'progress' | 'stallTimeoutMs' | 'force'>>,
): Promise<FetchedFile> {
  const dest = join(rawDir, file.name);
  const dataset = ds.name;
  if (existsSync(dest) && !opts.force) {
    try {
      const verified = await verifyFile(file, dest, dest);
      return { name: file.name, path: dest, bytes: statSync(dest).size, source: 'cache', verified, from: dest };
    } catch (e) {
      if (!(e instanceof GnnopsError && e.code === ErrorCodes.DATA_CHECKSUM)) throw e;
      log.warn({ file: dest, reason: e.message }, 'raw file is corrupt or truncated: fetching it again');
      rmSync(dest, { force: true });
    }
  }
  const part = `${dest}.part`;
  let source: FileSource;
  let from: string;
  if (mirror && !isUrl(mirror)) {
    const dir = resolve(mirror);
    from = join(dir, file.name);
    source = 'mirror-dir';
    if (!existsSync(dir)) {
      throw new GnnopsError(
        ErrorCodes.DATA_NOT_FOUND,
        `mirror folder ${dir} does not exist (from --mirror or GNNOPS_DATA_MIRROR)`,
        { mirror: dir },
      );
    }
    if (!existsSync(from)) {
      throw new GnnopsError(
        ErrorCodes.DATA_NOT_FOUND,
        `mirror folder ${dir} has no file ${file.name}, needed for ${dataset}`,
        { mirror: dir, file: file.name },
      );
    }
    copyFileSync(from, part);
  } else {
    source = mirror ? 'mirror-url' : 'canonical';
    from = mirror ? `${mirror.replace(/\/+$/, '')}/${file.name}` : file.url;
    try {
      const resumed = existsSync(part);
      await httpDownload(from, part, opts, file.name);
      if (resumed && !(await fileMatches(file, part))) {
        // A stale or foreign part file spoiled the resume: fetch the whole file once more.
        log.warn({ file: part }, 'resumed download does not verify: downloading the whole file again');
        rmSync(part, { force: true });
        await httpDownload(from, part, opts, file.name);
      }
    } catch (e) {
      const where = mirror ? `mirror ${mirror}` : 'the canonical source';
      throw new GnnopsError(
        ErrorCodes.DOWNLOAD_FAILED,
        `could not download ${dataset} ${file.name} from ${from} (${where}): ${describeCause(e)}. ${waysOut(ds)}`,
        { dataset, file: file.name, url: from, partial: existsSync(part) ? part : undefined },
      );
    }
  }
  const bytes = statSync(part).size;
  let verified: Verification;
  try {
    verified = await verifyFile(file, part, from);
  } catch (e) {
    // A bad part file must not be resumed: start over next time.
    rmSync(part, { force: true });
    throw e;
  }
  renameSync(part, dest);
  log.info({ file: dest, bytes, from, verified }, 'raw file fetched and verified');
  return { name: file.name, path: dest, bytes, source, verified, from };
}

/**
 * Make sure every raw file of a dataset is present and verified, fetching what is missing or corrupt.
 * Throws DOWNLOAD_FAILED (offline, HTTP error), DATA_NOT_FOUND (mirror lacks a file) or DATA_CHECKSUM.
 */
export async function downloadDataset(
  dataset: DatasetName | DatasetSource,
  opts: DownloadOptions = {},
): Promise<DownloadResult> {
  const source = typeof dataset === 'string' ? sourceFor(dataset) : dataset;
  const rawDir = opts.rawDir ?? rawDirFor(source.name);
  mkdirSync(rawDir, { recursive: true });
  const mirror = resolveMirror(opts.mirror);
  const o = {
    progress: opts.progress ?? Boolean(process.stderr.isTTY),
    stallTimeoutMs: opts.stallTimeoutMs ?? 30_000,
    force: opts.force ?? false,
  };
  const files: FetchedFile[] = [];
  const skipped: { name: string; reason: string }[] = [];
  for (const file of source.files) {
    try {
      files.push(await fetchOne(source, file, rawDir, mirror, o));
    } catch (e) {
      if (!file.optional) throw e;
      const reason = e instanceof Error ? e.message.split('. Two ways out')[0] : String(e);
      log.warn({ file: file.name, reason }, 'optional raw file not fetched');
      skipped.push({ name: file.name, reason });
    }
  }
  return { dataset: source.name, rawDir, files, skipped };
}
