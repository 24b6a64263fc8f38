// Builds production bundles and one .vsix per platform with `vsce package --target`.
// onnxruntime-node and sharp ship native binaries for every platform in one npm package
// (about 300 MB together); each .vsix keeps only its own platform's, by appending the other
// platforms' folders to a copy of .vscodeignore passed as --ignoreFile.
//
//   node scripts/package.mjs [--target linux-x64 ...] [--out DIR] [--skip-build]
//
// sharp's native packages (@img/sharp-<os>-<arch>, @img/sharp-libvips-<os>-<arch>) are optional
// dependencies that npm installs only for this machine's platform; for other targets they are
// fetched with `npm pack` from the npm registry and added to the .vsix (see addToVsix).
//
// Prints one line per .vsix: target, path and size; exits non-zero if a .vsix lacks its
// platform's onnxruntime binding or sharp binary.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const DEFAULT_TARGETS = ['linux-x64', 'win32-x64', 'darwin-arm64'];

function parseArgs(argv) {
  const options = { targets: [], out: join(root, 'out', 'vsix'), build: true };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--target') options.targets.push(argv[++i]);
    else if (arg === '--out') options.out = argv[++i];
    else if (arg === '--skip-build') options.build = false;
    else throw new Error(`package.mjs: unknown argument ${arg}; use --target T, --out DIR, --skip-build.`);
  }
  if (options.targets.length === 0) options.targets = DEFAULT_TARGETS;
  return options;
}

function run(command, args, extra = {}) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', ...extra });
  if (result.status !== 0) throw new Error(`package.mjs: ${command} ${args.join(' ')} failed with exit code ${result.status}.`);
  return result;
}

/** Folders of native binaries that belong to other platforms than `target` ("os-arch"). */
function otherPlatformFolders(target) {
  const [os, arch] = target.split('-');
  const excluded = [];
  const ortBin = join(root, 'node_modules/onnxruntime-node/bin');
  if (existsSync(ortBin)) {
    for (const napi of readdirSync(ortBin)) {
      for (const platform of readdirSync(join(ortBin, napi))) {
        for (const cpu of readdirSync(join(ortBin, napi, platform))) {
          if (platform !== os || cpu !== arch) excluded.push(`node_modules/onnxruntime-node/bin/${napi}/${platform}/${cpu}/**`);
        }
      }
    }
  }
  // sharp's natives are optional dependencies named @img/sharp-<os><libc?>-<arch> and @img/sharp-libvips-...
  const img = join(root, 'node_modules/@img');
  if (existsSync(img)) {
    for (const name of readdirSync(img)) {
      const match = /^sharp-(?:libvips-)?([a-z]+\d*)-([a-z0-9]+)$/.exec(name);
      if (match && (match[1] !== os || match[2] !== arch)) excluded.push(`node_modules/@img/${name}/**`);
    }
  }
  return excluded;
}

// Packages that a dependency needs only at npm-install time (onnxruntime-node's CUDA download
// script), and onnxruntime-web, whose JS transformers.js bundles into its own dist files.
const NOT_NEEDED_AT_RUN_TIME = new Set(['adm-zip', 'global-agent', 'onnxruntime-web']);

/**
 * Packages the bundles in dist/ load at run time: what they `require` (or `require.resolve`),
 * plus every external named in scripts/build.mjs that is installed, so that a package the code
 * loads lazily (onnxruntime-node behind a dynamic import) ships even before a bundle names it.
 */
