/** One problem with a setting: which one, what it was, what was expected, and how to fix it. */
export interface ConfigIssue {
  /** The environment variable (`OTEL_EXPORTER_OTLP_PROTOCOL`) or dotted key (`trace.otlp.endpoint`). */
  readonly key: string;
  /** The offending value as given, with secrets masked; undefined when the setting is missing. */
  readonly value?: string | undefined;
  readonly expected: string;
  readonly fix: string;
}

/** A cross-check result that does not stop start-up but deserves a line in the log. */
export interface ConfigWarning {
  readonly key: string;
  readonly message: string;
  readonly fix?: string | undefined;
}

/** Thrown by every `parse*` function: one error that lists every bad setting at once. */
export class ConfigError extends Error {
  override name = 'ConfigError';
  readonly issues: readonly ConfigIssue[];

  constructor(subject: string, issues: readonly ConfigIssue[]) {
    super(formatIssues(subject, issues));
    this.issues = issues;
  }
}

export function formatIssues(subject: string, issues: readonly ConfigIssue[]): string {
  const count = issues.length === 1 ? '1 problem' : `${issues.length} problems`;
  const lines = issues.map((issue) => {
    const given = issue.value === undefined ? 'is not set' : `is ${JSON.stringify(issue.value)}`;
    return `  - ${issue.key} ${given}: expected ${issue.expected}.\n    Fix: ${issue.fix}`;
  });
  return `Invalid ${subject} (${count}):\n${lines.join('\n')}`;
}

const SECRET_KEY = /PASSWORD|TOKEN|SECRET|API_?KEY|HEADERS|CREDENTIAL|password|token|secret/;

/** Masks a value when its key names a secret; header lists keep their names and lose their values. */
export function maskValue(key: string, value: string | undefined): string | undefined {
  if (value === undefined || !SECRET_KEY.test(key)) return value;
  if (/HEADERS/.test(key)) {
    return value
      .split(',')
      .map((pair) => (pair.includes('=') ? `${pair.slice(0, pair.indexOf('=')).trim()}=****` : '****'))
      .join(',');
  }
  return value === '' ? '' : '****';
}
