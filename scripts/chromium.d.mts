// Types of scripts/chromium.mjs for the TypeScript tests that import it.
export declare const COMMON_CHROMIUM_PATHS: readonly string[];

export type ChromiumResolution =
  | { path: string; from: string; missing?: undefined }
  | { missing: string; tried: string[]; variable?: string; path?: undefined };

export declare function missingChromiumMessage(tried: readonly string[], reason?: string): string;

export declare function resolveChromium(options?: {
  env?: Record<string, string | undefined>;
  exists?: (path: string) => boolean;
  candidates?: readonly string[];
  playwrightCache?: readonly string[];
}): ChromiumResolution;

export declare function canInstallWithApt(options?: { platform?: string; uid?: number; hasCommand?: (name: string) => boolean }): boolean;

export declare function aptInstallChromium(): { ok: boolean; output?: string };

export declare function ensureChromium(options?: {
  resolve?: () => ChromiumResolution;
  mayInstall?: () => boolean;
  install?: () => { ok: boolean; output?: string };
  log?: (line: string) => void;
}): ChromiumResolution;

export declare function chromiumExecutable(resolve?: () => ChromiumResolution): string;