function requiredByBundles() {
  const names = new Set();
  const buildScript = readFileSync(join(root, 'scripts/build.mjs'), 'utf8');
  const externals = /const external = \[([^\]]*)\]/.exec(buildScript)?.[1] ?? '';
  for (const match of externals.matchAll(/'([^']+)'/g)) {
    if (match[1] !== 'vscode' && existsSync(join(root, 'node_modules', match[1], 'package.json'))) names.add(match[1]);
  }
  for (const file of readdirSync(join(root, 'dist')).filter((f) => f.endsWith('.js'))) {
    const text = readFileSync(join(root, 'dist', file), 'utf8');
    for (const match of text.matchAll(/require(?:\.resolve)?\(["']([^"'./][^"']*)["']\)/g)) {
      const spec = match[1];
      if (spec.startsWith('node:') || spec === 'vscode') continue;
      const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
      if (existsSync(join(root, 'node_modules', name, 'package.json'))) names.add(name);
    }
  }
  return names;
}

/** The run-time dependency closure of `roots`, as top-level node_modules package names. */
function runtimeClosure(roots) {
  const seen = new Set();
  const queue = [...roots];
  while (queue.length) {
    const name = queue.pop();
    if (seen.has(name) || NOT_NEEDED_AT_RUN_TIME.has(name)) continue;
    const manifestPath = join(root, 'node_modules', name, 'package.json');
    if (!existsSync(manifestPath)) continue; // an optional dependency for another platform
    seen.add(name);
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
    queue.push(...Object.keys({ ...manifest.dependencies, ...manifest.optionalDependencies }));
  }
  return seen;
}

/** Every top-level package in node_modules that the bundles do not load: esbuild inlined it. */
function bundledPackageFolders() {
  const keep = runtimeClosure(requiredByBundles());
  const excluded = [];
  for (const entry of readdirSync(join(root, 'node_modules'))) {
    if (entry.startsWith('.')) continue;
    const names = entry.startsWith('@') ? readdirSync(join(root, 'node_modules', entry)).map((n) => `${entry}/${n}`) : [entry];
    for (const name of names) if (!keep.has(name)) excluded.push(`node_modules/${name}/**`);
  }
  return { keep, excluded };
}

function listVsix(file) {
  const result = spawnSync('unzip', ['-Z1', file], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`package.mjs: cannot list ${file}: ${result.stderr}`);
  return result.stdout.split('\n').filter(Boolean);
}

/**
 * sharp's native packages for `target`, at the exact versions sharp pins in its
 * optionalDependencies: `@img/sharp-<os>-<arch>` and, where it exists, `@img/sharp-libvips-<os>-<arch>`
 * (Windows builds carry libvips inside the first). Linux targets mean glibc, not musl.
 */
function sharpNativePackages(target) {
  const [os, arch] = target.split('-');
  const manifest = JSON.parse(readFileSync(join(root, 'node_modules/sharp/package.json'), 'utf8'));
  const pinned = manifest.optionalDependencies ?? {};
  const names = [`@img/sharp-${os}-${arch}`, `@img/sharp-libvips-${os}-${arch}`].filter((n) => pinned[n]);
  if (!names.some((n) => !n.includes('libvips'))) throw new Error(`package.mjs: sharp ${manifest.version} has no native package for ${target}.`);
  return names.map((name) => ({ name, version: pinned[name] }));
}

/**
 * `npm pack NAME@VERSION` from the npm registry (npm checks the tarball against the registry's
 * sha512), unpacked once into OUT/.natives/ and reused by later runs. Returns the package folder.
 */
function fetchPackage(name, version, outDir) {
  const dir = join(outDir, '.natives', `${name.replace('/', '+')}@${version}`);
  const unpacked = join(dir, 'package');
  if (existsSync(join(unpacked, 'package.json'))) return unpacked;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const packed = spawnSync('npm', ['pack', `${name}@${version}`, '--json', '--pack-destination', dir], { cwd: dir, encoding: 'utf8' });
  if (packed.status !== 0) {
    throw new Error(`package.mjs: npm pack ${name}@${version} failed (${(packed.stderr || '').trim().split('\n').slice(-2).join(' ')}); the win32/darwin .vsix needs it from the npm registry: check the network or npm's registry setting.`);
  }
  const filename = JSON.parse(packed.stdout)[0].filename;
  run('tar', ['xzf', join(dir, filename), '-C', dir]);
  rmSync(join(dir, filename));
  return unpacked;
}

/**
 * Adds npm package folders to a .vsix as extension/node_modules/<name>/, where sharp's
 * `require('@img/...')` resolves them, and declares any new file extensions in
 * [Content_Types].xml (a .vsix is an OPC package: every part's extension needs a content type).
 */
function addToVsix(vsix, packages) {
  const stage = `${vsix}.stage`;
  rmSync(stage, { recursive: true, force: true });
  const extensions = new Set();
  for (const p of packages) {
    const into = join(stage, 'extension', 'node_modules', ...p.name.split('/'));
    mkdirSync(dirname(into), { recursive: true });
    cpSync(p.dir, into, { recursive: true });
    for (const file of readdirSync(into, { recursive: true })) {
      const ext = /(\.[^./\\]+)$/.exec(String(file))?.[1];
      if (ext && statSync(join(into, String(file))).isFile()) extensions.add(ext.toLowerCase());
    }
  }
  const typesName = '[Content_Types].xml';
  const types = spawnSync('unzip', ['-p', vsix, '\\[Content_Types\\].xml'], { encoding: 'utf8' }).stdout;
  if (!types.includes('<Types')) throw new Error(`package.mjs: ${vsix} has no readable ${typesName}.`);
  const missing = [...extensions].filter((ext) => !types.toLowerCase().includes(`extension="${ext}"`));
  if (missing.length) {
    const defaults = missing.map((ext) => `<Default Extension="${ext}" ContentType="application/octet-stream"/>`).join('');
    writeFileSync(join(stage, typesName), types.replace('</Types>', `${defaults}</Types>`));
  }
  run('zip', ['-q', '-r', '-X', '-D', vsix, 'extension', ...(missing.length ? [typesName] : [])], { cwd: stage });
  rmSync(stage, { recursive: true, force: true });
}

function packageTarget(target, outDir, baseIgnore, version) {
  const ignoreFile = join(outDir, `.vscodeignore-${target}`);
  const extra = [...bundledPackageFolders().excluded, ...otherPlatformFolders(target)];
  writeFileSync(ignoreFile, `${baseIgnore}\n# added by scripts/package.mjs for ${target}\n${extra.join('\n')}\n`);
  const vsix = join(outDir, `mechlens-${target}-${version}.vsix`);
  rmSync(vsix, { force: true });
  const args = ['vsce', 'package', '--target', target, '--out', vsix, '--ignoreFile', ignoreFile, '--skip-license'];
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  if (!manifest.repository) args.push('--allow-missing-repository', '--no-rewrite-relative-links');
  run('npx', args, { env: { ...process.env, npm_config_yes: 'true' } });
  rmSync(ignoreFile, { force: true });

  const [os, arch] = target.split('-');
  const entries = listVsix(vsix);
  const binding = `extension/node_modules/onnxruntime-node/bin/napi-v6/${os}/${arch}/onnxruntime_binding.node`;
  if (!entries.some((e) => e.endsWith(`/${os}/${arch}/onnxruntime_binding.node`))) {
    throw new Error(`package.mjs: ${relative(root, vsix)} lacks ${binding}; is onnxruntime-node installed with all platforms' binaries?`);
  }
  const foreign = entries.filter((e) => /onnxruntime-node\/bin\/napi-v\d+\//.test(e) && !e.includes(`/${os}/${arch}/`));
  if (foreign.length) throw new Error(`package.mjs: ${relative(root, vsix)} carries other platforms' binaries: ${foreign.slice(0, 3).join(', ')}`);
  const forbidden = entries.filter((e) => /^extension\/(src|test|bench|scripts)\//.test(e));
  if (forbidden.length) throw new Error(`package.mjs: ${relative(root, vsix)} carries sources or tests: ${forbidden.slice(0, 3).join(', ')}`);
  const hasSharp = entries.some((e) => e.startsWith('extension/node_modules/sharp/'));
  const natives = hasSharp ? sharpNativePackages(target) : [];
  const added = natives.filter((p) => !entries.some((e) => e.startsWith(`extension/node_modules/${p.name}/`)));
  if (added.length) addToVsix(vsix, added.map((p) => ({ ...p, dir: fetchPackage(p.name, p.version, outDir) })));
  const final = added.length ? listVsix(vsix) : entries;
  for (const p of natives) {
    // sharp loads `@img/sharp-<os>-<arch>/sharp.node`; the darwin binary finds libvips at ../../sharp-libvips-darwin-arm64/lib.
    const binary = p.name.includes('libvips') ? /\/lib\/libvips[^/]*\.(so[.\d]*|dylib|dll)$/ : /\/lib\/sharp-[^/]+\.node$/;
    if (!final.some((e) => e.startsWith(`extension/node_modules/${p.name}/`) && binary.test(e))) {
      throw new Error(`package.mjs: ${relative(root, vsix)} lacks ${p.name}'s native binary; sharp (loaded by @huggingface/transformers) would fail on ${target}.`);
    }
  }
  return { target, vsix, bytes: statSync(vsix).size, files: final.length, added: added.map((p) => `${p.name}@${p.version}`) };
}

const options = parseArgs(process.argv.slice(2));
if (options.build) {
  run('npm', ['run', 'typecheck']);
  run(process.execPath, ['scripts/build.mjs', '--production']);
}
if (!existsSync(join(root, 'dist/extension.js'))) {
  throw new Error('package.mjs: dist/extension.js is missing; run without --skip-build, or `node scripts/build.mjs --production`.');
}
mkdirSync(options.out, { recursive: true });
const baseIgnore = readFileSync(join(root, '.vscodeignore'), 'utf8');
const version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;
for (const target of options.targets) {
  const made = packageTarget(target, options.out, baseIgnore, version);
  const fetched = made.added.length ? `\tadded ${made.added.join(', ')} from npm` : '';
  console.log(`${made.target}\t${relative(process.cwd(), made.vsix)}\t${(made.bytes / 1024 / 1024).toFixed(1)} MB\t${made.files} files${fetched}`);
}
