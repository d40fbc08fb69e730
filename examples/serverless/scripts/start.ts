/**
 * `pnpm start`: the built function (dist/handler.mjs) under the AWS Lambda Runtime Interface Emulator, with
 * aws-lambda-ric as the runtime — the same Runtime API protocol as in Lambda. Settings come from the environment
 * and from .env (see .env.example); PORT (default 8080) is where invocations are accepted.
 *
 *   curl -s localhost:8080/2015-03-31/functions/function/invocations -d @events/search.json
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { findRie, ROOT, startFunction } from './rie.ts';

if (existsSync(join(ROOT, '.env'))) process.loadEnvFile(join(ROOT, '.env'));

const port = Number(process.env.PORT ?? 8080);
const runtimeApiPort = Number(process.env.RUNTIME_API_PORT ?? 9001);

/** The real emulator, or exit with what to do: there is no other Lambda Runtime API to fall back on. */
async function emulator(): Promise<string> {
  try {
    const found = findRie();
    if (found) return found;
    // In this repository: the stack's build of the pinned emulator (once, cached under ~/.cache/milvus-otel).
    const stack = await import('@milvus-otel/stack').catch(() => undefined);
    if (!stack) {
      throw new Error(
        'aws-lambda-rie (the AWS Lambda Runtime Interface Emulator) was not found\n' +
          '  fix: set AWS_LAMBDA_RIE=<path to an aws-lambda-rie binary> or put aws-lambda-rie on PATH',
      );
    }
    return await stack.ensureLambdaRie(stack.loadSettings());
  } catch (error) {
    // Each message already says what failed and the fix.
    console.error((error as Error).message);
    process.exit(1);
  }
}

const fn = await startFunction({
  rie: await emulator(),
  port,
  runtimeApiPort,
  host: process.env.HOST ?? '127.0.0.1',
  functionName: process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'search-function',
  env: { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'info' },
});
fn.rie.stdout?.pipe(process.stdout);
fn.rie.stderr?.pipe(process.stderr);
console.log(`function ready: POST ${fn.invokeUrl}\n  e.g. curl -s ${fn.invokeUrl} -d @events/search.json`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void fn.stop().then(() => process.exit(0));
  });
}
fn.rie.once('exit', (code) => {
  console.error(`aws-lambda-rie exited (${code})`);
  process.exit(code ?? 1);
});
