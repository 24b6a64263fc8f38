// core/linalg: every dense product in core/ goes through here (see gemm.ts).
export { gemm, multiplyRows, gramOfRows, forceGemmBackend, gemmCounts, JS_BELOW, type GemmBackend, type GemmOptions } from './gemm';
export { disposeGemmSessions, warmGemmSessions } from './onnx-gemm';
