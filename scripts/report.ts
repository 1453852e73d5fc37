// The course report (reports/README.md, the DTU 02476 exam template) checked and rendered.
//   npm run report -- check [file]          the template's rules: 31 answers, words and images per question
//   npm run report -- html [file] [--out f] one self-contained HTML file (images inlined), default reports/report.html
// Answers are read as the course's report.py reads them: the text after each "Answer:" up to the next "###" (or "##")
// heading; the last answer runs to the end. Words are whitespace-separated tokens; images are ![..](..) links.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import MarkdownIt from 'markdown-it';
import { writeFileAtomic } from '../src/util/fs.js';

export interface Rule {
  words?: [number, number];
  images?: [number, number];
}

const W100_200: Rule = { words: [100, 200] };

/** Word and image limits per question (1-based), as the course's report template sets them; unlisted questions are free. */
export const RULES: Record<number, Rule> = {
  3: W100_200,
  4: W100_200,
  5: W100_200,
  6: W100_200,
  7: { words: [50, 100] },
  8: W100_200,
  9: W100_200,
  10: W100_200,
  11: { words: [200, 300] },
  12: { words: [50, 100] },
  13: W100_200,
  14: { words: [200, 300], images: [1, 3] },
  15: W100_200,
  16: W100_200,
  17: { words: [50, 200] },
  18: W100_200,
  19: { images: [1, 2] },
  20: { images: [1, 2] },
  21: { images: [1, 2] },
  22: W100_200,
  23: W100_200,
  24: W100_200,
  25: W100_200,
  26: W100_200,
  27: W100_200,
  28: { words: [0, 200] },
  29: { words: [200, 400], images: [1, 1] },
  30: { words: [200, 400] },
  31: { words: [50, 300] },
};

export const QUESTIONS = 31;
const IMAGE = /!\[.*?\]\((.*?)\)/g;

/** The answers in template order (report.py's splitting). */
export function extractAnswers(text: string): string[] {
  const parts = text.split('Answer:');
  parts.shift();
  const answers: string[] = [];
  for (const p of parts) {
    if (p.includes('###')) {
      let a = p.split('###')[0];
      if (a.includes('##')) a = a.split('##')[0];
      answers.push(a);
    }
  }
  if (parts.length > 0) answers.push(parts[parts.length - 1]);
  return answers.map((a) => a.replace(/^\n+|\n+$/g, ''));
}

export const countWords = (s: string): number => s.split(/\s+/).filter(Boolean).length;
export const imagesIn = (s: string): string[] => [...s.matchAll(IMAGE)].map((m) => m[1]);

export interface QuestionResult {
  question: number;
  words: number;
  images: number;
  ok: boolean;
  problems: string[];
}

export interface CheckResult {
  answers: number;
  passed: number;
  results: QuestionResult[];
  /** Structural problems (wrong answer count, missing image files, unfilled placeholders). */
  errors: string[];
}

/** Apply the rules; `baseDir` resolves image paths (each must exist). */
export function checkReport(text: string, baseDir: string): CheckResult {
  const answers = extractAnswers(text);
  const errors: string[] = [];
  if (answers.length !== QUESTIONS) {
    errors.push(`expected ${QUESTIONS} answers, found ${answers.length} (has the template been changed?)`);
  }
  const results = answers.slice(0, QUESTIONS).map((answer, i): QuestionResult => {
    const q = i + 1;
    const rule = RULES[q] ?? {};
    const words = countWords(answer);
    const imgs = imagesIn(answer);
    const problems: string[] = [];
    if (rule.words && (words < rule.words[0] || words > rule.words[1])) {
      problems.push(`expected ${rule.words[0]}-${rule.words[1]} words, got ${words}`);
    }
    if (rule.images && (imgs.length < rule.images[0] || imgs.length > rule.images[1])) {
      problems.push(`expected ${rule.images[0]}-${rule.images[1]} images, got ${imgs.length}`);
    }
    if (/--- question \d+ fill here ---/.test(answer)) problems.push('not answered yet');
    for (const src of imgs) {
      if (!/^https?:/.test(src) && !existsSync(resolve(baseDir, src))) problems.push(`image ${src} does not exist`);
    }
    return { question: q, words, images: imgs.length, ok: problems.length === 0, problems };
  });
  return { answers: answers.length, passed: results.filter((r) => r.ok).length, results, errors };
}

const MIME: Record<string, string> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.svg': 'image/svg+xml',
};

/**
 * Render the report to one HTML page without the template's title line (report.py cuts a fixed 43 characters,
 * which is meant to be that title but cuts it mid-word).
 */
export function renderReport(text: string, baseDir: string): string {
  const md = new MarkdownIt({ html: false, linkify: true });
  const defaultImage = md.renderer.rules.image;
  md.renderer.rules.image = (tokens, idx, options, env, self) => {
    const token = tokens[idx];
    const src = token.attrGet('src') ?? '';
    const file = resolve(baseDir, src);
    const mime = MIME[extname(src).toLowerCase()];
    if (mime && !/^https?:/.test(src) && existsSync(file)) {
      token.attrSet('src', `data:${mime};base64,${readFileSync(file).toString('base64')}`);
    }
    return defaultImage ? defaultImage(tokens, idx, options, env, self) : self.renderToken(tokens, idx, options);
  };
  const body = md.render(text.startsWith('# ') ? text.slice(text.indexOf('\n') + 1) : text);
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">',
    '<title>gnnops: 02476 MLOps project report</title>',
    '<style>body{font:16px/1.55 system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;color:#1b1f24}',
    'img{max-width:100%;border:1px solid #d0d7de}blockquote{color:#57606a;border-left:4px solid #d0d7de;margin:0;padding:0 1rem}',
    'code{background:#f6f8fa;padding:.1em .3em;border-radius:4px}pre code{display:block;padding:.8em;overflow:auto}</style>',
    `</head><body>${body}</body></html>`,
    '',
  ].join('\n');
}

function main(argv: string[]): number {
  const [cmd, ...rest] = argv;
  const outAt = rest.indexOf('--out');
  const out = outAt >= 0 ? rest[outAt + 1] : undefined;
  const positional = rest.filter((a, i) => !a.startsWith('--') && (outAt < 0 || i !== outAt + 1));
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const file = resolve(positional[0] ?? join(root, 'reports/README.md'));
  if (cmd !== 'check' && cmd !== 'html') {
    process.stderr.write('usage: npm run report -- check|html [README.md] [--out report.html]\n');
    return 2;
  }
  if (!existsSync(file)) {
    process.stderr.write(`report: ${file} does not exist\n`);
    return 1;
  }
  const text = readFileSync(file, 'utf8');
  if (cmd === 'html') {
    const target = resolve(out ?? join(dirname(file), 'report.html'));
    writeFileAtomic(target, renderReport(text, dirname(file)));
    process.stdout.write(`report: wrote ${target}\n`);
    return 0;
  }
  const r = checkReport(text, dirname(file));
  for (const e of r.errors) process.stdout.write(`error: ${e}\n`);
  for (const q of r.results) {
    if (!q.ok) process.stdout.write(`question ${q.question}: ${q.problems.join('; ')}\n`);
  }
  process.stdout.write(`report: ${r.passed}/${r.answers} questions pass the template's checks\n`);
  return r.errors.length === 0 && r.passed === QUESTIONS ? 0 : 1;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2));
}
