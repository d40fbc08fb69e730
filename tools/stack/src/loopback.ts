import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StackSettings } from './settings.ts';

const IPV4 = /\b(?:\d{1,3}\.){3}\d{1,3}\b/g;
/** Addresses that are not a network peer: loopback, and the unspecified address a listener binds. */
const LOCAL = /^(?:127\.\d+\.\d+\.\d+|0\.0\.0\.0)$/;

/** Lines of `text` that name an IPv4 address other than loopback (or 0.0.0.0), with the addresses they name. */
export function nonLoopbackLines(text: string): { line: string; addresses: string[] }[] {
  const found: { line: string; addresses: string[] }[] = [];
  for (const line of text.split('\n')) {
    const addresses = (line.match(IPV4) ?? []).filter(
      (a) => !LOCAL.test(a) && a.split('.').every((n) => Number(n) <= 255),
    );
    if (addresses.length > 0) found.push({ line, addresses: [...new Set(addresses)] });
  }
  return found;
}

/** The native Milvus server's log files: its own (in its data folder) and its launcher's. */
export function milvusLogFiles(settings: Pick<StackSettings, 'stateDir' | 'logDir'>): string[] {
  const own = join(settings.stateDir, 'milvus', 'logs');
  const files = existsSync(own)
    ? readdirSync(own)
        .filter((f) => f.endsWith('.log') || f.includes('.log.'))
        .map((f) => join(own, f))
    : [];
  const launcher = join(settings.logDir, 'milvus.log');
  return existsSync(launcher) ? [...files, launcher] : files;
}

/** Every line of the native Milvus server's logs that names a non-loopback address, per file. */
export function milvusNonLoopback(settings: Pick<StackSettings, 'stateDir' | 'logDir'>) {
  return milvusLogFiles(settings).flatMap((file) =>
    nonLoopbackLines(readFileSync(file, 'utf8')).map((hit) => ({ file, ...hit })),
  );
}
