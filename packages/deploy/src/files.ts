import { stringify } from 'yaml';

/** One rendered file: where it goes (relative to --out) and its text. */
export interface RenderedFile {
  readonly path: string;
  readonly content: string;
}

/** YAML with a comment header; documents separated by `---` when several are given. */
export function yamlFile(path: string, header: string, ...documents: unknown[]): RenderedFile {
  const comment = header
    .trim()
    .split('\n')
    .map((line) => (line ? `# ${line}` : '#'))
    .join('\n');
  const body = documents
    .map((doc) => stringify(doc, { lineWidth: 0, aliasDuplicateObjects: false }))
    .join('---\n');
  return { path, content: `${comment}\n${body}` };
}

export function jsonFile(path: string, value: unknown): RenderedFile {
  return { path, content: `${JSON.stringify(value, null, 2)}\n` };
}

export function textFile(path: string, content: string): RenderedFile {
  return { path, content: content.endsWith('\n') ? content : `${content}\n` };
}
