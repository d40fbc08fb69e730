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
export { fetchTrace, JaegerError, pingJaeger, type WaitOptions, waitForTrace } from './trace/jaeger.js';
export {
  buildTrace,
  descendants,
  isDescendant,
  type JaegerSpanJson,
  type JaegerTraceJson,
  type SpanKindName,
  type SpanReference,
  type Trace,
  type TraceSpan,
} from './trace/model.js';
export { formatDuration, renderWaterfall, useColor, type WaterfallOptions } from './trace/waterfall.js';
export { type FileKind, type ValidationReport, validateText } from './validate.js';
export {
  type CheckFailure,
  type CheckName,
  checkTrace,
  describeMatcher,
  MILVUS_CLIENT,
  matches,
  type SpanMatcher,
  type TraceExpectation,
} from './verify/check.js';
export {
  EXAMPLE_NAMES,
  EXPECTATIONS,
  type ExampleName,
  type ExampleResult,
  summarize,
  type TraceResult,
  type VerifyFailure,
  type VerifyOptions,
  type VerifyResult,
  verifyDefaults,
  verifyExamples,
} from './verify/verify.js';
