// The blocks a site owner copies, read from the docs themselves: a fenced block whose info
// string is `<lang> quickstart:<names> [file]` belongs to the quick starts it names (comma
// separated; `all` = every one). With a file, its text is that file of the project; without,
// a `sh` block is commands to run in the project, in order.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../../scripts/collector.mjs';

export const DOCS = ['README.md', 'docs/tracker.md', 'docs/edge.md'];

/**
 * @typedef {{ lang: string, names: string[], file: string | null, code: string, where: string }} Snippet
 * @returns {Snippet[]} in document order
 */
export function snippets() {
  const out = [];
  for (const doc of DOCS) {
    const text = readFileSync(join(ROOT, doc), 'utf8');
    for (const m of text.matchAll(/^```(\w+) quickstart:([\w,-]+)(?: ([^\s`]+))?[ \t]*\n([\s\S]*?)^```[ \t]*$/gm)) {
      out.push({
        lang: m[1],
        names: m[2].split(','),
        file: m[3] ?? null,
        code: m[4],
        where: `${doc}:${text.slice(0, m.index).split('\n').length}`,
      });
    }
  }
  return out;
}

/** The blocks of one quick start (and those for all), in order. */
export function quickstart(name) {
  const own = snippets().filter((s) => s.names.includes(name) || s.names.includes('all'));
  if (!own.some((s) => s.names.includes(name))) throw new Error(`no quickstart:${name} block in ${DOCS.join(', ')}`);
  return own;
}
