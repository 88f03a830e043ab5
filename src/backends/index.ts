export { assertKernelsAvailable, missingKernels, trainingKernels } from './kernels';
export type { KernelRequirements } from './kernels';
export { probeBackend } from './probe';
export type {
  BackendCapabilities,
  ProbeOptions,
  SecondDerivativeCheck,
  SecondDerivativeReport,
  TextureFloat,
} from './probe';
