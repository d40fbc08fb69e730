export { type Check, type DoctorOptions, doctor, doctorDefaults } from './doctor.js';
export type { RenderedFile } from './files.js';
export { type RenderOptions, render, TARGET_NAMES, type TargetName } from './render.js';
export {
  type DeployConfig,
  DeployConfigError,
  type DeployConfigInput,
  resolveDeployConfig,
} from './settings.js';
export { renderWaterfall, type WaterfallOptions } from './trace/waterfall.js';
export { type ValidationReport, validateText } from './validate.js';
export { type CheckFailure, checkTrace, type SpanMatcher, type TraceExpectation } from './verify/check.js';
export {
  parseVerifyTargets,
  readVerifyTargets,
  type VerifyTarget,
  VerifyTargetsError,
} from './verify/targets.js';
export { type VerifyOptions, type VerifyResult, verifyTraces } from './verify/verify.js';
