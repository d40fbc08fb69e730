export { type Check, type DoctorOptions, doctor, doctorDefaults } from './doctor.js';
export type { RenderedFile } from './files.js';
export { LOCAL_STACK } from './local-stack.js';
export { render, TARGET_NAMES, TARGETS, type Target, type TargetName } from './render.js';
export {
  type DeployConfig,
  DeployConfigError,
  type DeployConfigInput,
  deployConfigSchema,
  type Example,
  resolveDeployConfig,
  traceSection,
} from './settings.js';
export { type FileKind, type ValidationReport, validateText } from './validate.js';
