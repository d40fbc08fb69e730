/**
 * The runtime RIE starts for the function (`node scripts/runtime.mjs handler.handler`): aws-lambda-ric, the Node.js
 * runtime interface client, with one change — an invocation payload that is not JSON reaches the handler as the
 * string it is, instead of ending the runtime.
 *
 * Lambda's Invoke API refuses a payload that is not JSON, but RIE passes on whatever it is sent, and aws-lambda-ric
 * parses the payload outside the handler, in its polling loop: a JSON.parse error there is an unhandled rejection
 * that exits the process ("Runtime.ExitError … exit status 1"), with no invocation span, and the next invocation pays
 * a cold start. Handed the text as a JSON string, the handler answers it 400 like any other malformed event, traced.
 *
 * Plain JavaScript, unlike the other scripts: it runs on every cold start, and loading TypeScript (type stripping)
 * would add some 20 ms to each.
 */
import { realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

// aws-lambda-ric's entry (its native part is built when it is installed).
const ric = join(
  dirname(realpathSync(createRequire(import.meta.url).resolve('aws-lambda-ric/package.json'))),
  'index.mjs',
);
// The runtime's native Runtime API client: the same module object aws-lambda-ric loads (require caches it).
/** @type {{ next?: () => Promise<{ bodyJson: string, headers: Record<string, string> }> }} */
const native = createRequire(ric)('./rapid-client.node');
const next = native.next;
if (typeof next !== 'function' || process.env.AWS_LAMBDA_NODEJS_USE_ALTERNATIVE_CLIENT_1 === 'true') {
  throw new Error(
    `${ric}: no native Runtime API client with next() to wrap\n  fix: use the aws-lambda-ric version in package.json`,
  );
}
native.next = async () => {
  const invocation = await next.call(native);
  try {
    JSON.parse(invocation.bodyJson);
  } catch {
    invocation.bodyJson = JSON.stringify(invocation.bodyJson);
  }
  return invocation;
};

await import(pathToFileURL(ric).href);
