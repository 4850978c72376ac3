// Finds a project's verbatim clause inside its item's full text, so the
// detail panel can show the paragraph with the clause marked.

export interface Segment {
  text: string;
  mark: boolean;
}

export interface Highlight {
  segments: Segment[];
  /** true when every part of the clause was found, in order. */
  found: boolean;
}

// An excerpt may leave words out with an ellipsis; each part is then marked on its own.
const ELLIPSIS = /(?:…+|\.{3,}|⋯+)/;

export function highlightClause(text: string, clause: string): Highlight {
  const parts = clause
    .split(ELLIPSIS)
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (!text) return { segments: [], found: false };
  if (parts.length === 0) return { segments: [{ text, mark: false }], found: false };

  const whole = text.indexOf(clause.trim());
  const ranges: [number, number][] = [];
  if (whole >= 0) {
    ranges.push([whole, whole + clause.trim().length]);
  } else {
    let from = 0;
    for (const part of parts) {
      const at = text.indexOf(part, from);
      if (at < 0) return { segments: [{ text, mark: false }], found: false };
      ranges.push([at, at + part.length]);
      from = at + part.length;
    }
  }
  const segments: Segment[] = [];
  let pos = 0;
  for (const [a, b] of ranges) {
    if (a > pos) segments.push({ text: text.slice(pos, a), mark: false });
    segments.push({ text: text.slice(a, b), mark: true });
    pos = b;
  }
  if (pos < text.length) segments.push({ text: text.slice(pos), mark: false });
  return { segments, found: true };
}
