// Category sections of a word list or sentence set, for folding and the outline. A section runs
// from its `[category]` line to the last non-blank line before the next category.

interface CategorySection {
  name: string;
  /** 0-based line of the `[category]` header. */
  start: number;
  /** 0-based last line of the section (blank lines at its end excluded). */
  end: number;
  /** Non-comment, non-blank lines inside the section: words or sentences. */
  entries: number;
}

const headerPattern = /^\s*\[([^\]]*)\]\s*(?:#.*)?$/;

export function categorySections(lines: readonly string[]): CategorySection[] {
  const sections: CategorySection[] = [];
  let current: CategorySection | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const header = headerPattern.exec(line);
    if (header) {
      current = { name: header[1].trim(), start: i, end: i, entries: 0 };
      sections.push(current);
      continue;
    }
    const trimmed = line.trim();
    if (!current || !trimmed) continue;
    current.end = i;
    if (!trimmed.startsWith('#')) current.entries++;
  }
  return sections;
}
