// A site owner's project, outside this repository: the packed package installed from its
// tarball, the quick start's files written and its commands run as the docs give them. What
// differs from machine to machine is substituted (the collector's URL, the tarball's path,
// addresses and the signing secret); nothing else.
import { execFile, execFileSync, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from '../../scripts/collector.mjs';
import { quickstart } from './snippets.mjs';

const run = promisify(execFile);
const scratch = mkdtempSync(join(tmpdir(), 'leadpulse-quickstart-'));
process.on('exit', () => rmSync(scratch, { recursive: true, force: true }));

/** What the docs call the collector (`https://leads.example.com/collect`). */
export const LEADS = 'https://leads.example.com';

/** The model these projects score with: unlike the built-in one, so a fallback cannot pass. */
export const MODEL = join(ROOT, 'tests/quickstart/model.json');

let packed;
/** `npm pack ./pkg`, once: the tarball a site owner installs. */
export function tarball() {
  packed ??= join(scratch, JSON.parse(execFileSync('npm', ['pack', join(ROOT, 'pkg'), '--pack-destination', scratch, '--json'], { encoding: 'utf8' }))[0].filename);
  return packed;
}

/** Lines of a shell block: comments dropped, `\` continuations joined. */
function commands(code) {
  return code.replace(/\\\n\s*/g, ' ').split('\n').map((l) => l.replace(/(^|\s)#.*$/, '').trim()).filter(Boolean);
}

/**
 * Sets up quick start `name` in a fresh folder: its files written and its commands run, with
 * `substitute` (placeholder → value) applied to both. Commands that end in `&` keep running
 * (`stop()` ends them).
 * @param {string} name
 * @param {Record<string, string>} substitute
 * @param {Record<string, string>} [own]  files of the site's own that the docs leave to it (the
 *   page that loads a bundle), written first
 */
export async function project(name, substitute = {}, own = {}) {
  const dir = mkdtempSync(join(scratch, `${name}-`));
  mkdirSync(join(dir, 'public'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `acme-${name}`, private: true, type: 'module' }, null, 2));
  copyFileSync(MODEL, join(dir, 'model.json'));
  for (const [file, text] of Object.entries(own)) writeOwn(dir, file, text);
  const swap = { '/path/to/leadpulse-0.1.0.tgz': tarball(), ...substitute };
  const apply = (text) => Object.entries(swap).reduce((t, [from, to]) => t.split(from).join(to), text);
  const background = [];
  const log = [];
  // NOTE: the npm cache (filled by `make setup`) serves what the commands install; the
  // registry is asked only for what it lacks.
  const env = { ...process.env, npm_config_prefer_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };
  for (const block of quickstart(name)) {
    if (block.file) {
      const path = join(dir, block.file);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, apply(block.code));
      continue;
    }
    if (block.lang !== 'sh') throw new Error(`${block.where}: a ${block.lang} block without a file name`);
    for (const line of commands(apply(block.code))) {
      if (line.endsWith('&')) {
        const child = spawn('bash', ['-c', line.slice(0, -1)], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
        child.stdout.on('data', (d) => log.push(String(d)));
        child.stderr.on('data', (d) => log.push(String(d)));
        background.push(child);
        continue;
      }
      try {
        await run('bash', ['-ec', line], { cwd: dir, env, maxBuffer: 64 << 20, timeout: 300_000 });
      } catch (e) {
        throw new Error(`${block.where}: \`${line}\` failed in ${dir}:\n${e.stderr || e.message}`);
      }
    }
  }
  return {
    dir,
    log: () => log.join(''),
    /** Ends what the commands left running. */
    stop() {
      for (const child of background) {
        try { process.kill(-child.pid, 'SIGTERM'); } catch { /* gone already */ }
      }
    },
  };
}

/** Writes a file of the test's own (a page the docs leave to the site) into the project. */
export function writeOwn(dir, file, text) {
  mkdirSync(dirname(join(dir, file)), { recursive: true });
  writeFileSync(join(dir, file), text);
}
