// Which onnxruntime execution providers to try, in order, on this machine. The choice is pure
// (tested for every platform); only probeProviderEnvironment() looks at the file system.
// onnxruntime does not fall back by itself, so the list always ends with 'cpu'.
import fs from 'node:fs';
import path from 'node:path';
import { MechLensError } from '../errors';

export const PROVIDER_NAMES = Object.freeze(['cuda', 'webgpu', 'dml', 'coreml', 'cpu'] as const);
export type ProviderName = (typeof PROVIDER_NAMES)[number];
/** The `mechlens.executionProvider` setting: 'auto' or one provider. */
export type ProviderSetting = 'auto' | ProviderName;

export interface ProviderEnvironment {
  platform: NodeJS.Platform;
  arch: string;
  /** libonnxruntime_providers_cuda.so and _shared.so sit next to libonnxruntime.so.1 (see gpu-setup.ts). */
  cudaLibrariesPresent: boolean;
  /** A Vulkan loader is installed (Dawn, behind WebGPU on Linux, needs it). */
  vulkanPresent: boolean;
}

/** Providers this onnxruntime-node build ships per platform (others are rejected at session creation). */
const BUILT_FOR: Record<string, ProviderName[]> = {
  linux: ['cuda', 'webgpu', 'cpu'],
  win32: ['dml', 'webgpu', 'cpu'],
  darwin: ['coreml', 'webgpu', 'cpu'],
};

export function parseProviderSetting(value: string | undefined, input = 'mechlens.executionProvider'): ProviderSetting {
  const v = (value ?? 'auto').trim().toLowerCase();
  if (v === '' || v === 'auto') return 'auto';
  if ((PROVIDER_NAMES as readonly string[]).includes(v)) return v as ProviderName;
  throw new MechLensError('bad-argument', `unknown execution provider "${value}"`, {
    input, fix: `Use one of: auto, ${PROVIDER_NAMES.join(', ')}.`,
  });
}

/**
 * The providers to try in order. 'auto' picks the design's order for the platform, skipping
 * providers that cannot start here (CUDA without its libraries, WebGPU on Linux without Vulkan),
 * so that a plain CPU machine does not pay for, or log, failed attempts. An explicit setting is
 * tried even when the probe says it will fail: the user asked for it, and the failure is reported.
 */
export function providerCandidates(setting: ProviderSetting, env: ProviderEnvironment): ProviderName[] {
  if (setting === 'cpu') return ['cpu'];
  if (setting !== 'auto') return [setting, 'cpu'];
  const built = BUILT_FOR[env.platform] ?? ['cpu'];
  return built.filter((p) => {
    if (p === 'cuda') return env.cudaLibrariesPresent && env.arch === 'x64';
    if (p === 'webgpu' && env.platform === 'linux') return env.vulkanPresent;
    return true;
  });
}

/** Folder holding libonnxruntime.so.1 (and where the CUDA provider libraries must go). */
export function onnxruntimeNativeDir(platform: NodeJS.Platform = process.platform, arch: string = process.arch): string {
  const pkg = require.resolve('onnxruntime-node/package.json');
  return path.join(path.dirname(pkg), 'bin', 'napi-v6', platform, arch);
}

export const CUDA_PROVIDER_LIBRARIES = Object.freeze(['libonnxruntime_providers_cuda.so', 'libonnxruntime_providers_shared.so']);

const VULKAN_LOADER_DIRS = ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib', '/usr/local/lib', '/lib/x86_64-linux-gnu'];

export function probeProviderEnvironment(): ProviderEnvironment {
  const platform = process.platform;
  const arch = process.arch;
  let cudaLibrariesPresent = false;
  let vulkanPresent = false;
  if (platform === 'linux') {
    try {
      const dir = onnxruntimeNativeDir(platform, arch);
      cudaLibrariesPresent = CUDA_PROVIDER_LIBRARIES.every((f) => fs.existsSync(path.join(dir, f)));
    } catch {
      cudaLibrariesPresent = false;
    }
    const extra = (process.env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean);
    vulkanPresent = [...extra, ...VULKAN_LOADER_DIRS].some((d) => fs.existsSync(path.join(d, 'libvulkan.so.1')));
  }
  return { platform, arch, cudaLibrariesPresent, vulkanPresent };
}
