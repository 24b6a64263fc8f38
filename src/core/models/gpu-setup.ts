// "MechLens: Set Up GPU (CUDA)": onnxruntime-node ships the CUDA provider as an optional pair of
// libraries that must sit next to libonnxruntime.so.1. They come from the NuGet package
// Microsoft.ML.OnnxRuntime.Gpu.Linux of the same version. This downloads the package (checking
// NuGet's SHA-512 of it), takes the two libraries out, and writes them in place atomically.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { downloadFile } from '../io/download';
import { MechLensError, throwIfCancelled } from '../errors';
import type { RunControl } from '../run-control';
import { listZipEntries, readZipEntry } from '../io/zip';
import { CUDA_PROVIDER_LIBRARIES, onnxruntimeNativeDir } from './providers';
import { writeFileAtomicSync } from '../io/atomic-write';

export const CUDA_PACKAGE = 'Microsoft.ML.OnnxRuntime.Gpu.Linux';
const ENTRY_DIR = 'runtimes/linux-x64/native/';

export interface CudaSetupOptions extends RunControl {
  /** Folder for the downloaded .nupkg (kept, so a second setup needs no download). */
  cacheDir: string;
  /** onnxruntime version; default: the installed onnxruntime-node's. */
  version?: string;
  /** Where the libraries go; default: next to libonnxruntime.so.1 of the installed onnxruntime-node. */
  targetDir?: string;
  /** Overrides for tests and mirrors. */
  packageUrl?: string;
  /** NuGet registration leaf of the version (its catalog entry states the package's SHA-512). */
  registrationUrl?: string;
  /** Base64 SHA-512 of the package, when already known (skips the registration lookup). */
  expectedSha512?: string;
}

export interface CudaSetupResult {
  version: string;
  targetDir: string;
  /** Absolute paths of the libraries written. */
  files: string[];
  packagePath: string;
  /** Base64 SHA-512 of the package, as checked. */
  sha512: string;
}

export function installedOnnxruntimeVersion(): string {
  // Resolved at run time (not bundled): the version of the onnxruntime-node actually installed beside the extension.
  const manifest = createRequire(__filename).resolve('onnxruntime-node/package.json');
  return (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { version: string }).version;
}

export function cudaPackageUrls(version: string): { packageUrl: string; registrationUrl: string } {
  return {
    packageUrl: `https://www.nuget.org/api/v2/package/${CUDA_PACKAGE}/${version}`,
    registrationUrl: `https://api.nuget.org/v3/registration5-semver1/${CUDA_PACKAGE.toLowerCase()}/${version}.json`,
  };
}

export async function setupCudaProvider(options: CudaSetupOptions): Promise<CudaSetupResult> {
  const { signal, onProgress } = options;
  const version = options.version ?? installedOnnxruntimeVersion();
  const urls = cudaPackageUrls(version);
  const packageUrl = options.packageUrl ?? urls.packageUrl;
  const targetDir = options.targetDir ?? onnxruntimeNativeDir('linux', 'x64');
  if (!options.targetDir && (process.platform !== 'linux' || process.arch !== 'x64')) {
    throw new MechLensError('unsupported', `the CUDA provider package is for Linux x64; this is ${process.platform} ${process.arch}`, {
      fix: process.platform === 'win32' ? 'On Windows, DirectML is built in: set mechlens.executionProvider to dml.' : 'Use the WebGPU or CoreML provider here.',
    });
  }
  fs.mkdirSync(options.cacheDir, { recursive: true });

  onProgress?.({ message: `Looking up the checksum of ${CUDA_PACKAGE} ${version}` });
  const expected = options.expectedSha512 ?? (await nugetSha512(options.registrationUrl ?? urls.registrationUrl, options.cacheDir, signal));
  throwIfCancelled(signal);

  const packagePath = path.join(options.cacheDir, `${CUDA_PACKAGE.toLowerCase()}.${version}.nupkg`);
  let sha512 = fs.existsSync(packagePath) ? await fileSha512(packagePath) : '';
  if (sha512 !== expected) {
    if (sha512) fs.rmSync(packagePath, { force: true });
    await downloadFile(packageUrl, packagePath, {
      signal,
      onProgress: (received, total) => onProgress?.({ message: `Downloading ${CUDA_PACKAGE} ${version}`, fraction: total ? received / total : undefined }),
    });
    sha512 = await fileSha512(packagePath);
    if (sha512 !== expected) {
      fs.rmSync(packagePath, { force: true });
      throw new MechLensError('download', `SHA-512 of ${CUDA_PACKAGE} ${version} is ${sha512}, but NuGet states ${expected}; the file was removed`, {
        input: packageUrl, fix: 'Run the setup again; if it keeps failing, the download is being altered on the way.',
      });
    }
  }
  throwIfCancelled(signal);

  onProgress?.({ message: 'Extracting the CUDA provider libraries' });
  const entries = listZipEntries(packagePath);
  const files: string[] = [];
  fs.mkdirSync(targetDir, { recursive: true });
  for (const lib of CUDA_PROVIDER_LIBRARIES) {
    const entry = entries.find((e) => e.name === ENTRY_DIR + lib);
    if (!entry) {
      throw new MechLensError('format', `${CUDA_PACKAGE} ${version} has no ${ENTRY_DIR}${lib}`, {
        input: packagePath, fix: 'This onnxruntime version may not ship a CUDA build for Linux; update MechLens.',
      });
    }
    const data = readZipEntry(packagePath, entry);
    const dest = path.join(targetDir, lib);
    try {
      // A temporary name of its own (atomic-write.ts): two windows setting up the GPU at once both succeed.
      writeFileAtomicSync(dest, data, 0o755);
    } catch (err) {
      throw new MechLensError('unsupported', `cannot write ${lib} into onnxruntime's folder (${(err as NodeJS.ErrnoException).code ?? String(err)})`, {
        input: targetDir, fix: 'Make the folder writable (the extension or node_modules folder), or copy the file there yourself.', cause: err,
      });
    }
    files.push(dest);
  }
  onProgress?.({ message: 'CUDA provider installed', fraction: 1 });
  return { version, targetDir, files, packagePath, sha512 };
}

async function nugetSha512(registrationUrl: string, cacheDir: string, signal?: AbortSignal): Promise<string> {
  const leaf = await fetchJson(registrationUrl, cacheDir, signal);
  const catalog = typeof leaf.catalogEntry === 'string' ? await fetchJson(leaf.catalogEntry, cacheDir, signal) : (leaf.catalogEntry as Record<string, unknown> | undefined);
  const hash = catalog?.packageHash;
  const algorithm = String(catalog?.packageHashAlgorithm ?? 'SHA512').toUpperCase();
  if (typeof hash !== 'string' || algorithm !== 'SHA512') {
    throw new MechLensError('download', 'NuGet did not state a SHA-512 for the package', { input: registrationUrl, fix: 'Run the setup again later.' });
  }
  return hash;
}

async function fetchJson(url: string, cacheDir: string, signal?: AbortSignal): Promise<Record<string, unknown>> {
  const dest = path.join(cacheDir, `nuget-${createHash('sha256').update(url).digest('hex').slice(0, 16)}.json`);
  fs.rmSync(dest, { force: true });
  await downloadFile(url, dest, { signal });
  try {
    return JSON.parse(fs.readFileSync(dest, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    throw new MechLensError('download', `NuGet answered with something that is not JSON (${(err as Error).message})`, { input: url, fix: 'Run the setup again later.' });
  } finally {
    fs.rmSync(dest, { force: true });
  }
}

async function fileSha512(file: string): Promise<string> {
  const hash = createHash('sha512');
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('base64');
}
