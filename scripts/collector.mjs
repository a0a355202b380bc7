// `leadpulse serve` as the scripts and the browser tests run it: started with the given
// arguments, ready once it prints its URL line, stopped with SIGTERM (SIGKILL after 3 s).
// Collectors still running when the process exits (a failed or interrupted run) are killed.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const BIN = process.env.LEADPULSE_BIN || join(ROOT, 'target', 'release', 'leadpulse');

const running = new Set();
process.on('exit', () => running.forEach((p) => p.kill('SIGKILL')));

/** SIGTERM, then SIGKILL after 3 s; resolves when the process has exited. */
export function stopProcess(proc) {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const hard = setTimeout(() => proc.kill('SIGKILL'), 3000);
    proc.once('exit', () => {
      clearTimeout(hard);
      resolve();
    });
    proc.kill('SIGTERM');
  });
}

/**
 * Starts `leadpulse serve ARGS` (give `--listen 127.0.0.1:PORT`, 0 for any free port) and
 * resolves once it prints its URL, within 15 s, else rejects with its output.
 * @param {string[]} args the arguments after `serve`
 * @returns {Promise<{ url: string, port: number, stop: () => Promise<void>, log: () => string }>}
 */
export async function startCollector(args) {
  const proc = spawn(BIN, ['serve', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(proc);
  proc.once('exit', () => running.delete(proc));
  let out = '';
  let early;
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error('no URL line within 15 s')), 15000);
    const fail = (err) => {
      clearTimeout(timer);
      proc.kill('SIGKILL');
      reject(new Error(`leadpulse serve: ${err.message}\n${out}`));
    };
    early = (code, signal) => fail(new Error(`exited (${code ?? signal})`));
    proc.stdout.on('data', (chunk) => {
      out += chunk;
      const m = /leadpulse serve: (http:\/\/127\.0\.0\.1:\d+)\//.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    proc.stderr.on('data', (chunk) => { out += chunk; });
    proc.once('error', fail);
    proc.once('exit', early);
  });
  proc.off('exit', early);
  return { url, port: Number(new URL(url).port), stop: () => stopProcess(proc), log: () => out };
}
