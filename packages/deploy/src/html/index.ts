export { depsHtml } from './deps-page.js';
export { diffHtml } from './diff-page.js';
export { traceHtml } from './trace-page.js';
