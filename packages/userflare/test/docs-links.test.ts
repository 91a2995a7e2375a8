import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../../..');

/** The pages a reader follows links through: the front door, the security notes, docs/ and what npm shows. */
function documentationFiles(): string[] {
  const files = ['README.md', 'SECURITY.md']
    .map((name) => join(ROOT, name))
    .filter((file) => existsSync(file));
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.md')) files.push(path);
    }
  };
  if (existsSync(join(ROOT, 'docs'))) walk(join(ROOT, 'docs'));
  for (const pkg of readdirSync(join(ROOT, 'packages'))) {
    const readme = join(ROOT, 'packages', pkg, 'README.md');
    if (existsSync(readme)) files.push(readme);
  }
  return files;
}

/**
 * The text with fenced code blocks and inline code blanked out, line breaks kept: `[a](b)` inside code
 * is an example, not a link, and line numbers still point at the source.
 */
function proseOf(markdown: string): string[] {
  let fence: string | undefined;
  return markdown.split('\n').map((line) => {
    const opener = /^ {0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence !== undefined) {
      if (opener !== undefined && opener[0] === fence[0] && opener.length >= fence.length) fence = undefined;
      return '';
    }
    if (opener !== undefined) {
      fence = opener;
      return '';
    }
    return line.replace(/(`+)[\s\S]*?[^`]\1(?!`)|(`+)\2(?!`)/g, (code) => ' '.repeat(code.length));
  });
}

interface Link {
  line: number;
  target: string;
}

const INLINE_LINK =
  /\]\(\s*(<[^>]*>|[^()\s]*(?:\([^()\s]*\)[^()\s]*)*)(?:\s+(?:"[^"]*"|'[^']*'|\([^)]*\)))?\s*\)/g;
const REFERENCE_DEFINITION = /^ {0,3}\[[^\]]+\]:\s*(<[^>]*>|\S+)/;

/** Every `[text](target)`, `![alt](target)` and `[label]: target` outside code. */
function linksOf(markdown: string): Link[] {
  const links: Link[] = [];
  proseOf(markdown).forEach((text, index) => {
    for (const match of text.matchAll(INLINE_LINK)) links.push({ line: index + 1, target: match[1] ?? '' });
    const definition = REFERENCE_DEFINITION.exec(text)?.[1];
    if (definition !== undefined) links.push({ line: index + 1, target: definition });
  });
  return links
    .map((link) => ({ ...link, target: link.target.replace(/^<(.*)>$/, '$1') }))
    .filter((link) => link.target !== '');
}

function isExternal(target: string): boolean {
  return /^(https?|mailto):/i.test(target);
}

/**
 * GitHub's anchor for a heading: the rendered text lowercased, every character that is not a letter, a
 * digit, a space, `-` or `_` dropped, each space turned into `-`.
 */
function githubSlug(heading: string): string {
  const rendered = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/<[^>]+>/g, '')
    .trim();
  return rendered
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\s_-]/gu, '')
    .replace(/ /g, '-');
}

/** The anchors a file offers: one per heading (repeats get `-1`, `-2`, …, as on GitHub), plus explicit ids. */
function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  let fence: string | undefined;
  for (const line of markdown.split('\n')) {
    const opener = /^ {0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence !== undefined) {
      if (opener !== undefined && opener[0] === fence[0] && opener.length >= fence.length) fence = undefined;
      continue;
    }
    if (opener !== undefined) {
      fence = opener;
      continue;
    }
    const heading = /^ {0,3}#{1,6}\s+(.*?)(?:\s+#+\s*)?$/.exec(line)?.[1];
    if (heading !== undefined) {
      const slug = githubSlug(heading);
      const count = seen.get(slug) ?? 0;
      seen.set(slug, count + 1);
      anchors.add(count === 0 ? slug : `${slug}-${count}`);
    }
    for (const match of line.matchAll(/<a\s+(?:name|id)="([^"]+)"/g)) anchors.add(match[1] ?? '');
  }
  return anchors;
}

interface Problem {
  at: string;
  target: string;
  why: string;
}

/** Every relative link of `file` that names nothing, and every `#anchor` into markdown that names no heading. */
function brokenLinksOf(file: string): Problem[] {
  const problems: Problem[] = [];
  for (const { line, target } of linksOf(readFileSync(file, 'utf8'))) {
    if (isExternal(target)) continue;
    const at = `${relative(ROOT, file)}:${line}`;
    const hashAt = target.indexOf('#');
    const pathPart = hashAt === -1 ? target : target.slice(0, hashAt);
    const anchor = hashAt === -1 ? undefined : decodeURIComponent(target.slice(hashAt + 1));
    const decoded = decodeURIComponent(pathPart.split('?')[0] ?? '');
    const destination =
      decoded === '' ? file : decoded.startsWith('/') ? join(ROOT, decoded) : resolve(dirname(file), decoded);
    if (!existsSync(destination)) {
      problems.push({ at, target, why: `${relative(ROOT, destination)} does not exist` });
      continue;
    }
    if (
      anchor === undefined ||
      anchor === '' ||
      !destination.endsWith('.md') ||
      statSync(destination).isDirectory()
    ) {
      continue;
    }
    if (!anchorsOf(readFileSync(destination, 'utf8')).has(anchor)) {
      problems.push({
        at,
        target,
        why: `${relative(ROOT, destination)} has no heading with anchor #${anchor}`,
      });
    }
  }
  return problems;
}

const FILES = documentationFiles();

describe('documentation links', () => {
  it('checks the README, SECURITY.md, every page of docs/ and every package README', () => {
    const checked = FILES.map((file) => relative(ROOT, file));
    expect(checked).toEqual(expect.arrayContaining(['README.md', 'SECURITY.md', join('docs', 'README.md')]));
    expect(checked.filter((file) => file.startsWith('packages/')).length).toBeGreaterThanOrEqual(3);
  });

  it.each(FILES.map((file) => [relative(ROOT, file), file]))(
    'resolves every relative link and anchor in %s',
    (_name, file) => {
      expect(brokenLinksOf(file)).toEqual([]);
    },
  );

  it('turns headings into the anchors GitHub gives them', () => {
    expect(githubSlug('PostgreSQL and several replicas')).toBe('postgresql-and-several-replicas');
    expect(githubSlug('`startUserflare(options?)`')).toBe('startuserflareoptions');
    expect(githubSlug('Emulator controls: `UserflareAdmin`')).toBe('emulator-controls-userflareadmin');
    expect(githubSlug('The admin plane (`/__userflare/…`, header `X-Admin-Key`)')).toBe(
      'the-admin-plane-__userflare-header-x-admin-key',
    );
    expect(githubSlug('Jest: globalSetup and globalTeardown')).toBe('jest-globalsetup-and-globalteardown');
  });

  it('gives repeated headings numbered anchors and ignores headings inside code blocks', () => {
    const anchors = anchorsOf('# Setup\n\n## Setup\n\n```sh\n# not a heading\n```\n');
    expect([...anchors]).toEqual(['setup', 'setup-1']);
  });

  it('reads links outside code only, with titles and angle brackets removed', () => {
    const markdown = [
      'See [the docs](docs/README.md "Docs") and ![logo](<img/a b.png>).',
      'Not `[code](nowhere.md)`, nor [mail](mailto:a@example.com) skipped later.',
      '```ts',
      'const x = a[0](b);',
      '```',
      '[ref]: ../SECURITY.md#known-gaps',
    ].join('\n');
    expect(linksOf(markdown)).toEqual([
      { line: 1, target: 'docs/README.md' },
      { line: 1, target: 'img/a b.png' },
      { line: 2, target: 'mailto:a@example.com' },
      { line: 6, target: '../SECURITY.md#known-gaps' },
    ]);
  });
});
