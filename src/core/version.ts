// Injected by esbuild from package.json; under tsx (tests) it falls back to reading package.json.
declare const __MECHLENS_VERSION__: string | undefined;

export const VERSION: string = typeof __MECHLENS_VERSION__ === 'string' ? __MECHLENS_VERSION__ : 'dev';
