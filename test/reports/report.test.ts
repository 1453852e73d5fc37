import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { repoRoot } from '../../scripts/check-deploy.js';
import { checkReport, countWords, extractAnswers, imagesIn, RULES, renderReport } from '../../scripts/report.js';

const dir = mkdtempSync(join(tmpdir(), 'gnnops-report-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const words = (n: number) => Array.from({ length: n }, (_, i) => `w${i}`).join(' ');

/** A template-shaped document with the given answers (index 0 = question 1). */
function doc(answers: string[]): string {
  const head = '# Exam template for 02476 Machine Learning Operations\n\nintro\n\n## Overall project checklist\n\n';
  return (
    head +
    answers
      .map(
        (a, i) =>
          `${i % 5 === 0 ? '## Section\n\n' : ''}### Question ${i + 1}\n\n> **prompt**\n>\n> Answer:\n\n${a}\n\n`,
      )
      .join('')
  );
}

/** Answers that satisfy every rule: the lower word bound, the lower image bound. */
function validAnswers(): string[] {
  return Array.from({ length: 31 }, (_, i) => {
    const r = RULES[i + 1] ?? {};
    const img = Array.from({ length: r.images?.[0] ?? 0 }, () => '![fig](figures/a.png)').join(' ');
    return [words(r.words?.[0] ?? 1), img].filter(Boolean).join(' ');
  });
}

describe('report checker (the template rules of the course)', () => {
  writeFileSync(join(dir, 'a.png'), 'png');

  it('word limits per question are those the course template sets', () => {
    for (const q of [3, 4, 5, 6, 8, 9, 10, 13, 15, 16, 18, 22, 23, 24, 25, 26, 27])
      assert.deepEqual(RULES[q].words, [100, 200], `Q${q}`);
    assert.deepEqual(RULES[7].words, [50, 100]);
    assert.deepEqual(RULES[12].words, [50, 100]);
    assert.deepEqual(RULES[11].words, [200, 300]);
    assert.deepEqual(RULES[14], { words: [200, 300], images: [1, 3] });
    assert.deepEqual(RULES[17].words, [50, 200]);
    for (const q of [19, 20, 21]) assert.deepEqual(RULES[q], { images: [1, 2] });
    assert.deepEqual(RULES[28].words, [0, 200]);
    assert.deepEqual(RULES[29], { words: [200, 400], images: [1, 1] });
    assert.deepEqual(RULES[30].words, [200, 400]);
    assert.deepEqual(RULES[31].words, [50, 300]);
    assert.equal(RULES[1], undefined);
    assert.equal(RULES[2], undefined);
  });

  it('splits answers at "Answer:" and ends each at the next heading', () => {
    const a = extractAnswers(doc(['one two', 'three']));
    assert.deepEqual(a, ['one two', 'three']);
    assert.equal(countWords(' a  b\nc '), 3);
    assert.deepEqual(imagesIn('x ![a](figures/a.png) y ![](b.jpg)'), ['figures/a.png', 'b.jpg']);
  });

  it('a document meeting every bound passes 31/31; image paths must exist', () => {
    const text = doc(validAnswers()).replaceAll('figures/a.png', 'a.png');
    const r = checkReport(text, dir);
    assert.deepEqual(r.errors, []);
    assert.equal(r.passed, 31, JSON.stringify(r.results.filter((x) => !x.ok)));
    const elsewhere = checkReport(text, tmpdir());
    assert.ok(elsewhere.results[13].problems.includes('image a.png does not exist'), 'missing images fail');
  });

  it('reports each rule broken, and a wrong number of answers', () => {
    const answers = validAnswers().map((a) => a.replaceAll('figures/a.png', 'a.png'));
    answers[6] = words(101); // Q7 max 100
    answers[10] = words(199); // Q11 min 200
    answers[13] = words(250); // Q14 needs an image
    answers[28] = `${words(250)} ![a](a.png) ![b](a.png)`; // Q29 exactly one image
    answers[30] = '--- question 31 fill here ---';
    const r = checkReport(doc(answers), dir);
    assert.deepEqual(
      r.results.filter((x) => !x.ok).map((x) => x.question),
      [7, 11, 14, 29, 31],
    );
    assert.match(r.results[6].problems[0], /expected 50-100 words, got 101/);
    assert.match(r.results[13].problems[0], /expected 1-3 images, got 0/);
    assert.ok(r.results[30].problems.includes('not answered yet'));
    const short = checkReport(doc(answers.slice(0, 30)), dir);
    assert.match(short.errors[0], /expected 31 answers, found 30/);
  });

  it('renders one HTML file with images inlined and the title line dropped', () => {
    const html = renderReport(doc(['see ![fig](a.png)', 'x']), dir);
    assert.match(html, /^<!doctype html>/);
    assert.ok(html.includes('src="data:image/png;base64,cG5n"'), 'the image is a data URI');
    assert.ok(!html.includes('Exam template for 02476') && !html.includes('Operations'), 'the title line is dropped');
    assert.ok(html.includes('<h3>Question 1</h3>'));
  });

  it('reports/README.md passes the checks 31/31', () => {
    const r = checkReport(readFileSync(join(repoRoot, 'reports/README.md'), 'utf8'), join(repoRoot, 'reports'));
    assert.deepEqual(r.errors, []);
    assert.deepEqual(
      r.results.filter((x) => !x.ok).map((x) => `Q${x.question}: ${x.problems.join('; ')}`),
      [],
    );
  });
});
