// "MechLens: Set Up GPU (CUDA)": checks that this machine can use the CUDA provider (Linux x64,
// an NVIDIA driver), then runs core's setupCudaProvider (download from NuGet, SHA-512 check,
// libraries placed next to libonnxruntime.so.1) under a cancellable progress notification. Each
// outcome ends in one message that says what happened and what to do next; the details go to
// the MechLens log.
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { CancelledError, MechLensError } from '../../core/errors';
import { CUDA_PACKAGE, setupCudaProvider, type CudaSetupOptions, type CudaSetupResult } from '../../core/models/gpu-setup';
import { userFacingMessage } from '../error-message';

/** The subset of the Log that this command writes to (so tests can pass a recorder). */
interface GpuSetupLog {
  info(message: string): void;
  warn(message: string): void;
  error(context: string, err: unknown): void;
  show(): void;
}

interface DriverCheck {
  found: boolean;
  /** What was looked at, for the message when nothing was found. */
  looked: string;
  /** The driver version when /proc says it. */
  version?: string;
}

interface GpuSetupServices {
  log: GpuSetupLog;
  /** Where the .nupkg is kept (the extension's global storage). */
  cacheDir: string;
  /** Overrides for tests: the platform, the driver probe, the setup itself and its URLs. */
  platform?: NodeJS.Platform;
  arch?: string;
  detectDriver?: () => DriverCheck;
  setup?: (options: CudaSetupOptions) => Promise<CudaSetupResult>;
  setupOptions?: Partial<CudaSetupOptions>;
}

type GpuSetupOutcome = 'installed' | 'cancelled' | 'unsupported' | 'no-driver' | 'failed';

const LIBRARY_DIRS = ['/usr/lib/x86_64-linux-gnu', '/usr/lib64', '/usr/lib', '/usr/local/lib', '/lib/x86_64-linux-gnu', '/usr/lib/wsl/lib'];

/** The NVIDIA kernel driver (/proc/driver/nvidia/version) or its user-space library libcuda.so.1 (WSL has only the latter). */
export function detectNvidiaDriver(procFile = '/proc/driver/nvidia/version', dirs: readonly string[] = LIBRARY_DIRS): DriverCheck {
  const extra = (process.env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean);
  const searched = [...extra, ...dirs];
  const looked = `${procFile} and libcuda.so.1 in ${searched.join(', ')}`;
  try {
    const text = fs.readFileSync(procFile, 'utf8');
    return { found: true, looked, version: /Kernel Module\s+([\d.]+)/.exec(text)?.[1] };
  } catch {
    // No kernel module visible (or a container/WSL): look for the driver's library instead.
  }
  return { found: searched.some((d) => fs.existsSync(path.join(d, 'libcuda.so.1'))), looked };
}

export async function setUpGpu(services: GpuSetupServices): Promise<GpuSetupOutcome> {
  const { log } = services;
  const platform = services.platform ?? process.platform;
  const arch = services.arch ?? process.arch;
  log.info(`GPU setup: ${platform} ${arch}`);

  if (platform !== 'linux' || arch !== 'x64') {
    const fix = platform === 'win32'
      ? 'On Windows, DirectML is built in: set "MechLens: Execution Provider" to dml (or auto).'
      : platform === 'darwin'
        ? 'On macOS, CoreML is built in: set "MechLens: Execution Provider" to coreml (or auto).'
        : 'Use the CPU or WebGPU provider here.';
    log.warn(`GPU setup: the CUDA provider package is for Linux x64 only; this is ${platform} ${arch}`);
    const action = await vscode.window.showErrorMessage(
      `MechLens: the CUDA setup needs Linux on x64, and this is ${platform} ${arch}. ${fix}`, 'Open Settings');
    if (action === 'Open Settings') await openProviderSetting();
    return 'unsupported';
  }

  const driver = (services.detectDriver ?? (() => detectNvidiaDriver()))();
  if (!driver.found) {
    log.warn(`GPU setup: no NVIDIA driver found (looked at ${driver.looked})`);
    const action = await vscode.window.showErrorMessage(
      'MechLens: no NVIDIA driver found on this machine (no /proc/driver/nvidia/version, no libcuda.so.1). Install the NVIDIA driver and the CUDA 12 and cuDNN 9 runtime libraries, then run "MechLens: Set Up GPU (CUDA)" again, or download the provider anyway.',
      'Download Anyway', 'Open Log');
    if (action === 'Open Log') log.show();
    if (action !== 'Download Anyway') return 'no-driver';
  } else {
    log.info(`GPU setup: NVIDIA driver ${driver.version ?? 'found (libcuda.so.1)'}`);
  }

  const setup = services.setup ?? setupCudaProvider;
  try {
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'MechLens: setting up the CUDA provider', cancellable: true },
      async (progress, token) => {
        const abort = new AbortController();
        const subscription = token.onCancellationRequested(() => abort.abort());
        // withProgress takes increments; core reports the fraction of the current step.
        let shown = 0;
        try {
          return await setup({
            cacheDir: services.cacheDir,
            ...services.setupOptions,
            signal: abort.signal,
            onProgress: (p) => {
              const target = p.fraction === undefined ? shown : Math.round(Math.min(1, Math.max(0, p.fraction)) * 100);
              const increment = Math.max(0, target - shown);
              shown = Math.max(shown, target);
              progress.report({ message: p.fraction === undefined ? p.message : `${p.message} (${target} %)`, increment });
            },
          });
        } finally {
          subscription.dispose();
        }
      },
    );
    log.info(`GPU setup: ${CUDA_PACKAGE} ${result.version} (SHA-512 ${result.sha512}) → ${result.files.join(', ')}`);
    const action = await vscode.window.showInformationMessage(
      `MechLens: CUDA provider ${result.version} installed in ${result.targetDir}. Model jobs now try CUDA first when "MechLens: Execution Provider" is auto; they need the CUDA 12 and cuDNN 9 libraries on the library path, and fall back to the CPU (saying so in the log) without them.`,
      'Open Settings');
    if (action === 'Open Settings') await openProviderSetting();
    return 'installed';
  } catch (err) {
    if (err instanceof CancelledError || (err instanceof MechLensError && err.code === 'cancelled')) {
      log.info('GPU setup: cancelled; nothing was installed');
      void vscode.window.showInformationMessage('MechLens: GPU setup cancelled; nothing was installed. Run "MechLens: Set Up GPU (CUDA)" again to install the CUDA provider.');
      return 'cancelled';
    }
    log.error('GPU setup failed', err);
    const action = await vscode.window.showErrorMessage(failureMessage(err), 'Retry', 'Open Log');
    if (action === 'Open Log') log.show();
    if (action === 'Retry') return setUpGpu(services);
    return 'failed';
  }
}

/** One sentence per failure kind: what failed, on which input, and what to do. */
export function failureMessage(err: unknown): string {
  if (err instanceof MechLensError) {
    const detail = userFacingMessage(err);
    if (err.code === 'download') {
      return `MechLens: downloading the CUDA provider (${CUDA_PACKAGE}) failed: ${detail} Check the internet connection (and the proxy settings), then choose Retry.`;
    }
    return `MechLens: the CUDA provider setup failed: ${detail}`;
  }
  const text = err instanceof Error ? err.message : String(err);
  return `MechLens: the CUDA provider setup failed (${text}). See the log for details, then choose Retry.`;
}

async function openProviderSetting(): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.openSettings', 'mechlens.executionProvider');
}
