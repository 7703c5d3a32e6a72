// Starts the real `healthcode serve` binary on a random loopback port with a throwaway data
// directory, and stops it again. The binary is the one `cargo build -p healthcode-cli` made.
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The server prints exactly this line (on stdout) once it accepts connections. */
export const LISTENING_LINE = /^healthcode listening on (http:\/\/127\.0\.0\.1:\d+)\s*$/m;

const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 5_000;
const MAX_LOG_CHARS = 64 * 1024;

/** Path of the server binary: env HEALTHCODE_BIN (relative to the repo root), else target/debug/healthcode. */
export function binaryPath() {
  return path.resolve(REPO_ROOT, process.env.HEALTHCODE_BIN || 'target/debug/healthcode');
}

/**
 * Starts `healthcode serve --listen 127.0.0.1:0 --data-dir <tmp>` and waits for its listening line.
 * `prepare(dataDir)` runs first (e.g. to seed the synthetic city with `healthcode demo --no-serve`).
 * `listen` replaces the random port when the address must be known before the start (a config file
 * naming the server's own URL).
 * @param {{ args?: string[], env?: Record<string, string>, timeoutMs?: number, listen?: string,
 *           prepare?: (dataDir: string) => Promise<void> }} [options]
 * @returns {Promise<{ url: string, dataDir: string, logs: () => string, stop: () => Promise<void> }>}
 */
export async function startServer({
  args = [],
  env = {},
  timeoutMs = START_TIMEOUT_MS,
  listen = '127.0.0.1:0',
  prepare,
} = {}) {
  const bin = binaryPath();
  if (!existsSync(bin)) {
    throw new Error(
      `healthcode binary not found at ${bin}.\n` +
        'Build it first: `cargo build -p healthcode-cli` (scripts/test does this), ' +
        'or point HEALTHCODE_BIN at a built binary.',
    );
  }
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'healthcode-e2e-'));
  if (prepare) await prepare(dataDir);
  const argv = ['serve', '--dev-outbox', '--listen', listen, '--data-dir', dataDir, ...args];
  const child = spawn(bin, argv, {
    cwd: dataDir,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });

  let log = '';
  const append = (chunk) => {
    log += chunk;
    if (log.length > MAX_LOG_CHARS) log = log.slice(-MAX_LOG_CHARS);
  };
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', append);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  const stop = async () => {
    process.removeListener('exit', killOnExit);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    }
    await rm(dataDir, { recursive: true, force: true });
  };

  const command = `${bin} ${argv.join(' ')}`;
  try {
    const url = await new Promise((resolve, reject) => {
      let stdout = '';
      const timer = setTimeout(
        () => reject(new Error(`no "healthcode listening on http://127.0.0.1:PORT" line within ${timeoutMs} ms`)),
        timeoutMs,
      );
      child.stdout.on('data', (chunk) => {
        append(chunk);
        stdout += chunk;
        const m = LISTENING_LINE.exec(stdout);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
      child.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      exited.then(({ code, signal }) => {
        clearTimeout(timer);
        reject(
          new Error(
            `server exited (code ${code}, signal ${signal}) before printing ` +
              '"healthcode listening on http://127.0.0.1:PORT" on stdout',
          ),
        );
      });
    });
    return { url, dataDir, logs: () => log, stop };
  } catch (err) {
    await stop();
    throw new Error(`${err.message}\ncommand: ${command}\n--- server output ---\n${log || '(none)'}`, {
      cause: err,
    });
  }
}

/**
 * Runs the CLI with `args` (plus `--data-dir DIR`) and returns its stdout.
 * @param {string} dataDir
 * @param {string[]} args
 */
export async function runCli(dataDir, args) {
  const bin = binaryPath();
  const argv = [...args, '--data-dir', dataDir];
  return new Promise((resolve, reject) => {
    execFile(bin, argv, { cwd: dataDir, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 }, (err, out, errOut) => {
      if (err) reject(new Error(`${bin} ${argv.join(' ')} failed: ${err.message}\n${errOut}`, { cause: err }));
      else resolve(out);
    });
  });
}

/**
 * Mints an access token with the CLI against a server's data directory
 * (`healthcode token --role ROLE --subject SUBJECT --data-dir DIR`; the token is the last stdout line).
 * @param {string} dataDir the running server's data directory (`startServer().dataDir`)
 * @param {'resident'|'venue'|'officer'|'authority'|'supervisor'|'auditor'} role
 * @param {string} subject a phone number (resident, venue) or a user name (staff)
 */
export async function mintToken(dataDir, role, subject) {
  const bin = binaryPath();
  const argv = ['token', '--role', role, '--subject', subject, '--data-dir', dataDir];
  const { stdout } = await new Promise((resolve, reject) => {
    execFile(bin, argv, { cwd: dataDir, timeout: 30_000 }, (err, out, errOut) => {
      if (err) reject(new Error(`${bin} ${argv.join(' ')} failed: ${err.message}\n${errOut}`, { cause: err }));
      else resolve({ stdout: out });
    });
  });
  const token = stdout.trim().split('\n').pop()?.trim();
  if (!token) throw new Error(`${bin} ${argv.join(' ')} printed no token`);
  return token;
}
