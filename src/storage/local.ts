import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { ErrorCodes, GnnopsError } from '../util/errors.js';
import { writeFileAtomic } from '../util/fs.js';
import { checkKey, normalisePrefix } from './keys.js';
import type { ObjectStorage } from './types.js';

/** Objects as files under `root/<prefix><key>`; writes are atomic (temp file + rename). */
export class LocalStorage implements ObjectStorage {
  readonly kind = 'local';
  private readonly base: string;

  constructor(
    readonly root: string,
    prefix = '',
  ) {
    this.base = join(root, ...normalisePrefix(prefix).split('/').filter(Boolean));
  }

  private pathOf(key: string): string {
    return join(this.base, ...checkKey(key).split('/'));
  }

  async put(key: string, data: Uint8Array): Promise<void> {
    const p = this.pathOf(key);
    mkdirSync(join(p, '..'), { recursive: true });
    writeFileAtomic(p, data);
  }

  async get(key: string): Promise<Uint8Array> {
    const p = this.pathOf(key);
    if (!existsSync(p) || !statSync(p).isFile()) {
      throw new GnnopsError(ErrorCodes.NOT_FOUND, `storage (local): no object at key ${JSON.stringify(key)}`, { key });
    }
    return new Uint8Array(readFileSync(p));
  }

  async exists(key: string): Promise<boolean> {
    const p = this.pathOf(key);
    return existsSync(p) && statSync(p).isFile();
  }

  async list(prefix = ''): Promise<string[]> {
    const out: string[] = [];
    const walk = (dir: string) => {
      if (!existsSync(dir)) return;
      for (const name of readdirSync(dir)) {
        const p = join(dir, name);
        if (statSync(p).isDirectory()) walk(p);
        else if (!name.includes('.tmp-')) out.push(relative(this.base, p).split(sep).join('/'));
      }
    };
    walk(this.base);
    return out.filter((k) => k.startsWith(prefix)).sort();
  }

  async delete(key: string): Promise<void> {
    rmSync(this.pathOf(key), { force: true });
  }
}
