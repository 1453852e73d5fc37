import { execFileSync } from 'node:child_process';

export interface GitInfo {
  /** HEAD commit. */
  sha: string;
  /** True when `git status --porcelain` lists anything (modified, staged or untracked files). */
  dirty: boolean;
}

function git(args: string[], cwd: string): string | null {
  try {
    return execFileSync('git', args, { cwd, stdio: ['ignore', 'pipe', 'ignore'], encoding: 'utf8', timeout: 10_000 });
  } catch {
    return null;
  }
}

/** The commit and dirty flag of the repository holding `cwd`, or null outside a repository (or without git). */
export function gitInfo(cwd: string = process.cwd()): GitInfo | null {
  const sha = git(['rev-parse', 'HEAD'], cwd)?.trim();
  if (!sha || !/^[0-9a-f]{40,64}$/.test(sha)) return null;
  const status = git(['status', '--porcelain'], cwd);
  return { sha, dirty: status === null ? true : status.trim().length > 0 };
}
