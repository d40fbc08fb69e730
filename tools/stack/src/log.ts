/** Progress output of the stack commands: one line per step, on stderr so --json stdout stays clean. */
const useColor = process.stderr.isTTY && !process.env.NO_COLOR;
const paint = (code: string, text: string) => (useColor ? `\x1b[${code}m${text}\x1b[0m` : text);

export const log = {
  step: (text: string) => process.stderr.write(`${paint('36', '›')} ${text}\n`),
  ok: (text: string) => process.stderr.write(`${paint('32', '✓')} ${text}\n`),
  warn: (text: string) => process.stderr.write(`${paint('33', '!')} ${text}\n`),
  fail: (text: string) => process.stderr.write(`${paint('31', '✗')} ${text}\n`),
  plain: (text: string) => process.stderr.write(`${text}\n`),
};

/** An error whose message is the whole story for the user (what failed and the fix); printed without a stack. */
export class StackError extends Error {
  override name = 'StackError';
}
