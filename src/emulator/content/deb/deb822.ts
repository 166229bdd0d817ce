/** One deb822 paragraph, field names as written, multi-line values joined with `\n` (continuations keep their leading space). */
export type Paragraph = Map<string, string>;

export function parseParagraphs(text: string): Paragraph[] {
  const paragraphs: Paragraph[] = [];
  let current: Paragraph | null = null;
  let lastField: string | null = null;
  for (const line of text.split(/\r?\n/)) {
    if (!line.trim()) {
      if (current?.size) paragraphs.push(current);
      current = null;
      lastField = null;
      continue;
    }
    if (line.startsWith('#')) continue;
    if ((line.startsWith(' ') || line.startsWith('\t')) && current && lastField) {
      current.set(lastField, `${current.get(lastField)}\n${line}`);
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    current ??= new Map();
    lastField = line.slice(0, colon);
    current.set(lastField, line.slice(colon + 1).trim());
  }
  if (current?.size) paragraphs.push(current);
  return paragraphs;
}

/** Case-insensitive field lookup, as python-debian's Deb822 does. */
export function fieldOf(paragraph: Paragraph, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const [key, value] of paragraph) if (key.toLowerCase() === lower) return value;
  return undefined;
}

export interface ReleaseFileReference {
  name: string;
  size: number;
  sha256?: string;
  sha1?: string;
  md5?: string;
  sha512?: string;
}

/** The files a Release file lists under MD5Sum / SHA1 / SHA256 / SHA512, by path. */
export function releaseReferences(release: Paragraph): Map<string, ReleaseFileReference> {
  const references = new Map<string, ReleaseFileReference>();
  const lists: Array<[string, 'md5' | 'sha1' | 'sha256' | 'sha512']> = [
    ['SHA512', 'sha512'],
    ['SHA256', 'sha256'],
    ['SHA1', 'sha1'],
    ['MD5Sum', 'md5'],
  ];
  for (const [field, algorithm] of lists) {
    const value = fieldOf(release, field);
    if (!value) continue;
    for (const line of value.split('\n')) {
      const [digest, size, name] = line.trim().split(/\s+/);
      if (!digest || !size || !name) continue;
      const reference = references.get(name) ?? { name, size: Number(size) };
      reference[algorithm] = digest;
      references.set(name, reference);
    }
  }
  return references;
}

export function formatParagraph(fields: Array<[string, string]>): string {
  return fields.map(([k, v]) => `${k}: ${v}\n`).join('');
}
